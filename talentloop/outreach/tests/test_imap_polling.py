"""imap.poll_mailbox against a small IMAP4rev1 server on 127.0.0.1, through the real imaplib.

The server speaks the commands the poller uses (CAPABILITY, LOGIN, SELECT, UID SEARCH, UID
FETCH, UID STORE, LOGOUT) as RFC 3501 describes them, refuses anything else or anything out of
order, and keeps the \\Seen flag the way a real server does: FETCH BODY[] sets it, BODY.PEEK[]
does not. No IMAP server package could be installed for the tests, so this is the fake, but it
is a fake of the protocol, not of imaplib.
"""

from __future__ import annotations

import imaplib
import re
import socketserver
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest

from talentloop.candidates.models import Activity
from talentloop.outreach import events, imap, inbound
from talentloop.outreach.models import Message, MessageEvent
from talentloop.outreach.tests.tracking_fixtures import make_mail
from talentloop.outreach.tracking import reply_address

pytestmark = pytest.mark.django_db

USER, PASSWORD = "replies@acme.test", 'pa"ss word'
_TOKEN = re.compile(r'"((?:[^"\\]|\\.)*)"|(\S+)')
_FETCH = re.compile(r"\((BODY(?:\.PEEK)?)\[\](?:<(\d+)\.(\d+)>)?\)\Z", re.IGNORECASE)


@dataclass
class Mailbox:
    messages: dict[int, tuple[bytes, set[str]]] = field(default_factory=dict)
    commands: list[str] = field(default_factory=list)
    drop_on_store: set[int] = field(default_factory=set)  # hang up instead of storing

    def add(self, raw: bytes, *flags: str) -> int:
        uid = max(self.messages, default=0) + 1
        self.messages[uid] = (raw, set(flags))
        return uid

    def unseen(self) -> list[int]:
        return [uid for uid, (_, flags) in self.messages.items() if "\\Seen" not in flags]


def _args(text: str) -> list[str]:
    return [
        quoted.replace('\\"', '"').replace("\\\\", "\\") if quoted is not None else atom
        for quoted, atom in ((m.group(1), m.group(2)) for m in _TOKEN.finditer(text))
    ]


class _Session(socketserver.StreamRequestHandler):
    server: _Server

    def reply(self, line: str | bytes) -> None:
        self.wfile.write((line.encode() if isinstance(line, str) else line) + b"\r\n")

    def handle(self) -> None:
        box = self.server.mailbox
        state = "not authenticated"
        self.reply("* OK [CAPABILITY IMAP4rev1] test server ready")
        while line := self.rfile.readline():
            text = line.decode().rstrip("\r\n")
            tag, _, rest = text.partition(" ")
            words = rest.split(" ", 2)
            command = words[0].upper()
            if command == "UID" and len(words) > 1:
                command = f"UID {words[1].upper()}"
                rest = words[2] if len(words) > 2 else ""
            else:
                rest = rest.partition(" ")[2]
            box.commands.append(command)
            if command == "CAPABILITY":
                self.reply("* CAPABILITY IMAP4rev1")
            elif command == "LOGIN":
                if _args(rest) != [USER, PASSWORD]:
                    self.reply(f"{tag} NO [AUTHENTICATIONFAILED] wrong user or password")
                    continue
                state = "authenticated"
            elif command == "LOGOUT":
                self.reply("* BYE see you")
                self.reply(f"{tag} OK LOGOUT completed")
                return
            elif state == "not authenticated":
                self.reply(f"{tag} BAD log in first")
                continue
            elif command == "SELECT":
                if _args(rest) != ["INBOX"]:
                    self.reply(f"{tag} NO no such mailbox")
                    continue
                state = "selected"
                self.reply(f"* {len(box.messages)} EXISTS")
                self.reply("* OK [UIDVALIDITY 7] UIDs valid")
                self.reply(f"{tag} OK [READ-WRITE] SELECT completed")
                continue
            elif state != "selected":
                self.reply(f"{tag} BAD select a mailbox first")
                continue
            elif command == "UID SEARCH":
                if rest.upper() != "UNSEEN":
                    self.reply(f"{tag} BAD only UNSEEN here")
                    continue
                self.reply("* SEARCH " + " ".join(map(str, box.unseen())))
            elif command == "UID FETCH":
                uid_text, _, items = rest.partition(" ")
                found = _FETCH.match(items)
                uid = int(uid_text) if uid_text.isdigit() else 0
                if found is None or uid not in box.messages:
                    self.reply(f"{tag} BAD unexpected FETCH {rest}")
                    continue
                raw, flags = box.messages[uid]
                start, size = int(found.group(2) or 0), found.group(3)
                chunk = raw[start : start + int(size)] if size else raw
                if found.group(1).upper() == "BODY":
                    flags.add("\\Seen")  # RFC 3501: BODY[] (not PEEK) sets \Seen
                origin = f"<{start}>" if size else ""
                seq = list(box.messages).index(uid) + 1
                self.reply(f"* {seq} FETCH (UID {uid} BODY[]{origin} {{{len(chunk)}}}".encode())
                self.wfile.write(chunk)
                self.reply(")")
            elif command == "UID STORE":
                uid_text, _, change = rest.partition(" ")
                if change != "+FLAGS.SILENT (\\Seen)" or not uid_text.isdigit():
                    self.reply(f"{tag} BAD unexpected STORE {rest}")
                    continue
                if int(uid_text) in box.drop_on_store:
                    return  # the connection dies before the flag is stored
                box.messages[int(uid_text)][1].add("\\Seen")
            else:
                self.reply(f"{tag} BAD unknown command {command}")
                continue
            self.reply(f"{tag} OK {command} completed")


