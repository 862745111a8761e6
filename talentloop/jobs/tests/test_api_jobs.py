"""The jobs API: the whole round trip, roles, other workspaces, bad input."""

from __future__ import annotations

import functools

from django.test import Client

from talentloop.core.tests.api_helpers import (
    MISSING_ID,
    assert_like_missing,
    assert_refused,
    call,
    error,
)
from talentloop.jobs.models import Job


def test_open_read_change_list_and_delete(alice_client: Client, bob: object) -> None:
    response = call(
        alice_client,
        "post",
        "/jobs",
        {
            "title": "Data Engineer",
            "description": "Requirements: Python, SQL.\nNice to have: Kafka",
            "country": "Germany",
            "remote_policy": "hybrid",
            "years_min": 3,
            "match_weights": {"skills": 5},
        },
    )
    assert response.status_code == 201, response.json()
    job = response.json()
    assert job["country"] == "DE"
    assert [(s["name"], s["kind"], s["proposed"]) for s in job["skills"]] == [
        ("Python", "must", True),
        ("SQL", "must", True),
        ("Apache Kafka", "nice", True),
    ]

    changed = call(
        alice_client,
        "patch",
        f"/jobs/{job['id']}",
        {"status": "on_hold", "skills": [{"name": "Rust", "weight": 5}]},
    ).json()
    assert changed["status"] == "on_hold"
    assert changed["skills"] == [{"name": "Rust", "kind": "must", "weight": 5, "proposed": False}]
    assert call(alice_client, "get", f"/jobs/{job['id']}").json() == changed

    listed = call(alice_client, "get", "/jobs?status=active").json()["items"]
    assert [j["id"] for j in listed] == [job["id"]]
    assert call(alice_client, "get", "/jobs?status=closed").json()["items"] == []

    assert call(alice_client, "delete", f"/jobs/{job['id']}").status_code == 204
    assert not Job.objects.exists()


def test_propose_skills_saves_nothing(alice_client: Client) -> None:
    response = call(
        alice_client, "post", "/job-skill-proposals", {"description": "Java; React is a plus"}
    )

    assert response.json() == {
        "items": [{"name": "Java", "kind": "must"}, {"name": "React", "kind": "nice"}]
    }
    assert not Job.objects.exists()


def test_another_workspaces_job_answers_like_a_missing_one(
    alice_client: Client, charlie_client: Client
) -> None:
    job_id = call(alice_client, "post", "/jobs", {"title": "Chef"}).json()["id"]
    body = error("not_found", "No such job.")

    for method, data in (("get", None), ("patch", {"title": "Mine"}), ("delete", None)):
        assert_like_missing(
            functools.partial(call, charlie_client, method, f"/jobs/{job_id}", data),
            functools.partial(call, charlie_client, method, f"/jobs/{MISSING_ID}", data),
            body=body,
        )
    assert call(charlie_client, "get", "/jobs").json() == {"items": []}


def test_bad_input_is_a_422_naming_the_field(alice_client: Client) -> None:
    assert_refused(
        alice_client,
        "post",
        "/jobs",
        {"title": "Chef", "years_min": 9, "years_max": 1},
        status=422,
        body=error("invalid", "Cannot be below the minimum years.", "years_max"),
    )
    assert_refused(
        alice_client,
        "post",
        "/jobs",
        {"title": "Chef", "skills": [{"name": "Go", "weight": 0}]},
        status=422,
        body=error("invalid", "Must be a whole number from 1 to 5.", "skills[0].weight"),
    )
    response = call(alice_client, "post", "/jobs", {"title": "Chef", "salary": 1})
    assert response.status_code == 422
    assert response.json()["error"]["field"] == "salary"
    response = call(alice_client, "post", "/jobs", "{not json")
    assert response.status_code in (400, 422)


def test_a_sourcer_reads_jobs_but_cannot_open_them(
    alice_client: Client, member_factory: object, acme: object
) -> None:
    from talentloop.accounts.roles import Role
    from talentloop.core.tests.fixtures import _api_client

    sourcer = member_factory("sam@acme.test", acme, Role.SOURCER)  # type: ignore[operator]
    client = _api_client(sourcer)
    job_id = call(alice_client, "post", "/jobs", {"title": "Chef"}).json()["id"]

    assert call(client, "get", f"/jobs/{job_id}").status_code == 200
    assert_refused(
        client,
        "post",
        "/jobs",
        {"title": "Baker"},
        status=403,
        body=error("forbidden", "Your role does not allow opening or changing jobs."),
    )


def test_a_hiring_manager_sees_only_the_jobs_they_manage(
    alice_client: Client, member_factory: object, acme: object
) -> None:
    from talentloop.accounts.roles import Role
    from talentloop.core.tests.fixtures import _api_client

    manager = member_factory("hm@acme.test", acme, Role.HIRING_MANAGER)  # type: ignore[operator]
    theirs = call(
        alice_client, "post", "/jobs", {"title": "Chef", "hiring_manager_id": manager.pk}
    ).json()["id"]
    other = call(alice_client, "post", "/jobs", {"title": "Baker"}).json()["id"]
    client = _api_client(manager)

    assert [j["id"] for j in call(client, "get", "/jobs").json()["items"]] == [theirs]
    assert call(client, "get", f"/jobs/{other}").status_code == 404
