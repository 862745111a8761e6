"""E-mail through Django's mail framework (the `MAILERS` entry in settings), built fast.

Messages are assembled as bytes here rather than with the `email` package: the package costs
about 1.4 ms a message on this machine, more than the SMTP conversation itself, and outreach
messages all have one shape (multipart/alternative, text and HTML, quoted-printable).
With an SMTP mailer the bytes go straight onto its connection; any other backend (files in the
demo, locmem in tests, provider APIs through django-anymail) gets a Django EmailMessage.
"""

from __future__ import annotations

import binascii
import contextlib
import email
import email.policy
import logging
import re
import smtplib
import socket
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from email.header import Header
from email.utils import formataddr, formatdate
from functools import cached_property
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.mail import EmailMessage, mailers
from django.core.mail.backends.smtp import EmailBackend as SmtpBackend

from talentloop.outreach.channels.base import Commit, Outcome, Outgoing, SendError

logger = logging.getLogger(__name__)
LOST = "SMTP connection lost"

_LEADING_DOT = re.compile(rb"(?m)^\.")


def _header(value: str) -> str:
    """A header value, RFC 2047-encoded only when it is not plain ASCII."""
    if value.isascii():
        return value.replace("\r", " ").replace("\n", " ")
    return Header(value.replace("\r", " ").replace("\n", " "), "utf-8").encode()


def _address(name: str, address: str) -> str:
    name = name.replace("\r", " ").replace("\n", " ")
    if name.isascii():
        return formataddr((name, address))
    return formataddr((name, address), charset="utf-8")


def _qp(text: str) -> bytes:
    body = text.replace("\r\n", "\n").replace("\n", "\r\n").encode()
    return binascii.b2a_qp(body, istext=True).replace(b"\n", b"\r\n").replace(b"\r\r\n", b"\r\n")


def build_mime(message: Outgoing) -> bytes:
    """The message as RFC 5322 bytes with CRLF line ends."""
    boundary = "=_tl_" + uuid.uuid4().hex
    lines = [
        f"From: {_address(message.from_name, message.from_address)}",
        f"To: {_address(message.to_name, message.to)}",
        f"Subject: {_header(message.subject)}",
        f"Date: {formatdate(localtime=False)}",
        f"Message-ID: <{message.message_id}>",
        "MIME-Version: 1.0",
        f"X-Talentloop-Message: {message.key}",
    ]
    if message.reply_to:
        lines.append(f"Reply-To: {message.reply_to}")
    if message.unsubscribe_url:
        lines.append(f"List-Unsubscribe: <{message.unsubscribe_url}>")
        lines.append("List-Unsubscribe-Post: List-Unsubscribe=One-Click")
    lines.extend(f"{name}: {_header(value)}" for name, value in message.headers.items())
    lines.append(f'Content-Type: multipart/alternative; boundary="{boundary}"')
    head = "\r\n".join(lines).encode() + b"\r\n\r\n"
    part = (
        "--{b}\r\nContent-Type: text/{kind}; charset=utf-8\r\n"
        "Content-Transfer-Encoding: quoted-printable\r\n\r\n"
    )
    return b"".join(
        (
            head,
            part.format(b=boundary, kind="plain").encode(),
            _qp(message.text),
            b"\r\n",
            part.format(b=boundary, kind="html").encode(),
            _qp(message.html),
            f"\r\n--{boundary}--\r\n".encode(),
        )
    )


class _Connection:
    """One SMTP connection of the channel's pool (a Django SMTP backend, opened)."""

    def __init__(self, mailer: str) -> None:
        backend = mailers.create_connection(mailer)
        assert isinstance(backend, SmtpBackend)
        self.backend = backend
        self.backend.open()
        smtp = self.smtp
        smtp.ehlo_or_helo_if_needed()
        if smtp.sock is not None:
            # The final "." goes out alone, after the commit: without TCP_NODELAY, Nagle's
            # algorithm holds it until the server's delayed ACK (about 40 ms a message).
            smtp.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    @property
    def smtp(self) -> smtplib.SMTP:
        assert self.backend.connection is not None
        return self.backend.connection

    def close(self) -> None:
        """Say QUIT and close (between transactions)."""
        # Closing a broken connection may fail; it is gone either way.
        with contextlib.suppress(Exception):
            self.backend.close()

    def drop(self) -> None:
        """Close the socket at once, mid-transaction: the server discards an unfinished DATA.
        (A QUIT here would become part of the message and then wait for an answer.)"""
        with contextlib.suppress(Exception):
            self.smtp.close()
        self.backend.connection = None


