"""Reads of sequences, enrolments and campaigns, their funnels, and the one way in to each
(`access_*`)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any, cast

from django.db.models import Count, Min, Q, QuerySet, Sum

from talentloop.accounts.models import Membership
from talentloop.accounts.roles import Capability
from talentloop.candidates.models import Candidate
from talentloop.core import cursor as cursors
from talentloop.core.actor import Actor
from talentloop.core.errors import Forbidden, InvalidInput, NotFound
from talentloop.jobs.models import Job
from talentloop.outreach.models import (
    Campaign,
    CampaignDrop,
    Enrollment,
    Message,
    Sequence,
    SequenceStep,
    StopCondition,
    Template,
)

MAX_PAGE = 200

# The funnel's stages, in order: the first time each happened to a message (Message.*_at).
FUNNEL = (
    ("sent", "Sent"),
    ("delivered", "Delivered"),
    ("opened", "Opened"),
    ("clicked", "Clicked"),
    ("replied", "Replied"),
    ("bounced", "Bounced"),
    ("unsubscribed", "Unsubscribed"),
)
# Stop reasons that are not StopCondition values (services writes these).
OTHER_STOP_REASONS = {"archived": "The sequence was archived"}


def _valid_id(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and 0 < value < 2**63


def can_read(actor: Actor) -> bool:
    """Outreach roles, and roles that see every candidate (auditors), may read outreach."""
    return actor.can(Capability.OUTREACH) or actor.can(Capability.VIEW_ALL_CANDIDATES)


def _check(actor: Actor, for_write: bool) -> None:
    if for_write and not actor.can(Capability.OUTREACH):
        raise Forbidden("Your role does not allow outreach.")
    if not can_read(actor):
        raise Forbidden("Your role does not allow reading outreach.")


def access_sequence(actor: Actor, sequence_id: int, *, for_write: bool = False) -> Sequence:
    """The sequence if it is the actor's workspace's, else NotFound (another workspace's
    looks missing). Roles without outreach get Forbidden; `for_write` needs OUTREACH."""
    _check(actor, for_write)
    if not _valid_id(sequence_id):
        raise NotFound("No such sequence.")
    found = (
        Sequence.objects.filter(workspace=actor.workspace, pk=sequence_id)
        .select_related("owner", "job", "job__hiring_manager", "workspace")
        .first()
    )
    if found is None:
        raise NotFound("No such sequence.")
    return found


def access_enrollment(actor: Actor, enrollment_id: int, *, for_write: bool = False) -> Enrollment:
    """The enrolment if it is the actor's workspace's, else NotFound."""
    _check(actor, for_write)
    if not _valid_id(enrollment_id):
        raise NotFound("No such enrolment.")
    found = (
        Enrollment.objects.filter(workspace=actor.workspace, pk=enrollment_id)
        .select_related("sequence", "candidate", "enrolled_by")
        .first()
    )
    if found is None:
        raise NotFound("No such enrolment.")
    return found


def access_campaign(actor: Actor, campaign_id: int, *, for_write: bool = False) -> Campaign:
    """The campaign if it is the actor's workspace's, else NotFound."""
    _check(actor, for_write)
    if not _valid_id(campaign_id):
        raise NotFound("No such campaign.")
    found = (
        Campaign.objects.filter(workspace=actor.workspace, pk=campaign_id)
        .select_related("segment", "pool", "sender", "created_by")
        .first()
    )
    if found is None:
        raise NotFound("No such campaign.")
    return found


def sequence_steps(sequence: Sequence) -> list[SequenceStep]:
    return list(
        SequenceStep.objects.filter(sequence=sequence)
        .select_related("template", "sender_user")
        .order_by("position")
    )


def campaign_drops(campaign: Campaign) -> list[CampaignDrop]:
    return list(
        CampaignDrop.objects.filter(campaign=campaign)
        .select_related("template")
        .order_by("position")
    )


# --- lists ----------------------------------------------------------------------------------


@dataclass
class SequenceRow:
    sequence: Sequence
    steps: int = 0
    active: int = 0
    paused: int = 0
    finished: int = 0
    stopped: int = 0
    sent: int = 0
    replied: int = 0

    @property
    def enrolled(self) -> int:
        return self.active + self.paused + self.finished + self.stopped

    @property
    def reply_rate(self) -> float | None:
        return _rate(self.replied, self.sent)


def _rate(count: int, base: int) -> float | None:
    return round(count * 100 / base, 1) if base else None


def sequence_list(actor: Actor, *, status: str = "") -> list[SequenceRow]:
    """The workspace's sequences by name with their key numbers, in three queries whatever
    their number: step counts, enrolments by status, and messages sent and replied to."""
    _check(actor, False)
    sequences = Sequence.objects.filter(workspace=actor.workspace).select_related("owner")
    if status:
        if status not in Sequence.Status.values:
            raise InvalidInput(
                f"Status is one of: {', '.join(Sequence.Status.values)}.", field="status"
            )
        sequences = sequences.filter(status=status)
    rows = {s.pk: SequenceRow(s) for s in sequences.order_by("name", "id")}
    if not rows:
        return []
    status_counts = {
        status_: Count("pk", filter=Q(status=status_)) for status_ in Enrollment.Status.values
    }
    for row in (
        Sequence.objects.filter(pk__in=rows)
        .annotate(
            steps_n=Count("steps", distinct=True),
        )
        .values_list("pk", "steps_n")
    ):
        rows[row[0]].steps = row[1]
    by_status = cast(
        Iterable[dict[str, Any]],
        Enrollment.objects.filter(sequence_id__in=rows)
        .values("sequence_id")
        .annotate(**status_counts)
        .order_by(),
    )
    for values in by_status:
        target = rows[values["sequence_id"]]
        for status_ in Enrollment.Status.values:
            setattr(target, status_, values[status_])
    for sequence_id, sent, replied in (
        Message.objects.filter(workspace=actor.workspace, enrollment__sequence_id__in=rows)
        .values("enrollment__sequence_id")
        .annotate(sent=Count("sent_at"), replied=Count("replied_at"))
        .order_by()
        .values_list("enrollment__sequence_id", "sent", "replied")
    ):
        rows[sequence_id].sent, rows[sequence_id].replied = sent, replied
    return list(rows.values())


@dataclass
class CampaignRow:
    campaign: Campaign
    drops: int = 0
    drops_done: int = 0
    next_send_at: dt.datetime | None = None
    recipients_total: int = 0
    reached: int = 0
    sent: int = 0
    opened: int = 0

    @property
    def percent(self) -> int:
        return _percent(self.reached, self.recipients_total)

    @property
    def open_rate(self) -> float | None:
        return _rate(self.opened, self.sent)


def _percent(reached: int, total: int | None) -> int:
    if not total:
        return 0
    return min(100, reached * 100 // total)


def campaign_list(actor: Actor, *, status: str = "") -> list[CampaignRow]:
    """The workspace's campaigns by name with drops, the next send time and progress, in
    three queries whatever their number."""
    _check(actor, False)
    campaigns = Campaign.objects.filter(workspace=actor.workspace).select_related("segment", "pool")
    if status:
        if status not in Campaign.Status.values:
            raise InvalidInput(
                f"Status is one of: {', '.join(Campaign.Status.values)}.", field="status"
            )
        campaigns = campaigns.filter(status=status)
    rows = {c.pk: CampaignRow(c) for c in campaigns.order_by("name", "id")}
    if not rows:
        return []
    for values in (
        CampaignDrop.objects.filter(campaign_id__in=rows)
        .values("campaign_id")
        .annotate(
            n=Count("pk"),
            done=Count("pk", filter=Q(status=CampaignDrop.Status.DONE)),
            next_at=Min("send_at", filter=Q(status=CampaignDrop.Status.PENDING)),
            total=Sum("recipients_total"),
        )
        .order_by()
    ):
        row = rows[values["campaign_id"]]
        row.drops, row.drops_done = values["n"], values["done"]
        row.next_send_at, row.recipients_total = values["next_at"], values["total"] or 0
    for campaign_id, reached, sent, opened in (
        Message.objects.filter(workspace=actor.workspace, drop__campaign_id__in=rows)
        .values("drop__campaign_id")
        .annotate(reached=Count("pk"), sent=Count("sent_at"), opened=Count("opened_at"))
        .order_by()
        .values_list("drop__campaign_id", "reached", "sent", "opened")
    ):
        row = rows[campaign_id]
        row.reached, row.sent, row.opened = reached, sent, opened
    return list(rows.values())


# --- enrolments -----------------------------------------------------------------------------


@dataclass(frozen=True)
class EnrollmentRow:
    id: int
    candidate_id: int
    full_name: str
    status: str
    status_label: str
    next_step: int  # a step position
    step_label: str
    next_step_at: dt.datetime | None
    stop_reason: str
    stop_label: str
    enrolled_at: dt.datetime
    enrolled_by: str
    ended_at: dt.datetime | None


def _step_label(steps: dict[int, SequenceStep], position: int, status: str) -> str:
    if status in (Enrollment.Status.FINISHED, Enrollment.Status.STOPPED):
        return f"Reached step {min(position, len(steps)) or 1} of {len(steps)}"
    step = steps.get(position)
    if step is None:
        return "All steps done"
    return f"Step {position + 1} of {len(steps)} · {step.get_channel_display()}"


def stop_label(reason: str) -> str:
    if not reason:
        return ""
    if reason in StopCondition.values:
        return str(StopCondition(reason).label)
    return OTHER_STOP_REASONS.get(reason, reason.replace("_", " ").capitalize())


def _enrollment_row(e: Enrollment, steps: dict[int, SequenceStep]) -> EnrollmentRow:
    live = e.status in (Enrollment.Status.ACTIVE, Enrollment.Status.PAUSED)
    return EnrollmentRow(
        id=e.pk,
        candidate_id=e.candidate_id,
        full_name=e.candidate.full_name,
        status=e.status,
        status_label=e.get_status_display(),
        next_step=e.next_step,
        step_label=_step_label(steps, e.next_step, e.status),
        next_step_at=e.next_step_at if live else None,
        stop_reason=e.stop_reason,
        stop_label=stop_label(e.stop_reason),
        enrolled_at=e.enrolled_at,
        enrolled_by=e.enrolled_by.display_name if e.enrolled_by else "",
        ended_at=e.ended_at,
    )


def enrollment_row(enrollment: Enrollment) -> EnrollmentRow:
    """One enrolment's state (as in enrollment_rows), for an enrolment from access_enrollment."""
    steps = {s.position: s for s in SequenceStep.objects.filter(sequence_id=enrollment.sequence_id)}
    return _enrollment_row(enrollment, steps)


