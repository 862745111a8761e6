from __future__ import annotations

import datetime as dt
from typing import Any

from ninja import Schema
from pydantic import Field

from talentloop.candidates.schemas import StrictIn
from talentloop.duplicates.models import DuplicateSuggestion, Merge
from talentloop.duplicates.selectors import can_undo, side_by_side, undo_deadline


class EvidenceOut(Schema):
    field: str
    left: str
    right: str
    how: str
    weight: float


class PairCandidateOut(Schema):
    id: int
    full_name: str
    current_title: str
    current_company: str
    location: str
    updated_at: dt.datetime


class ComparedFieldOut(Schema):
    name: str
    label: str
    left: str
    right: str
    same: bool
    default: int


class SuggestionOut(Schema):
    id: int
    score: float
    status: str
    evidence: list[EvidenceOut]
    left: PairCandidateOut
    right: PairCandidateOut
    decided_at: dt.datetime | None
    created_at: dt.datetime

    @staticmethod
    def from_suggestion(suggestion: DuplicateSuggestion) -> dict[str, Any]:
        return {
            "id": suggestion.pk,
            "score": suggestion.score,
            "status": suggestion.status,
            "evidence": suggestion.evidence,
            "left": _candidate(suggestion.left),
            "right": _candidate(suggestion.right),
            "decided_at": suggestion.decided_at,
            "created_at": suggestion.created_at,
        }


class SuggestionDetailOut(SuggestionOut):
    fields: list[ComparedFieldOut]

    @staticmethod
    def from_suggestion(suggestion: DuplicateSuggestion) -> dict[str, Any]:
        return {**SuggestionOut.from_suggestion(suggestion), "fields": side_by_side(suggestion)}


class SuggestionPageOut(Schema):
    items: list[SuggestionOut]
    next_cursor: str | None


def _candidate(candidate: Any) -> dict[str, Any]:
    return {
        "id": candidate.pk,
        "full_name": candidate.full_name,
        "current_title": candidate.current_title,
        "current_company": candidate.current_company,
        "location": candidate.location,
        "updated_at": candidate.updated_at,
    }


class MergeSuggestionIn(StrictIn):
    survivor_id: int | None = None
    choices: dict[str, int] = Field(default_factory=dict)


class MergeIn(StrictIn):
    survivor_id: int
    other_id: int
    choices: dict[str, int] = Field(default_factory=dict)


class MergeOut(Schema):
    id: int
    survivor_id: int
    other_id: int
    suggestion_id: int | None
    choices: dict[str, int]
    moved: dict[str, int]
    created_at: dt.datetime
    undo_until: dt.datetime
    can_undo: bool
    undone_at: dt.datetime | None

    @staticmethod
    def from_merge(merge: Merge) -> dict[str, Any]:
        return {
            "id": merge.pk,
            "survivor_id": merge.survivor_id,
            "other_id": merge.other_id,
            "suggestion_id": merge.suggestion_id,
            "choices": merge.choices,
            "moved": {label: len(entry["ids"]) for label, entry in merge.moved.items()},
            "created_at": merge.created_at,
            "undo_until": undo_deadline(merge),
            "can_undo": can_undo(merge),
            "undone_at": merge.undone_at,
        }


class ScanIn(StrictIn):
    threshold: float | None = Field(None, gt=0, le=1)


class ScanOut(Schema):
    id: int
    status: str
    phase: str
    percent: int
    processed: int
    total: int
    suggestions_found: int
    error: str
    created_at: dt.datetime
    finished_at: dt.datetime | None
