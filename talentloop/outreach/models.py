"""Outreach: templates, sequences, campaigns, and the send ledger every message goes through.

The engine (engine.py) keeps all of its progress here, as listmonk does: enrolments know their
next step and when it is due, campaign drops know the last candidate id they reached, and every
message has a ledger row with a unique key written before the message leaves.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.timezone import now

from talentloop.accounts.models import Workspace
from talentloop.candidates.models import Candidate


class Purpose(models.TextChoices):
    """The consent purpose a send needs (compliance.models.ConsentRecord.Purpose)."""

    RECRUITING = "recruiting", "Recruiting (1:1 about a role)"
    MARKETING = "marketing", "Marketing (newsletters, nurture)"


class StepChannel(models.TextChoices):
    """How a step reaches the candidate. Task steps are done by a person and logged."""

    EMAIL = "email", "E-mail"
    SMS = "sms", "SMS"
    LINKEDIN_TASK = "linkedin_task", "LinkedIn task"
    CALL_TASK = "call_task", "Call task"


class OutreachSettings(models.Model):
    """A workspace's outreach rules: frequency cap, collision window, default send window."""

    workspace = models.OneToOneField(
        Workspace, on_delete=models.CASCADE, related_name="outreach_settings"
    )
    # At most `cap_messages` marketing messages per person in any `cap_days` days, across every
    # campaign and sequence. 0 turns the cap off.
    cap_messages = models.PositiveSmallIntegerField(default=2)
    cap_days = models.PositiveSmallIntegerField(default=7)
    # A teammate's contact within this many days is a collision: shown on enrolment, skipped
    # by campaigns.
    collision_days = models.PositiveSmallIntegerField(default=3)
    window_start = models.TimeField(default="09:00")
    window_end = models.TimeField(default="17:00")
    # The timezone of candidates whose own timezone is unknown.
    default_timezone = models.CharField(max_length=64, default="UTC")
    track_opens = models.BooleanField(default=True)
    track_clicks = models.BooleanField(default=True)

    def __str__(self) -> str:
        return f"Outreach settings of {self.workspace_id}"


class Template(models.Model):
    """A message: subject and body with personalization tokens (see rendering.py).

    `body` is author HTML, sanitized when saved. `text_body` is the plain-text part; blank
    means it is generated from the HTML. SMS templates use `text_body` only.
    """

    class Kind(models.TextChoices):
        EMAIL = "email", "E-mail"
        SMS = "sms", "SMS"

    workspace = models.ForeignKey(
        Workspace, on_delete=models.CASCADE, related_name="+", db_index=False
    )
    name = models.CharField(max_length=120)
    kind = models.CharField(max_length=10, choices=Kind.choices, default=Kind.EMAIL)
    subject = models.CharField(max_length=300, blank=True)
    body = models.TextField(blank=True)
    text_body = models.TextField(blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(default=now)
    updated_at = models.DateTimeField(default=now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["workspace", "name"], name="template_unique_name")
        ]

    def __str__(self) -> str:
        return self.name


class Snippet(models.Model):
    """A reusable block (signature, footer) that templates include as `{% snippet "name" %}`."""

    workspace = models.ForeignKey(
        Workspace, on_delete=models.CASCADE, related_name="+", db_index=False
    )
    name = models.SlugField(max_length=60)
    body = models.TextField()
    created_at = models.DateTimeField(default=now)
    updated_at = models.DateTimeField(default=now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["workspace", "name"], name="snippet_unique_name")
        ]

    def __str__(self) -> str:
        return self.name


class StopCondition(models.TextChoices):
    REPLY = "reply", "The candidate replies"
    APPLICATION = "application", "The candidate applies"
    UNSUBSCRIBE = "unsubscribe", "The candidate unsubscribes"
    BOUNCE = "bounce", "An e-mail bounces"
    HIRE = "hire", "The candidate is hired"
    MANUAL = "manual", "Stopped by a teammate"


