"""inbound.handle_inbound: which message a mail answers, stored once, then on the timeline."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from django.utils import timezone

from talentloop.candidates.models import Activity, Candidate
from talentloop.core.actor import Actor
from talentloop.outreach import events, inbound
from talentloop.outreach.models import Enrollment, Message, MessageEvent, Suppression
from talentloop.outreach.tests.tracking_fixtures import make_mail
from talentloop.outreach.tracking import make_token, reply_address

pytestmark = pytest.mark.django_db

DOMAIN = "replies.acme.test"


@pytest.fixture(autouse=True)
def _reply_domain(settings: Any) -> None:
    settings.TALENTLOOP_REPLY_DOMAIN = DOMAIN


def _bounce_of(message: Message, status: str = "5.1.1") -> bytes:
    return (
        "From: MAILER-DAEMON@mx.navy.test\r\nTo: alice@acme.test\r\n"
        "Subject: Undelivered Mail\r\nMessage-ID: <dsn-1@mx.navy.test>\r\nMIME-Version: 1.0\r\n"
        'Content-Type: multipart/report; report-type=delivery-status; boundary="B"\r\n\r\n'
        "--B\r\nContent-Type: message/delivery-status\r\n\r\n"
        "Reporting-MTA: dns; mx.navy.test\r\n\r\n"
        f"Final-Recipient: rfc822; {message.to_address}\r\nAction: failed\r\n"
        f"Status: {status}\r\nDiagnostic-Code: smtp; 550 {status} unknown user\r\n\r\n"
        "--B\r\nContent-Type: text/rfc822-headers\r\n\r\n"
        f"Message-ID: <{message.message_id}>\r\n\r\n--B--\r\n"
    ).encode()


def test_matches_a_reply_by_its_reply_address(
    sent_message: Message, enrollment_factory: Callable[..., Enrollment]
) -> None:
    enrollment = enrollment_factory(sent_message.candidate, stop_on=("reply",))
    address = reply_address(sent_message.pk)
    assert address is not None
    raw = make_mail(
        to=f"Acme Talent <{address}>",
        text="Yes, let's talk on Tuesday.\n\nOn Mon, Alice wrote:\n> Hi Grace\n",
    )

    result = inbound.handle_inbound(raw)

    assert result == inbound.InboundResult(
        kind="reply", message_id=sent_message.pk, matched_by="token", recorded=True
    )
    event = MessageEvent.objects.get()
    assert (event.type, event.workspace_id) == ("reply", sent_message.workspace_id)
    assert event.detail == {
        "inbound_id": "reply-1@navy.test",
        "from": "grace@navy.test",
        "excerpt": "Yes, let's talk on Tuesday.",
        "subject": "Re: Spring roles at Acme",
        "auto": False,
    }
    events.process_events()
    (reply,) = Activity.objects.filter(candidate=sent_message.candidate, type="email_replied")
    assert reply.summary == "Replied to “Spring roles at Acme”: Yes, let's talk on Tuesday."
    enrollment.refresh_from_db()
    assert (enrollment.status, enrollment.stop_reason) == ("stopped", "reply")


def test_matches_by_in_reply_to_then_references(
    sent_message: Message, message_factory: Callable[..., Message]
) -> None:
    later = message_factory(sent_message.candidate, subject="Follow-up")
    by_thread = make_mail(
        headers={"References": f"<{sent_message.message_id}> <unknown@elsewhere.test>"}
    )
    direct = make_mail(
        message_id="<reply-2@navy.test>",
        headers={
            "In-Reply-To": f"<{later.message_id}>",
            "References": f"<{sent_message.message_id}> <{later.message_id}>",
        },
    )

    assert inbound.handle_inbound(by_thread).message_id == sent_message.pk
    assert inbound.handle_inbound(direct).message_id == later.pk
    assert inbound.handle_inbound(direct).matched_by == "references"


def test_the_same_mail_is_stored_once(sent_message: Message) -> None:
    raw = make_mail(headers={"In-Reply-To": f"<{sent_message.message_id}>"})

    first = inbound.handle_inbound(raw)
    again = inbound.handle_inbound(raw)

    assert (first.recorded, again.recorded, again.message_id) == (True, False, sent_message.pk)
    assert MessageEvent.objects.count() == 1


def test_matches_by_sender_only_when_one_workspace_wrote_lately(
    sent_message: Message,
    candidate_factory: Callable[..., Candidate],
    charlie_actor: Actor,
    message_factory: Callable[..., Message],
) -> None:
    # No reply address, no thread headers: a reply from a client that drops them.
    raw = make_mail(to="alice@acme.test")
    assert inbound.handle_inbound(raw).matched_by == "sender"
    assert MessageEvent.objects.get().message_id == sent_message.pk

    # Globex wrote to the same person too: the reply could be for either, so for neither.
    grace_at_globex = candidate_factory(
        actor=charlie_actor, first_name="Grace", emails=["grace@navy.test"]
    )
    message_factory(grace_at_globex, subject="Globex roles")
    result = inbound.handle_inbound(make_mail(message_id="<reply-3@navy.test>"))

    assert result == inbound.InboundResult(kind="reply")
    assert MessageEvent.objects.count() == 1


def test_an_old_message_is_not_matched_by_sender(
    candidate: Candidate, message_factory: Callable[..., Message]
) -> None:
    message_factory(candidate, sent_at=timezone.now() - dt.timedelta(days=45))

    assert inbound.handle_inbound(make_mail()).message_id is None


def test_a_forged_reply_address_matches_nothing(sent_message: Message) -> None:
    forged = f"reply+{make_token(sent_message.pk, 'open')}@{DOMAIN}"
    other_domain = f"reply+{make_token(sent_message.pk, 'reply')}@replies.evil.test"

    for to in (forged, other_domain):
        result = inbound.handle_inbound(make_mail(to=to, sender="someone@else.test"))
        assert result.message_id is None
    assert MessageEvent.objects.exists() is False


def test_a_bounce_stops_and_suppresses_through_the_batch(
    sent_message: Message, enrollment_factory: Callable[..., Enrollment]
) -> None:
    enrollment = enrollment_factory(sent_message.candidate, stop_on=())

    result = inbound.handle_inbound(_bounce_of(sent_message))
    events.process_events()

    assert (result.kind, result.matched_by) == ("bounce", "references")
    assert MessageEvent.objects.get().detail["status"] == "5.1.1"
    assert Suppression.objects.get().reason == "bounce"
    enrollment.refresh_from_db()
    assert enrollment.status == "stopped"


def test_a_bounce_naming_only_an_address_is_not_believed(sent_message: Message) -> None:
    raw = _bounce_of(sent_message).replace(
        f"Message-ID: <{sent_message.message_id}>".encode(), b"Message-ID: <made-up@x.test>"
    )

    result = inbound.handle_inbound(raw)

    assert (result.kind, result.message_id) == ("bounce", None)
    assert MessageEvent.objects.exists() is False


def test_a_reply_for_another_workspaces_message_lands_there(
    sent_message: Message, charlie_message: Message
) -> None:
    address = reply_address(charlie_message.pk)
    assert address is not None

    inbound.handle_inbound(make_mail(to=address, sender="other@globex.test"))
    events.process_events()

    event = MessageEvent.objects.get()
    assert (event.message_id, event.workspace_id) == (
        charlie_message.pk,
        charlie_message.workspace_id,
    )
    assert list(
        Activity.objects.filter(type="email_replied").values_list("workspace_id", "candidate_id")
    ) == [(charlie_message.workspace_id, charlie_message.candidate_id)]


def test_storing_starts_processing_once_committed(
    sent_message: Message, django_capture_on_commit_callbacks: Any
) -> None:
    # The immediate task backend of the tests runs the processing at once.
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        inbound.handle_inbound(make_mail(headers={"In-Reply-To": f"<{sent_message.message_id}>"}))

    assert len(callbacks) == 1
    sent_message.refresh_from_db()
    assert sent_message.replied_at is not None
    assert MessageEvent.objects.get().processed_at is not None
