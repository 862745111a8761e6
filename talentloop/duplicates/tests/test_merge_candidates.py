"""merge_candidates: every row of the merged-away candidate moves; values picked per field."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from talentloop.candidates.models import (
    Activity,
    Candidate,
    CandidateEmail,
    CandidatePhone,
    CandidateTag,
    Note,
)
from talentloop.candidates.services import add_note, define_custom_field, update_candidate
from talentloop.compliance.models import AuditEvent, ConsentRecord
from talentloop.compliance.services import record_consent
from talentloop.core.actor import Actor
from talentloop.core.errors import Forbidden, InvalidInput, NotFound
from talentloop.core.tests.api_helpers import stored_state
from talentloop.duplicates.models import DuplicateSuggestion, Merge
from talentloop.duplicates.services import candidate_relations, merge_candidates


def _consent(actor: Actor, candidate: Candidate) -> ConsentRecord:
    return record_consent(
        actor=actor,
        candidate=candidate,
        channel="email",
        purpose="recruiting",
        status="granted",
        source="verbal",
    )


def test_every_table_pointing_at_candidates_is_covered() -> None:
    labels = {r.related_model._meta.label_lower for r in candidate_relations()}

    assert {
        "candidates.candidateemail",
        "candidates.candidatephone",
        "candidates.candidatelink",
        "candidates.candidatetag",
        "candidates.activity",
        "candidates.note",
        "compliance.consentrecord",
    } <= labels
    assert not {label for label in labels if label.startswith("duplicates.")}


def test_moves_every_related_row_to_the_survivor(
    alice_actor: Actor, robert: Candidate, bob_smith: Candidate
) -> None:
    update_candidate(
        actor=alice_actor,
        candidate=bob_smith,
        data={
            "phones": [{"number": "+1 415 555 0100"}, {"number": "+1 415 555 0199"}],
            "links": [{"url": "https://github.com/bobsmyth"}],
            "tags": ["go", "python"],
        },
    )
    note = add_note(actor=alice_actor, candidate=bob_smith, body="Met at GopherCon")
    consent = _consent(alice_actor, bob_smith)
    their_activities = set(
        Activity.objects.filter(candidate=bob_smith).values_list("pk", flat=True)
    )

    merge = merge_candidates(actor=alice_actor, survivor=robert, other=bob_smith)

    assert list(robert.emails.values_list("email", "is_primary")) == [
        ("robert.smith@acme-mail.test", True),
        ("bob@smith.test", False),
    ]
    # The phone both had stays on the merged-away record; the new one moves.
    assert sorted(robert.phones.values_list("number", flat=True)) == [
        "+14155550100",
        "+14155550199",
    ]
    assert list(robert.links.values_list("url", flat=True)) == ["https://github.com/bobsmyth"]
    assert sorted(robert.tags.values_list("name", flat=True)) == ["go", "python"]
    assert Note.objects.get(pk=note.pk).candidate_id == robert.pk
    assert ConsentRecord.objects.get(pk=consent.pk).candidate_id == robert.pk
    assert their_activities <= set(
        Activity.objects.filter(candidate=robert).values_list("pk", flat=True)
    )
    assert Activity.objects.filter(candidate=bob_smith).count() == 0
    bob_smith.refresh_from_db()
    assert bob_smith.deleted_at is not None
    assert sorted(merge.moved) == [
        "candidates.activity",
        "candidates.candidateemail",
        "candidates.candidatelink",
        "candidates.candidatephone",
        "candidates.candidatetag",
        "candidates.note",
        "compliance.consentrecord",
    ]
    assert merge.moved["candidates.candidatephone"]["ids"] == list(
        CandidatePhone.objects.filter(number="+14155550199").values_list("pk", flat=True)
    )
    assert len(merge.moved["candidates.candidatetag"]["ids"]) == 1  # "go"; "python" was shared
    assert CandidateTag.objects.filter(candidate=bob_smith).count() == 1


def test_fields_default_to_the_most_recently_changed_non_empty_value(
    alice_actor: Actor, robert: Candidate, bob_smith: Candidate
) -> None:
    update_candidate(actor=alice_actor, candidate=robert, data={"region": "BE"})

    merge_candidates(actor=alice_actor, survivor=bob_smith, other=robert)

    bob_smith.refresh_from_db()
    # robert changed last: his values win where he has one; bob's stay where robert has none.
    assert (bob_smith.first_name, bob_smith.last_name, bob_smith.region) == (
        "Robert",
        "Smith",
        "BE",
    )
    assert (bob_smith.current_company, bob_smith.country) == ("Initech GmbH", "DE")
    assert "robert" in bob_smith.search_text


def test_choices_pick_the_surviving_value_per_field(
    alice_actor: Actor, robert: Candidate, bob_smith: Candidate
) -> None:
    merge = merge_candidates(
        actor=alice_actor,
        survivor=robert,
        other=bob_smith,
        choices={"first_name": robert.pk, "current_title": bob_smith.pk, "last_name": robert.pk},
    )

    robert.refresh_from_db()
    assert (robert.first_name, robert.last_name, robert.current_title) == (
        "Robert",
        "Smith",
        "Senior Backend Engineer",
    )
    assert merge.choices["first_name"] == robert.pk
    assert merge.choices["current_title"] == bob_smith.pk


def test_custom_fields_are_merged_key_by_key(
    alice_actor: Actor, candidate_factory: Callable[..., Candidate]
) -> None:
    for key in ("level", "team"):
        define_custom_field(actor=alice_actor, key=key, label=key, field_type="text")
    old = candidate_factory(custom_fields={"level": "L4", "team": "core"})
    new = candidate_factory(custom_fields={"level": "L5"})

    merge_candidates(actor=alice_actor, survivor=old, other=new)

    old.refresh_from_db()
    assert old.custom_fields == {"level": "L5", "team": "core"}


def test_a_do_not_contact_flag_on_either_side_is_kept(
    alice_actor: Actor, robert: Candidate, bob_smith: Candidate
) -> None:
    update_candidate(actor=alice_actor, candidate=bob_smith, data={"is_do_not_contact": True})

    merge_candidates(actor=alice_actor, survivor=robert, other=bob_smith)

    robert.refresh_from_db()
    assert robert.is_do_not_contact is True


def test_records_the_merge_on_the_timeline_and_in_the_audit(
    alice_actor: Actor, suggestion: DuplicateSuggestion, robert: Candidate, bob_smith: Candidate
) -> None:
    merge = merge_candidates(actor=alice_actor, survivor=robert, other=bob_smith)

    entry = Activity.objects.filter(candidate=robert, type="merge").get()
    assert entry.summary == (
        f"alice@acme.test merged Bob Smyth (#{bob_smith.pk}) into this profile"
    )
    assert entry.payload["merge_id"] == merge.pk
    event = AuditEvent.objects.filter(action="candidate.merged").get()
    assert (event.target_id, event.actor_label) == (robert.pk, "alice@acme.test")
    assert event.extra["other_id"] == bob_smith.pk
    assert event.changes["first_name"] == ["Robert", "Bob"]
    suggestion.refresh_from_db()
    assert (suggestion.status, suggestion.decided_by_id) == ("merged", alice_actor.user_id)
    assert merge.suggestion_id == suggestion.pk


def test_a_recruiter_may_merge(bob_actor: Actor, robert: Candidate, bob_smith: Candidate) -> None:
    merge = merge_candidates(actor=bob_actor, survivor=robert, other=bob_smith)

    assert merge.created_by_id == bob_actor.user_id


def test_refuses_a_role_without_the_merge_capability(
    sam_actor: Actor, robert: Candidate, bob_smith: Candidate
) -> None:
    before = stored_state()

    with pytest.raises(Forbidden):
        merge_candidates(actor=sam_actor, survivor=robert, other=bob_smith)

    assert stored_state() == before


def test_another_workspaces_candidate_is_not_found(
    alice_actor: Actor, charlie_actor: Actor, robert: Candidate, charlie_candidate: Candidate
) -> None:
    before = stored_state()

    with pytest.raises(NotFound):
        merge_candidates(actor=alice_actor, survivor=robert, other=charlie_candidate)
    with pytest.raises(NotFound):
        merge_candidates(actor=charlie_actor, survivor=charlie_candidate, other=robert)

    assert stored_state() == before


@pytest.mark.parametrize(
    ("choices", "field", "message"),
    [
        ({"salary": 1}, "choices.salary", "'salary' is not a field these candidates can merge."),
        ({"city": 0}, "choices.city", "Choose {s} or {o}, the ids of the two candidates."),
        ({"city": True}, "choices.city", "Choose {s} or {o}, the ids of the two candidates."),
    ],
)
def test_refuses_bad_choices(
    alice_actor: Actor,
    robert: Candidate,
    bob_smith: Candidate,
    choices: dict[str, object],
    field: str,
    message: str,
) -> None:
    before = stored_state()

    with pytest.raises(InvalidInput) as error:
        merge_candidates(actor=alice_actor, survivor=robert, other=bob_smith, choices=choices)

    assert (error.value.field, error.value.message) == (
        field,
        message.format(s=robert.pk, o=bob_smith.pk),
    )
    assert stored_state() == before


def test_refuses_merging_a_candidate_with_itself(alice_actor: Actor, robert: Candidate) -> None:
    with pytest.raises(InvalidInput, match="cannot be merged with itself"):
        merge_candidates(actor=alice_actor, survivor=robert, other=robert)

    assert Merge.objects.count() == 0


def test_a_merged_away_candidate_cannot_be_merged_again(
    alice_actor: Actor, robert: Candidate, bob_smith: Candidate
) -> None:
    merge_candidates(actor=alice_actor, survivor=robert, other=bob_smith)

    with pytest.raises(NotFound):
        merge_candidates(actor=alice_actor, survivor=robert, other=bob_smith)

    assert Merge.objects.count() == 1
    assert CandidateEmail.objects.filter(candidate=bob_smith).count() == 0
