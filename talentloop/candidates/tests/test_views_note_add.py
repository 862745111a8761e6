"""Adding a note (team or private, with an optional reminder) from the profile page."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from http import HTTPStatus

import pytest
import time_machine
from django.test import Client

from talentloop.accounts.models import User, Workspace
from talentloop.accounts.roles import Role
from talentloop.candidates.models import Activity, Candidate, Note
from talentloop.compliance.models import AuditEvent

NOW = dt.datetime(2026, 3, 10, 12, 0, tzinfo=dt.UTC)


@pytest.fixture(autouse=True)
def _frozen() -> Iterator[None]:
    with time_machine.travel(NOW, tick=False):
        yield


def _url(candidate: Candidate) -> str:
    return f"/candidates/{candidate.pk}/notes"


def _notes() -> list[tuple[str, str, str | None, dt.datetime | None]]:
    return list(
        Note.objects.order_by("id").values_list("body", "visibility", "author__email", "remind_at")
    )


def test_anonymous_is_sent_to_sign_in(client: Client, candidate: Candidate) -> None:
    response = client.post(_url(candidate), {"body": "Hello", "visibility": "team"})

    assert response.status_code == HTTPStatus.FOUND
    assert response["Location"] == f"/accounts/login/?next=/candidates/{candidate.pk}/notes"
    assert _notes() == []


def test_adds_a_team_note_to_the_timeline(
    alice_client: Client, bob_client: Client, candidate: Candidate
) -> None:
    response = alice_client.post(
        _url(candidate), {"body": "  Loved the compiler talk.  ", "visibility": "team"}
    )

    assert response.status_code == HTTPStatus.FOUND
    assert response["Location"] == f"/candidates/{candidate.pk}/"
    assert _notes() == [("Loved the compiler talk.", "team", "alice@acme.test", None)]
    note = Note.objects.get()
    assert (note.activity.type, note.activity.private_to) == (Activity.Type.NOTE, None)
    assert (
        AuditEvent.objects.filter(
            action="note.created", target_id=candidate.pk, extra={"note_id": note.pk}
        ).count()
        == 1
    )
    page = alice_client.get(response["Location"])
    assert "Note added." in page.content.decode()
    bob_page = bob_client.get(response["Location"])
    assert bob_page.context["activities"][0].summary == "Loved the compiler talk."


def test_private_note_shows_to_its_author_only(
    alice_client: Client, bob_client: Client, alice: User, candidate: Candidate
) -> None:
    alice_client.post(_url(candidate), {"body": "Salary hint: 180k", "visibility": "private"})

    note = Note.objects.get()
    assert (note.visibility, note.activity.private_to) == ("private", alice)
    alice_page = alice_client.get(f"/candidates/{candidate.pk}/").content.decode()
    bob_page = bob_client.get(f"/candidates/{candidate.pk}/").content.decode()
    assert "Salary hint: 180k" in alice_page
    assert "Salary hint" not in bob_page


def test_reminder_is_read_in_the_workspace_time_zone(
    alice_client: Client, acme: Workspace, candidate: Candidate
) -> None:
    acme.timezone = "Europe/Berlin"
    acme.save()

    response = alice_client.post(
        _url(candidate),
        {"body": "Call about the Q3 role", "visibility": "team", "remind_at": "2026-03-12T09:30"},
    )

    assert response.status_code == HTTPStatus.FOUND
    # 09:30 in Berlin (UTC+1 in March) is 08:30 UTC.
    assert _notes() == [
        (
            "Call about the Q3 role",
            "team",
            "alice@acme.test",
            dt.datetime(2026, 3, 12, 8, 30, tzinfo=dt.UTC),
        )
    ]
    page = alice_client.get(f"/candidates/{candidate.pk}/").content.decode()
    assert "Reminder 12 Mar 2026, 09:30" in page


def test_reminder_shows_on_my_home_page(alice_client: Client, candidate: Candidate) -> None:
    alice_client.post(
        _url(candidate),
        {"body": "Follow up", "visibility": "private", "remind_at": "2026-03-11T09:00"},
    )

    home = alice_client.get("/")

    assert _notes() == [
        ("Follow up", "private", "alice@acme.test", dt.datetime(2026, 3, 11, 9, 0, tzinfo=dt.UTC))
    ]
    assert [(n.body, due) for n, due in home.context["reminders"]] == [("Follow up", False)]


@pytest.mark.parametrize(
    ("data", "errors"),
    [
        ({"body": "   ", "visibility": "team"}, {"body": ["This field is required."]}),
        (
            {"body": "Hi", "visibility": "everyone"},
            {
                "visibility": [
                    "Select a valid choice. everyone is not one of the available choices."
                ]
            },
        ),
        (
            {"body": "Hi", "visibility": "team", "remind_at": "next tuesday"},
            {"remind_at": ["Enter a valid date/time."]},
        ),
        (
            {"body": "x" * 10_001, "visibility": "team"},
            {"body": ["Ensure this value has at most 10000 characters (it has 10001)."]},
        ),
    ],
)
def test_invalid_note_is_shown_on_its_field_and_nothing_is_saved(
    alice_client: Client,
    candidate: Candidate,
    data: dict[str, str],
    errors: dict[str, list[str]],
) -> None:
    response = alice_client.post(_url(candidate), data)

    assert response.status_code == HTTPStatus.UNPROCESSABLE_ENTITY
    assert response.context["note_form"].errors == errors
    assert _notes() == []
    assert AuditEvent.objects.filter(action="note.created").exists() is False


def test_recruiter_can_add_notes(bob_client: Client, candidate: Candidate) -> None:
    response = bob_client.post(_url(candidate), {"body": "From Bob", "visibility": "team"})

    assert response.status_code == HTTPStatus.FOUND
    assert _notes() == [("From Bob", "team", "bob@acme.test", None)]


def test_other_workspace_gets_404(charlie_client: Client, candidate: Candidate) -> None:
    response = charlie_client.post(_url(candidate), {"body": "Sneaky", "visibility": "team"})

    assert response.status_code == HTTPStatus.NOT_FOUND
    assert _notes() == []


def test_auditor_cannot_add_notes(
    client: Client, acme: Workspace, member_factory: Callable[..., User], candidate: Candidate
) -> None:
    client.force_login(member_factory("audrey@acme.test", acme, Role.AUDITOR))

    response = client.post(_url(candidate), {"body": "Audit remark", "visibility": "team"})

    assert response.status_code == HTTPStatus.FORBIDDEN
    assert _notes() == []


def test_needs_a_post(alice_client: Client, candidate: Candidate) -> None:
    assert alice_client.get(_url(candidate)).status_code == HTTPStatus.METHOD_NOT_ALLOWED
