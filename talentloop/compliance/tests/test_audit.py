"""The access audit: every view, export and change writes exactly one row, in the same transaction.

Each case runs one service and names the audit action it must write. The rollback tests make
`audit.record` (or a step after it) fail and show that nothing of the call remains.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from django.utils.timezone import now as timezone_now

from talentloop.accounts import services as accounts
from talentloop.accounts.models import ApiKey, Invitation, Membership, User
from talentloop.accounts.roles import Role
from talentloop.candidates import services as candidates
from talentloop.candidates.models import Activity, Candidate, CustomFieldDefinition, Note, Tag
from talentloop.compliance import audit
from talentloop.compliance.models import AuditEvent
from talentloop.compliance.services import record_consent
from talentloop.core.actor import Actor
from talentloop.core.errors import Forbidden, InvalidInput, NotFound
from talentloop.core.tests.fixtures import actor_for

Action = AuditEvent.Action


@dataclass
class World:
    """Everything the audited calls act on, made before the count starts."""

    alice: Actor
    bob_user: User
    candidate: Candidate
    note: Note
    membership: Membership
    api_key: ApiKey
    invitation: Invitation


@pytest.fixture
def world(alice_actor: Actor, bob: User, candidate: Candidate) -> World:
    note = candidates.add_note(actor=alice_actor, candidate=candidate, body="hello")
    candidates.define_custom_field(
        actor=alice_actor, key="salary", label="Salary", field_type="number"
    )
    candidates.create_tag(actor=alice_actor, name="spare")
    key, _ = accounts.create_api_key(actor=alice_actor, name="ATS", scope="read")
    invitation, _ = accounts.invite_member(actor=alice_actor, email="new@acme.test", role="sourcer")
    return World(
        alice=alice_actor,
        bob_user=bob,
        candidate=candidate,
        note=note,
        membership=Membership.objects.get(user=bob),
        api_key=key,
        invitation=invitation,
    )


def _tag(world: World) -> Tag:
    return Tag.objects.get(workspace=world.alice.workspace, name="spare")


def _definition(world: World) -> CustomFieldDefinition:
    return CustomFieldDefinition.objects.get(workspace=world.alice.workspace, key="salary")


# name -> (call, action, target type)
CASES: dict[str, tuple[Callable[[World], Any], str, str]] = {
    "view a candidate": (
        lambda w: candidates.log_candidate_view(actor=w.alice, candidate=w.candidate),
        Action.CANDIDATE_VIEWED,
        "candidate",
    ),
    "export a candidate": (
        lambda w: candidates.export_candidate(actor=w.alice, candidate=w.candidate),
        Action.CANDIDATE_EXPORTED,
        "candidate",
    ),
    "create a candidate": (
        lambda w: candidates.create_candidate(actor=w.alice, data={"first_name": "New"}),
        Action.CANDIDATE_CREATED,
        "candidate",
    ),
    "change a candidate": (
        lambda w: candidates.update_candidate(
            actor=w.alice, candidate=w.candidate, data={"city": "Arlington", "tags": ["a", "b"]}
        ),
        Action.CANDIDATE_UPDATED,
        "candidate",
    ),
    "delete a candidate": (
        lambda w: candidates.delete_candidate(actor=w.alice, candidate=w.candidate),
        Action.CANDIDATE_DELETED,
        "candidate",
    ),
    "add a note": (
        lambda w: candidates.add_note(actor=w.alice, candidate=w.candidate, body="x"),
        Action.NOTE_CREATED,
        "candidate",
    ),
    "change a note": (
        lambda w: candidates.update_note(actor=w.alice, note=w.note, body="changed"),
        Action.NOTE_UPDATED,
        "candidate",
    ),
    "delete a note": (
        lambda w: candidates.delete_note(actor=w.alice, note=w.note),
        Action.NOTE_DELETED,
        "candidate",
    ),
    "log a call": (
        lambda w: candidates.log_touchpoint(
            actor=w.alice, candidate=w.candidate, type="call", summary="Intro"
        ),
        Action.ACTIVITY_LOGGED,
        "candidate",
    ),
    "record consent": (
        lambda w: record_consent(
            actor=w.alice,
            candidate=w.candidate,
            channel="email",
            purpose="marketing",
            status="granted",
            source="form",
        ),
        Action.CONSENT_RECORDED,
        "candidate",
    ),
    "rename a tag": (
        lambda w: candidates.rename_tag(actor=w.alice, tag=_tag(w), name="extra"),
        Action.TAG_CHANGED,
        "tag",
    ),
    "delete a tag": (
        lambda w: candidates.delete_tag(actor=w.alice, tag=_tag(w)),
        Action.TAG_CHANGED,
        "tag",
    ),
    "define a custom field": (
        lambda w: candidates.define_custom_field(
            actor=w.alice, key="notice", label="Notice", field_type="text"
        ),
        Action.CUSTOM_FIELD_CHANGED,
        "customfielddefinition",
    ),
    "delete a custom field": (
        lambda w: candidates.delete_custom_field(actor=w.alice, definition=_definition(w)),
        Action.CUSTOM_FIELD_CHANGED,
        "customfielddefinition",
    ),
    "invite a member": (
        lambda w: accounts.invite_member(actor=w.alice, email="other@acme.test", role="auditor"),
        Action.MEMBER_INVITED,
        "invitation",
    ),
    "accept an invitation": (
        lambda w: accounts.accept_invitation(
            invitation=w.invitation, user=None, password="long-enough-password"
        ),
        Action.MEMBER_JOINED,
        "user",
    ),
    "change a role": (
        lambda w: accounts.change_member_role(
            actor=w.alice, membership=w.membership, role=Role.SOURCER
        ),
        Action.MEMBER_ROLE_CHANGED,
        "user",
    ),
    "remove a member": (
        lambda w: accounts.remove_member(actor=w.alice, membership=w.membership),
        Action.MEMBER_REMOVED,
        "user",
    ),
    "create an API key": (
        lambda w: accounts.create_api_key(actor=w.alice, name="Zapier", scope="write"),
        Action.API_KEY_CREATED,
        "apikey",
    ),
    "revoke an API key": (
        lambda w: accounts.revoke_api_key(actor=w.alice, key=w.api_key),
        Action.API_KEY_REVOKED,
        "apikey",
    ),
}


@pytest.mark.parametrize("case", CASES)
def test_writes_exactly_one_row(world: World, case: str) -> None:
    call, action, target_type = CASES[case]
    before = AuditEvent.objects.count()
    last_id = AuditEvent.objects.order_by("-id").values_list("id", flat=True).first()

    call(world)

    (event,) = AuditEvent.objects.filter(id__gt=last_id)
    assert AuditEvent.objects.count() == before + 1
    assert event.action == action
    assert event.target_type == target_type
    assert event.workspace_id == world.alice.workspace.pk
    assert event.occurred_at <= dt.datetime.now(tz=dt.UTC)


# A profile view writes nothing but its audit row: that one INSERT is the whole transaction
# (no BEGIN and COMMIT round trips on the hottest read), so nothing can fail after it.
WRITES = [case for case in CASES if case != "view a candidate"]


@pytest.mark.parametrize("case", WRITES)
def test_a_failure_after_the_row_leaves_no_row(
    world: World, case: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    call, _, _ = CASES[case]
    before = AuditEvent.objects.count()
    for name in ("record", "record_read"):  # record_read: the hand-written insert for reads
        real = getattr(audit, name)

        def then_fail(real: Any = real, **kwargs: Any) -> AuditEvent:
            real(**kwargs)
            raise RuntimeError("disk full")

        monkeypatch.setattr(audit, name, then_fail)

    with pytest.raises(RuntimeError, match="disk full"):
        call(world)

    assert AuditEvent.objects.count() == before


def test_a_failed_create_leaves_neither_candidate_nor_row(
    alice_actor: Actor, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The timeline entry is written after the audit row: make that step fail.
    def broken_timeline(**kwargs: Any) -> Activity:
        raise RuntimeError("timeline down")

    monkeypatch.setattr(candidates, "record_activity", broken_timeline)

    with pytest.raises(RuntimeError):
        candidates.create_candidate(
            actor=alice_actor, data={"first_name": "Ada", "emails": ["ada@example.com"]}
        )

    assert Candidate.objects.exists() is False
    assert AuditEvent.objects.exists() is False


def test_refused_calls_write_no_row(alice_actor: Actor, bob_actor: Actor, world: World) -> None:
    before = AuditEvent.objects.count()

    with pytest.raises(Forbidden):
        candidates.update_note(actor=bob_actor, note=world.note, body="not mine")
    with pytest.raises(Forbidden):
        accounts.create_api_key(actor=bob_actor, name="mine", scope="write")
    with pytest.raises(InvalidInput):
        candidates.create_candidate(actor=alice_actor, data={"first_name": ""})

    assert AuditEvent.objects.count() == before


def test_a_row_says_who_did_what_to_whom(alice_actor: Actor, candidate: Candidate) -> None:
    candidates.update_candidate(
        actor=alice_actor, candidate=candidate, data={"current_title": "Commodore"}
    )

    event = AuditEvent.objects.get(action=Action.CANDIDATE_UPDATED)
    assert event.actor_id == alice_actor.user_id
    assert event.api_key_id is None
    assert event.actor_label == "alice@acme.test"
    assert event.ip == "127.0.0.1"
    assert (event.target_type, event.target_id, event.target_label) == (
        "candidate",
        candidate.pk,
        "Grace Hopper",
    )
    assert event.changes == {"current_title": ["Rear Admiral", "Commodore"]}


def _key_actor(admin: Actor, name: str, scope: str, ip: str) -> tuple[ApiKey, Actor]:
    key, _ = accounts.create_api_key(actor=admin, name=name, scope=scope)
    role = accounts.api_key_role(key)
    return key, Actor(workspace=admin.workspace, role=role, api_key=key, ip=ip)


def test_an_api_key_is_named_in_the_row(alice_actor: Actor, candidate: Candidate) -> None:
    key, key_actor = _key_actor(alice_actor, "ATS sync", "write", "198.51.100.4")

    candidates.log_candidate_view(actor=key_actor, candidate=candidate)

    event = AuditEvent.objects.get(action=Action.CANDIDATE_VIEWED)
    assert (event.actor_id, event.api_key_id, event.ip) == (None, key.pk, "198.51.100.4")
    assert event.actor_label == f"API key ATS sync ({key.prefix})"


def test_the_row_outlives_its_actor(alice_actor: Actor, bob: User, candidate: Candidate) -> None:
    candidates.log_candidate_view(actor=actor_for(bob), candidate=candidate)
    bob.delete()

    event = AuditEvent.objects.get(action=Action.CANDIDATE_VIEWED)
    assert (event.actor_id, event.actor_label) == (None, "bob@acme.test")


def _row_of(event: AuditEvent) -> dict[str, Any]:
    fields = [f.attname for f in AuditEvent._meta.concrete_fields if f.name not in {"id"}]
    return {name: getattr(event, name) for name in fields if name != "occurred_at"}


@pytest.mark.parametrize(
    ("first", "last"),
    [("Grace", "Hopper"), ("Prince", ""), ("Zoë" * 33, "Ó" * 100)],
    ids=["two names", "one name", "longest names"],
)
def test_the_profile_api_read_writes_the_row_a_view_writes(
    alice_actor: Actor, candidate: Candidate, first: str, last: str
) -> None:
    """On PostgreSQL `view_profile` writes its row inside the reading statement
    (`audit.reading`); it must be the row `log_candidate_view` writes, field by field."""
    Candidate.objects.filter(pk=candidate.pk).update(first_name=first, last_name=last)
    candidate.refresh_from_db()
    key, key_actor = _key_actor(alice_actor, "ATS", "read", "2001:db8::7")
    before = timezone_now()

    row = candidates.view_profile(actor=key_actor, candidate_id=candidate.pk)
    candidates.log_candidate_view(actor=key_actor, candidate=candidate)

    assert row["id"] == candidate.pk
    read, viewed = AuditEvent.objects.filter(action=Action.CANDIDATE_VIEWED).order_by("id")
    assert _row_of(read) == _row_of(viewed)
    assert read.target_label == f"{first} {last}".strip()[:254]
    assert (read.ip, read.api_key_id, read.changes, read.extra) == ("2001:db8::7", key.pk, {}, {})
    assert before <= read.occurred_at <= viewed.occurred_at


def test_a_profile_read_that_finds_nothing_writes_nothing(
    alice_actor: Actor, candidate: Candidate
) -> None:
    Candidate.objects.filter(pk=candidate.pk).update(deleted_at=timezone_now())

    with pytest.raises(NotFound):
        candidates.view_profile(actor=alice_actor, candidate_id=candidate.pk)

    assert not AuditEvent.objects.filter(action=Action.CANDIDATE_VIEWED).exists()
