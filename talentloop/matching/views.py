"""Matching on the pages: a job's matches (on the job page), decisions, re-scoring, tuned
weights, the run's progress, and "similar candidates" from a profile."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from talentloop.candidates.selectors import access_candidate
from talentloop.core.errors import InvalidInput, TalentloopError
from talentloop.core.views import MemberRequest, member_required
from talentloop.jobs import services as job_services
from talentloop.jobs.models import Job
from talentloop.jobs.selectors import access_job
from talentloop.matching import explain, selectors, services
from talentloop.matching.models import Rediscovery
from talentloop.matching.scoring import CRITERIA_LABELS, Weights

ACTIVE = [Rediscovery.Status.QUEUED.value, Rediscovery.Status.RUNNING.value]
LABELS = {
    "past_applicant": "Past applicant",
    "silver_medalist": "Silver medalist",
    "pool_member": "Pool member",
}


def job_matches_context(request: MemberRequest, job: Job) -> dict[str, Any]:
    """What the job page shows of its matches (the job page's view calls this)."""
    actor = request.actor
    status = request.GET.get("matches", "suggested")
    if status not in selectors.STATUSES:
        status = "suggested"
    rows = selectors.job_matches(actor, job, status=status, limit=50)
    run = selectors.latest_rediscovery(job)
    weights = Weights.DEFAULT.with_overrides(job.match_weights)
    context = {
        "matches": [
            {
                "suggestion": row.suggestion,
                "candidate": row.candidate,
                "is_new": row.is_new,
                "labels": [LABELS.get(label, label) for label in row.suggestion.labels],
                "criteria": explain.rows(row.suggestion.criteria),
            }
            for row in rows
        ],
        "match_status": status,
        "match_counts": selectors.match_counts(job),
        "run": run,
        "run_active": run is not None and run.status in ACTIVE,
        "run_states": ACTIVE,
        "weights": [
            (key, label, getattr(weights, key), key in job.match_weights)
            for key, label in CRITERIA_LABELS.items()
        ],
    }
    if status == "suggested" and rows:
        services.mark_seen(job=job)  # this look is the "last look" for the next run's "new"
    return context


@member_required
def rediscovery_status(request: MemberRequest, job_id: int) -> JsonResponse:
    """The latest run's progress, polled by the job page (core/static follow.js)."""
    job = access_job(request.actor, job_id)
    run = selectors.latest_rediscovery(job)
    if run is None:
        return JsonResponse({"status": "none", "percent": 0, "show": {}})
    return JsonResponse(
        {
            "status": run.status,
            "percent": run.percent,
            "show": {"run_status": run.get_status_display(), "run_percent": f"{run.percent}%"},
        }
    )


@require_POST
@member_required
def rediscover(request: MemberRequest, job_id: int) -> HttpResponse:
    job = access_job(request.actor, job_id, for_write=True)
    services.start_rediscovery(job)
    messages.success(request, "Re-scoring the whole database for this job.")
    return redirect("jobs:detail", job.pk)


@require_POST
@member_required
def decide(request: MemberRequest, suggestion_id: int) -> HttpResponse:
    actor = request.actor
    suggestion = selectors.access_suggestion(actor, suggestion_id)
    try:
        services.decide(
            actor=actor, suggestion=suggestion, decision=request.POST.get("decision", "")
        )
    except InvalidInput as exc:
        messages.error(request, exc.message)
    back = request.POST.get("matches", "suggested")
    suffix = f"?matches={back}" if back in selectors.STATUSES else ""
    return redirect(f"/jobs/{suggestion.job_id}/{suffix}#matches")


@require_POST
@member_required
def tune_weights(request: MemberRequest, job_id: int) -> HttpResponse:
    """Save the job's weights (a blank or default value keeps the default); re-scores."""
    actor = request.actor
    job = access_job(actor, job_id, for_write=True)
    overrides: dict[str, Any] = {}
    for key in CRITERIA_LABELS:
        raw = request.POST.get(f"w_{key}", "").strip()
        if not raw:
            continue
        try:
            value = float(raw)
        except ValueError:
            messages.error(request, f"{CRITERIA_LABELS[key]}: enter a number from 0 to 100.")
            return redirect("jobs:detail", job.pk)
        if value != getattr(Weights.DEFAULT, key):
            overrides[key] = value
    try:
        job_services.update_job(actor=actor, job=job, data={"match_weights": overrides})
    except TalentloopError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, "Saved the weights; re-scoring.")
    return redirect("jobs:detail", job.pk)


@member_required
def similar(request: MemberRequest, candidate_id: int) -> HttpResponse:
    actor = request.actor
    candidate = access_candidate(actor, candidate_id)
    found = services.similar_candidates(actor, candidate, limit=10)
    return render(
        request,
        "matching/similar.html",
        {
            "candidate": candidate,
            "rows": [
                {
                    "candidate": other,
                    "score": match.total,
                    "criteria": explain.rows(services.criteria_json(match)),
                }
                for match, other in found
            ],
        },
    )
