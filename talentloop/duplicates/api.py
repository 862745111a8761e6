from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Query, Router, Status

from talentloop.candidates.schemas import SafeTextIn
from talentloop.candidates.selectors import access_candidate
from talentloop.core.api import actor_of
from talentloop.core.errors import InvalidInput
from talentloop.duplicates import selectors, services
from talentloop.duplicates.schemas import (
    MergeIn,
    MergeOut,
    MergeSuggestionIn,
    ScanIn,
    ScanOut,
    SuggestionDetailOut,
    SuggestionOut,
    SuggestionPageOut,
)

router = Router(tags=["duplicates"])


class SuggestionQuery(SafeTextIn):
    status: str = "open"
    min_score: str = ""
    cursor: str = ""
    limit: int = 50


@router.get("/duplicates", response=SuggestionPageOut)
def list_suggestions(request: HttpRequest, query: Query[SuggestionQuery]) -> dict[str, Any]:
    """Suggested duplicate pairs, best score first; filter by `status` and `min_score`."""
    actor = actor_of(request)
    filters = selectors.parse_suggestion_filters(status=query.status, min_score=query.min_score)
    rows, next_cursor = selectors.suggestion_page(
        actor, filters, cursor=query.cursor, limit=query.limit
    )
    return {"items": [SuggestionOut.from_suggestion(s) for s in rows], "next_cursor": next_cursor}


@router.get("/duplicates/{suggestion_id}", response=SuggestionDetailOut)
def get_suggestion(request: HttpRequest, suggestion_id: int) -> dict[str, Any]:
    """One pair with both candidates' fields side by side and the default choice of each."""
    suggestion = selectors.access_suggestion(actor_of(request), suggestion_id)
    return SuggestionDetailOut.from_suggestion(suggestion)


@router.post("/duplicates/{suggestion_id}/merge", response={201: MergeOut})
def merge_suggestion(
    request: HttpRequest, suggestion_id: int, payload: MergeSuggestionIn
) -> Status[dict[str, Any]]:
    """Merge the pair. `survivor_id` (default: the older record) keeps its id; `choices` maps
    a field to the candidate id whose value to keep."""
    actor = actor_of(request)
    suggestion = selectors.access_suggestion(actor, suggestion_id)
    survivor_id = payload.survivor_id or suggestion.left_id
    if survivor_id not in {suggestion.left_id, suggestion.right_id}:
        raise InvalidInput("The survivor is one of the pair's two candidates.", field="survivor_id")
    other_id = suggestion.right_id if survivor_id == suggestion.left_id else suggestion.left_id
    merge = services.merge_candidates(
        actor=actor,
        survivor=access_candidate(actor, survivor_id),
        other=access_candidate(actor, other_id),
        choices=payload.choices,
    )
    return Status(201, MergeOut.from_merge(merge))


@router.post("/duplicates/{suggestion_id}/dismiss", response=SuggestionOut)
def dismiss_suggestion(request: HttpRequest, suggestion_id: int) -> dict[str, Any]:
    """Not a duplicate: the pair is never suggested again."""
    actor = actor_of(request)
    suggestion = services.dismiss_suggestion(
        actor=actor, suggestion=selectors.access_suggestion(actor, suggestion_id)
    )
    return SuggestionOut.from_suggestion(selectors.access_suggestion(actor, suggestion.pk))


@router.get("/merges", response=list[MergeOut])
def list_merges(request: HttpRequest) -> list[dict[str, Any]]:
    """The latest 50 merges, newest first."""
    return [MergeOut.from_merge(m) for m in selectors.recent_merges(actor_of(request))]


@router.post("/merges", response={201: MergeOut})
def merge_candidates(request: HttpRequest, payload: MergeIn) -> Status[dict[str, Any]]:
    """Merge any two candidates, suggested or not."""
    actor = actor_of(request)
    merge = services.merge_candidates(
        actor=actor,
        survivor=access_candidate(actor, payload.survivor_id),
        other=access_candidate(actor, payload.other_id),
        choices=payload.choices,
    )
    return Status(201, MergeOut.from_merge(merge))


@router.post("/merges/{merge_id}/undo", response=MergeOut)
def undo_merge(request: HttpRequest, merge_id: int) -> dict[str, Any]:
    """Separate the two candidates again (within 30 days of the merge)."""
    actor = actor_of(request)
    merge = services.undo_merge(actor=actor, merge=selectors.access_merge(actor, merge_id))
    return MergeOut.from_merge(merge)


@router.post("/duplicate-scans", response={202: ScanOut})
def start_scan(request: HttpRequest, payload: ScanIn) -> Status[dict[str, Any]]:
    """Scan the whole workspace in the background; a running scan is returned instead."""
    scan = services.start_scan(actor=actor_of(request), threshold=payload.threshold)
    return Status(202, selectors.scan_status(scan))


@router.get("/duplicate-scans/{scan_id}", response=ScanOut)
def scan_status(request: HttpRequest, scan_id: int) -> dict[str, Any]:
    """A scan's progress: status, phase, percent, candidates processed."""
    return selectors.scan_status(selectors.access_scan(actor_of(request), scan_id))
