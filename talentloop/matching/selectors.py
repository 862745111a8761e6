"""Reads of matching: a job's suggestions with their evidence, its rediscovery runs, and the one
way in to a suggestion or a run."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import Count, QuerySet

from talentloop.accounts.roles import Capability
from talentloop.candidates.selectors import visible_candidates
from talentloop.core.actor import Actor
from talentloop.core.errors import InvalidInput, NotFound
from talentloop.jobs.models import Job
from talentloop.jobs.selectors import access_job
from talentloop.matching.models import MatchSuggestion, Rediscovery

MAX_MATCHES = 200
STATUSES = tuple(MatchSuggestion.Status.values)


def _valid_id(value: object) -> bool:
    return isinstance(value, int) and 0 < value < 2**63


def access_suggestion(actor: Actor, suggestion_id: int) -> MatchSuggestion:
    """The suggestion if `actor` may see its job and its candidate, else NotFound."""
    suggestion = (
        MatchSuggestion.objects.select_related("job", "candidate")
        .filter(pk=suggestion_id, workspace=actor.workspace)
        .first()
        if _valid_id(suggestion_id)
        else None
    )
    if suggestion is None:
        raise NotFound("No such suggestion.")
    try:
        access_job(actor, suggestion.job_id)
    except NotFound:
        raise NotFound("No such suggestion.") from None
    if not visible_candidates(actor).filter(pk=suggestion.candidate_id).exists():
        raise NotFound("No such suggestion.")
    return suggestion


def access_rediscovery(actor: Actor, rediscovery_id: int) -> Rediscovery:
    run = (
        Rediscovery.objects.filter(pk=rediscovery_id, workspace=actor.workspace).first()
        if _valid_id(rediscovery_id)
        else None
    )
    if run is None:
        raise NotFound("No such rediscovery.")
    try:
        access_job(actor, run.job_id)
    except NotFound:
        raise NotFound("No such rediscovery.") from None
    return run


def latest_rediscovery(job: Job) -> Rediscovery | None:
    return job.rediscoveries.order_by("-created_at", "-id").first()


@dataclass(frozen=True)
class MatchRow:
    suggestion: MatchSuggestion
    is_new: bool

    @property
    def candidate(self) -> Any:
        return self.suggestion.candidate


def job_matches(
    actor: Actor, job: Job, *, status: str = "suggested", limit: int = 50
) -> list[MatchRow]:
    """The job's current suggestions of `status`, best first, each with its evidence; "new"
    when suggested after anyone last looked at the job's matches. Accepted and dismissed
    candidates stay listed under their status even once they fall out of the top list."""
    if status not in STATUSES:
        raise InvalidInput(f"Status is one of: {', '.join(STATUSES)}.", field="status")
    if not 1 <= limit <= MAX_MATCHES:
        raise InvalidInput(f"Limit is 1 to {MAX_MATCHES}.", field="limit")
    suggestions = MatchSuggestion.objects.filter(
        job=job, status=status, candidate__deleted_at__isnull=True
    )
    if not actor.can(Capability.VIEW_ALL_CANDIDATES):
        # Only then the visibility subquery: as an IN over the whole workspace it cost 140 ms
        # at 100,000 candidates, and the job already fixes the workspace.
        suggestions = suggestions.filter(candidate__in=visible_candidates(actor))
    if status == MatchSuggestion.Status.SUGGESTED:
        suggestions = suggestions.filter(is_current=True)
    rows = suggestions.select_related("candidate").order_by("-score", "candidate_id")[:limit]
    seen = job.matches_seen_at
    return [MatchRow(s, seen is None or s.first_suggested_at > seen) for s in rows]


def match_counts(job: Job) -> dict[str, int]:
    counts = dict(
        MatchSuggestion.objects.filter(job=job)
        .exclude(status=MatchSuggestion.Status.SUGGESTED, is_current=False)
        .values_list("status")
        .annotate(n=Count("id"))
        .values_list("status", "n")
    )
    return {status: counts.get(status, 0) for status in STATUSES}


def suggestions_for_candidate(actor: Actor, candidate_id: int) -> QuerySet[MatchSuggestion]:
    """The jobs a candidate is suggested for (the profile's "matching jobs")."""
    from talentloop.jobs.selectors import visible_jobs

    return (
        MatchSuggestion.objects.filter(
            candidate_id=candidate_id, job__in=visible_jobs(actor), is_current=True
        )
        .exclude(status=MatchSuggestion.Status.DISMISSED)
        .select_related("job")
        .order_by("-score")
    )
