from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models.functions import Lower
from django.utils.timezone import now

from talentloop.accounts.models import Workspace
from talentloop.candidates.models import Candidate, Source
from talentloop.resumes import document


class ParseBatch(models.Model):
    """One upload (or CLI run) of resume files. Progress lives on its `Resume` rows: a worker
    parses the batch's QUEUED resumes in id order, each in its own transaction, so a restarted
    worker continues with the first one not done and no file is parsed into two candidates."""

    class Status(models.TextChoices):
        QUEUED = "queued", "Queued"
        RUNNING = "running", "Parsing"
        DONE = "done", "Done"
        CANCELLED = "cancelled", "Cancelled"

    ACTIVE = (Status.QUEUED, Status.RUNNING)

    workspace = models.ForeignKey(
        Workspace, on_delete=models.CASCADE, related_name="+", db_index=False
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    name = models.CharField(max_length=255)  # the file, zip or folder name as people saw it
    tags = models.JSONField(default=list)  # added to every candidate of the batch
    source = models.CharField(max_length=20, choices=Source.choices, default=Source.SOURCED)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    total_files = models.PositiveIntegerField(default=0)
    processed_files = models.PositiveIntegerField(default=0)
    created = models.PositiveIntegerField(default=0)  # new candidates
    updated = models.PositiveIntegerField(default=0)  # an e-mail, phone or profile matched
    failed = models.PositiveIntegerField(default=0)
    seconds = models.FloatField(default=0)  # time spent parsing (all runs)
    created_at = models.DateTimeField(default=now)
    started_at = models.DateTimeField(null=True, blank=True)
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["workspace", "-created_at"], name="parsebatch_recent")]

    def __str__(self) -> str:
        return f"resume batch {self.pk} ({self.name})"

    @property
    def percent(self) -> int:
        if not self.total_files:
            return 100 if self.status == self.Status.DONE else 0
        return min(100, self.processed_files * 100 // self.total_files)

    @property
    def files_per_second(self) -> float:
        return self.processed_files / self.seconds if self.seconds else 0.0

    @property
    def eta_seconds(self) -> float | None:
        rate = self.files_per_second
        if not rate or self.status != self.Status.RUNNING:
            return None
        return max(0.0, (self.total_files - self.processed_files) / rate)


def _resume_path(instance: Resume, filename: str) -> str:
    return f"resumes/{instance.workspace_id}/{instance.sha256[:2]}/{instance.sha256}"


class Resume(models.Model):
    """One resume file as received (the original is always kept) and what parsing found."""

    class Status(models.TextChoices):
        QUEUED = "queued", "Waiting"
        PARSED = "parsed", "Parsed"
        FAILED = "failed", "Failed"

    workspace = models.ForeignKey(
        Workspace, on_delete=models.CASCADE, related_name="+", db_index=False
    )
    batch = models.ForeignKey(
        ParseBatch,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="resumes",
        db_index=False,
    )
    candidate = models.ForeignKey(
        Candidate, on_delete=models.SET_NULL, null=True, blank=True, related_name="resumes"
    )
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    file_name = models.CharField(max_length=255)  # as uploaded (inside a zip: its member path)
    # Empty when the file was refused before it was stored (over the size limit).
    file = models.FileField(upload_to=_resume_path, max_length=300, blank=True)
    size = models.PositiveBigIntegerField(default=0)
    sha256 = models.CharField(max_length=64)
    format = models.CharField(max_length=10, blank=True)  # detected from the content
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    error_code = models.CharField(max_length=20, blank=True)
    error = models.CharField(max_length=500, blank=True)
    text = models.TextField(blank=True)  # extracted, in reading order
    pages = models.PositiveIntegerField(default=0)
    is_ocr = models.BooleanField(default=False)
    # The parser's result, JSON Resume shaped (ParsedResume.to_json_resume()), with the
    # recruiter's corrections applied on top.
    parsed = models.JSONField(default=dict, blank=True)
    # {candidate field: value} this parse wrote to the candidate: a later parse may replace a
    # value only while the candidate still holds it (nobody has changed it since).
    applied = models.JSONField(default=dict, blank=True)
    parse_ms = models.FloatField(default=0)
    created_at = models.DateTimeField(default=now)
    parsed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [
            models.Index(fields=["workspace", "-created_at"], name="resume_recent"),
            models.Index(fields=["batch", "status", "id"], name="resume_batch_todo"),
            models.Index(fields=["workspace", "sha256"], name="resume_sha256"),
        ]

    def __str__(self) -> str:
        return self.file_name


class Correction(models.Model):
    """A recruiter's fix of a parsed field: kept as such (the evaluation and training data of
    future parsers), and never overwritten by parsing the candidate's resumes again."""

    workspace = models.ForeignKey(
        Workspace, on_delete=models.CASCADE, related_name="+", db_index=False
    )
    resume = models.ForeignKey(Resume, on_delete=models.CASCADE, related_name="corrections")
    candidate = models.ForeignKey(
        Candidate,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        db_index=False,
    )
    field = models.CharField(max_length=20, choices=list(document.FIELD_LABELS.items()))
    parsed_value = models.JSONField(null=True)  # what the parser had said
    value = models.JSONField(null=True)  # what the recruiter says
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(default=now)

    class Meta:
        indexes = [
            models.Index(fields=["candidate", "field", "-created_at"], name="correction_field"),
            models.Index(fields=["workspace", "-created_at"], name="correction_recent"),
        ]

    def __str__(self) -> str:
        return f"{self.field} of resume {self.resume_id}"


class WorkspaceSkill(models.Model):
    """A skill the workspace added to the catalogue (or promoted from an unknown phrase)."""

    workspace = models.ForeignKey(
        Workspace, on_delete=models.CASCADE, related_name="+", db_index=False
    )
    name = models.CharField(max_length=100)
    aliases = models.JSONField(default=list, blank=True)
    category = models.CharField(max_length=40, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(default=now)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint("workspace", Lower("name"), name="workspace_skill_unique_name")
        ]

    def __str__(self) -> str:
        return self.name


class SkillPhrase(models.Model):
    """A skill-like phrase found in resumes that the catalogue does not know: counted, so the
    most frequent can be promoted to a workspace skill (or ignored)."""

    workspace = models.ForeignKey(
        Workspace, on_delete=models.CASCADE, related_name="+", db_index=False
    )
    phrase = models.CharField(max_length=100)  # normalized (lower case, single spaces)
    example = models.CharField(max_length=100)  # as first written
    occurrences = models.PositiveIntegerField(default=0)
    is_ignored = models.BooleanField(default=False)
    last_seen_at = models.DateTimeField(default=now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["workspace", "phrase"], name="skill_phrase_unique")
        ]
        indexes = [
            models.Index(
                fields=["workspace", "is_ignored", "-occurrences"], name="skill_phrase_top"
            )
        ]

    def __str__(self) -> str:
        return self.example
