"""Pools, stages, memberships, segments, bulk actions and referrals over the API."""

from __future__ import annotations

import dataclasses
from typing import Any

from django.http import HttpRequest, HttpResponse
from ninja import Query, Router, Schema, Status

from talentloop.candidates.selectors import access_candidate
from talentloop.core.api import actor_of, file_answer
from talentloop.core.errors import InvalidInput, NotFound
from talentloop.pools import selectors, services
from talentloop.pools.models import Pool
from talentloop.pools.schemas import (
    AttendeesIn,
    BulkActionIn,
    BulkActionOut,
    CandidateBriefOut,
    CheckInIn,
    ImportReportOut,
    MemberIn,
    PoolIn,
    PoolMemberOut,
    PoolMemberPatch,
    PoolOut,
    PoolPatch,
    PreviewOut,
    ReferralIn,
    ReferralOut,
    RulesIn,
    SegmentIn,
    SegmentOut,
    SegmentPatch,
    StageIn,
    StageOrderIn,
    StageOut,
    StagePatch,
)

router = Router(tags=["pools"])


class PoolQuery(Schema):
    kind: str = ""


class MembersQuery(Schema):
    stage_id: int | None = None
    limit: int = 200


class LimitQuery(Schema):
    limit: int = 25


# --- pools ----------------------------------------------------------------------------------


@router.get("/pools", response=list[PoolOut])
def list_pools(request: HttpRequest, query: Query[PoolQuery]) -> list[dict[str, Any]]:
    """Team pools and your private ones, by name, with their member counts."""
    if query.kind and query.kind not in Pool.Kind.values:
        raise InvalidInput("Kind is standard or event.", field="kind")
    pools = selectors.pool_list(actor_of(request), kind=query.kind)
    return [PoolOut.from_pool(pool) for pool in pools]


@router.post("/pools", response={201: PoolOut})
def create_pool(request: HttpRequest, payload: PoolIn) -> Status[dict[str, Any]]:
    actor = actor_of(request)
    pool = services.create_pool(actor=actor, data=payload.model_dump())
    return Status(201, PoolOut.from_pool(pool, stages=selectors.stage_counts(actor, pool)))


@router.get("/pools/{pool_id}", response=PoolOut)
def get_pool(request: HttpRequest, pool_id: int) -> dict[str, Any]:
    """The pool with the number of members at each stage."""
    actor = actor_of(request)
    pool = selectors.access_pool(actor, pool_id)
    return PoolOut.from_pool(pool, stages=selectors.stage_counts(actor, pool))


@router.patch("/pools/{pool_id}", response=PoolOut)
def update_pool(request: HttpRequest, pool_id: int, payload: PoolPatch) -> dict[str, Any]:
    actor = actor_of(request)
    pool = selectors.access_pool(actor, pool_id)
    pool = services.update_pool(actor=actor, pool=pool, data=payload.model_dump(exclude_unset=True))
    return PoolOut.from_pool(pool, stages=selectors.stage_counts(actor, pool))


@router.delete("/pools/{pool_id}", response={204: None})
def delete_pool(request: HttpRequest, pool_id: int) -> Status[None]:
    """Delete the pool; its candidates stay in the database."""
    actor = actor_of(request)
    services.delete_pool(actor=actor, pool=selectors.access_pool(actor, pool_id))
    return Status(204, None)


# --- members --------------------------------------------------------------------------------


def _member(actor: Any, pool: Pool, candidate_id: int) -> dict[str, Any]:
    (row,) = selectors.pool_members(actor, pool, candidate_id=candidate_id, limit=1)
    return PoolMemberOut.from_row(row)


