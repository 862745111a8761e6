"""Import jobs in the background: one task per pass; a restarted worker picks up where the
stopped one left off (see `resume_stalled_imports_task`)."""

from __future__ import annotations

from django.tasks import task

from talentloop.accounts.selectors import member_actor
from talentloop.core.actor import Actor, system_actor
from talentloop.core.errors import NotFound
from talentloop.imports import services
from talentloop.imports.models import ImportJob


def _actor(job: ImportJob) -> Actor:
    if job.created_by is not None:
        try:
            return member_actor(job.created_by, job.workspace)
        except NotFound:  # the member left: the system finishes the job
            return system_actor(job.workspace)
    return system_actor(job.workspace)


@task()
def run_import_task(job_id: int, dry_run: bool) -> None:
    job = ImportJob.objects.select_related("workspace", "created_by").filter(pk=job_id).first()
    if job is None or job.status not in ImportJob.ACTIVE or job.is_dry_run != dry_run:
        return  # cancelled, finished, or superseded by another pass: nothing to do
    services.run_job(job, _actor(job))


@task()
def resume_stalled_imports_task() -> None:
    """Queue again every pass whose worker stopped (killed, crashed, restarted)."""
    for job in services.resumable_jobs():
        run_import_task.enqueue(job.pk, job.is_dry_run)


# Past this many touched candidates a workspace scan (blocking keys, near-linear) is cheaper
# than checking each one against its blocks.
SCAN_ABOVE = 20_000


@task()
def suggest_import_duplicates_task(job_id: int) -> None:
    """Fuzzy duplicates (names, nicknames, typos …) of the candidates an import created or
    updated go to the review queue; identity matches were already merged by the import."""
    from talentloop.duplicates.services import check_candidate, start_scan

    job = ImportJob.objects.select_related("workspace").filter(pk=job_id).first()
    if job is None:
        return
    touched = services.touched_candidates(job)
    if len(touched) > SCAN_ABOVE:
        start_scan(actor=system_actor(job.workspace))
        return
    for candidate_id in touched:
        check_candidate(candidate_id=candidate_id)
