"""Inbound mail: replies, automatic replies, bounces (DSN) and complaints (ARF).

The inbound-mail webhook and the IMAP poller hand every message to `handle_inbound`. It is read
once (`parse_inbound`, no database), matched to the ledger row it answers (`match_message`),
and stored as one MessageEvent; `events.process_events` then puts it on the timeline and stops
the sequence. Matching tries, in order: the signed reply+token address the message was sent
with (also found in the Reply-To of the original quoted by a bounce), the Message-IDs in
In-Reply-To and References (or the original's Message-ID in a bounce), and for a person's reply
only, as a last resort, the sender's address when exactly one workspace wrote to it lately.
Bounces and complaints are never matched by address alone: anyone can send a fake bounce, and
it must not put someone's address on a suppression list.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import re
from dataclasses import dataclass, field
from email import policy
from email.message import Message as MailMessage
from email.parser import BytesParser, HeaderParser
from email.utils import getaddresses, parseaddr
from html.parser import HTMLParser
from typing import Any

from django.db import transaction
from django.utils import timezone

from talentloop.accounts.models import Workspace
from talentloop.candidates.models import CandidateEmail
from talentloop.candidates.normalize import NormalizationError, normalize_email
from talentloop.outreach import events
from talentloop.outreach.models import Message, MessageEvent, StepChannel
from talentloop.outreach.tracking import message_of_reply_address

REPLY = "reply"
AUTO_REPLY = "auto_reply"
BOUNCE = "bounce"
COMPLAINT = "complaint"
DELIVERED = "delivered"
EVENT_TYPES = {
    REPLY: MessageEvent.Type.REPLY,
    AUTO_REPLY: MessageEvent.Type.REPLY,
    BOUNCE: MessageEvent.Type.BOUNCE,
    COMPLAINT: MessageEvent.Type.COMPLAINT,
    DELIVERED: MessageEvent.Type.DELIVERED,
}
# A reply matched by its sender alone counts only if we wrote to that address this recently.
SENDER_MATCH_DAYS = 30
EXCERPT_CHARS = 2000

_RECIPIENT_HEADERS = (
    "To",
    "Cc",
    "Delivered-To",
    "X-Original-To",
    "Envelope-To",
    "X-Envelope-To",
    "X-Forwarded-To",
)
_MESSAGE_ID = re.compile(r"<([^<>\s]{1,250})>")
_STATUS = re.compile(r"\b([245])\.(\d{1,3})\.(\d{1,3})\b")
_AUTO_SUBJECT = re.compile(
    r"^\s*(auto(matic|matische)?[ -]?(reply|response|antwort|antwoord)|autoreply|"
    r"out of (the )?office|ooo\b|abwesenheit|réponse automatique|respuesta automática|"
    r"risposta automatica|fuori sede|automatisch antwoord|frånvaro)",
    re.IGNORECASE,
)
_DAEMONS = ("mailer-daemon", "postmaster", "mail-daemon", "mailerdaemon")


@dataclass
class Parsed:
    """What an inbound mail says, before it is matched to the ledger."""

    kind: str  # reply, auto_reply, bounce, complaint or delivered
    inbound_id: str  # its own Message-ID (or a hash of it): the same mail is stored once
    sender: str = ""  # normalized From address ("" when unreadable)
    subject: str = ""
    reply_message_ids: list[int] = field(default_factory=list)  # from reply+token addresses
    references: list[str] = field(default_factory=list)  # Message-IDs, most direct first
    excerpt: str = ""  # the new text of a reply, quotes and signature removed
    bounce: dict[str, str] = field(default_factory=dict)  # kind, status, diagnostic, recipient


@dataclass(frozen=True)
class InboundResult:
    kind: str
    message_id: int | None = None  # the ledger row it answers; None: no match
    matched_by: str = ""  # token, references or sender
    recorded: bool = False  # False for no match or a mail stored before

    def as_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "matched": self.message_id is not None,
            "message_id": self.message_id,
            "matched_by": self.matched_by,
            "recorded": self.recorded,
        }


# --- parsing --------------------------------------------------------------------------------


def _header(mail: MailMessage, name: str) -> str:
    try:
        return " ".join(str(value) for value in mail.get_all(name, []))
    except Exception:  # a header the parser cannot decode is as good as absent
        return ""


def _addresses(mail: MailMessage, names: tuple[str, ...]) -> list[str]:
    values = [_header(mail, name) for name in names]
    return [address for _, address in getaddresses([v for v in values if v]) if address]


def _reply_ids(mail: MailMessage, names: tuple[str, ...]) -> list[int]:
    found: list[int] = []
    for address in _addresses(mail, names):
        message_id = message_of_reply_address(address)
        if message_id is not None and message_id not in found:
            found.append(message_id)
    return found


def _references(mail: MailMessage) -> list[str]:
    direct = _MESSAGE_ID.findall(_header(mail, "In-Reply-To"))
    thread = list(reversed(_MESSAGE_ID.findall(_header(mail, "References"))))
    return list(dict.fromkeys(direct + thread))


def _text(part: MailMessage) -> str:
    try:
        content = part.get_content()  # type: ignore[attr-defined]
    except Exception:  # unknown charset, broken encoding: take the bytes as they come
        payload = part.get_payload(decode=True)
        content = payload.decode("utf-8", "replace") if isinstance(payload, bytes) else ""
    return content if isinstance(content, str) else ""


def _original(mail: MailMessage) -> MailMessage | None:
    """The original message (or its headers) quoted by a bounce or complaint report."""
    for part in mail.walk():
        kind = part.get_content_type()
        if kind == "message/rfc822":
            payload = part.get_payload()
            if isinstance(payload, list) and payload:
                first = payload[0]
                return first if isinstance(first, MailMessage) else None
        if kind in ("text/rfc822-headers", "message/rfc822-headers"):
            return HeaderParser(policy=policy.default).parsestr(_text(part))
    return None


def _classify_status(status: str, action: str) -> str:
    """hard, soft or delivered. A mailbox that is full (5.2.2) or a message refused as spam
    or by policy (5.7.x) is soft: the address itself is fine and must not be suppressed."""
    action = action.lower()
    if action in ("delivered", "relayed", "expanded"):
        return DELIVERED
    if status.startswith("5"):
        return "soft" if status == "5.2.2" or status.startswith("5.7.") else "hard"
    if status.startswith("4") or action == "delayed":
        return "soft"
    return "hard" if action == "failed" else "soft"


def _delivery_status(mail: MailMessage) -> dict[str, str]:
    """The first recipient's fields of a DSN (RFC 3464): status, action, diagnostic."""
    for part in mail.walk():
        if part.get_content_type() != "message/delivery-status":
            continue
        payload = part.get_payload()
        blocks: list[MailMessage] = []
        if isinstance(payload, list):
            blocks = [block for block in payload if isinstance(block, MailMessage)]
        elif isinstance(payload, str):
            blocks = [
                HeaderParser(policy=policy.default).parsestr(chunk)
                for chunk in re.split(r"\r?\n\r?\n", payload)
            ]
        for block in blocks:
            if not (_header(block, "Final-Recipient") or _header(block, "Action")):
                continue  # the per-message block (Reporting-MTA …)
            status = _STATUS.search(_header(block, "Status"))
            recipient = _header(block, "Final-Recipient") or _header(block, "Original-Recipient")
            return {
                "status": status.group(0) if status else "",
                "action": _header(block, "Action").strip(),
                "diagnostic": " ".join(_header(block, "Diagnostic-Code").split())[:300],
                "recipient": recipient.rpartition(";")[2].strip().lower(),
            }
    return {}


