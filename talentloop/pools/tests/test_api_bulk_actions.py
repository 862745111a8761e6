"""/api/v1/bulk-actions: run over ids or a segment, poll, download the audited export."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

from talentloop.candidates.models import Candidate, CandidateTag
from talentloop.compliance.models import AuditEvent
from talentloop.core.actor import Actor
from talentloop.core.tests.api_helpers import (
    API,
    MISSING_ID,
    assert_refused,
    call,
    error,
)
from talentloop.pools import services
from talentloop.pools.models import BulkAction, Pool, PoolMembership


@pytest.fixture
def people(candidate_factory: Callable[..., Candidate]) -> list[Candidate]:
    return [candidate_factory(first_name=f"P{n}", city="Oslo") for n in range(3)]


def test_adds_ids_to_a_pool(alice_client: Client, pool: Pool, people: list[Candidate]) -> None:
    response = call(
        alice_client,
        "post",
        "/bulk-actions",
        {"kind": "add_to_pool", "ids": [p.pk for p in people], "pool_id": pool.pk},
    )

    assert response.status_code == 200
    body = response.json()
    assert (body["status"], body["total"], body["changed"], body["percent"]) == ("done", 3, 3, 100)
    assert PoolMembership.objects.filter(pool=pool).count() == 3


def test_tags_all_of_a_segment(
    bob_client: Client, alice_actor: Actor, people: list[Candidate]
) -> None:
    segment = services.create_segment(
        actor=alice_actor,
        data={"name": "Oslo", "rules": {"all": [{"field": "city", "op": "eq", "value": "Oslo"}]}},
    )

    response = call(
        bob_client,
        "post",
        "/bulk-actions",
        {"kind": "tag", "segment_id": segment.pk, "tag": "nordics"},
    )

    assert response.json()["changed"] == 3
    assert CandidateTag.objects.filter(tag__name="nordics").count() == 3


def test_exports_and_downloads_csv(alice_client: Client, people: list[Candidate]) -> None:
    action = call(
        alice_client, "post", "/bulk-actions", {"kind": "export", "ids": [people[0].pk]}
    ).json()

    response = alice_client.get(f"{API}/bulk-actions/{action['id']}/export.csv")

    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    assert [(r["id"], r["first_name"]) for r in rows] == [(str(people[0].pk), "P0")]
    assert (
        AuditEvent.objects.filter(action="candidate.exported", target_id=people[0].pk).count() == 1
    )


def test_only_the_starter_reads_an_action(
    alice_client: Client, bob_client: Client, charlie_client: Client, people: list[Candidate]
) -> None:
    action = call(
        alice_client, "post", "/bulk-actions", {"kind": "export", "ids": [people[0].pk]}
    ).json()

    for client in (bob_client, charlie_client):
        for suffix in ("", "/export.csv"):
            response = client.get(f"{API}/bulk-actions/{action['id']}{suffix}")
            missing = client.get(f"{API}/bulk-actions/{MISSING_ID}{suffix}")
            assert (response.status_code, response.json()) == (404, missing.json())
    assert alice_client.get(f"{API}/bulk-actions/{action['id']}").json()["status"] == "done"


def test_big_selections_answer_202_and_finish_in_the_background(
    alice_client: Client,
    pool: Pool,
    people: list[Candidate],
    monkeypatch: pytest.MonkeyPatch,
    django_capture_on_commit_callbacks: Any,
) -> None:
    monkeypatch.setattr(services, "INLINE_LIMIT", 1)

    # The immediate task backend runs the task when the request's transaction commits.
    with django_capture_on_commit_callbacks(execute=True):
        response = call(
            alice_client,
            "post",
            "/bulk-actions",
            {"kind": "add_to_pool", "ids": [p.pk for p in people], "pool_id": pool.pk},
        )

    assert response.status_code == 202
    assert response.json()["status"] == "queued"
    polled = alice_client.get(f"{API}/bulk-actions/{response.json()['id']}").json()
    assert (polled["status"], polled["processed"], polled["changed"]) == ("done", 3, 3)


@pytest.mark.parametrize(
    ("data", "body"),
    [
        (
            {"kind": "explode", "ids": [1]},
            error("invalid", "Action is one of: add_to_pool, move_stage, tag, export.", "kind"),
        ),
        (
            {"kind": "export"},
            error("invalid", "Choose candidates by ids, a segment, rules or a search.", "ids"),
        ),
        (
            {"kind": "export", "ids": ["a"]},
            error("invalid", "Candidate ids are positive whole numbers.", "ids[0]"),
        ),
        (
            {"kind": "add_to_pool", "ids": [1], "pool_id": MISSING_ID},
            error("invalid", "No such pool.", "pool_id"),
        ),
        (
            {"kind": "export", "segment_id": MISSING_ID},
            error("invalid", "No such segment.", "segment_id"),
        ),
        (
            {"kind": "move_stage", "ids": [1], "pool_id": None},
            error("invalid", "Choose a pool.", "pool_id"),
        ),
        (
            {"kind": "tag", "ids": [1], "tag": " "},
            error("invalid", "A tag is 1 to 50 characters.", "tags[0]"),
        ),
    ],
)
def test_bad_input_is_a_422(
    alice_client: Client, data: dict[str, Any], body: dict[str, Any]
) -> None:
    assert_refused(alice_client, "post", "/bulk-actions", data, status=422, body=body)


def test_an_auditor_cannot_export(member_factory: Any, acme: Any, people: list[Candidate]) -> None:
    client = Client()
    client.force_login(member_factory("audrey@acme.test", acme, "auditor"))

    assert_refused(
        client,
        "post",
        "/bulk-actions",
        {"kind": "export", "ids": [people[0].pk]},
        status=403,
        body=error("forbidden", "Your role does not allow this."),
    )
    assert BulkAction.objects.exists() is False


def test_acts_on_unsaved_rules(alice_client: Client, people: list[Candidate]) -> None:
    rules = {"all": [{"field": "first_name", "op": "in", "value": ["P0", "P2"]}]}

    response = call(
        alice_client, "post", "/bulk-actions", {"kind": "tag", "rules": rules, "tag": "x"}
    )

    assert (response.status_code, response.json()["selection"]) == (200, {"rules": rules})
    assert sorted(CandidateTag.objects.values_list("candidate_id", flat=True)) == [
        people[0].pk,
        people[2].pk,
    ]


def test_bad_rules_name_their_path(alice_client: Client) -> None:
    assert_refused(
        alice_client,
        "post",
        "/bulk-actions",
        {"kind": "export", "rules": {"all": [{"field": "nope", "op": "eq", "value": 1}]}},
        status=422,
        body=error("invalid", 'rules.all[0].field: unknown field "nope"', "rules.all[0].field"),
    )


def test_acts_on_a_talent_search(
    alice_client: Client,
    people: list[Candidate],
    candidate_factory: Callable[..., Candidate],
    charlie_actor: Actor,
) -> None:
    welders = [candidate_factory(first_name=f"W{n}", current_title="Welder") for n in range(2)]
    candidate_factory(actor=charlie_actor, first_name="W9", current_title="Welder")
    search = {"query": "title:welder", "filters": {}}

    response = call(
        alice_client, "post", "/bulk-actions", {"kind": "tag", "search": search, "tag": "w"}
    )

    assert response.status_code == 200
    assert response.json()["selection"] == {"talent_search": "title:welder", "filters": {}}
    assert sorted(CandidateTag.objects.values_list("candidate_id", flat=True)) == [
        w.pk for w in welders
    ]


def test_a_bad_talent_search_names_its_field(alice_client: Client) -> None:
    unknown = call(
        alice_client,
        "post",
        "/bulk-actions",
        {"kind": "export", "search": {"query": "java", "filters": {"colour": "red"}}},
    )
    malformed = call(
        alice_client, "post", "/bulk-actions", {"kind": "export", "search": {"query": "(java"}}
    )

    assert (unknown.status_code, unknown.json()["error"]["field"]) == (422, "colour")
    assert malformed.status_code == 422
    assert BulkAction.objects.exists() is False
