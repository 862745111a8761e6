"""/api/v1/audit-events: the access audit, newest first, for admins and auditors."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
import time_machine
from django.test import Client

from talentloop.accounts.models import User, Workspace
from talentloop.accounts.roles import Role
from talentloop.candidates.models import Candidate
from talentloop.candidates.services import create_candidate, log_candidate_view
from talentloop.compliance.models import AuditEvent
from talentloop.core.actor import Actor
from talentloop.core.tests.api_helpers import (
    API,
    UNAUTHENTICATED,
    bearer,
    error,
    invalid,
    stored_state,
)

NOW = dt.datetime(2026, 3, 1, 9, 0, tzinfo=dt.UTC)
AUDITORS_ONLY = error("forbidden", "Only admins and auditors can read the audit log.")


@pytest.fixture
def history(alice_actor: Actor, bob_actor: Actor, charlie_actor: Actor) -> dict[str, Candidate]:
    """Alice creates Ada at NOW, bob views her a day later; charlie works in Globex."""
    with time_machine.travel(NOW, tick=False):
        ada = create_candidate(actor=alice_actor, data={"first_name": "Ada"})
    with time_machine.travel(NOW + dt.timedelta(days=1), tick=False):
        log_candidate_view(actor=bob_actor, candidate=ada)
        other = create_candidate(actor=charlie_actor, data={"first_name": "Other"})
    return {"ada": ada, "other": other}


def _actions(response: Any) -> list[tuple[str, str]]:
    assert response.status_code == 200, response.content
    return [(e["actor_label"], e["action"]) for e in response.json()["items"]]


def test_returns_the_workspace_events_newest_first(
    alice_client: Client, history: dict[str, Candidate], alice: User, bob: User
) -> None:
    ada = history["ada"]
    created, viewed = AuditEvent.objects.filter(target_id=ada.pk).order_by("id")

    response = alice_client.get(f"{API}/audit-events")

    assert response.status_code == 200
    assert response.json() == {
        "items": [
            {
                "id": viewed.pk,
                "actor_id": bob.pk,
                "actor_label": "bob@acme.test",
                "action": "candidate.viewed",
                "target_type": "candidate",
                "target_id": ada.pk,
                "target_label": "Ada",
                "changes": {},
                "extra": {},
                "ip": "127.0.0.1",
                "occurred_at": "2026-03-02T09:00:00Z",
            },
            {
                "id": created.pk,
                "actor_id": alice.pk,
                "actor_label": "alice@acme.test",
                "action": "candidate.created",
                "target_type": "candidate",
                "target_id": ada.pk,
                "target_label": "Ada",
                "changes": {
                    "first_name": [None, "Ada"],
                    "source": [None, "sourced"],
                    "owner_id": [None, alice.pk],
                },
                "extra": {},
                "ip": "127.0.0.1",
                "occurred_at": "2026-03-01T09:00:00Z",
            },
        ],
        "next_cursor": None,
    }


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"action": "candidate.viewed"}, [("bob@acme.test", "candidate.viewed")]),
        (
            {"target_type": "candidate"},
            [("bob@acme.test", "candidate.viewed"), ("alice@acme.test", "candidate.created")],
        ),
        ({"target_type": "note"}, []),
        ({"since": "2026-03-02T00:00:00Z"}, [("bob@acme.test", "candidate.viewed")]),
        ({"until": "2026-03-02T00:00:00"}, [("alice@acme.test", "candidate.created")]),
    ],
)
def test_filters_events(
    alice_client: Client,
    history: dict[str, Candidate],
    params: dict[str, str],
    expected: list[tuple[str, str]],
) -> None:
    assert _actions(alice_client.get(f"{API}/audit-events", params)) == expected


def test_filters_by_actor_and_target(
    alice_client: Client, history: dict[str, Candidate], bob: User
) -> None:
    by_bob = alice_client.get(f"{API}/audit-events", {"actor_id": bob.pk})
    on_ada = alice_client.get(
        f"{API}/audit-events", {"target_id": str(history["ada"].pk), "target_type": "candidate"}
    )

    assert _actions(by_bob) == [("bob@acme.test", "candidate.viewed")]
    assert _actions(on_ada) == [
        ("bob@acme.test", "candidate.viewed"),
        ("alice@acme.test", "candidate.created"),
    ]


def test_an_auditor_reads_the_log(
    acme: Workspace, member_factory: Callable[..., User], history: dict[str, Candidate]
) -> None:
    auditor = Client()
    auditor.force_login(member_factory("audrey@acme.test", acme, Role.AUDITOR))

    assert len(_actions(auditor.get(f"{API}/audit-events"))) == 2


def test_refuses_a_recruiter(bob_client: Client, history: dict[str, Candidate]) -> None:
    before = stored_state()

    response = bob_client.get(f"{API}/audit-events")

    assert response.status_code == 403
    assert response.json() == AUDITORS_ONLY
    assert stored_state() == before


def test_refuses_an_api_key(
    client: Client, history: dict[str, Candidate], api_key_factory: Any
) -> None:
    response = client.get(f"{API}/audit-events", headers=bearer(api_key_factory("write")))

    assert response.status_code == 403
    assert response.json() == AUDITORS_ONLY


def test_another_workspace_sees_only_its_own_events(
    charlie_client: Client, history: dict[str, Candidate]
) -> None:
    everything = charlie_client.get(f"{API}/audit-events")
    on_ada = charlie_client.get(f"{API}/audit-events", {"target_id": history["ada"].pk})

    assert _actions(everything) == [("charlie@globex.test", "candidate.created")]
    assert _actions(on_ada) == []


def test_refuses_to_read_the_log_without_authentication(
    client: Client, history: dict[str, Candidate]
) -> None:
    response = client.get(f"{API}/audit-events")

    assert response.status_code == 401
    assert response.json() == UNAUTHENTICATED


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        (
            {"action": "candidate.stolen"},
            error("invalid", "Unknown action 'candidate.stolen'.", "action"),
        ),
        ({"since": "yesterday"}, error("invalid", "Use an ISO 8601 date-time.", "since")),
        # Was a 500: well-formed but impossible dates raised ValueError.
        (
            {"until": "2026-02-30T00:00:00Z"},
            error("invalid", "Use an ISO 8601 date-time.", "until"),
        ),
        ({"limit": "0"}, error("invalid", "Limit is 1 to 500.", "limit")),
        ({"limit": "501"}, error("invalid", "Limit is 1 to 500.", "limit")),
        ({"cursor": "nope"}, error("invalid", "This cursor is not valid.", "cursor")),
        ({"cursor": "WzEuNV0"}, error("invalid", "This cursor is not valid.", "cursor")),  # [1.5]
        # Was a 500 on SQLite, which cannot hold an integer this large.
        (
            {"actor_id": "99999999999999999999"},
            invalid("Input should be less than 9223372036854775808", "actor_id"),
        ),
    ],
)
def test_refuses_bad_parameters(
    alice_client: Client, params: dict[str, str], expected: dict[str, Any]
) -> None:
    response = alice_client.get(f"{API}/audit-events", params)

    assert response.status_code == 422
    assert response.json() == expected


def test_cursor_pages_give_every_event_once(
    alice_client: Client, alice_actor: Actor, candidate_factory: Callable[..., Candidate]
) -> None:
    ada = candidate_factory()
    for _ in range(4):
        log_candidate_view(actor=alice_actor, candidate=ada)
    expected = list(
        AuditEvent.objects.filter(workspace=alice_actor.workspace)
        .order_by("-id")
        .values_list("id", flat=True)
    )

    ids: list[int] = []
    cursor: str | None = ""
    pages = 0
    while cursor is not None:
        response = alice_client.get(f"{API}/audit-events", {"limit": "2", "cursor": cursor})
        ids += [item["id"] for item in response.json()["items"]]
        cursor, pages = response.json()["next_cursor"], pages + 1
        assert pages < 10

    assert ids == expected
    assert (len(ids), pages) == (5, 3)


@pytest.mark.parametrize("events", [1, 12])
def test_reads_the_log_in_the_same_number_of_queries_however_long(
    alice_client: Client,
    alice_actor: Actor,
    candidate_factory: Callable[..., Candidate],
    events: int,
    django_assert_num_queries: Any,
) -> None:
    ada = candidate_factory()
    for _ in range(events - 1):
        log_candidate_view(actor=alice_actor, candidate=ada)

    # session, user, membership; the events
    with django_assert_num_queries(4):
        response = alice_client.get(f"{API}/audit-events")

    assert len(response.json()["items"]) == events
