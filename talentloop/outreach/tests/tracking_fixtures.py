"""Fixtures of the tracking and inbound tests: sent ledger rows, live enrolments, mail builders.

Test files import them with `from talentloop.outreach.tests.tracking_fixtures import *`.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from email.message import EmailMessage
from email.utils import format_datetime
from typing import Any

import pytest
from django.utils import timezone

from talentloop.candidates.models import Candidate
from talentloop.compliance.services import record_consent
from talentloop.core.actor import Actor
from talentloop.outreach.models import Enrollment, Message, Purpose, Sequence, StepChannel

__all__ = [
    "charlie_message",
    "enrollment_factory",
    "make_mail",
    "message_factory",
    "sent_message",
]

_keys = itertools.count(1)


@pytest.fixture
def message_factory() -> Callable[..., Message]:
    """A ledger row of an e-mail already sent to `candidate` (at its first address)."""

    def make(candidate: Candidate, **fields: Any) -> Message:
        n = next(_keys)
        address = candidate.emails.values_list("email", flat=True).first() or ""
        fields.setdefault("purpose", Purpose.MARKETING)
        fields.setdefault("subject", "Roles at Acme")
        fields.setdefault("to_address", address)
        fields.setdefault("message_id", f"k{n}.{n:016x}@talentloop.test")
        fields.setdefault("sent_at", timezone.now())
        return Message.objects.create(
            workspace_id=candidate.workspace_id,
            candidate=candidate,
            key=f"test{n}",
            channel=StepChannel.EMAIL,
            status=Message.Status.SENT,
            **fields,
        )

    return make


@pytest.fixture
def sent_message(
    candidate: Candidate, alice_actor: Actor, message_factory: Callable[..., Message]
) -> Message:
    """Acme's marketing e-mail to Grace (grace@navy.test), who granted both purposes."""
    for purpose in Purpose.values:
        record_consent(
            actor=alice_actor,
            candidate=candidate,
            channel="email",
            purpose=purpose,
            status="granted",
            source="form",
        )
    return message_factory(candidate, subject="Spring roles at Acme")


@pytest.fixture
def charlie_message(
    charlie_candidate: Candidate, message_factory: Callable[..., Message]
) -> Message:
    """Globex's e-mail to its own candidate (other@globex.test)."""
    return message_factory(charlie_candidate, subject="Globex is hiring")


@pytest.fixture
def enrollment_factory() -> Callable[..., Enrollment]:
    """A live enrolment of `candidate` in a new active sequence stopping on `stop_on`."""
    counter = itertools.count(1)

    def make(candidate: Candidate, stop_on: tuple[str, ...] = ("reply",)) -> Enrollment:
        sequence = Sequence.objects.create(
            workspace_id=candidate.workspace_id,
            name=f"Sequence {next(counter)}",
            status=Sequence.Status.ACTIVE,
            stop_on=list(stop_on),
        )
        return Enrollment.objects.create(
            workspace_id=candidate.workspace_id,
            sequence=sequence,
            candidate=candidate,
            next_step_at=timezone.now(),
        )

    return make


def make_mail(
    *,
    sender: str = "Grace Hopper <grace@navy.test>",
    to: str = "alice@acme.test",
    subject: str = "Re: Spring roles at Acme",
    text: str | None = "Yes, I am interested.\n",
    html: str | None = None,
    message_id: str = "<reply-1@navy.test>",
    headers: dict[str, str] | None = None,
) -> bytes:
    """An RFC 5322 message as a mail client would send it."""
    mail = EmailMessage()
    mail["From"] = sender
    mail["To"] = to
    mail["Subject"] = subject
    mail["Date"] = format_datetime(timezone.now())
    if message_id:
        mail["Message-ID"] = message_id
    for name, value in (headers or {}).items():
        mail[name] = value
    if text is None:  # an HTML-only message
        mail.set_content(html or "", subtype="html")
    else:
        mail.set_content(text)
        if html is not None:
            mail.add_alternative(html, subtype="html")
    return mail.as_bytes()