def enrollment_rows(
    actor: Actor,
    sequence: Sequence,
    *,
    status: str = "",
    cursor: str = "",
    limit: int = 50,
) -> tuple[list[EnrollmentRow], str | None]:
    """A page of the sequence's enrolments, newest first, with each person's state: step,
    next send time, status and stop reason (two queries). The cursor is the last row's id."""
    _check(actor, False)
    if not 1 <= limit <= MAX_PAGE:
        raise InvalidInput(f"Limit is 1 to {MAX_PAGE}.", field="limit")
    enrollments = Enrollment.objects.filter(sequence=sequence, workspace=actor.workspace)
    if status:
        if status not in Enrollment.Status.values:
            raise InvalidInput(
                f"Status is one of: {', '.join(Enrollment.Status.values)}.", field="status"
            )
        enrollments = enrollments.filter(status=status)
    if cursor:
        (last_id,) = cursors.decode(cursor, size=1)
        if not _valid_id(last_id):
            raise InvalidInput("This cursor is not valid.", field="cursor")
        enrollments = enrollments.filter(pk__lt=last_id)
    page = list(
        enrollments.select_related("candidate", "enrolled_by")
        .only(
            "pk",
            "candidate_id",
            "candidate__first_name",
            "candidate__last_name",
            "status",
            "next_step",
            "next_step_at",
            "stop_reason",
            "enrolled_at",
            "ended_at",
            "enrolled_by__email",
            "enrolled_by__full_name",
        )
        .order_by("-pk")[: limit + 1]
    )
    more = len(page) > limit
    page = page[:limit]
    steps = {s.position: s for s in SequenceStep.objects.filter(sequence=sequence)}
    rows = [_enrollment_row(e, steps) for e in page]
    return rows, cursors.encode([page[-1].pk]) if more else None


