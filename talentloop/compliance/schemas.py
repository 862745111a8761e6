from __future__ import annotations

import datetime as dt
from typing import Any

from ninja import Schema

from talentloop.candidates.schemas import StrictIn


class ConsentIn(StrictIn):
    channel: str
    purpose: str
    status: str
    source: str = "recruiter"
    wording_version: str = ""
    ip: str | None = None


class ConsentOut(Schema):
    id: int
    channel: str
    purpose: str
    status: str
    source: str
    wording_version: str
    ip: str | None
    recorded_by_id: int | None
    occurred_at: dt.datetime


class ConsentStatusOut(Schema):
    status: dict[str, dict[str, str]]
    ledger: list[ConsentOut]


class AuditEventOut(Schema):
    id: int
    actor_id: int | None
    actor_label: str
    action: str
    target_type: str
    target_id: int | None
    target_label: str
    changes: dict[str, Any]
    extra: dict[str, Any]
    ip: str | None
    occurred_at: dt.datetime


class AuditPageOut(Schema):
    items: list[AuditEventOut]
    next_cursor: str | None
