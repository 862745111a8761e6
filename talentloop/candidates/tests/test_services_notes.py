from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import pytest
import time_machine

from talentloop.accounts.models import User, Workspace
from talentloop.accounts.roles import Role
from talentloop.candidates.models import Activity, Candidate, Note
from talentloop.candidates.selectors import access_note, candidate_timeline, due_reminders
from talentloop.candidates.services import add_note, complete_reminder, delete_note, update_note
from talentloop.compliance.models import AuditEvent
from talentloop.core.actor import Actor
from talentloop.core.errors import Forbidden, InvalidInput, NotFound
from talentloop.core.tests.fixtures import actor_for

NOW = dt.datetime(2026, 5, 4, 9, 0, tzinfo=dt.UTC)


@pytest.fixture(autouse=True)
def _frozen_time() -> object:
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


def _note_events(action: str) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(action=action).order_by("id"))


def test_team_note_is_on_everyones_timeline(
    alice_actor: Actor, bob_actor: Actor, candidate: Candidate
) -> None:
    note = add_note(actor=alice_actor, candidate=candidate, body="  Great call.  ")

    assert note.body == "Great call."
    assert note.visibility == Note.Visibility.TEAM
    assert note.author_id == alice_actor.user_id
    activity = note.activity
    assert (activity.type, activity.channel, activity.summary) == (
        "note",
        "internal",
        "Great call.",
    )
    assert activity.payload == {"note_id": note.pk}
    assert activity.private_to_id is None
    timeline, _ = candidate_timeline(bob_actor, candidate)
    assert [a.pk for a in timeline if a.type == Activity.Type.NOTE] == [activity.pk]
    assert access_note(bob_actor, note.pk) == note


def test_private_note_is_seen_by_its_author_only(
    alice_actor: Actor, bob_actor: Actor, candidate: Candidate
) -> None:
    note = add_note(
        actor=alice_actor, candidate=candidate, body="Salary: 150k", visibility="private"
    )

    assert note.activity.private_to_id == alice_actor.user_id
    alice_timeline, _ = candidate_timeline(alice_actor, candidate)
    bob_timeline, _ = candidate_timeline(bob_actor, candidate)
    assert [a.type for a in alice_timeline] == ["note", "created"]
    assert [a.type for a in bob_timeline] == ["created"]
    assert access_note(alice_actor, note.pk) == note
    with pytest.raises(NotFound):
        access_note(bob_actor, note.pk)


def test_note_of_another_workspace_is_not_found(
    alice_actor: Actor, charlie_actor: Actor, charlie_candidate: Candidate
) -> None:
    note = add_note(actor=charlie_actor, candidate=charlie_candidate, body="Globex only")

    with pytest.raises(NotFound):
        access_note(alice_actor, note.pk)


def test_adding_a_note_is_audited(alice_actor: Actor, candidate: Candidate) -> None:
    note = add_note(actor=alice_actor, candidate=candidate, body="Hello")

    (event,) = _note_events(AuditEvent.Action.NOTE_CREATED)
    assert (event.target_type, event.target_id) == ("candidate", candidate.pk)
    assert event.extra == {"note_id": note.pk}
    assert event.actor_id == alice_actor.user_id


def test_a_note_does_not_count_as_contact(alice_actor: Actor, candidate: Candidate) -> None:
    add_note(actor=alice_actor, candidate=candidate, body="Hello")

    candidate.refresh_from_db()
    assert candidate.last_contacted_at is None


@pytest.mark.parametrize(
    ("body", "visibility", "field"),
    [
        ("", "team", "body"),
        ("   ", "team", "body"),
        ("x" * 10_001, "team", "body"),
        ("ok", "public", "visibility"),
    ],
)
def test_refuses_invalid_note(
    alice_actor: Actor, candidate: Candidate, body: str, visibility: str, field: str
) -> None:
    with pytest.raises(InvalidInput) as error:
        add_note(actor=alice_actor, candidate=candidate, body=body, visibility=visibility)

    assert error.value.field == field
    assert Note.objects.exists() is False
    assert _note_events(AuditEvent.Action.NOTE_CREATED) == []


