from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from talentloop.accounts.models import User, Workspace
from talentloop.accounts.roles import Role
from talentloop.candidates.models import Activity, Candidate, CandidateEmail, Tag
from talentloop.candidates.services import define_custom_field, update_candidate
from talentloop.compliance.models import AuditEvent
from talentloop.core.actor import Actor
from talentloop.core.errors import Conflict, Forbidden, InvalidInput
from talentloop.core.tests.fixtures import actor_for

CREATED_AT = dt.datetime(2026, 3, 1, 9, 0, tzinfo=dt.UTC)
UPDATED_AT = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)


@pytest.fixture
def grace(candidate_factory: Callable[..., Candidate]) -> Candidate:
    with time_machine.travel(CREATED_AT, tick=False):
        return candidate_factory(
            first_name="Grace",
            last_name="Hopper",
            emails=["grace@navy.test", "grace@home.test"],
            phones=[{"number": "+1 415 555 2671"}],
            links=[{"url": "https://github.com/grace"}],
            current_title="Rear Admiral",
            tags=["cobol", "navy"],
        )


def _update(actor: Actor, candidate: Candidate, **data: Any) -> Candidate:
    with time_machine.travel(UPDATED_AT, tick=False):
        return update_candidate(actor=actor, candidate=candidate, data=data)


def _updates(candidate: Candidate) -> list[AuditEvent]:
    return list(
        AuditEvent.objects.filter(
            target_id=candidate.pk, action=AuditEvent.Action.CANDIDATE_UPDATED
        ).order_by("id")  # PostgreSQL returns unordered rows in any order
    )


def test_changes_only_the_given_fields(bob_actor: Actor, grace: Candidate) -> None:
    updated = _update(bob_actor, grace, current_title="Commodore", city="Arlington")

    updated.refresh_from_db()
    assert (updated.first_name, updated.last_name) == ("Grace", "Hopper")
    assert (updated.current_title, updated.city) == ("Commodore", "Arlington")
    assert updated.updated_at == UPDATED_AT
    assert [e.email for e in updated.emails.all()] == ["grace@navy.test", "grace@home.test"]


def test_audits_old_and_new_values(bob_actor: Actor, grace: Candidate) -> None:
    _update(bob_actor, grace, current_title="Commodore", country="us", years_experience=40)

    (event,) = _updates(grace)
    assert event.actor_id == bob_actor.user_id
    assert event.workspace_id == grace.workspace_id
    assert event.target_type == "candidate"
    assert event.changes == {
        "country": ["", "US"],
        "current_title": ["Rear Admiral", "Commodore"],
        "years_experience": [None, "40.0"],
    }
    assert event.occurred_at == UPDATED_AT


def test_adds_an_updated_entry_to_the_timeline(bob_actor: Actor, grace: Candidate) -> None:
    _update(bob_actor, grace, current_title="Commodore", owner_id=bob_actor.user_id)

    activity = Activity.objects.get(candidate=grace, type=Activity.Type.UPDATED)
    assert activity.channel == Activity.Channel.INTERNAL
    assert activity.actor_id == bob_actor.user_id
    assert activity.summary == "Changed current_title, owner"
    assert activity.payload == {"fields": ["current_title", "owner_id"]}
    assert activity.occurred_at == UPDATED_AT


def test_replaces_emails_and_makes_the_first_primary(bob_actor: Actor, grace: Candidate) -> None:
    _update(bob_actor, grace, emails=["Grace@Home.test", "hopper@new.test"])

    assert [(e.email, e.is_primary) for e in grace.emails.all()] == [
        ("grace@home.test", True),
        ("hopper@new.test", False),
    ]
    (event,) = _updates(grace)
    assert event.changes == {
        "emails": [["grace@navy.test", "grace@home.test"], ["grace@home.test", "hopper@new.test"]]
    }
    grace.refresh_from_db()
    assert grace.search_text == "grace hopper home test new rear admiral"


def test_replaces_phones_links_and_tags(bob_actor: Actor, grace: Candidate) -> None:
    _update(
        bob_actor,
        grace,
        phones=[{"number": "+44 20 7946 0958", "kind": "work"}],
        links=[],
        tags=["Navy", "compilers"],
    )

    assert [(p.number, p.kind, p.is_primary) for p in grace.phones.all()] == [
        ("+442079460958", "work", True)
    ]
    assert list(grace.links.all()) == []
    assert sorted(t.name for t in grace.tags.all()) == ["compilers", "navy"]
    (event,) = _updates(grace)
    assert event.changes == {
        "links": [["https://github.com/grace"], []],
        "phones": [["+14155552671"], ["+442079460958"]],
        "tags": [["cobol", "navy"], ["compilers", "navy"]],
    }


def test_removing_a_tag_from_a_candidate_keeps_the_tag(bob_actor: Actor, grace: Candidate) -> None:
    _update(bob_actor, grace, tags=[])

    assert list(grace.tags.all()) == []
    assert sorted(Tag.objects.values_list("name", flat=True)) == ["cobol", "navy"]


def test_keeps_a_bounce_on_an_email_that_stays(bob_actor: Actor, grace: Candidate) -> None:
    CandidateEmail.objects.filter(email="grace@home.test").update(bounced_at=CREATED_AT)

    _update(bob_actor, grace, emails=["grace@home.test", "hopper@new.test"])

    assert [(e.email, e.bounced_at) for e in grace.emails.all()] == [
        ("grace@home.test", CREATED_AT),
        ("hopper@new.test", None),
    ]