def _bounce(mail: MailMessage, *, report: bool) -> dict[str, str]:
    found = _delivery_status(mail) if report else {}
    if not found:
        # A bounce in prose (no DSN part): the first enhanced status code in the text.
        body = _body_text(mail)
        status = _STATUS.search(body)
        found = {
            "status": status.group(0) if status else "",
            "action": "",
            "diagnostic": " ".join(body.split())[:300],
            "recipient": "",
        }
    found["kind"] = _classify_status(found["status"], found["action"])
    return found


def _is_automatic(mail: MailMessage, subject: str) -> bool:
    submitted = _header(mail, "Auto-Submitted").strip().lower()
    if submitted and submitted != "no":
        return True
    if _header(mail, "Precedence").strip().lower() in ("auto_reply", "bulk", "junk", "list"):
        return True
    markers = ("X-Autoreply", "X-Autorespond", "X-Auto-Response-Suppress", "X-Autoreply-From")
    if any(_header(mail, name) for name in markers):
        return True
    return bool(_AUTO_SUBJECT.match(subject))


def _body_text(mail: MailMessage) -> str:
    try:
        part = mail.get_body(preferencelist=("plain", "html"))  # type: ignore[attr-defined]
    except Exception:
        part = None
    if part is None:
        return ""
    text = _text(part)
    if part.get_content_type() == "text/html":
        text = html_to_text(text)
    return text


