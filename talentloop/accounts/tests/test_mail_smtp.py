"""Invitation e-mail through Django's real SMTP backend into a real SMTP server on 127.0.0.1."""

from __future__ import annotations

import email
import email.policy
import socket
from collections.abc import Iterator
from email.message import EmailMessage
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from django.db import transaction

from talentloop.accounts.models import Invitation
from talentloop.accounts.roles import Role
from talentloop.accounts.services import invite_member
from talentloop.core.actor import Actor


class Collector:
    """aiosmtpd handler that keeps every message it receives."""

    def __init__(self) -> None:
        self.envelopes: list[Any] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.envelopes.append(envelope)
        return "250 Message accepted for delivery"


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@pytest.fixture
def smtp_server(settings: Any) -> Iterator[Collector]:
    collector = Collector()
    port = _free_port()
    controller = Controller(collector, hostname="127.0.0.1", port=port)
    controller.start()
    settings.MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {"host": "127.0.0.1", "port": port, "use_tls": False, "timeout": 5},
        }
    }
    settings.DEFAULT_FROM_EMAIL = "Talentloop <talentloop@acme.test>"
    settings.SITE_URL = "https://talent.acme.test"
    try:
        yield collector
    finally:
        controller.stop()


def test_invitation_arrives_over_smtp_with_the_accept_link(
    smtp_server: Collector, alice_actor: Actor, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        _, token = invite_member(actor=alice_actor, email="dana@example.com", role=Role.RECRUITER)

    (envelope,) = smtp_server.envelopes
    assert envelope.mail_from == "talentloop@acme.test"
    assert envelope.rcpt_tos == ["dana@example.com"]
    message = email.message_from_bytes(envelope.original_content, policy=email.policy.default)
    assert isinstance(message, EmailMessage)
    assert message["To"] == "dana@example.com"
    assert message["Subject"] == "Alice Admin invited you to Acme Talent on Talentloop"
    lines = message.get_content().splitlines()
    assert f"https://talent.acme.test/accounts/invitations/{token}/" in lines
    assert lines[0] == "Alice Admin invited you to join Acme Talent on Talentloop as recruiter."


def test_nothing_is_sent_when_the_invitation_is_rolled_back(
    smtp_server: Collector, alice_actor: Actor, django_capture_on_commit_callbacks: Any
) -> None:
    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        invite_member(actor=alice_actor, email="dana@example.com", role=Role.RECRUITER)
        raise RuntimeError("a later step of the request failed")

    assert callbacks == []
    assert Invitation.objects.exists() is False
    assert smtp_server.envelopes == []
