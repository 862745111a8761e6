"""/api/v1/outreach/sequences/{id}/enrollments and /api/v1/outreach/enrollments/{id}."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from functools import partial
from typing import Any

import pytest
import time_machine
from django.test import Client

from talentloop.candidates.models import Activity, Candidate
from talentloop.candidates.services import log_touchpoint
from talentloop.core.actor import Actor
from talentloop.core.tests.api_helpers import (
    API,
    MISSING_ID,
    assert_like_missing,
    assert_refused,
    call,
    error,
)
from talentloop.outreach import services
from talentloop.outreach.models import Enrollment, Sequence
from talentloop.pools.models import Pool
from talentloop.pools.services import add_to_pool

pytestmark = pytest.mark.urls("talentloop.outreach.tests.urls_outreach_test")
MONDAY = dt.datetime(2026, 3, 2, 10, 0, tzinfo=dt.UTC)


def _enroll(client: Client, sequence: Sequence, data: dict[str, Any], **kw: Any) -> Any:
    return call(client, "post", f"/outreach/sequences/{sequence.pk}/enrollments", data, **kw)


def test_enrols_candidates_and_reports_each(
    alice_client: Client,
    bob_actor: Actor,
    sequence: Sequence,
    prospect_factory: Callable[..., Candidate],
    candidate_factory: Callable[..., Candidate],
) -> None:
    ok = prospect_factory(first_name="Ada", last_name="Ok")
    blocked = candidate_factory(first_name="Dee", last_name="Blocked", is_do_not_contact=True)
    called = prospect_factory(first_name="Cal", last_name="Called")
    with time_machine.travel(MONDAY - dt.timedelta(hours=5), tick=False):
        log_touchpoint(actor=bob_actor, candidate=called, type="call", summary="Intro call")

    with time_machine.travel(MONDAY, tick=False):
        response = _enroll(
            alice_client, sequence, {"candidate_ids": [ok.pk, blocked.pk, called.pk]}
        )

    assert response.status_code == 200
    body = response.json()
    enrollment = Enrollment.objects.get()
    assert body["counts"] == {
        "enrolled": 1,
        "already_enrolled": 0,
        "reentry_refused": 0,
        "skipped": 1,
        "collision": 1,
    }
    assert body["outcomes"] == [
        {
            "candidate_id": ok.pk,
            "full_name": "Ada Ok",
            "outcome": "enrolled",
            "reason": "",
            "message": "",
            "collision": None,
            "warnings": [],
            "enrollment_id": enrollment.pk,
            "next_step_at": "2026-03-02T10:00:00Z",
        },
        {
            "candidate_id": blocked.pk,
            "full_name": "Dee Blocked",
            "outcome": "skipped",
            "reason": "do_not_contact",
            "message": "The candidate is marked do-not-contact.",
            "collision": None,
            "warnings": [],
            "enrollment_id": None,
            "next_step_at": None,
        },
        {
            "candidate_id": called.pk,
            "full_name": "Cal Called",
            "outcome": "collision",
            "reason": "collision",
            "message": "Call by Bob Recruiter on 2 Mar 2026.",
            "collision": {"user": "Bob Recruiter", "at": "2026-03-02T05:00:00Z", "what": "Call"},
            "warnings": [],
            "enrollment_id": None,
            "next_step_at": None,
        },
    ]
    assert body["sequence_id"] == sequence.pk and body["dry_run"] is False


def test_allow_collisions_enrols_them_too(
    alice_client: Client, bob_actor: Actor, sequence: Sequence, prospect: Candidate
) -> None:
    log_touchpoint(actor=bob_actor, candidate=prospect, type="call", summary="Intro call")

    body = _enroll(
        alice_client, sequence, {"candidate_ids": [prospect.pk], "allow_collisions": True}
    ).json()

    assert body["outcomes"][0]["outcome"] == "enrolled"
    assert body["outcomes"][0]["collision"]["user"] == "Bob Recruiter"
    assert Enrollment.objects.filter(candidate=prospect).count() == 1


def test_a_dry_run_writes_nothing(
    alice_client: Client, sequence: Sequence, prospect: Candidate
) -> None:
    body = _enroll(alice_client, sequence, {"candidate_ids": [prospect.pk], "dry_run": True}).json()

    assert (body["dry_run"], body["counts"]["enrolled"]) == (True, 1)
    assert body["outcomes"][0]["enrollment_id"] is None
    assert Enrollment.objects.exists() is False


def test_enrolling_again_and_retrying_with_a_key_write_once(
    alice_client: Client, sequence: Sequence, prospect: Candidate
) -> None:
    headers = {"Idempotency-Key": "enrol-1"}
    data = {"candidate_ids": [prospect.pk]}

    first = _enroll(alice_client, sequence, data, headers=headers)
    retried = _enroll(alice_client, sequence, data, headers=headers)
    again = _enroll(alice_client, sequence, data)

    assert first.json() == retried.json()
    assert first.json()["counts"]["enrolled"] == 1
    assert again.json()["outcomes"][0]["outcome"] == "already_enrolled"
    assert Enrollment.objects.count() == 1
    assert Activity.objects.filter(type="sequence_enrolled").count() == 1


def test_enrols_a_pool(
    alice_client: Client,
    alice_actor: Actor,
    sequence: Sequence,
    pool: Pool,
    prospect_factory: Callable[..., Candidate],
) -> None:
    members = [prospect_factory(), prospect_factory()]
    for member in members:
        add_to_pool(actor=alice_actor, pool=pool, candidate=member)

    body = _enroll(alice_client, sequence, {"pool_id": pool.pk}).json()

    assert [o["candidate_id"] for o in body["outcomes"]] == [m.pk for m in members]
    assert body["counts"]["enrolled"] == 2


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({}, "candidate_ids", "Choose candidates, a pool or a segment."),
        ({"candidate_ids": [1], "pool_id": 2}, "pool_id", "No such pool."),
        ({"pool_id": MISSING_ID}, "pool_id", "No such pool."),
        ({"segment_id": MISSING_ID}, "segment_id", "No such segment."),
        ({"candidate_ids": [0]}, "candidate_ids[0]", "Candidate ids are positive whole numbers."),
    ],
)
def test_a_bad_choice_is_a_422_naming_the_field(
    alice_client: Client, sequence: Sequence, data: dict[str, Any], field: str, message: str
) -> None:
    assert_refused(
        alice_client,
        "post",
        f"/outreach/sequences/{sequence.pk}/enrollments",
        data,
        status=422,
        body=error("invalid", message, field),
    )


def test_another_workspaces_pool_is_no_such_pool(
    alice_client: Client, sequence: Sequence, charlie_actor: Actor, pool_factory: Any
) -> None:
    theirs = pool_factory(actor=charlie_actor, name="Globex")

    assert_refused(
        alice_client,
        "post",
        f"/outreach/sequences/{sequence.pk}/enrollments",
        {"pool_id": theirs.pk},
        status=422,
        body=error("invalid", "No such pool.", "pool_id"),
    )


def test_lists_enrolments_with_each_persons_state_page_by_page(
    alice_client: Client,
    alice_actor: Actor,
    sequence: Sequence,
    prospect_factory: Callable[..., Candidate],
) -> None:
    people = [prospect_factory() for _ in range(3)]
    services.enroll(actor=alice_actor, sequence=sequence, candidate_ids=[p.pk for p in people])
    last = Enrollment.objects.get(candidate=people[2])
    services.stop_enrollment(actor=alice_actor, enrollment=last)

    page = alice_client.get(f"{API}/outreach/sequences/{sequence.pk}/enrollments?limit=2").json()
    rest = alice_client.get(
        f"{API}/outreach/sequences/{sequence.pk}/enrollments?limit=2&cursor={page['next_cursor']}"
    ).json()
    stopped = alice_client.get(
        f"{API}/outreach/sequences/{sequence.pk}/enrollments?status=stopped"
    ).json()

    assert [i["candidate_id"] for i in page["items"]] == [people[2].pk, people[1].pk]
    assert [i["candidate_id"] for i in rest["items"]] == [people[0].pk]
    assert rest["next_cursor"] is None
    (item,) = stopped["items"]
    assert {k: item[k] for k in ("status", "stop_reason", "stop_label", "next_step_at")} == {
        "status": "stopped",
        "stop_reason": "manual",
        "stop_label": "Stopped by a teammate",
        "next_step_at": None,
    }
    assert page["items"][1]["step_label"] == "Step 1 of 2 · E-mail"
    assert page["items"][1]["enrolled_by"] == "Alice Admin"


def test_bad_list_parameters_name_the_field(alice_client: Client, sequence: Sequence) -> None:
    path = f"{API}/outreach/sequences/{sequence.pk}/enrollments"

    assert alice_client.get(f"{path}?status=gone").json() == error(
        "invalid", "Status is one of: active, paused, finished, stopped.", "status"
    )
    assert alice_client.get(f"{path}?cursor=%%%").json()["error"]["field"] == "cursor"
    assert alice_client.get(f"{path}?limit=0").json()["error"]["field"] == "limit"


def test_pause_resume_and_stop_one_enrolment(
    alice_client: Client, alice_actor: Actor, sequence: Sequence, prospect: Candidate
) -> None:
    services.enroll(actor=alice_actor, sequence=sequence, candidate_ids=[prospect.pk])
    enrollment = Enrollment.objects.get()
    path = f"/outreach/enrollments/{enrollment.pk}"

    assert call(alice_client, "post", f"{path}/pause").json()["status"] == "paused"
    assert call(alice_client, "post", f"{path}/resume").json()["status"] == "active"
    stopped = call(alice_client, "post", f"{path}/stop").json()
    assert (stopped["status"], stopped["stop_reason"]) == ("stopped", "manual")
    assert_refused(
        alice_client,
        "post",
        f"{path}/resume",
        status=409,
        body=error(
            "illegal_transition",
            "This enrolment is stopped; only an enrolment that is paused can be resumed.",
            "status",
        ),
    )
    entry = Activity.objects.get(candidate=prospect, type="sequence_stopped")
    assert entry.summary == "Stopped the sequence Backend outreach by hand (alice@acme.test)"


def test_another_workspaces_enrolment_is_not_found(
    charlie_client: Client, alice_actor: Actor, sequence: Sequence, prospect: Candidate
) -> None:
    services.enroll(actor=alice_actor, sequence=sequence, candidate_ids=[prospect.pk])
    enrollment = Enrollment.objects.get()

    for method, suffix in (("get", ""), ("post", "/pause"), ("post", "/stop")):
        assert_like_missing(
            partial(call, charlie_client, method, f"/outreach/enrollments/{enrollment.pk}{suffix}"),
            partial(call, charlie_client, method, f"/outreach/enrollments/{MISSING_ID}{suffix}"),
            body=error("not_found", "No such enrolment."),
        )


def test_bob_enrols_but_auditors_and_hiring_managers_cannot(
    bob_client: Client,
    auditor_client: Client,
    hiring_manager_client: Client,
    sequence: Sequence,
    prospect: Candidate,
) -> None:
    for client in (auditor_client, hiring_manager_client):
        assert_refused(
            client,
            "post",
            f"/outreach/sequences/{sequence.pk}/enrollments",
            {"candidate_ids": [prospect.pk]},
            status=403,
            body=error("forbidden", "Your role does not allow outreach."),
        )

    assert _enroll(bob_client, sequence, {"candidate_ids": [prospect.pk]}).status_code == 200
    assert Enrollment.objects.get().enrolled_by.email == "bob@acme.test"  # type: ignore[union-attr]