class _Server(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, mailbox: Mailbox) -> None:
        super().__init__(("127.0.0.1", 0), _Session)
        self.mailbox = mailbox


@pytest.fixture
def mailbox(settings: Any) -> Iterator[Mailbox]:
    box = Mailbox()
    server = _Server(box)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    settings.TALENTLOOP_IMAP_HOST = "127.0.0.1"
    settings.TALENTLOOP_IMAP_PORT = server.server_address[1]
    settings.TALENTLOOP_IMAP_SSL = False
    settings.TALENTLOOP_IMAP_USER = USER
    settings.TALENTLOOP_IMAP_PASSWORD = PASSWORD
    settings.TALENTLOOP_IMAP_FOLDER = "INBOX"
    settings.TALENTLOOP_REPLY_DOMAIN = "replies.acme.test"
    yield box
    server.shutdown()
    server.server_close()


def _reply_to(message: Message, text: str = "Yes, interested.\n", n: int = 1) -> bytes:
    return make_mail(to=reply_address(message.pk) or "", text=text, message_id=f"<r{n}@navy.test>")


def test_stores_each_unseen_mail_and_then_marks_it_seen(
    mailbox: Mailbox, sent_message: Message
) -> None:
    read_before = mailbox.add(_reply_to(sent_message, n=0), "\\Seen")
    reply = mailbox.add(_reply_to(sent_message, "Call me on Friday.\n"))
    stranger = mailbox.add(make_mail(sender="news@shop.test", message_id="<n1@shop.test>"))

    report = imap.poll_mailbox()

    assert report.as_dict() == {
        "seen": 2,
        "stored": 1,
        "unmatched": 1,
        "duplicates": 0,
        "failed": 0,
    }
    assert mailbox.unseen() == []
    event = MessageEvent.objects.get()
    assert (event.message_id, event.type, event.detail["excerpt"]) == (
        sent_message.pk,
        "reply",
        "Call me on Friday.",
    )
    assert mailbox.commands == [
        "CAPABILITY",
        "LOGIN",
        "SELECT",
        "UID SEARCH",
        "UID FETCH",
        "UID STORE",
        "UID FETCH",
        "UID STORE",
        "LOGOUT",
    ]
    assert (read_before, reply, stranger) == (1, 2, 3)
    events.process_events()
    assert (
        Activity.objects.filter(candidate=sent_message.candidate, type="email_replied").count() == 1
    )


