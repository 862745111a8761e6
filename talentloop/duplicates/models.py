from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.timezone import now

from talentloop.accounts.models import Workspace
from talentloop.candidates.models import Candidate


class DuplicateSuggestion(models.Model):
    """Two candidates that may be one person. One row per pair, ever: a dismissed pair stays
    dismissed, so no scan suggests it again."""

    class Status(models.TextChoices):
        OPEN = "open", "Open"
        MERGED = "merged", "Merged"
        DISMISSED = "dismissed", "Not a duplicate"

    # The foreign keys' own indexes would repeat duplicate_queue, duplicate_unique_pair and
    # duplicate_right, which start with the same column (see Meta).
    workspace = models.ForeignKey(
        Workspace, on_delete=models.CASCADE, related_name="+", db_index=False
    )
    # Canonical order left.id < right.id, so (a, b) and (b, a) are the same row.
    left = models.ForeignKey(Candidate, on_delete=models.CASCADE, related_name="+", db_index=False)
    right = models.ForeignKey(Candidate, on_delete=models.CASCADE, related_name="+", db_index=False)
    score = models.FloatField()
    evidence = models.JSONField(default=list, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["left", "right"], name="duplicate_unique_pair"),
            models.CheckConstraint(condition=Q(left__lt=F("right")), name="duplicate_pair_order"),
        ]
        indexes = [
            # The review queue: a workspace's open pairs, best first, keyset on (score, id).
            models.Index(fields=["workspace", "status", "score", "id"], name="duplicate_queue"),
            models.Index(fields=["right"], name="duplicate_right"),
        ]

    def __str__(self) -> str:
        return f"{self.left_id} ~ {self.right_id} ({self.score:.2f}, {self.status})"


class Merge(models.Model):
    """One merge of `other` into `survivor`, with what it takes to undo it for 30 days."""

    workspace = models.ForeignKey(
        Workspace, on_delete=models.CASCADE, related_name="+", db_index=False
    )
    survivor = models.ForeignKey(Candidate, on_delete=models.CASCADE, related_name="+")
    other = models.ForeignKey(Candidate, on_delete=models.CASCADE, related_name="+")
    suggestion = models.ForeignKey(
        DuplicateSuggestion, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # The merged-away candidate's fields as they were, and the survivor's that were replaced.
    other_snapshot = models.JSONField(default=dict)
    survivor_before = models.JSONField(default=dict)
    choices = models.JSONField(default=dict)  # {"field": candidate id the value came from}
    # {"app_label.model": [ids]}: the rows moved to the survivor, which undo moves back.
    moved = models.JSONField(default=dict)
    # Moved e-mails and phones that stopped being primary (the survivor has its own).
    demoted = models.JSONField(default=dict)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(default=now)
    undone_at = models.DateTimeField(null=True, blank=True)
    undone_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )

    class Meta:
        indexes = [models.Index(fields=["workspace", "created_at", "id"], name="merge_recent")]

    def __str__(self) -> str:
        return f"{self.other_id} into {self.survivor_id}"


class BlockingKey(models.Model):
    """A candidate's blocking keys: candidates sharing a key are compared by scans and checks."""

    # Indexed by blockingkey_unique and blockingkey_candidate (see Meta), not on their own.
    workspace = models.ForeignKey(
        Workspace, on_delete=models.CASCADE, related_name="+", db_index=False
    )
    key = models.CharField(max_length=80)
    candidate = models.ForeignKey(
        Candidate, on_delete=models.CASCADE, related_name="+", db_index=False
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["workspace", "key", "candidate"], name="blockingkey_unique"
            )
        ]
        indexes = [models.Index(fields=["candidate"], name="blockingkey_candidate")]

    def __str__(self) -> str:
        return f"{self.key}: {self.candidate_id}"


class DuplicateScan(models.Model):
    """A scan of a whole workspace, with its checkpoint (resumable) and progress (for the UI).

    First it reads every live candidate (blocking keys, value statistics, a fresh key index),
    then it compares within each key's block in key order (`last_key` is the checkpoint).
    """

    class Status(models.TextChoices):
        QUEUED = "queued", "Queued"
        RUNNING = "running", "Running"
        DONE = "done", "Done"
        FAILED = "failed", "Failed"

    class Phase(models.TextChoices):
        INDEX = "index", "Indexing"
        COMPARE = "compare", "Comparing"

    ACTIVE = (Status.QUEUED, Status.RUNNING)

    workspace = models.ForeignKey(
        Workspace, on_delete=models.CASCADE, related_name="+", db_index=False
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    phase = models.CharField(max_length=10, choices=Phase.choices, default=Phase.INDEX)
    threshold = models.FloatField()
    candidates_total = models.PositiveIntegerField(default=0)
    candidates_indexed = models.PositiveIntegerField(default=0)
    keys_total = models.PositiveBigIntegerField(default=0)
    keys_compared = models.PositiveBigIntegerField(default=0)
    last_key = models.CharField(max_length=80, blank=True)
    suggestions_found = models.PositiveIntegerField(default=0)
    # How common each value is (matching.Stats), for weighing single checks until the next scan.
    statistics = models.JSONField(default=dict, blank=True)
    # The blocking-key index single checks use was rewritten by this scan.
    keys_indexed = models.BooleanField(default=False)
    error = models.TextField(blank=True)
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(default=now)
    heartbeat_at = models.DateTimeField(default=now)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            # One scan at a time per workspace: starting another returns the running one.
            models.UniqueConstraint(
                fields=["workspace"],
                condition=Q(status__in=["queued", "running"]),
                name="duplicatescan_one_active",
            )
        ]
        indexes = [models.Index(fields=["workspace", "created_at"], name="duplicatescan_recent")]

    def __str__(self) -> str:
        return f"scan {self.pk} of {self.workspace_id}: {self.status} {self.percent}%"

    @property
    def percent(self) -> int:
        """Indexing is the first half of the work, comparing the second."""
        if self.status == self.Status.DONE:
            return 100
        indexed = self.candidates_indexed / self.candidates_total if self.candidates_total else 0
        if self.phase == self.Phase.INDEX:
            return min(49, int(50 * indexed))
        compared = self.keys_compared / self.keys_total if self.keys_total else 1
        return min(99, 50 + int(50 * compared))
