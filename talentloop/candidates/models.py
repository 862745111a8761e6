from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.timezone import now

from talentloop.accounts.models import Workspace

# A foreign key whose column leads one of the model's composite indexes or unique constraints
# has db_index=False: the composite serves the same lookups, and each insert then updates one
# index fewer (an import writes millions of these rows).


class Seniority(models.TextChoices):
    INTERN = "intern", "Intern"
    JUNIOR = "junior", "Junior"
    MID = "mid", "Mid-level"
    SENIOR = "senior", "Senior"
    LEAD = "lead", "Lead"
    PRINCIPAL = "principal", "Principal"
    MANAGER = "manager", "Manager"
    DIRECTOR = "director", "Director"
    EXECUTIVE = "executive", "Executive"


class Source(models.TextChoices):
    SOURCED = "sourced", "Sourced"
    PAST_APPLICANT = "past_applicant", "Past applicant"
    REFERRAL = "referral", "Referral"
    EVENT = "event", "Event"
    CAREER_SITE = "career_site", "Career site"
    IMPORT = "import", "Import"
    API = "api", "API"
    OTHER = "other", "Other"


class Candidate(models.Model):
    """A person in the talent database, owned by one workspace."""

    workspace = models.ForeignKey(
        Workspace, on_delete=models.CASCADE, related_name="candidates", db_index=False
    )
    first_name = models.CharField(max_length=100)
    last_name = models.CharField(max_length=100, blank=True)
    headline = models.CharField(max_length=255, blank=True)
    city = models.CharField(max_length=100, blank=True)
    region = models.CharField(max_length=100, blank=True)
    country = models.CharField(max_length=2, blank=True)  # ISO 3166-1 alpha-2
    timezone = models.CharField(max_length=64, blank=True)  # IANA name
    current_title = models.CharField(max_length=200, blank=True)
    current_company = models.CharField(max_length=200, blank=True)
    seniority = models.CharField(max_length=20, choices=Seniority.choices, blank=True)
    years_experience = models.DecimalField(max_digits=4, decimal_places=1, null=True, blank=True)
    source = models.CharField(max_length=20, choices=Source.choices, default=Source.SOURCED)
    source_detail = models.CharField(max_length=255, blank=True)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="owned_candidates",
        db_index=False,
    )
    tags: models.ManyToManyField[Tag, CandidateTag] = models.ManyToManyField(
        "Tag", through="CandidateTag", related_name="candidates"
    )
    custom_fields = models.JSONField(default=dict, blank=True)
    # JSON Resume shaped: work, education, skills, languages, certificates (resume parsing fills).
    resume = models.JSONField(default=dict, blank=True)
    is_do_not_contact = models.BooleanField(default=False)
    is_archived = models.BooleanField(default=False)
    # Lower-cased, accent-free words of names, e-mails, title and company: what the search box
    # matches. Kept in step by services; full-text indexes (FTS5 / GIN) are built on it.
    search_text = models.TextField(blank=True, editable=False)
    last_contacted_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=now)
    updated_at = models.DateTimeField(default=now)
    deleted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [
            # Each list order gets its own (workspace, key, id) index so keyset pages stay O(page).
            models.Index(fields=["workspace", "updated_at", "id"], name="candidate_updated"),
            models.Index(fields=["workspace", "created_at", "id"], name="candidate_created"),
            models.Index(
                fields=["workspace", "last_name", "first_name", "id"], name="candidate_name"
            ),
            # Live rows only (not archived, not deleted) in list order: a filter tested per row
            # (tag EXISTS) walks these without reading the table until a row matches.
            # Partial, not a column: PostgreSQL orders by an index only past columns bound
            # by "=", and "deleted_at IS NULL" is not one.
            models.Index(
                fields=["workspace", "updated_at", "id"],
                name="candidate_live_updated",
                condition=Q(is_archived=False, deleted_at__isnull=True),
            ),
            models.Index(
                fields=["workspace", "source", "updated_at", "id"],
                name="candidate_live_source",
                condition=Q(is_archived=False, deleted_at__isnull=True),
            ),
            models.Index(fields=["owner", "updated_at", "id"], name="candidate_owner"),
        ]

    def __str__(self) -> str:
        return self.full_name

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()

    @property
    def location(self) -> str:
        return ", ".join(part for part in (self.city, self.region, self.country) if part)


