from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest

from talentloop.accounts.models import User, Workspace
from talentloop.accounts.roles import Role
from talentloop.candidates.models import Activity, Candidate, CandidateEmail, Tag
from talentloop.candidates.services import create_candidate, define_custom_field
from talentloop.compliance.models import AuditEvent
from talentloop.core.actor import Actor
from talentloop.core.errors import Conflict, Forbidden, InvalidInput
from talentloop.core.tests.fixtures import actor_for


def test_stores_normalized_contacts_with_the_first_as_primary(alice_actor: Actor) -> None:
    candidate = create_candidate(
        actor=alice_actor,
        data={
            "first_name": "  Ada ",
            "last_name": "Lovelace",
            "emails": [" Ada@Example.COM", "ada.work@example.com", "ADA@example.com"],
            "phones": [
                {"number": "(415) 555-2671"},
                {"number": "+44 20 7946 0958", "kind": "work"},
            ],
            "links": [{"url": "www.linkedin.com/in/Ada-L/?trk=x"}, {"url": "github.com/AdaL"}],
            "country": "gb",
            "timezone": "Europe/London",
        },
    )

    assert candidate.first_name == "Ada"
    assert candidate.country == "GB"
    assert candidate.timezone == "Europe/London"
    assert [(e.email, e.is_primary) for e in candidate.emails.all()] == [
        ("ada@example.com", True),
        ("ada.work@example.com", False),
    ]
    assert [(p.number, p.kind, p.is_primary) for p in candidate.phones.all()] == [
        ("+14155552671", "mobile", True),
        ("+442079460958", "work", False),
    ]
    assert [(link.url, link.kind) for link in candidate.links.all()] == [
        ("https://linkedin.com/in/ada-l", "linkedin"),
        ("https://github.com/adal", "github"),
    ]


def test_phone_without_country_code_uses_the_workspace_region(alice: User, acme: Workspace) -> None:
    Workspace.objects.filter(pk=acme.pk).update(default_phone_region="DE")

    candidate = create_candidate(
        actor=actor_for(alice), data={"first_name": "Jonas", "phones": [{"number": "030 901820"}]}
    )

    assert [p.number for p in candidate.phones.all()] == ["+4930901820"]


def test_owner_defaults_to_the_acting_member(alice_actor: Actor, alice: User) -> None:
    candidate = create_candidate(actor=alice_actor, data={"first_name": "Ada"})

    assert candidate.owner_id == alice.pk
    assert candidate.workspace_id == alice_actor.workspace.pk
    assert candidate.source == "sourced"


def test_owner_can_be_another_member(alice_actor: Actor, bob: User) -> None:
    candidate = create_candidate(actor=alice_actor, data={"first_name": "Ada", "owner_id": bob.pk})

    assert candidate.owner_id == bob.pk


@pytest.mark.parametrize("owner_id", ["abc", "1", True, 10**9])
def test_refuses_owner_who_is_not_a_member(alice_actor: Actor, owner_id: Any) -> None:
    with pytest.raises(InvalidInput) as error:
        create_candidate(actor=alice_actor, data={"first_name": "Ada", "owner_id": owner_id})

    assert error.value.field == "owner_id"
    assert Candidate.objects.exists() is False


def test_refuses_owner_from_another_workspace(alice_actor: Actor, charlie: User) -> None:
    with pytest.raises(InvalidInput) as error:
        create_candidate(actor=alice_actor, data={"first_name": "Ada", "owner_id": charlie.pk})

    assert error.value.field == "owner_id"


def test_writes_one_audit_row_with_the_new_values(alice_actor: Actor, bob: User) -> None:
    candidate = create_candidate(
        actor=alice_actor,
        data={
            "first_name": "Ada",
            "last_name": "Lovelace",
            "emails": ["ada@example.com"],
            "tags": ["Python"],
            "years_experience": 7.25,
            "owner_id": bob.pk,
        },
    )

    event = AuditEvent.objects.get()
    assert event.action == AuditEvent.Action.CANDIDATE_CREATED
    assert event.workspace_id == alice_actor.workspace.pk
    assert event.actor_id == alice_actor.user_id
    assert event.actor_label == "alice@acme.test"
    assert event.ip == "127.0.0.1"
    assert (event.target_type, event.target_id, event.target_label) == (
        "candidate",
        candidate.pk,
        "Ada Lovelace",
    )
    assert event.changes == {
        "first_name": [None, "Ada"],
        "last_name": [None, "Lovelace"],
        "emails": [None, ["ada@example.com"]],
        "tags": [None, ["Python"]],
        "years_experience": [None, "7.2"],
        "owner_id": [None, bob.pk],
        "source": [None, "sourced"],
    }
    assert candidate.years_experience == Decimal("7.2")


