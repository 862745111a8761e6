from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.tasks import task
from django.utils import timezone

from talentloop.core.models import IdempotencyKey


@task()
def purge_idempotency_keys_task() -> int:
    """Delete stored Idempotency-Key answers older than IDEMPOTENCY_KEY_TTL_HOURS.

    Safe to run twice: the second run finds nothing to delete.
    """
    cutoff = timezone.now() - dt.timedelta(hours=settings.IDEMPOTENCY_KEY_TTL_HOURS)
    deleted, _ = IdempotencyKey.objects.filter(created_at__lt=cutoff).delete()
    return deleted
