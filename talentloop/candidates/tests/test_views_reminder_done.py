"""Marking a reminder done: only its author may, and `next` never leaves the site."""

from __future__ import annotations

from http import HTTPStatus

import pytest
from django.test import Client
from django.utils import timezone

from talentloop.candidates.models import Candidate, Note
from talentloop.candidates.services import add_note
from talentloop.core.actor import Actor


@pytest.fixture
def reminder(alice_actor: Actor, candidate: Candidate) -> Note:
    return add_note(
        actor=alice_actor, candidate=candidate, body="Call back", remind_at=timezone.now()
    )


def _url(note: Note) -> str:
    return f"/candidates/reminders/{note.pk}/done"


def _done(note: Note) -> bool:
    return Note.objects.get(pk=note.pk).reminder_done_at is not None


def test_anonymous_is_sent_to_sign_in(client: Client, reminder: Note) -> None:
    response = client.post(_url(reminder), {"next": "/"})

    assert response.status_code == HTTPStatus.FOUND
    assert response["Location"] == f"/accounts/login/?next=/candidates/reminders/{reminder.pk}/done"
    assert _done(reminder) is False


def test_marks_it_done_and_it_leaves_the_home_page(alice_client: Client, reminder: Note) -> None:
    assert [n.body for n, _ in alice_client.get("/").context["reminders"]] == ["Call back"]

    response = alice_client.post(_url(reminder), {"next": "/"})

    assert response.status_code == HTTPStatus.FOUND
    assert response["Location"] == "/"
    assert _done(reminder) is True
    home = alice_client.get("/")
    assert home.context["reminders"] == []
    assert "Reminder done." in home.content.decode()


def test_returns_to_a_page_of_this_site(
    alice_client: Client, reminder: Note, candidate: Candidate
) -> None:
    response = alice_client.post(_url(reminder), {"next": f"/candidates/{candidate.pk}/"})

    assert response["Location"] == f"/candidates/{candidate.pk}/"
    assert _done(reminder) is True


@pytest.mark.parametrize(
    "target",
    [
        "https://evil.test/phish",
        "//evil.test/phish",
        "///evil.test/phish",
        "/\\evil.test/phish",
        "\\\\evil.test",
        "https:evil.test",
        "javascript:alert(1)",
        "http://testserver.evil.test/",
        "",
        # Not a path: Django's redirect() took these for view names and answered 500.
        "1e309",
        "core:home",
        "candidates",
    ],
)
def test_next_cannot_send_the_user_off_site(
    alice_client: Client, reminder: Note, target: str
) -> None:
    response = alice_client.post(_url(reminder), {"next": target})

    assert response.status_code == HTTPStatus.FOUND
    assert response["Location"] == "/"
    assert _done(reminder) is True


def test_someone_else_cannot_mark_my_reminder_done(bob_client: Client, reminder: Note) -> None:
    response = bob_client.post(_url(reminder), {"next": "/"})

    assert response.status_code == HTTPStatus.FORBIDDEN
    assert _done(reminder) is False


def test_private_note_of_someone_else_is_a_404(
    bob_client: Client, alice_actor: Actor, candidate: Candidate
) -> None:
    private = add_note(
        actor=alice_actor,
        candidate=candidate,
        body="Mine",
        visibility="private",
        remind_at=timezone.now(),
    )

    response = bob_client.post(_url(private), {"next": "/"})

    assert response.status_code == HTTPStatus.NOT_FOUND
    assert _done(private) is False


def test_recruiter_marks_their_own_reminder_done(
    bob_client: Client, bob_actor: Actor, candidate: Candidate
) -> None:
    own = add_note(actor=bob_actor, candidate=candidate, body="Bob's", remind_at=timezone.now())

    response = bob_client.post(_url(own), {"next": "/"})

    assert response.status_code == HTTPStatus.FOUND
    assert _done(own) is True


def test_other_workspace_gets_404(charlie_client: Client, reminder: Note) -> None:
    response = charlie_client.post(_url(reminder), {"next": "/"})

    assert response.status_code == HTTPStatus.NOT_FOUND
    assert _done(reminder) is False


def test_needs_a_post(alice_client: Client, reminder: Note) -> None:
    assert alice_client.get(_url(reminder)).status_code == HTTPStatus.METHOD_NOT_ALLOWED
    assert _done(reminder) is False
