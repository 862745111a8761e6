"""Every periodic job, in one place. `talentloop worker` enqueues each when it falls due."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from talentloop.candidates.tasks import send_due_reminders_task
from talentloop.core.tasks import purge_idempotency_keys_task
from talentloop.imports.tasks import resume_stalled_imports_task
from talentloop.matching.tasks import embed_changed_candidates_task
from talentloop.outreach.tasks import send_outreach_task
from talentloop.outreach.tracking_tasks import poll_imap_task, process_tracking_events_task
from talentloop.pools.tasks import resume_stalled_bulk_actions_task
from talentloop.resumes.tasks import resume_stalled_batches_task
from talentloop.search.tasks import (
    compact_index_task,
    index_changed_candidates_task,
    send_saved_search_alerts_task,
)


@dataclass(frozen=True)
class Periodic:
    name: str
    task: Any  # a django.tasks Task
    every: dt.timedelta


SCHEDULE = [
    # Reminder e-mails go out at most 5 minutes after they fall due.
    Periodic("send_due_reminders", send_due_reminders_task, dt.timedelta(minutes=5)),
    # Idempotency keys are kept 24 h (TALENTLOOP_IDEMPOTENCY_KEY_TTL_HOURS); hourly is plenty.
    Periodic("purge_idempotency_keys", purge_idempotency_keys_task, dt.timedelta(hours=1)),
    # An import whose worker was killed or restarted continues from its last batch.
    Periodic("resume_stalled_imports", resume_stalled_imports_task, dt.timedelta(minutes=1)),
    # Likewise a resume batch: it continues with its first file not parsed.
    Periodic("resume_stalled_batches", resume_stalled_batches_task, dt.timedelta(minutes=1)),
    # A bulk action whose worker stopped continues from its checkpoint.
    Periodic(
        "resume_stalled_bulk_actions", resume_stalled_bulk_actions_task, dt.timedelta(minutes=1)
    ),
    # Candidates changed behind the services' backs (imports, merges) are indexed within a minute.
    Periodic("index_changed_candidates", index_changed_candidates_task, dt.timedelta(minutes=1)),
    # Then embedded for matching (the sweep reads the index's changes, from a checkpoint).
    Periodic("embed_changed_candidates", embed_changed_candidates_task, dt.timedelta(minutes=1)),
    # Outreach: sequence steps and campaign drops go out within a minute of falling due, and
    # a dead worker's messages are taken over (wake() starts sending at once on a change).
    Periodic("send_outreach", send_outreach_task, dt.timedelta(minutes=1)),
    # Opens, clicks, replies and bounces reach the funnel, timeline and sequence stops in a minute.
    Periodic("process_tracking_events", process_tracking_events_task, dt.timedelta(minutes=1)),
    # Replies and bounces waiting in the IMAP mailbox (nothing to do without TALENTLOOP_IMAP_HOST).
    Periodic("poll_imap", poll_imap_task, dt.timedelta(minutes=1)),
    # Saved-search alerts: new matches are announced within 15 minutes, once each.
    Periodic("send_saved_search_alerts", send_saved_search_alerts_task, dt.timedelta(minutes=15)),
    # SQLite: the full-text index's segments merged into one, in short steps (searches that
    # combine common words read every segment; 3x faster at 1M once merged).
    Periodic("compact_search_index", compact_index_task, dt.timedelta(hours=1)),
]
