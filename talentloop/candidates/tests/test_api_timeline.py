"""/api/v1/candidates/{id}/timeline and /touchpoints: the touchpoint history and logging calls."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
import time_machine
from django.test import Client

from talentloop.accounts.models import User, Workspace
from talentloop.accounts.roles import Role
from talentloop.candidates.models import Activity, Candidate
from talentloop.candidates.services import add_note, log_touchpoint
from talentloop.compliance.models import AuditEvent
from talentloop.core.actor import Actor
from talentloop.core.tests.api_helpers import (
    API,
    MISSING_ID,
    NO_SUCH_CANDIDATE,
    READ_ONLY_KEY,
    UNAUTHENTICATED,
    assert_like_missing,
    assert_refused,
    bearer,
    call,
    error,
    stored_state,
)

NOW = dt.datetime(2026, 3, 1, 9, 0, tzinfo=dt.UTC)
CALL = {
    "type": "call",
    "summary": "Talked about the Rust role",
    "occurred_at": "2026-02-28T15:00:00Z",
}


@pytest.fixture
def grace(candidate_factory: Callable[..., Candidate]) -> Candidate:
    with time_machine.travel(NOW - dt.timedelta(days=30), tick=False):
        return candidate_factory(first_name="Grace", last_name="Hopper")


def _timeline(client: Client, candidate: Candidate, **params: Any) -> list[tuple[str, str]]:
    response = client.get(f"{API}/candidates/{candidate.pk}/timeline", params)
    assert response.status_code == 200, response.content
    return [(item["type"], item["summary"]) for item in response.json()["items"]]


# --- timeline --------------------------------------------------------------------------------


def test_returns_the_timeline_newest_first(
    alice_client: Client, grace: Candidate, alice_actor: Actor, alice: User
) -> None:
    with time_machine.travel(NOW, tick=False):
        note = add_note(actor=alice_actor, candidate=grace, body="Strong on COBOL.")

    response = alice_client.get(f"{API}/candidates/{grace.pk}/timeline")

    assert response.status_code == 200
    assert response.json() == {
        "items": [
            {
                "id": note.activity_id,
                "type": "note",
                "channel": "internal",
                "actor_id": alice.pk,
                "summary": "Strong on COBOL.",
                "payload": {"note_id": note.pk},
                "is_private": False,
                "occurred_at": "2026-03-01T09:00:00Z",
            },
            {
                "id": Activity.objects.get(type="created").pk,
                "type": "created",
                "channel": "internal",
                "actor_id": alice.pk,
                "summary": "Added by alice@acme.test (source: Sourced)",
                "payload": {},
                "is_private": False,
                "occurred_at": "2026-01-30T09:00:00Z",
            },
        ],
        "next_cursor": None,
    }


def test_shows_private_notes_to_their_author_only(
    alice_client: Client, bob_client: Client, grace: Candidate, alice_actor: Actor
) -> None:
    with time_machine.travel(NOW, tick=False):
        add_note(
            actor=alice_actor, candidate=grace, body="Salary: ask again.", visibility="private"
        )

    response = alice_client.get(f"{API}/candidates/{grace.pk}/timeline")
    assert [(i["summary"], i["is_private"]) for i in response.json()["items"]] == [
        ("Salary: ask again.", True),
        ("Added by alice@acme.test (source: Sourced)", False),
    ]
    assert _timeline(bob_client, grace) == [
        ("created", "Added by alice@acme.test (source: Sourced)")
    ]


def test_filters_by_type(alice_client: Client, grace: Candidate, alice_actor: Actor) -> None:
    add_note(actor=alice_actor, candidate=grace, body="A note")
    log_touchpoint(actor=alice_actor, candidate=grace, type="call", summary="A call")
    log_touchpoint(actor=alice_actor, candidate=grace, type="linkedin_message", summary="A message")

    assert _timeline(alice_client, grace, type="call,note") == [
        ("call", "A call"),
        ("note", "A note"),
    ]


def test_a_recruiter_reads_the_timeline(bob_client: Client, grace: Candidate) -> None:
    assert _timeline(bob_client, grace) == [
        ("created", "Added by alice@acme.test (source: Sourced)")
    ]


def test_another_workspace_gets_the_same_404_as_a_missing_candidate(
    charlie_client: Client, grace: Candidate
) -> None:
    theirs = charlie_client.get(f"{API}/candidates/{grace.pk}/timeline")
    missing = charlie_client.get(f"{API}/candidates/{MISSING_ID}/timeline")

    assert (theirs.status_code, missing.status_code) == (404, 404)
    assert theirs.json() == missing.json() == NO_SUCH_CANDIDATE


def test_refuses_to_read_the_timeline_without_authentication(
    client: Client, grace: Candidate
) -> None:
    response = client.get(f"{API}/candidates/{grace.pk}/timeline")

    assert response.status_code == 401
    assert response.json() == UNAUTHENTICATED


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"type": "carrier_pigeon"}, error("invalid", "Unknown type 'carrier_pigeon'.", "type")),
        ({"limit": "0"}, error("invalid", "Limit is 1 to 10000.", "limit")),
        ({"cursor": "nope"}, error("invalid", "This cursor is not valid.", "cursor")),
        # base64 of ["2026-02-30T00:00:00", 1]: well-formed, but no such day
        (
            {"cursor": "WyIyMDI2LTAyLTMwVDAwOjAwOjAwIiwgMV0"},
            error("invalid", "This cursor is not valid.", "cursor"),
        ),
    ],
)
def test_refuses_bad_timeline_parameters(
    alice_client: Client, grace: Candidate, params: dict[str, str], expected: dict[str, Any]
) -> None:
    response = alice_client.get(f"{API}/candidates/{grace.pk}/timeline", params)

    assert response.status_code == 422
    assert response.json() == expected


def test_cursor_pages_give_every_entry_once(
    alice_client: Client, grace: Candidate, alice_actor: Actor
) -> None:
    moment = NOW - dt.timedelta(days=1)
    for n in range(6):  # pairs share a time, so the id has to break the tie
        log_touchpoint(
            actor=alice_actor,
            candidate=grace,
            type="call",
            summary=f"Call {n}",
            occurred_at=moment + dt.timedelta(minutes=n // 2),
        )
    expected = list(
        Activity.objects.filter(candidate=grace)
        .order_by("-occurred_at", "-id")
        .values_list("id", flat=True)
    )

    ids: list[int] = []
    cursor: str | None = ""
    pages = 0
    while cursor is not None:
        response = alice_client.get(
            f"{API}/candidates/{grace.pk}/timeline", {"limit": "2", "cursor": cursor}
        )
        ids += [item["id"] for item in response.json()["items"]]
        cursor, pages = response.json()["next_cursor"], pages + 1
        assert pages < 10

    assert ids == expected
    assert len(ids) == 7
    assert pages == 4


@pytest.mark.parametrize("entries", [1, 10])
def test_reads_the_timeline_in_the_same_number_of_queries_however_long(
    alice_client: Client,
    grace: Candidate,
    alice_actor: Actor,
    entries: int,
    django_assert_num_queries: Any,
) -> None:
    for n in range(entries):
        add_note(actor=alice_actor, candidate=grace, body=f"Note {n}")

    # session, user, membership, candidate; the entries; their notes
    with django_assert_num_queries(6):
        response = alice_client.get(f"{API}/candidates/{grace.pk}/timeline")

    assert len(response.json()["items"]) == entries + 1


# --- touchpoints -----------------------------------------------------------------------------


def test_logs_a_call(alice_client: Client, grace: Candidate, alice: User) -> None:
    with time_machine.travel(NOW, tick=False):
        response = call(alice_client, "post", f"/candidates/{grace.pk}/touchpoints", CALL)

    assert response.status_code == 201
    activity = Activity.objects.get(type="call")
    assert response.json() == {
        "id": activity.pk,
        "type": "call",
        "channel": "phone",
        "actor_id": alice.pk,
        "summary": "Talked about the Rust role",
        "payload": {"direction": "outbound"},
        "is_private": False,
        "occurred_at": "2026-02-28T15:00:00Z",
    }
    grace.refresh_from_db()
    assert grace.last_contacted_at == dt.datetime(2026, 2, 28, 15, 0, tzinfo=dt.UTC)
    event = AuditEvent.objects.get(action="activity.logged")
    assert (event.actor_id, event.target_id, event.extra) == (
        alice.pk,
        grace.pk,
        {"activity_id": activity.pk, "type": "call"},
    )


def test_an_inbound_message_does_not_count_as_contacting(
    alice_client: Client, grace: Candidate
) -> None:
    response = call(
        alice_client,
        "post",
        f"/candidates/{grace.pk}/touchpoints",
        {"type": "linkedin_message", "summary": "She wrote first", "direction": "inbound"},
    )

    assert response.status_code == 201
    assert (response.json()["channel"], response.json()["payload"]) == (
        "linkedin",
        {"direction": "inbound"},
    )
    grace.refresh_from_db()
    assert grace.last_contacted_at is None


def test_a_recruiter_logs_touchpoints(bob_client: Client, grace: Candidate, bob: User) -> None:
    response = call(bob_client, "post", f"/candidates/{grace.pk}/touchpoints", CALL)

    assert response.status_code == 201
    assert Activity.objects.get(type="call").actor_id == bob.pk


def test_refuses_a_touchpoint_on_another_workspace_candidate_like_a_missing_one(
    charlie_client: Client, grace: Candidate
) -> None:
    assert_like_missing(
        lambda: call(charlie_client, "post", f"/candidates/{grace.pk}/touchpoints", CALL),
        lambda: call(charlie_client, "post", f"/candidates/{MISSING_ID}/touchpoints", CALL),
        body=NO_SUCH_CANDIDATE,
    )


def test_refuses_a_touchpoint_without_authentication(client: Client, grace: Candidate) -> None:
    assert_refused(
        client,
        "post",
        f"/candidates/{grace.pk}/touchpoints",
        CALL,
        status=401,
        body=UNAUTHENTICATED,
    )


def test_refuses_a_touchpoint_with_a_read_key(
    client: Client, grace: Candidate, api_key_factory: Any
) -> None:
    secret = api_key_factory("read")
    assert_refused(
        client,
        "post",
        f"/candidates/{grace.pk}/touchpoints",
        CALL,
        headers=bearer(secret),
        status=403,
        body=READ_ONLY_KEY,
    )


def test_refuses_a_touchpoint_for_a_role_without_notes(
    acme: Workspace, member_factory: Callable[..., User], grace: Candidate
) -> None:
    auditor = Client()
    auditor.force_login(member_factory("audrey@acme.test", acme, Role.AUDITOR))
    assert_refused(
        auditor,
        "post",
        f"/candidates/{grace.pk}/touchpoints",
        CALL,
        status=403,
        body=error("forbidden", "Your role does not allow this."),
    )


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        ({"type": "email_sent"}, error("invalid", "Log a call or a LinkedIn message.", "type")),
        (
            {"direction": "sideways"},
            error("invalid", "Direction is outbound or inbound.", "direction"),
        ),
        (
            {"summary": "   "},
            error("invalid", "Say what happened, in 1 to 500 characters.", "summary"),
        ),
        (
            {"occurred_at": "2026-03-02T09:00:00Z"},
            error("invalid", "A logged touchpoint cannot be in the future.", "occurred_at"),
        ),
        # Was a 500: a naive time was compared with an aware one.
        (
            {"occurred_at": "2026-02-28T15:00:00"},
            error("invalid", "Give the time with a time zone.", "occurred_at"),
        ),
    ],
)
def test_refuses_an_invalid_touchpoint(
    alice_client: Client, grace: Candidate, changes: dict[str, Any], expected: dict[str, Any]
) -> None:
    before = stored_state()

    with time_machine.travel(NOW, tick=False):
        response = call(
            alice_client, "post", f"/candidates/{grace.pk}/touchpoints", {**CALL, **changes}
        )

    assert response.status_code == 422
    assert response.json() == expected
    assert stored_state() == before
