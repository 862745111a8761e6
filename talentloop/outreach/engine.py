"""The sending engine: claims due work, writes the ledger, sends, and records the outcome.

It follows listmonk and healthchecks. All progress lives in the database, so any number of
workers on any number of machines can run `run()` at once, and a worker killed at any moment
loses nothing and repeats nothing:

1. Due enrolment steps and campaign drops become ledger rows (`Message`), each with a unique
   key, created already claimed by the worker. A campaign drop hands out recipients by moving
   its `last_candidate_id` checkpoint with a conditional update in the same transaction.
2. The worker sends its claimed rows one by one. The channel starts the hand-over (for SMTP:
   envelope, DATA and the whole message but its final "."), then one transaction marks the row
   SENT (only if this worker still owns it), writes the timeline entry and advances the
   enrolment, and only then does the channel finish (the "."). The ledger is the commit point:
   a worker killed before it leaves the server an unfinished message, which SMTP discards, and
   the row is sent again; killed after it, the row already says SENT and the server has it.
3. Claims older than TALENTLOOP_OUTREACH_CLAIM_SECONDS belong to a dead worker and are taken
   over. A retried row keeps its Message-ID.

Pausing a sequence, an enrolment or a campaign is a status change: workers release the rows
they hold, and on resume the rows and checkpoints are picked up where they were.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import secrets
import socket
import time
from collections import abc, defaultdict
from collections.abc import Callable, Collection, Iterable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.db import connection, transaction
from django.db.models import F, Q, QuerySet
from django.utils.timezone import now as utcnow

from talentloop.candidates.models import Activity, Candidate
from talentloop.candidates.services import record_activities, record_activity
from talentloop.core.actor import system_actor
from talentloop.outreach import policy, rendering, timing, tracking
from talentloop.outreach.channels.base import Channel, Outgoing, SendError
from talentloop.outreach.models import (
    Campaign,
    CampaignDrop,
    Enrollment,
    Message,
    OutreachSettings,
    Purpose,
    Sequence,
    SequenceStep,
    StepChannel,
    StopCondition,
    Template,
)

logger = logging.getLogger(__name__)

MAX_ATTEMPTS = 5
# Blockers that end an enrolment: the person cannot be reached this way any more.
ENDS_ENROLLMENT = {
    "inactive",
    "do_not_contact",
    "withdrawn",
    "no_consent",
    "no_address",
    "suppressed",
    "bounced",
    "invalid_phone",
}
TASK_CHANNELS = {StepChannel.LINKEDIN_TASK, StepChannel.CALL_TASK}
TASK_ACTIVITY = {
    StepChannel.LINKEDIN_TASK: (Activity.Type.LINKEDIN_MESSAGE, Activity.Channel.LINKEDIN),
    StepChannel.CALL_TASK: (Activity.Type.CALL, Activity.Channel.PHONE),
}
# Stop conditions every sequence obeys, whatever it was configured with.
ALWAYS_STOP = {StopCondition.UNSUBSCRIBE, StopCondition.BOUNCE, StopCondition.MANUAL}


def worker_name() -> str:
    """A name unique to this process (host, pid and a random part, as pids are reused)."""
    return f"{socket.gethostname()[:30]}:{os.getpid()}:{secrets.token_hex(3)}"


def new_message_id(key: str) -> str:
    """An RFC 5322 Message-ID for the ledger row `key`, stored with it and reused on retries."""
    domain = urlsplit(settings.SITE_URL).hostname or "talentloop.invalid"
    return f"{key}.{secrets.token_hex(8)}@{domain}"


@dataclass
class RunStats:
    sent: int = 0
    skipped: int = 0
    failed: int = 0
    retried: int = 0  # rows taken over from a dead worker and sent
    skip_reasons: dict[str, int] = field(default_factory=lambda: defaultdict(int))


# --- Claiming ---------------------------------------------------------------------------------


def _claim_cutoff(now: dt.datetime) -> dt.datetime:
    return now - dt.timedelta(seconds=settings.TALENTLOOP_OUTREACH_CLAIM_SECONDS)


def _unclaimed(now: dt.datetime) -> Q:
    return Q(claimed_at__isnull=True) | Q(claimed_at__lt=_claim_cutoff(now))


def _claim_ids(queryset: QuerySet[Any], limit: int) -> list[int]:
    """Ids of up to `limit` rows to claim; on PostgreSQL rows other workers lock are skipped."""
    if connection.vendor == "postgresql":
        with transaction.atomic():
            return list(
                queryset.select_for_update(skip_locked=True, of=("self",)).values_list(
                    "pk", flat=True
                )[:limit]
            )
    return list(queryset.values_list("pk", flat=True)[:limit])


def _take_over_messages(worker: str, now: dt.datetime, limit: int) -> list[int]:
    """Claim ledger rows nobody holds (released, or their worker died) whose sender is live.

    Returns the ids this worker now holds.
    """
    live_drops = list(
        CampaignDrop.objects.filter(campaign__status=Campaign.Status.RUNNING).values_list(
            "pk", flat=True
        )
    )
    waiting = Message.objects.filter(_unclaimed(now), status=Message.Status.QUEUED)
    ids = _claim_ids(waiting.filter(drop_id__in=live_drops).order_by("pk"), limit)
    if len(ids) < limit:
        sequence_rows = waiting.filter(
            enrollment__status=Enrollment.Status.ACTIVE,
            enrollment__sequence__status=Sequence.Status.ACTIVE,
        ).order_by("pk")
        ids += _claim_ids(sequence_rows, limit - len(ids))
    if not ids:
        return []
    # The condition is repeated in the update: of two workers only one sees each row change.
    Message.objects.filter(_unclaimed(now), pk__in=ids, status=Message.Status.QUEUED).update(
        claimed_by=worker, claimed_at=now
    )
    return list(
        Message.objects.filter(pk__in=ids, claimed_by=worker, claimed_at=now).values_list(
            "pk", flat=True
        )
    )


# --- Campaign drops -----------------------------------------------------------------------------


def _audience(campaign: Campaign) -> QuerySet[Candidate]:
    """The campaign's recipients, as candidates (live ones; policy checks the rest)."""
    from talentloop.pools.models import PoolMembership
    from talentloop.pools.selectors import matching_candidates

    if campaign.segment_id is not None:
        assert campaign.segment is not None
        actor = system_actor(campaign.workspace)
        return matching_candidates(actor, campaign.segment.rules)
    members = PoolMembership.objects.filter(pool=campaign.pool).values("candidate_id")
    return Candidate.objects.filter(
        workspace_id=campaign.workspace_id,
        pk__in=members,
        deleted_at__isnull=True,
        is_archived=False,
    )


