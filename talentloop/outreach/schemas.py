"""JSON shapes of sequences, steps, enrolments, campaigns, drops and funnels."""

from __future__ import annotations

import datetime as dt
from typing import Any

from ninja import Schema
from pydantic import Field

from talentloop.candidates.schemas import StrictIn
from talentloop.outreach import selectors, services
from talentloop.outreach.models import Campaign, CampaignDrop, Sequence, SequenceStep

# --- sequences ------------------------------------------------------------------------------


class StepIn(StrictIn):
    channel: str = Field("email", description="email, sms, linkedin_task or call_task")
    delay_days: int = Field(0, description="Days after the previous step (or enrolment)")
    business_days: bool = True
    window_start: str | None = Field(None, description="HH:MM in the candidate's timezone")
    window_end: str | None = Field(None, description="HH:MM; both blank: the workspace's window")
    template_id: int | None = Field(None, description="E-mail and SMS steps")
    instructions: str = Field("", max_length=6000, description="Task steps: what to do")
    sender: str = Field("owner", description="owner, hiring_manager or user")
    sender_user_id: int | None = None


class SequenceIn(StrictIn):
    name: str = Field(max_length=200)
    description: str = Field("", max_length=6000)
    purpose: str = Field("recruiting", description="recruiting or marketing")
    stop_on: list[str] = Field(
        default_factory=lambda: ["reply"],
        description="reply, application, hire; unsubscribe, bounce and manual always apply",
    )
    reentry: str = Field("never", description="never, after_finish or after_days")
    reentry_days: int = 0
    job_id: int | None = None
    steps: list[StepIn] = Field(default_factory=list, max_length=100)


class SequencePatch(StrictIn):
    name: str | None = Field(None, max_length=200)
    description: str | None = Field(None, max_length=6000)
    purpose: str | None = None
    stop_on: list[str] | None = None
    reentry: str | None = None
    reentry_days: int | None = None
    job_id: int | None = None
    steps: list[StepIn] | None = Field(None, max_length=100, description="Replaces every step")


class StepsIn(StrictIn):
    steps: list[StepIn] = Field(max_length=100)


class StatusIn(StrictIn):
    status: str


def _hhmm(value: dt.time | None) -> str | None:
    return value.strftime("%H:%M") if value else None


class StepOut(Schema):
    position: int
    channel: str
    delay_days: int
    business_days: bool
    window_start: str | None
    window_end: str | None
    template_id: int | None
    instructions: str
    sender: str
    sender_user_id: int | None

    @staticmethod
    def from_step(step: SequenceStep) -> dict[str, Any]:
        return {
            "position": step.position,
            "channel": step.channel,
            "delay_days": step.delay_days,
            "business_days": step.business_days,
            "window_start": _hhmm(step.window_start),
            "window_end": _hhmm(step.window_end),
            "template_id": step.template_id,
            "instructions": step.instructions,
            "sender": step.sender,
            "sender_user_id": step.sender_user_id,
        }


class SequenceOut(Schema):
    id: int
    name: str
    description: str
    status: str
    purpose: str
    owner_id: int | None
    job_id: int | None
    stop_on: list[str]
    reentry: str
    reentry_days: int
    version: int
    steps: list[StepOut]
    enrollments: dict[str, int]
    created_at: dt.datetime
    updated_at: dt.datetime

    @staticmethod
    def from_sequence(sequence: Sequence) -> dict[str, Any]:
        return {
            "id": sequence.pk,
            "name": sequence.name,
            "description": sequence.description,
            "status": sequence.status,
            "purpose": sequence.purpose,
            "owner_id": sequence.owner_id,
            "job_id": sequence.job_id,
            "stop_on": sequence.stop_on,
            "reentry": sequence.reentry,
            "reentry_days": sequence.reentry_days,
            "version": sequence.version,
            "steps": [StepOut.from_step(s) for s in selectors.sequence_steps(sequence)],
            "enrollments": selectors.enrollment_counts(sequence),
            "created_at": sequence.created_at,
            "updated_at": sequence.updated_at,
        }


