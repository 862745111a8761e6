"""Event pools: check-in and attendee lists."""

from __future__ import annotations

import pytest

from talentloop.candidates.models import Activity, Candidate
from talentloop.core.actor import Actor
from talentloop.core.errors import InvalidInput
from talentloop.pools import services
from talentloop.pools.models import Pool, PoolMembership


def test_check_in_is_recorded_once(
    alice_actor: Actor, event_pool: Pool, candidate: Candidate
) -> None:
    first, checked = services.check_in(actor=alice_actor, pool=event_pool, candidate=candidate)
    again, checked_again = services.check_in(
        actor=alice_actor, pool=event_pool, candidate=candidate
    )

    assert (checked, checked_again) == (True, False)
    assert first.pk == again.pk
    assert again.checked_in_at is not None
    attended = Activity.objects.filter(candidate=candidate, type="event_attended")
    assert [(a.summary, a.channel) for a in attended] == [("Attended PyCon 2026", "event")]


def test_only_event_pools_have_check_in(
    alice_actor: Actor, pool: Pool, candidate: Candidate
) -> None:
    with pytest.raises(InvalidInput):
        services.check_in(actor=alice_actor, pool=pool, candidate=candidate)

    assert PoolMembership.objects.exists() is False


def test_imports_attendees_and_reports_bad_rows(
    alice_actor: Actor, event_pool: Pool, candidate: Candidate
) -> None:
    text = (
        "name,email\n"
        "Linus Torvalds,linus@kernel.test\n"
        "Grace Hopper,GRACE@navy.test\n"
        "No Mail,\n"
        "Bad Mail,not-an-email\n"
        "\n"
        "Linus Again,linus@kernel.test\n"
    )

    report = services.import_attendees(
        actor=alice_actor, pool=event_pool, text=text, mark_checked_in=True
    )

    assert (report.created, report.found, report.added, report.checked_in) == (1, 2, 2, 2)
    assert report.errors == [
        {"row": 4, "message": "Give a name and an e-mail."},
        {"row": 5, "message": "'not-an-email' is not a valid e-mail address."},
    ]
    linus = Candidate.objects.get(emails__email="linus@kernel.test")
    assert (linus.first_name, linus.last_name, linus.source, linus.source_detail) == (
        "Linus",
        "Torvalds",
        "event",
        "Event: PyCon 2026",
    )
    assert PoolMembership.objects.filter(pool=event_pool, checked_in_at__isnull=False).count() == 2


def test_imports_a_registration_list_without_check_in(alice_actor: Actor, event_pool: Pool) -> None:
    report = services.import_attendees(
        actor=alice_actor, pool=event_pool, text="Ada Byron,ada@x.test\n"
    )

    assert (report.created, report.added, report.checked_in) == (1, 1, 0)
    membership = PoolMembership.objects.get(pool=event_pool)
    assert membership.checked_in_at is None
    assert Activity.objects.filter(type="event_attended").exists() is False
