"""Referrals: any member refers a person, found or created with source "referral"."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from talentloop.candidates.models import Activity, Candidate, Note
from talentloop.compliance.models import AuditEvent
from talentloop.core.actor import Actor
from talentloop.core.errors import Forbidden, InvalidInput
from talentloop.core.tests.fixtures import actor_for
from talentloop.pools import services
from talentloop.pools.models import Pool, PoolMembership
from talentloop.pools.services import Referral


@pytest.fixture
def harry(member_factory: Any, acme: Any) -> Actor:
    return actor_for(member_factory("harry@acme.test", acme, "hiring_manager", "Harry"))


def test_hiring_manager_refers_a_new_person(harry: Actor, pool: Pool) -> None:
    candidate, created = services.submit_referral(
        actor=harry,
        referral=Referral(
            first_name="Rosa",
            last_name="Parks",
            email=" Rosa@Example.test ",
            current_title="Engineer",
            note="Worked with her at Initech.",
        ),
        pool=pool,
    )

    assert created is True
    assert (candidate.source, candidate.source_detail, candidate.owner_id) == (
        "referral",
        "Referred by harry@acme.test",
        None,  # unassigned: a recruiter picks the referral up
    )
    assert [e.email for e in candidate.emails.all()] == ["rosa@example.test"]
    note = Note.objects.get(candidate=candidate)
    assert note.body == "Referred by harry@acme.test.\n\nWorked with her at Initech."
    assert note.author == harry.user
    assert PoolMembership.objects.filter(pool=pool, candidate=candidate).exists()
    created_audit = AuditEvent.objects.get(action="candidate.created", target_id=candidate.pk)
    assert created_audit.actor == harry.user  # written under the referrer's own name


def test_referring_a_known_person_adds_a_note_only(bob_actor: Actor, candidate: Candidate) -> None:
    found, created = services.submit_referral(
        actor=bob_actor,
        referral=Referral(first_name="G", email="GRACE@navy.test", note="Great"),
    )

    assert (found.pk, created) == (candidate.pk, False)
    assert Candidate.objects.count() == 1
    assert Activity.objects.filter(candidate=candidate, type="note").count() == 1


def test_finds_by_phone_or_linkedin(
    alice_actor: Actor, candidate_factory: Callable[..., Candidate]
) -> None:
    linked = candidate_factory(links=[{"url": "https://www.linkedin.com/in/ada"}])
    phoned = candidate_factory(phones=[{"number": "+44 20 7946 0958"}])

    by_link, _ = services.submit_referral(
        actor=alice_actor,
        referral=Referral(first_name="A", linkedin="https://www.linkedin.com/in/ada/"),
    )
    by_phone, _ = services.submit_referral(
        actor=alice_actor, referral=Referral(first_name="A", phone="+442079460958")
    )

    assert (by_link.pk, by_phone.pk) == (linked.pk, phoned.pk)


def test_needs_a_way_to_reach_the_person(harry: Actor) -> None:
    with pytest.raises(InvalidInput) as info:
        services.submit_referral(actor=harry, referral=Referral(first_name="Nobody"))

    assert info.value.field == "email"
    assert Candidate.objects.exists() is False


def test_bad_email_names_the_field(harry: Actor) -> None:
    with pytest.raises(InvalidInput) as info:
        services.submit_referral(actor=harry, referral=Referral(first_name="X", email="nope"))

    assert info.value.field == "email"
    assert Candidate.objects.exists() is False


def test_auditors_cannot_refer(member_factory: Any, acme: Any) -> None:
    auditor = actor_for(member_factory("audrey@acme.test", acme, "auditor"))

    with pytest.raises(Forbidden):
        services.submit_referral(actor=auditor, referral=Referral(first_name="X", email="x@y.test"))

    assert Candidate.objects.exists() is False
