from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import pytest
import time_machine

from talentloop.accounts.models import User, Workspace
from talentloop.accounts.roles import Role
from talentloop.candidates.models import Activity, Candidate
from talentloop.candidates.services import delete_candidate, update_candidate
from talentloop.compliance.models import AuditEvent, ConsentRecord
from talentloop.compliance.selectors import consent_ledger, consent_status
from talentloop.compliance.services import (
    OutreachNotAllowed,
    ensure_outreach_allowed,
    record_consent,
)
from talentloop.core.actor import Actor
from talentloop.core.errors import Forbidden, InvalidInput
from talentloop.core.tests.fixtures import actor_for

T0 = dt.datetime(2026, 1, 10, 12, 0, tzinfo=dt.UTC)


def _record(
    actor: Actor,
    candidate: Candidate,
    status: str,
    *,
    channel: str = "email",
    purpose: str = "marketing",
    at: dt.datetime = T0,
    source: str = "form",
) -> ConsentRecord:
    with time_machine.travel(at, tick=False):
        return record_consent(
            actor=actor,
            candidate=candidate,
            channel=channel,
            purpose=purpose,
            status=status,
            source=source,
        )


def _reason(candidate: Candidate, channel: str = "email", purpose: str = "recruiting") -> str:
    """The reason outreach is refused, or "allowed"."""
    candidate.refresh_from_db()
    try:
        ensure_outreach_allowed(candidate, channel, purpose)
    except OutreachNotAllowed as error:
        return error.reason
    return "allowed"


# --- the ledger ----------------------------------------------------------------------------


def test_recording_adds_a_ledger_entry_with_its_proof(
    bob_actor: Actor, candidate: Candidate
) -> None:
    with time_machine.travel(T0, tick=False):
        entry = record_consent(
            actor=bob_actor,
            candidate=candidate,
            channel="email",
            purpose="marketing",
            status="granted",
            source="form",
            wording_version="2026-01",
            ip="203.0.113.7",
        )

    entry.refresh_from_db()
    assert (entry.channel, entry.purpose, entry.status, entry.source) == (
        "email",
        "marketing",
        "granted",
        "form",
    )
    assert (entry.wording_version, entry.ip, entry.occurred_at) == ("2026-01", "203.0.113.7", T0)
    assert entry.recorded_by_id == bob_actor.user_id
    assert entry.workspace_id == candidate.workspace_id


def test_recording_adds_a_timeline_entry_and_one_audit_row(
    bob_actor: Actor, candidate: Candidate
) -> None:
    _record(bob_actor, candidate, "withdrawn", channel="sms", purpose="recruiting", source="verbal")

    activity = Activity.objects.get(candidate=candidate, type=Activity.Type.CONSENT_CHANGE)
    assert activity.summary == "SMS recruiting consent withdrawn (verbal)"
    assert activity.payload == {
        "channel": "sms",
        "purpose": "recruiting",
        "status": "withdrawn",
        "source": "verbal",
    }
    (event,) = AuditEvent.objects.filter(action=AuditEvent.Action.CONSENT_RECORDED)
    assert (event.target_type, event.target_id) == ("candidate", candidate.pk)
    assert event.changes == {"consent.sms.recruiting": [None, "withdrawn"]}
    assert event.extra == {"source": "verbal", "wording_version": ""}


def test_newest_entry_wins_per_channel_and_purpose(bob_actor: Actor, candidate: Candidate) -> None:
    _record(bob_actor, candidate, "granted", at=T0)
    _record(bob_actor, candidate, "withdrawn", at=T0 + dt.timedelta(days=1))
    _record(bob_actor, candidate, "granted", channel="sms", at=T0 + dt.timedelta(days=2))
    _record(bob_actor, candidate, "granted", purpose="recruiting", at=T0 + dt.timedelta(days=3))

    assert consent_status(candidate) == {
        ("email", "marketing"): "withdrawn",
        ("sms", "marketing"): "granted",
        ("email", "recruiting"): "granted",
    }


def test_a_later_grant_overrides_a_withdrawal(bob_actor: Actor, candidate: Candidate) -> None:
    _record(bob_actor, candidate, "withdrawn", at=T0)
    _record(bob_actor, candidate, "granted", at=T0 + dt.timedelta(hours=1))

    assert consent_status(candidate) == {("email", "marketing"): "granted"}


def test_entries_at_the_same_moment_are_ordered_by_arrival(
    bob_actor: Actor, candidate: Candidate
) -> None:
    _record(bob_actor, candidate, "granted", at=T0)
    _record(bob_actor, candidate, "withdrawn", at=T0)

    assert consent_status(candidate) == {("email", "marketing"): "withdrawn"}