@router.get("/pools/{pool_id}/members", response=list[PoolMemberOut])
def list_members(
    request: HttpRequest, pool_id: int, query: Query[MembersQuery]
) -> list[dict[str, Any]]:
    """Members, newest first; `stage_id` keeps one stage."""
    actor = actor_of(request)
    pool = selectors.access_pool(actor, pool_id)
    if query.stage_id is not None:
        selectors.access_stage(actor, query.stage_id)
    rows = selectors.pool_members(actor, pool, stage_id=query.stage_id, limit=query.limit)
    return [PoolMemberOut.from_row(row) for row in rows]


@router.post("/pools/{pool_id}/members", response={201: PoolMemberOut, 200: PoolMemberOut})
def add_member(request: HttpRequest, pool_id: int, payload: MemberIn) -> Status[dict[str, Any]]:
    """Add a candidate (at `stage_id`, else the first stage). Adding twice answers 200."""
    actor = actor_of(request)
    pool = selectors.access_pool(actor, pool_id)
    candidate = access_candidate(actor, payload.candidate_id)
    stage = None
    if payload.stage_id is not None:
        stage = _stage_field(actor, payload.stage_id)
    _, created = services.add_to_pool(actor=actor, pool=pool, candidate=candidate, stage=stage)
    return Status(201 if created else 200, _member(actor, pool, candidate.pk))


def _stage_field(actor: Any, stage_id: int) -> Any:
    try:
        return selectors.access_stage(actor, stage_id)
    except NotFound:
        raise InvalidInput("No such stage.", field="stage_id") from None


@router.patch("/pools/{pool_id}/members/{candidate_id}", response=PoolMemberOut)
def move_member(
    request: HttpRequest, pool_id: int, candidate_id: int, payload: PoolMemberPatch
) -> dict[str, Any]:
    """Move a member to another stage (written to their timeline)."""
    actor = actor_of(request)
    pool = selectors.access_pool(actor, pool_id)
    membership = selectors.access_membership(actor, pool, candidate_id)
    services.move_stage(
        actor=actor, membership=membership, stage=_stage_field(actor, payload.stage_id)
    )
    return _member(actor, pool, candidate_id)


@router.delete("/pools/{pool_id}/members/{candidate_id}", response={204: None})
def remove_member(request: HttpRequest, pool_id: int, candidate_id: int) -> Status[None]:
    actor = actor_of(request)
    pool = selectors.access_pool(actor, pool_id)
    membership = selectors.access_membership(actor, pool, candidate_id)
    services.remove_from_pool(actor=actor, membership=membership)
    return Status(204, None)


@router.post("/pools/{pool_id}/check-ins", response={201: PoolMemberOut, 200: PoolMemberOut})
def check_in(request: HttpRequest, pool_id: int, payload: CheckInIn) -> Status[dict[str, Any]]:
    """Check a candidate in at an event pool. Checking in twice answers 200."""
    actor = actor_of(request)
    pool = selectors.access_pool(actor, pool_id)
    candidate = access_candidate(actor, payload.candidate_id)
    _, checked = services.check_in(actor=actor, pool=pool, candidate=candidate)
    return Status(201 if checked else 200, _member(actor, pool, candidate.pk))


@router.post("/pools/{pool_id}/attendees", response=ImportReportOut)
def import_attendees(request: HttpRequest, pool_id: int, payload: AttendeesIn) -> dict[str, Any]:
    """Add a "name,email" list to an event pool, creating unknown people (source "event")."""
    actor = actor_of(request)
    pool = selectors.access_pool(actor, pool_id)
    report = services.import_attendees(
        actor=actor, pool=pool, text=payload.text, mark_checked_in=payload.check_in
    )
    return dataclasses.asdict(report)


# --- stages ---------------------------------------------------------------------------------


@router.get("/pool-stages", response=list[StageOut])
def list_stages(request: HttpRequest) -> list[dict[str, Any]]:
    """The workspace's relationship stages in order."""
    return [StageOut.from_stage(s) for s in selectors.workspace_stages(actor_of(request))]


