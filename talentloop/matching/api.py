"""Matching over the API: a job's suggested candidates with the evidence of each score,
rediscovery runs, accept or dismiss, a score for any candidate, similar candidates."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Query, Router, Status

from talentloop.candidates.selectors import access_candidate
from talentloop.core.api import actor_of
from talentloop.core.errors import InvalidInput
from talentloop.jobs.selectors import access_job
from talentloop.matching import selectors, services
from talentloop.matching.schemas import (
    DecisionIn,
    MatchOut,
    MatchPageOut,
    RediscoveryOut,
    ScoreIn,
    ScoreOut,
    SimilarOut,
)

router = Router(tags=["matching"])


@router.get("/jobs/{job_id}/matches", response=MatchPageOut)
def job_matches(
    request: HttpRequest, job_id: int, status: Query[str] = "suggested", limit: Query[int] = 50
) -> dict[str, Any]:
    """The job's best candidates from its latest rediscovery, best first, each with the
    score per criterion and its evidence. `status`: suggested, accepted or dismissed."""
    actor = actor_of(request)
    job = access_job(actor, job_id)
    rows = selectors.job_matches(actor, job, status=status, limit=limit)
    run = selectors.latest_rediscovery(job)
    return {
        "items": [MatchOut.of(row.suggestion, is_new=row.is_new) for row in rows],
        "counts": selectors.match_counts(job),
        "rediscovery": RediscoveryOut.of(run) if run else None,
    }


@router.post("/jobs/{job_id}/rediscoveries", response={202: RediscoveryOut})
def rediscover(request: HttpRequest, job_id: int) -> Status[dict[str, Any]]:
    """Re-score the whole database for the job in the background (it also runs by itself
    whenever the job is opened or changed). Follow it with GET /rediscoveries/{id}."""
    actor = actor_of(request)
    job = access_job(actor, job_id, for_write=True)
    return Status(202, RediscoveryOut.of(services.start_rediscovery(job)))


@router.get("/rediscoveries/{rediscovery_id}", response=RediscoveryOut)
def get_rediscovery(request: HttpRequest, rediscovery_id: int) -> dict[str, Any]:
    return RediscoveryOut.of(selectors.access_rediscovery(actor_of(request), rediscovery_id))


@router.post("/match-suggestions/{suggestion_id}/decision", response=MatchOut)
def decide(request: HttpRequest, suggestion_id: int, payload: DecisionIn) -> dict[str, Any]:
    """Accept (shortlist) or dismiss a suggested candidate, or `reset` the decision. A
    dismissed candidate is not suggested for this job again."""
    actor = actor_of(request)
    suggestion = selectors.access_suggestion(actor, suggestion_id)
    suggestion = services.decide(actor=actor, suggestion=suggestion, decision=payload.decision)
    return MatchOut.of(suggestion, is_new=False)


@router.post("/jobs/{job_id}/score", response=ScoreOut)
def score_candidate(request: HttpRequest, job_id: int, payload: ScoreIn) -> dict[str, Any]:
    """The match of any one candidate for the job, with its evidence, computed now (for
    "why is this person not suggested?")."""
    actor = actor_of(request)
    job = access_job(actor, job_id)
    candidate = access_candidate(actor, payload.candidate_id)
    match = services.score_one(job, candidate)
    return ScoreOut.of(match, candidate)


@router.get("/candidates/{candidate_id}/similar", response=SimilarOut)
def similar(request: HttpRequest, candidate_id: int, limit: Query[int] = 10) -> dict[str, Any]:
    """The candidates most like this one (their profile used as the job), with evidence."""
    actor = actor_of(request)
    candidate = access_candidate(actor, candidate_id)
    if not 1 <= limit <= 50:
        raise InvalidInput("Limit is 1 to 50.", field="limit")
    found = services.similar_candidates(actor, candidate, limit=limit)
    return {"items": [ScoreOut.of(match, other) for match, other in found]}
