from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.timezone import now

from talentloop.accounts.models import Workspace
from talentloop.candidates.models import Candidate
from talentloop.jobs.models import Job


class CandidateEmbedding(models.Model):
    """A candidate's profile embedding (64 float32, little-endian), kept in step by a sweep that
    re-embeds candidates whose search document changed since `embedded_at`."""

    candidate = models.OneToOneField(
        Candidate, on_delete=models.CASCADE, primary_key=True, related_name="+"
    )
    workspace = models.ForeignKey(
        Workspace, on_delete=models.CASCADE, related_name="+", db_index=False
    )
    model = models.CharField(max_length=100)
    vector = models.BinaryField()
    embedded_at = models.DateTimeField(default=now)

    class Meta:
        indexes = [models.Index(fields=["workspace", "candidate"], name="embedding_workspace")]

    def __str__(self) -> str:
        return f"embedding of {self.candidate_id}"


class EmbeddingCheckpoint(models.Model):
    """How far the embedding sweep has read the search documents, in (indexed_at, id) order.
    One row: the sweep reads every workspace's documents along one index."""

    name = models.CharField(max_length=40, unique=True)
    indexed_at = models.DateTimeField(null=True)
    candidate_id = models.BigIntegerField(default=0)

    def __str__(self) -> str:
        return f"embedding checkpoint at {self.indexed_at} / {self.candidate_id}"


class Rediscovery(models.Model):
    """One re-scoring of the whole database for a job, with its progress."""

    class Status(models.TextChoices):
        QUEUED = "queued", "Queued"
        RUNNING = "running", "Running"
        DONE = "done", "Done"
        FAILED = "failed", "Failed"

    workspace = models.ForeignKey(
        Workspace, on_delete=models.CASCADE, related_name="+", db_index=False
    )
    job = models.ForeignKey(Job, on_delete=models.CASCADE, related_name="rediscoveries")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    # Progress: steps of the run (candidates retrieved, then scored), as a percent.
    percent = models.PositiveSmallIntegerField(default=0)
    candidates_total = models.PositiveIntegerField(default=0)  # in the workspace
    candidates_scored = models.PositiveIntegerField(default=0)  # retrieved and fully scored
    suggestions = models.PositiveIntegerField(default=0)
    new_suggestions = models.PositiveIntegerField(default=0)
    error = models.TextField(blank=True)
    created_at = models.DateTimeField(default=now)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["status", "created_at"], name="rediscovery_status")]

    def __str__(self) -> str:
        return f"rediscovery {self.pk} of job {self.job_id}: {self.status}"

    @property
    def seconds(self) -> float | None:
        if self.started_at and self.finished_at:
            return (self.finished_at - self.started_at).total_seconds()
        return None


class MatchSuggestion(models.Model):
    """A candidate rediscovery proposes for a job, with the score's evidence. Accepting or
    dismissing is remembered: a dismissed candidate never comes back for the same job."""

    class Status(models.TextChoices):
        SUGGESTED = "suggested", "Suggested"
        ACCEPTED = "accepted", "Accepted"
        DISMISSED = "dismissed", "Dismissed"

    workspace = models.ForeignKey(
        Workspace, on_delete=models.CASCADE, related_name="+", db_index=False
    )
    job = models.ForeignKey(
        Job, on_delete=models.CASCADE, related_name="suggestions", db_index=False
    )
    candidate = models.ForeignKey(Candidate, on_delete=models.CASCADE, related_name="+")
    score = models.FloatField()  # 0..100
    criteria = models.JSONField(default=list)  # [{key, label, score, weight, evidence}]
    # past_applicant, silver_medalist, pool_member (computed at scoring time)
    labels = models.JSONField(default=list)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.SUGGESTED)
    # False once the candidate fell out of the top list; kept for the decision it carries.
    is_current = models.BooleanField(default=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    first_suggested_at = models.DateTimeField(default=now)
    scored_at = models.DateTimeField(default=now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["job", "candidate"], name="suggestion_unique")
        ]
        indexes = [
            # the job's list: current suggestions of a status, best first
            models.Index(
                fields=["job", "status", "is_current", "-score", "candidate"],
                name="suggestion_list",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.candidate_id} for job {self.job_id}: {self.score:.1f}"
