"""events.record_event and events.process_events: stamps, timeline, suppression, stops."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection

from talentloop.candidates.models import Activity, Candidate, CandidateEmail
from talentloop.compliance.models import ConsentRecord
from talentloop.compliance.selectors import consent_status
from talentloop.outreach import events
from talentloop.outreach.models import Enrollment, Message, MessageEvent, Suppression

pytestmark = pytest.mark.django_db

T0 = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)


def _at(minutes: int) -> dt.datetime:
    return T0 + dt.timedelta(minutes=minutes)


def _timeline(candidate: Candidate, type: str) -> list[Activity]:
    return list(Activity.objects.filter(candidate=candidate, type=type).order_by("id"))


def _record(message: Message, type: str, minutes: int = 0, **extra: Any) -> None:
    assert events.record_event(message_id=message.pk, type=type, occurred_at=_at(minutes), **extra)


def test_record_event_takes_the_workspace_from_the_ledger(charlie_message: Message) -> None:
    recorded = events.record_event(
        message_id=charlie_message.pk, type="click", url="https://globex.test/", detail={"ua": "x"}
    )

    assert recorded is True
    event = MessageEvent.objects.get()
    assert (event.workspace_id, event.message_id, event.type, event.url, event.detail) == (
        charlie_message.workspace_id,
        charlie_message.pk,
        "click",
        "https://globex.test/",
        {"ua": "x"},
    )
    assert event.processed_at is None


def test_record_event_for_a_missing_message_stores_nothing(db: Any) -> None:
    assert events.record_event(message_id=987_654_321, type="open") is False
    assert MessageEvent.objects.exists() is False
    with pytest.raises(ValueError, match="unknown event type"):
        events.record_event(message_id=1, type="read")


def test_an_open_lands_on_the_timeline_once_per_message(sent_message: Message) -> None:
    _record(sent_message, "open", 5)
    _record(sent_message, "open", 1)
    _record(sent_message, "open", 9)

    assert events.process_events() == 3

    sent_message.refresh_from_db()
    assert sent_message.opened_at == _at(1)  # the earliest, whatever the order stored
    opened = _timeline(sent_message.candidate, "email_opened")
    assert [(a.summary, a.channel, a.actor_id, a.occurred_at) for a in opened] == [
        ("Opened “Spring roles at Acme”", "email", None, _at(1))
    ]
    assert opened[0].payload["message_id"] == sent_message.pk
    assert MessageEvent.objects.filter(processed_at__isnull=True).exists() is False

    # A later open, in a later batch, adds nothing either; processing again changes nothing.
    _record(sent_message, "open", 60)
    assert events.process_events() == 1
    assert events.process_events() == 0
    assert len(_timeline(sent_message.candidate, "email_opened")) == 1


def test_a_click_lands_once_per_link_and_proves_the_open(sent_message: Message) -> None:
    _record(sent_message, "click", 3, url="https://acme.test/jobs/1")
    _record(sent_message, "click", 4, url="https://acme.test/jobs/1")
    _record(sent_message, "click", 5, url="https://acme.test/about")
    events.process_events()
    _record(sent_message, "click", 8, url="https://acme.test/jobs/1")
    events.process_events()

    sent_message.refresh_from_db()
    assert (sent_message.clicked_at, sent_message.opened_at) == (_at(3), _at(3))
    assert [a.payload["url"] for a in _timeline(sent_message.candidate, "email_clicked")] == [
        "https://acme.test/jobs/1",
        "https://acme.test/about",
    ]
    assert _timeline(sent_message.candidate, "email_opened") == []


def test_delivery_is_stamped_once(sent_message: Message) -> None:
    _record(sent_message, "delivered", 1)
    _record(sent_message, "delivered", 2)

    events.process_events()

    sent_message.refresh_from_db()
    assert sent_message.delivered_at == _at(1)
    assert [a.summary for a in _timeline(sent_message.candidate, "email_delivered")] == [
        "“Spring roles at Acme” was delivered to grace@navy.test"
    ]


def test_a_reply_is_on_the_timeline_and_stops_sequences_that_stop_on_replies(
    sent_message: Message, enrollment_factory: Callable[..., Enrollment]
) -> None:
    stops = enrollment_factory(sent_message.candidate, stop_on=("reply",))
    goes_on = enrollment_factory(sent_message.candidate, stop_on=("application",))
    _record(
        sent_message,
        "reply",
        7,
        detail={"excerpt": "Yes,\nI am interested.", "from": "grace@navy.test", "auto": False},
    )

    events.process_events()

    sent_message.refresh_from_db()
    assert sent_message.replied_at == _at(7)
    (reply,) = _timeline(sent_message.candidate, "email_replied")
    assert reply.summary == "Replied to “Spring roles at Acme”: Yes, I am interested."
    assert (reply.payload["excerpt"], reply.payload["auto"]) == ("Yes,\nI am interested.", False)
    stops.refresh_from_db()
    goes_on.refresh_from_db()
    assert (stops.status, stops.stop_reason) == ("stopped", "reply")
    assert goes_on.status == "active"


def test_an_automatic_reply_is_on_the_timeline_but_stops_nothing(
    sent_message: Message, enrollment_factory: Callable[..., Enrollment]
) -> None:
    enrollment = enrollment_factory(sent_message.candidate, stop_on=("reply",))
    _record(sent_message, "reply", 7, detail={"excerpt": "I am away until Monday.", "auto": True})

    events.process_events()

    sent_message.refresh_from_db()
    enrollment.refresh_from_db()
    assert sent_message.replied_at is None
    assert enrollment.status == "active"
    assert [a.summary for a in _timeline(sent_message.candidate, "email_replied")] == [
        "Automatic reply to “Spring roles at Acme”: I am away until Monday."
    ]


def test_a_hard_bounce_suppresses_and_flags_the_address_and_stops_every_sequence(
    sent_message: Message, enrollment_factory: Callable[..., Enrollment]
) -> None:
    enrollment = enrollment_factory(sent_message.candidate, stop_on=())
    detail = {"kind": "hard", "status": "5.1.1", "diagnostic": "smtp; 550 5.1.1 No such user"}
    _record(sent_message, "bounce", 2, detail=detail)

    events.process_events()

    sent_message.refresh_from_db()
    assert sent_message.bounced_at == _at(2)
    suppression = Suppression.objects.get()
    assert (suppression.email, suppression.reason, suppression.message_id) == (
        "grace@navy.test",
        "bounce",
        sent_message.pk,
    )
    assert CandidateEmail.objects.get(email="grace@navy.test").bounced_at is not None
    enrollment.refresh_from_db()
    assert (enrollment.status, enrollment.stop_reason) == ("stopped", "bounce")
    summaries = [a.summary for a in _timeline(sent_message.candidate, "email_bounced")]
    assert summaries == [
        "“Spring roles at Acme” to grace@navy.test bounced (permanent): "
        "smtp; 550 5.1.1 No such user",
        "Marked grace@navy.test as bounced",  # candidates.services.set_email_bounced
    ]


def test_a_soft_bounce_is_only_noted(
    sent_message: Message, enrollment_factory: Callable[..., Enrollment]
) -> None:
    enrollment = enrollment_factory(sent_message.candidate, stop_on=())
    _record(sent_message, "bounce", 2, detail={"kind": "soft", "status": "4.2.2"})

    events.process_events()

    sent_message.refresh_from_db()
    enrollment.refresh_from_db()
    assert sent_message.bounced_at is None
    assert Suppression.objects.exists() is False
    assert CandidateEmail.objects.get(email="grace@navy.test").bounced_at is None
    assert enrollment.status == "active"
    assert [a.summary for a in _timeline(sent_message.candidate, "email_bounced")] == [
        "“Spring roles at Acme” to grace@navy.test bounced (temporary)"
    ]


def test_a_complaint_withdraws_everything_and_suppresses(
    sent_message: Message, enrollment_factory: Callable[..., Enrollment]
) -> None:
    enrollment = enrollment_factory(sent_message.candidate, stop_on=())
    _record(sent_message, "complaint", 2)

    events.process_events()

    status = consent_status(sent_message.candidate)
    assert status[("email", "marketing")] == status[("email", "recruiting")] == "withdrawn"
    assert Suppression.objects.get().reason == "complaint"
    sent_message.refresh_from_db()
    enrollment.refresh_from_db()
    assert sent_message.unsubscribed_at == _at(2)
    assert (enrollment.status, enrollment.stop_reason) == ("stopped", "unsubscribe")

    # The same complaint reported again changes nothing more.
    before = ConsentRecord.objects.count()
    _record(sent_message, "complaint", 3)
    events.process_events()
    assert ConsentRecord.objects.count() == before
    assert Suppression.objects.count() == 1


def test_processes_in_batches_of_the_limit(sent_message: Message) -> None:
    for minute in range(5):
        _record(sent_message, "open", minute)

    assert events.process_events(limit=2) == 2
    assert events.pending_events() == 3
    assert events.process_events(limit=2) == 2
    assert events.process_events(limit=2) == 1
    assert events.process_events(limit=2) == 0


def test_an_event_that_fails_is_set_aside_and_the_batch_goes_on(
    sent_message: Message, monkeypatch: Any
) -> None:
    def broken(**kwargs: Any) -> None:
        raise RuntimeError("disk full")

    monkeypatch.setattr(events, "set_email_bounced", broken)
    _record(sent_message, "bounce", 1, detail={"kind": "hard"})
    _record(sent_message, "open", 2)

    assert events.process_events() == 2

    bounce = MessageEvent.objects.get(type="bounce")
    assert bounce.processed_at is not None
    assert bounce.detail["error"] == "RuntimeError: disk full"
    # The bounce's savepoint was rolled back whole; the open after it went through.
    assert Suppression.objects.exists() is False
    assert _timeline(sent_message.candidate, "email_bounced") == []
    assert len(_timeline(sent_message.candidate, "email_opened")) == 1


def test_each_workspace_gets_its_own_events(
    sent_message: Message, charlie_message: Message
) -> None:
    _record(sent_message, "open", 1)
    _record(charlie_message, "open", 2)
    _record(charlie_message, "bounce", 3, detail={"kind": "hard"})

    events.process_events()

    assert set(
        Activity.objects.filter(type__in=["email_opened", "email_bounced"]).values_list(
            "workspace_id", "candidate_id", "type"
        )
    ) == {
        (sent_message.workspace_id, sent_message.candidate_id, "email_opened"),
        (charlie_message.workspace_id, charlie_message.candidate_id, "email_opened"),
        (charlie_message.workspace_id, charlie_message.candidate_id, "email_bounced"),
    }
    assert list(Suppression.objects.values_list("workspace_id", "email")) == [
        (charlie_message.workspace_id, "other@globex.test")
    ]
    assert CandidateEmail.objects.get(email="grace@navy.test").bounced_at is None


def test_an_unsubscribe_event_from_elsewhere_is_applied(sent_message: Message) -> None:
    # Unsubscribes from the page are applied in the request; one stored by another way in
    # (a provider's webhook) is applied by the batch.
    _record(sent_message, "unsubscribe", 1, detail={"purposes": ["marketing", "recruiting"]})

    events.process_events()

    status = consent_status(sent_message.candidate)
    assert status[("email", "marketing")] == status[("email", "recruiting")] == "withdrawn"
    assert Suppression.objects.get().reason == "unsubscribe"


def test_events_of_a_deleted_message_go_with_it(sent_message: Message) -> None:
    _record(sent_message, "open", 1)
    Message.objects.filter(pk=sent_message.pk).delete()

    assert MessageEvent.objects.exists() is False
    assert events.process_events() == 0


@pytest.mark.django_db(transaction=True)
def test_an_open_outside_a_transaction_leaves_the_session_as_it_was(
    sent_message: Message,
) -> None:
    # On PostgreSQL opens and clicks commit without waiting for the WAL flush; the setting
    # must end with their own statement, or every later write of the connection would too.
    assert connection.in_atomic_block is False

    assert events.record_event(message_id=sent_message.pk, type="open") is True
    assert events.record_event(message_id=sent_message.pk, type="click", url="https://a.test/")

    assert list(MessageEvent.objects.values_list("type", flat=True).order_by("id")) == [
        "open",
        "click",
    ]
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SHOW synchronous_commit")
            assert cursor.fetchone() == ("on",)
