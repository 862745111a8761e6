"""The workspace scan: blocking keys, suggestions, idempotent reruns, resuming, progress."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.utils import timezone

from talentloop.candidates.models import Candidate
from talentloop.candidates.services import delete_candidate
from talentloop.core.actor import Actor
from talentloop.core.errors import Forbidden, InvalidInput
from talentloop.duplicates import matching, services
from talentloop.duplicates.models import BlockingKey, DuplicateScan, DuplicateSuggestion


@pytest.fixture
def people(candidate_factory: Callable[..., Candidate]) -> dict[str, Candidate]:
    make = candidate_factory
    return {
        "robert": make(first_name="Robert", last_name="Smith", city="Berlin"),
        "bob": make(first_name="Bob", last_name="Smith", city="Berlin"),
        "swapped": make(first_name="Zhang", last_name="Wei"),
        "wei": make(first_name="Wei", last_name="Zhang"),
        "jose": make(first_name="José", last_name="Müller", current_company="Acme"),
        "jose2": make(first_name="Jose", last_name="Mueller", current_company="ACME Inc"),
        "maria": make(first_name="Maria", last_name="Garcia"),
        "peter": make(first_name="Peter", last_name="Brown"),
    }


def _pairs() -> set[tuple[int, int]]:
    return set(DuplicateSuggestion.objects.values_list("left_id", "right_id"))


def _scan(actor: Actor, **options: Any) -> DuplicateScan:
    scan = services.start_scan(actor=actor, **options)
    return services.run_scan(scan_id=scan.pk)


def test_suggests_the_duplicates_and_nothing_else(
    alice_actor: Actor, people: dict[str, Candidate]
) -> None:
    scan = _scan(alice_actor)

    p = people
    assert _pairs() == {
        (p["robert"].pk, p["bob"].pk),
        (p["swapped"].pk, p["wei"].pk),
        (p["jose"].pk, p["jose2"].pk),
    }
    assert (scan.status, scan.percent, scan.candidates_indexed, scan.suggestions_found) == (
        "done",
        100,
        8,
        3,
    )
    suggestion = DuplicateSuggestion.objects.get(left=p["robert"])
    assert [e["how"] for e in suggestion.evidence] == ["nickname", "exact", "same"]


def test_compares_only_candidates_sharing_a_blocking_key(
    alice_actor: Actor, people: dict[str, Candidate], monkeypatch: pytest.MonkeyPatch
) -> None:
    compared: list[tuple[str, str]] = []
    real = matching.match_bits

    def counting(left: Any, right: Any, stats: Any, evidence: Any = None, **kw: Any) -> Any:
        if evidence is None:  # not the evidence of a pair already found
            compared.append((left.person.first_name, right.person.first_name))
        return real(left, right, stats, evidence, **kw)

    monkeypatch.setattr(matching, "match_bits", counting)

    _scan(alice_actor)

    assert {frozenset(pair) for pair in compared} == {
        frozenset({"Robert", "Bob"}),
        frozenset({"José", "Jose"}),
        frozenset({"Zhang", "Wei"}),
    }
    assert len(compared) == 3


def test_a_rerun_adds_nothing_and_keeps_dismissed_pairs_dismissed(
    alice_actor: Actor, people: dict[str, Candidate]
) -> None:
    _scan(alice_actor)
    pair = DuplicateSuggestion.objects.get(left=people["robert"])
    services.dismiss_suggestion(actor=alice_actor, suggestion=pair)
    before = list(DuplicateSuggestion.objects.order_by("id").values())

    _scan(alice_actor)

    assert list(DuplicateSuggestion.objects.order_by("id").values()) == before
    assert DuplicateSuggestion.objects.get(pk=pair.pk).status == "dismissed"


def test_a_higher_threshold_suggests_fewer_pairs(
    alice_actor: Actor, people: dict[str, Candidate]
) -> None:
    _scan(alice_actor, threshold=0.98)

    # The swapped name (0.97: nothing but the two names) is left out.
    assert _pairs() == {
        (people["robert"].pk, people["bob"].pk),
        (people["jose"].pk, people["jose2"].pk),
    }


def test_resumes_from_its_checkpoint_after_a_crash(
    alice_actor: Actor, people: dict[str, Candidate], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(services, "COMPARE_BATCH", 1)
    scan = services.start_scan(actor=alice_actor)
    calls = {"n": 0}

    def crash_on_third(current: DuplicateScan) -> None:
        calls["n"] += 1
        if calls["n"] == 3:
            raise KeyboardInterrupt  # the worker is killed mid-comparison

    with pytest.raises(KeyboardInterrupt):
        services.run_scan(scan_id=scan.pk, progress=crash_on_third)
    scan.refresh_from_db()
    assert (scan.status, scan.phase, scan.candidates_indexed) == ("running", "compare", 8)
    assert 0 < scan.keys_compared < scan.keys_total
    checkpoint = scan.last_key
    seen: list[tuple[str, str]] = []

    done = services.run_scan(scan_id=scan.pk, progress=lambda s: seen.append((s.phase, s.last_key)))

    assert done.status == "done"
    assert len(_pairs()) == 3
    assert all(phase == "compare" and key > checkpoint for phase, key in seen)
    assert BlockingKey.objects.filter(candidate=people["peter"]).count() == 3


def test_skips_deleted_candidates(alice_actor: Actor, people: dict[str, Candidate]) -> None:
    delete_candidate(actor=alice_actor, candidate=people["bob"])

    _scan(alice_actor)

    assert people["robert"].pk not in {left for left, _ in _pairs()}


def test_only_one_scan_runs_per_workspace(alice_actor: Actor, bob_actor: Actor) -> None:
    first = services.start_scan(actor=alice_actor)

    assert services.start_scan(actor=bob_actor) == first
    assert DuplicateScan.objects.count() == 1


def test_a_stale_running_scan_is_queued_again(
    alice_actor: Actor,
    people: dict[str, Candidate],
    django_capture_on_commit_callbacks: Any,
) -> None:
    first = services.start_scan(actor=alice_actor)
    DuplicateScan.objects.filter(pk=first.pk).update(
        status="running", heartbeat_at=first.created_at.replace(year=2000)
    )

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        again = services.start_scan(actor=alice_actor)

    assert again.pk == first.pk
    assert len(callbacks) == 1
    again.refresh_from_db()
    assert (again.status, len(_pairs())) == ("done", 3)


def test_start_enqueues_the_scan_task(
    alice_actor: Actor, people: dict[str, Candidate], django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        scan = services.start_scan(actor=alice_actor)

    scan.refresh_from_db()
    assert (scan.status, scan.suggestions_found) == ("done", 3)


def test_refuses_a_role_without_the_merge_capability(sam_actor: Actor) -> None:
    with pytest.raises(Forbidden):
        services.start_scan(actor=sam_actor)

    assert DuplicateScan.objects.count() == 0


@pytest.mark.parametrize("threshold", [0.0, 1.5, float("nan")])
def test_refuses_a_threshold_outside_0_to_1(alice_actor: Actor, threshold: float) -> None:
    with pytest.raises(InvalidInput, match="threshold"):
        services.start_scan(actor=alice_actor, threshold=threshold)

    assert DuplicateScan.objects.count() == 0


def test_a_large_block_is_compared_in_a_window(
    alice_actor: Actor,
    candidate_factory: Callable[..., Candidate],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(services, "WINDOW", 3)
    for index in range(12):
        candidate_factory(first_name="John", last_name=f"Smith{'x' * index}", city=f"C{index}")
    compared = {"n": 0}
    real = matching.match_bits

    def counting(left: Any, right: Any, stats: Any, evidence: Any = None, **kw: Any) -> Any:
        compared["n"] += evidence is None
        return real(left, right, stats, evidence, **kw)

    monkeypatch.setattr(matching, "match_bits", counting)

    _scan(alice_actor)

    # 12 people in one block: at most 3 neighbours each, not 66 pairs.
    assert 0 < compared["n"] <= 12 * 3


def test_a_rescan_rewrites_only_the_keys_of_changed_candidates(
    alice_actor: Actor, people: dict[str, Candidate]
) -> None:
    _scan(alice_actor)
    untouched = list(
        BlockingKey.objects.filter(candidate=people["maria"]).order_by("id").values("id", "key")
    )
    Candidate.objects.filter(pk=people["peter"].pk).update(
        last_name="Jones", updated_at=timezone.now()
    )

    rescan = _scan(alice_actor)

    keys = set(BlockingKey.objects.filter(candidate=people["peter"]).values_list("key", flat=True))
    assert "f:jones:p" in keys and "f:brown:p" not in keys
    assert (
        list(
            BlockingKey.objects.filter(candidate=people["maria"]).order_by("id").values("id", "key")
        )
        == untouched
    )
    assert rescan.keys_indexed


def test_after_a_failed_scan_the_whole_key_index_is_written_again(
    alice_actor: Actor, people: dict[str, Candidate]
) -> None:
    _scan(alice_actor)
    DuplicateScan.objects.create(workspace=alice_actor.workspace, threshold=0.75, status="failed")
    before = set(BlockingKey.objects.filter(candidate=people["maria"]).values_list("id", flat=True))

    _scan(alice_actor)

    after = set(BlockingKey.objects.filter(candidate=people["maria"]).values_list("id", flat=True))
    assert after and not after & before


def test_a_scan_keeps_its_statistics_for_single_checks(
    alice_actor: Actor, people: dict[str, Candidate]
) -> None:
    scan = _scan(alice_actor)

    stored = DuplicateScan.objects.get(pk=scan.pk).statistics
    assert stored["records"] == 8
    assert services.workspace_stats(alice_actor.workspace.pk).records == 8