def enrollment_counts(sequence: Sequence) -> dict[str, int]:
    """How many enrolments are at each status (one query)."""
    counts = dict.fromkeys(Enrollment.Status.values, 0)
    for status, n in (
        Enrollment.objects.filter(sequence=sequence)
        .values("status")
        .annotate(n=Count("pk"))
        .order_by()
        .values_list("status", "n")
    ):
        counts[status] = n
    return counts


def candidate_enrollments(actor: Actor, candidate: Candidate) -> list[Enrollment]:
    """The candidate's enrolments in the actor's workspace, newest first (for the enrol page)."""
    _check(actor, False)
    return list(
        Enrollment.objects.filter(workspace=actor.workspace, candidate=candidate)
        .select_related("sequence")
        .order_by("-enrolled_at", "-pk")
    )


# --- funnels --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Metric:
    name: str
    label: str
    count: int
    rate: float | None  # percent of sent


@dataclass
class FunnelRow:
    """One step's or one drop's funnel; `position` is None for messages of removed steps."""

    position: int | None
    label: str
    counts: dict[str, int]
    skipped: int = 0
    failed: int = 0
    tasks_open: int = 0
    tasks_done: int = 0
    recipients_total: int | None = None
    reached: int = 0
    status: str = ""
    send_at: dt.datetime | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def metrics(self) -> list[Metric]:
        sent = self.counts["sent"]
        return [
            Metric(
                name,
                label,
                self.counts[name],
                None if name == "sent" else _rate(self.counts[name], sent),
            )
            for name, label in FUNNEL
        ]

    @property
    def rates(self) -> dict[str, float | None]:
        return {m.name: m.rate for m in self.metrics if m.name != "sent"}

    @property
    def percent(self) -> int:
        return _percent(self.reached, self.recipients_total)


