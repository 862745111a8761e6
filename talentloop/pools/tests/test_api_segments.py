"""/api/v1/segments: saved rules, checked, previewed and counted."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import Any

from django.test import Client

from talentloop.candidates.models import Candidate
from talentloop.core.actor import Actor
from talentloop.core.tests.api_helpers import (
    API,
    MISSING_ID,
    assert_like_missing,
    assert_refused,
    call,
    error,
)
from talentloop.pools import services
from talentloop.pools.models import Segment

BERLIN = {"all": [{"field": "city", "op": "eq", "value": "Berlin"}]}


def test_creates_a_segment_with_its_size(
    alice_client: Client, candidate_factory: Callable[..., Candidate]
) -> None:
    candidate_factory(city="Berlin")

    response = call(alice_client, "post", "/segments", {"name": "Berlin", "rules": BERLIN})

    assert response.status_code == 201
    body = response.json()
    assert (body["name"], body["rules"], body["size"]) == ("Berlin", BERLIN, 1)
    assert Segment.objects.get().size == 1


def test_a_bad_rule_is_a_422_naming_its_path(alice_client: Client) -> None:
    rules = {"all": [BERLIN["all"][0], {"any": [{"field": "city", "op": "~", "value": "x"}]}]}
    message = (
        'rules.all[1].any[0].op: unknown operator "~" for city (use one of: eq, ne, contains, '
        "not_contains, starts_with, in, not_in, is_empty, is_not_empty)"
    )

    assert_refused(
        alice_client,
        "post",
        "/segments",
        {"name": "Bad", "rules": rules},
        status=422,
        body=error("invalid", message, "rules.all[1].any[0].op"),
    )
    assert_refused(
        alice_client,
        "post",
        "/segments",
        {"name": "Bad", "rules": "city = Berlin"},
        status=422,
        body=error(
            "invalid",
            'rules: expected a group such as {"all": [...]} or {"any": [...]}',
            "rules",
        ),
    )


def test_previews_rules_without_saving(
    bob_client: Client, candidate_factory: Callable[..., Candidate]
) -> None:
    people = [candidate_factory(city="Berlin") for _ in range(3)]

    response = call(bob_client, "post", "/segments/preview", {"rules": BERLIN, "limit": 2})

    assert response.status_code == 200
    assert response.json()["size"] == 3
    assert [c["id"] for c in response.json()["items"]] == [people[2].pk, people[1].pk]
    assert Segment.objects.exists() is False


def test_lists_reads_members_updates_and_deletes(
    alice_client: Client, alice_actor: Actor, candidate_factory: Callable[..., Candidate]
) -> None:
    segment = services.create_segment(actor=alice_actor, data={"name": "B", "rules": BERLIN})
    berliner = candidate_factory(city="Berlin")

    listed = alice_client.get(f"{API}/segments").json()
    assert [(s["id"], s["size"]) for s in listed] == [(segment.pk, 1)]
    members = alice_client.get(f"{API}/segments/{segment.pk}/members").json()
    assert (members["size"], [c["id"] for c in members["items"]]) == (1, [berliner.pk])

    rome = {"all": [{"field": "city", "op": "eq", "value": "Rome"}]}
    updated = call(alice_client, "patch", f"/segments/{segment.pk}", {"rules": rome})
    assert (updated.json()["rules"], updated.json()["size"]) == (rome, 0)

    assert call(alice_client, "delete", f"/segments/{segment.pk}").status_code == 204
    assert Segment.objects.exists() is False


def test_another_workspace_segment_is_like_a_missing_one(
    charlie_client: Client, alice_actor: Actor
) -> None:
    segment = services.create_segment(actor=alice_actor, data={"name": "B", "rules": BERLIN})

    for method, suffix in (("get", ""), ("get", "/members"), ("delete", "")):
        assert_like_missing(
            partial(call, charlie_client, method, f"/segments/{segment.pk}{suffix}"),
            partial(call, charlie_client, method, f"/segments/{MISSING_ID}{suffix}"),
            body=error("not_found", "No such segment."),
        )


def test_a_recruiter_cannot_change_alices_segment(bob_client: Client, alice_actor: Actor) -> None:
    segment = services.create_segment(actor=alice_actor, data={"name": "B", "rules": BERLIN})

    assert_refused(
        bob_client,
        "patch",
        f"/segments/{segment.pk}",
        {"name": "Mine"},
        status=403,
        body=error("forbidden", "Only the segment's owner or an admin can change it."),
    )


def test_bad_limit_is_a_422(alice_client: Client, alice_actor: Actor) -> None:
    segment = services.create_segment(actor=alice_actor, data={"name": "B", "rules": BERLIN})

    response = alice_client.get(f"{API}/segments/{segment.pk}/members?limit=0")

    assert response.status_code == 422
    assert response.json() == error("invalid", "Limit is 1 to 500.", "limit")


def test_a_broken_segment_does_not_break_the_list(
    alice_client: Client, alice_actor: Actor, pool_factory: Callable[..., Any]
) -> None:
    doomed = pool_factory(name="Doomed")
    rules = {"all": [{"field": "pool", "op": "in", "value": doomed.pk}]}
    broken = services.create_segment(actor=alice_actor, data={"name": "A", "rules": rules})
    working = services.create_segment(actor=alice_actor, data={"name": "B", "rules": BERLIN})
    services.delete_pool(actor=alice_actor, pool=doomed)

    response = alice_client.get(f"{API}/segments")
    members = alice_client.get(f"{API}/segments/{broken.pk}/members")

    assert response.status_code == 200
    assert [(s["id"], s["size"]) for s in response.json()] == [(broken.pk, None), (working.pk, 0)]
    assert members.status_code == 422
    assert members.json()["error"]["field"] == "rules.all[0].value"
