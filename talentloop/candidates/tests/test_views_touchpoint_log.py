"""Logging a call or LinkedIn message that happened outside Talentloop."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from http import HTTPStatus

import pytest
import time_machine
from django.test import Client

from talentloop.accounts.models import User, Workspace
from talentloop.accounts.roles import Role
from talentloop.candidates.models import Activity, Candidate
from talentloop.compliance.models import AuditEvent

NOW = dt.datetime(2026, 3, 10, 12, 0, tzinfo=dt.UTC)


@pytest.fixture(autouse=True)
def _frozen() -> Iterator[None]:
    with time_machine.travel(NOW, tick=False):
        yield


def _url(candidate: Candidate) -> str:
    return f"/candidates/{candidate.pk}/touchpoints"


def _logged() -> list[tuple[str, str, str, dict[str, str], dt.datetime, str | None]]:
    return list(
        Activity.objects.filter(type__in=["call", "linkedin_message"])
        .order_by("id")
        .values_list("type", "channel", "summary", "payload", "occurred_at", "actor__email")
    )


def _last_contacted(candidate: Candidate) -> dt.datetime | None:
    return Candidate.objects.get(pk=candidate.pk).last_contacted_at


def test_anonymous_is_sent_to_sign_in(client: Client, candidate: Candidate) -> None:
    response = client.post(
        _url(candidate), {"type": "call", "direction": "outbound", "summary": "Hi"}
    )

    assert response.status_code == HTTPStatus.FOUND
    assert response["Location"] == f"/accounts/login/?next=/candidates/{candidate.pk}/touchpoints"
    assert _logged() == []


def test_logs_an_outbound_call_now(alice_client: Client, candidate: Candidate) -> None:
    response = alice_client.post(
        _url(candidate),
        {"type": "call", "direction": "outbound", "summary": "Intro call, keen on Q3"},
    )

    assert response.status_code == HTTPStatus.FOUND
    assert response["Location"] == f"/candidates/{candidate.pk}/"
    assert _logged() == [
        (
            "call",
            "phone",
            "Intro call, keen on Q3",
            {"direction": "outbound"},
            NOW,
            "alice@acme.test",
        )
    ]
    assert _last_contacted(candidate) == NOW
    assert AuditEvent.objects.filter(action="activity.logged", target_id=candidate.pk).count() == 1
    page = alice_client.get(response["Location"]).content.decode()
    assert "Call logged." in page
    assert "Intro call, keen on Q3" in page


def test_logs_an_inbound_linkedin_message_at_a_past_time(
    bob_client: Client, candidate: Candidate
) -> None:
    response = bob_client.post(
        _url(candidate),
        {
            "type": "linkedin_message",
            "direction": "inbound",
            "summary": "Asked about remote",
            "occurred_at": "2026-03-09T17:45",
        },
    )

    assert response.status_code == HTTPStatus.FOUND
    assert _logged() == [
        (
            "linkedin_message",
            "linkedin",
            "Asked about remote",
            {"direction": "inbound"},
            dt.datetime(2026, 3, 9, 17, 45, tzinfo=dt.UTC),
            "bob@acme.test",
        )
    ]
    # They reached out: that is not us contacting them.
    assert _last_contacted(candidate) is None
    page = bob_client.get(f"/candidates/{candidate.pk}/").content.decode()
    assert "LinkedIn message (inbound)" in page


@pytest.mark.parametrize(
    ("data", "errors"),
    [
        (
            {
                "type": "call",
                "direction": "outbound",
                "summary": "Later",
                "occurred_at": "2026-03-11T12:00",
            },
            {"occurred_at": ["A logged touchpoint cannot be in the future."]},
        ),
        (
            {"type": "call", "direction": "outbound", "summary": ""},
            {"summary": ["This field is required."]},
        ),
        (
            {"type": "email_sent", "direction": "outbound", "summary": "Hi"},
            {"type": ["Select a valid choice. email_sent is not one of the available choices."]},
        ),
        (
            {"type": "call", "direction": "sideways", "summary": "Hi"},
            {"direction": ["Select a valid choice. sideways is not one of the available choices."]},
        ),
    ],
)
def test_invalid_touchpoint_is_shown_on_its_field_and_nothing_is_saved(
    alice_client: Client,
    candidate: Candidate,
    data: dict[str, str],
    errors: dict[str, list[str]],
) -> None:
    response = alice_client.post(_url(candidate), data)

    assert response.status_code == HTTPStatus.UNPROCESSABLE_ENTITY
    assert response.context["touchpoint_form"].errors == errors
    assert _logged() == []
    assert _last_contacted(candidate) is None
    # The form with the error is the one left open.
    assert '<details class="action" open><summary>Log a call' in response.content.decode()


def test_other_workspace_gets_404(charlie_client: Client, candidate: Candidate) -> None:
    response = charlie_client.post(
        _url(candidate), {"type": "call", "direction": "outbound", "summary": "Hi"}
    )

    assert response.status_code == HTTPStatus.NOT_FOUND
    assert _logged() == []


def test_auditor_cannot_log(
    client: Client, acme: Workspace, member_factory: Callable[..., User], candidate: Candidate
) -> None:
    client.force_login(member_factory("audrey@acme.test", acme, Role.AUDITOR))

    response = client.post(
        _url(candidate), {"type": "call", "direction": "outbound", "summary": "Hi"}
    )

    assert response.status_code == HTTPStatus.FORBIDDEN
    assert _logged() == []
