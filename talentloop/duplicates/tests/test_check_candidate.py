"""The per-candidate check that runs after each create."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from talentloop.candidates.models import Candidate
from talentloop.core.actor import Actor
from talentloop.duplicates.models import BlockingKey, DuplicateSuggestion
from talentloop.duplicates.services import check_candidate, dismiss_suggestion


def test_creating_a_candidate_suggests_its_duplicate(
    candidate_factory: Callable[..., Candidate], django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        liz = candidate_factory(first_name="Elizabeth", last_name="Taylor", city="London")
    with django_capture_on_commit_callbacks(execute=True):
        beth = candidate_factory(first_name="Liz", last_name="Taylor", city="London")
    with django_capture_on_commit_callbacks(execute=True):
        candidate_factory(first_name="Richard", last_name="Burton", city="London")

    suggestion = DuplicateSuggestion.objects.get()
    assert (suggestion.left_id, suggestion.right_id, suggestion.status) == (liz.pk, beth.pk, "open")
    assert suggestion.score >= 0.75


def test_a_dismissed_pair_is_not_suggested_again(
    alice_actor: Actor, suggestion: DuplicateSuggestion, bob_smith: Candidate
) -> None:
    dismiss_suggestion(actor=alice_actor, suggestion=suggestion)

    check_candidate(candidate_id=bob_smith.pk)

    assert list(DuplicateSuggestion.objects.values_list("status", flat=True)) == ["dismissed"]


def test_changed_names_replace_the_candidates_keys(alice_actor: Actor, robert: Candidate) -> None:
    check_candidate(candidate_id=robert.pk)
    Candidate.objects.filter(pk=robert.pk).update(last_name="Jones")

    check_candidate(candidate_id=robert.pk)

    keys = set(BlockingKey.objects.filter(candidate=robert).values_list("key", flat=True))
    assert "f:jones:r" in keys
    assert "f:smith:r" not in keys


def test_a_missing_candidate_is_skipped(db: Any) -> None:
    assert check_candidate(candidate_id=987_654_321) == 0
