from __future__ import annotations

import datetime as dt
from typing import Any

from ninja import Schema
from pydantic import Field

from talentloop.candidates.schemas import CandidateOut, StrictIn


class HighlightsOut(Schema):
    """Escaped HTML; only <mark> tags are added, around the words that matched."""

    title: str
    company: str
    skills: str
    text: str


class SearchHitOut(CandidateOut):
    highlights: HighlightsOut
    distance_km: float | None = Field(
        None, description="Great-circle km from the `near` place; null without that filter."
    )


class SearchPageOut(Schema):
    items: list[SearchHitOut]
    next_cursor: str | None
    count: int | None = Field(description="Matches, up to 1,000; null on later pages.")
    count_capped: bool = Field(description="True when there are more than `count`.")
    understood: str = Field(description="The query as parsed, fully parenthesized.")


class SearchIn(StrictIn):
    q: str = Field("", max_length=10_000)
    filters: dict[str, Any] = Field(default_factory=dict)
    cursor: str = Field("", max_length=200)
    limit: int = 20


class ValidateIn(StrictIn):
    q: str = Field(max_length=100_000)


class QueryErrorOut(Schema):
    message: str
    position: int


class ValidateOut(Schema):
    valid: bool
    understood: str
    error: QueryErrorOut | None


class SavedSearchIn(StrictIn):
    name: str = Field(max_length=100)
    query: str = Field("", max_length=2000)
    filters: dict[str, Any] = Field(default_factory=dict)
    alert: bool = True


class SavedSearchPatch(StrictIn):
    name: str | None = Field(None, max_length=100)
    query: str | None = Field(None, max_length=2000)
    filters: dict[str, Any] | None = None
    alert: bool | None = None


class SavedSearchOut(Schema):
    id: int
    name: str
    query: str
    filters: dict[str, Any]
    alert: bool
    last_run_at: dt.datetime | None
    created_at: dt.datetime
    updated_at: dt.datetime


class AlertOut(Schema):
    id: int
    saved_search_id: int
    saved_search_name: str = Field(alias="saved_search.name")
    new_matches: int
    candidate_ids: list[int]
    seen_at: dt.datetime | None
    created_at: dt.datetime
