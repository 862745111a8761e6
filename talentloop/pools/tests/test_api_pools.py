"""/api/v1/pools, members, check-ins, attendees and /api/v1/pool-stages."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import Any

import pytest
from django.test import Client

from talentloop.accounts.models import User
from talentloop.candidates.models import Activity, Candidate
from talentloop.core.actor import Actor
from talentloop.core.tests.api_helpers import (
    API,
    MISSING_ID,
    assert_like_missing,
    assert_refused,
    bearer,
    call,
    error,
    invalid,
)
from talentloop.pools import services
from talentloop.pools.models import Pool, PoolMembership, PoolStage

NO_SUCH_POOL = error("not_found", "No such pool.")


def test_creates_and_reads_a_pool(alice_client: Client, alice: User) -> None:
    response = call(
        alice_client, "post", "/pools", {"name": "Backend", "description": "Go and Rust"}
    )

    assert response.status_code == 201
    pool = Pool.objects.get()
    body = response.json()
    assert (body["id"], body["name"], body["owner_id"], body["visibility"]) == (
        pool.pk,
        "Backend",
        alice.pk,
        "team",
    )
    assert [(s["name"], s["count"]) for s in body["stages"]] == [
        ("New", 0),
        ("Contacted", 0),
        ("Engaged", 0),
        ("Interested", 0),
        ("Applied", 0),
    ]
    assert alice_client.get(f"{API}/pools/{pool.pk}").json()["name"] == "Backend"


def test_lists_pools_with_member_counts(
    bob_client: Client, alice_actor: Actor, pool: Pool, candidate: Candidate, pool_factory: Any
) -> None:
    services.add_to_pool(actor=alice_actor, pool=pool, candidate=candidate)
    pool_factory(name="Alice's secret", visibility="private")
    event = pool_factory(name="Meetup", kind="event")

    body = bob_client.get(f"{API}/pools").json()
    events = bob_client.get(f"{API}/pools?kind=event").json()

    assert [(p["name"], p["member_count"]) for p in body] == [
        ("Backend engineers", 1),
        ("Meetup", 0),
    ]
    assert [p["id"] for p in events] == [event.pk]


def test_bad_pool_input_names_the_field(alice_client: Client) -> None:
    assert_refused(
        alice_client,
        "post",
        "/pools",
        {"name": "X", "visibility": "public"},
        status=422,
        body=error("invalid", "Visibility is private or team.", "visibility"),
    )
    assert_refused(
        alice_client,
        "post",
        "/pools",
        {"name": "X", "colour": "red"},
        status=422,
        body=invalid("Extra inputs are not permitted", "colour"),
    )
    assert_refused(
        alice_client,
        "get",
        "/pools?kind=party",
        status=422,
        body=error("invalid", "Kind is standard or event.", "kind"),
    )


def test_another_workspace_pool_is_like_a_missing_one(charlie_client: Client, pool: Pool) -> None:
    for method, suffix, data in (
        ("get", "", None),
        ("patch", "", {"name": "Mine"}),
        ("delete", "", None),
        ("get", "/members", None),
        ("post", "/members", {"candidate_id": 1}),
    ):
        assert_like_missing(
            partial(call, charlie_client, method, f"/pools/{pool.pk}{suffix}", data),
            partial(call, charlie_client, method, f"/pools/{MISSING_ID}{suffix}", data),
            body=NO_SUCH_POOL,
        )


def test_someone_elses_private_pool_is_like_a_missing_one(
    bob_client: Client, pool_factory: Any
) -> None:
    private = pool_factory(name="Alice's", visibility="private")

    assert_like_missing(
        lambda: bob_client.get(f"{API}/pools/{private.pk}"),
        lambda: bob_client.get(f"{API}/pools/{MISSING_ID}"),
        body=NO_SUCH_POOL,
    )


def test_a_recruiter_cannot_rename_alices_pool(bob_client: Client, pool: Pool) -> None:
    assert_refused(
        bob_client,
        "patch",
        f"/pools/{pool.pk}",
        {"name": "Mine"},
        status=403,
        body=error("forbidden", "Only the pool's owner or an admin can change it."),
    )


def test_updates_and_deletes_a_pool(alice_client: Client, pool: Pool) -> None:
    response = call(alice_client, "patch", f"/pools/{pool.pk}", {"visibility": "private"})
    assert (response.status_code, response.json()["visibility"]) == (200, "private")

    assert call(alice_client, "delete", f"/pools/{pool.pk}").status_code == 204
    assert Pool.objects.exists() is False


def test_adds_moves_and_removes_a_member(
    alice_client: Client, pool: Pool, candidate: Candidate, stages: dict[str, PoolStage]
) -> None:
    added = call(alice_client, "post", f"/pools/{pool.pk}/members", {"candidate_id": candidate.pk})
    again = call(alice_client, "post", f"/pools/{pool.pk}/members", {"candidate_id": candidate.pk})
    assert (added.status_code, again.status_code) == (201, 200)
    assert added.json()["stage"] == "New"
    assert added.json()["emails"] == ["grace@navy.test"]

    moved = call(
        alice_client,
        "patch",
        f"/pools/{pool.pk}/members/{candidate.pk}",
        {"stage_id": stages["interested"].pk},
    )
    assert (moved.status_code, moved.json()["stage"]) == (200, "Interested")
    assert Activity.objects.filter(candidate=candidate, type="pool_stage_changed").count() == 1

    members = alice_client.get(f"{API}/pools/{pool.pk}/members?stage_id={stages['interested'].pk}")
    assert [m["candidate_id"] for m in members.json()] == [candidate.pk]

    removed = call(alice_client, "delete", f"/pools/{pool.pk}/members/{candidate.pk}")
    assert removed.status_code == 204
    assert PoolMembership.objects.exists() is False


def test_member_errors(
    alice_client: Client,
    pool: Pool,
    candidate: Candidate,
    charlie_candidate: Candidate,
    charlie_actor: Actor,
) -> None:
    foreign_stage = services.ensure_default_stages(charlie_actor.workspace)[1]
    assert_refused(
        alice_client,
        "post",
        f"/pools/{pool.pk}/members",
        {"candidate_id": charlie_candidate.pk},
        status=404,
        body=error("not_found", "No such candidate."),
    )
    assert_refused(
        alice_client,
        "post",
        f"/pools/{pool.pk}/members",
        {"candidate_id": candidate.pk, "stage_id": foreign_stage.pk},
        status=422,
        body=error("invalid", "No such stage.", "stage_id"),
    )
    assert_refused(
        alice_client,
        "patch",
        f"/pools/{pool.pk}/members/{candidate.pk}",
        {"stage_id": foreign_stage.pk},
        status=404,
        body=error("not_found", "This candidate is not in the pool."),
    )
    assert_refused(
        alice_client,
        "post",
        f"/pools/{pool.pk}/members",
        {"candidate_id": "grace"},
        status=422,
        body=invalid(
            "Input should be a valid integer, unable to parse string as an integer", "candidate_id"
        ),
    )


def test_read_only_api_key_cannot_add(
    pool: Pool, candidate: Candidate, api_key_factory: Callable[..., str]
) -> None:
    client = Client()
    assert_refused(
        client,
        "post",
        f"/pools/{pool.pk}/members",
        {"candidate_id": candidate.pk},
        headers=bearer(api_key_factory("read")),
        status=403,
        body=error("read_only_key", "This API key is read-only."),
    )


def test_an_api_key_pool_is_a_team_pool(api_key_factory: Callable[..., str]) -> None:
    response = call(
        Client(),
        "post",
        "/pools",
        {"name": "Keyed", "visibility": "private"},
        headers=bearer(api_key_factory("write")),
    )

    assert response.status_code == 201
    assert (response.json()["visibility"], response.json()["owner_id"]) == ("team", None)


def test_checks_in_and_imports_attendees(
    alice_client: Client, event_pool: Pool, candidate: Candidate
) -> None:
    first = call(
        alice_client, "post", f"/pools/{event_pool.pk}/check-ins", {"candidate_id": candidate.pk}
    )
    second = call(
        alice_client, "post", f"/pools/{event_pool.pk}/check-ins", {"candidate_id": candidate.pk}
    )
    assert (first.status_code, second.status_code) == (201, 200)
    assert first.json()["checked_in_at"] is not None

    report = call(
        alice_client,
        "post",
        f"/pools/{event_pool.pk}/attendees",
        {"text": "Ada Byron,ada@x.test\nBad,nope\n", "check_in": True},
    )
    assert report.status_code == 200
    assert report.json() == {
        "created": 1,
        "found": 0,
        "added": 1,
        "checked_in": 1,
        "errors": [{"row": 2, "message": "'nope' is not a valid e-mail address."}],
    }


def test_check_in_needs_an_event_pool(
    alice_client: Client, pool: Pool, candidate: Candidate
) -> None:
    assert_refused(
        alice_client,
        "post",
        f"/pools/{pool.pk}/check-ins",
        {"candidate_id": candidate.pk},
        status=422,
        body=error("invalid", "Only an event pool has check-in.", "pool"),
    )


# --- stages ---------------------------------------------------------------------------------


def test_admin_manages_stages(alice_client: Client, stages: dict[str, PoolStage]) -> None:
    created = call(alice_client, "post", "/pool-stages", {"name": "Hired"})
    assert created.status_code == 201
    renamed = call(
        alice_client, "patch", f"/pool-stages/{created.json()['id']}", {"name": "Hired!"}
    )
    assert renamed.json()["name"] == "Hired!"

    order = [s["id"] for s in alice_client.get(f"{API}/pool-stages").json()][::-1]
    reordered = call(alice_client, "put", "/pool-stages/order", {"stage_ids": order})
    assert [s["id"] for s in reordered.json()] == order

    assert call(alice_client, "delete", f"/pool-stages/{created.json()['id']}").status_code == 204


def test_a_recruiter_cannot_change_stages(bob_client: Client, stages: dict[str, PoolStage]) -> None:
    assert_refused(
        bob_client,
        "post",
        "/pool-stages",
        {"name": "Hired"},
        status=403,
        body=error("forbidden", "Your role does not allow this."),
    )


def test_a_stage_in_use_is_a_conflict(
    alice_client: Client, alice_actor: Actor, pool: Pool, candidate: Candidate
) -> None:
    membership, _ = services.add_to_pool(actor=alice_actor, pool=pool, candidate=candidate)

    assert_refused(
        alice_client,
        "delete",
        f"/pool-stages/{membership.stage_id}",
        status=409,
        body=error("conflict", "Candidates are at 'New' in some pool: move them first.", "stage"),
    )


@pytest.mark.parametrize("members", [1, 8])
def test_members_page_takes_the_same_queries_however_many(
    alice_client: Client,
    alice_actor: Actor,
    pool: Pool,
    candidate_factory: Callable[..., Candidate],
    members: int,
    django_assert_num_queries: Any,
) -> None:
    for n in range(members):
        services.add_to_pool(
            actor=alice_actor, pool=pool, candidate=candidate_factory(emails=[f"m{n}@x.test"])
        )

    # session, user, membership; pool; memberships; candidates; contacts
    with django_assert_num_queries(7):
        response = alice_client.get(f"{API}/pools/{pool.pk}/members")

    assert len(response.json()) == members


@pytest.mark.parametrize("pools", [1, 6])
def test_pool_list_takes_the_same_queries_however_many(
    alice_client: Client,
    pool_factory: Callable[..., Pool],
    pools: int,
    django_assert_num_queries: Any,
) -> None:
    for n in range(pools):
        pool_factory(name=f"Pool {n}")

    # session, user, membership; the pools with owners and counts
    with django_assert_num_queries(4):
        response = alice_client.get(f"{API}/pools")

    assert len(response.json()) == pools
