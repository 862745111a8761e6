"""Reads of jobs and the one way in to a job (`access_job`)."""

from __future__ import annotations

from django.db.models import Count, Q, QuerySet

from talentloop.accounts.roles import Role
from talentloop.core.actor import Actor
from talentloop.core.errors import NotFound
from talentloop.jobs.models import Job
from talentloop.jobs.services import require_job_manager


def visible_jobs(actor: Actor) -> QuerySet[Job]:
    """The workspace's jobs `actor` may see: hiring managers see the jobs they manage."""
    jobs = Job.objects.filter(workspace=actor.workspace)
    if actor.role == Role.HIRING_MANAGER:
        jobs = jobs.filter(hiring_manager_id=actor.user_id) if actor.user else jobs.none()
    return jobs


def access_job(actor: Actor, job_id: int, *, for_write: bool = False) -> Job:
    """The job if `actor` may see it, else NotFound; another workspace's job looks missing.
    With `for_write`, a job the actor may see but not change raises Forbidden."""
    if not isinstance(job_id, int) or not 0 < job_id < 2**63:
        raise NotFound("No such job.")
    job = visible_jobs(actor).select_related("hiring_manager").filter(pk=job_id).first()
    if job is None:
        raise NotFound("No such job.")
    if for_write:
        require_job_manager(actor)
    return job


def list_jobs(actor: Actor, *, status: str = "", query: str = "") -> QuerySet[Job]:
    """Jobs newest-changed first, with their skill count, filtered by status and title words."""
    jobs = visible_jobs(actor)
    if status == "active":
        jobs = jobs.filter(status__in=(Job.Status.OPEN, Job.Status.ON_HOLD, Job.Status.DRAFT))
    elif status:
        jobs = jobs.filter(status=status)
    for word in query.split()[:8]:
        jobs = jobs.filter(Q(title__icontains=word) | Q(department__icontains=word))
    return (
        jobs.select_related("hiring_manager")
        .annotate(skill_count=Count("skills"))
        .order_by("-updated_at", "-id")
    )
