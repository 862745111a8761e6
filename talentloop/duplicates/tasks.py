from __future__ import annotations

from django.tasks import task

from talentloop.duplicates import services


@task()
def scan_duplicates_task(scan_id: int) -> int:
    """Run or resume a workspace scan; returns the pairs found over the threshold.

    Safe to run twice: a finished scan returns at once, a running one resumes.
    """
    return services.run_scan(scan_id=scan_id).suggestions_found


@task()
def check_candidate_duplicates_task(candidate_id: int) -> int:
    """Suggest duplicates of one (new or merged) candidate. Safe to run twice."""
    return services.check_candidate(candidate_id=candidate_id)
