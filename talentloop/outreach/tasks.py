"""Background work of outreach. Tasks take ids, never objects, and are safe to run twice."""

from __future__ import annotations

import time

from django.tasks import task

from talentloop.outreach import engine

# A send task works for at most this long, then ends so the worker can run other tasks; the
# schedule (talentloop/schedule.py) or the next wake() starts another.
SEND_SECONDS = 60


@task()
def send_outreach_task() -> dict[str, int]:
    """Send everything due: enrolment steps, campaign drops, retries (see engine.py)."""
    stats = engine.run(deadline=time.monotonic() + SEND_SECONDS)
    return {
        "sent": stats.sent,
        "skipped": stats.skipped,
        "failed": stats.failed,
        "retried": stats.retried,
    }