def test_starts_the_timeline_with_a_created_entry(alice_actor: Actor) -> None:
    candidate = create_candidate(
        actor=alice_actor, data={"first_name": "Ada", "source": "referral"}
    )

    activity = Activity.objects.get(candidate=candidate)
    assert activity.type == Activity.Type.CREATED
    assert activity.channel == Activity.Channel.INTERNAL
    assert activity.actor_id == alice_actor.user_id
    assert activity.summary == "Added by alice@acme.test (source: Referral)"
    assert candidate.last_contacted_at is None


def test_search_text_holds_names_emails_title_and_company(alice_actor: Actor) -> None:
    candidate = create_candidate(
        actor=alice_actor,
        data={
            "first_name": "Zoë",
            "last_name": "Núñez",
            "emails": ["zoe@Acme-Labs.io"],
            "current_title": "Staff Engineer",
            "current_company": "Acme Labs",
            "headline": "not indexed",
            "city": "Not indexed either",
        },
    )

    candidate.refresh_from_db()
    assert candidate.search_text == "zoe nunez acme labs io staff engineer"


def test_tags_are_reused_regardless_of_case(alice_actor: Actor) -> None:
    first = create_candidate(actor=alice_actor, data={"first_name": "A", "tags": ["Python"]})
    second = create_candidate(
        actor=alice_actor, data={"first_name": "B", "tags": ["python", "  Remote   only "]}
    )

    assert sorted(Tag.objects.values_list("name", flat=True)) == ["Python", "Remote only"]
    assert [t.name for t in first.tags.all()] == ["Python"]
    assert sorted(t.name for t in second.tags.all()) == ["Python", "Remote only"]


def test_custom_fields_are_typed_by_their_definition(alice_actor: Actor) -> None:
    define_custom_field(
        actor=alice_actor, key="desired_salary", label="Salary", field_type="number"
    )
    define_custom_field(actor=alice_actor, key="relocate", label="Relocate", field_type="boolean")
    define_custom_field(
        actor=alice_actor,
        key="notice",
        label="Notice",
        field_type="choice",
        choices=["none", "1 month"],
    )

    candidate = create_candidate(
        actor=alice_actor,
        data={
            "first_name": "Ada",
            "custom_fields": {"desired_salary": "120", "relocate": "yes", "notice": "1 month"},
        },
    )

    assert candidate.custom_fields == {"desired_salary": 120, "relocate": True, "notice": "1 month"}


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"first_name": ""}, "first_name"),
        ({"first_name": "   "}, "first_name"),
        ({"last_name": "Lovelace"}, "first_name"),
        ({"first_name": "A" * 101}, "first_name"),
        ({"first_name": "Ada", "emails": ["ada@example.com", "nope"]}, "emails[1]"),
        ({"first_name": "Ada", "phones": [{"number": "12"}]}, "phones[0].number"),
        (
            {"first_name": "Ada", "phones": [{"number": "+14155552671", "kind": "pager"}]},
            "phones[0].kind",
        ),
        ({"first_name": "Ada", "links": [{"url": "not a link"}]}, "links[0].url"),
        ({"first_name": "Ada", "tags": ["ok", ""]}, "tags[1]"),
        ({"first_name": "Ada", "country": "Germany"}, "country"),
        ({"first_name": "Ada", "timezone": "Mars/Base"}, "timezone"),
        ({"first_name": "Ada", "timezone": "Country/Nowhere"}, "timezone"),
        ({"first_name": "Ada", "seniority": "wizard"}, "seniority"),
        ({"first_name": "Ada", "source": ""}, "source"),
        ({"first_name": "Ada", "years_experience": "lots"}, "years_experience"),
        ({"first_name": "Ada", "years_experience": 81}, "years_experience"),
        ({"first_name": "Ada", "is_do_not_contact": "yes"}, "is_do_not_contact"),
        ({"first_name": "Ada", "custom_fields": {"unknown": 1}}, "custom_fields.unknown"),
        ({"first_name": "Ada", "emails": [f"a{i}@example.com" for i in range(21)]}, "emails"),
    ],
)
def test_refuses_invalid_values_naming_the_field(
    alice_actor: Actor, data: dict[str, Any], field: str
) -> None:
    with pytest.raises(InvalidInput) as error:
        create_candidate(actor=alice_actor, data=data)

    assert error.value.field == field
    assert Candidate.objects.exists() is False
    assert AuditEvent.objects.exists() is False


