"""The matching API: matches with evidence, decisions, runs, a score on demand, similar
candidates; bad input is a 4xx; other workspaces' objects answer like missing ones."""

from __future__ import annotations

import functools
from typing import Any

import pytest
from django.test import Client

from talentloop.candidates.models import Candidate
from talentloop.core.actor import Actor
from talentloop.core.tests.api_helpers import (
    MISSING_ID,
    assert_like_missing,
    assert_refused,
    call,
    error,
)
from talentloop.jobs import services as job_services
from talentloop.jobs.models import Job


@pytest.fixture
def job(
    alice_actor: Actor, people: dict[str, Candidate], django_capture_on_commit_callbacks: Any
) -> Job:
    with django_capture_on_commit_callbacks(execute=True):
        return job_services.create_job(
            actor=alice_actor,
            data={"title": "Data Engineer", "description": "Python and SQL", "years_min": 4},
        )


def test_matches_decisions_and_runs(alice_client: Client, job: Job) -> None:
    page = call(alice_client, "get", f"/jobs/{job.pk}/matches").json()

    assert page["items"][0]["candidate"]["full_name"].startswith("Dana ")
    first = page["items"][0]
    assert {c["key"] for c in first["criteria"]} >= {"skills", "lexical", "semantic"}
    assert page["rediscovery"]["status"] == "done"
    assert page["counts"] == {"suggested": 3, "accepted": 0, "dismissed": 0}

    decided = call(
        alice_client, "post", f"/match-suggestions/{first['id']}/decision", {"decision": "dismiss"}
    ).json()
    assert decided["status"] == "dismissed"
    assert call(alice_client, "get", f"/jobs/{job.pk}/matches?status=dismissed").json()[
        "counts"
    ] == {"suggested": 2, "accepted": 0, "dismissed": 1}

    run = call(alice_client, "post", f"/jobs/{job.pk}/rediscoveries")
    assert run.status_code == 202
    assert call(alice_client, "get", f"/rediscoveries/{run.json()['id']}").json()["status"] in (
        "queued",
        "done",
    )


def test_score_on_demand_and_similar(
    alice_client: Client, job: Job, people: dict[str, Candidate]
) -> None:
    scored = call(
        alice_client, "post", f"/jobs/{job.pk}/score", {"candidate_id": people["pat"].pk}
    ).json()
    skills = next(c for c in scored["criteria"] if c["key"] == "skills")
    assert skills["evidence"]["missing_must"] == ["Python", "SQL"]

    similar = call(alice_client, "get", f"/candidates/{people['dana'].pk}/similar?limit=2").json()
    assert similar["items"][0]["candidate"]["id"] == people["sam"].pk


def test_bad_input(alice_client: Client, job: Job, people: dict[str, Candidate]) -> None:
    suggestion = call(alice_client, "get", f"/jobs/{job.pk}/matches").json()["items"][0]
    assert_refused(
        alice_client,
        "post",
        f"/match-suggestions/{suggestion['id']}/decision",
        {"decision": "maybe"},
        status=422,
        body=error("invalid", "Decision is one of: accept, dismiss, reset.", "decision"),
    )
    assert_refused(
        alice_client,
        "get",
        f"/jobs/{job.pk}/matches?status=hired",
        status=422,
        body=error("invalid", "Status is one of: suggested, accepted, dismissed.", "status"),
    )
    assert_refused(
        alice_client,
        "get",
        f"/candidates/{people['dana'].pk}/similar?limit=5000",
        status=422,
        body=error("invalid", "Limit is 1 to 50.", "limit"),
    )
    assert_refused(
        alice_client,
        "post",
        f"/jobs/{job.pk}/score",
        {"candidate_id": MISSING_ID},
        status=404,
        body=error("not_found", "No such candidate."),
    )


def test_other_workspaces_objects_look_missing(
    charlie_client: Client, alice_client: Client, job: Job, people: dict[str, Candidate]
) -> None:
    suggestion = call(alice_client, "get", f"/jobs/{job.pk}/matches").json()["items"][0]
    run = call(alice_client, "get", f"/jobs/{job.pk}/matches").json()["rediscovery"]
    cases = [
        ("get", f"/jobs/{job.pk}/matches", f"/jobs/{MISSING_ID}/matches", None, "job"),
        ("post", f"/jobs/{job.pk}/rediscoveries", f"/jobs/{MISSING_ID}/rediscoveries", None, "job"),
        ("get", f"/rediscoveries/{run['id']}", f"/rediscoveries/{MISSING_ID}", None, "rediscovery"),
        (
            "post",
            f"/match-suggestions/{suggestion['id']}/decision",
            f"/match-suggestions/{MISSING_ID}/decision",
            {"decision": "dismiss"},
            "suggestion",
        ),
        (
            "get",
            f"/candidates/{people['dana'].pk}/similar",
            f"/candidates/{MISSING_ID}/similar",
            None,
            "candidate",
        ),
    ]
    for method, theirs, missing, data, what in cases:
        assert_like_missing(
            functools.partial(call, charlie_client, method, theirs, data),
            functools.partial(call, charlie_client, method, missing, data),
            body=error("not_found", f"No such {what}."),
        )