class CandidateEmail(models.Model):
    candidate = models.ForeignKey(Candidate, on_delete=models.CASCADE, related_name="emails")
    # Denormalized so "one normalized e-mail per workspace" is a database constraint.
    workspace = models.ForeignKey(
        Workspace, on_delete=models.CASCADE, related_name="+", db_index=False
    )
    email = models.CharField(max_length=254)  # normalized: trimmed, lower-cased, validated
    is_primary = models.BooleanField(default=False)
    bounced_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=now)

    class Meta:
        ordering = ["-is_primary", "id"]
        constraints = [
            models.UniqueConstraint(fields=["workspace", "email"], name="email_unique_workspace")
        ]

    def __str__(self) -> str:
        return self.email


class CandidatePhone(models.Model):
    class Kind(models.TextChoices):
        MOBILE = "mobile", "Mobile"
        WORK = "work", "Work"
        HOME = "home", "Home"
        OTHER = "other", "Other"

    candidate = models.ForeignKey(
        Candidate, on_delete=models.CASCADE, related_name="phones", db_index=False
    )
    workspace = models.ForeignKey(
        Workspace, on_delete=models.CASCADE, related_name="+", db_index=False
    )
    number = models.CharField(max_length=20)  # E.164
    kind = models.CharField(max_length=10, choices=Kind.choices, default=Kind.MOBILE)
    is_primary = models.BooleanField(default=False)
    # Set when the number proved wrong (not in service, someone else's); a stale-data flag.
    invalid_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=now)

    class Meta:
        ordering = ["-is_primary", "id"]
        indexes = [models.Index(fields=["workspace", "number"], name="phone_lookup")]
        constraints = [
            models.UniqueConstraint(fields=["candidate", "number"], name="phone_unique_candidate")
        ]

    def __str__(self) -> str:
        return self.number


class CandidateLink(models.Model):
    class Kind(models.TextChoices):
        LINKEDIN = "linkedin", "LinkedIn"
        GITHUB = "github", "GitHub"
        PORTFOLIO = "portfolio", "Portfolio"
        WEBSITE = "website", "Website"
        OTHER = "other", "Other"

    candidate = models.ForeignKey(
        Candidate, on_delete=models.CASCADE, related_name="links", db_index=False
    )
    workspace = models.ForeignKey(
        Workspace, on_delete=models.CASCADE, related_name="+", db_index=False
    )
    kind = models.CharField(max_length=12, choices=Kind.choices)
    url = models.URLField(max_length=500)
    created_at = models.DateTimeField(default=now)

    class Meta:
        ordering = ["id"]
        indexes = [models.Index(fields=["workspace", "url"], name="link_lookup")]
        constraints = [
            models.UniqueConstraint(fields=["candidate", "url"], name="link_unique_candidate")
        ]

    def __str__(self) -> str:
        return self.url


class Tag(models.Model):
    workspace = models.ForeignKey(
        Workspace, on_delete=models.CASCADE, related_name="tags", db_index=False
    )
    name = models.CharField(max_length=50)
    name_key = models.CharField(max_length=50, editable=False)  # case-folded, for uniqueness
    created_at = models.DateTimeField(default=now)

    class Meta:
        ordering = ["name_key"]
        constraints = [
            models.UniqueConstraint(fields=["workspace", "name_key"], name="tag_unique_workspace")
        ]

    def __str__(self) -> str:
        return self.name


class CandidateTag(models.Model):
    candidate = models.ForeignKey(Candidate, on_delete=models.CASCADE, db_index=False)
    # Lookups by tag use candidatetag_by_tag (tag, candidate): no index of its own.
    tag = models.ForeignKey(Tag, on_delete=models.CASCADE, db_index=False)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["candidate", "tag"], name="candidatetag_unique")
        ]
        indexes = [models.Index(fields=["tag", "candidate"], name="candidatetag_by_tag")]

    def __str__(self) -> str:
        return f"{self.tag_id} on {self.candidate_id}"


class CustomFieldDefinition(models.Model):
    """A workspace's own candidate field; values live in `Candidate.custom_fields[key]`."""

    class Type(models.TextChoices):
        TEXT = "text", "Text"
        NUMBER = "number", "Number"
        DATE = "date", "Date"
        BOOLEAN = "boolean", "Yes/no"
        CHOICE = "choice", "Choice"
        URL = "url", "Link"

    workspace = models.ForeignKey(
        Workspace, on_delete=models.CASCADE, related_name="+", db_index=False
    )
    key = models.SlugField(max_length=50)
    label = models.CharField(max_length=100)
    field_type = models.CharField(max_length=10, choices=Type.choices)
    choices = models.JSONField(default=list, blank=True)
    position = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(default=now)

    class Meta:
        ordering = ["position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["workspace", "key"], name="customfield_unique_key")
        ]

    def __str__(self) -> str:
        return self.label