def _quiet_today(campaign: Campaign, now: dt.datetime) -> bool:
    if not campaign.quiet_days:
        return False
    place = timing.zone(policy.settings_for(campaign.workspace).default_timezone)
    return now.astimezone(place).weekday() in campaign.quiet_days


def _start_due_drops(now: dt.datetime) -> None:
    # A scheduled campaign runs once its first drop is due (services only mark it scheduled).
    Campaign.objects.filter(
        status=Campaign.Status.SCHEDULED,
        drops__status=CampaignDrop.Status.PENDING,
        drops__send_at__lte=now,
    ).update(status=Campaign.Status.RUNNING, updated_at=now)
    due = CampaignDrop.objects.filter(
        status=CampaignDrop.Status.PENDING,
        send_at__lte=now,
        campaign__status=Campaign.Status.RUNNING,
    ).select_related("campaign", "campaign__segment", "campaign__workspace")
    for drop in due:
        if _quiet_today(drop.campaign, now):
            continue
        started = CampaignDrop.objects.filter(
            pk=drop.pk, status=CampaignDrop.Status.PENDING
        ).update(status=CampaignDrop.Status.SENDING, started_at=now)
        if started:
            total = _audience(drop.campaign).count()
            CampaignDrop.objects.filter(pk=drop.pk).update(recipients_total=total)


