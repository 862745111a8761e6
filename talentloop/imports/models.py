"""Import jobs (a file or folder, its column mapping, progress and checkpoint), their per-row
errors, and the column mappings a workspace saved for reuse."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.timezone import now

from talentloop.accounts.models import Workspace
from talentloop.candidates.models import Source


class ImportMapping(models.Model):
    """A saved column mapping ({header: target}), offered again for files with these headers."""

    workspace = models.ForeignKey(
        Workspace, on_delete=models.CASCADE, related_name="+", db_index=False
    )
    name = models.CharField(max_length=100)
    mapping = models.JSONField(default=dict)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(default=now)
    updated_at = models.DateTimeField(default=now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["workspace", "name"], name="importmapping_unique_name")
        ]

    def __str__(self) -> str:
        return self.name


class ImportJob(models.Model):
    """One import of a file or folder. Progress lives here: each batch of rows commits together
    with `checkpoint_file`/`checkpoint_row`, so a restarted worker continues after the last
    committed row and no row is written twice."""

    class Status(models.TextChoices):
        DRAFT = "draft", "Waiting for mapping"
        CHECKING = "checking", "Dry run"
        CHECKED = "checked", "Dry run done"
        QUEUED = "queued", "Queued"
        RUNNING = "running", "Importing"
        DONE = "done", "Done"
        FAILED = "failed", "Failed"
        CANCELLED = "cancelled", "Cancelled"

    ACTIVE = (Status.CHECKING, Status.QUEUED, Status.RUNNING)

    workspace = models.ForeignKey(
        Workspace, on_delete=models.CASCADE, related_name="+", db_index=False
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    name = models.CharField(max_length=255)  # the file or folder name, as people saw it
    path = models.CharField(max_length=1000)  # on the server: an upload we own, or a CLI path
    owns_file = models.BooleanField(default=False)  # an upload: deleted with the job
    format = models.CharField(max_length=10)
    headers = models.JSONField(default=list)
    mapping = models.JSONField(default=dict)  # {header: target}
    tags = models.JSONField(default=list)  # added to every row
    source = models.CharField(max_length=20, choices=Source.choices, default=Source.IMPORT)
    source_detail = models.CharField(max_length=255, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT)
    is_dry_run = models.BooleanField(default=False)  # the last or current pass writes nothing
    total_rows = models.PositiveIntegerField(default=0)
    processed_rows = models.PositiveIntegerField(default=0)
    checkpoint_file = models.PositiveIntegerField(default=0)  # index in the folder's files
    checkpoint_row = models.PositiveIntegerField(default=0)  # last committed row of that file
    created = models.PositiveIntegerField(default=0)
    updated = models.PositiveIntegerField(default=0)  # matched a candidate already stored
    merged = models.PositiveIntegerField(default=0)  # the same person as an earlier row
    rejected = models.PositiveIntegerField(default=0)
    # The dry run's figures, kept beside the real run's.
    checked = models.JSONField(default=dict)
    error = models.TextField(blank=True)
    created_at = models.DateTimeField(default=now)
    started_at = models.DateTimeField(null=True, blank=True)
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    seconds = models.FloatField(default=0)  # time spent importing (all runs, resumed ones too)

    class Meta:
        indexes = [models.Index(fields=["workspace", "-created_at"], name="importjob_recent")]

    def __str__(self) -> str:
        return f"import {self.pk} ({self.name})"

    @property
    def percent(self) -> int:
        if not self.total_rows:
            return 100 if self.status == self.Status.DONE else 0
        return min(100, self.processed_rows * 100 // self.total_rows)

    @property
    def rows_per_second(self) -> float:
        return self.processed_rows / self.seconds if self.seconds else 0.0

    @property
    def eta_seconds(self) -> float | None:
        rate = self.rows_per_second
        if not rate or self.status not in (self.Status.RUNNING, self.Status.CHECKING):
            return None
        return max(0.0, (self.total_rows - self.processed_rows) / rate)


class ImportRowError(models.Model):
    """Why one row (or one field of it) was not imported."""

    job = models.ForeignKey(  # indexed first in importrowerror_job (see Meta)
        ImportJob, on_delete=models.CASCADE, related_name="row_errors", db_index=False
    )
    is_dry_run = models.BooleanField(default=False)
    file_name = models.CharField(max_length=255, blank=True)
    row = models.PositiveIntegerField()
    field = models.CharField(max_length=100, blank=True)
    reason = models.CharField(max_length=500)

    class Meta:
        indexes = [models.Index(fields=["job", "is_dry_run", "id"], name="importrowerror_job")]

    def __str__(self) -> str:
        return f"row {self.row}: {self.reason}"
