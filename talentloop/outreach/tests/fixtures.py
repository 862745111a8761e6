"""Outreach fixtures for every outreach test: templates, sequences, campaigns, and candidates
who agreed to be contacted.

Acme's objects belong to alice; `prospect_factory` makes a candidate with an e-mail address
and granted e-mail consent (recruiting and marketing), so policy.blockers lets them through.
Until the root conftest registers this module, test files import it with
`from talentloop.outreach.tests.fixtures import *`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from talentloop.accounts.models import User
from talentloop.accounts.roles import Role
from talentloop.candidates.models import Candidate
from talentloop.compliance.services import record_consent
from talentloop.core.actor import Actor
from talentloop.core.smtp_sink import SmtpSink
from talentloop.core.tests.fixtures import actor_for
from talentloop.outreach import services
from talentloop.outreach.models import Campaign, Purpose, Sequence, Template

__all__ = [
    "auditor",
    "auditor_actor",
    "auditor_client",
    "campaign",
    "campaign_factory",
    "email_template",
    "hiring_manager",
    "hiring_manager_actor",
    "hiring_manager_client",
    "prospect",
    "prospect_factory",
    "sequence",
    "sequence_factory",
    "sms_template",
    "template_factory",
]


@pytest.fixture
def template_factory(alice_actor: Actor) -> Callable[..., Template]:
    """Templates stored as they are (rendering.py validates them in its own service)."""
    counter = {"n": 0}

    def make(actor: Actor | None = None, **data: Any) -> Template:
        counter["n"] += 1
        data.setdefault("name", f"Template {counter['n']}")
        data.setdefault("kind", Template.Kind.EMAIL)
        if data["kind"] == Template.Kind.EMAIL:
            data.setdefault("subject", "A role for you, {{ candidate.first_name }}")
            data.setdefault("body", "<p>Hi {{ candidate.first_name }}, shall we talk?</p>")
        else:
            data.setdefault("text_body", "Hi {{ candidate.first_name }}, shall we talk?")
        owner = actor or alice_actor
        return Template.objects.create(workspace=owner.workspace, created_by=owner.user, **data)

    return make


@pytest.fixture
def email_template(template_factory: Callable[..., Template]) -> Template:
    return template_factory(name="First touch")


@pytest.fixture
def sms_template(template_factory: Callable[..., Template]) -> Template:
    return template_factory(name="Text nudge", kind=Template.Kind.SMS)


@pytest.fixture
def prospect_factory(
    candidate_factory: Callable[..., Candidate], alice_actor: Actor
) -> Callable[..., Candidate]:
    """A candidate with an e-mail address who granted e-mail consent for `purposes`."""
    counter = {"n": 0}

    def make(
        actor: Actor | None = None,
        purposes: tuple[str, ...] = (Purpose.RECRUITING, Purpose.MARKETING),
        **data: Any,
    ) -> Candidate:
        counter["n"] += 1
        owner = actor or alice_actor
        data.setdefault("first_name", "Prospect")
        data.setdefault("last_name", f"Number{counter['n']}")
        data.setdefault("emails", [f"prospect{counter['n']}@{owner.workspace.slug}.test"])
        candidate = candidate_factory(actor=owner, **data)
        for purpose in purposes:
            record_consent(
                actor=owner,
                candidate=candidate,
                channel="email",
                purpose=purpose,
                status="granted",
                source="form",
            )
        return candidate

    return make


@pytest.fixture
def prospect(prospect_factory: Callable[..., Candidate]) -> Candidate:
    return prospect_factory(first_name="Katherine", last_name="Johnson")


def _email_step(template: Template, **overrides: Any) -> dict[str, Any]:
    return {
        "channel": "email",
        "delay_days": 0,
        "business_days": True,
        "window_start": "09:00",
        "window_end": "17:00",
        "template_id": template.pk,
        "sender": "owner",
        **overrides,
    }


@pytest.fixture
def sequence_factory(
    alice_actor: Actor, template_factory: Callable[..., Template]
) -> Callable[..., Sequence]:
    """A sequence through the service; by default one e-mail step and one LinkedIn task three
    business days later. `status` moves it after creation (e.g. "active")."""
    counter = {"n": 0}

    def make(actor: Actor | None = None, status: str = "", **data: Any) -> Sequence:
        counter["n"] += 1
        owner = actor or alice_actor
        data.setdefault("name", f"Backend outreach {counter['n']}")
        if "steps" not in data:
            template = template_factory(actor=owner)
            data["steps"] = [
                _email_step(template),
                {
                    "channel": "linkedin_task",
                    "delay_days": 3,
                    "instructions": "Connect on LinkedIn and mention the e-mail.",
                },
            ]
        sequence = services.create_sequence(actor=owner, data=data)
        if status:
            sequence = services.set_sequence_status(actor=owner, sequence=sequence, status=status)
        return sequence

    return make


@pytest.fixture
def sequence(sequence_factory: Callable[..., Sequence]) -> Sequence:
    """Acme's active two-step sequence."""
    return sequence_factory(name="Backend outreach", status=Sequence.Status.ACTIVE)


@pytest.fixture
def campaign_factory(
    alice_actor: Actor, template_factory: Callable[..., Template], pool_factory: Any
) -> Callable[..., Campaign]:
    """A draft campaign through the service; by default to a new pool, one drop a week ahead."""
    counter = {"n": 0}

    def make(actor: Actor | None = None, status: str = "", **data: Any) -> Campaign:
        counter["n"] += 1
        owner = actor or alice_actor
        data.setdefault("name", f"Newsletter {counter['n']}")
        if "segment_id" not in data and "pool_id" not in data:
            data["pool_id"] = pool_factory(actor=owner, name=f"Audience {counter['n']}").pk
        if "drops" not in data:
            template = template_factory(actor=owner)
            send_at = timezone.now() + dt.timedelta(days=7)
            data["drops"] = [{"template_id": template.pk, "send_at": send_at.isoformat()}]
        campaign = services.create_campaign(actor=owner, data=data)
        if status:
            campaign = services.set_campaign_status(actor=owner, campaign=campaign, status=status)
        return campaign

    return make


@pytest.fixture
def campaign(campaign_factory: Callable[..., Campaign]) -> Campaign:
    """Acme's draft campaign with one drop next week to a pool."""
    return campaign_factory(name="Spring newsletter")


@pytest.fixture
def hiring_manager(member_factory: Callable[..., User], acme: Any) -> User:
    return member_factory("harriet@acme.test", acme, Role.HIRING_MANAGER, "Harriet Manager")


@pytest.fixture
def hiring_manager_actor(hiring_manager: User) -> Actor:
    return actor_for(hiring_manager)


@pytest.fixture
def auditor(member_factory: Callable[..., User], acme: Any) -> User:
    return member_factory("audrey@acme.test", acme, Role.AUDITOR, "Audrey Auditor")


@pytest.fixture
def auditor_actor(auditor: User) -> Actor:
    return actor_for(auditor)


def _client(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def hiring_manager_client(hiring_manager: User) -> Client:
    return _client(hiring_manager)


@pytest.fixture
def auditor_client(auditor: User) -> Client:
    return _client(auditor)


@pytest.fixture
def sink(settings: Any) -> Iterator[SmtpSink]:
    """A real SMTP server (aiosmtpd) for the test, and the default mailer pointed at it."""
    with SmtpSink() as server:
        settings.MAILERS = {
            "default": {
                "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
                "OPTIONS": {"host": "127.0.0.1", "port": server.port, "use_tls": False},
            }
        }
        yield server