def _step(
    live: dict[int, _Connection],
    failed: dict[int, SendError],
    command: Callable[[int, smtplib.SMTP], None],
    expect: tuple[int, ...],
) -> None:
    """Send one command on every live connection, then read every reply: the server works on
    all of them at once, so a batch waits about one round trip per step, not one per message.
    A connection whose command fails leaves `live` with its error in `failed`."""
    for index, conn in list(live.items()):
        try:
            command(index, conn.smtp)
        except (smtplib.SMTPException, OSError) as error:
            failed[index] = SendError(f"{LOST}: {error}", permanent=False)
            live.pop(index).drop()
    for index, conn in list(live.items()):
        try:
            code, reply = conn.smtp.getreply()
        except (smtplib.SMTPException, OSError) as error:
            failed[index] = SendError(f"{LOST}: {error}", permanent=False)
            live.pop(index).drop()
            continue
        if code not in expect:
            text = reply.decode("utf-8", "replace")
            failed[index] = SendError(f"SMTP {code}: {text}", permanent=code >= 500)
            del live[index]
            try:
                conn.smtp.rset()
            except (smtplib.SMTPException, OSError):
                conn.drop()


@dataclass(frozen=True)
class Envelope:
    sender: str  # MAIL FROM
    to: str
    key: str
    raw: bytes


class _RawEmailMessage(EmailMessage):
    """A Django EmailMessage whose MIME form is given as bytes (for non-SMTP backends)."""

    def __init__(self, raw: bytes, *, from_email: str, to: str) -> None:
        super().__init__(from_email=from_email, to=[to])
        self.raw = raw

    def message(self, *, policy: Any = email.policy.default) -> Any:
        return email.message_from_bytes(self.raw, policy=policy)


