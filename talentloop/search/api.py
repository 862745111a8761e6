"""Search over the API: run a search (GET or POST), validate a query, saved searches, alerts."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from ninja import Router, Status

from talentloop.core.api import actor_of, error_body, json_response
from talentloop.core.errors import InvalidInput
from talentloop.search import boolean, selectors, services
from talentloop.search.models import SavedSearch, SavedSearchAlert
from talentloop.search.schemas import (
    AlertOut,
    SavedSearchIn,
    SavedSearchOut,
    SavedSearchPatch,
    SearchIn,
    SearchPageOut,
    ValidateIn,
    ValidateOut,
)
from talentloop.search.selectors import QueryInvalid

router = Router(tags=["search"])

_PAGE_PARAMS = {"q", "cursor", "limit"}


def _query_error(error: QueryInvalid) -> HttpResponse:
    """422 with where the problem is, so a client can point at it."""
    return json_response(
        error_body(error.code, error.message, error.field, position=error.position), status=422
    )


def _run(
    request: HttpRequest, q: str, filters: dict[str, Any], cursor: str, limit: Any
) -> HttpResponse:
    if not isinstance(limit, int):
        try:
            limit = int(limit)
        except (TypeError, ValueError):
            raise InvalidInput("A whole number from 1 to 100.", field="limit") from None
    try:
        page = selectors.search(
            actor_of(request),
            query=q,
            filters=selectors.parse_filters(filters),
            cursor=cursor,
            limit=limit,
        )
    except QueryInvalid as error:
        return _query_error(error)
    return json_response(
        {
            "items": page.rows,
            "next_cursor": page.next_cursor,
            "count": page.count,
            "count_capped": page.count_capped,
            "understood": page.understood,
        }
    )


@router.get("/search", response=SearchPageOut)
def search_get(request: HttpRequest) -> HttpResponse:
    """Search the talent database, newest match first; follow `next_cursor` for more.

    `q` is a boolean string (`title:engineer AND (python OR go) -php`). Filters are query
    parameters: skills, tags, seniority and source take several values (repeat the parameter
    or separate with commas); location, country, years_min, years_max, contacted_since,
    not_contacted_since, consent (contactable|granted), include_archived, and near with
    radius_km (default 50) for people within that many km of a place ("Munich",
    "Springfield, IL", "52.52, 13.40"; each hit then has its distance_km). An unknown
    parameter or place is an error, so a typo never silently widens a search.
    """
    filters: dict[str, Any] = {}
    for name in request.GET:
        if name in _PAGE_PARAMS:
            continue
        values = request.GET.getlist(name)
        filters[name] = values if len(values) > 1 else values[0]
    if "\x00" in request.GET.get("q", "") + request.GET.get("cursor", ""):
        raise InvalidInput("Text cannot contain NUL characters.", field="q")
    return _run(
        request,
        request.GET.get("q", ""),
        filters,
        request.GET.get("cursor", ""),
        request.GET.get("limit", "20"),
    )


@router.post("/search", response=SearchPageOut)
def search_post(request: HttpRequest, payload: SearchIn) -> HttpResponse:
    """The same search with a JSON body: {"q": …, "filters": {…}, "cursor": …, "limit": …}."""
    return _run(request, payload.q, payload.filters, payload.cursor, payload.limit)


@router.post("/search/validate", response=ValidateOut)
def validate_query(request: HttpRequest, payload: ValidateIn) -> dict[str, Any]:
    """Parse a query without running it: how it was understood, or the error and its position."""
    actor_of(request)
    try:
        node = selectors.parse_query(payload.q)
    except QueryInvalid as error:
        return {
            "valid": False,
            "understood": "",
            "error": {"message": error.message, "position": error.position},
        }
    return {"valid": True, "understood": boolean.describe(node) if node else "", "error": None}


@router.get("/saved-searches", response=list[SavedSearchOut])
def list_saved_searches(request: HttpRequest) -> list[SavedSearch]:
    """Your saved searches."""
    return list(selectors.saved_searches(actor_of(request)))


@router.post("/saved-searches", response={201: SavedSearchOut, 422: dict[str, Any]})
def create_saved_search(request: HttpRequest, payload: SavedSearchIn) -> Any:
    """Save a search; with `alert` on, you hear about people added later who match it."""
    try:
        saved = services.create_saved_search(actor=actor_of(request), data=payload.model_dump())
    except QueryInvalid as error:
        return _query_error(error)
    return Status(201, saved)


@router.get("/saved-searches/{saved_search_id}", response=SavedSearchOut)
def get_saved_search(request: HttpRequest, saved_search_id: int) -> SavedSearch:
    return selectors.access_saved_search(actor_of(request), saved_search_id)


@router.patch(
    "/saved-searches/{saved_search_id}", response={200: SavedSearchOut, 422: dict[str, Any]}
)
def update_saved_search(
    request: HttpRequest, saved_search_id: int, payload: SavedSearchPatch
) -> Any:
    actor = actor_of(request)
    saved = selectors.access_saved_search(actor, saved_search_id)
    try:
        return services.update_saved_search(
            actor=actor, saved_search=saved, data=payload.model_dump(exclude_unset=True)
        )
    except QueryInvalid as error:
        return _query_error(error)


@router.delete("/saved-searches/{saved_search_id}", response={204: None})
def delete_saved_search(request: HttpRequest, saved_search_id: int) -> Status[None]:
    actor = actor_of(request)
    saved = selectors.access_saved_search(actor, saved_search_id)
    services.delete_saved_search(actor=actor, saved_search=saved)
    return Status(204, None)


@router.get("/search/alerts", response=list[AlertOut])
def list_alerts(request: HttpRequest) -> list[SavedSearchAlert]:
    """New matches of your alerting saved searches, newest first."""
    return list(selectors.recent_alerts(actor_of(request)))
