"""Enqueue periodic jobs when due. Any number of workers may tick: each due job is claimed once."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Sequence

from django.db import IntegrityError, transaction
from django.utils import timezone

from talentloop.core.models import ScheduledJob

logger = logging.getLogger(__name__)


def tick(schedule: Sequence[object] | None = None, now: dt.datetime | None = None) -> list[str]:
    """Enqueue every job of `schedule` whose time has come; return their names."""
    if schedule is None:
        from talentloop.schedule import SCHEDULE

        schedule = SCHEDULE
    now = now or timezone.now()
    enqueued = []
    for job in schedule:
        name, every, task = job.name, job.every, job.task  # type: ignore[attr-defined]
        try:
            with transaction.atomic():
                ScheduledJob.objects.get_or_create(name=name, defaults={"next_run_at": now})
        except IntegrityError:
            pass  # another worker created it a moment ago
        # The conditional update is the claim: with many workers exactly one sees 1 row.
        claimed = ScheduledJob.objects.filter(name=name, next_run_at__lte=now).update(
            next_run_at=now + every, last_run_at=now
        )
        if claimed:
            task.enqueue()
            enqueued.append(name)
            logger.info("scheduled %s", name)
    return enqueued
