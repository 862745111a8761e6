from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.timezone import now

from talentloop.accounts.models import ApiKey, Workspace


class AuditEvent(models.Model):
    """Who did what to whose data, when and from where. Written by services, never edited."""

    class Action(models.TextChoices):
        # candidates: every view, export and change of personal data
        CANDIDATE_VIEWED = "candidate.viewed", "Viewed a candidate"
        CANDIDATE_CREATED = "candidate.created", "Created a candidate"
        CANDIDATE_UPDATED = "candidate.updated", "Changed a candidate"
        CANDIDATE_DELETED = "candidate.deleted", "Deleted a candidate"
        CANDIDATE_EXPORTED = "candidate.exported", "Exported a candidate"
        CANDIDATES_IMPORTED = "candidates.imported", "Imported candidates"
        NOTE_CREATED = "note.created", "Added a note"
        NOTE_UPDATED = "note.updated", "Changed a note"
        NOTE_DELETED = "note.deleted", "Deleted a note"
        ACTIVITY_LOGGED = "activity.logged", "Logged a touchpoint"
        CANDIDATE_MERGED = "candidate.merged", "Merged two candidates"
        MERGE_UNDONE = "candidate.merge_undone", "Undid a merge"
        DUPLICATE_DISMISSED = "duplicate.dismissed", "Marked as not a duplicate"
        RESUME_VIEWED = "resume.viewed", "Viewed a resume"
        RESUME_CORRECTED = "resume.corrected", "Corrected a parsed resume"
        RESUME_DELETED = "resume.deleted", "Deleted a resume"
        # compliance
        CONSENT_RECORDED = "consent.recorded", "Recorded consent"
        AUDIT_EXPORTED = "audit.exported", "Exported the audit log"
        # workspace administration
        MEMBER_INVITED = "member.invited", "Invited a teammate"
        MEMBER_JOINED = "member.joined", "Joined the workspace"
        MEMBER_ROLE_CHANGED = "member.role_changed", "Changed a role"
        MEMBER_REMOVED = "member.removed", "Removed a member"
        API_KEY_CREATED = "api_key.created", "Created an API key"
        API_KEY_REVOKED = "api_key.revoked", "Revoked an API key"
        CUSTOM_FIELD_CHANGED = "custom_field.changed", "Changed a custom field"
        WORKSPACE_CHANGED = "workspace.changed", "Changed the workspace's settings"
        TAG_CHANGED = "tag.changed", "Changed a tag"

    # No index of its own: every composite index below starts with the workspace, and each
    # index is one more write on every audited request.
    workspace = models.ForeignKey(
        Workspace, on_delete=models.CASCADE, related_name="+", db_index=False
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    api_key = models.ForeignKey(ApiKey, on_delete=models.SET_NULL, null=True, related_name="+")
    # Kept as text too, so the row still says who it was after the user is deleted.
    actor_label = models.CharField(max_length=254)
    action = models.CharField(max_length=40, choices=Action.choices)
    target_type = models.CharField(max_length=40)
    target_id = models.BigIntegerField(null=True)
    target_label = models.CharField(max_length=254, blank=True)
    changes = models.JSONField(default=dict, blank=True)  # {"field": [old, new]}
    extra = models.JSONField(default=dict, blank=True)
    ip = models.GenericIPAddressField(null=True, blank=True)
    occurred_at = models.DateTimeField(default=now)

    class Meta:
        indexes = [
            models.Index(fields=["workspace", "action", "occurred_at"], name="audit_action_time"),
            models.Index(fields=["workspace", "occurred_at"], name="audit_time"),
            models.Index(
                fields=["workspace", "target_type", "target_id", "occurred_at"],
                name="audit_target_time",
            ),
            models.Index(fields=["workspace", "actor", "occurred_at"], name="audit_actor_time"),
        ]

    def __str__(self) -> str:
        return f"{self.actor_label} {self.action} {self.target_type}:{self.target_id}"


class ConsentRecord(models.Model):
    """One entry in a candidate's consent ledger. The newest entry per channel and purpose wins.

    Rows are only ever added, so the ledger is its own proof of what was agreed and when.
    """

    class Channel(models.TextChoices):
        EMAIL = "email", "E-mail"
        SMS = "sms", "SMS"
        PHONE = "phone", "Phone"

    class Purpose(models.TextChoices):
        MARKETING = "marketing", "Marketing (newsletters, campaigns)"
        RECRUITING = "recruiting", "Recruiting (one-to-one outreach about roles)"

    class Status(models.TextChoices):
        GRANTED = "granted", "Granted"
        WITHDRAWN = "withdrawn", "Withdrawn"

    class Source(models.TextChoices):
        FORM = "form", "Sign-up or application form"
        EMAIL_LINK = "email_link", "Link in an e-mail"
        VERBAL = "verbal", "Told a recruiter"
        IMPORT = "import", "Imported"
        API = "api", "API"
        RECRUITER = "recruiter", "Recorded by a recruiter"

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    candidate = models.ForeignKey(  # indexed first in consent_latest (see Meta)
        "candidates.Candidate",
        on_delete=models.CASCADE,
        related_name="consent_records",
        db_index=False,
    )
    channel = models.CharField(max_length=10, choices=Channel.choices)
    purpose = models.CharField(max_length=12, choices=Purpose.choices)
    status = models.CharField(max_length=10, choices=Status.choices)
    source = models.CharField(max_length=12, choices=Source.choices)
    wording_version = models.CharField(max_length=64, blank=True)
    ip = models.GenericIPAddressField(null=True, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    occurred_at = models.DateTimeField(default=now)

    class Meta:
        indexes = [
            models.Index(
                fields=["candidate", "channel", "purpose", "-occurred_at", "-id"],
                name="consent_latest",
            )
        ]

    def __str__(self) -> str:
        return f"{self.candidate_id} {self.channel}/{self.purpose}: {self.status}"