def _funnel_counts() -> dict[str, Any]:
    return {
        "sent": Count("sent_at"),
        "delivered": Count("delivered_at"),
        "opened": Count("opened_at"),
        "clicked": Count("clicked_at"),
        "replied": Count("replied_at"),
        "bounced": Count("bounced_at"),
        "unsubscribed": Count("unsubscribed_at"),
        "skipped_n": Count("pk", filter=Q(status=Message.Status.SKIPPED)),
        "failed_n": Count("pk", filter=Q(status=Message.Status.FAILED)),
        "tasks_open_n": Count("pk", filter=Q(status=Message.Status.TASK_OPEN)),
        "tasks_done_n": Count("pk", filter=Q(status=Message.Status.TASK_DONE)),
        "reached_n": Count("pk"),
    }


def _fill(row: FunnelRow, values: dict[str, Any]) -> None:
    for name, _ in FUNNEL:
        row.counts[name] += values[name]
    row.skipped += values["skipped_n"]
    row.failed += values["failed_n"]
    row.tasks_open += values["tasks_open_n"]
    row.tasks_done += values["tasks_done_n"]
    row.reached += values["reached_n"]


def _empty() -> dict[str, int]:
    return {name: 0 for name, _ in FUNNEL}


def sequence_funnel(sequence: Sequence) -> list[FunnelRow]:
    """Each step's funnel from the send ledger, in one aggregate query over the sequence's
    messages (grouped by step), plus a row for messages of steps since removed."""
    steps = sequence_steps(sequence)
    rows = {
        s.pk: FunnelRow(
            s.position,
            f"Step {s.position + 1} · {s.get_channel_display()}"
            + (f" · {s.template.name}" if s.template else ""),
            _empty(),
        )
        for s in steps
    }
    removed = FunnelRow(None, "Removed steps", _empty())
    by_step = cast(
        Iterable[dict[str, Any]],
        Message.objects.filter(workspace_id=sequence.workspace_id, enrollment__sequence=sequence)
        .values("step_id")
        .annotate(**_funnel_counts())
        .order_by(),
    )
    for values in by_step:
        _fill(rows.get(values["step_id"], removed), values)
    found = list(rows.values())
    if removed.reached:
        found.append(removed)
    return found


