"""Reads of the consent ledger and the audit log."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import QuerySet

from talentloop.accounts.models import User
from talentloop.accounts.roles import Capability
from talentloop.candidates.models import Candidate
from talentloop.compliance.models import AuditEvent, ConsentRecord
from talentloop.core import rows
from talentloop.core.actor import Actor
from talentloop.core.errors import Forbidden, InvalidInput


def consent_status(candidate: Candidate) -> dict[tuple[str, str], str]:
    """The current status per (channel, purpose): the newest ledger entry of each pair."""
    status: dict[tuple[str, str], str] = {}
    entries = ConsentRecord.objects.filter(candidate=candidate).order_by("occurred_at", "id")
    for channel, purpose, value in entries.values_list("channel", "purpose", "status"):
        status[(channel, purpose)] = value
    return status


def consent_status_of(ledger: Iterable[ConsentRecord]) -> dict[tuple[str, str], str]:
    """The status per (channel, purpose) from a ledger listed newest first."""
    status: dict[tuple[str, str], str] = {}
    for entry in ledger:
        status.setdefault((entry.channel, entry.purpose), entry.status)
    return status


def consent_ledger(candidate: Candidate) -> list[ConsentRecord]:
    """The candidate's consent entries, newest first, each with its `recorded_by` loaded.

    Hand-written SQL (`core/rows`): every profile page reads it, and compiling the ORM query
    with its select_related cost more than running it.
    """
    sql = (
        f"SELECT {rows.columns(ConsentRecord, 'r')}, {rows.columns(User, 'u')} "  # noqa: S608
        f"FROM {ConsentRecord._meta.db_table} r LEFT JOIN {User._meta.db_table} u "
        "ON u.id = r.recorded_by_id WHERE r.candidate_id = %s "
        "ORDER BY r.occurred_at DESC, r.id DESC"
    )
    ledger = []
    for entry, user in rows.fetch_all(sql, [candidate.pk], ConsentRecord, User):
        entry._state.fields_cache["recorded_by"] = user
        ledger.append(entry)
    return ledger


@dataclass(frozen=True)
class AuditFilters:
    action: str = ""
    actor_id: int | None = None
    target_type: str = ""
    target_id: int | None = None
    since: dt.datetime | None = None
    until: dt.datetime | None = None


def audit_events(actor: Actor, filters: AuditFilters) -> QuerySet[AuditEvent]:
    """The workspace's audit log, newest first. Admins and auditors only."""
    if not actor.can(Capability.VIEW_AUDIT):
        raise Forbidden("Only admins and auditors can read the audit log.")
    if filters.action and filters.action not in AuditEvent.Action.values:
        raise InvalidInput(f"Unknown action {filters.action!r}.", field="action")
    events = AuditEvent.objects.filter(workspace=actor.workspace)
    if filters.action:
        events = events.filter(action=filters.action)
    if filters.actor_id is not None:
        events = events.filter(actor_id=filters.actor_id)
    if filters.target_type:
        events = events.filter(target_type=filters.target_type)
    if filters.target_id is not None:
        events = events.filter(target_id=filters.target_id)
    if filters.since:
        events = events.filter(occurred_at__gte=filters.since)
    if filters.until:
        events = events.filter(occurred_at__lt=filters.until)
    return events.order_by("-occurred_at", "-id")
