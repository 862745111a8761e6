"""/api/v1/outreach/sequences: the builder's API, status moves, funnels, and who may do what."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

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
from talentloop.outreach import services
from talentloop.outreach.models import Enrollment, Message, Sequence, SequenceStep, Template

pytestmark = pytest.mark.urls("talentloop.outreach.tests.urls_outreach_test")
NO_SUCH_SEQUENCE = error("not_found", "No such sequence.")


def _payload(template: Template, **overrides: Any) -> dict[str, Any]:
    return {
        "name": "Platform engineers",
        "purpose": "recruiting",
        "stop_on": ["reply", "application"],
        "steps": [
            {
                "channel": "email",
                "delay_days": 0,
                "window_start": "09:00",
                "window_end": "17:00",
                "template_id": template.pk,
            },
            {"channel": "call_task", "delay_days": 2, "instructions": "Call them."},
        ],
        **overrides,
    }


def test_creates_and_reads_a_sequence(
    alice_client: Client, alice: Any, email_template: Template
) -> None:
    response = call(alice_client, "post", "/outreach/sequences", _payload(email_template))

    assert response.status_code == 201
    sequence = Sequence.objects.get()
    body = response.json()
    assert {k: body[k] for k in ("id", "name", "status", "owner_id", "version", "stop_on")} == {
        "id": sequence.pk,
        "name": "Platform engineers",
        "status": "draft",
        "owner_id": alice.pk,
        "version": 1,
        "stop_on": ["reply", "application", "unsubscribe", "bounce", "manual"],
    }
    assert body["steps"] == [
        {
            "position": 0,
            "channel": "email",
            "delay_days": 0,
            "business_days": True,
            "window_start": "09:00",
            "window_end": "17:00",
            "template_id": email_template.pk,
            "instructions": "",
            "sender": "owner",
            "sender_user_id": None,
        },
        {
            "position": 1,
            "channel": "call_task",
            "delay_days": 2,
            "business_days": True,
            "window_start": None,
            "window_end": None,
            "template_id": None,
            "instructions": "Call them.",
            "sender": "owner",
            "sender_user_id": None,
        },
    ]
    assert body["enrollments"] == {"active": 0, "paused": 0, "finished": 0, "stopped": 0}
    assert alice_client.get(f"{API}/outreach/sequences/{sequence.pk}").json() == body


def test_an_idempotency_key_replays_the_first_answer(
    alice_client: Client, email_template: Template
) -> None:
    headers = {"Idempotency-Key": "seq-1"}

    first = call(
        alice_client, "post", "/outreach/sequences", _payload(email_template), headers=headers
    )
    again = call(
        alice_client, "post", "/outreach/sequences", _payload(email_template), headers=headers
    )

    assert (first.status_code, again.status_code) == (201, 201)
    assert first.json() == again.json()
    assert Sequence.objects.count() == 1


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        (
            {"steps": [{"channel": "email"}]},
            "steps[0].template_id",
            "Choose the e-mail template this step sends.",
        ),
        (
            {"steps": [{"channel": "linkedin_task"}]},
            "steps[0].instructions",
            "Give instructions: what should the person do.",
        ),
        (
            {"steps": [{"channel": "email", "window_start": "18:00", "window_end": "08:00"}]},
            "steps[0].window_end",
            "The send window must end after it starts.",
        ),
        ({"purpose": "spam"}, "purpose", "One of: recruiting, marketing."),
        ({"job_id": MISSING_ID}, "job_id", "No such job."),
    ],
)
def test_bad_input_is_a_422_naming_the_field(
    alice_client: Client, change: dict[str, Any], field: str, message: str
) -> None:
    assert_refused(
        alice_client,
        "post",
        "/outreach/sequences",
        {"name": "X", **change},
        status=422,
        body=error("invalid", message, field),
    )


def test_schema_errors_name_the_step_field(alice_client: Client) -> None:
    response = call(
        alice_client,
        "post",
        "/outreach/sequences",
        {"name": "X", "steps": [{"channel": "email", "delay_days": "soon"}]},
    )

    assert response.status_code == 422
    assert response.json()["error"]["field"] == "steps[0].delay_days"
    assert Sequence.objects.exists() is False


def test_patch_and_put_steps_bump_the_version(
    alice_client: Client, sequence_factory: Callable[..., Sequence], email_template: Template
) -> None:
    sequence = sequence_factory()

    patched = call(alice_client, "patch", f"/outreach/sequences/{sequence.pk}", {"name": "New"})
    put = call(
        alice_client,
        "put",
        f"/outreach/sequences/{sequence.pk}/steps",
        {"steps": [{"channel": "email", "template_id": email_template.pk, "delay_days": 4}]},
    )

    assert (patched.status_code, patched.json()["name"], patched.json()["version"]) == (
        200,
        "New",
        2,
    )
    assert put.status_code == 200
    assert put.json()["version"] == 3
    assert [(s["position"], s["delay_days"]) for s in put.json()["steps"]] == [(0, 4)]


def test_status_moves_and_an_illegal_one_is_a_409_naming_both(
    alice_client: Client, sequence_factory: Callable[..., Sequence]
) -> None:
    sequence = sequence_factory()
    path = f"/outreach/sequences/{sequence.pk}/status"

    assert call(alice_client, "post", path, {"status": "active"}).json()["status"] == "active"
    assert call(alice_client, "post", path, {"status": "paused"}).json()["status"] == "paused"
    assert call(alice_client, "post", path, {"status": "active"}).json()["status"] == "active"
    assert_refused(
        alice_client,
        "post",
        path,
        {"status": "draft"},
        status=409,
        body=error(
            "illegal_transition",
            "An active sequence cannot become draft; from active it can become paused or archived.",
            "status",
        ),
    )
    assert_refused(
        alice_client,
        "post",
        path,
        {"status": "launched"},
        status=422,
        body=error("invalid", "One of: draft, active, paused, archived.", "status"),
    )


def test_delete_answers_409_for_a_sequence_with_history(
    alice_client: Client,
    alice_actor: Actor,
    sequence: Sequence,
    prospect: Candidate,
    sequence_factory: Callable[..., Sequence],
) -> None:
    services.enroll(actor=alice_actor, sequence=sequence, candidate_ids=[prospect.pk])
    unused = sequence_factory()

    assert_refused(
        alice_client,
        "delete",
        f"/outreach/sequences/{sequence.pk}",
        status=409,
        body=error(
            "conflict",
            "People were enrolled in this sequence, so it keeps its history: archive it instead.",
            "status",
        ),
    )
    assert call(alice_client, "delete", f"/outreach/sequences/{unused.pk}").status_code == 204
    assert list(Sequence.objects.values_list("pk", flat=True)) == [sequence.pk]


def test_list_has_key_numbers_in_a_fixed_number_of_queries(
    alice_client: Client,
    alice_actor: Actor,
    sequence_factory: Callable[..., Sequence],
    prospect_factory: Callable[..., Candidate],
    django_assert_num_queries: Any,
) -> None:
    first = sequence_factory(name="A first", status="active")
    services.enroll(
        actor=alice_actor,
        sequence=first,
        candidate_ids=[prospect_factory().pk, prospect_factory().pk],
    )
    sequence_factory(name="B second")
    alice_client.get(f"{API}/outreach/sequences")  # the session and actor are loaded once

    # session, user, membership, then sequences, step counts, enrolments, messages
    with django_assert_num_queries(7):
        body = alice_client.get(f"{API}/outreach/sequences").json()
    sequence_factory(name="C third")
    sequence_factory(name="D fourth")
    with django_assert_num_queries(7):
        more = alice_client.get(f"{API}/outreach/sequences").json()

    assert [(s["name"], s["status"], s["steps"], s["active"]) for s in body] == [
        ("A first", "active", 2, 2),
        ("B second", "draft", 2, 0),
    ]
    assert len(more) == 4
    assert alice_client.get(f"{API}/outreach/sequences?status=draft").json()[0]["name"] == (
        "B second"
    )


def _message(enrollment: Enrollment, step: SequenceStep, n: int, **stamps: Any) -> Message:
    return Message.objects.create(
        workspace_id=enrollment.workspace_id,
        key=f"e{enrollment.pk}.{step.position}.{n}",
        candidate_id=enrollment.candidate_id,
        channel=step.channel,
        purpose="recruiting",
        enrollment=enrollment,
        step=step,
        **stamps,
    )


def test_the_funnel_counts_each_step_from_the_ledger(
    alice_client: Client,
    alice_actor: Actor,
    sequence: Sequence,
    prospect_factory: Callable[..., Candidate],
    django_assert_max_num_queries: Any,
) -> None:
    people = [prospect_factory() for _ in range(4)]
    services.enroll(actor=alice_actor, sequence=sequence, candidate_ids=[p.pk for p in people])
    first, second = sequence.steps.order_by("position")
    now = timezone.now()
    sent = {"status": "sent", "sent_at": now}
    enrollments = list(Enrollment.objects.order_by("pk"))
    _message(enrollments[0], first, 0, **sent, delivered_at=now, opened_at=now, clicked_at=now)
    _message(enrollments[1], first, 0, **sent, delivered_at=now, opened_at=now, replied_at=now)
    _message(enrollments[2], first, 0, **sent, bounced_at=now)
    _message(enrollments[3], first, 0, status="skipped", skip_reason="no_consent")
    _message(enrollments[0], second, 0, status="task_done")
    alice_client.get(f"{API}/outreach/sequences/{sequence.pk}/funnel")

    with django_assert_max_num_queries(7):
        body = alice_client.get(f"{API}/outreach/sequences/{sequence.pk}/funnel").json()

    email, task = body["steps"]
    assert {k: email[k] for k in ("position", "sent", "delivered", "opened", "clicked")} == {
        "position": 0,
        "sent": 3,
        "delivered": 2,
        "opened": 2,
        "clicked": 1,
    }
    assert (email["replied"], email["bounced"], email["unsubscribed"], email["skipped"]) == (
        1,
        1,
        0,
        1,
    )
    assert email["rates"] == {
        "delivered": 66.7,
        "opened": 66.7,
        "clicked": 33.3,
        "replied": 33.3,
        "bounced": 33.3,
        "unsubscribed": 0.0,
    }
    assert first.template is not None
    assert email["label"] == f"Step 1 · E-mail · {first.template.name}"
    assert (task["position"], task["sent"], task["tasks_done"], task["rates"]["opened"]) == (
        1,
        0,
        1,
        None,
    )


def test_another_workspace_gets_404_like_a_missing_sequence(
    charlie_client: Client, sequence: Sequence
) -> None:
    for method, suffix, data in (
        ("get", "", None),
        ("patch", "", {"name": "Mine"}),
        ("delete", "", None),
        ("post", "/status", {"status": "paused"}),
        ("put", "/steps", {"steps": []}),
        ("get", "/funnel", None),
        ("get", "/enrollments", None),
        ("post", "/enrollments", {"candidate_ids": [1]}),
    ):
        assert_like_missing(
            partial(
                call, charlie_client, method, f"/outreach/sequences/{sequence.pk}{suffix}", data
            ),
            partial(
                call, charlie_client, method, f"/outreach/sequences/{MISSING_ID}{suffix}", data
            ),
            body=NO_SUCH_SEQUENCE,
        )


def test_auditors_read_but_cannot_write(
    auditor_client: Client, sequence: Sequence, email_template: Template
) -> None:
    assert auditor_client.get(f"{API}/outreach/sequences/{sequence.pk}").status_code == 200
    assert auditor_client.get(f"{API}/outreach/sequences").status_code == 200

    forbidden = error("forbidden", "Your role does not allow outreach.")
    assert_refused(
        auditor_client,
        "post",
        "/outreach/sequences",
        _payload(email_template),
        status=403,
        body=forbidden,
    )
    assert_refused(
        auditor_client,
        "post",
        f"/outreach/sequences/{sequence.pk}/status",
        {"status": "paused"},
        status=403,
        body=forbidden,
    )


def test_hiring_managers_cannot_read_or_write(
    hiring_manager_client: Client, sequence: Sequence
) -> None:
    assert_refused(
        hiring_manager_client,
        "get",
        f"/outreach/sequences/{sequence.pk}",
        status=403,
        body=error("forbidden", "Your role does not allow reading outreach."),
    )
    assert_refused(
        hiring_manager_client,
        "patch",
        f"/outreach/sequences/{sequence.pk}",
        {"name": "Mine"},
        status=403,
        body=error("forbidden", "Your role does not allow outreach."),
    )
