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
import re
import smtplib
import uuid
from email.header import Header
from email.utils import formataddr, formatdate
from functools import cached_property
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.mail import EmailMessage, mailers
from django.core.mail.backends.smtp import EmailBackend as SmtpBackend

from talentloop.outreach.channels.base import Commit, Outgoing, SendError

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


def _smtp_send(smtp: smtplib.SMTP, message: Outgoing, raw: bytes, commit: Commit) -> bool:
    """One SMTP transaction whose commit point is the ledger's: the server keeps a message only
    once it has the final ".", and that is sent only after `commit()` recorded the send. A
    worker killed before then leaves the server an unfinished DATA, which it throws away."""
    smtp.ehlo_or_helo_if_needed()
    code, reply = smtp.mail(message.from_address)
    if code != 250:
        smtp.rset()
        raise smtplib.SMTPSenderRefused(code, reply, message.from_address)
    code, reply = smtp.rcpt(message.to)
    if code not in (250, 251):
        smtp.rset()
        raise smtplib.SMTPRecipientsRefused({message.to: (code, reply)})
    code, reply = smtp.docmd("DATA")
    if code != 354:
        smtp.rset()
        raise smtplib.SMTPDataError(code, reply)
    body = _LEADING_DOT.sub(b"..", raw)
    if not body.endswith(b"\r\n"):
        body += b"\r\n"
    smtp.send(body)
    if not commit():
        # Another worker owns the message now: abandon this transaction unfinished.
        smtp.close()
        return False
    smtp.send(b".\r\n")
    code, reply = smtp.getreply()
    if code != 250:
        raise smtplib.SMTPDataError(code, reply)
    return True


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

    def __init__(self, mailer: str | None = None) -> None:
        self.mailer = mailer or settings.TALENTLOOP_OUTREACH_MAILER
        self._backend: Any = None

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

    def _open(self) -> Any:
        if self._backend is None:
            self._backend = mailers.create_connection(self.mailer)
            if isinstance(self._backend, SmtpBackend):
                self._backend.open()
        return self._backend

    def send(self, message: Outgoing, commit: Commit) -> bool:
        raw = self.sign(build_mime(message))
        backend = self._open()
        try:
            if isinstance(backend, SmtpBackend):
                if backend.connection is None:
                    backend.open()
                assert backend.connection is not None
                return _smtp_send(backend.connection, message, raw, commit)
            # A local or API backend has no later point of no return than the call itself.
            if not commit():
                return False
            sent = backend.send_messages(
                [_RawEmailMessage(raw, from_email=message.from_address, to=message.to)]
            )
            if not sent:
                raise SendError("The mail backend did not accept the message.", permanent=False)
            return True
        except smtplib.SMTPRecipientsRefused as error:
            code = next(iter(error.recipients.values()))[0]
            raise SendError(
                f"Recipient refused: {error.recipients}", permanent=code >= 500
            ) from None
        except smtplib.SMTPResponseException as error:
            self.close()
            raise SendError(
                f"SMTP {error.smtp_code}: {error.smtp_error!r}", permanent=error.smtp_code >= 500
            ) from None
        except (smtplib.SMTPException, OSError) as error:
            self.close()  # the connection is in an unknown state: start a new one next time
            raise SendError(f"SMTP connection failed: {error}", permanent=False) from None

    def close(self) -> None:
        backend, self._backend = self._backend, None
        if backend is not None and isinstance(backend, SmtpBackend):
            # Closing a broken connection may fail; it is gone either way.
            with contextlib.suppress(Exception):
                backend.close()