def campaign_funnel(campaign: Campaign) -> list[FunnelRow]:
    """Each drop's progress (recipients reached of the total counted when it started) and
    funnel, in one aggregate query over the campaign's messages (grouped by drop)."""
    drops = campaign_drops(campaign)
    rows = {
        d.pk: FunnelRow(
            d.position,
            f"Drop {d.position + 1} · {d.template.name}",
            _empty(),
            recipients_total=d.recipients_total,
            status=d.status,
            send_at=d.send_at,
        )
        for d in drops
    }
    by_drop = cast(
        Iterable[dict[str, Any]],
        Message.objects.filter(workspace_id=campaign.workspace_id, drop__campaign=campaign)
        .values("drop_id")
        .annotate(**_funnel_counts())
        .order_by(),
    )
    for values in by_drop:
        if values["drop_id"] in rows:
            _fill(rows[values["drop_id"]], values)
    return list(rows.values())


def campaign_progress(funnel: list[FunnelRow]) -> dict[str, int]:
    """Recipients reached of the total over every drop that has started, and the percent."""
    total = sum(row.recipients_total or 0 for row in funnel)
    reached = sum(row.reached for row in funnel)
    return {"reached": reached, "total": total, "percent": _percent(reached, total)}


def audience_size(actor: Actor, campaign: Campaign) -> int | None:
    """How many people the campaign's segment or pool holds now (None: no audience, or the
    segment's rules no longer compile)."""
    from talentloop.candidates.selectors import visible_candidates
    from talentloop.pools.models import PoolMembership
    from talentloop.pools.selectors import segment_size

    if campaign.segment is not None:
        return segment_size(actor, campaign.segment, fresh=False)
    if campaign.pool is not None:
        return PoolMembership.objects.filter(
            pool=campaign.pool, candidate__in=visible_candidates(actor)
        ).count()
    return None


# --- pickers --------------------------------------------------------------------------------


def template_choices(actor: Actor, *, kind: str = "") -> list[Template]:
    """The workspace's templates by name (for step and drop pickers)."""
    templates = Template.objects.filter(workspace=actor.workspace).only("id", "name", "kind")
    if kind:
        templates = templates.filter(kind=kind)
    return list(templates.order_by("name", "id"))


def member_choices(actor: Actor) -> list[Membership]:
    """The workspace's members (senders), by name."""
    return list(
        Membership.objects.filter(workspace=actor.workspace)
        .select_related("user")
        .order_by("user__full_name", "user__email")
    )


def job_choices(actor: Actor) -> QuerySet[Job]:
    """Open jobs of the workspace (a sequence's job), by title."""
    return (
        Job.objects.filter(workspace=actor.workspace)
        .exclude(status__in=(Job.Status.CLOSED, Job.Status.FILLED))
        .select_related("hiring_manager")
        .order_by("title", "id")
    )


def enrollable_sequences(actor: Actor) -> list[Sequence]:
    """Sequences people can be enrolled in now: not archived, with at least one step."""
    _check(actor, False)
    return list(
        Sequence.objects.filter(workspace=actor.workspace, steps__isnull=False)
        .exclude(status=Sequence.Status.ARCHIVED)
        .distinct()
        .order_by("name", "id")
    )