def test_refuses_a_reminder_without_time_zone(alice_actor: Actor, candidate: Candidate) -> None:
    with pytest.raises(InvalidInput) as error:
        add_note(
            actor=alice_actor,
            candidate=candidate,
            body="ping",
            remind_at=dt.datetime(2026, 9, 1, 9, 0),  # noqa: DTZ001 - the point of the test
        )

    assert error.value.field == "remind_at"
    assert Note.objects.exists() is False


def test_api_key_cannot_keep_private_notes_or_reminders(
    acme: Workspace, candidate: Candidate
) -> None:
    key_actor = Actor(workspace=acme, role=Role.RECRUITER)

    with pytest.raises(InvalidInput):
        add_note(actor=key_actor, candidate=candidate, body="secret", visibility="private")
    with pytest.raises(InvalidInput):
        add_note(
            actor=key_actor, candidate=candidate, body="later", remind_at=NOW + dt.timedelta(days=1)
        )
    note = add_note(actor=key_actor, candidate=candidate, body="synced from ATS")

    assert note.author_id is None
    assert Note.objects.count() == 1


def test_auditor_cannot_add_notes(
    acme: Workspace, member_factory: Callable[..., User], candidate: Candidate
) -> None:
    auditor = actor_for(member_factory("audrey@acme.test", acme, Role.AUDITOR))

    with pytest.raises(Forbidden):
        add_note(actor=auditor, candidate=candidate, body="hi")

    assert Note.objects.exists() is False


def test_reminder_is_due_for_its_author_only(
    alice_actor: Actor, bob_actor: Actor, candidate: Candidate
) -> None:
    soon = add_note(
        actor=alice_actor,
        candidate=candidate,
        body="Re-engage",
        remind_at=NOW + dt.timedelta(days=2),
    )
    add_note(
        actor=alice_actor,
        candidate=candidate,
        body="Much later",
        remind_at=NOW + dt.timedelta(days=120),
    )
    add_note(actor=alice_actor, candidate=candidate, body="No reminder")

    assert list(due_reminders(alice_actor)) == [soon]
    assert list(due_reminders(bob_actor)) == []
    assert len(due_reminders(alice_actor, until=NOW + dt.timedelta(days=365))) == 2


def test_completing_a_reminder_removes_it_and_is_idempotent(
    alice_actor: Actor, candidate: Candidate, _frozen_time: time_machine.Traveller
) -> None:
    note = add_note(
        actor=alice_actor,
        candidate=candidate,
        body="Call back",
        remind_at=NOW + dt.timedelta(hours=1),
    )

    complete_reminder(actor=alice_actor, note=note)
    _frozen_time.shift(dt.timedelta(hours=3))
    complete_reminder(actor=alice_actor, note=note)

    note.refresh_from_db()
    assert note.reminder_done_at == NOW
    assert list(due_reminders(alice_actor)) == []


def test_only_the_author_completes_a_reminder(
    alice_actor: Actor, bob_actor: Actor, candidate: Candidate
) -> None:
    note = add_note(
        actor=alice_actor,
        candidate=candidate,
        body="Call back",
        remind_at=NOW + dt.timedelta(hours=1),
    )

    with pytest.raises(Forbidden):
        complete_reminder(actor=bob_actor, note=note)

    note.refresh_from_db()
    assert note.reminder_done_at is None