class Sequence(models.Model):
    """An ordered list of steps a candidate walks through, one step at a time."""

    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        ACTIVE = "active", "Active"
        PAUSED = "paused", "Paused"
        ARCHIVED = "archived", "Archived"

    class Reentry(models.TextChoices):
        NEVER = "never", "Never: once per person"
        AFTER_FINISH = "after_finish", "After the previous enrolment ended"
        AFTER_DAYS = "after_days", "After some days since the previous enrolment ended"

    workspace = models.ForeignKey(
        Workspace, on_delete=models.CASCADE, related_name="+", db_index=False
    )
    name = models.CharField(max_length=120)
    description = models.TextField(blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT)
    purpose = models.CharField(max_length=12, choices=Purpose.choices, default=Purpose.RECRUITING)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    # The job it recruits for; its hiring manager can be a step's sender.
    job = models.ForeignKey(
        "jobs.Job", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # Stop conditions in force (StopCondition values). Unsubscribe, bounce and manual always apply.
    stop_on = models.JSONField(default=list, blank=True)
    reentry = models.CharField(max_length=12, choices=Reentry.choices, default=Reentry.NEVER)
    reentry_days = models.PositiveSmallIntegerField(default=0)
    # Bumped on each change; exports carry it (automation.py).
    version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(default=now)
    updated_at = models.DateTimeField(default=now)

    class Meta:
        indexes = [models.Index(fields=["workspace", "name", "id"], name="sequence_by_name")]

    def __str__(self) -> str:
        return self.name


class SequenceStep(models.Model):
    """One step: wait `delay_days` after the previous one, then send (or ask a person to act)."""

    class Sender(models.TextChoices):
        OWNER = "owner", "The sequence owner"
        HIRING_MANAGER = "hiring_manager", "The job's hiring manager"
        USER = "user", "A chosen teammate"

    sequence = models.ForeignKey(
        Sequence, on_delete=models.CASCADE, related_name="steps", db_index=False
    )
    position = models.PositiveSmallIntegerField()  # 0, 1, 2 … in order
    channel = models.CharField(
        max_length=16, choices=StepChannel.choices, default=StepChannel.EMAIL
    )
    # Business days (or calendar days) after the previous step, or after enrolment for the first.
    delay_days = models.PositiveSmallIntegerField(default=0)
    business_days = models.BooleanField(default=True)
    # Send window in the candidate's timezone; null means the workspace default.
    window_start = models.TimeField(null=True, blank=True)
    window_end = models.TimeField(null=True, blank=True)
    template = models.ForeignKey(
        Template, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    # For task steps: what the person should do.
    instructions = models.TextField(blank=True)
    sender = models.CharField(max_length=16, choices=Sender.choices, default=Sender.OWNER)
    sender_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        ordering = ["sequence", "position"]
        constraints = [
            models.UniqueConstraint(fields=["sequence", "position"], name="step_unique_position")
        ]

    def __str__(self) -> str:
        return f"Step {self.position + 1} of {self.sequence_id}"


class Enrollment(models.Model):
    """A candidate walking through a sequence. `next_step`/`next_step_at` are the checkpoint."""

    class Status(models.TextChoices):
        ACTIVE = "active", "Active"
        PAUSED = "paused", "Paused"
        FINISHED = "finished", "Finished"
        STOPPED = "stopped", "Stopped"

    workspace = models.ForeignKey(
        Workspace, on_delete=models.CASCADE, related_name="+", db_index=False
    )
    sequence = models.ForeignKey(Sequence, on_delete=models.CASCADE, related_name="enrollments")
    candidate = models.ForeignKey(
        Candidate, on_delete=models.CASCADE, related_name="enrollments", db_index=False
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.ACTIVE)
    next_step = models.PositiveSmallIntegerField(default=0)  # a position in the sequence
    next_step_at = models.DateTimeField(null=True, blank=True)
    # A worker owns the enrolment while it sends its step; a stale claim is taken over.
    claimed_at = models.DateTimeField(null=True, blank=True)
    claimed_by = models.CharField(max_length=64, blank=True)
    stop_reason = models.CharField(max_length=16, blank=True)  # a StopCondition, or a skip reason
    enrolled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    enrolled_at = models.DateTimeField(default=now)
    ended_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            # One live enrolment per person and sequence: enrolling twice finds the first.
            models.UniqueConstraint(
                fields=["sequence", "candidate"],
                condition=Q(status__in=["active", "paused"]),
                name="enrollment_one_live",
            )
        ]
        indexes = [
            models.Index(fields=["status", "next_step_at"], name="enrollment_due"),
            models.Index(fields=["candidate", "status"], name="enrollment_by_candidate"),
        ]

    def __str__(self) -> str:
        return f"{self.candidate_id} in {self.sequence_id}"


class Campaign(models.Model):
    """A drip campaign: one or more scheduled drops, each sent once to a segment or pool."""

    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        SCHEDULED = "scheduled", "Scheduled"
        RUNNING = "running", "Running"
        PAUSED = "paused", "Paused"
        FINISHED = "finished", "Finished"
        CANCELLED = "cancelled", "Cancelled"

    workspace = models.ForeignKey(
        Workspace, on_delete=models.CASCADE, related_name="+", db_index=False
    )
    name = models.CharField(max_length=120)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT)
    purpose = models.CharField(max_length=12, choices=Purpose.choices, default=Purpose.MARKETING)
    segment = models.ForeignKey(
        "pools.Segment", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    pool = models.ForeignKey(
        "pools.Pool", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    sender = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    # Messages per minute across all workers; null sends as fast as the workers go.
    throttle_per_minute = models.PositiveIntegerField(null=True, blank=True)
    # The shared token bucket of the throttle: workers take send permits with a conditional
    # update, so the rate holds however many workers send. Reset when sending (re)starts.
    throttle_since = models.DateTimeField(null=True, blank=True)
    throttle_taken = models.PositiveIntegerField(default=0)
    # Weekdays (0 = Monday) on which nothing is sent; a drop waits for the next allowed day.
    quiet_days = models.JSONField(default=list, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(default=now)
    updated_at = models.DateTimeField(default=now)

    class Meta:
        indexes = [models.Index(fields=["workspace", "name", "id"], name="campaign_by_name")]

    def __str__(self) -> str:
        return self.name


class CampaignDrop(models.Model):
    """One scheduled message of a campaign. `last_candidate_id` is the checkpoint (listmonk)."""

    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        SENDING = "sending", "Sending"
        DONE = "done", "Done"

    campaign = models.ForeignKey(
        Campaign, on_delete=models.CASCADE, related_name="drops", db_index=False
    )
    position = models.PositiveSmallIntegerField()
    template = models.ForeignKey(Template, on_delete=models.PROTECT, related_name="+")
    send_at = models.DateTimeField()
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    # Recipients are taken in candidate id order; everyone up to here has a ledger row.
    last_candidate_id = models.BigIntegerField(default=0)
    recipients_total = models.PositiveIntegerField(null=True, blank=True)  # counted at start
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["campaign", "position"]
        constraints = [
            models.UniqueConstraint(fields=["campaign", "position"], name="drop_unique_position")
        ]
        indexes = [models.Index(fields=["status", "send_at"], name="drop_due")]

    def __str__(self) -> str:
        return f"Drop {self.position + 1} of {self.campaign_id}"


class Message(models.Model):
    """The send ledger: one row per message that was, is being, or will not be sent.

    `key` is unique: `e<enrollment>.<position>` for a sequence step or `d<drop>.<candidate>`
    for a campaign drop. The row is QUEUED (and claimed by a worker) before the message starts
    to leave, and marked SENT at the channel's point of no return (see engine.py). A retry
    reuses `message_id`.
    """

    class Status(models.TextChoices):
        QUEUED = "queued", "Queued"
        SENT = "sent", "Sent"
        SKIPPED = "skipped", "Skipped"
        FAILED = "failed", "Failed"
        TASK_OPEN = "task_open", "Task to do"
        TASK_DONE = "task_done", "Task done"

    workspace = models.ForeignKey(
        Workspace, on_delete=models.CASCADE, related_name="+", db_index=False
    )
    key = models.CharField(max_length=64, unique=True)
    candidate = models.ForeignKey(
        Candidate, on_delete=models.CASCADE, related_name="+", db_index=False
    )
    channel = models.CharField(max_length=16, choices=StepChannel.choices)
    purpose = models.CharField(max_length=12, choices=Purpose.choices)
    enrollment = models.ForeignKey(
        Enrollment, on_delete=models.CASCADE, null=True, blank=True, related_name="messages"
    )
    step = models.ForeignKey(
        SequenceStep,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        db_index=False,
    )
    drop = models.ForeignKey(
        CampaignDrop,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="messages",
        db_index=False,
    )
    template = models.ForeignKey(
        Template,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        db_index=False,
    )
    sender = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        db_index=False,
    )
    to_address = models.CharField(max_length=254, blank=True)
    subject = models.CharField(max_length=300, blank=True)
    message_id = models.CharField(max_length=255, blank=True)  # RFC 5322 Message-ID, no <>
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    skip_reason = models.CharField(max_length=20, blank=True)
    error = models.CharField(max_length=500, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    claimed_by = models.CharField(max_length=64, blank=True)
    claimed_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=now)
    sent_at = models.DateTimeField(null=True, blank=True)
    # First time each event happened (the funnel reads these; MessageEvent keeps every one).
    delivered_at = models.DateTimeField(null=True, blank=True)
    opened_at = models.DateTimeField(null=True, blank=True)
    clicked_at = models.DateTimeField(null=True, blank=True)
    replied_at = models.DateTimeField(null=True, blank=True)
    bounced_at = models.DateTimeField(null=True, blank=True)
    unsubscribed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [
            # Workers: "my claimed rows" and "rows whose claim went stale".
            models.Index(fields=["status", "claimed_at"], name="message_claims"),
            # Frequency caps and collisions: "what did this person get lately".
            models.Index(fields=["candidate", "sent_at"], name="message_recent"),
            models.Index(fields=["drop", "status"], name="message_by_drop"),
            models.Index(fields=["message_id"], name="message_by_message_id"),
        ]

    def __str__(self) -> str:
        return self.key


class MessageEvent(models.Model):
    """Something that happened to a sent message: delivered, opened, clicked, replied …"""

    class Type(models.TextChoices):
        DELIVERED = "delivered", "Delivered"
        OPEN = "open", "Opened"
        CLICK = "click", "Clicked"
        REPLY = "reply", "Replied"
        BOUNCE = "bounce", "Bounced"
        COMPLAINT = "complaint", "Marked as spam"
        UNSUBSCRIBE = "unsubscribe", "Unsubscribed"

    workspace = models.ForeignKey(
        Workspace, on_delete=models.CASCADE, related_name="+", db_index=False
    )
    message = models.ForeignKey(
        Message, on_delete=models.CASCADE, related_name="events", db_index=False
    )
    type = models.CharField(max_length=12, choices=Type.choices)
    url = models.URLField(max_length=2000, blank=True)  # clicks
    detail = models.JSONField(default=dict, blank=True)  # bounce code, reply excerpt, user agent
    occurred_at = models.DateTimeField(default=now)
    # Raw tracking hits are stored first and turned into timeline entries in batches.
    processed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [
            models.Index(fields=["message", "type"], name="event_by_message"),
            models.Index(
                fields=["id"], condition=Q(processed_at__isnull=True), name="event_unprocessed"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.type} of {self.message_id}"


class Suppression(models.Model):
    """An address Talentloop never e-mails again (unsubscribe, hard bounce, complaint)."""

    class Reason(models.TextChoices):
        UNSUBSCRIBE = "unsubscribe", "Unsubscribed"
        BOUNCE = "bounce", "Hard bounce"
        COMPLAINT = "complaint", "Spam complaint"
        MANUAL = "manual", "Added by a teammate"

    workspace = models.ForeignKey(
        Workspace, on_delete=models.CASCADE, related_name="+", db_index=False
    )
    email = models.CharField(max_length=254)  # normalized like CandidateEmail.email
    reason = models.CharField(max_length=12, choices=Reason.choices)
    message = models.ForeignKey(
        Message,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        db_index=False,
    )
    created_at = models.DateTimeField(default=now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["workspace", "email"], name="suppression_unique_email")
        ]

    def __str__(self) -> str:
        return self.email
