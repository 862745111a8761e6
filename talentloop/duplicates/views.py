from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from talentloop.accounts.roles import Capability
from talentloop.candidates.selectors import access_candidate
from talentloop.core.errors import Conflict, InvalidInput
from talentloop.core.views import MemberRequest, member_required
from talentloop.duplicates import selectors, services
from talentloop.duplicates.models import DuplicateScan, DuplicateSuggestion

PAGE_SIZE = 50


def _scan_context(request: MemberRequest) -> dict[str, Any]:
    scan = selectors.latest_scan(request.actor)
    return {
        "scan": scan,
        "scan_active": scan is not None and scan.status in DuplicateScan.ACTIVE,
        "can_merge": request.actor.can(Capability.MERGE_CANDIDATES),
    }


@member_required
def queue(request: MemberRequest) -> HttpResponse:
    """The review queue: suggested pairs, grouped into clusters that share a candidate."""
    actor = request.actor
    params = request.GET
    error = ""
    rows: list[DuplicateSuggestion] = []
    next_cursor = None
    try:
        filters = selectors.parse_suggestion_filters(
            status=params.get("status", "open"), min_score=params.get("min_score", "")
        )
        rows, next_cursor = selectors.suggestion_page(
            actor, filters, cursor=params.get("cursor", ""), limit=PAGE_SIZE
        )
    except InvalidInput as exc:
        error = exc.message
    query = params.copy()
    query.pop("cursor", None)
    if next_cursor:
        query["cursor"] = next_cursor
    return render(
        request,
        "duplicates/queue.html",
        {
            "clusters": selectors.clusters(rows),
            "error": error,
            "params": params,
            "statuses": DuplicateSuggestion.Status.choices,
            "next_page_query": query.urlencode() if next_cursor else "",
            **_scan_context(request),
        },
    )


@member_required
def compare(request: MemberRequest, suggestion_id: int) -> HttpResponse:
    """Both candidates side by side, a radio button per field to pick the surviving value."""
    suggestion = selectors.access_suggestion(request.actor, suggestion_id)
    return _render_compare(request, suggestion)


def _render_compare(
    request: MemberRequest, suggestion: DuplicateSuggestion, *, error: str = "", status: int = 200
) -> HttpResponse:
    fields = selectors.side_by_side(suggestion)
    picked = {f["name"]: request.POST.get(f"choice_{f['name']}", str(f["default"])) for f in fields}
    return render(
        request,
        "duplicates/compare.html",
        {
            "suggestion": suggestion,
            "fields": [{**f, "picked": picked[f["name"]]} for f in fields],
            "survivor": request.POST.get("survivor", str(suggestion.left_id)),
            "error": error,
            "can_merge": request.actor.can(Capability.MERGE_CANDIDATES),
        },
        status=status,
    )


def _posted_id(value: str, field: str) -> int:
    if not value.isascii() or not value.isdigit() or int(value) >= 2**63:
        raise InvalidInput("Choose one of the two candidates.", field=field)
    return int(value)


@require_POST
@member_required
def merge(request: MemberRequest, suggestion_id: int) -> HttpResponse:
    actor = request.actor
    suggestion = selectors.access_suggestion(actor, suggestion_id)
    try:
        survivor_id = _posted_id(request.POST.get("survivor", ""), "survivor")
        if survivor_id not in {suggestion.left_id, suggestion.right_id}:
            raise InvalidInput("Choose one of the two candidates to keep.", field="survivor")
        other_id = suggestion.right_id if survivor_id == suggestion.left_id else suggestion.left_id
        choices = {
            key.removeprefix("choice_"): _posted_id(request.POST.get(key, ""), key)
            for key in request.POST
            if key.startswith("choice_")
        }
        done = services.merge_candidates(
            actor=actor,
            survivor=access_candidate(actor, survivor_id),
            other=access_candidate(actor, other_id),
            choices=choices,
        )
    except InvalidInput as exc:
        return _render_compare(request, suggestion, error=exc.message, status=422)
    messages.success(
        request, f"Merged {done.other.full_name} into {done.survivor.full_name}. You can undo this."
    )
    return redirect("candidates:detail", done.survivor_id)


@require_POST
@member_required
def dismiss(request: MemberRequest, suggestion_id: int) -> HttpResponse:
    actor = request.actor
    suggestion = selectors.access_suggestion(actor, suggestion_id)
    try:
        services.dismiss_suggestion(actor=actor, suggestion=suggestion)
    except Conflict as exc:
        messages.error(request, exc.message)
    else:
        messages.success(
            request, "Marked as not a duplicate; this pair will not be suggested again."
        )
    return redirect("duplicates:queue")


@member_required
def merges(request: MemberRequest) -> HttpResponse:
    """Recent merges, with an undo button for those less than 30 days old."""
    rows = selectors.recent_merges(request.actor)
    return render(
        request,
        "duplicates/merges.html",
        {
            "merges": [(m, selectors.can_undo(m), selectors.undo_deadline(m)) for m in rows],
            "can_merge": request.actor.can(Capability.MERGE_CANDIDATES),
        },
    )


@require_POST
@member_required
def undo(request: MemberRequest, merge_id: int) -> HttpResponse:
    actor = request.actor
    found = selectors.access_merge(actor, merge_id)
    try:
        services.undo_merge(actor=actor, merge=found)
    except Conflict as exc:
        messages.error(request, exc.message)
    else:
        messages.success(
            request, f"Undone: {found.other.full_name} and {found.survivor.full_name} are apart."
        )
    return redirect("duplicates:merges")


@member_required
def scan(request: MemberRequest) -> HttpResponse:
    """GET: the latest scan's progress (refreshing while it runs). POST: start a scan."""
    if request.method == "POST":
        services.start_scan(actor=request.actor)
        return redirect("duplicates:scan")
    return render(request, "duplicates/scan.html", _scan_context(request))


@member_required
def scan_status(request: MemberRequest) -> HttpResponse:
    """The latest scan's progress as JSON, for pages that poll."""
    latest = selectors.latest_scan(request.actor)
    return JsonResponse({"scan": selectors.scan_status(latest) if latest else None})