def test_author_edits_body_and_timeline_follows(
    alice_actor: Actor, candidate: Candidate, _frozen_time: time_machine.Traveller
) -> None:
    note = add_note(actor=alice_actor, candidate=candidate, body="Frist draft")
    _frozen_time.shift(dt.timedelta(minutes=5))

    update_note(actor=alice_actor, note=note, body="First draft")

    note.refresh_from_db()
    assert note.body == "First draft"
    assert note.updated_at == NOW + dt.timedelta(minutes=5)
    assert Activity.objects.get(pk=note.activity_id).summary == "First draft"
    (event,) = _note_events(AuditEvent.Action.NOTE_UPDATED)
    assert event.changes == {"body": ["Frist draft", "First draft"]}
    assert event.extra == {"note_id": note.pk}


def test_moving_a_reminder_reopens_it(alice_actor: Actor, candidate: Candidate) -> None:
    note = add_note(
        actor=alice_actor,
        candidate=candidate,
        body="Call back",
        remind_at=NOW + dt.timedelta(hours=1),
    )
    complete_reminder(actor=alice_actor, note=note)
    later = NOW + dt.timedelta(days=30)

    update_note(actor=alice_actor, note=note, remind_at=later)

    note.refresh_from_db()
    assert (note.remind_at, note.reminder_done_at, note.reminder_notified_at) == (later, None, None)
    (event,) = _note_events(AuditEvent.Action.NOTE_UPDATED)
    assert event.changes == {
        "remind_at": [(NOW + dt.timedelta(hours=1)).isoformat(), later.isoformat()]
    }


def test_clearing_a_reminder(alice_actor: Actor, candidate: Candidate) -> None:
    note = add_note(
        actor=alice_actor,
        candidate=candidate,
        body="Call back",
        remind_at=NOW + dt.timedelta(hours=1),
    )

    update_note(actor=alice_actor, note=note, clear_reminder=True)

    note.refresh_from_db()
    assert note.remind_at is None
    assert list(due_reminders(alice_actor)) == []
    (event,) = _note_events(AuditEvent.Action.NOTE_UPDATED)
    assert event.changes == {"remind_at": [(NOW + dt.timedelta(hours=1)).isoformat(), None]}


def test_only_the_author_edits(alice_actor: Actor, bob_actor: Actor, candidate: Candidate) -> None:
    note = add_note(actor=alice_actor, candidate=candidate, body="Mine")

    with pytest.raises(Forbidden):
        update_note(actor=bob_actor, note=note, body="Now mine")

    note.refresh_from_db()
    assert note.body == "Mine"
    assert Activity.objects.get(pk=note.activity_id).summary == "Mine"
    assert _note_events(AuditEvent.Action.NOTE_UPDATED) == []


def test_author_deletes_note_and_its_timeline_entry(
    alice_actor: Actor, candidate: Candidate
) -> None:
    note = add_note(actor=alice_actor, candidate=candidate, body="Oops")
    activity_id = note.activity_id

    delete_note(actor=alice_actor, note=note)

    assert Note.objects.exists() is False
    assert Activity.objects.filter(pk=activity_id).exists() is False
    (event,) = _note_events(AuditEvent.Action.NOTE_DELETED)
    assert (event.target_id, event.extra) == (candidate.pk, {"note_id": note.pk})


def test_only_the_author_deletes(
    alice_actor: Actor, bob_actor: Actor, candidate: Candidate
) -> None:
    note = add_note(actor=alice_actor, candidate=candidate, body="Keep me")

    with pytest.raises(Forbidden):
        delete_note(actor=bob_actor, note=note)

    assert Note.objects.filter(pk=note.pk).exists() is True
    assert Activity.objects.filter(pk=note.activity_id).exists() is True
    assert _note_events(AuditEvent.Action.NOTE_DELETED) == []


def test_an_api_key_cannot_edit_an_authorless_note(acme: Workspace, candidate: Candidate) -> None:
    key_actor = Actor(workspace=acme, role=Role.RECRUITER)
    note = add_note(actor=key_actor, candidate=candidate, body="synced")

    with pytest.raises(Forbidden):
        update_note(actor=key_actor, note=note, body="changed")