@router.post("/pool-stages", response={201: StageOut})
def create_stage(request: HttpRequest, payload: StageIn) -> Status[dict[str, Any]]:
    """Add a stage (admins). `position` puts it before the stage now there."""
    stage = services.create_stage(
        actor=actor_of(request), name=payload.name, position=payload.position
    )
    return Status(201, StageOut.from_stage(stage))


@router.put("/pool-stages/order", response=list[StageOut])
def reorder_stages(request: HttpRequest, payload: StageOrderIn) -> list[dict[str, Any]]:
    stages = services.reorder_stages(actor=actor_of(request), stage_ids=payload.stage_ids)
    return [StageOut.from_stage(s) for s in stages]


@router.patch("/pool-stages/{stage_id}", response=StageOut)
def rename_stage(request: HttpRequest, stage_id: int, payload: StagePatch) -> dict[str, Any]:
    actor = actor_of(request)
    stage = selectors.access_stage(actor, stage_id)
    return StageOut.from_stage(services.rename_stage(actor=actor, stage=stage, name=payload.name))


@router.delete("/pool-stages/{stage_id}", response={204: None})
def delete_stage(request: HttpRequest, stage_id: int) -> Status[None]:
    """Delete a stage nobody is at (409 otherwise)."""
    actor = actor_of(request)
    services.delete_stage(actor=actor, stage=selectors.access_stage(actor, stage_id))
    return Status(204, None)


# --- segments -------------------------------------------------------------------------------


@router.get("/segments", response=list[SegmentOut])
def list_segments(request: HttpRequest) -> list[dict[str, Any]]:
    """Segments by name with their size (counted again when the stored one is stale)."""
    actor = actor_of(request)
    found = []
    for segment in selectors.visible_segments(actor).order_by("name", "id"):
        size = selectors.segment_size(actor, segment, fresh=False)
        found.append(SegmentOut.from_segment(segment, size))
    return found


@router.post("/segments", response={201: SegmentOut})
def create_segment(request: HttpRequest, payload: SegmentIn) -> Status[dict[str, Any]]:
    """Save rules as a segment. A bad rule is a 422 whose `field` is its path."""
    actor = actor_of(request)
    segment = services.create_segment(actor=actor, data=payload.model_dump())
    return Status(201, SegmentOut.from_segment(segment, selectors.segment_size(actor, segment)))


@router.post("/segments/preview", response=PreviewOut)
def preview_rules(request: HttpRequest, payload: RulesIn) -> dict[str, Any]:
    """Check rules without saving them: the size and the first `limit` matching candidates."""
    size, rows = selectors.segment_preview(actor_of(request), payload.rules, limit=payload.limit)
    return {"size": size, "items": [CandidateBriefOut.from_row(row) for row in rows]}


@router.get("/segments/{segment_id}", response=SegmentOut)
def get_segment(request: HttpRequest, segment_id: int) -> dict[str, Any]:
    """The segment with its size counted now."""
    actor = actor_of(request)
    segment = selectors.access_segment(actor, segment_id)
    return SegmentOut.from_segment(segment, selectors.segment_size(actor, segment))


@router.get("/segments/{segment_id}/members", response=PreviewOut)
def segment_members(
    request: HttpRequest, segment_id: int, query: Query[LimitQuery]
) -> dict[str, Any]:
    """The segment's size and its first `limit` members, evaluated now."""
    actor = actor_of(request)
    segment = selectors.access_segment(actor, segment_id)
    size, rows = selectors.segment_preview(actor, segment.rules, limit=query.limit)
    return {"size": size, "items": [CandidateBriefOut.from_row(row) for row in rows]}


@router.patch("/segments/{segment_id}", response=SegmentOut)
def update_segment(request: HttpRequest, segment_id: int, payload: SegmentPatch) -> dict[str, Any]:
    actor = actor_of(request)
    segment = selectors.access_segment(actor, segment_id)
    data = payload.model_dump(exclude_unset=True)
    segment = services.update_segment(actor=actor, segment=segment, data=data)
    return SegmentOut.from_segment(segment, selectors.segment_size(actor, segment))


