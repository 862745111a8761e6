"""undo_merge: within 30 days, exactly the moved rows and replaced values go back."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine

from talentloop.candidates.models import Activity, Candidate, CandidateEmail
from talentloop.candidates.services import add_note, update_candidate
from talentloop.compliance.models import AuditEvent
from talentloop.core.actor import Actor
from talentloop.core.errors import Conflict, Forbidden
from talentloop.core.tests.api_helpers import stored_state
from talentloop.duplicates.models import DuplicateSuggestion, Merge
from talentloop.duplicates.services import merge_candidates, undo_merge


def _rows(candidate: Candidate) -> dict[str, list[int]]:
    return {
        "emails": sorted(candidate.emails.values_list("pk", flat=True)),
        "phones": sorted(candidate.phones.values_list("pk", flat=True)),
        "tags": sorted(candidate.tags.values_list("pk", flat=True)),
        "notes": sorted(candidate.notes.values_list("pk", flat=True)),
        "activities": sorted(
            candidate.activities.exclude(type="merge").values_list("pk", flat=True)
        ),
    }


@pytest.fixture
def merged(
    alice_actor: Actor, suggestion: DuplicateSuggestion, robert: Candidate, bob_smith: Candidate
) -> Merge:
    add_note(actor=alice_actor, candidate=bob_smith, body="Prefers Go")
    return merge_candidates(actor=alice_actor, survivor=robert, other=bob_smith)


def test_restores_the_other_candidate_and_its_rows(
    alice_actor: Actor,
    robert: Candidate,
    bob_smith: Candidate,
    suggestion: DuplicateSuggestion,
) -> None:
    add_note(actor=alice_actor, candidate=bob_smith, body="Prefers Go")
    robert_before, bob_before = _rows(robert), _rows(bob_smith)
    merge = merge_candidates(actor=alice_actor, survivor=robert, other=bob_smith)
    added_later = add_note(actor=alice_actor, candidate=robert, body="Called after the merge")

    undo_merge(actor=alice_actor, merge=merge)

    bob_smith.refresh_from_db()
    robert.refresh_from_db()
    assert bob_smith.deleted_at is None
    assert _rows(bob_smith) == bob_before
    after = _rows(robert)
    assert after["emails"] == robert_before["emails"]
    assert after["notes"] == sorted([*robert_before["notes"], added_later.pk])
    assert CandidateEmail.objects.get(email="bob@smith.test").is_primary is True
    assert (robert.first_name, robert.last_name) == ("Robert", "Smith")
    assert (bob_smith.first_name, bob_smith.search_text.split()[:2]) == ("Bob", ["bob", "smyth"])
    suggestion.refresh_from_db()
    assert suggestion.status == "open"


def test_records_the_undo_on_both_timelines_and_in_the_audit(
    alice_actor: Actor, merged: Merge, robert: Candidate, bob_smith: Candidate
) -> None:
    undo_merge(actor=alice_actor, merge=merged)

    assert list(
        Activity.objects.filter(type="merge", payload__undone=True)
        .order_by("id")
        .values_list("candidate_id", "summary")
    ) == [
        (robert.pk, f"alice@acme.test undid the merge of Bob Smyth (#{bob_smith.pk})"),
        (bob_smith.pk, f"alice@acme.test undid the merge into Robert Smith (#{robert.pk})"),
    ]
    event = AuditEvent.objects.filter(action="candidate.merge_undone").get()
    assert event.extra["merge_id"] == merged.pk
    assert "first_name" in event.extra["restored_fields"]
    merged.refresh_from_db()
    assert merged.undone_by_id == alice_actor.user_id


def test_refuses_after_30_days(alice_actor: Actor, merged: Merge) -> None:
    before = stored_state()

    later = merged.created_at + dt.timedelta(days=30, minutes=1)
    with time_machine.travel(later, tick=False), pytest.raises(Conflict) as error:
        undo_merge(actor=alice_actor, merge=merged)

    assert error.value.code == "undo_expired"
    assert error.value.message == (
        f"A merge can be undone for 30 days; this one was made on {merged.created_at:%Y-%m-%d}."
    )
    assert stored_state() == before


def test_allowed_on_the_30th_day(alice_actor: Actor, merged: Merge, bob_smith: Candidate) -> None:
    with time_machine.travel(merged.created_at + dt.timedelta(days=29, hours=23), tick=False):
        undo_merge(actor=alice_actor, merge=merged)

    bob_smith.refresh_from_db()
    assert bob_smith.deleted_at is None


def test_refuses_a_second_undo(alice_actor: Actor, merged: Merge) -> None:
    undo_merge(actor=alice_actor, merge=merged)
    before = stored_state()

    with pytest.raises(Conflict, match="undone already"):
        undo_merge(actor=alice_actor, merge=merged)

    assert stored_state() == before


def test_refuses_a_role_without_the_merge_capability(sam_actor: Actor, merged: Merge) -> None:
    before = stored_state()

    with pytest.raises(Forbidden):
        undo_merge(actor=sam_actor, merge=merged)

    assert stored_state() == before


def test_a_later_change_to_another_field_survives_the_undo(
    alice_actor: Actor, merged: Merge, robert: Candidate
) -> None:
    update_candidate(actor=alice_actor, candidate=robert, data={"headline": "Staff engineer"})

    undo_merge(actor=alice_actor, merge=merged)

    robert.refresh_from_db()
    assert (robert.headline, robert.first_name) == ("Staff engineer", "Robert")