class Activity(models.Model):
    """One touchpoint on a candidate's timeline, whatever the channel. Written by services only."""

    class Type(models.TextChoices):
        NOTE = "note", "Note"
        EMAIL_SENT = "email_sent", "E-mail sent"
        EMAIL_DELIVERED = "email_delivered", "E-mail delivered"
        EMAIL_OPENED = "email_opened", "E-mail opened"
        EMAIL_CLICKED = "email_clicked", "E-mail link clicked"
        EMAIL_REPLIED = "email_replied", "E-mail reply"
        EMAIL_BOUNCED = "email_bounced", "E-mail bounced"
        SMS_SENT = "sms_sent", "SMS sent"
        SMS_RECEIVED = "sms_received", "SMS received"
        CALL = "call", "Call"
        LINKEDIN_MESSAGE = "linkedin_message", "LinkedIn message"
        PAGE_VISIT = "page_visit", "Page visit"
        EVENT_ATTENDED = "event_attended", "Event attended"
        INTERVIEW = "interview", "Interview"
        ATS_STAGE_CHANGE = "ats_stage_change", "ATS stage change"
        CONSENT_CHANGE = "consent_change", "Consent change"
        MERGE = "merge", "Merged"
        CREATED = "created", "Added to Talentloop"
        UPDATED = "updated", "Profile changed"
        RESUME_PARSED = "resume_parsed", "Resume parsed"
        POOL_ADDED = "pool_added", "Added to a pool"
        POOL_STAGE_CHANGED = "pool_stage_changed", "Pool stage changed"
        SEQUENCE_ENROLLED = "sequence_enrolled", "Enrolled in a sequence"
        SEQUENCE_STOPPED = "sequence_stopped", "Sequence stopped"

    class Channel(models.TextChoices):
        EMAIL = "email", "E-mail"
        SMS = "sms", "SMS"
        PHONE = "phone", "Phone"
        LINKEDIN = "linkedin", "LinkedIn"
        WEB = "web", "Web"
        EVENT = "event", "Event"
        ATS = "ats", "ATS"
        INTERNAL = "internal", "Talentloop"

    workspace = models.ForeignKey(
        Workspace, on_delete=models.CASCADE, related_name="+", db_index=False
    )
    candidate = models.ForeignKey(
        Candidate, on_delete=models.CASCADE, related_name="activities", db_index=False
    )
    type = models.CharField(max_length=20, choices=Type.choices)
    channel = models.CharField(max_length=10, choices=Channel.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    summary = models.CharField(max_length=500, blank=True)
    payload = models.JSONField(default=dict, blank=True)
    # Set for private notes: only this user sees the entry.
    private_to = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, null=True, related_name="+"
    )
    occurred_at = models.DateTimeField(default=now)
    created_at = models.DateTimeField(default=now)

    class Meta:
        indexes = [
            # "latest N for a candidate"
            models.Index(fields=["candidate", "occurred_at", "id"], name="activity_timeline"),
            # "all of type X since T"
            models.Index(fields=["workspace", "type", "occurred_at"], name="activity_type_time"),
            # the home page's "recent activity"
            models.Index(fields=["workspace", "occurred_at", "id"], name="activity_recent"),
        ]

    def __str__(self) -> str:
        return f"{self.type} on {self.candidate_id} at {self.occurred_at:%Y-%m-%d %H:%M}"


class Note(models.Model):
    class Visibility(models.TextChoices):
        TEAM = "team", "Team"
        PRIVATE = "private", "Only me"

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    candidate = models.ForeignKey(Candidate, on_delete=models.CASCADE, related_name="notes")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="notes"
    )
    activity = models.OneToOneField(Activity, on_delete=models.CASCADE, related_name="note")
    body = models.TextField()
    visibility = models.CharField(
        max_length=10, choices=Visibility.choices, default=Visibility.TEAM
    )
    remind_at = models.DateTimeField(null=True, blank=True)
    reminder_done_at = models.DateTimeField(null=True, blank=True)
    reminder_notified_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=now)
    updated_at = models.DateTimeField(default=now)

    class Meta:
        indexes = [
            models.Index(
                fields=["author", "remind_at"],
                name="note_open_reminders",
                condition=Q(remind_at__isnull=False, reminder_done_at__isnull=True),
            )
        ]

    def __str__(self) -> str:
        return self.body[:50]
