"""Background work of tracking and inbound mail. Both tasks are safe to run twice."""

from __future__ import annotations

import time

from django.conf import settings
from django.tasks import task

from talentloop.outreach import events, imap

# A run stops taking new batches after this long, so the worker gets to other tasks; the
# schedule starts the next run a minute later.
PROCESS_SECONDS = 50
BATCH = 1000


@task()
def process_tracking_events_task() -> int:
    """Turn stored opens, clicks, replies and bounces into stamps, timeline entries and stops,
    batch after batch until none is left or the time is up. Returns how many were processed."""
    deadline = time.monotonic() + PROCESS_SECONDS
    total = 0
    while True:
        done = events.process_events(limit=BATCH)
        total += done
        if done < BATCH or time.monotonic() > deadline:
            return total


@task()
def poll_imap_task() -> dict[str, int]:
    """Read the unseen mail of the IMAP mailbox (TALENTLOOP_IMAP_*), if one is configured."""
    if not settings.TALENTLOOP_IMAP_HOST:
        return {}
    return imap.poll_mailbox().as_dict()