@router.delete("/segments/{segment_id}", response={204: None})
def delete_segment(request: HttpRequest, segment_id: int) -> Status[None]:
    actor = actor_of(request)
    services.delete_segment(actor=actor, segment=selectors.access_segment(actor, segment_id))
    return Status(204, None)


# --- bulk actions ---------------------------------------------------------------------------


def _field_access(getter: Any, actor: Any, object_id: int | None, field: str) -> Any:
    """Load a referenced object; a missing one is bad input naming the field, not a 404."""
    if object_id is None:
        return None
    try:
        return getter(actor, object_id)
    except NotFound as error:
        raise InvalidInput(error.message, field=field) from None


@router.post("/bulk-actions", response={200: BulkActionOut, 202: BulkActionOut})
def start_bulk_action(request: HttpRequest, payload: BulkActionIn) -> Status[dict[str, Any]]:
    """Add to pool, move stage, tag or export the candidates in `ids`, in `segment_id`,
    matching unsaved `rules`, or matching a talent `search` (query and filters).

    Small selections finish in the request (200); bigger ones answer 202 and run in the
    background: poll GET /bulk-actions/{id}.
    """
    actor = actor_of(request)
    talent_search = None
    if payload.search is not None:
        from talentloop.search.selectors import parse_filters  # search builds on pools

        talent_search = (payload.search.query, parse_filters(payload.search.filters))
    action = services.start_bulk_action(
        actor=actor,
        kind=payload.kind,
        candidate_ids=payload.ids,
        segment=_field_access(selectors.access_segment, actor, payload.segment_id, "segment_id"),
        rules=payload.rules,
        talent_search=talent_search,
        pool=_field_access(selectors.access_pool, actor, payload.pool_id, "pool_id"),
        stage=_field_access(selectors.access_stage, actor, payload.stage_id, "stage_id"),
        tag=payload.tag,
    )
    done = action.status in (action.Status.DONE, action.Status.FAILED)
    return Status(200 if done else 202, BulkActionOut.from_action(action))


@router.get("/bulk-actions/{action_id}", response=BulkActionOut)
def get_bulk_action(request: HttpRequest, action_id: int) -> dict[str, Any]:
    """A bulk action you started, with its progress."""
    return BulkActionOut.from_action(selectors.access_bulk_action(actor_of(request), action_id))


@router.get(
    "/bulk-actions/{action_id}/export.csv",
    response={200: None},
    openapi_extra=file_answer("The exported candidates.", ["text/csv"]),
)
def download_export(request: HttpRequest, action_id: int) -> HttpResponse:
    """The CSV of a finished export (each exported person was recorded in the audit log)."""
    action = selectors.access_bulk_action(actor_of(request), action_id)
    return export_response(action)


def export_response(action: Any) -> HttpResponse:
    from talentloop.pools.models import BulkAction

    if action.kind != BulkAction.Kind.EXPORT:
        raise NotFound("This bulk action is not an export.")
    if action.status != BulkAction.Status.DONE:
        raise InvalidInput("The export is not finished yet.", field="status")
    response = HttpResponse(action.export_csv, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="candidates-{action.pk}.csv"'
    return response


# --- referrals ------------------------------------------------------------------------------


@router.post("/referrals", response={201: ReferralOut, 200: ReferralOut})
def submit_referral(request: HttpRequest, payload: ReferralIn) -> Status[dict[str, Any]]:
    """Refer someone (any member but an auditor). A person already stored answers 200."""
    actor = actor_of(request)
    pool = _field_access(selectors.access_pool, actor, payload.pool_id, "pool_id")
    data = payload.model_dump(exclude={"pool_id"})
    candidate, created = services.submit_referral(
        actor=actor, referral=services.Referral(**data), pool=pool
    )
    return Status(201 if created else 200, {"candidate_id": candidate.pk, "created": created})