def test_refuses_an_email_another_candidate_has(
    alice_actor: Actor, candidate_factory: Callable[..., Candidate]
) -> None:
    existing = candidate_factory(emails=["ada@example.com"])

    with pytest.raises(Conflict) as error:
        create_candidate(
            actor=alice_actor, data={"first_name": "Copy", "emails": [" ADA@example.com"]}
        )

    assert error.value.code == "duplicate"
    assert error.value.field == "emails"
    assert error.value.message == f"ada@example.com already belongs to candidate {existing.pk}."
    assert list(Candidate.objects.values_list("first_name", flat=True)) == ["Ada"]
    assert AuditEvent.objects.count() == 1  # only the first candidate's creation


def test_the_same_email_may_exist_in_another_workspace(
    alice_actor: Actor, charlie_actor: Actor
) -> None:
    create_candidate(actor=charlie_actor, data={"first_name": "Other", "emails": ["a@b.test"]})

    candidate = create_candidate(
        actor=alice_actor, data={"first_name": "Ada", "emails": ["a@b.test"]}
    )

    assert CandidateEmail.objects.filter(email="a@b.test").count() == 2
    assert candidate.workspace_id == alice_actor.workspace.pk


@pytest.mark.parametrize("role", [Role.COORDINATOR, Role.HIRING_MANAGER, Role.AUDITOR])
def test_refuses_roles_that_cannot_edit_candidates(
    acme: Workspace, member_factory: Callable[..., User], role: str
) -> None:
    actor = actor_for(member_factory(f"{role}@acme.test", acme, role))

    with pytest.raises(Forbidden):
        create_candidate(actor=actor, data={"first_name": "Ada"})

    assert Candidate.objects.exists() is False
    assert AuditEvent.objects.exists() is False


def test_api_key_creates_candidates_without_owner(acme: Workspace) -> None:
    actor = Actor(workspace=acme, role=Role.RECRUITER)

    candidate = create_candidate(actor=actor, data={"first_name": "Ada", "source": "api"})

    assert candidate.owner_id is None
    assert AuditEvent.objects.get().actor_label == "system"


@pytest.mark.parametrize(
    ("first", "second", "field"),
    [
        (
            {"phones": [{"number": "+1 415 555 2671"}]},
            {"phones": [{"number": "(415) 555-2671"}]},
            "phones",
        ),
        (
            {"links": [{"url": "https://www.linkedin.com/in/ada-l"}]},
            {"links": [{"url": "linkedin.com/in/ada-l/"}]},
            "links",
        ),
    ],
)
def test_a_stored_persons_phone_or_profile_refuses_a_second_record(
    alice_actor: Actor, first: dict[str, Any], second: dict[str, Any], field: str
) -> None:
    stored = create_candidate(actor=alice_actor, data={"first_name": "Ada", **first})

    with pytest.raises(Conflict) as error:
        create_candidate(actor=alice_actor, data={"first_name": "Ada", **second})

    assert error.value.field == field
    assert error.value.message.endswith(f"already belongs to candidate {stored.pk}.")
    assert Candidate.objects.count() == 1


def test_a_shared_company_website_is_not_an_identity(alice_actor: Actor) -> None:
    site = {"links": [{"url": "https://acme.example.com"}]}
    create_candidate(actor=alice_actor, data={"first_name": "Ada", **site})

    create_candidate(actor=alice_actor, data={"first_name": "Grace", **site})

    assert Candidate.objects.count() == 2


def test_another_workspaces_phone_is_no_conflict(alice_actor: Actor, charlie_actor: Actor) -> None:
    phone = {"phones": [{"number": "+1 415 555 2671"}]}
    create_candidate(actor=charlie_actor, data={"first_name": "Ada", **phone})

    create_candidate(actor=alice_actor, data={"first_name": "Ada", **phone})

    assert Candidate.objects.count() == 2