def test_may_reuse_its_own_emails_in_another_order(bob_actor: Actor, grace: Candidate) -> None:
    _update(bob_actor, grace, emails=["grace@home.test", "grace@navy.test"])

    assert [e.email for e in grace.emails.all()] == ["grace@home.test", "grace@navy.test"]


def test_merges_custom_fields_key_by_key(alice_actor: Actor, grace: Candidate) -> None:
    for key in ("salary", "notice", "remote"):
        define_custom_field(actor=alice_actor, key=key, label=key.title(), field_type="text")
    _update(alice_actor, grace, custom_fields={"salary": "100k", "notice": "1 month"})

    _update(alice_actor, grace, custom_fields={"salary": "120k", "remote": "yes"})

    grace.refresh_from_db()
    assert grace.custom_fields == {"salary": "120k", "notice": "1 month", "remote": "yes"}


@pytest.mark.parametrize("removal", [None, ""])
def test_none_or_empty_removes_a_custom_field(
    alice_actor: Actor, grace: Candidate, removal: str | None
) -> None:
    for key in ("salary", "notice"):
        define_custom_field(actor=alice_actor, key=key, label=key.title(), field_type="text")
    _update(alice_actor, grace, custom_fields={"salary": "100k", "notice": "1 month"})

    _update(alice_actor, grace, custom_fields={"notice": removal})

    grace.refresh_from_db()
    assert grace.custom_fields == {"salary": "100k"}
    last = _updates(grace)[-1]
    assert last.changes == {
        "custom_fields": [{"salary": "100k", "notice": "1 month"}, {"salary": "100k"}]
    }


def test_no_op_update_writes_nothing(bob_actor: Actor, grace: Candidate) -> None:
    emails_before = list(grace.emails.values_list("pk", "email", "created_at"))
    activities_before = Activity.objects.count()
    audit_before = AuditEvent.objects.count()

    _update(
        bob_actor,
        grace,
        first_name=" Grace ",
        current_title="Rear Admiral",
        emails=["GRACE@navy.test", "grace@home.test"],
        phones=[{"number": "(415) 555-2671"}],
        links=[{"url": "http://github.com/Grace/"}],
        tags=["COBOL", "navy"],
        custom_fields={},
    )

    grace.refresh_from_db()
    assert grace.updated_at == CREATED_AT
    assert list(grace.emails.values_list("pk", "email", "created_at")) == emails_before
    assert Activity.objects.count() == activities_before
    assert AuditEvent.objects.count() == audit_before


def test_no_op_update_issues_no_write_query(bob_actor: Actor, grace: Candidate) -> None:
    with CaptureQueriesContext(connection) as queries:
        _update(
            bob_actor,
            grace,
            emails=["grace@navy.test", "grace@home.test"],
            phones=[{"number": "+14155552671"}],
            tags=["navy", "cobol"],
        )

    writes = [
        q["sql"]
        for q in queries.captured_queries
        if q["sql"].lstrip().upper().startswith(("INSERT", "UPDATE", "DELETE"))
    ]
    assert writes == []


def test_invalid_value_changes_nothing(bob_actor: Actor, grace: Candidate) -> None:
    with pytest.raises(InvalidInput) as error:
        _update(bob_actor, grace, current_title="Commodore", emails=["grace@navy.test", "nope"])

    assert error.value.field == "emails[1]"
    grace.refresh_from_db()
    assert grace.current_title == "Rear Admiral"
    assert [e.email for e in grace.emails.all()] == ["grace@navy.test", "grace@home.test"]
    assert _updates(grace) == []


def test_refuses_an_email_of_another_candidate_and_changes_nothing(
    bob_actor: Actor, grace: Candidate, candidate_factory: Callable[..., Candidate]
) -> None:
    other = candidate_factory(emails=["ada@example.com"])

    with pytest.raises(Conflict) as error:
        _update(bob_actor, grace, current_title="Commodore", emails=["ada@example.com"])

    assert error.value.code == "duplicate"
    grace.refresh_from_db()
    assert grace.current_title == "Rear Admiral"
    assert [e.email for e in grace.emails.all()] == ["grace@navy.test", "grace@home.test"]
    assert [e.email for e in other.emails.all()] == ["ada@example.com"]
    assert _updates(grace) == []


def test_refuses_an_empty_first_name(bob_actor: Actor, grace: Candidate) -> None:
    with pytest.raises(InvalidInput) as error:
        _update(bob_actor, grace, first_name="  ")

    assert error.value.field == "first_name"
    grace.refresh_from_db()
    assert grace.first_name == "Grace"


def test_archiving_is_an_audited_update(bob_actor: Actor, grace: Candidate) -> None:
    _update(bob_actor, grace, is_archived=True)

    grace.refresh_from_db()
    assert grace.is_archived is True
    assert _updates(grace)[0].changes == {"is_archived": [False, True]}


@pytest.mark.parametrize("role", [Role.COORDINATOR, Role.HIRING_MANAGER, Role.AUDITOR])
def test_refuses_roles_that_cannot_edit(
    acme: Workspace, member_factory: Callable[..., User], grace: Candidate, role: str
) -> None:
    actor = actor_for(member_factory(f"{role}@acme.test", acme, role))

    with pytest.raises(Forbidden):
        _update(actor, grace, current_title="Commodore")

    grace.refresh_from_db()
    assert grace.current_title == "Rear Admiral"
    assert _updates(grace) == []