def parse_inbound(raw: bytes | str) -> Parsed:
    """Read an RFC 5322 message: what kind it is, what it answers, and its new text."""
    data = raw.encode("utf-8", "replace") if isinstance(raw, str) else raw
    mail = BytesParser(policy=policy.default).parsebytes(data)
    own_ids = _MESSAGE_ID.findall(_header(mail, "Message-ID"))
    inbound_id = own_ids[0] if own_ids else "sha256:" + hashlib.sha256(data).hexdigest()
    subject = " ".join(_header(mail, "Subject").split())[:300]
    sender = ""
    with contextlib.suppress(NormalizationError):
        sender = normalize_email(parseaddr(_header(mail, "From"))[1])
    parsed = Parsed(kind=REPLY, inbound_id=inbound_id, sender=sender, subject=subject)
    parsed.reply_message_ids = _reply_ids(mail, _RECIPIENT_HEADERS)

    report = ""
    if mail.get_content_type() == "multipart/report":
        report = str(mail.get_param("report-type", "") or "").lower()
    daemon = sender.partition("@")[0] in _DAEMONS
    if report == "feedback-report" or report == "delivery-status" or daemon:
        original = _original(mail)
        if original is not None:
            parsed.reply_message_ids += [
                message_id
                for message_id in _reply_ids(original, ("Reply-To", "From", "Return-Path"))
                if message_id not in parsed.reply_message_ids
            ]
            parsed.references = _MESSAGE_ID.findall(_header(original, "Message-ID"))
        if not parsed.references:
            # A prose bounce often quotes the original's headers in its text.
            quoted = re.search(r"^\s*Message-ID:\s*(<[^<>\s]+>)", _body_text(mail), re.M | re.I)
            parsed.references = _MESSAGE_ID.findall(quoted.group(1)) if quoted else []
        if report == "feedback-report":
            parsed.kind = COMPLAINT
        else:
            parsed.bounce = _bounce(mail, report=report == "delivery-status")
            parsed.kind = DELIVERED if parsed.bounce["kind"] == DELIVERED else BOUNCE
        return parsed

    parsed.references = _references(mail)
    parsed.kind = AUTO_REPLY if _is_automatic(mail, subject) else REPLY
    parsed.excerpt = strip_quoted(_body_text(mail))[:EXCERPT_CHARS]
    return parsed


# --- the new text of a reply ----------------------------------------------------------------

_BLOCKS = {"p", "div", "br", "li", "tr", "h1", "h2", "h3", "h4", "h5", "h6", "table", "ul", "ol"}
_HIDDEN = {"style", "script", "head", "title"}
# Quoted history in HTML replies: skipped (Gmail, Apple Mail, Thunderbird, Yahoo) …
_QUOTE_CLASSES = {"gmail_quote", "gmail_attr", "moz-cite-prefix", "yahoo_quoted"}
# … or everything from here on is the earlier message (Outlook).
_HISTORY_IDS = {"divrplyfwdmsg", "appendonsend", "olk_src_body_section"}


