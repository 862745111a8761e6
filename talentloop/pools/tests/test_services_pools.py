"""Pools, stages and memberships through the services."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from talentloop.candidates.models import Activity, Candidate
from talentloop.core.actor import Actor
from talentloop.core.errors import Conflict, Forbidden, InvalidInput, NotFound
from talentloop.core.tests.fixtures import actor_for
from talentloop.pools import selectors, services
from talentloop.pools.models import Pool, PoolMembership, PoolStage


def test_default_stages_are_made_once(alice_actor: Actor) -> None:
    first = services.ensure_default_stages(alice_actor.workspace)
    again = services.ensure_default_stages(alice_actor.workspace)

    assert [s.name for s in first] == ["New", "Contacted", "Engaged", "Interested", "Applied"]
    assert [s.pk for s in again] == [s.pk for s in first]
    assert PoolStage.objects.count() == 5


def test_stages_are_per_workspace(alice_actor: Actor, charlie_actor: Actor) -> None:
    services.create_stage(actor=alice_actor, name="Hired")

    assert [s.name for s in selectors.workspace_stages(charlie_actor)][-1] == "Applied"
    assert [s.name for s in selectors.workspace_stages(alice_actor)][-1] == "Hired"


def test_admin_configures_stages(alice_actor: Actor, stages: dict[str, PoolStage]) -> None:
    stage = services.create_stage(actor=alice_actor, name="Screened", position=2)
    services.rename_stage(actor=alice_actor, stage=stages["applied"], name="Applied to a job")
    names = [s.name for s in selectors.workspace_stages(alice_actor)]
    assert names == ["New", "Contacted", "Screened", "Engaged", "Interested", "Applied to a job"]

    order = [s.pk for s in reversed(selectors.workspace_stages(alice_actor))]
    services.reorder_stages(actor=alice_actor, stage_ids=order)
    assert [s.pk for s in selectors.workspace_stages(alice_actor)] == order

    services.delete_stage(actor=alice_actor, stage=stage)
    assert "Screened" not in [s.name for s in selectors.workspace_stages(alice_actor)]


def test_refuses_bad_stage_changes(
    alice_actor: Actor, bob_actor: Actor, stages: dict[str, PoolStage]
) -> None:
    with pytest.raises(Forbidden):
        services.create_stage(actor=bob_actor, name="Hired")
    with pytest.raises(Conflict, match="exists already"):
        services.create_stage(actor=alice_actor, name="engaged")
    with pytest.raises(InvalidInput) as info:
        services.create_stage(actor=alice_actor, name="  ")
    assert info.value.field == "name"
    with pytest.raises(InvalidInput, match="every stage"):
        services.reorder_stages(actor=alice_actor, stage_ids=[stages["new"].pk])

    assert PoolStage.objects.count() == 5


def test_a_stage_in_use_cannot_be_deleted(
    alice_actor: Actor, pool: Pool, candidate: Candidate, stages: dict[str, PoolStage]
) -> None:
    services.add_to_pool(actor=alice_actor, pool=pool, candidate=candidate)

    with pytest.raises(Conflict, match="move them first"):
        services.delete_stage(actor=alice_actor, stage=stages["new"])

    assert PoolStage.objects.filter(pk=stages["new"].pk).exists()


def test_creates_a_pool_owned_by_the_actor(bob_actor: Actor, bob: Any) -> None:
    pool = services.create_pool(
        actor=bob_actor, data={"name": "  Data   people ", "visibility": "private"}
    )

    assert (pool.name, pool.owner, pool.visibility, pool.kind) == (
        "Data people",
        bob,
        "private",
        "standard",
    )


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"name": ""}, "name"),
        ({"name": "x" * 121}, "name"),
        ({"name": "ok", "visibility": "public"}, "visibility"),
        ({"name": "ok", "kind": "party"}, "kind"),
        ({"description": "no name"}, "name"),
    ],
)
def test_refuses_bad_pools(alice_actor: Actor, data: dict[str, Any], field: str) -> None:
    with pytest.raises(InvalidInput) as info:
        services.create_pool(actor=alice_actor, data=data)

    assert info.value.field == field
    assert Pool.objects.exists() is False


def test_private_pools_are_seen_by_their_owner_only(
    alice_actor: Actor, bob_actor: Actor, charlie_actor: Actor, pool_factory: Callable[..., Pool]
) -> None:
    private = pool_factory(actor=bob_actor, name="Bob's", visibility="private")
    team = pool_factory(name="Team")

    assert selectors.access_pool(bob_actor, private.pk) == private
    assert selectors.access_pool(bob_actor, team.pk) == team
    for actor, pool_id in ((alice_actor, private.pk), (charlie_actor, team.pk)):
        with pytest.raises(NotFound):
            selectors.access_pool(actor, pool_id)
    assert [p.name for p in selectors.pool_list(alice_actor)] == ["Team"]


def test_only_owner_or_admin_changes_a_pool(
    alice_actor: Actor, bob_actor: Actor, pool: Pool, pool_factory: Callable[..., Pool]
) -> None:
    with pytest.raises(Forbidden):
        services.update_pool(actor=bob_actor, pool=pool, data={"name": "Mine now"})
    with pytest.raises(Forbidden):
        services.delete_pool(actor=bob_actor, pool=pool)
    bobs = pool_factory(actor=bob_actor, name="Bob's")
    services.update_pool(actor=alice_actor, pool=bobs, data={"name": "Renamed by admin"})

    pool.refresh_from_db()
    assert pool.name == "Backend engineers"
    assert Pool.objects.get(pk=bobs.pk).name == "Renamed by admin"


def test_hiring_manager_cannot_create_pools(member_factory: Any, acme: Any) -> None:
    harry = actor_for(member_factory("harry@acme.test", acme, "hiring_manager"))

    with pytest.raises(Forbidden):
        services.create_pool(actor=harry, data={"name": "Mine"})


def test_adding_twice_writes_one_membership_and_one_timeline_entry(
    alice_actor: Actor, pool: Pool, candidate: Candidate
) -> None:
    first, created = services.add_to_pool(actor=alice_actor, pool=pool, candidate=candidate)
    again, created_again = services.add_to_pool(actor=alice_actor, pool=pool, candidate=candidate)

    assert (created, created_again) == (True, False)
    assert first.pk == again.pk
    assert first.stage.name == "New"
    entries = Activity.objects.filter(candidate=candidate, type="pool_added")
    assert [(e.summary, e.payload["pool_id"]) for e in entries] == [
        ("Added to pool Backend engineers at New", pool.pk)
    ]
    assert entries[0].actor == alice_actor.user


def test_stage_moves_write_timeline_rows(
    alice_actor: Actor, pool: Pool, candidate: Candidate, stages: dict[str, PoolStage]
) -> None:
    membership, _ = services.add_to_pool(actor=alice_actor, pool=pool, candidate=candidate)

    services.move_stage(actor=alice_actor, membership=membership, stage=stages["contacted"])
    services.move_stage(actor=alice_actor, membership=membership, stage=stages["contacted"])
    services.move_stage(actor=alice_actor, membership=membership, stage=stages["engaged"])

    membership.refresh_from_db()
    assert membership.stage == stages["engaged"]
    moves = Activity.objects.filter(candidate=candidate, type="pool_stage_changed").order_by("id")
    assert [m.summary for m in moves] == [
        "Backend engineers: New → Contacted",
        "Backend engineers: Contacted → Engaged",
    ]
    assert moves[1].payload["from_stage"] == "Contacted"
    assert moves[1].payload["stage_id"] == stages["engaged"].pk


def test_another_workspace_stage_is_refused(
    alice_actor: Actor, charlie_actor: Actor, pool: Pool, candidate: Candidate
) -> None:
    membership, _ = services.add_to_pool(actor=alice_actor, pool=pool, candidate=candidate)
    foreign = services.ensure_default_stages(charlie_actor.workspace)[2]

    with pytest.raises(InvalidInput):
        services.move_stage(actor=alice_actor, membership=membership, stage=foreign)

    membership.refresh_from_db()
    assert membership.stage.name == "New"


def test_stage_counts_and_members(
    alice_actor: Actor,
    pool: Pool,
    candidate_factory: Callable[..., Candidate],
    stages: dict[str, PoolStage],
    django_assert_num_queries: Any,
) -> None:
    people = [candidate_factory(emails=[f"p{n}@x.test"]) for n in range(3)]
    for person in people:
        services.add_to_pool(actor=alice_actor, pool=pool, candidate=person)
    membership = selectors.access_membership(alice_actor, pool, people[0].pk)
    services.move_stage(actor=alice_actor, membership=membership, stage=stages["engaged"])

    with django_assert_num_queries(2):
        counts = selectors.stage_counts(alice_actor, pool)
    assert [(c["name"], c["count"]) for c in counts] == [
        ("New", 2),
        ("Contacted", 0),
        ("Engaged", 1),
        ("Interested", 0),
        ("Applied", 0),
    ]
    members = selectors.pool_members(alice_actor, pool, stage_id=stages["engaged"].pk)
    assert [(m["id"], m["stage"], m["emails"][0]["email"]) for m in members] == [
        (people[0].pk, "Engaged", "p0@x.test")
    ]


def test_removing_a_member(alice_actor: Actor, pool: Pool, candidate: Candidate) -> None:
    membership, _ = services.add_to_pool(actor=alice_actor, pool=pool, candidate=candidate)

    services.remove_from_pool(actor=alice_actor, membership=membership)
    services.remove_from_pool(actor=alice_actor, membership=membership)

    assert PoolMembership.objects.exists() is False
    assert Candidate.objects.filter(pk=candidate.pk).exists()


def test_candidate_pools_lists_only_visible_pools(
    alice_actor: Actor,
    bob_actor: Actor,
    candidate: Candidate,
    pool: Pool,
    pool_factory: Callable[..., Pool],
) -> None:
    private = pool_factory(actor=bob_actor, name="Bob's", visibility="private")
    services.add_to_pool(actor=alice_actor, pool=pool, candidate=candidate)
    services.add_to_pool(actor=bob_actor, pool=private, candidate=candidate)

    assert [m.pool.name for m in selectors.candidate_pools(alice_actor, candidate)] == [
        "Backend engineers"
    ]
    assert [m.pool.name for m in selectors.candidate_pools(bob_actor, candidate)] == [
        "Backend engineers",
        "Bob's",
    ]
