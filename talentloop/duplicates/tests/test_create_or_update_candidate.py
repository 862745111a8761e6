"""Creating through identity keys: a known person is updated, never created twice."""

from __future__ import annotations

from talentloop.candidates.models import Candidate
from talentloop.core.actor import Actor
from talentloop.duplicates.services import create_or_update_candidate


def test_creates_an_unknown_person(alice_actor: Actor) -> None:
    candidate, created = create_or_update_candidate(
        actor=alice_actor, data={"first_name": "New", "emails": ["new@x.test"]}
    )

    assert created is True
    assert list(candidate.emails.values_list("email", flat=True)) == ["new@x.test"]


def test_updates_the_person_a_phone_finds(alice_actor: Actor, robert: Candidate) -> None:
    candidate, created = create_or_update_candidate(
        actor=alice_actor,
        data={
            "first_name": "Rob",
            "headline": "Go and Python",
            "city": "Munich",
            "phones": [{"number": "415 555 0100"}],
            "emails": ["rob@home.test"],
            "tags": ["Berlin meetup"],
        },
    )

    assert created is False
    assert candidate.pk == robert.pk
    assert Candidate.objects.count() == 1
    robert.refresh_from_db()
    # Empty fields are filled; fields that have a value keep it.
    assert (robert.first_name, robert.headline, robert.city) == (
        "Robert",
        "Go and Python",
        "Berlin",
    )
    assert list(robert.emails.values_list("email", flat=True)) == [
        "robert.smith@acme-mail.test",
        "rob@home.test",
    ]
    assert sorted(robert.tags.values_list("name", flat=True)) == ["Berlin meetup", "python"]
