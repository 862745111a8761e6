"""The job pages: the list, a job with its skills (and its matches), the job form."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from talentloop.accounts.roles import Capability
from talentloop.core.errors import TalentloopError
from talentloop.core.views import MemberRequest, member_required
from talentloop.jobs import selectors, services
from talentloop.jobs.forms import JobForm, initial_from
from talentloop.jobs.models import Job

STATUS_FILTERS = [("active", "Active"), ("", "All"), *Job.Status.choices]


@member_required
def job_list(request: MemberRequest) -> HttpResponse:
    actor = request.actor
    status = request.GET.get("status", "active")
    if status not in dict(STATUS_FILTERS):
        status = "active"
    query = request.GET.get("q", "")[:200]
    jobs = list(selectors.list_jobs(actor, status=status, query=query)[:200])
    return render(
        request,
        "jobs/job_list.html",
        {
            "jobs": jobs,
            "status": status,
            "query": query,
            "statuses": STATUS_FILTERS,
            "can_manage_jobs": actor.can(Capability.MANAGE_JOBS),
        },
    )


@member_required
def job_new(request: MemberRequest) -> HttpResponse:
    actor = request.actor
    services.require_job_manager(actor)
    form = JobForm(request.POST or None, actor=actor)
    if request.method == "POST" and form.is_valid():
        try:
            job = services.create_job(actor=actor, data=form.to_data(creating=True))
        except TalentloopError as exc:
            form.add_service_error(exc.field, exc.message)
        else:
            messages.success(request, f"Opened {job.title}.")
            return redirect("jobs:detail", job.pk)
    status = 422 if request.method == "POST" else 200
    return render(request, "jobs/job_form.html", {"form": form, "job": None}, status=status)


@member_required
def job_edit(request: MemberRequest, job_id: int) -> HttpResponse:
    actor = request.actor
    job = selectors.access_job(actor, job_id, for_write=True)
    form = JobForm(request.POST or None, actor=actor, initial=initial_from(job))
    if request.method == "POST" and form.is_valid():
        try:
            services.update_job(actor=actor, job=job, data=form.to_data(creating=False))
        except TalentloopError as exc:
            form.add_service_error(exc.field, exc.message)
        else:
            messages.success(request, "Saved.")
            return redirect("jobs:detail", job.pk)
    status = 422 if request.method == "POST" else 200
    return render(request, "jobs/job_form.html", {"form": form, "job": job}, status=status)


@member_required
def job_detail(request: MemberRequest, job_id: int) -> HttpResponse:
    actor = request.actor
    job = selectors.access_job(actor, job_id)
    from talentloop.matching.views import job_matches_context  # matching builds on jobs

    skills = list(job.skills.all())
    return render(
        request,
        "jobs/job_detail.html",
        {
            "job": job,
            "must": [s for s in skills if s.kind == "must"],
            "nice": [s for s in skills if s.kind == "nice"],
            "can_manage_jobs": actor.can(Capability.MANAGE_JOBS),
            **job_matches_context(request, job),
        },
    )


@require_POST
@member_required
def job_status(request: MemberRequest, job_id: int) -> HttpResponse:
    """Put a job on hold, reopen, fill or close it from its page."""
    actor = request.actor
    job = selectors.access_job(actor, job_id, for_write=True)
    try:
        services.update_job(actor=actor, job=job, data={"status": request.POST.get("status")})
    except TalentloopError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, f"{job.title} is now {job.get_status_display().lower()}.")
    return redirect("jobs:detail", job.pk)


@require_POST
@member_required
def job_delete(request: MemberRequest, job_id: int) -> HttpResponse:
    actor = request.actor
    job = selectors.access_job(actor, job_id, for_write=True)
    services.delete_job(actor=actor, job=job)
    messages.success(request, f"Deleted {job.title}.")
    return redirect("jobs:list")