class EmailChannel:
    """Sends outreach e-mail through the MAILERS entry named by TALENTLOOP_OUTREACH_MAILER."""

    name = "email"

    def __init__(self, mailer: str | None = None, *, parallelism: int | None = None) -> None:
        self.mailer = mailer or settings.TALENTLOOP_OUTREACH_MAILER
        self.parallelism = parallelism or settings.TALENTLOOP_OUTREACH_SMTP_CONNECTIONS
        self._backend: Any = None
        self._pool: list[_Connection] = []

    @cached_property
    def _dkim(self) -> tuple[bytes, bytes, bytes] | None:
        domain = settings.TALENTLOOP_DKIM_DOMAIN
        selector = settings.TALENTLOOP_DKIM_SELECTOR
        key_file = settings.TALENTLOOP_DKIM_KEY_FILE
        if not (domain and selector and key_file):
            return None
        return selector.encode(), domain.encode(), Path(key_file).read_bytes()

    def sign(self, raw: bytes) -> bytes:
        """Prepend a DKIM-Signature when a key is configured."""
        if self._dkim is None:
            return raw
        import dkim  # type: ignore[import-untyped]  # only loaded when signing is configured

        selector, domain, key = self._dkim
        signature: bytes = dkim.sign(
            raw,
            selector,
            domain,
            key,
            include_headers=[
                b"from",
                b"to",
                b"subject",
                b"date",
                b"message-id",
                b"reply-to",
                b"list-unsubscribe",
                b"list-unsubscribe-post",
                b"mime-version",
                b"content-type",
            ],
        )
        return signature.replace(b"\r\n", b"\n").replace(b"\n", b"\r\n") + raw

    def _connections(self, count: int) -> list[_Connection]:
        self._pool = [conn for conn in self._pool if conn.backend.connection is not None]
        while len(self._pool) < count:
            self._pool.append(_Connection(self.mailer))
        return self._pool[:count]

    def send_batch(self, messages: Sequence[Outgoing], commit: Commit) -> list[Outcome]:
        """Send each message on its own connection of the pool, all steps interleaved, with
        one commit for the batch just before the final "." of each DATA."""
        raws = [self.sign(build_mime(message)) for message in messages]
        if not self._is_smtp():
            return self._send_through_backend(messages, raws, commit)
        envelopes = [
            Envelope(m.envelope_from or m.from_address, m.to, m.key, raw)
            for m, raw in zip(messages, raws, strict=True)
        ]
        return self.transmit(envelopes, commit)

    def transmit(self, envelopes: Sequence[Envelope], commit: Commit) -> list[Outcome]:
        """The SMTP part of send_batch, for messages already built (the bench's raw rate)."""
        try:
            live = dict(enumerate(self._connections(len(envelopes))))
        except (smtplib.SMTPException, OSError) as error:
            self.close()
            failure = SendError(f"{LOST}: {error}", permanent=False)
            return [Outcome(error=failure) for _ in envelopes]
        failed: dict[int, SendError] = {}
        _step(
            live,
            failed,
            lambda i, smtp: smtp.putcmd("mail", f"FROM:<{envelopes[i].sender}>"),
            (250,),
        )
        _step(
            live, failed, lambda i, smtp: smtp.putcmd("rcpt", f"TO:<{envelopes[i].to}>"), (250, 251)
        )
        _step(live, failed, lambda i, smtp: smtp.putcmd("data"), (354,))
        for index in list(live):
            body = _LEADING_DOT.sub(b"..", envelopes[index].raw)
            try:
                live[index].smtp.send(body if body.endswith(b"\r\n") else body + b"\r\n")
            except (smtplib.SMTPException, OSError) as error:
                failed[index] = SendError(f"{LOST}: {error}", permanent=False)
                live.pop(index).drop()
        allowed = commit(sorted(live)) if live else set()
        outcomes = {index: Outcome(error=error) for index, error in failed.items()}
        for index in list(live):
            if index not in allowed:
                # Another worker owns this message now: leave its DATA unfinished.
                live.pop(index).drop()
                outcomes[index] = Outcome(abandoned=True)
        sending = set(live)
        finished: dict[int, SendError] = {}
        _step(live, finished, lambda i, smtp: smtp.send(b".\r\n"), (250,))
        for index in sending:
            refusal = finished.get(index)
            if refusal is not None and str(refusal).startswith(LOST):
                # The "." left but no answer came back: the server most likely kept the
                # message, and the ledger says sent. Sending it again could duplicate it.
                logger.warning(
                    "outreach: %s: no answer after DATA (%s)", envelopes[index].key, refusal
                )
                outcomes[index] = Outcome(sent=True)
            elif refusal is not None:
                outcomes[index] = Outcome(error=refusal, committed=True)
            else:
                outcomes[index] = Outcome(sent=True)
        return [outcomes[index] for index in range(len(envelopes))]

    def _is_smtp(self) -> bool:
        backend = mailers.settings[self.mailer].get("BACKEND", "")
        return bool(backend == "django.core.mail.backends.smtp.EmailBackend")

    def _send_through_backend(
        self, messages: Sequence[Outgoing], raws: list[bytes], commit: Commit
    ) -> list[Outcome]:
        """A local or API backend: no later point of no return than the call itself."""
        allowed = commit(list(range(len(messages))))
        if self._backend is None:
            self._backend = mailers.create_connection(self.mailer)
        outcomes = []
        for index, message in enumerate(messages):
            if index not in allowed:
                outcomes.append(Outcome(abandoned=True))
                continue
            raw = _RawEmailMessage(
                raws[index], from_email=message.envelope_from or message.from_address, to=message.to
            )
            try:
                sent = self._backend.send_messages([raw])
            except Exception as error:  # a provider API's own errors: retried later
                sent, problem = 0, str(error)
            else:
                problem = "The mail backend refused the message."
            outcomes.append(
                Outcome(sent=True)
                if sent
                else Outcome(error=SendError(problem, permanent=False), committed=True)
            )
        return outcomes

    def close(self) -> None:
        pool, self._pool = self._pool, []
        for conn in pool:
            conn.close()
        self._backend = None