def test_a_mail_that_fails_to_store_stays_unseen_for_the_next_poll(
    mailbox: Mailbox, sent_message: Message, monkeypatch: Any
) -> None:
    first = mailbox.add(_reply_to(sent_message, "One.\n", n=1))
    second = mailbox.add(_reply_to(sent_message, "Two.\n", n=2))
    real = inbound.handle_inbound

    def flaky(raw: bytes) -> inbound.InboundResult:
        if b"One." in raw:
            raise RuntimeError("database is locked")
        return real(raw)

    monkeypatch.setattr(inbound, "handle_inbound", flaky)
    report = imap.poll_mailbox()

    assert (report.stored, report.failed) == (1, 1)
    assert mailbox.unseen() == [first]
    assert second not in mailbox.unseen()

    monkeypatch.setattr(inbound, "handle_inbound", real)
    assert imap.poll_mailbox().stored == 1
    assert mailbox.unseen() == []
    assert MessageEvent.objects.count() == 2


def test_a_poll_that_dies_before_marking_is_safe_to_repeat(
    mailbox: Mailbox, sent_message: Message
) -> None:
    uid = mailbox.add(_reply_to(sent_message))
    mailbox.drop_on_store.add(uid)

    with pytest.raises(imaplib.IMAP4.abort):
        imap.poll_mailbox()

    # Stored, but not marked: the next poll reads it again and stores nothing new.
    assert MessageEvent.objects.count() == 1
    assert mailbox.unseen() == [uid]
    mailbox.drop_on_store.clear()
    assert imap.poll_mailbox().as_dict() == {
        "seen": 1,
        "stored": 0,
        "unmatched": 0,
        "duplicates": 1,
        "failed": 0,
    }
    assert MessageEvent.objects.count() == 1
    assert mailbox.unseen() == []


def test_reads_at_most_the_limit_and_only_the_start_of_a_huge_mail(
    mailbox: Mailbox, sent_message: Message, monkeypatch: Any
) -> None:
    monkeypatch.setattr(imap, "MAX_BYTES", 2000)
    attachment = "x" * 10_000
    mailbox.add(_reply_to(sent_message, f"Big one.\n\n{attachment}\n", n=1))
    mailbox.add(_reply_to(sent_message, "Later.\n", n=2))

    assert imap.poll_mailbox(limit=1).stored == 1
    assert mailbox.unseen() == [2]
    assert MessageEvent.objects.get().detail["excerpt"].startswith("Big one.")


def test_refused_login_raises_and_touches_nothing(
    mailbox: Mailbox, settings: Any, sent_message: Message
) -> None:
    mailbox.add(_reply_to(sent_message))
    settings.TALENTLOOP_IMAP_PASSWORD = "wrong"

    with pytest.raises(imaplib.IMAP4.error, match="AUTHENTICATIONFAILED"):
        imap.poll_mailbox()

    assert mailbox.unseen() == [1]
    assert MessageEvent.objects.exists() is False


def test_the_task_polls_only_when_a_mailbox_is_configured(
    mailbox: Mailbox, settings: Any, sent_message: Message
) -> None:
    from talentloop.outreach.tracking_tasks import poll_imap_task

    mailbox.add(_reply_to(sent_message))
    settings.TALENTLOOP_IMAP_HOST = ""
    assert poll_imap_task.enqueue().return_value == {}
    assert mailbox.commands == []

    settings.TALENTLOOP_IMAP_HOST = "127.0.0.1"
    assert poll_imap_task.enqueue().return_value["stored"] == 1


def test_the_server_refuses_what_the_poller_must_not_do(mailbox: Mailbox, settings: Any) -> None:
    # The fake is strict: a command out of order, another search, or a FETCH that marks mail
    # seen is visible here, so the tests above would catch a poller that sent one.
    conn = imaplib.IMAP4("127.0.0.1", settings.TALENTLOOP_IMAP_PORT)
    uid = mailbox.add(make_mail())
    with pytest.raises(imaplib.IMAP4.error):
        conn.uid("SEARCH", "UNSEEN")  # not logged in
    conn.login(USER, PASSWORD)
    conn.select('"INBOX"')
    with pytest.raises(imaplib.IMAP4.error, match="only UNSEEN"):
        conn.uid("SEARCH", "ALL")
    assert conn.uid("FETCH", str(uid), "(BODY.PEEK[])")[0] == "OK"
    assert mailbox.unseen() == [uid]
    conn.uid("FETCH", str(uid), "(BODY[])")
    assert mailbox.unseen() == []
    conn.logout()