class _TextOfHtml(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.skip_tag = ""
        self.skip_depth = 0
        self.done = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if self.done:
            return
        if self.skip_depth:
            self.skip_depth += tag == self.skip_tag
            return
        values = dict(attrs)
        classes = set((values.get("class") or "").lower().split())
        if (values.get("id") or "").lower() in _HISTORY_IDS:
            self.done = True
        elif tag in _HIDDEN or tag == "blockquote" or classes & _QUOTE_CLASSES:
            self.skip_tag, self.skip_depth = tag, 1
        elif tag in _BLOCKS:
            self.parts.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if self.skip_depth and tag == self.skip_tag:
            self.skip_depth -= 1
        elif not self.skip_depth and tag in _BLOCKS:
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        if not self.done and not self.skip_depth:
            self.parts.append(data)


def html_to_text(html: str) -> str:
    """The visible text of an HTML mail, without the quoted earlier messages."""
    parser = _TextOfHtml()
    parser.feed(html)
    parser.close()
    return re.sub(r"[ \t\xa0]+", " ", "".join(parser.parts))


_ATTRIBUTION_START = re.compile(r"^\s*(on|am|le|el|il|op|den|em|w dniu)\b", re.IGNORECASE)
_ATTRIBUTION = re.compile(
    r"^\s*(on|am|le|el|il|op|den|em|w dniu)\b.{0,400}?"
    r"(wrote|schrieb|a écrit|escribió|ha scritto|scrisse|schreef|skrev|escreveu|napisał)"
    r"\s*:?\s*$",
    re.IGNORECASE | re.DOTALL,
)
_SEPARATOR = re.compile(
    r"^\s*(-{2,}\s*(original message|forwarded message|ursprüngliche nachricht|"
    r"message d'origine|mensaje original|messaggio originale)\s*-{2,}|_{10,}|-{10,})\s*$",
    re.IGNORECASE,
)
_HEADER_FROM = re.compile(r"^\s*\*?(from|von|de|da|van|från)\s*:\*?\s", re.IGNORECASE)
_HEADER_NEXT = re.compile(
    r"^\s*\*?(sent|date|to|subject|gesendet|datum|an|envoyé|à|enviado|para|inviato)\s*:",
    re.IGNORECASE,
)
_DEVICE = re.compile(
    r"^\s*(sent from my |get outlook for |von meinem .* gesendet|envoyé de mon )", re.IGNORECASE
)


def strip_quoted(text: str) -> str:
    """The new text of a reply: quoted lines, the quoted history and the signature removed."""
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    kept: list[str] = []
    for index, line in enumerate(lines):
        if line.lstrip().startswith(">"):
            continue
        if _SEPARATOR.match(line) or line.rstrip() == "--":
            break
        if _ATTRIBUTION_START.match(line):
            # "On Mon, 3 Feb 2025, Alice <alice@…> wrote:" is often wrapped over two lines.
            following = lines[index + 1] if index + 1 < len(lines) else ""
            if _ATTRIBUTION.match(line) or _ATTRIBUTION.match(f"{line} {following}"):
                break
        if _HEADER_FROM.match(line) and any(
            _HEADER_NEXT.match(after) for after in lines[index + 1 : index + 4]
        ):
            break
        kept.append(line.rstrip())
    while kept and (not kept[-1].strip() or _DEVICE.match(kept[-1])):
        kept.pop()
    text = "\n".join(kept).strip()
    return re.sub(r"\n{3,}", "\n\n", text)


# --- matching and storing -------------------------------------------------------------------


def latest_message_to(address: str, *, exact: bool = False) -> Message | None:
    """The latest e-mail we sent lately to the candidate with this address (`exact`: to this
    very address), when exactly one workspace did: a reply or a provider's bounce that names
    only an address must never land in another workspace."""
    since = timezone.now() - dt.timedelta(days=SENDER_MATCH_DAYS)
    # Through the (workspace, email) index, one workspace at a time: there are few of them.
    workspace_ids = list(Workspace.objects.values_list("pk", flat=True))
    candidate_ids = list(
        CandidateEmail.objects.filter(workspace_id__in=workspace_ids, email=address).values_list(
            "candidate_id", flat=True
        )
    )
    if not candidate_ids:
        return None
    sent = Message.objects.filter(
        candidate_id__in=candidate_ids, channel=StepChannel.EMAIL, sent_at__gte=since
    )
    if exact:
        sent = sent.filter(to_address=address)
    recent = list(sent.order_by("-sent_at", "-pk")[:50])
    if not recent or len({message.workspace_id for message in recent}) > 1:
        return None
    return recent[0]


def match_message(parsed: Parsed) -> tuple[Message | None, str]:
    """The ledger row an inbound mail answers, and how it was found."""
    for message_id in parsed.reply_message_ids:
        found = Message.objects.filter(pk=message_id).first()
        if found is not None:
            return found, "token"
    if parsed.references:
        rows = {m.message_id: m for m in Message.objects.filter(message_id__in=parsed.references)}
        for reference in parsed.references:
            if reference in rows:
                return rows[reference], "references"
    if parsed.kind in (REPLY, AUTO_REPLY) and parsed.sender:
        found = latest_message_to(parsed.sender)
        if found is not None:
            return found, "sender"
    return None, ""


def _detail(parsed: Parsed) -> dict[str, Any]:
    detail: dict[str, Any] = {"inbound_id": parsed.inbound_id, "from": parsed.sender}
    if parsed.kind in (REPLY, AUTO_REPLY):
        detail.update(
            excerpt=parsed.excerpt, subject=parsed.subject, auto=parsed.kind == AUTO_REPLY
        )
    elif parsed.kind in (BOUNCE, DELIVERED):
        detail.update(parsed.bounce)
    return detail


def store(*, message: Message, type: str, detail: dict[str, Any]) -> bool:
    """Record an inbound event once per `detail["inbound_id"]`; False when it was already.

    Processing follows in the background, started when the transaction commits.
    """
    with transaction.atomic():
        # Holding the ledger row makes "stored before?" and the insert one step.
        Message.objects.select_for_update().filter(pk=message.pk).values_list("pk").first()
        if events.inbound_event_exists(
            message_id=message.pk, type=type, inbound_id=str(detail["inbound_id"])
        ):
            return False
        events.record_event(message_id=message.pk, type=type, detail=detail)
        transaction.on_commit(_process_soon)
    return True


def handle_inbound(raw: bytes | str) -> InboundResult:
    """Store one inbound mail as an event of the message it answers. Safe to repeat: the same
    mail (by its Message-ID) is stored once."""
    parsed = parse_inbound(raw)
    message, how = match_message(parsed)
    if message is None:
        return InboundResult(kind=parsed.kind)
    recorded = store(message=message, type=EVENT_TYPES[parsed.kind], detail=_detail(parsed))
    return InboundResult(kind=parsed.kind, message_id=message.pk, matched_by=how, recorded=recorded)


def _process_soon() -> None:
    # A reply must stop the sequence before its next step is due, not at the next minute.
    from talentloop.outreach.tracking_tasks import process_tracking_events_task

    process_tracking_events_task.enqueue()
