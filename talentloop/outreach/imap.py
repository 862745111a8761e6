"""Poll an IMAP mailbox for replies and bounces (settings TALENTLOOP_IMAP_*).

Each unseen message is fetched without marking it (BODY.PEEK), handed to inbound.py, and only
once it is stored is it marked \\Seen. A poll that dies halfway leaves the rest unseen for the
next one, and a message stored but not yet marked is recognised by its Message-ID and stored
once. The mailbox should be Talentloop's own (a reply+token domain's catch-all, or a bounce
address): a person reading it in a mail client would mark messages seen before we get them.
"""

from __future__ import annotations

import contextlib
import imaplib
import logging
import re
import ssl
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass

from django.conf import settings

from talentloop.outreach import inbound

logger = logging.getLogger(__name__)

# Larger messages are read up to here: the text of a reply or bounce comes first, and an
# attachment behind it is not needed.
MAX_BYTES = 1_000_000
TIMEOUT_SECONDS = 30
_UID = re.compile(rb"\bUID (\d+)")


class ImapProblem(Exception):
    """The server refused a command or answered in a way we cannot read."""


@dataclass
class PollReport:
    seen: int = 0  # unseen messages found
    stored: int = 0  # recorded as an event of a message
    unmatched: int = 0  # read and marked, but answering no message of ours
    duplicates: int = 0  # stored by an earlier poll already
    failed: int = 0  # left unseen for the next poll

    def as_dict(self) -> dict[str, int]:
        return asdict(self)


def connect() -> imaplib.IMAP4:
    """A logged-in connection to the configured mailbox, its folder selected."""
    host, port = settings.TALENTLOOP_IMAP_HOST, settings.TALENTLOOP_IMAP_PORT
    if settings.TALENTLOOP_IMAP_SSL:
        conn: imaplib.IMAP4 = imaplib.IMAP4_SSL(
            host, port, ssl_context=ssl.create_default_context(), timeout=TIMEOUT_SECONDS
        )
    else:
        conn = imaplib.IMAP4(host, port, timeout=TIMEOUT_SECONDS)
        if "STARTTLS" in conn.capabilities:
            conn.starttls(ssl_context=ssl.create_default_context())
    _ok(conn.login(settings.TALENTLOOP_IMAP_USER, settings.TALENTLOOP_IMAP_PASSWORD), "LOGIN")
    _ok(conn.select(_quoted(settings.TALENTLOOP_IMAP_FOLDER)), "SELECT")
    return conn


def _quoted(folder: str) -> str:
    return '"' + folder.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _ok(response: tuple[str, Sequence[object]], command: str) -> Sequence[object]:
    kind, data = response
    if kind != "OK":
        raise ImapProblem(f"{command} failed: {data!r}"[:300])
    return data


def _body(data: Sequence[object]) -> bytes | None:
    """The message bytes of a UID FETCH answer: the literal after `BODY[]<0>`."""
    for item in data:
        if isinstance(item, tuple) and len(item) == 2 and isinstance(item[1], bytes):
            return item[1]
    return None


def poll_mailbox(
    *, limit: int = 500, open_connection: Callable[[], imaplib.IMAP4] = connect
) -> PollReport:
    """Store up to `limit` unseen messages of the mailbox; see the module's docstring."""
    report = PollReport()
    conn = open_connection()
    try:
        found = _ok(conn.uid("SEARCH", "UNSEEN"), "UID SEARCH")
        uids = b" ".join(item for item in found if isinstance(item, bytes)).split()
        report.seen = len(uids)
        for uid in uids[:limit]:
            text = uid.decode("ascii")
            data = _ok(conn.uid("FETCH", text, f"(BODY.PEEK[]<0.{MAX_BYTES}>)"), "UID FETCH")
            raw = _body(data)
            if raw is None:
                report.failed += 1
                continue
            try:
                result = inbound.handle_inbound(raw)
            except Exception:
                # Left unseen: the next poll tries again (logged, so a mail that always
                # fails is noticed).
                logger.exception("Could not store inbound mail UID %s", text)
                report.failed += 1
                continue
            if result.recorded:
                report.stored += 1
            elif result.message_id is not None:
                report.duplicates += 1
            else:
                report.unmatched += 1
            _ok(conn.uid("STORE", text, "+FLAGS.SILENT", r"(\Seen)"), "UID STORE")
    finally:
        with contextlib.suppress(imaplib.IMAP4.error, OSError):
            conn.logout()
    return report
