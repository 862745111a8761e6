from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import HttpRequest
from django.utils.dateparse import parse_datetime
from ninja import Query, Router, Status
from pydantic import Field

from talentloop.candidates.schemas import SafeTextIn
from talentloop.candidates.selectors import access_candidate
from talentloop.compliance import selectors, services
from talentloop.compliance.schemas import AuditPageOut, ConsentIn, ConsentOut, ConsentStatusOut
from talentloop.core import cursor as cursors
from talentloop.core.api import actor_of
from talentloop.core.errors import InvalidInput

router = Router(tags=["compliance"])


@router.get("/candidates/{candidate_id}/consent", response=ConsentStatusOut)
def candidate_consent(request: HttpRequest, candidate_id: int) -> dict[str, Any]:
    """The current status per channel and purpose, and the whole ledger behind it."""
    candidate = access_candidate(actor_of(request), candidate_id)
    status: dict[str, dict[str, str]] = {}
    for (channel, purpose), value in selectors.consent_status(candidate).items():
        status.setdefault(channel, {})[purpose] = value
    return {"status": status, "ledger": selectors.consent_ledger(candidate)}


@router.post("/candidates/{candidate_id}/consent", response={201: ConsentOut})
def record_consent(request: HttpRequest, candidate_id: int, payload: ConsentIn) -> Status[Any]:
    """Add a ledger entry (granted or withdrawn) with its evidence."""
    actor = actor_of(request)
    candidate = access_candidate(actor, candidate_id)
    return Status(
        201, services.record_consent(actor=actor, candidate=candidate, **payload.model_dump())
    )


class AuditQuery(SafeTextIn):
    action: str = ""
    actor_id: int | None = Field(None, ge=0, lt=2**63)  # ids are 64-bit
    target_type: str = ""
    target_id: int | None = Field(None, ge=0, lt=2**63)
    since: str = ""
    until: str = ""
    cursor: str = ""
    limit: int = 100


def _moment(value: str, field: str) -> dt.datetime | None:
    if not value:
        return None
    try:
        moment = parse_datetime(value)
    except ValueError:  # well-formed but impossible, such as February 30
        moment = None
    if moment is None:
        raise InvalidInput("Use an ISO 8601 date-time.", field=field)
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)


@router.get("/audit-events", response=AuditPageOut)
def audit_events(request: HttpRequest, query: Query[AuditQuery]) -> dict[str, Any]:
    """The access audit, newest first (admins and auditors)."""
    if not 1 <= query.limit <= 500:
        raise InvalidInput("Limit is 1 to 500.", field="limit")
    filters = selectors.AuditFilters(
        action=query.action,
        actor_id=query.actor_id,
        target_type=query.target_type,
        target_id=query.target_id,
        since=_moment(query.since, "since"),
        until=_moment(query.until, "until"),
    )
    events = selectors.audit_events(actor_of(request), filters)
    if query.cursor:
        (last_id,) = cursors.decode(query.cursor, size=1)
        if not isinstance(last_id, int):
            raise InvalidInput("This cursor is not valid.", field="cursor")
        events = events.filter(id__lt=last_id)
    rows = list(events.order_by("-id")[: query.limit + 1])
    next_cursor = cursors.encode([rows[query.limit - 1].pk]) if len(rows) > query.limit else None
    return {"items": rows[: query.limit], "next_cursor": next_cursor}
