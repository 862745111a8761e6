from __future__ import annotations

import datetime as dt
from typing import Any

from ninja import Schema
from pydantic import Field

from talentloop.candidates.schemas import StrictIn
from talentloop.matching.models import MatchSuggestion, Rediscovery
from talentloop.matching.scoring import Match


class CriterionOut(Schema):
    key: str
    label: str
    score: float | None = Field(description="0 to 1; null when the job does not ask for it")
    weight: float
    evidence: dict[str, Any] = Field(
        description="Why: e.g. matched and missing skills and where each was found"
    )


class MatchCandidateOut(Schema):
    id: int
    full_name: str
    current_title: str
    current_company: str
    location: str


def _candidate(candidate: Any) -> dict[str, Any]:
    return {
        "id": candidate.pk,
        "full_name": candidate.full_name,
        "current_title": candidate.current_title,
        "current_company": candidate.current_company,
        "location": candidate.location,
    }


class MatchOut(Schema):
    id: int
    job_id: int
    candidate: MatchCandidateOut
    score: float = Field(description="0 to 100: the weighted mean of the assessed criteria")
    status: str = Field(description="suggested, accepted or dismissed")
    labels: list[str] = Field(description="past_applicant, silver_medalist, pool_member")
    is_new: bool = Field(description="Suggested since anyone last looked at the job's matches")
    criteria: list[CriterionOut]
    first_suggested_at: dt.datetime
    scored_at: dt.datetime

    @staticmethod
    def of(suggestion: MatchSuggestion, *, is_new: bool) -> dict[str, Any]:
        return {
            "id": suggestion.pk,
            "job_id": suggestion.job_id,
            "candidate": _candidate(suggestion.candidate),
            "score": suggestion.score,
            "status": suggestion.status,
            "labels": suggestion.labels,
            "is_new": is_new,
            "criteria": suggestion.criteria,
            "first_suggested_at": suggestion.first_suggested_at,
            "scored_at": suggestion.scored_at,
        }


class RediscoveryOut(Schema):
    id: int
    job_id: int
    status: str = Field(description="queued, running, done or failed")
    percent: int
    candidates_total: int
    candidates_scored: int = Field(description="Retrieved by relevance or meaning, then scored")
    suggestions: int
    new_suggestions: int
    error: str
    created_at: dt.datetime
    started_at: dt.datetime | None
    finished_at: dt.datetime | None
    seconds: float | None

    @staticmethod
    def of(run: Rediscovery) -> dict[str, Any]:
        return {
            **{name: getattr(run, name) for name in RediscoveryOut.model_fields if name != "id"},
            "id": run.pk,
        }


class MatchPageOut(Schema):
    items: list[MatchOut]
    counts: dict[str, int] = Field(description="Suggestions per status")
    rediscovery: RediscoveryOut | None = Field(description="The latest run")


class DecisionIn(StrictIn):
    decision: str = Field(description="accept, dismiss or reset")


class ScoreIn(StrictIn):
    candidate_id: int


class ScoreOut(Schema):
    candidate: MatchCandidateOut
    score: float
    criteria: list[CriterionOut]

    @staticmethod
    def of(match: Match, candidate: Any) -> dict[str, Any]:
        from talentloop.matching.services import criteria_json

        return {
            "candidate": _candidate(candidate),
            "score": match.total,
            "criteria": criteria_json(match),
        }


class SimilarOut(Schema):
    items: list[ScoreOut]
