"""/api/v1/outreach/…/export, /automations/import and …/dry-run."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from functools import partial
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from talentloop.accounts.models import User
from talentloop.accounts.roles import Role
from talentloop.candidates.models import Candidate
from talentloop.core.actor import Actor
from talentloop.core.tests.api_helpers import (
    MISSING_ID,
    assert_like_missing,
    assert_refused,
    bearer,
    call,
    error,
    stored_state,
)
from talentloop.outreach.models import Campaign, Purpose, Sequence
from talentloop.outreach.tests.test_automation_support import (
    cast_of_blockers,
    email_step,
    grant,
    make_campaign,
    make_sequence,
    make_template,
)
from talentloop.pools import services as pool_services
from talentloop.pools.models import Pool, Segment

pytestmark = pytest.mark.urls("talentloop.outreach.tests.urls_automation_test")


@pytest.fixture
def sequence(alice_actor: Actor) -> Sequence:
    return make_sequence(
        alice_actor, [email_step(make_template(alice_actor))], purpose=Purpose.MARKETING
    )


@pytest.fixture
def campaign(alice_actor: Actor, pool: Pool) -> Campaign:
    news = make_template(alice_actor, "News")
    return make_campaign(
        alice_actor, [(news, timezone.now() + dt.timedelta(days=1))], pool_id=pool.pk
    )


@pytest.fixture
def segment(alice_actor: Actor) -> Segment:
    rules = {"all": [{"field": "last_name", "op": "eq", "value": "Test"}]}
    return pool_services.create_segment(actor=alice_actor, data={"name": "Tests", "rules": rules})


def _client(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def manager_client(alice_actor: Actor, member_factory: Callable[..., User]) -> Client:
    return _client(member_factory("hm@acme.test", alice_actor.workspace, Role.HIRING_MANAGER))


@pytest.fixture
def auditor_client(alice_actor: Actor, member_factory: Callable[..., User]) -> Client:
    return _client(member_factory("audit@acme.test", alice_actor.workspace, Role.AUDITOR))


def test_a_sequence_downloads_as_a_json_document(alice_client: Client, sequence: Sequence) -> None:
    response = call(alice_client, "get", f"/outreach/sequences/{sequence.pk}/export")

    assert response.status_code == 200
    assert response["Content-Type"] == "application/json; charset=utf-8"
    assert (
        response["Content-Disposition"] == 'attachment; filename="sequence-backend-outreach.json"'
    )
    document = json.loads(response.content)
    assert (document["talentloop"], document["format"]) == ("sequence", 1)
    assert document["sequence"]["steps"][0]["template"] == "Intro"


def test_a_campaign_downloads_as_a_json_document(alice_client: Client, campaign: Campaign) -> None:
    response = call(alice_client, "get", f"/outreach/campaigns/{campaign.pk}/export")

    assert response.status_code == 200
    assert json.loads(response.content)["campaign"]["pool"] == {"name": "Backend engineers"}


@pytest.mark.parametrize("what", ["sequences", "campaigns"])
def test_another_workspaces_automation_is_not_found(
    charlie_client: Client, sequence: Sequence, campaign: Campaign, what: str
) -> None:
    theirs = sequence.pk if what == "sequences" else campaign.pk
    body = error("not_found", f"No such {what[:-1]}.")
    for path in ("export", "dry-run"):
        method = "get" if path == "export" else "post"
        data = None if path == "export" else ({"candidate_ids": [1]} if what == "sequences" else {})
        assert_like_missing(
            partial(call, charlie_client, method, f"/outreach/{what}/{theirs}/{path}", data),
            partial(call, charlie_client, method, f"/outreach/{what}/{MISSING_ID}/{path}", data),
            body=body,
        )


def test_hiring_managers_cannot_export(manager_client: Client, sequence: Sequence) -> None:
    assert_refused(
        manager_client,
        "get",
        f"/outreach/sequences/{sequence.pk}/export",
        status=403,
        body=error("forbidden", "Your role does not allow reading outreach."),
    )


def test_import_creates_and_update_mode_updates(
    alice_client: Client, charlie_client: Client, sequence: Sequence
) -> None:
    document = json.loads(
        call(alice_client, "get", f"/outreach/sequences/{sequence.pk}/export").content
    )

    created = call(charlie_client, "post", "/outreach/automations/import", {"document": document})
    document["sequence"]["description"] = "Changed"
    updated = call(
        charlie_client,
        "post",
        "/outreach/automations/import",
        {"document": document, "mode": "update"},
    )

    assert created.status_code == 201
    body = created.json()
    imported = Sequence.objects.get(pk=body["id"])
    assert body == {
        "kind": "sequence",
        "id": imported.pk,
        "name": "Backend outreach",
        "created": True,
        "placed": [
            {"kind": "template", "document_name": "Intro", "name": "Intro", "action": "created"}
        ],
        "warnings": [],
    }
    assert imported.workspace_id != sequence.workspace_id
    assert updated.status_code == 200
    assert (updated.json()["id"], updated.json()["created"]) == (imported.pk, False)
    imported.refresh_from_db()
    assert imported.description == "Changed"


def test_a_bad_document_is_a_422_naming_its_path_in_the_request(
    alice_client: Client, sequence: Sequence
) -> None:
    document = json.loads(
        call(alice_client, "get", f"/outreach/sequences/{sequence.pk}/export").content
    )
    document["sequence"]["steps"][0]["delay_days"] = -1

    assert_refused(
        alice_client,
        "post",
        "/outreach/automations/import",
        {"document": document},
        status=422,
        body=error(
            "invalid",
            "sequence.steps[0].delay_days: expected a whole number from 0 to 365",
            "document.sequence.steps[0].delay_days",
        ),
    )


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"document": [1, 2]}, "document"),
        ({"document": {}, "mode": "merge"}, "mode"),
        ({"document": {"talentloop": "sequence", "format": 9}}, "document.format"),
        ({"doc": {}}, "document"),
    ],
)
def test_bad_import_requests_name_the_field(
    alice_client: Client, data: dict[str, Any], field: str
) -> None:
    before = stored_state()

    response = call(alice_client, "post", "/outreach/automations/import", data)

    assert response.status_code == 422
    assert response.json()["error"]["field"] == field
    assert stored_state() == before


def test_a_body_that_is_not_json_is_a_400(alice_client: Client) -> None:
    response = call(alice_client, "post", "/outreach/automations/import", "{not json")

    assert response.status_code == 400
    assert response.json()["error"]["message"] == "The request body is not valid JSON."


@pytest.mark.parametrize("who", ["manager", "auditor"])
def test_hiring_managers_and_auditors_cannot_import(
    alice_client: Client,
    manager_client: Client,
    auditor_client: Client,
    sequence: Sequence,
    who: str,
) -> None:
    document = json.loads(
        call(alice_client, "get", f"/outreach/sequences/{sequence.pk}/export").content
    )
    client = manager_client if who == "manager" else auditor_client

    assert_refused(
        client,
        "post",
        "/outreach/automations/import",
        {"document": document},
        status=403,
        body=error("forbidden", "Your role does not allow outreach."),
    )


def test_a_sequence_dry_runs_against_a_segment_without_writing(
    alice_client: Client,
    alice_actor: Actor,
    bob_actor: Actor,
    candidate_factory: Callable[..., Candidate],
    sequence: Sequence,
    segment: Segment,
) -> None:
    people = cast_of_blockers(alice_actor, bob_actor, candidate_factory)
    before = stored_state()

    response = call(
        alice_client,
        "post",
        f"/outreach/sequences/{sequence.pk}/dry-run",
        {"segment_id": segment.pk},
    )

    assert response.status_code == 200
    body = response.json()
    assert body["audience"] == "Segment “Tests”"
    assert body["totals"]["scheduled"] == 1
    assert {s["reason"] for s in body["skipped"]} == set(people) - {"ok"}
    assert body["recipients"][0]["messages"][0]["subject"] == "Hi Ok"
    assert body["bars"][0] == {
        "code": "scheduled",
        "label": "Gets every message",
        "count": 1,
        "percent": 100.0,
    }
    assert stored_state() == before


@pytest.mark.parametrize(
    ("data", "status", "field"),
    [
        ({}, 422, "audience"),
        ({"candidate_ids": [1], "pool_id": "POOL"}, 422, "audience"),
        ({"segment_id": "CHARLIE_SEGMENT"}, 422, "segment_id"),
        ({"pool_id": MISSING_ID}, 422, "pool_id"),
        ({"candidate_ids": ["x"]}, 422, "candidate_ids[0]"),
        ({"candidate_ids": [1], "start": "2026-03-02T09:00:00"}, 422, "start"),
        ({"candidate_ids": [1], "start": "Monday"}, 422, "start"),
        ({"candidate_ids": [1], "limit": 0}, 422, "limit"),
        ({"candidate_ids": [1], "colour": "red"}, 422, "colour"),
    ],
)
def test_bad_dry_run_requests_name_the_field(
    alice_client: Client,
    charlie_actor: Actor,
    sequence: Sequence,
    pool: Pool,
    data: dict[str, Any],
    status: int,
    field: str,
) -> None:
    charlie_segment = pool_services.create_segment(
        actor=charlie_actor,
        data={"name": "Theirs", "rules": {"all": [{"field": "city", "op": "eq", "value": "X"}]}},
    )
    values = {"POOL": pool.pk, "CHARLIE_SEGMENT": charlie_segment.pk}
    data = {k: values.get(v, v) if isinstance(v, str) else v for k, v in data.items()}

    response = call(alice_client, "post", f"/outreach/sequences/{sequence.pk}/dry-run", data)

    assert response.status_code == status
    assert response.json()["error"]["field"] == field


def test_a_campaign_dry_runs_for_its_own_audience(
    alice_client: Client,
    alice_actor: Actor,
    candidate_factory: Callable[..., Candidate],
    campaign: Campaign,
    pool: Pool,
) -> None:
    person = candidate_factory(first_name="Pat", emails=["pat@example.test"])
    pool_services.add_to_pool(actor=alice_actor, pool=pool, candidate=person)

    response = call(alice_client, "post", f"/outreach/campaigns/{campaign.pk}/dry-run")

    assert response.status_code == 200
    body = response.json()
    assert body["kind"] == "campaign"
    assert [(s["candidate_id"], s["reason"]) for s in body["skipped"]] == [
        (person.pk, "no_consent")
    ]


def test_a_write_key_may_dry_run_and_a_read_key_may_not_post(
    api_key_factory: Callable[..., str],
    alice_actor: Actor,
    sequence: Sequence,
    candidate: Candidate,
    client: Client,
) -> None:
    path = f"/outreach/sequences/{sequence.pk}/dry-run"
    data = {"candidate_ids": [candidate.pk]}
    grant(alice_actor, candidate)

    written = call(client, "post", path, data, headers=bearer(api_key_factory("write")))
    read = call(client, "post", path, data, headers=bearer(api_key_factory("read")))

    assert written.status_code == 200
    assert written.json()["totals"] == {"scheduled": 1}
    # A dry-run writes nothing, but it is a POST, and read keys may not POST.
    assert read.status_code == 403
    assert read.json() == error("read_only_key", "This API key is read-only.")
