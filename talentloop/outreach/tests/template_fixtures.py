"""Fixtures of the template tests: templates and snippets saved through template_services, and
the test URLs that mount the template pages and API until the project's URLs do.

Test files star-import the fixtures (`__all__`) and import the helpers by name; the root conftest
does not register this module.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.db.models import Model

from talentloop.accounts.models import User, Workspace
from talentloop.accounts.roles import Role
from talentloop.core.actor import Actor
from talentloop.core.tests.fixtures import actor_for
from talentloop.outreach import template_services
from talentloop.outreach.models import (
    Campaign,
    CampaignDrop,
    Sequence,
    SequenceStep,
    Snippet,
    Template,
)

__all__ = [
    "auditor_member",
    "manager_member",
    "saved_snippet_factory",
    "saved_template",
    "saved_template_factory",
]

TEST_URLS = "talentloop.outreach.tests.urls_templates_test"
INTRO_BODY = (
    '<p>Hi {{ candidate.first_name|default:"there" }},</p>\n'
    "<p>Your work at {{ candidate.current_company }} caught my eye.</p>"
)


@pytest.fixture
def saved_template_factory(alice_actor: Actor) -> Callable[..., Template]:
    """Templates created through the service (compiled, sanitized) by alice unless told."""
    counter = {"n": 0}

    def make(actor: Actor | None = None, **data: Any) -> Template:
        counter["n"] += 1
        data.setdefault("name", f"Intro {counter['n']}")
        if data.get("kind") == Template.Kind.SMS:
            data.setdefault("text_body", "Hi {{ candidate.first_name }}, got a minute?")
        else:
            data.setdefault("subject", "A role for you, {{ candidate.first_name }}")
            data.setdefault("body", INTRO_BODY)
        return template_services.create_template(actor=actor or alice_actor, data=data)

    return make


@pytest.fixture
def saved_template(saved_template_factory: Callable[..., Template]) -> Template:
    return saved_template_factory(name="Intro")


@pytest.fixture
def saved_snippet_factory(alice_actor: Actor) -> Callable[..., Snippet]:
    def make(actor: Actor | None = None, **data: Any) -> Snippet:
        data.setdefault("name", "signature")
        data.setdefault("body", "<p>Best,<br>{{ sender.full_name }}</p>")
        return template_services.create_snippet(actor=actor or alice_actor, data=data)

    return make


@pytest.fixture
def auditor_member(acme: Workspace, member_factory: Callable[..., User]) -> User:
    return member_factory("dana@acme.test", acme, Role.AUDITOR, "Dana Auditor")


@pytest.fixture
def manager_member(acme: Workspace, member_factory: Callable[..., User]) -> User:
    return member_factory("hank@acme.test", acme, Role.HIRING_MANAGER, "Hank Manager")


def role_actor(user: User) -> Actor:
    return actor_for(user)


def sequence_using(template: Template, *, name: str = "Backend outreach") -> SequenceStep:
    """A sequence whose second step sends `template` (written directly: only its use matters)."""
    sequence = Sequence.objects.create(workspace_id=template.workspace_id, name=name)
    SequenceStep.objects.create(sequence=sequence, position=0)
    return SequenceStep.objects.create(sequence=sequence, position=1, template=template)


def campaign_using(template: Template, *, name: str = "Autumn newsletter") -> CampaignDrop:
    from django.utils import timezone

    campaign = Campaign.objects.create(workspace_id=template.workspace_id, name=name)
    return CampaignDrop.objects.create(
        campaign=campaign, position=0, template=template, send_at=timezone.now()
    )


def reloaded(instance: Model) -> Any:
    return type(instance)._default_manager.get(pk=instance.pk)
