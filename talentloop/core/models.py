from __future__ import annotations

from django.db import models
from django.utils.timezone import now

from talentloop.accounts.models import Workspace


class IdempotencyKey(models.Model):
    """The stored answer to a create request sent with an `Idempotency-Key` header.

    A retry with the same key and body gets the same answer instead of a second record.
    """

    workspace = models.ForeignKey(
        Workspace, on_delete=models.CASCADE, related_name="+", db_index=False
    )
    key = models.CharField(max_length=255)
    endpoint = models.CharField(max_length=200)
    request_hash = models.CharField(max_length=64)
    response_status = models.PositiveSmallIntegerField()
    response_body = models.JSONField()
    created_at = models.DateTimeField(default=now, db_index=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["workspace", "endpoint", "key"], name="idempotency_unique_key"
            )
        ]

    def __str__(self) -> str:
        return f"{self.endpoint} {self.key}"


class ScheduledJob(models.Model):
    """When each periodic job (see talentloop/schedule.py) is next due.

    Workers claim a due job with a conditional update, so with many workers it runs once.
    """

    name = models.CharField(max_length=100, unique=True)
    next_run_at = models.DateTimeField()
    last_run_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return self.name
