"""Bulk actions: selection, idempotence, roles, the audited export and background runs."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from typing import Any

import pytest

from talentloop.candidates.models import Activity, Candidate, CandidateTag
from talentloop.compliance.models import AuditEvent
from talentloop.core.actor import Actor
from talentloop.core.errors import Forbidden, InvalidInput
from talentloop.core.tests.fixtures import actor_for
from talentloop.pools import services
from talentloop.pools.models import BulkAction, Pool, PoolMembership, PoolStage


@pytest.fixture
def crowd(candidate_factory: Callable[..., Candidate]) -> list[Candidate]:
    return [
        candidate_factory(first_name=f"P{n}", emails=[f"p{n}@x.test"], city="Oslo" if n % 2 else "")
        for n in range(6)
    ]


def start(actor: Actor, kind: str, **kwargs: Any) -> BulkAction:
    return services.start_bulk_action(actor=actor, kind=kind, **kwargs)


def test_add_to_pool_is_idempotent(alice_actor: Actor, pool: Pool, crowd: list[Candidate]) -> None:
    ids = [c.pk for c in crowd]
    services.add_to_pool(actor=alice_actor, pool=pool, candidate=crowd[0])

    first = start(alice_actor, "add_to_pool", candidate_ids=ids, pool=pool)
    second = start(alice_actor, "add_to_pool", candidate_ids=ids, pool=pool)

    assert (first.status, first.total, first.processed, first.changed) == ("done", 6, 6, 5)
    assert (second.status, second.changed) == ("done", 0)
    assert PoolMembership.objects.filter(pool=pool).count() == 6
    assert Activity.objects.filter(type="pool_added").count() == 6


def test_drops_ids_the_actor_cannot_see(
    alice_actor: Actor, pool: Pool, crowd: list[Candidate], charlie_candidate: Candidate
) -> None:
    action = start(
        alice_actor, "add_to_pool", candidate_ids=[crowd[0].pk, charlie_candidate.pk], pool=pool
    )

    assert (action.total, action.changed, action.selection) == (1, 1, {"ids": 2})
    assert list(PoolMembership.objects.values_list("candidate_id", flat=True)) == [crowd[0].pk]


def test_move_stage_skips_non_members(
    alice_actor: Actor, pool: Pool, crowd: list[Candidate], stages: dict[str, PoolStage]
) -> None:
    for person in crowd[:3]:
        services.add_to_pool(actor=alice_actor, pool=pool, candidate=person)
    ids = [c.pk for c in crowd]

    first = start(alice_actor, "move_stage", candidate_ids=ids, pool=pool, stage=stages["engaged"])
    second = start(alice_actor, "move_stage", candidate_ids=ids, pool=pool, stage=stages["engaged"])

    assert (first.changed, second.changed) == (3, 0)
    assert set(PoolMembership.objects.values_list("stage__name", flat=True)) == {"Engaged"}
    assert Activity.objects.filter(type="pool_stage_changed").count() == 3


def test_tag_is_idempotent_and_audited(alice_actor: Actor, crowd: list[Candidate]) -> None:
    ids = [c.pk for c in crowd[:4]]

    first = start(alice_actor, "tag", candidate_ids=ids, tag=" Met at  PyCon ")
    second = start(alice_actor, "tag", candidate_ids=ids, tag="met at pycon")

    assert (first.changed, second.changed) == (4, 0)
    assert CandidateTag.objects.filter(tag__name="Met at PyCon").count() == 4
    audits = AuditEvent.objects.filter(action="candidate.updated", extra__tag_added="Met at PyCon")
    assert sorted(a.target_id or 0 for a in audits) == ids
    assert Activity.objects.filter(type="updated", summary="Tagged Met at PyCon").count() == 4


def test_export_writes_csv_and_an_audit_row_per_person(
    alice_actor: Actor, crowd: list[Candidate]
) -> None:
    ids = [c.pk for c in crowd[:2]]
    crowd[0].current_title = "=HYPERLINK('x')"
    crowd[0].save()

    action = start(alice_actor, "export", candidate_ids=ids)

    rows = list(csv.DictReader(io.StringIO(action.export_csv)))
    assert [(r["id"], r["first_name"], r["email"]) for r in rows] == [
        (str(ids[0]), "P0", "p0@x.test"),
        (str(ids[1]), "P1", "p1@x.test"),
    ]
    assert rows[0]["current_title"] == "'=HYPERLINK('x')"  # not a formula in a spreadsheet
    audits = AuditEvent.objects.filter(action="candidate.exported")
    assert sorted(a.target_id or 0 for a in audits) == ids
    assert {a.extra["bulk_action_id"] for a in audits} == {action.pk}
    assert {a.actor_label for a in audits} == {"alice@acme.test"}


def test_selects_all_of_a_segment(alice_actor: Actor, pool: Pool, crowd: list[Candidate]) -> None:
    segment = services.create_segment(
        actor=alice_actor,
        data={"name": "Oslo", "rules": {"all": [{"field": "city", "op": "eq", "value": "Oslo"}]}},
    )

    action = start(alice_actor, "add_to_pool", segment=segment, pool=pool)

    assert action.total == 3
    assert action.selection == {"segment_id": segment.pk, "segment": "Oslo"}
    assert sorted(PoolMembership.objects.values_list("candidate_id", flat=True)) == [
        c.pk for c in crowd if c.city == "Oslo"
    ]


def test_large_selections_run_in_the_background(
    alice_actor: Actor,
    pool: Pool,
    crowd: list[Candidate],
    monkeypatch: pytest.MonkeyPatch,
    django_capture_on_commit_callbacks: Any,
) -> None:
    monkeypatch.setattr(services, "INLINE_LIMIT", 2)
    monkeypatch.setattr(services, "BATCH_SIZE", 4)

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        action = start(alice_actor, "add_to_pool", candidate_ids=[c.pk for c in crowd], pool=pool)
    assert (action.status, action.processed) == ("queued", 0)
    assert PoolMembership.objects.exists() is False

    for callback in callbacks:
        callback()  # the immediate task backend runs the task here
    action.refresh_from_db()
    assert (action.status, action.processed, action.changed) == ("done", 6, 6)
    assert action.percent == 100


def test_a_rerun_continues_from_the_checkpoint(
    alice_actor: Actor, crowd: list[Candidate], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(services, "BATCH_SIZE", 4)
    action = BulkAction.objects.create(
        workspace=alice_actor.workspace,
        created_by=alice_actor.user,
        kind="export",
        candidate_ids=[c.pk for c in crowd],
        total=6,
        processed=4,  # a worker died after the first batch, which wrote nothing here
        status="running",
    )

    services.run_bulk_action(action=action, actor=alice_actor)
    services.run_bulk_action(action=action, actor=alice_actor)

    action.refresh_from_db()
    assert (action.status, action.processed, action.changed) == ("done", 6, 2)
    assert AuditEvent.objects.filter(action="candidate.exported").count() == 2


def test_fails_cleanly_when_the_pool_is_gone(
    alice_actor: Actor, pool: Pool, crowd: list[Candidate]
) -> None:
    action = BulkAction.objects.create(
        workspace=alice_actor.workspace,
        created_by=alice_actor.user,
        kind="add_to_pool",
        params={"pool_id": pool.pk},
        candidate_ids=[crowd[0].pk],
        total=1,
    )
    pool.delete()

    services.run_bulk_action(action=action, actor=alice_actor)

    action.refresh_from_db()
    assert (action.status, action.error) == ("failed", "The pool or stage was deleted.")


def test_refuses_roles_without_edit_rights(
    member_factory: Any, acme: Any, pool: Pool, crowd: list[Candidate]
) -> None:
    auditor = actor_for(member_factory("audrey@acme.test", acme, "auditor"))

    with pytest.raises(Forbidden):
        start(auditor, "export", candidate_ids=[crowd[0].pk])

    assert BulkAction.objects.exists() is False
    assert AuditEvent.objects.filter(action="candidate.exported").exists() is False


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"kind": "delete", "candidate_ids": [1]}, "kind"),
        ({"kind": "export"}, "ids"),
        ({"kind": "export", "candidate_ids": []}, "ids"),
        ({"kind": "export", "candidate_ids": ["1"]}, "ids[0]"),
        ({"kind": "export", "candidate_ids": [True]}, "ids[0]"),
        ({"kind": "export", "candidate_ids": list(range(1, 10_002))}, "ids"),
        ({"kind": "add_to_pool", "candidate_ids": [1]}, "pool_id"),
        ({"kind": "tag", "candidate_ids": [1], "tag": ""}, "tags[0]"),
    ],
)
def test_refuses_bad_input(alice_actor: Actor, kwargs: dict[str, Any], field: str) -> None:
    with pytest.raises(InvalidInput) as info:
        services.start_bulk_action(actor=alice_actor, **kwargs)

    assert info.value.field == field
    assert BulkAction.objects.exists() is False


def test_move_stage_needs_a_stage(alice_actor: Actor, pool: Pool) -> None:
    with pytest.raises(InvalidInput) as info:
        start(alice_actor, "move_stage", candidate_ids=[1], pool=pool)

    assert info.value.field == "stage_id"
    assert BulkAction.objects.exists() is False


def test_finds_actions_whose_worker_stopped(
    alice_actor: Actor, crowd: list[Candidate], time_machine: Any
) -> None:
    from talentloop.pools.tasks import resume_stalled_bulk_actions_task

    def make(**fields: Any) -> BulkAction:
        return BulkAction.objects.create(
            workspace=alice_actor.workspace,
            created_by=alice_actor.user,
            kind="tag",
            params={"tag": "again"},
            candidate_ids=[c.pk for c in crowd],
            total=len(crowd),
            **fields,
        )

    time_machine.move_to("2026-06-01T12:00:00Z", tick=False)
    stalled = make(status="running", processed=2, heartbeat_at="2026-06-01T11:50:00Z")
    lost = make(status="queued")
    make(status="running", heartbeat_at="2026-06-01T12:04:30Z")  # alive
    make(status="done", heartbeat_at="2026-06-01T11:00:00Z")
    time_machine.move_to("2026-06-01T12:05:00Z", tick=False)

    assert sorted(a.pk for a in services.resumable_bulk_actions()) == sorted([stalled.pk, lost.pk])
    resume_stalled_bulk_actions_task.enqueue()  # the immediate backend runs them here
    stalled.refresh_from_db()
    lost.refresh_from_db()
    assert (stalled.status, stalled.processed, stalled.changed) == ("done", 6, 4)
    assert (lost.status, lost.processed) == ("done", 6)


def test_fails_cleanly_when_the_starter_lost_the_right(
    alice_actor: Actor, bob: Any, crowd: list[Candidate]
) -> None:
    from talentloop.accounts.models import Membership

    action = BulkAction.objects.create(
        workspace=alice_actor.workspace,
        created_by=bob,
        kind="tag",
        params={"tag": "late"},
        candidate_ids=[crowd[0].pk],
        total=1,
    )
    Membership.objects.filter(user=bob).update(role="coordinator")

    services.run_bulk_action(action=action, actor=services.bulk_actor(action))

    action.refresh_from_db()
    assert (action.status, action.processed) == ("failed", 0)
    assert action.error == "The role of the person who started this no longer allows it."
    assert CandidateTag.objects.filter(tag__name="late").exists() is False


def _queries_to_add(actor: Actor, pool: Pool, ids: list[int]) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        start(actor, "add_to_pool", candidate_ids=ids, pool=pool)
    return len(queries)


def test_bulk_add_writes_the_timeline_in_one_insert_per_batch(
    alice_actor: Actor,
    pool_factory: Callable[..., Pool],
    candidate_factory: Callable[..., Candidate],
) -> None:
    """The query count does not grow with the number of people added (it did: one INSERT
    per timeline entry), and each entry is what record_activity writes."""
    people = [candidate_factory(first_name=f"Q{n}") for n in range(30)]
    services.ensure_default_stages(alice_actor.workspace)  # the first use creates them
    few = _queries_to_add(alice_actor, pool_factory(name="Few"), [p.pk for p in people[:3]])
    many = _queries_to_add(alice_actor, pool_factory(name="Many"), [p.pk for p in people])
    assert many == few

    entries = Activity.objects.filter(type="pool_added", payload__pool="Many")
    assert entries.count() == 30
    entry = entries.get(candidate=people[7])
    stage = PoolStage.objects.get(workspace=alice_actor.workspace, name="New")
    pool = Pool.objects.get(name="Many")
    assert (entry.summary, entry.channel, entry.actor_id, entry.private_to_id) == (
        "Added to pool Many at New",
        "internal",
        alice_actor.user_id,
        None,
    )
    assert entry.payload == {
        "pool_id": pool.pk,
        "pool": "Many",
        "stage_id": stage.pk,
        "stage": "New",
    }
    assert entry.workspace_id == alice_actor.workspace.pk
    assert len(set(entries.values_list("occurred_at", flat=True))) == 1


def test_bulk_add_to_a_private_pool_keeps_the_entries_private(
    bob_actor: Actor, pool_factory: Callable[..., Pool], crowd: list[Candidate]
) -> None:
    private = pool_factory(actor=bob_actor, name="Bob's shortlist", visibility="private")
    action = start(bob_actor, "add_to_pool", candidate_ids=[c.pk for c in crowd], pool=private)
    again = start(bob_actor, "add_to_pool", candidate_ids=[c.pk for c in crowd], pool=private)

    assert (action.changed, again.changed) == (6, 0)
    entries = Activity.objects.filter(type="pool_added")
    assert entries.count() == 6  # the second run wrote nothing
    assert set(entries.values_list("private_to_id", flat=True)) == {bob_actor.user_id}


def test_bulk_move_and_tag_write_one_entry_each(
    alice_actor: Actor, pool: Pool, crowd: list[Candidate], stages: dict[str, PoolStage]
) -> None:
    ids = [c.pk for c in crowd]
    start(alice_actor, "add_to_pool", candidate_ids=ids, pool=pool, stage=stages["contacted"])
    start(alice_actor, "move_stage", candidate_ids=ids, pool=pool, stage=stages["engaged"])
    moved = Activity.objects.get(type="pool_stage_changed", candidate=crowd[2])
    assert moved.summary == "Backend engineers: Contacted → Engaged"
    assert moved.payload["from_stage"] == "Contacted" and moved.payload["stage"] == "Engaged"
    start(alice_actor, "tag", candidate_ids=ids, tag="Go")
    tagged = Activity.objects.filter(type="updated", summary="Tagged Go")
    assert tagged.count() == 6
    assert [e.payload["fields"] for e in tagged] == [["tags"]] * 6