def test_the_ledger_keeps_every_entry_newest_first(bob_actor: Actor, candidate: Candidate) -> None:
    first = _record(bob_actor, candidate, "granted", at=T0)
    second = _record(bob_actor, candidate, "withdrawn", at=T0 + dt.timedelta(days=1))

    assert list(consent_ledger(candidate)) == [second, first]


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"channel": "fax"}, "channel"),
        ({"purpose": "spam"}, "purpose"),
        ({"status": "maybe"}, "status"),
        ({"source": "rumour"}, "source"),
        ({"wording_version": "v" * 65}, "wording_version"),
    ],
)
def test_refuses_invalid_entries(
    bob_actor: Actor, candidate: Candidate, overrides: dict[str, str], field: str
) -> None:
    values = {"channel": "email", "purpose": "marketing", "status": "granted", "source": "form"}

    with pytest.raises(InvalidInput) as error:
        record_consent(actor=bob_actor, candidate=candidate, **(values | overrides))

    assert error.value.field == field
    assert ConsentRecord.objects.exists() is False
    assert AuditEvent.objects.filter(action=AuditEvent.Action.CONSENT_RECORDED).exists() is False


@pytest.mark.parametrize("role", [Role.COORDINATOR, Role.HIRING_MANAGER, Role.AUDITOR])
def test_roles_without_the_capability_cannot_record(
    acme: Workspace, member_factory: Callable[..., User], candidate: Candidate, role: str
) -> None:
    actor = actor_for(member_factory(f"{role}@acme.test", acme, role))

    with pytest.raises(Forbidden):
        record_consent(
            actor=actor,
            candidate=candidate,
            channel="email",
            purpose="marketing",
            status="granted",
            source="form",
        )

    assert ConsentRecord.objects.exists() is False


# --- ensure_outreach_allowed ---------------------------------------------------------------


def test_recruiting_outreach_is_allowed_by_default(candidate: Candidate) -> None:
    assert _reason(candidate, "email", "recruiting") == "allowed"
    assert _reason(candidate, "sms", "recruiting") == "allowed"


def test_marketing_needs_a_grant(bob_actor: Actor, candidate: Candidate) -> None:
    assert _reason(candidate, "email", "marketing") == "no_consent"

    _record(bob_actor, candidate, "granted", channel="email", purpose="marketing")

    assert _reason(candidate, "email", "marketing") == "allowed"
    assert _reason(candidate, "sms", "marketing") == "no_consent"  # a grant is per channel


def test_a_withdrawal_stops_recruiting_outreach(bob_actor: Actor, candidate: Candidate) -> None:
    _record(bob_actor, candidate, "withdrawn", purpose="recruiting")

    assert _reason(candidate, "email", "recruiting") == "withdrawn"
    assert _reason(candidate, "phone", "recruiting") == "allowed"


def test_a_withdrawal_after_a_grant_stops_marketing(bob_actor: Actor, candidate: Candidate) -> None:
    _record(bob_actor, candidate, "granted", at=T0)
    _record(bob_actor, candidate, "withdrawn", at=T0 + dt.timedelta(days=1))

    with pytest.raises(OutreachNotAllowed) as error:
        ensure_outreach_allowed(candidate, "email", "marketing")

    assert error.value.reason == "withdrawn"
    assert error.value.code == "outreach_not_allowed"
    assert error.value.message == "The candidate withdrew marketing consent for email."


def test_workspace_can_require_recruiting_consent(
    bob_actor: Actor, acme: Workspace, candidate: Candidate
) -> None:
    Workspace.objects.filter(pk=acme.pk).update(require_recruiting_consent=True)

    assert _reason(candidate, "email", "recruiting") == "no_consent"

    _record(bob_actor, candidate, "granted", purpose="recruiting")

    assert _reason(candidate, "email", "recruiting") == "allowed"


def test_do_not_contact_beats_any_grant(bob_actor: Actor, candidate: Candidate) -> None:
    _record(bob_actor, candidate, "granted", purpose="recruiting")
    update_candidate(actor=bob_actor, candidate=candidate, data={"is_do_not_contact": True})

    assert _reason(candidate, "email", "recruiting") == "do_not_contact"


def test_archived_candidate_is_not_contacted(bob_actor: Actor, candidate: Candidate) -> None:
    _record(bob_actor, candidate, "granted")
    update_candidate(actor=bob_actor, candidate=candidate, data={"is_archived": True})

    assert _reason(candidate, "email", "recruiting") == "inactive"
    assert _reason(candidate, "email", "marketing") == "inactive"


def test_deleted_candidate_is_not_contacted(bob_actor: Actor, candidate: Candidate) -> None:
    delete_candidate(actor=bob_actor, candidate=candidate)

    assert _reason(candidate, "email", "recruiting") == "inactive"


@pytest.mark.parametrize(("channel", "purpose"), [("fax", "recruiting"), ("email", "spam")])
def test_unknown_channel_or_purpose_is_a_programming_error(
    candidate: Candidate, channel: str, purpose: str
) -> None:
    with pytest.raises(ValueError, match="unknown channel/purpose"):
        ensure_outreach_allowed(candidate, channel, purpose)
