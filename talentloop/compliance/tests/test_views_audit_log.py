"""The audit log page: admins and auditors read it, with filters; others get 403."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from http import HTTPStatus
from typing import Any

import pytest
from django.test import Client

from talentloop.accounts.models import User, Workspace
from talentloop.accounts.roles import Role
from talentloop.candidates.models import Candidate
from talentloop.candidates.services import log_candidate_view, update_candidate
from talentloop.compliance.models import AuditEvent
from talentloop.core.actor import Actor

AUDIT = "/compliance/audit/"
DAY1 = dt.datetime(2026, 3, 9, 10, 0, tzinfo=dt.UTC)
DAY2 = dt.datetime(2026, 3, 10, 10, 0, tzinfo=dt.UTC)


def _rows(response: Any) -> list[tuple[str, str, int | None]]:
    assert response.status_code == HTTPStatus.OK
    return [(e.actor_label, e.action, e.target_id) for e in response.context["page"]]


@pytest.fixture
def history(
    time_machine: Any,
    alice_actor: Actor,
    bob_actor: Actor,
    candidate_factory: Callable[..., Candidate],
    charlie_candidate: Candidate,
) -> dict[str, Candidate]:
    """Day 1: alice adds Ada. Day 2: bob views her, then changes her title."""
    time_machine.move_to(DAY1, tick=False)
    ada = candidate_factory(first_name="Ada", last_name="Lovelace")
    time_machine.move_to(DAY2, tick=False)
    log_candidate_view(actor=bob_actor, candidate=ada)
    update_candidate(actor=bob_actor, candidate=ada, data={"current_title": "Analyst"})
    return {"ada": ada}


def test_anonymous_is_sent_to_sign_in(client: Client) -> None:
    response = client.get(AUDIT)

    assert response.status_code == HTTPStatus.FOUND
    assert response["Location"] == "/accounts/login/?next=/compliance/audit/"


def test_admin_sees_the_workspace_events_newest_first(
    alice_client: Client, history: dict[str, Candidate]
) -> None:
    ada = history["ada"].pk

    response = alice_client.get(AUDIT)

    assert _rows(response) == [
        ("bob@acme.test", "candidate.updated", ada),
        ("bob@acme.test", "candidate.viewed", ada),
        ("alice@acme.test", "candidate.created", ada),
    ]
    html = response.content.decode()
    assert "<strong>current_title</strong>:  → Analyst" in html.replace("∅", "")
    assert "Other" not in html  # Globex's candidate
    assert 'href="/compliance/audit/"' in html  # the nav link


def test_auditor_can_read_it(
    client: Client,
    acme: Workspace,
    member_factory: Callable[..., User],
    history: dict[str, Candidate],
) -> None:
    client.force_login(member_factory("audrey@acme.test", acme, Role.AUDITOR))

    response = client.get(AUDIT)

    assert [action for _, action, _ in _rows(response)] == [
        "candidate.updated",
        "candidate.viewed",
        "candidate.created",
    ]


def test_recruiter_gets_403(
    bob_client: Client, history: dict[str, Candidate], caplog: pytest.LogCaptureFixture
) -> None:
    response = bob_client.get(AUDIT)

    assert response.status_code == HTTPStatus.FORBIDDEN
    assert "Only admins and auditors can read the audit log." in response.content.decode()
    # Logged as one line, without the permission check's traceback.
    [logged] = [r for r in caplog.records if r.name == "django.request"]
    assert logged.getMessage() == "Forbidden (Permission denied): /compliance/audit/"
    assert logged.exc_info is None
    assert 'href="/compliance/audit/"' not in bob_client.get("/").content.decode()


def test_other_workspace_sees_only_its_own_events(
    charlie_client: Client, charlie_candidate: Candidate, history: dict[str, Candidate]
) -> None:
    response = charlie_client.get(AUDIT)

    assert _rows(response) == [("charlie@globex.test", "candidate.created", charlie_candidate.pk)]


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"action": "candidate.viewed"}, ["candidate.viewed"]),
        ({"action": "candidate.created"}, ["candidate.created"]),
        ({"action": "member.invited"}, []),
        ({"since": "2026-03-10"}, ["candidate.updated", "candidate.viewed"]),
        ({"until": "2026-03-09"}, ["candidate.created"]),
        ({"since": "2026-03-09", "until": "2026-03-09"}, ["candidate.created"]),
        ({"target_type": "candidate", "action": "candidate.updated"}, ["candidate.updated"]),
        ({"target_type": "user"}, []),
    ],
)
def test_filters(
    alice_client: Client,
    history: dict[str, Candidate],
    params: dict[str, str],
    expected: list[str],
) -> None:
    response = alice_client.get(AUDIT, params)

    assert [action for _, action, _ in _rows(response)] == expected


def test_filters_by_actor_and_target(
    alice_client: Client,
    bob: User,
    history: dict[str, Candidate],
    candidate_factory: Callable[..., Candidate],
) -> None:
    other = candidate_factory(first_name="Someone", last_name="Else")

    by_bob = alice_client.get(AUDIT, {"actor": str(bob.pk)})
    by_target = alice_client.get(AUDIT, {"target_id": str(other.pk)})

    assert [action for _, action, _ in _rows(by_bob)] == ["candidate.updated", "candidate.viewed"]
    assert _rows(by_target) == [("alice@acme.test", "candidate.created", other.pk)]


def test_unknown_action_is_a_field_error(
    alice_client: Client, history: dict[str, Candidate]
) -> None:
    response = alice_client.get(AUDIT, {"action": "candidate.stolen"})

    assert response.status_code == 422
    assert response.context["form"].errors == {
        "action": ["Select a valid choice. candidate.stolen is not one of the available choices."]
    }
    assert list(response.context["page"]) == []  # nothing rather than everything


def test_pages_of_fifty_keep_the_filters(
    alice_client: Client, alice_actor: Actor, candidate: Candidate
) -> None:
    AuditEvent.objects.all().delete()
    for _ in range(51):
        log_candidate_view(actor=alice_actor, candidate=candidate)

    first = alice_client.get(AUDIT, {"action": "candidate.viewed"})
    second = alice_client.get(AUDIT, {"action": "candidate.viewed", "page": "2"})

    assert len(first.context["page"]) == 50
    assert 'href="?action=candidate.viewed&page=2">Older »</a>' in first.content.decode()
    assert len(second.context["page"]) == 1
    assert alice_client.get(AUDIT, {"page": "nonsense"}).status_code == HTTPStatus.OK
