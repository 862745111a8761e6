"""/api/v1/candidates/{id}/notes and /api/v1/notes/{id}: team and private notes, reminders."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
import time_machine
from django.test import Client

from talentloop.accounts.models import User, Workspace
from talentloop.accounts.roles import Role
from talentloop.candidates.models import Activity, Candidate, Note
from talentloop.candidates.services import add_note, delete_candidate
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
STAMP = "2026-03-01T09:00:00Z"
NO_SUCH_NOTE = error("not_found", "No such note.")
NOT_THE_AUTHOR = error("forbidden", "Only the author can change this note.")


@pytest.fixture
def team_note(candidate: Candidate, alice_actor: Actor) -> Note:
    with time_machine.travel(NOW, tick=False):
        return add_note(actor=alice_actor, candidate=candidate, body="Strong on COBOL.")


@pytest.fixture
def private_note(candidate: Candidate, alice_actor: Actor) -> Note:
    with time_machine.travel(NOW + dt.timedelta(hours=1), tick=False):
        return add_note(
            actor=alice_actor, candidate=candidate, body="Salary: ask again.", visibility="private"
        )


def _note(note: Note, **changes: Any) -> dict[str, Any]:
    return {
        "id": note.pk,
        "candidate_id": note.candidate_id,
        "author_id": note.author_id,
        "body": note.body,
        "visibility": note.visibility,
        "remind_at": None,
        "reminder_done_at": None,
        "created_at": note.created_at.isoformat().replace("+00:00", "Z"),
        "updated_at": note.updated_at.isoformat().replace("+00:00", "Z"),
        **changes,
    }


def _member_client(workspace: Workspace, factory: Callable[..., User], role: str) -> Client:
    client = Client()
    client.force_login(factory(f"{role}@acme.test", workspace, role))
    return client


# --- list ------------------------------------------------------------------------------------


def test_lists_team_and_own_private_notes_newest_first(
    alice_client: Client, candidate: Candidate, team_note: Note, private_note: Note
) -> None:
    response = alice_client.get(f"{API}/candidates/{candidate.pk}/notes")

    assert response.status_code == 200
    assert response.json() == [_note(private_note), _note(team_note)]


def test_hides_another_member_private_notes(
    bob_client: Client, candidate: Candidate, team_note: Note, private_note: Note
) -> None:
    response = bob_client.get(f"{API}/candidates/{candidate.pk}/notes")

    assert response.status_code == 200
    assert response.json() == [_note(team_note)]


def test_another_workspace_gets_the_same_404_as_a_missing_candidate(
    charlie_client: Client, candidate: Candidate, team_note: Note
) -> None:
    theirs = charlie_client.get(f"{API}/candidates/{candidate.pk}/notes")
    missing = charlie_client.get(f"{API}/candidates/{MISSING_ID}/notes")

    assert (theirs.status_code, missing.status_code) == (404, 404)
    assert theirs.json() == missing.json() == NO_SUCH_CANDIDATE


def test_refuses_to_list_notes_without_authentication(client: Client, candidate: Candidate) -> None:
    response = client.get(f"{API}/candidates/{candidate.pk}/notes")

    assert response.status_code == 401
    assert response.json() == UNAUTHENTICATED


@pytest.mark.parametrize("notes", [1, 10])
def test_lists_notes_in_the_same_number_of_queries_however_many(
    alice_client: Client,
    candidate: Candidate,
    alice_actor: Actor,
    notes: int,
    django_assert_num_queries: Any,
) -> None:
    for n in range(notes):
        add_note(actor=alice_actor, candidate=candidate, body=f"Note {n}")

    # session, user, membership, candidate; the note entries; their notes
    with django_assert_num_queries(6):
        response = alice_client.get(f"{API}/candidates/{candidate.pk}/notes")

    assert len(response.json()) == notes


# --- add -------------------------------------------------------------------------------------


def test_adds_a_team_note(alice_client: Client, candidate: Candidate, alice: User) -> None:
    with time_machine.travel(NOW, tick=False):
        response = call(
            alice_client,
            "post",
            f"/candidates/{candidate.pk}/notes",
            {"body": "  Call back in May.  "},
        )

    assert response.status_code == 201
    note = Note.objects.get()
    assert response.json() == _note(note)
    assert (note.body, note.author_id, note.visibility) == ("Call back in May.", alice.pk, "team")
    assert note.activity.type == "note"
    assert note.activity.private_to_id is None
    event = AuditEvent.objects.get(action="note.created")
    assert (event.actor_id, event.target_id, event.extra) == (
        alice.pk,
        candidate.pk,
        {"note_id": note.pk},
    )


def test_adds_a_private_note_with_a_reminder(
    alice_client: Client, candidate: Candidate, alice: User
) -> None:
    response = call(
        alice_client,
        "post",
        f"/candidates/{candidate.pk}/notes",
        {
            "body": "Ask about notice period",
            "visibility": "private",
            "remind_at": "2026-04-01T09:00:00Z",
        },
    )

    assert response.status_code == 201
    assert response.json()["remind_at"] == "2026-04-01T09:00:00Z"
    note = Note.objects.get()
    assert note.activity.private_to_id == alice.pk
    assert note.remind_at == dt.datetime(2026, 4, 1, 9, 0, tzinfo=dt.UTC)


def test_a_recruiter_adds_notes(bob_client: Client, candidate: Candidate, bob: User) -> None:
    response = call(bob_client, "post", f"/candidates/{candidate.pk}/notes", {"body": "Met her."})

    assert response.status_code == 201
    assert Note.objects.get().author_id == bob.pk


def test_refuses_a_note_on_another_workspace_candidate_like_a_missing_one(
    charlie_client: Client, candidate: Candidate
) -> None:
    assert_like_missing(
        lambda: call(charlie_client, "post", f"/candidates/{candidate.pk}/notes", {"body": "Hi"}),
        lambda: call(charlie_client, "post", f"/candidates/{MISSING_ID}/notes", {"body": "Hi"}),
        body=NO_SUCH_CANDIDATE,
    )


def test_refuses_to_add_a_note_without_authentication(client: Client, candidate: Candidate) -> None:
    assert_refused(
        client,
        "post",
        f"/candidates/{candidate.pk}/notes",
        {"body": "Hi"},
        status=401,
        body=UNAUTHENTICATED,
    )


def test_refuses_to_add_a_note_with_a_read_key(
    client: Client, candidate: Candidate, api_key_factory: Any
) -> None:
    secret = api_key_factory("read")
    assert_refused(
        client,
        "post",
        f"/candidates/{candidate.pk}/notes",
        {"body": "Hi"},
        headers=bearer(secret),
        status=403,
        body=READ_ONLY_KEY,
    )


def test_a_write_key_adds_team_notes_only(
    client: Client, candidate: Candidate, api_key_factory: Any
) -> None:
    headers = bearer(api_key_factory("write"))

    team = call(
        client, "post", f"/candidates/{candidate.pk}/notes", {"body": "Synced"}, headers=headers
    )
    before = stored_state()
    private = call(
        client,
        "post",
        f"/candidates/{candidate.pk}/notes",
        {"body": "Secret", "visibility": "private"},
        headers=headers,
    )

    assert team.status_code == 201
    assert team.json()["author_id"] is None
    assert private.status_code == 422
    assert private.json() == error(
        "invalid",
        "Private notes and reminders belong to a person, not an API key.",
        "visibility",
    )
    assert stored_state() == before


def test_refuses_a_note_for_a_role_without_notes(
    acme: Workspace, member_factory: Callable[..., User], candidate: Candidate
) -> None:
    auditor = _member_client(acme, member_factory, Role.AUDITOR)
    assert_refused(
        auditor,
        "post",
        f"/candidates/{candidate.pk}/notes",
        {"body": "Hi"},
        status=403,
        body=error("forbidden", "Your role does not allow this."),
    )


@pytest.mark.parametrize(
    ("payload", "expected"),
    [
        ({"body": "   "}, error("invalid", "A note needs some text.", "body")),
        (
            {"body": "Hi", "visibility": "public"},
            error("invalid", "Visibility is team or private.", "visibility"),
        ),
        (
            {"body": "Hi", "remind_at": "2026-04-01T09:00:00"},
            error("invalid", "Give the reminder time with a time zone.", "remind_at"),
        ),
    ],
)
def test_refuses_an_invalid_note(
    alice_client: Client,
    candidate: Candidate,
    payload: dict[str, Any],
    expected: dict[str, Any],
) -> None:
    assert_refused(
        alice_client,
        "post",
        f"/candidates/{candidate.pk}/notes",
        payload,
        status=422,
        body=expected,
    )


# --- patch -----------------------------------------------------------------------------------


def test_the_author_changes_the_text(alice_client: Client, team_note: Note, alice: User) -> None:
    response = call(alice_client, "patch", f"/notes/{team_note.pk}", {"body": "Strong on Rust."})

    assert response.status_code == 200
    assert response.json()["body"] == "Strong on Rust."
    team_note.refresh_from_db()
    assert team_note.body == "Strong on Rust."
    assert Activity.objects.get(pk=team_note.activity_id).summary == "Strong on Rust."
    event = AuditEvent.objects.get(action="note.updated")
    assert (event.actor_id, event.changes, event.extra) == (
        alice.pk,
        {"body": ["Strong on COBOL.", "Strong on Rust."]},
        {"note_id": team_note.pk},
    )


def test_the_author_sets_and_completes_a_reminder(alice_client: Client, team_note: Note) -> None:
    set_response = call(
        alice_client, "patch", f"/notes/{team_note.pk}", {"remind_at": "2026-04-01T09:00:00Z"}
    )
    with time_machine.travel(NOW, tick=False):
        done = call(alice_client, "patch", f"/notes/{team_note.pk}", {"reminder_done": True})

    assert set_response.status_code == done.status_code == 200
    assert done.json()["remind_at"] == "2026-04-01T09:00:00Z"
    assert done.json()["reminder_done_at"] == STAMP


def test_the_author_clears_a_reminder_with_null(alice_client: Client, team_note: Note) -> None:
    call(alice_client, "patch", f"/notes/{team_note.pk}", {"remind_at": "2026-04-01T09:00:00Z"})

    response = call(alice_client, "patch", f"/notes/{team_note.pk}", {"remind_at": None})

    assert response.json()["remind_at"] is None
    team_note.refresh_from_db()
    assert team_note.remind_at is None


def test_refuses_a_teammate_changing_someone_else_note(bob_client: Client, team_note: Note) -> None:
    assert_refused(
        bob_client,
        "patch",
        f"/notes/{team_note.pk}",
        {"body": "Mine now"},
        status=403,
        body=NOT_THE_AUTHOR,
    )


def test_another_member_private_note_looks_missing(bob_client: Client, private_note: Note) -> None:
    assert_like_missing(
        lambda: call(bob_client, "patch", f"/notes/{private_note.pk}", {"body": "Peek"}),
        lambda: call(bob_client, "patch", f"/notes/{MISSING_ID}", {"body": "Peek"}),
        body=NO_SUCH_NOTE,
    )


def test_another_workspace_gets_the_same_404_as_a_missing_note(
    charlie_client: Client, team_note: Note
) -> None:
    assert_like_missing(
        lambda: call(charlie_client, "patch", f"/notes/{team_note.pk}", {"body": "Mine"}),
        lambda: call(charlie_client, "patch", f"/notes/{MISSING_ID}", {"body": "Mine"}),
        body=NO_SUCH_NOTE,
    )


def test_a_note_on_a_candidate_out_of_sight_looks_missing(
    acme: Workspace,
    member_factory: Callable[..., User],
    team_note: Note,
    alice_actor: Actor,
) -> None:
    # Was "No such candidate.", which told the caller that the note exists.
    manager = _member_client(acme, member_factory, Role.HIRING_MANAGER)

    response = call(manager, "patch", f"/notes/{team_note.pk}", {"body": "Hm"})

    assert response.status_code == 404
    assert response.json() == NO_SUCH_NOTE


def test_a_note_of_a_deleted_candidate_looks_missing(
    alice_client: Client, team_note: Note, alice_actor: Actor
) -> None:
    delete_candidate(actor=alice_actor, candidate=team_note.candidate)

    response = call(alice_client, "patch", f"/notes/{team_note.pk}", {"body": "Still here?"})

    assert response.status_code == 404
    assert response.json() == NO_SUCH_NOTE


def test_refuses_to_change_a_note_without_authentication(client: Client, team_note: Note) -> None:
    assert_refused(
        client,
        "patch",
        f"/notes/{team_note.pk}",
        {"body": "Anyone"},
        status=401,
        body=UNAUTHENTICATED,
    )


def test_refuses_to_change_a_note_with_a_read_key(
    client: Client, team_note: Note, api_key_factory: Any
) -> None:
    secret = api_key_factory("read")
    assert_refused(
        client,
        "patch",
        f"/notes/{team_note.pk}",
        {"body": "Key"},
        headers=bearer(secret),
        status=403,
        body=READ_ONLY_KEY,
    )


# --- delete ----------------------------------------------------------------------------------


def test_the_author_deletes_a_note_and_its_timeline_entry(
    alice_client: Client, team_note: Note, alice: User
) -> None:
    response = call(alice_client, "delete", f"/notes/{team_note.pk}")

    assert response.status_code == 204
    assert Note.objects.filter(pk=team_note.pk).exists() is False
    assert Activity.objects.filter(pk=team_note.activity_id).exists() is False
    event = AuditEvent.objects.get(action="note.deleted")
    assert (event.actor_id, event.extra) == (alice.pk, {"note_id": team_note.pk})


def test_refuses_a_teammate_deleting_someone_else_note(bob_client: Client, team_note: Note) -> None:
    assert_refused(bob_client, "delete", f"/notes/{team_note.pk}", status=403, body=NOT_THE_AUTHOR)


def test_refuses_to_delete_another_workspace_note_like_a_missing_one(
    charlie_client: Client, team_note: Note
) -> None:
    assert_like_missing(
        lambda: call(charlie_client, "delete", f"/notes/{team_note.pk}"),
        lambda: call(charlie_client, "delete", f"/notes/{MISSING_ID}"),
        body=NO_SUCH_NOTE,
    )


def test_refuses_to_delete_a_note_without_authentication(client: Client, team_note: Note) -> None:
    assert_refused(client, "delete", f"/notes/{team_note.pk}", status=401, body=UNAUTHENTICATED)
