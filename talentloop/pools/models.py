from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.timezone import now

from talentloop.accounts.models import ApiKey, Workspace
from talentloop.candidates.models import Candidate

# Stages every workspace starts with (created on first use, see services.workspace_stages).
DEFAULT_STAGES = ("New", "Contacted", "Engaged", "Interested", "Applied")


class PoolStage(models.Model):
    """One relationship stage, shared by all of a workspace's pools, in `position` order."""

    workspace = models.ForeignKey(
        Workspace, on_delete=models.CASCADE, related_name="+", db_index=False
    )
    name = models.CharField(max_length=50)
    name_key = models.CharField(max_length=50, editable=False)  # case-folded, for uniqueness
    position = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(default=now)

    class Meta:
        ordering = ["position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["workspace", "name_key"], name="poolstage_unique_name")
        ]

    def __str__(self) -> str:
        return self.name


class Pool(models.Model):
    """A static list of candidates with an owner; private pools are seen by their owner only."""

    class Visibility(models.TextChoices):
        PRIVATE = "private", "Only me"
        TEAM = "team", "Whole team"

    class Kind(models.TextChoices):
        STANDARD = "standard", "Pool"
        EVENT = "event", "Event"

    workspace = models.ForeignKey(
        Workspace, on_delete=models.CASCADE, related_name="+", db_index=False
    )
    name = models.CharField(max_length=120)
    description = models.TextField(blank=True)
    kind = models.CharField(max_length=10, choices=Kind.choices, default=Kind.STANDARD)
    visibility = models.CharField(
        max_length=10, choices=Visibility.choices, default=Visibility.TEAM
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    event_date = models.DateField(null=True, blank=True)  # event pools only
    created_at = models.DateTimeField(default=now)
    updated_at = models.DateTimeField(default=now)

    class Meta:
        indexes = [models.Index(fields=["workspace", "name", "id"], name="pool_by_name")]

    def __str__(self) -> str:
        return self.name


class PoolMembership(models.Model):
    """A candidate in a pool, at one stage. Each candidate is in a pool at most once."""

    pool = models.ForeignKey(  # indexed first in poolmembership_by_stage (see Meta)
        Pool, on_delete=models.CASCADE, related_name="memberships", db_index=False
    )
    candidate = models.ForeignKey(
        Candidate, on_delete=models.CASCADE, related_name="pool_memberships"
    )
    # PROTECT: a stage still in use cannot vanish and leave members nowhere.
    stage = models.ForeignKey(PoolStage, on_delete=models.PROTECT, related_name="+")
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    added_at = models.DateTimeField(default=now)
    stage_changed_at = models.DateTimeField(default=now)
    checked_in_at = models.DateTimeField(null=True, blank=True)  # event pools: attended

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["pool", "candidate"], name="poolmembership_unique")
        ]
        indexes = [
            # a pool's page: members by stage, newest first
            models.Index(fields=["pool", "stage", "-added_at"], name="poolmembership_by_stage"),
        ]

    def __str__(self) -> str:
        return f"{self.candidate_id} in {self.pool_id}"


class Segment(models.Model):
    """Saved rules over candidates (see pools/rules.py); members are computed on every read."""

    workspace = models.ForeignKey(
        Workspace, on_delete=models.CASCADE, related_name="+", db_index=False
    )
    name = models.CharField(max_length=120)
    description = models.TextField(blank=True)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    rules = models.JSONField(default=dict)
    # The last count, shown in lists without counting every segment again on each page view.
    size = models.PositiveIntegerField(null=True, blank=True)
    size_computed_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=now)
    updated_at = models.DateTimeField(default=now)

    class Meta:
        indexes = [models.Index(fields=["workspace", "name", "id"], name="segment_by_name")]

    def __str__(self) -> str:
        return self.name


class BulkAction(models.Model):
    """One bulk action over a fixed list of candidate ids, run in batches.

    `processed` is the checkpoint: a worker that stops resumes at that index, and each batch's
    writes are idempotent, so running a batch twice changes nothing.
    """

    class Kind(models.TextChoices):
        ADD_TO_POOL = "add_to_pool", "Add to pool"
        MOVE_STAGE = "move_stage", "Move stage"
        TAG = "tag", "Tag"
        EXPORT = "export", "Export CSV"

    class Status(models.TextChoices):
        QUEUED = "queued", "Queued"
        RUNNING = "running", "Running"
        DONE = "done", "Done"
        FAILED = "failed", "Failed"

    workspace = models.ForeignKey(
        Workspace, on_delete=models.CASCADE, related_name="+", db_index=False
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    # Started with an API key instead of by a person: only that key may read the result.
    api_key = models.ForeignKey(ApiKey, on_delete=models.SET_NULL, null=True, related_name="+")
    kind = models.CharField(max_length=12, choices=Kind.choices)
    params = models.JSONField(default=dict)  # pool_id, stage_id, tag
    selection = models.JSONField(default=dict)  # how the ids were chosen: ids or segment
    candidate_ids = models.JSONField(default=list)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    total = models.PositiveIntegerField(default=0)
    processed = models.PositiveIntegerField(default=0)
    changed = models.PositiveIntegerField(default=0)  # rows actually written (idempotence)
    error = models.CharField(max_length=500, blank=True)
    export_csv = models.TextField(blank=True)
    created_at = models.DateTimeField(default=now)
    # Moved by every batch: an active action whose heartbeat stops has lost its worker.
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["workspace", "-created_at"], name="bulkaction_recent")]

    def __str__(self) -> str:
        return f"{self.kind} of {self.total}"

    @property
    def percent(self) -> int:
        if not self.total:
            return 100 if self.status == self.Status.DONE else 0
        return min(100, self.processed * 100 // self.total)
