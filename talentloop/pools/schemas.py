from __future__ import annotations

import datetime as dt
from typing import Any

from ninja import Schema
from pydantic import Field

from talentloop.candidates.schemas import StrictIn
from talentloop.pools.models import BulkAction, Pool, PoolStage, Segment


class PoolIn(StrictIn):
    name: str = Field(max_length=200)
    description: str = Field("", max_length=5000)
    visibility: str = Pool.Visibility.TEAM
    kind: str = Pool.Kind.STANDARD
    event_date: dt.date | None = None


class PoolPatch(StrictIn):
    name: str | None = Field(None, max_length=200)
    description: str | None = Field(None, max_length=5000)
    visibility: str | None = None
    event_date: dt.date | None = None


class StageCountOut(Schema):
    id: int
    name: str
    count: int


class PoolOut(Schema):
    id: int
    name: str
    description: str
    kind: str
    visibility: str
    owner_id: int | None
    event_date: dt.date | None
    member_count: int | None = None
    stages: list[StageCountOut] | None = None
    created_at: dt.datetime
    updated_at: dt.datetime

    @staticmethod
    def from_pool(pool: Pool, **extra: Any) -> dict[str, Any]:
        return {
            "id": pool.pk,
            "name": pool.name,
            "description": pool.description,
            "kind": pool.kind,
            "visibility": pool.visibility,
            "owner_id": pool.owner_id,
            "event_date": pool.event_date,
            "member_count": getattr(pool, "member_count", None),
            "created_at": pool.created_at,
            "updated_at": pool.updated_at,
            **extra,
        }


class StageIn(StrictIn):
    name: str = Field(max_length=100)
    position: int | None = Field(None, ge=0, le=1000)


class StagePatch(StrictIn):
    name: str = Field(max_length=100)


class StageOrderIn(StrictIn):
    stage_ids: list[int] = Field(max_length=100)


class StageOut(Schema):
    id: int
    name: str
    position: int

    @staticmethod
    def from_stage(stage: PoolStage) -> dict[str, Any]:
        return {"id": stage.pk, "name": stage.name, "position": stage.position}


class MemberIn(StrictIn):
    candidate_id: int
    stage_id: int | None = None


class PoolMemberPatch(StrictIn):
    stage_id: int


class CheckInIn(StrictIn):
    candidate_id: int


class AttendeesIn(StrictIn):
    text: str = Field(max_length=1_000_000, description='CSV lines of "name,email"')
    check_in: bool = False


class PoolRowErrorOut(Schema):
    row: int
    message: str


class ImportReportOut(Schema):
    created: int
    found: int
    added: int
    checked_in: int
    errors: list[PoolRowErrorOut]


class PoolMemberOut(Schema):
    candidate_id: int
    full_name: str
    current_title: str
    current_company: str
    emails: list[str]
    tags: list[str]
    stage_id: int
    stage: str
    added_at: dt.datetime
    stage_changed_at: dt.datetime
    checked_in_at: dt.datetime | None

    @staticmethod
    def from_row(row: dict[str, Any]) -> dict[str, Any]:
        return {
            "candidate_id": row["id"],
            "full_name": row["full_name"],
            "current_title": row["current_title"],
            "current_company": row["current_company"],
            "emails": [e["email"] for e in row["emails"]],
            "tags": row["tags"],
            "stage_id": row["stage_id"],
            "stage": row["stage"],
            "added_at": row["added_at"],
            "stage_changed_at": row["stage_changed_at"],
            "checked_in_at": row["checked_in_at"],
        }


class SegmentIn(StrictIn):
    name: str = Field(max_length=200)
    description: str = Field("", max_length=5000)
    rules: Any = Field(description='{"all"|"any": [{"field", "op", "value"} or groups]}')


class SegmentPatch(StrictIn):
    name: str | None = Field(None, max_length=200)
    description: str | None = Field(None, max_length=5000)
    rules: Any = None


class RulesIn(StrictIn):
    rules: Any
    limit: int = Field(25, ge=1, le=500)


class CandidateBriefOut(Schema):
    id: int
    full_name: str
    current_title: str
    current_company: str
    city: str
    country: str
    emails: list[str]
    tags: list[str]

    @staticmethod
    def from_row(row: dict[str, Any]) -> dict[str, Any]:
        return {
            "id": row["id"],
            "full_name": row["full_name"],
            "current_title": row["current_title"],
            "current_company": row["current_company"],
            "city": row["city"],
            "country": row["country"],
            "emails": [e["email"] for e in row["emails"]],
            "tags": row["tags"],
        }


class PreviewOut(Schema):
    size: int
    items: list[CandidateBriefOut]


class SegmentOut(Schema):
    id: int
    name: str
    description: str
    owner_id: int | None
    rules: Any
    size: int | None
    size_computed_at: dt.datetime | None
    created_at: dt.datetime
    updated_at: dt.datetime

    @staticmethod
    def from_segment(segment: Segment, size: int | None) -> dict[str, Any]:
        """`size` is the count for the reader (None: the rules no longer compile)."""
        return {
            "id": segment.pk,
            "name": segment.name,
            "description": segment.description,
            "owner_id": segment.owner_id,
            "rules": segment.rules,
            "size": size,
            "size_computed_at": segment.size_computed_at,
            "created_at": segment.created_at,
            "updated_at": segment.updated_at,
        }


class BulkSearchIn(StrictIn):
    query: str = Field("", max_length=2000, description="A boolean search string")
    filters: dict[str, Any] = Field(
        default_factory=dict, description="The filters of POST /search (skills, near, …)"
    )


class BulkActionIn(StrictIn):
    kind: str = Field(description="add_to_pool, move_stage, tag or export")
    ids: list[Any] | None = Field(None, description="Candidate ids; or give segment_id")
    segment_id: int | None = None
    rules: Any = Field(None, description="Unsaved segment rules, instead of ids or segment_id")
    search: BulkSearchIn | None = Field(
        None, description="Every match of a talent search, instead of ids, segment or rules"
    )
    pool_id: int | None = None
    stage_id: int | None = None
    tag: str = Field("", max_length=100)


class BulkActionOut(Schema):
    id: int
    kind: str
    status: str
    total: int
    processed: int
    changed: int
    percent: int
    error: str
    selection: dict[str, Any]
    params: dict[str, Any]
    created_at: dt.datetime
    finished_at: dt.datetime | None

    @staticmethod
    def from_action(action: BulkAction) -> dict[str, Any]:
        return {
            "id": action.pk,
            "kind": action.kind,
            "status": action.status,
            "total": action.total,
            "processed": action.processed,
            "changed": action.changed,
            "percent": action.percent,
            "error": action.error,
            "selection": action.selection,
            "params": action.params,
            "created_at": action.created_at,
            "finished_at": action.finished_at,
        }


class ReferralIn(StrictIn):
    first_name: str = Field(max_length=100)
    last_name: str = Field("", max_length=100)
    email: str = Field("", max_length=254)
    phone: str = Field("", max_length=50)
    linkedin: str = Field("", max_length=500)
    current_title: str = Field("", max_length=200)
    current_company: str = Field("", max_length=200)
    note: str = Field("", max_length=5000)
    pool_id: int | None = None


class ReferralOut(Schema):
    candidate_id: int
    created: bool
