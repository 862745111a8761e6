from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import pytest
import time_machine

from talentloop.accounts.models import User, Workspace
from talentloop.accounts.roles import Role
from talentloop.candidates.models import Activity, Candidate
from talentloop.candidates.services import log_touchpoint, record_activity
from talentloop.compliance.models import AuditEvent
from talentloop.core.actor import Actor
from talentloop.core.errors import Forbidden, InvalidInput
from talentloop.core.tests.fixtures import actor_for

NOW = dt.datetime(2026, 5, 4, 9, 0, tzinfo=dt.UTC)


@pytest.fixture(autouse=True)
def _frozen_time() -> object:
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


def _last_contacted(candidate: Candidate) -> dt.datetime | None:
    candidate.refresh_from_db()
    return candidate.last_contacted_at


@pytest.mark.parametrize(("type", "channel"), [("call", "phone"), ("linkedin_message", "linkedin")])
def test_outbound_touchpoint_moves_last_contacted(
    bob_actor: Actor, candidate: Candidate, type: str, channel: str
) -> None:
    activity = log_touchpoint(
        actor=bob_actor, candidate=candidate, type=type, summary="  Intro call  "
    )

    assert (activity.type, activity.channel, activity.summary) == (type, channel, "Intro call")
    assert activity.payload == {"direction": "outbound"}
    assert activity.actor_id == bob_actor.user_id
    assert activity.occurred_at == NOW
    assert _last_contacted(candidate) == NOW


def test_inbound_touchpoint_leaves_last_contacted(bob_actor: Actor, candidate: Candidate) -> None:
    activity = log_touchpoint(
        actor=bob_actor,
        candidate=candidate,
        type="call",
        summary="She called us",
        direction="inbound",
    )

    assert activity.payload == {"direction": "inbound"}
    assert _last_contacted(candidate) is None


def test_backdated_touchpoint_sets_its_own_time(bob_actor: Actor, candidate: Candidate) -> None:
    yesterday = NOW - dt.timedelta(days=1)

    activity = log_touchpoint(
        actor=bob_actor,
        candidate=candidate,
        type="call",
        summary="Yesterday's call",
        occurred_at=yesterday,
    )

    assert activity.occurred_at == yesterday
    assert _last_contacted(candidate) == yesterday


def test_older_touchpoint_does_not_move_last_contacted_back(
    bob_actor: Actor, candidate: Candidate
) -> None:
    log_touchpoint(actor=bob_actor, candidate=candidate, type="call", summary="Today")

    log_touchpoint(
        actor=bob_actor,
        candidate=candidate,
        type="linkedin_message",
        summary="Last month",
        occurred_at=NOW - dt.timedelta(days=30),
    )

    assert _last_contacted(candidate) == NOW


@pytest.mark.parametrize(
    ("type", "inbound", "moves"),
    [
        (Activity.Type.EMAIL_SENT, False, True),
        (Activity.Type.SMS_SENT, False, True),
        (Activity.Type.EMAIL_REPLIED, False, False),
        (Activity.Type.EMAIL_OPENED, False, False),
        (Activity.Type.SMS_RECEIVED, False, False),
        (Activity.Type.PAGE_VISIT, False, False),
        (Activity.Type.NOTE, False, False),
        (Activity.Type.CALL, True, False),
    ],
)
def test_only_outbound_contact_types_move_last_contacted(
    bob_actor: Actor, candidate: Candidate, type: Activity.Type, inbound: bool, moves: bool
) -> None:
    record_activity(
        candidate=candidate,
        type=type,
        channel=Activity.Channel.EMAIL,
        actor=bob_actor,
        inbound=inbound,
    )

    assert _last_contacted(candidate) == (NOW if moves else None)


def test_logging_is_audited(bob_actor: Actor, candidate: Candidate) -> None:
    activity = log_touchpoint(actor=bob_actor, candidate=candidate, type="call", summary="Hi")

    (event,) = AuditEvent.objects.filter(action=AuditEvent.Action.ACTIVITY_LOGGED)
    assert (event.target_type, event.target_id) == ("candidate", candidate.pk)
    assert event.extra == {"activity_id": activity.pk, "type": "call"}
    assert event.actor_id == bob_actor.user_id


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"type": "email_sent", "summary": "Sent"}, "type"),
        ({"type": "meeting", "summary": "Met"}, "type"),
        ({"type": "call", "summary": "Hi", "direction": "sideways"}, "direction"),
        ({"type": "call", "summary": "   "}, "summary"),
        ({"type": "call", "summary": "x" * 501}, "summary"),
        (
            {"type": "call", "summary": "Hi", "occurred_at": NOW + dt.timedelta(minutes=6)},
            "occurred_at",
        ),
    ],
)
def test_refuses_invalid_touchpoint(
    bob_actor: Actor, candidate: Candidate, kwargs: dict[str, object], field: str
) -> None:
    before = Activity.objects.count()

    with pytest.raises(InvalidInput) as error:
        log_touchpoint(actor=bob_actor, candidate=candidate, **kwargs)  # type: ignore[arg-type]

    assert error.value.field == field
    assert Activity.objects.count() == before
    assert _last_contacted(candidate) is None
    assert AuditEvent.objects.filter(action=AuditEvent.Action.ACTIVITY_LOGGED).exists() is False


def test_a_few_minutes_of_clock_skew_are_accepted(bob_actor: Actor, candidate: Candidate) -> None:
    soon = NOW + dt.timedelta(minutes=4)

    log_touchpoint(
        actor=bob_actor, candidate=candidate, type="call", summary="Hi", occurred_at=soon
    )

    assert _last_contacted(candidate) == soon


def test_auditor_cannot_log_touchpoints(
    acme: Workspace, member_factory: Callable[..., User], candidate: Candidate
) -> None:
    auditor = actor_for(member_factory("audrey@acme.test", acme, Role.AUDITOR))

    with pytest.raises(Forbidden):
        log_touchpoint(actor=auditor, candidate=candidate, type="call", summary="Hi")

    assert _last_contacted(candidate) is None
