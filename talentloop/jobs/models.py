from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.timezone import now

from talentloop.accounts.models import Workspace
from talentloop.candidates.models import Seniority


class Job(models.Model):
    """A requisition: the role a recruiter fills, and what matching scores candidates against."""

    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        OPEN = "open", "Open"
        ON_HOLD = "on_hold", "On hold"
        FILLED = "filled", "Filled"
        CLOSED = "closed", "Closed"

    class Remote(models.TextChoices):
        ONSITE = "onsite", "On site"
        HYBRID = "hybrid", "Hybrid"
        REMOTE = "remote", "Remote"

    workspace = models.ForeignKey(
        Workspace, on_delete=models.CASCADE, related_name="jobs", db_index=False
    )
    title = models.CharField(max_length=200)
    department = models.CharField(max_length=100, blank=True)
    description = models.TextField(blank=True)
    city = models.CharField(max_length=100, blank=True)
    region = models.CharField(max_length=100, blank=True)
    country = models.CharField(max_length=2, blank=True)  # ISO 3166-1 alpha-2
    remote_policy = models.CharField(max_length=10, choices=Remote.choices, default=Remote.ONSITE)
    seniority = models.CharField(max_length=20, choices=Seniority.choices, blank=True)
    years_min = models.PositiveSmallIntegerField(null=True, blank=True)
    years_max = models.PositiveSmallIntegerField(null=True, blank=True)
    hiring_manager = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="managed_jobs",
    )
    openings = models.PositiveSmallIntegerField(default=1)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)
    # Per-job overrides of the match weights ({"skills": 3, "semantic": 1, ...}); empty means
    # the defaults. Validated by the matching app when saved.
    match_weights = models.JSONField(default=dict, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(default=now)
    updated_at = models.DateTimeField(default=now)
    closed_at = models.DateTimeField(null=True, blank=True)
    # When a recruiter last looked at the job's matches: later suggestions are "new".
    matches_seen_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [
            models.Index(fields=["workspace", "status", "updated_at", "id"], name="job_status"),
            models.Index(fields=["workspace", "updated_at", "id"], name="job_updated"),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def location(self) -> str:
        return ", ".join(part for part in (self.city, self.region, self.country) if part)

    @property
    def is_active(self) -> bool:
        return self.status in (self.Status.OPEN, self.Status.ON_HOLD, self.Status.DRAFT)


class JobSkill(models.Model):
    """A skill the job asks for: must-have or nice-to-have, with a weight from 1 to 5."""

    class Kind(models.TextChoices):
        MUST = "must", "Must-have"
        NICE = "nice", "Nice-to-have"

    job = models.ForeignKey(Job, on_delete=models.CASCADE, related_name="skills", db_index=False)
    name = models.CharField(max_length=100)  # the catalogue's canonical name when it knows it
    kind = models.CharField(max_length=4, choices=Kind.choices, default=Kind.MUST)
    weight = models.PositiveSmallIntegerField(default=3)
    # Proposed from the description (True) or typed by a recruiter (False).
    proposed = models.BooleanField(default=False)

    class Meta:
        ordering = ["kind", "-weight", "name"]
        constraints = [
            models.UniqueConstraint(fields=["job", "name"], name="job_skill_unique"),
            models.CheckConstraint(
                condition=models.Q(weight__gte=1, weight__lte=5), name="job_skill_weight_range"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.kind}, {self.weight})"
