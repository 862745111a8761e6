"""automation.export_sequence / export_campaign: a versioned document with no ids in it."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from typing import Any

import pytest
import time_machine

from talentloop.accounts.models import User
from talentloop.accounts.roles import Role
from talentloop.core.actor import Actor
from talentloop.core.errors import Forbidden
from talentloop.core.tests.fixtures import actor_for
from talentloop.jobs.models import Job
from talentloop.outreach.automation import document_json, export_campaign, export_sequence
from talentloop.outreach.models import Purpose, StepChannel
from talentloop.outreach.tests.test_automation_support import (
    MONDAY,
    email_step,
    make_campaign,
    make_sequence,
    make_snippet,
    make_template,
)
from talentloop.pools import services as pool_services
from talentloop.pools.models import Pool, PoolStage

SIGNATURE = "<p>Best, {{ sender.full_name }}</p>"
INTRO_BODY = '<p>Hello {{ candidate.first_name }}</p>{% snippet "signature" %}'


@pytest.fixture
def job(alice_actor: Actor, bob: User) -> Job:
    return Job.objects.create(
        workspace=alice_actor.workspace, title="Staff Engineer", hiring_manager=bob
    )


@pytest.fixture
def sequence(alice_actor: Actor, bob: User, job: Job) -> Any:
    make_snippet(alice_actor, "signature", SIGNATURE)
    make_snippet(alice_actor, "unused", "<p>Not in any template</p>")
    intro = make_template(alice_actor, "Intro", body=INTRO_BODY)
    follow_up = make_template(alice_actor, "Follow-up", subject="Still keen?", body="<p>Ping</p>")
    steps = [
        email_step(intro),
        {
            "channel": StepChannel.LINKEDIN_TASK,
            "delay_days": 1,
            "instructions": "Connect on LinkedIn",
            "sender": "user",
            "sender_user_id": bob.pk,
        },
        email_step(
            follow_up,
            3,
            business_days=False,
            window_start="10:00",
            window_end="16:30",
            sender="hiring_manager",
        ),
    ]
    return make_sequence(
        alice_actor,
        steps,
        purpose=Purpose.RECRUITING,
        description="For the platform team",
        job_id=job.pk,
        reentry="after_days",
        reentry_days=90,
        stop_on=["reply", "application"],
    )


def test_a_sequence_exports_with_templates_and_snippets_by_content(
    alice_actor: Actor, sequence: Any
) -> None:
    with time_machine.travel(MONDAY, tick=False):
        document = export_sequence(actor=alice_actor, sequence=sequence)

    assert document == {
        "talentloop": "sequence",
        "format": 1,
        "exported_at": "2026-03-02T07:00:00Z",
        "sequence": {
            "name": "Backend outreach",
            "description": "For the platform team",
            "purpose": "recruiting",
            "stop_on": ["reply", "application", "unsubscribe", "bounce", "manual"],
            "reentry": "after_days",
            "reentry_days": 90,
            "version": 1,
            "job": {"title": "Staff Engineer"},
            "steps": [
                {
                    "channel": "email",
                    "delay_days": 0,
                    "business_days": True,
                    "window_start": None,
                    "window_end": None,
                    "template": "Intro",
                    "instructions": "",
                    "sender": "owner",
                    "sender_email": None,
                },
                {
                    "channel": "linkedin_task",
                    "delay_days": 1,
                    "business_days": True,
                    "window_start": None,
                    "window_end": None,
                    "template": None,
                    "instructions": "Connect on LinkedIn",
                    "sender": "user",
                    "sender_email": "bob@acme.test",
                },
                {
                    "channel": "email",
                    "delay_days": 3,
                    "business_days": False,
                    "window_start": "10:00",
                    "window_end": "16:30",
                    "template": "Follow-up",
                    "instructions": "",
                    "sender": "hiring_manager",
                    "sender_email": None,
                },
            ],
        },
        "templates": {
            "Intro": {
                "kind": "email",
                "subject": 'Hi {{ candidate.first_name|default:"there" }}',
                "body": INTRO_BODY,
                "text_body": "",
            },
            "Follow-up": {
                "kind": "email",
                "subject": "Still keen?",
                "body": "<p>Ping</p>",
                "text_body": "",
            },
        },
        # Only the snippets the templates include.
        "snippets": {"signature": {"body": SIGNATURE}},
    }


def test_the_same_sequence_gives_the_same_bytes_apart_from_the_time(
    alice_actor: Actor, sequence: Any
) -> None:
    with time_machine.travel(MONDAY, tick=False):
        first = document_json(export_sequence(actor=alice_actor, sequence=sequence))
    with time_machine.travel(MONDAY + dt.timedelta(days=1), tick=False):
        second = document_json(export_sequence(actor=alice_actor, sequence=sequence))

    assert first != second
    assert first.replace("2026-03-02T07:00:00Z", "X") == second.replace("2026-03-03T07:00:00Z", "X")
    # Keys are sorted at every level, so the file diffs cleanly.
    assert (
        first == json.dumps(json.loads(first), sort_keys=True, indent=2, ensure_ascii=False) + "\n"
    )


def test_a_campaigns_segment_travels_as_rules_with_names_instead_of_ids(
    alice_actor: Actor, bob: User, pool: Pool, stages: dict[str, PoolStage]
) -> None:
    rules = {
        "all": [
            {"field": "owner", "op": "in", "value": [bob.pk, "me"]},
            {"field": "pool", "op": "in", "value": [pool.pk]},
            {
                "any": [
                    {"field": "stage", "op": "eq", "value": stages["engaged"].pk, "pool": pool.pk}
                ]
            },
            {"field": "city", "op": "eq", "value": "Berlin"},
        ]
    }
    segment = pool_services.create_segment(
        actor=alice_actor, data={"name": "Engaged Berliners", "description": "Warm", "rules": rules}
    )
    news = make_template(alice_actor, "News", subject="News for {{ candidate.first_name }}")
    with time_machine.travel(MONDAY, tick=False):
        campaign = make_campaign(
            alice_actor,
            [(news, MONDAY + dt.timedelta(days=3)), (news, MONDAY + dt.timedelta(days=10))],
            segment_id=segment.pk,
            throttle_per_minute=120,
            quiet_days=[6, 5],
            sender_id=bob.pk,
        )
        document = export_campaign(actor=alice_actor, campaign=campaign)

    assert document["campaign"] == {
        "name": "Spring newsletter",
        "purpose": "marketing",
        "segment": {
            "name": "Engaged Berliners",
            "description": "Warm",
            "rules": {
                "all": [
                    {"field": "owner", "op": "in", "value": [{"user": "bob@acme.test"}, "me"]},
                    {"field": "pool", "op": "in", "value": [{"pool": "Backend engineers"}]},
                    {
                        "any": [
                            {
                                "field": "stage",
                                "op": "eq",
                                "value": "Engaged",
                                "pool": {"pool": "Backend engineers"},
                            }
                        ]
                    },
                    {"field": "city", "op": "eq", "value": "Berlin"},
                ]
            },
        },
        "pool": None,
        "sender_email": "bob@acme.test",
        "throttle_per_minute": 120,
        "quiet_days": [5, 6],
        "version": 1,
        "drops": [
            {"template": "News", "send_at": "2026-03-05T07:00:00Z"},
            {"template": "News", "send_at": "2026-03-12T07:00:00Z"},
        ],
    }
    assert list(document["templates"]) == ["News"]
    assert segment.rules == rules  # the stored rules are untouched


def test_a_pool_campaign_names_its_pool(alice_actor: Actor, pool: Pool) -> None:
    news = make_template(alice_actor, "News")
    with time_machine.travel(MONDAY, tick=False):
        campaign = make_campaign(
            alice_actor, [(news, MONDAY + dt.timedelta(days=1))], pool_id=pool.pk
        )
        document = export_campaign(actor=alice_actor, campaign=campaign)

    assert (document["campaign"]["pool"], document["campaign"]["segment"]) == (
        {"name": "Backend engineers"},
        None,
    )
    assert document["campaign"]["sender_email"] == "alice@acme.test"


def test_hiring_managers_may_not_export(
    alice_actor: Actor, member_factory: Callable[..., User], sequence: Any
) -> None:
    manager = actor_for(member_factory("hm@acme.test", alice_actor.workspace, Role.HIRING_MANAGER))
    auditor = actor_for(member_factory("audit@acme.test", alice_actor.workspace, Role.AUDITOR))

    with pytest.raises(Forbidden):
        export_sequence(actor=manager, sequence=sequence)
    assert (
        export_sequence(actor=auditor, sequence=sequence)["sequence"]["name"] == "Backend outreach"
    )
