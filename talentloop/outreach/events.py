"""What happened to sent messages: stored fast, then turned into stamps, timeline and stops.

The tracking endpoints take thousands of hits a second, so a hit is one INSERT of a
MessageEvent and nothing else (`record_event`). `process_events`, run every minute by a task,
turns stored events into what people see and what the engine obeys: the first time of each
event on the ledger row (the funnel), timeline entries (an open once per message, a click once
per link), the suppression list, consent withdrawals, bounced addresses and stopped
enrolments. Unsubscribing is the exception: it takes effect in the request itself, because the
next message must not go out in the minute before the batch runs.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import functools
import json
import logging
from collections import defaultdict
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from django.db import connection, transaction
from django.db.models import Case, Value, When
from django.utils import timezone

from talentloop.accounts.models import Workspace
from talentloop.accounts.roles import Role
from talentloop.candidates.models import Activity, Candidate
from talentloop.candidates.normalize import NormalizationError, normalize_email
from talentloop.candidates.services import record_activity, set_email_bounced
from talentloop.compliance.models import ConsentRecord
from talentloop.compliance.selectors import consent_status
from talentloop.compliance.services import record_consent
from talentloop.core.actor import Actor
from talentloop.core.errors import InvalidInput
from talentloop.outreach.models import (
    Message,
    MessageEvent,
    Purpose,
    StopCondition,
    Suppression,
)

logger = logging.getLogger(__name__)

EventType = MessageEvent.Type
# The ledger column stamped with the first time of each event (bounces: hard ones only).
STAMPS = {
    EventType.DELIVERED: "delivered_at",
    EventType.OPEN: "opened_at",
    EventType.CLICK: "clicked_at",
    EventType.REPLY: "replied_at",
    EventType.BOUNCE: "bounced_at",
    EventType.UNSUBSCRIBE: "unsubscribed_at",
    EventType.COMPLAINT: "unsubscribed_at",
}
# pg_try_advisory_xact_lock key: one batch at a time, so "first open" is decided once.
_LOCK_KEY = 0x746C_6576  # "tlev"
_EXCERPT_CHARS = 2000
_EVENT_TYPES = frozenset(EventType.values)


# --- recording ------------------------------------------------------------------------------


# Opens and clicks are counts, not commitments: on PostgreSQL their INSERT commits without
# waiting for the WAL flush (synchronous_commit off for that one statement's transaction), which
# halves its time (350 to 175 µs here). A server crash may lose the last fraction of a second of
# them, never anything else, and never leaves the database inconsistent.
_ASYNC_TYPES = frozenset({"open", "click"})


@functools.cache
def _insert_sql(vendor: str, asynchronous: bool) -> str:
    # INSERT … SELECT takes the workspace from the ledger row in the same statement, and
    # inserts nothing for a message that no longer exists (a valid token of a deleted row).
    table = MessageEvent._meta.db_table
    postgres = vendor == "postgresql"
    casts = ("::jsonb", "::timestamptz") if postgres else ("", "")
    fast = postgres and asynchronous
    return (
        ("WITH fast AS (SELECT set_config('synchronous_commit', 'off', true)) " if fast else "")
        + f"INSERT INTO {table} "  # noqa: S608 - names from our models
        "(workspace_id, message_id, type, url, detail, occurred_at, processed_at) "
        f"SELECT workspace_id, id, %s, %s, %s{casts[0]}, %s{casts[1]}, %s{casts[1]} "
        f"FROM {Message._meta.db_table}{', fast' if fast else ''} WHERE id = %s"
    )


def record_event(
    *,
    message_id: int,
    type: str,
    url: str = "",
    detail: Mapping[str, Any] | None = None,
    occurred_at: dt.datetime | None = None,
    processed: bool = False,
) -> bool:
    """Store one event of a message: a single INSERT. False when the message does not exist.

    `processed` marks an event whose effects the caller applied itself (unsubscribes).
    """
    if type not in _EVENT_TYPES:
        raise ValueError(f"unknown event type {type!r}")
    # The driver's own adapters, not the fields' get_db_prep_save: a third of the time of a
    # pixel hit went to the ORM's value preparation of three columns.
    adapt = connection.ops.adapt_datetimefield_value
    now = timezone.now()
    params = [
        type,
        url[:2000],
        json.dumps(detail, separators=(",", ":")) if detail else "{}",
        adapt(occurred_at or now),
        adapt(now) if processed else None,
        message_id,
    ]
    with connection.cursor() as cursor:
        # Only on its own: inside a caller's transaction the setting would cover its writes too.
        asynchronous = type in _ASYNC_TYPES and not connection.in_atomic_block
        cursor.execute(_insert_sql(connection.vendor, asynchronous), params)
        return bool(cursor.rowcount)


def inbound_event_exists(*, message_id: int, type: str, inbound_id: str) -> bool:
    """Whether this inbound mail (by its Message-ID) was already stored for the message:
    webhooks are retried and a mailbox poll may repeat after a crash."""
    return MessageEvent.objects.filter(
        message_id=message_id, type=type, detail__inbound_id=inbound_id
    ).exists()


# --- unsubscribing --------------------------------------------------------------------------


def _system(workspace: Workspace, ip: str | None = None) -> Actor:
    # The person acted through a link; the ledger entry's source says so (email_link).
    return Actor(workspace=workspace, role=Role.ADMIN, ip=ip)


def _withdraw(message: Message, purposes: Iterable[str], *, ip: str | None = None) -> list[str]:
    """Withdraw e-mail consent for each purpose not withdrawn already; the purposes changed."""
    current = consent_status(message.candidate)
    changed = []
    for purpose in purposes:
        if current.get((ConsentRecord.Channel.EMAIL, purpose)) == ConsentRecord.Status.WITHDRAWN:
            continue
        record_consent(
            actor=_system(message.workspace, ip),
            candidate=message.candidate,
            channel=ConsentRecord.Channel.EMAIL,
            purpose=purpose,
            status=ConsentRecord.Status.WITHDRAWN,
            source=ConsentRecord.Source.EMAIL_LINK,
            ip=ip,
        )
        changed.append(purpose)
    return changed


def _address(message: Message) -> str | None:
    try:
        return normalize_email(message.to_address)
    except NormalizationError:
        return None


def _suppress(message: Message, reason: str) -> None:
    address = _address(message)
    if address is not None:
        Suppression.objects.bulk_create(
            [
                Suppression(
                    workspace_id=message.workspace_id,
                    email=address,
                    reason=reason,
                    message=message,
                )
            ],
            ignore_conflicts=True,  # already suppressed: the first reason stays
        )


def _stop(candidate_ids: Collection[int], condition: str) -> None:
    from talentloop.outreach import engine  # the engine imports tracking; keep the cycle out

    if candidate_ids:
        engine.stop_enrollments(candidate_ids=candidate_ids, condition=condition)


def _stamp(message: Message, field: str, at: dt.datetime) -> bool:
    """Set the first time of an event on the ledger row; False when it was set already."""
    if getattr(message, field) is not None:
        return False
    setattr(message, field, at)
    return bool(
        Message.objects.filter(pk=message.pk, **{f"{field}__isnull": True}).update(**{field: at})
    )


@dataclass(frozen=True)
class Unsubscribed:
    purposes: list[str]  # consent withdrawn by this request (empty: it was already)
    suppressed: bool  # the address is now on the suppression list


@transaction.atomic
def unsubscribe(
    *, message: Message, everything: bool, ip: str | None = None, one_click: bool = False
) -> Unsubscribed:
    """Stop e-mail to the person a message went to, at once.

    The link in a message withdraws e-mail consent for that message's purpose (a newsletter's
    link: marketing; a recruiter's: recruiting). `everything` also withdraws the other purpose
    and puts the address on the suppression list, which no e-mail passes. Live enrolments stop
    either way (sequences always stop on unsubscribe). Safe to repeat.
    """
    purposes = [message.purpose]
    if everything:
        purposes = [Purpose.MARKETING, Purpose.RECRUITING]
    changed = _withdraw(message, purposes, ip=ip)
    if everything:
        _suppress(message, Suppression.Reason.UNSUBSCRIBE)
    now = timezone.now()
    _stamp(message, "unsubscribed_at", now)
    record_event(
        message_id=message.pk,
        type=EventType.UNSUBSCRIBE,
        detail={"purposes": purposes, "one_click": one_click},
        occurred_at=now,
        processed=True,
    )
    _stop([message.candidate_id], StopCondition.UNSUBSCRIBE)
    return Unsubscribed(purposes=changed, suppressed=everything)


def unsubscribe_state(message: Message) -> dict[str, bool]:
    """What the unsubscribe page shows: whether each purpose is withdrawn, and suppression."""
    current = consent_status(message.candidate)
    state = {
        purpose: current.get((ConsentRecord.Channel.EMAIL, purpose))
        == ConsentRecord.Status.WITHDRAWN
        for purpose in Purpose.values
    }
    address = _address(message)
    state["suppressed"] = (
        address is not None
        and Suppression.objects.filter(workspace_id=message.workspace_id, email=address).exists()
    )
    return state


# --- processing -----------------------------------------------------------------------------


def _subject(message: Message) -> str:
    return f"“{message.subject}”" if message.subject else "a message without subject"


class _Batch:
    """One run of process_events: the loaded rows and what to do once every event is read."""

    def __init__(self, events: list[MessageEvent]) -> None:
        self.events = events
        self.messages = Message.objects.select_related("workspace", "candidate").in_bulk(
            {event.message_id for event in events}
        )
        clicks = (
            MessageEvent.objects.filter(
                message_id__in=list(self.messages),
                type=EventType.CLICK,
                processed_at__isnull=False,
            )
            .values_list("message_id", "url")
            .distinct()
        )
        self.clicked: set[tuple[int, str]] = set(clicks)
        self.stops: dict[str, set[int]] = defaultdict(set)
        self.stamps: dict[str, dict[int, dt.datetime]] = defaultdict(dict)

    def stamp(self, message: Message, field: str, at: dt.datetime) -> bool:
        """Note the first time of an open, click or delivery, written once per column by
        `write_stamps` (one UPDATE per column, not one per message)."""
        if getattr(message, field) is not None:
            return False
        setattr(message, field, at)
        self.stamps[field][message.pk] = at
        return True

    def write_stamps(self) -> None:
        for field, times in self.stamps.items():
            rows = list(times.items())
            # 500 rows a statement keeps SQLite well under its 32,766 parameters.
            for start in range(0, len(rows), 500):
                chunk = dict(rows[start : start + 500])
                # Only rows still without the time: a request may have set it meanwhile.
                Message.objects.filter(pk__in=list(chunk), **{f"{field}__isnull": True}).update(
                    **{field: Case(*(When(pk=pk, then=Value(at)) for pk, at in chunk.items()))}
                )

    def timeline(
        self,
        event: MessageEvent,
        message: Message,
        type: Activity.Type,
        summary: str,
        **payload: Any,
    ) -> None:
        candidate: Candidate = message.candidate
        record_activity(
            candidate=candidate,
            type=type,
            channel=Activity.Channel.EMAIL,
            actor=None,
            summary=summary,
            payload={"message_id": message.pk, "event_id": event.pk, **payload},
            occurred_at=event.occurred_at,
            inbound=True,
        )

    def handle(self, event: MessageEvent, message: Message) -> None:
        kind = event.type
        at = event.occurred_at
        if kind == EventType.OPEN:
            if self.stamp(message, "opened_at", at):
                self.timeline(
                    event, message, Activity.Type.EMAIL_OPENED, f"Opened {_subject(message)}"
                )
        elif kind == EventType.CLICK:
            self.stamp(message, "clicked_at", at)
            self.stamp(message, "opened_at", at)  # a click proves the open the pixel missed
            if (message.pk, event.url) not in self.clicked:
                self.clicked.add((message.pk, event.url))
                self.timeline(
                    event,
                    message,
                    Activity.Type.EMAIL_CLICKED,
                    f"Clicked {event.url} in {_subject(message)}",
                    url=event.url,
                )
        elif kind == EventType.DELIVERED:
            if self.stamp(message, "delivered_at", at):
                self.timeline(
                    event,
                    message,
                    Activity.Type.EMAIL_DELIVERED,
                    f"{_subject(message)} was delivered to {message.to_address}",
                )
        elif kind == EventType.REPLY:
            self._reply(event, message)
        elif kind == EventType.BOUNCE:
            self._bounce(event, message)
        elif kind in (EventType.COMPLAINT, EventType.UNSUBSCRIBE):
            self._opt_out(event, message)

    def _reply(self, event: MessageEvent, message: Message) -> None:
        detail = event.detail or {}
        excerpt = str(detail.get("excerpt", ""))[:_EXCERPT_CHARS]
        automatic = bool(detail.get("auto"))
        if automatic:
            summary = f"Automatic reply to {_subject(message)}"
        else:
            _stamp(message, "replied_at", event.occurred_at)
            self.stops[StopCondition.REPLY].add(message.candidate_id)
            summary = f"Replied to {_subject(message)}"
        line = " ".join(excerpt.split())  # the timeline shows one line; the payload keeps all
        self.timeline(
            event,
            message,
            Activity.Type.EMAIL_REPLIED,
            f"{summary}: {line}" if line else summary,
            excerpt=excerpt,
            auto=automatic,
            sender=str(detail.get("from", ""))[:254],
        )

    def _bounce(self, event: MessageEvent, message: Message) -> None:
        detail = event.detail or {}
        hard = detail.get("kind") == "hard"
        diagnostic = str(detail.get("diagnostic", ""))[:300]
        summary = (
            f"{_subject(message)} to {message.to_address} bounced"
            f" ({'permanent' if hard else 'temporary'})"
        )
        self.timeline(
            event,
            message,
            Activity.Type.EMAIL_BOUNCED,
            f"{summary}: {diagnostic}" if diagnostic else summary,
            kind="hard" if hard else "soft",
            status=str(detail.get("status", ""))[:20],
            diagnostic=diagnostic,
        )
        if not hard:
            return
        _stamp(message, "bounced_at", event.occurred_at)
        _suppress(message, Suppression.Reason.BOUNCE)
        address = _address(message)
        if address is not None:
            # An address removed from the profile since raises; the suppression remains.
            with contextlib.suppress(InvalidInput):
                set_email_bounced(
                    actor=_system(message.workspace),
                    candidate=message.candidate,
                    email=address,
                    bounced=True,
                )
        self.stops[StopCondition.BOUNCE].add(message.candidate_id)

    def _opt_out(self, event: MessageEvent, message: Message) -> None:
        detail = event.detail or {}
        if event.type == EventType.COMPLAINT:
            # "This is spam" is the strongest no: every purpose, and the address itself.
            purposes = [Purpose.MARKETING, Purpose.RECRUITING]
            _suppress(message, Suppression.Reason.COMPLAINT)
        else:
            wanted = detail.get("purposes") or [message.purpose]
            purposes = [p for p in wanted if p in Purpose.values]
            if set(purposes) == set(Purpose.values):
                _suppress(message, Suppression.Reason.UNSUBSCRIBE)
        _withdraw(message, purposes)
        _stamp(message, "unsubscribed_at", event.occurred_at)
        self.stops[StopCondition.UNSUBSCRIBE].add(message.candidate_id)


def _take_lock() -> bool:
    if connection.vendor != "postgresql":
        return True  # SQLite: every write transaction is serialized already (BEGIN IMMEDIATE)
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_xact_lock(%s)", [_LOCK_KEY])
        row = cursor.fetchone()
    return bool(row and row[0])


# Events whose effects go beyond a stamp and a timeline row: each runs in a savepoint, so one
# that fails (logged, and marked with its error) does not hold back the batch forever.
_HEAVY = {EventType.REPLY, EventType.BOUNCE, EventType.COMPLAINT, EventType.UNSUBSCRIBE}


def process_events(*, limit: int = 1000) -> int:
    """Turn up to `limit` unprocessed events, oldest first, into stamps, timeline entries,
    suppressions, consent withdrawals and stopped enrolments. Returns how many were processed.

    One batch runs at a time (another caller gets 0 and leaves the work to it). Idempotent: an
    event is processed once, and an event for a message already stamped adds no second
    timeline entry (opens: one per message; clicks: one per link).
    """
    with transaction.atomic():
        if not _take_lock():
            return 0
        events = list(MessageEvent.objects.filter(processed_at__isnull=True).order_by("id")[:limit])
        if not events:
            return 0
        batch = _Batch(events)
        failed: list[tuple[MessageEvent, str]] = []
        # In the order they happened, so the first time stamped is the earliest in the batch.
        for event in sorted(events, key=lambda e: (e.occurred_at, e.pk)):
            message = batch.messages.get(event.message_id)
            if message is None:
                continue
            if event.type not in _HEAVY:
                batch.handle(event, message)
                continue
            try:
                with transaction.atomic():
                    batch.handle(event, message)
            except Exception as error:
                logger.exception("Could not process outreach event %s", event.pk)
                failed.append((event, f"{type(error).__name__}: {error}"[:300]))
        batch.write_stamps()
        for condition, candidate_ids in batch.stops.items():
            _stop(sorted(candidate_ids), condition)
        now = timezone.now()
        MessageEvent.objects.filter(pk__in=[event.pk for event in events]).update(processed_at=now)
        for event, problem in failed:
            event.detail = {**(event.detail or {}), "error": problem}
            event.save(update_fields=["detail"])
    return len(events)


def pending_events() -> int:
    """How many events wait to be processed (the bench and the health page read it)."""
    return MessageEvent.objects.filter(processed_at__isnull=True).count()