class SequenceRowOut(Schema):
    id: int
    name: str
    status: str
    purpose: str
    version: int
    steps: int
    active: int
    paused: int
    finished: int
    stopped: int
    sent: int
    replied: int
    reply_rate: float | None = Field(description="Percent of sent messages replied to")
    updated_at: dt.datetime

    @staticmethod
    def from_row(row: selectors.SequenceRow) -> dict[str, Any]:
        sequence = row.sequence
        return {
            "id": sequence.pk,
            "name": sequence.name,
            "status": sequence.status,
            "purpose": sequence.purpose,
            "version": sequence.version,
            "steps": row.steps,
            "active": row.active,
            "paused": row.paused,
            "finished": row.finished,
            "stopped": row.stopped,
            "sent": row.sent,
            "replied": row.replied,
            "reply_rate": row.reply_rate,
            "updated_at": sequence.updated_at,
        }


# --- enrolments -----------------------------------------------------------------------------


class EnrollIn(StrictIn):
    candidate_ids: list[Any] | None = Field(None, description="Or give pool_id or segment_id")
    pool_id: int | None = None
    segment_id: int | None = None
    allow_collisions: bool = Field(
        False, description="Enrol people a teammate contacted recently too"
    )
    dry_run: bool = Field(False, description="Report what would happen, write nothing")


class CollisionOut(Schema):
    user: str
    at: dt.datetime
    what: str


class OutcomeOut(Schema):
    candidate_id: int
    full_name: str
    outcome: str = Field(
        description="enrolled, already_enrolled, reentry_refused, skipped or collision"
    )
    reason: str
    message: str
    collision: CollisionOut | None
    warnings: list[str]
    enrollment_id: int | None
    next_step_at: dt.datetime | None

    @staticmethod
    def from_outcome(outcome: services.EnrollmentOutcome) -> dict[str, Any]:
        collision = outcome.collision
        return {
            "candidate_id": outcome.candidate_id,
            "full_name": outcome.full_name,
            "outcome": outcome.outcome,
            "reason": outcome.reason,
            "message": outcome.message,
            "collision": {"user": collision.user_label, "at": collision.at, "what": collision.what}
            if collision
            else None,
            "warnings": list(outcome.warnings),
            "enrollment_id": outcome.enrollment_id,
            "next_step_at": outcome.next_step_at,
        }


class EnrollmentReportOut(Schema):
    sequence_id: int
    dry_run: bool
    counts: dict[str, int]
    outcomes: list[OutcomeOut]

    @staticmethod
    def from_report(report: services.EnrollmentReport) -> dict[str, Any]:
        return {
            "sequence_id": report.sequence_id,
            "dry_run": report.dry_run,
            "counts": report.counts,
            "outcomes": [OutcomeOut.from_outcome(o) for o in report.outcomes],
        }


class EnrollmentOut(Schema):
    id: int
    candidate_id: int
    full_name: str
    status: str
    next_step: int = Field(description="The position of the next step (0 is the first)")
    step_label: str
    next_step_at: dt.datetime | None
    stop_reason: str
    stop_label: str
    enrolled_at: dt.datetime
    enrolled_by: str
    ended_at: dt.datetime | None

    @staticmethod
    def from_row(row: selectors.EnrollmentRow) -> dict[str, Any]:
        return {
            "id": row.id,
            "candidate_id": row.candidate_id,
            "full_name": row.full_name,
            "status": row.status,
            "next_step": row.next_step,
            "step_label": row.step_label,
            "next_step_at": row.next_step_at,
            "stop_reason": row.stop_reason,
            "stop_label": row.stop_label,
            "enrolled_at": row.enrolled_at,
            "enrolled_by": row.enrolled_by,
            "ended_at": row.ended_at,
        }


class EnrollmentPageOut(Schema):
    items: list[EnrollmentOut]
    next_cursor: str | None


# --- funnels --------------------------------------------------------------------------------


class FunnelRowOut(Schema):
    position: int | None = Field(description="Step or drop position; null: removed steps")
    label: str
    sent: int
    delivered: int
    opened: int
    clicked: int
    replied: int
    bounced: int
    unsubscribed: int
    rates: dict[str, float | None] = Field(description="Percent of sent, per stage")
    skipped: int
    failed: int
    tasks_open: int
    tasks_done: int

    @staticmethod
    def from_row(row: selectors.FunnelRow) -> dict[str, Any]:
        return {
            "position": row.position,
            "label": row.label,
            **row.counts,
            "rates": row.rates,
            "skipped": row.skipped,
            "failed": row.failed,
            "tasks_open": row.tasks_open,
            "tasks_done": row.tasks_done,
        }


class DropFunnelOut(FunnelRowOut):
    status: str
    send_at: dt.datetime | None
    recipients_total: int | None
    reached: int
    percent: int

    @staticmethod
    def from_row(row: selectors.FunnelRow) -> dict[str, Any]:
        return {
            **FunnelRowOut.from_row(row),
            "status": row.status,
            "send_at": row.send_at,
            "recipients_total": row.recipients_total,
            "reached": row.reached,
            "percent": row.percent,
        }