def _feed_drops(worker: str, now: dt.datetime, limit: int) -> int:
    """Turn the next recipients of sending drops into ledger rows claimed by `worker`."""
    _start_due_drops(now)
    drops = CampaignDrop.objects.filter(
        status=CampaignDrop.Status.SENDING, campaign__status=Campaign.Status.RUNNING
    ).select_related("campaign", "campaign__segment", "campaign__workspace", "template")
    for drop in drops:
        campaign = drop.campaign
        if _quiet_today(campaign, now):
            continue
        checkpoint = drop.last_candidate_id
        take = limit
        if campaign.throttle_per_minute:
            # About 30 s of a throttled campaign: held rows past that would only go stale.
            take = min(limit, max(10, campaign.throttle_per_minute // 2))
        ids = list(
            _audience(campaign)
            .filter(pk__gt=checkpoint)
            .order_by("pk")
            .values_list("pk", flat=True)[:take]
        )
        if not ids:
            CampaignDrop.objects.filter(
                pk=drop.pk, status=CampaignDrop.Status.SENDING, last_candidate_id=checkpoint
            ).update(status=CampaignDrop.Status.DONE, finished_at=now)
            continue
        with transaction.atomic():
            # Moving the checkpoint is the claim: of two workers reading the same checkpoint
            # only one moves it, and the rows are created in the same transaction.
            moved = CampaignDrop.objects.filter(
                pk=drop.pk, status=CampaignDrop.Status.SENDING, last_candidate_id=checkpoint
            ).update(last_candidate_id=ids[-1])
            if not moved:
                continue
            rows = []
            for candidate_id in ids:
                key = f"d{drop.pk}.{candidate_id}"
                rows.append(
                    Message(
                        workspace_id=campaign.workspace_id,
                        key=key,
                        candidate_id=candidate_id,
                        channel=StepChannel.EMAIL,
                        purpose=campaign.purpose,
                        drop=drop,
                        template_id=drop.template_id,
                        sender_id=campaign.sender_id,
                        message_id=new_message_id(key),
                        claimed_by=worker,
                        claimed_at=now,
                    )
                )
            Message.objects.bulk_create(rows, ignore_conflicts=True)
        return len(ids)
    return 0


def _finish_campaigns(now: dt.datetime) -> None:
    """Campaigns whose drops are all done and whose messages all left are finished."""
    running = Campaign.objects.filter(status=Campaign.Status.RUNNING).exclude(
        drops__status__in=[CampaignDrop.Status.PENDING, CampaignDrop.Status.SENDING]
    )
    for campaign in running:
        busy = Message.objects.filter(
            drop__campaign=campaign,
            status__in=[Message.Status.QUEUED],
        ).exists()
        if not busy:
            Campaign.objects.filter(pk=campaign.pk, status=Campaign.Status.RUNNING).update(
                status=Campaign.Status.FINISHED, updated_at=now
            )


# --- Sequences -------------------------------------------------------------------------------


def _advance(enrollment_id: int, position: int, now: dt.datetime) -> None:
    """Move the enrolment past step `position` (once: the update is conditional on it)."""
    enrollment = (
        Enrollment.objects.select_related("sequence__workspace", "candidate")
        .filter(pk=enrollment_id, next_step=position)
        .first()
    )
    if enrollment is None:
        return
    following = enrollment.sequence.steps.filter(position__gt=position).order_by("position").first()
    if following is None:
        Enrollment.objects.filter(pk=enrollment_id, next_step=position).update(
            next_step=position + 1,
            next_step_at=None,
            status=Enrollment.Status.FINISHED,
            ended_at=now,
            claimed_at=None,
            claimed_by="",
        )
        return
    rules = policy.settings_for(enrollment.sequence.workspace)
    Enrollment.objects.filter(pk=enrollment_id, next_step=position).update(
        next_step=following.position,
        next_step_at=timing.step_send_at(following, rules, enrollment.candidate.timezone, now),
        claimed_at=None,
        claimed_by="",
    )


def _end(enrollment_id: int, status: str, reason: str, now: dt.datetime) -> None:
    Enrollment.objects.filter(
        pk=enrollment_id, status__in=[Enrollment.Status.ACTIVE, Enrollment.Status.PAUSED]
    ).update(status=status, stop_reason=reason, ended_at=now, claimed_at=None, claimed_by="")


def _feed_enrollments(worker: str, now: dt.datetime, limit: int) -> int:
    """Turn due enrolment steps into ledger rows claimed by `worker` (task steps: to-dos)."""
    due = Enrollment.objects.filter(
        _unclaimed(now),
        status=Enrollment.Status.ACTIVE,
        sequence__status=Sequence.Status.ACTIVE,
        next_step_at__lte=now,
    ).order_by("next_step_at", "pk")
    ids = _claim_ids(due, limit)
    if not ids:
        return 0
    Enrollment.objects.filter(_unclaimed(now), pk__in=ids, status=Enrollment.Status.ACTIVE).update(
        claimed_by=worker, claimed_at=now
    )
    mine = list(
        Enrollment.objects.filter(claimed_by=worker, claimed_at=now, pk__in=ids).select_related(
            "sequence", "sequence__workspace", "sequence__job", "candidate"
        )
    )
    steps: dict[int, dict[int, SequenceStep]] = defaultdict(dict)
    for found in SequenceStep.objects.filter(sequence_id__in={e.sequence_id for e in mine}):
        steps[found.sequence_id][found.position] = found
    rows = []
    for enrollment in mine:
        step = steps[enrollment.sequence_id].get(enrollment.next_step)
        if step is None:
            _end(enrollment.pk, Enrollment.Status.FINISHED, "", now)
            continue
        key = f"e{enrollment.pk}.{step.position}"
        sender_id = _step_sender_id(enrollment.sequence, step)
        if step.channel in TASK_CHANNELS:
            _open_task(enrollment, step, key, sender_id, now)
            continue
        rows.append(
            Message(
                workspace_id=enrollment.workspace_id,
                key=key,
                candidate_id=enrollment.candidate_id,
                channel=step.channel,
                purpose=enrollment.sequence.purpose,
                enrollment=enrollment,
                step=step,
                template_id=step.template_id,
                sender_id=sender_id,
                message_id=new_message_id(key),
                claimed_by=worker,
                claimed_at=now,
            )
        )
    # A row that exists already (a worker died after writing it) keeps its state and owner;
    # the take-over path sends it.
    Message.objects.bulk_create(rows, ignore_conflicts=True)
    return len(mine)


def _step_sender_id(sequence: Sequence, step: SequenceStep) -> int | None:
    if step.sender == SequenceStep.Sender.USER and step.sender_user_id:
        return step.sender_user_id
    if step.sender == SequenceStep.Sender.HIRING_MANAGER and sequence.job is not None:
        manager_id: int | None = sequence.job.hiring_manager_id
        if manager_id:
            return manager_id
    return sequence.owner_id


def _open_task(
    enrollment: Enrollment, step: SequenceStep, key: str, sender_id: int | None, now: dt.datetime
) -> None:
    """A LinkedIn or call step: a to-do for the sender on the timeline; the sequence goes on."""
    with transaction.atomic():
        message, created = Message.objects.get_or_create(
            key=key,
            defaults={
                "workspace_id": enrollment.workspace_id,
                "candidate_id": enrollment.candidate_id,
                "channel": step.channel,
                "purpose": enrollment.sequence.purpose,
                "enrollment": enrollment,
                "step": step,
                "sender_id": sender_id,
                "subject": step.instructions[:300],
                "status": Message.Status.TASK_OPEN,
            },
        )
        if created:
            blocked = policy.blockers(
                workspace=enrollment.sequence.workspace,
                candidate_ids=[enrollment.candidate_id],
                channel=step.channel,
                purpose=enrollment.sequence.purpose,
                check_collisions=False,
            ).get(enrollment.candidate_id)
            if blocked is not None:
                Message.objects.filter(pk=message.pk).update(
                    status=Message.Status.SKIPPED, skip_reason=blocked.reason
                )
                _end(enrollment.pk, Enrollment.Status.STOPPED, blocked.reason, now)
                return
            label = StepChannel(step.channel).label
            record_activity(
                candidate=enrollment.candidate,
                type=Activity.Type.NOTE,
                channel=Activity.Channel.INTERNAL,
                actor=None,
                summary=f"{label} for the sequence “{enrollment.sequence.name}”: "
                f"{step.instructions}",
                payload={"message": message.pk, "task": step.channel, "sender": sender_id},
            )
        _advance(enrollment.pk, step.position, now)


def stop_enrollments(
    *, candidate_ids: Collection[int], condition: str, now: dt.datetime | None = None
) -> int:
    """Stop the live enrolments of these candidates whose sequence stops on `condition`.

    Unsubscribe, bounce and manual stops apply to every sequence. Returns how many stopped.
    """
    now = now or utcnow()
    live = Enrollment.objects.filter(
        candidate_id__in=list(candidate_ids),
        status__in=[Enrollment.Status.ACTIVE, Enrollment.Status.PAUSED],
    ).select_related("sequence")
    stopped = 0
    for enrollment in live:
        if condition in ALWAYS_STOP or condition in (enrollment.sequence.stop_on or []):
            stopped += Enrollment.objects.filter(
                pk=enrollment.pk,
                status__in=[Enrollment.Status.ACTIVE, Enrollment.Status.PAUSED],
            ).update(
                status=Enrollment.Status.STOPPED,
                stop_reason=condition,
                ended_at=now,
                claimed_at=None,
                claimed_by="",
            )
    return stopped


# --- Sending -------------------------------------------------------------------------------------


class _Throttle:
    """Send permits of throttled campaigns, taken from the campaign row's token bucket."""

    def __init__(self) -> None:
        self.permits: dict[int, int] = defaultdict(int)

    def wait(self, campaign: Campaign, deadline: float | None) -> bool:
        """Block until this worker may send one more message of `campaign` (False: gave up)."""
        rate = campaign.throttle_per_minute
        if not rate:
            return True
        if self.permits[campaign.pk] > 0:
            self.permits[campaign.pk] -= 1
            return True
        # Take a few permits at once (about a tenth of a second's worth) to spare the database.
        chunk = max(1, rate // 600)
        while True:
            now = utcnow()
            Campaign.objects.filter(pk=campaign.pk, throttle_since__isnull=True).update(
                throttle_since=now, throttle_taken=0
            )
            since = Campaign.objects.values_list("throttle_since", flat=True).get(pk=campaign.pk)
            assert since is not None
            allowed = int((now - since).total_seconds() * rate / 60) + chunk
            taken = Campaign.objects.filter(
                pk=campaign.pk, throttle_taken__lte=allowed - chunk
            ).update(throttle_taken=F("throttle_taken") + chunk)
            if taken:
                self.permits[campaign.pk] = chunk - 1
                return True
            if deadline is not None and time.monotonic() > deadline:
                return False
            time.sleep(min(0.05, max(0.002, chunk * 60 / rate / 4)))


@dataclass
class _Batch:
    rows: list[Message]
    candidates: dict[int, Candidate]
    templates: dict[int, Template]
    addresses: dict[tuple[str, int], str]  # (channel, candidate id) -> address
    settings: dict[int, OutreachSettings]  # by workspace id


class Engine:
    """One worker's sending loop. Use `run()`; this class holds its per-run caches."""

    def __init__(
        self,
        *,
        worker: str | None = None,
        channels: dict[str, Channel] | None = None,
        batch_size: int | None = None,
    ) -> None:
        from talentloop.outreach.channels.email import EmailChannel

        self.worker = worker or worker_name()
        self.channels: dict[str, Channel] = channels or {StepChannel.EMAIL: EmailChannel()}
        self.batch_size = batch_size or settings.TALENTLOOP_OUTREACH_BATCH_SIZE
        self.stats = RunStats()
        self.throttle = _Throttle()
        self._compiled: dict[tuple[int, dt.datetime], rendering.CompiledMessage] = {}
        self._snippets: dict[int, dict[str, str]] = {}
        self._taken_over: set[int] = set()

    # One pass: feed, then send what this worker holds.
    def step(self, deadline: float | None = None) -> int:
        now = utcnow()
        held = Message.objects.filter(
            claimed_by=self.worker, status__in=[Message.Status.QUEUED]
        ).exists()
        work = 0
        if not held:
            taken = _take_over_messages(self.worker, now, self.batch_size)
            self._taken_over.update(taken)
            work += len(taken)
            if not work:
                work += _feed_enrollments(self.worker, now, self.batch_size)
            if not work:
                work += _feed_drops(self.worker, now, self.batch_size)
        work += self._send_held(deadline)
        if not work:
            _finish_campaigns(now)
        return work

    def run(
        self,
        *,
        until_idle: bool = True,
        deadline: float | None = None,
        should_stop: Callable[[], bool] | None = None,
        idle_sleep: float = 1.0,
    ) -> RunStats:
        """Send until there is nothing due (or until `deadline`, a time.monotonic() value)."""
        try:
            while True:
                work = self.step(deadline)
                if should_stop is not None and should_stop():
                    break
                if deadline is not None and time.monotonic() > deadline:
                    break
                if not work:
                    if until_idle:
                        break
                    time.sleep(idle_sleep)
        finally:
            for channel in self.channels.values():
                channel.close()
        return self.stats

    def _load(self, rows: list[Message]) -> _Batch:
        # Only what the tokens and the timeline need (not the resume JSON and the rest).
        candidates = Candidate.objects.only(*rendering.CANDIDATE_FIELDS).in_bulk(
            {row.candidate_id for row in rows}
        )
        template_ids = {row.template_id for row in rows if row.template_id}
        templates = Template.objects.in_bulk(template_ids)
        addresses: dict[tuple[str, int], str] = {}
        for channel in {row.channel for row in rows}:
            ids = [row.candidate_id for row in rows if row.channel == channel]
            for candidate_id, address in policy.primary_addresses(ids, channel).items():
                addresses[(channel, candidate_id)] = address
        workspaces = {row.workspace_id: row.workspace for row in rows}
        rules = {pk: policy.settings_for(workspace) for pk, workspace in workspaces.items()}
        return _Batch(rows, candidates, templates, addresses, rules)

    def _send_held(self, deadline: float | None) -> int:
        rows = list(
            Message.objects.filter(
                claimed_by=self.worker,
                status__in=[Message.Status.QUEUED],
            )
            .select_related(
                "drop__campaign__workspace",
                "enrollment__sequence__workspace",
                "enrollment__sequence__job",
                "sender",
                "workspace",
            )
            .order_by("pk")[: self.batch_size]
        )
        if not rows:
            return 0
        # Templates and snippets are read afresh for each batch: an edit applies within one.
        self._compiled.clear()
        self._snippets.clear()
        now = utcnow()
        rows = self._drop_paused(rows, now)
        batch = self._load(rows)
        blocked = self._blockers(batch, now)
        ready: list[Message] = []
        for row in batch.rows:
            reason = blocked.get(row.pk)
            if reason is not None:
                self._skip(row, reason, now)
            else:
                ready.append(row)
        # Groups of one channel's parallelism go out together, one commit per group.
        by_channel: dict[str, list[Message]] = defaultdict(list)
        for row in ready:
            by_channel[row.channel].append(row)
        for channel_name, group_rows in by_channel.items():
            channel = self.channels.get(channel_name)
            if channel is None:
                for row in group_rows:
                    self._fail(row, f"No {channel_name} channel is configured here.")
                continue
            size = max(1, channel.parallelism)
            for start in range(0, len(group_rows), size):
                group = group_rows[start : start + size]
                group = self._throttled(group, deadline)
                if group and not self._send_group(channel, group, batch):
                    # The server is away: give the rest back and try again later.
                    self._release(group_rows[start + size :])
                    break
        return len(rows)

    def _throttled(self, group: list[Message], deadline: float | None) -> list[Message]:
        """The rows of `group` the campaign throttles allow now (the others are given back)."""
        allowed = []
        for row in group:
            if row.drop is None or self.throttle.wait(row.drop.campaign, deadline):
                allowed.append(row)
            else:
                self._release([row])
        return allowed

    def _release(self, rows: Iterable[Message]) -> None:
        Message.objects.filter(
            pk__in=[row.pk for row in rows],
            claimed_by=self.worker,
            status__in=[Message.Status.QUEUED],
        ).update(claimed_by="", claimed_at=None)

    def _drop_paused(self, rows: list[Message], now: dt.datetime) -> list[Message]:
        """Give back rows whose campaign or sequence is paused; skip those whose enrolment ended."""
        keep: list[Message] = []
        release: list[Message] = []
        for row in rows:
            if row.drop is not None:
                live = row.drop.campaign.status == Campaign.Status.RUNNING
                (keep if live else release).append(row)
                continue
            enrollment = row.enrollment
            if enrollment is None:
                keep.append(row)
            elif enrollment.status in (Enrollment.Status.STOPPED, Enrollment.Status.FINISHED):
                self._skip(row, "stopped", now, end=False)
            elif (
                enrollment.status == Enrollment.Status.PAUSED
                or enrollment.sequence.status != Sequence.Status.ACTIVE
            ):
                release.append(row)
            else:
                keep.append(row)
        if release:
            self._release(release)
        return keep

    def _blockers(self, batch: _Batch, now: dt.datetime) -> dict[int, str]:
        """Skip reasons per ledger row, checked for the whole batch just before sending."""
        groups: dict[tuple[Any, ...], list[Message]] = defaultdict(list)
        for row in batch.rows:
            campaign = row.drop is not None
            groups[(row.workspace_id, row.channel, row.purpose, row.sender_id, campaign)].append(
                row
            )
        reasons: dict[int, str] = {}
        for (_, channel, purpose, sender_id, campaign), rows in groups.items():
            workspace = rows[0].workspace
            candidate_ids = [row.candidate_id for row in rows]
            found = policy.blockers(
                workspace=workspace,
                candidate_ids=candidate_ids,
                channel=channel,
                purpose=purpose,
                sender_id=sender_id,
                now=now,
                check_collisions=campaign,
            )
            seen: dict[int, int] = defaultdict(int)
            for row in rows:
                blocker = found.get(row.candidate_id)
                if row.attempts >= MAX_ATTEMPTS:
                    reasons[row.pk] = "attempts"
                elif blocker is not None:
                    reasons[row.pk] = blocker.reason
                elif purpose == Purpose.MARKETING and seen[row.candidate_id]:
                    # Two messages for one person in one batch: the second waits for a later
                    # batch, where the cap sees the first.
                    reasons[row.pk] = "defer"
                seen[row.candidate_id] += 1
        return reasons

    def _skip(self, row: Message, reason: str, now: dt.datetime, *, end: bool = True) -> None:
        if reason == "defer":
            self._release([row])
            return
        status = Message.Status.FAILED if reason == "attempts" else Message.Status.SKIPPED
        with transaction.atomic():
            changed = Message.objects.filter(
                pk=row.pk,
                claimed_by=self.worker,
                status__in=[Message.Status.QUEUED],
            ).update(status=status, skip_reason=reason, claimed_by="", claimed_at=None)
            if changed and row.enrollment_id is not None and end:
                if reason in ENDS_ENROLLMENT or reason == "attempts":
                    _end(row.enrollment_id, Enrollment.Status.STOPPED, reason, now)
                else:
                    _advance(row.enrollment_id, row.step.position if row.step else 0, now)
        if changed:
            self.stats.skipped += 1
            self.stats.skip_reasons[reason] += 1

    def _compile(self, template: Template) -> rendering.CompiledMessage:
        key = (template.pk, template.updated_at)
        compiled = self._compiled.get(key)
        if compiled is None:
            snippets = self._snippets.get(template.workspace_id)
            if snippets is None:
                from talentloop.outreach.models import Snippet

                snippets = dict(
                    Snippet.objects.filter(workspace_id=template.workspace_id).values_list(
                        "name", "body"
                    )
                )
                self._snippets[template.workspace_id] = snippets
            compiled = rendering.compile_message(
                subject=template.subject,
                html=template.body,
                text=template.text_body,
                snippets=snippets,
                kind=template.kind,
            )
            self._compiled[key] = compiled
        return compiled

    def _outgoing(self, row: Message, batch: _Batch) -> Outgoing:
        candidate = batch.candidates[row.candidate_id]
        template = batch.templates[row.template_id] if row.template_id else None
        if template is None:
            raise SendError("The step has no template.", permanent=True)
        address = batch.addresses.get((row.channel, candidate.pk), "")
        rules = batch.settings[row.workspace_id]
        unsubscribe = tracking.unsubscribe_url(row.pk)
        job = row.enrollment.sequence.job if row.enrollment else None
        rendered = self._compile(template).render(
            rendering.message_context(
                candidate=candidate,
                sender=row.sender,
                job=job,
                workspace=row.workspace,
                unsubscribe_url=unsubscribe,
                # The unsubscribe page is the preference centre too: this purpose or all e-mail.
                preferences_url=unsubscribe,
            ),
            marketing=row.purpose == Purpose.MARKETING,
        )
        html = tracking.track_html(
            rendered.html, message_id=row.pk, opens=rules.track_opens, clicks=rules.track_clicks
        )
        sender = row.sender
        from_address = sender.email if sender else settings.DEFAULT_FROM_EMAIL
        from_name = (sender.full_name or "") if sender else row.workspace.name
        reply_to = tracking.reply_address(row.pk) or ""
        return Outgoing(
            key=row.key,
            message_id=row.message_id,
            to=address,
            to_name=candidate.full_name,
            from_address=from_address,
            from_name=from_name,
            subject=rendered.subject,
            html=html,
            text=rendered.text,
            reply_to=reply_to,
            # Bounces come back to the reply address too, where the token matches them.
            envelope_from=reply_to,
            # Every message carries the one-click header (RFC 8058): bulk-sender rules require
            # it for marketing, and a person may opt out of a recruiter's sequence too.
            unsubscribe_url=unsubscribe,
        )

    def _send_group(self, channel: Channel, rows: list[Message], batch: _Batch) -> bool:
        """Send rows through `channel` at once; False when the channel seems down."""
        outgoing: list[Outgoing] = []
        sendable: list[Message] = []
        for row in rows:
            try:
                outgoing.append(self._outgoing(row, batch))
                sendable.append(row)
            except SendError as error:
                self._fail(row, str(error))
        if not sendable:
            return True

        def commit(ready: abc.Sequence[int]) -> set[int]:
            picked = [sendable[i] for i in ready]
            recorded = self._mark_sent(picked, [outgoing[i] for i in ready], batch, utcnow())
            return {i for i in ready if sendable[i].pk in recorded}

        outcomes = channel.send_batch(outgoing, commit)
        healthy = True
        for row, outcome in zip(sendable, outcomes, strict=True):
            problem = outcome.error
            if problem is None:
                continue
            if outcome.committed:
                self._refused_after_commit(row, batch.candidates[row.candidate_id], problem)
            elif problem.permanent:
                self._fail(row, str(problem))
            else:
                healthy = False
                logger.warning("outreach: %s not sent, will retry: %s", row.key, problem)
                self._retry_later(row, str(problem))
        return healthy

    def _retry_later(self, row: Message, error: str) -> None:
        """Count the attempt and keep the claim until it goes stale: the retry waits that long."""
        Message.objects.filter(
            pk=row.pk, claimed_by=self.worker, status=Message.Status.QUEUED
        ).update(attempts=F("attempts") + 1, error=error[:500], claimed_by="", claimed_at=utcnow())

    def _fail(self, row: Message, error: str) -> None:
        now = utcnow()
        with transaction.atomic():
            changed = Message.objects.filter(
                pk=row.pk, claimed_by=self.worker, status=Message.Status.QUEUED
            ).update(
                status=Message.Status.FAILED,
                error=error[:500],
                attempts=F("attempts") + 1,
                claimed_by="",
                claimed_at=None,
            )
            if changed and row.enrollment_id is not None:
                _end(row.enrollment_id, Enrollment.Status.STOPPED, "failed", now)
        self.stats.failed += 1

    def _refused_after_commit(self, row: Message, candidate: Candidate, error: SendError) -> None:
        """The server refused the finished message: the ledger said SENT too early; correct it.

        A temporary refusal queues the row again (same Message-ID); a permanent one fails it,
        stops the enrolment and says so on the timeline.
        """
        self.stats.sent -= 1
        if not error.permanent:
            Message.objects.filter(pk=row.pk, status=Message.Status.SENT).update(
                status=Message.Status.QUEUED,
                sent_at=None,
                attempts=F("attempts") + 1,
                error=str(error)[:500],
                claimed_by="",
                claimed_at=utcnow(),
            )
            return
        with transaction.atomic():
            Message.objects.filter(pk=row.pk, status=Message.Status.SENT).update(
                status=Message.Status.FAILED, error=str(error)[:500]
            )
            if row.enrollment_id is not None:
                _end(row.enrollment_id, Enrollment.Status.STOPPED, "failed", utcnow())
            record_activity(
                candidate=candidate,
                type=Activity.Type.EMAIL_BOUNCED,
                channel=Activity.Channel.EMAIL,
                actor=None,
                summary=f"The mail server refused the message: {error}",
                payload={"message": row.pk, "key": row.key},
                inbound=True,
            )
        self.stats.failed += 1

    def _mark_sent(
        self, rows: list[Message], outgoing: list[Outgoing], batch: _Batch, now: dt.datetime
    ) -> set[int]:
        """Record a group of sends (ledger, timeline, enrolments) in one transaction.

        Only rows this worker still owns are recorded; returns their ids.
        """
        table = Message._meta.db_table
        values = ", ".join(["(%s, %s, %s)"] * len(rows))
        # One statement claims the send for the rows this worker still owns and returns them:
        # ownership check and ledger write cannot drift apart, and it is one round trip.
        sql = (
            f"UPDATE {table} SET status = %s, sent_at = %s, attempts = attempts + 1, "  # noqa: S608 - our table and placeholders only
            "claimed_by = '', claimed_at = NULL, to_address = v.column2, subject = v.column3 "
            f"FROM (VALUES {values}) AS v WHERE {table}.id = CAST(v.column1 AS BIGINT) "
            f"AND {table}.claimed_by = %s AND {table}.status = %s RETURNING {table}.id"
        )
        params: list[Any] = [Message.Status.SENT, now]
        for row, out in zip(rows, outgoing, strict=True):
            params.extend((row.pk, out.to, out.subject[:300]))
        params.extend((self.worker, Message.Status.QUEUED))
        with transaction.atomic():
            with connection.cursor() as cursor:
                cursor.execute(sql, params)
                mine = {int(found) for (found,) in cursor.fetchall()}
            if not mine:
                return mine  # another worker took the rows over; it sends them
            entries = []
            for row, out in zip(rows, outgoing, strict=True):
                if row.pk not in mine:
                    continue
                where = (
                    f"the campaign “{row.drop.campaign.name}”"
                    if row.drop is not None
                    else f"the sequence “{row.enrollment.sequence.name}”"
                    if row.enrollment is not None
                    else "outreach"
                )
                # The sender is the actor, so teammates see who contacted the person.
                entries.append(
                    Activity(
                        workspace_id=row.workspace_id,
                        candidate_id=row.candidate_id,
                        type=Activity.Type.EMAIL_SENT,
                        channel=Activity.Channel.EMAIL,
                        actor_id=row.sender_id,
                        summary=f"“{out.subject}” from {where}",
                        payload={"message": row.pk, "key": row.key, "to": out.to},
                        occurred_at=now,
                    )
                )
                if row.enrollment_id is not None and row.step is not None:
                    _advance(row.enrollment_id, row.step.position, now)
            record_activities(entries)
        self.stats.sent += len(mine)
        self.stats.retried += len(mine & self._taken_over)
        return mine


def run(**kwargs: Any) -> RunStats:
    """Run one engine until there is nothing due; see Engine.run for the arguments."""
    options = {k: kwargs.pop(k) for k in ("worker", "channels", "batch_size") if k in kwargs}
    return Engine(**options).run(**kwargs)


def wake() -> None:
    """Start send tasks now (after the current transaction commits) instead of at the next tick."""
    from talentloop.outreach.tasks import send_outreach_task

    def enqueue() -> None:
        for _ in range(max(1, settings.TALENTLOOP_OUTREACH_CONCURRENCY)):
            send_outreach_task.enqueue()

    transaction.on_commit(enqueue)