class SequenceFunnelOut(Schema):
    sequence_id: int
    steps: list[FunnelRowOut]


class ProgressOut(Schema):
    reached: int
    total: int
    percent: int


class CampaignFunnelOut(Schema):
    campaign_id: int
    progress: ProgressOut
    drops: list[DropFunnelOut]


# --- campaigns ------------------------------------------------------------------------------


class DropIn(StrictIn):
    template_id: int | None = None
    send_at: str = Field(description="ISO 8601 with a time zone, e.g. 2026-03-02T09:00:00+01:00")


class CampaignIn(StrictIn):
    name: str = Field(max_length=200)
    purpose: str = Field("marketing", description="marketing or recruiting")
    segment_id: int | None = None
    pool_id: int | None = None
    sender_id: int | None = Field(None, description="A member; defaults to you")
    throttle_per_minute: int | None = Field(None, description="1 to 100000; null: no limit")
    quiet_days: list[int] = Field(default_factory=list, description="0 = Monday … 6 = Sunday")
    drops: list[DropIn] = Field(default_factory=list, max_length=100)


class CampaignPatch(StrictIn):
    name: str | None = Field(None, max_length=200)
    purpose: str | None = None
    segment_id: int | None = None
    pool_id: int | None = None
    sender_id: int | None = None
    throttle_per_minute: int | None = None
    quiet_days: list[int] | None = None
    drops: list[DropIn] | None = Field(None, max_length=100, description="Replaces every drop")


class DropsIn(StrictIn):
    drops: list[DropIn] = Field(max_length=100)


class DropOut(Schema):
    position: int
    template_id: int
    send_at: dt.datetime
    status: str
    recipients_total: int | None
    last_candidate_id: int
    started_at: dt.datetime | None
    finished_at: dt.datetime | None

    @staticmethod
    def from_drop(drop: CampaignDrop) -> dict[str, Any]:
        return {
            "position": drop.position,
            "template_id": drop.template_id,
            "send_at": drop.send_at,
            "status": drop.status,
            "recipients_total": drop.recipients_total,
            "last_candidate_id": drop.last_candidate_id,
            "started_at": drop.started_at,
            "finished_at": drop.finished_at,
        }


class CampaignOut(Schema):
    id: int
    name: str
    status: str
    next_statuses: list[str] = Field(description="Where POST …/status may move it now")
    purpose: str
    segment_id: int | None
    pool_id: int | None
    sender_id: int | None
    throttle_per_minute: int | None
    quiet_days: list[int]
    version: int
    drops: list[DropOut]
    created_at: dt.datetime
    updated_at: dt.datetime

    @staticmethod
    def from_campaign(campaign: Campaign) -> dict[str, Any]:
        return {
            "id": campaign.pk,
            "name": campaign.name,
            "status": campaign.status,
            "next_statuses": [
                s
                for s in Campaign.Status.values
                if s in services.CAMPAIGN_TRANSITIONS[campaign.status]
            ],
            "purpose": campaign.purpose,
            "segment_id": campaign.segment_id,
            "pool_id": campaign.pool_id,
            "sender_id": campaign.sender_id,
            "throttle_per_minute": campaign.throttle_per_minute,
            "quiet_days": campaign.quiet_days,
            "version": campaign.version,
            "drops": [DropOut.from_drop(d) for d in selectors.campaign_drops(campaign)],
            "created_at": campaign.created_at,
            "updated_at": campaign.updated_at,
        }


class CampaignRowOut(Schema):
    id: int
    name: str
    status: str
    purpose: str
    drops: int
    drops_done: int
    next_send_at: dt.datetime | None
    recipients_total: int
    reached: int
    percent: int
    sent: int
    opened: int
    updated_at: dt.datetime

    @staticmethod
    def from_row(row: selectors.CampaignRow) -> dict[str, Any]:
        campaign = row.campaign
        return {
            "id": campaign.pk,
            "name": campaign.name,
            "status": campaign.status,
            "purpose": campaign.purpose,
            "drops": row.drops,
            "drops_done": row.drops_done,
            "next_send_at": row.next_send_at,
            "recipients_total": row.recipients_total,
            "reached": row.reached,
            "percent": row.percent,
            "sent": row.sent,
            "opened": row.opened,
            "updated_at": campaign.updated_at,
        }
