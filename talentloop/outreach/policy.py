"""Whether Talentloop may contact people now: the one place every send, enrolment and dry-run asks.

`blockers()` answers for a whole batch in a handful of queries and follows the same rules as
`compliance.services.ensure_outreach_allowed` (a property test holds the two together), plus
what only outreach knows: the suppression list, bounced addresses, frequency caps and
collisions with a teammate's recent contact.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Iterable
from dataclasses import dataclass

from django.utils.timezone import now as utcnow

from talentloop.accounts.models import User, Workspace
from talentloop.candidates.models import Activity, Candidate, CandidateEmail, CandidatePhone
from talentloop.compliance.models import ConsentRecord
from talentloop.outreach.models import (
    Enrollment,
    Message,
    OutreachSettings,
    Purpose,
    StepChannel,
    Suppression,
)

# Which consent ledger channel a step channel needs; LinkedIn tasks have none (the person acts
# on LinkedIn's own terms) but still respect do-not-contact.
CONSENT_CHANNEL = {
    StepChannel.EMAIL: ConsentRecord.Channel.EMAIL,
    StepChannel.SMS: ConsentRecord.Channel.SMS,
    StepChannel.CALL_TASK: ConsentRecord.Channel.PHONE,
}
# Timeline entries that count as "a teammate contacted this person".
CONTACT_TYPES = (
    Activity.Type.EMAIL_SENT,
    Activity.Type.SMS_SENT,
    Activity.Type.CALL,
    Activity.Type.LINKEDIN_MESSAGE,
)

MESSAGES = {
    "inactive": "The candidate is archived or deleted.",
    "do_not_contact": "The candidate is marked do-not-contact.",
    "withdrawn": "The candidate withdrew consent for this channel and purpose.",
    "no_consent": "No consent for this channel and purpose on record.",
    "no_address": "No e-mail address or phone number for this channel.",
    "suppressed": "The address is on the suppression list (unsubscribed, bounced or complained).",
    "bounced": "The e-mail address bounced; it needs a refresh.",
    "invalid_phone": "The phone number was found invalid; it needs a refresh.",
    "cap": "The frequency cap for marketing messages is reached.",
    "collision": "A teammate contacted this person recently.",
}


@dataclass(frozen=True)
class Blocker:
    reason: str
    message: str


@dataclass(frozen=True)
class Collision:
    user_label: str
    at: dt.datetime
    what: str


def settings_for(workspace: Workspace) -> OutreachSettings:
    """The workspace's outreach settings, created with the defaults on first use."""
    found, created = OutreachSettings.objects.get_or_create(workspace=workspace)
    if created:
        found.refresh_from_db()  # the defaults as the database holds them (times, not "09:00")
    return found


def primary_addresses(candidate_ids: Collection[int], channel: str) -> dict[int, str]:
    """Each candidate's first e-mail address (or phone number for SMS and calls)."""
    found: dict[int, str] = {}
    if channel == StepChannel.EMAIL:
        rows: Iterable[tuple[int, str]] = (
            CandidateEmail.objects.filter(candidate_id__in=candidate_ids)
            .order_by("candidate_id", "-is_primary", "id")
            .values_list("candidate_id", "email")
        )
    elif channel in (StepChannel.SMS, StepChannel.CALL_TASK):
        rows = (
            CandidatePhone.objects.filter(candidate_id__in=candidate_ids)
            .order_by("candidate_id", "-is_primary", "id")
            .values_list("candidate_id", "number")
        )
    else:
        return found
    for candidate_id, address in rows:
        found.setdefault(candidate_id, address)
    return found


def _latest_consent(candidate_ids: Collection[int], channel: str, purpose: str) -> dict[int, str]:
    rows = (
        ConsentRecord.objects.filter(
            candidate_id__in=candidate_ids, channel=channel, purpose=purpose
        )
        .order_by("occurred_at", "id")
        .values_list("candidate_id", "status")
    )
    # The newest entry wins, as in compliance.selectors.consent_status().
    return dict(rows)


def recent_marketing_counts(
    candidate_ids: Collection[int], *, since: dt.datetime
) -> dict[int, int]:
    """Marketing messages sent to each candidate since `since`."""
    counts: dict[int, int] = {}
    rows = Message.objects.filter(
        status=Message.Status.SENT,
        sent_at__gte=since,
        candidate_id__in=candidate_ids,
        purpose=Purpose.MARKETING,
    ).values_list("candidate_id", flat=True)
    for candidate_id in rows:
        counts[candidate_id] = counts.get(candidate_id, 0) + 1
    return counts


def collisions(
    *,
    workspace: Workspace,
    candidate_ids: Collection[int],
    user_id: int | None,
    now: dt.datetime | None = None,
) -> dict[int, Collision]:
    """Candidates a teammate (anyone but `user_id`) contacted within the collision window,
    or who are in a live sequence of a teammate."""
    now = now or utcnow()
    window = settings_for(workspace).collision_days
    found: dict[int, Collision] = {}
    if window == 0 or not candidate_ids:
        return found
    since = now - dt.timedelta(days=window)
    labels: dict[int, str] = {}

    def label(uid: int) -> str:
        if uid not in labels:
            user = User.objects.filter(pk=uid).only("email", "full_name").first()
            labels[uid] = (user.full_name or user.email) if user else "a teammate"
        return labels[uid]

    contacts = (
        Activity.objects.filter(
            workspace=workspace,
            candidate_id__in=candidate_ids,
            type__in=CONTACT_TYPES,
            occurred_at__gte=since,
            actor__isnull=False,
        )
        .exclude(actor_id=user_id)
        .order_by("-occurred_at")
        .values_list("candidate_id", "actor_id", "occurred_at", "type")
    )
    for candidate_id, actor_id, at, type_ in contacts:
        if candidate_id not in found:
            what = Activity.Type(type_).label
            found[candidate_id] = Collision(label(actor_id), at, what)
    live = (
        Enrollment.objects.filter(
            workspace=workspace,
            candidate_id__in=candidate_ids,
            status__in=[Enrollment.Status.ACTIVE, Enrollment.Status.PAUSED],
            sequence__owner__isnull=False,
        )
        .exclude(sequence__owner_id=user_id)
        .values_list("candidate_id", "sequence__owner_id", "enrolled_at", "sequence__name")
    )
    for candidate_id, owner_id, at, name in live:
        found.setdefault(candidate_id, Collision(label(owner_id), at, f"In the sequence “{name}”"))
    return found


def blockers(
    *,
    workspace: Workspace,
    candidate_ids: Collection[int],
    channel: str,
    purpose: str,
    sender_id: int | None = None,
    now: dt.datetime | None = None,
    check_collisions: bool = True,
    extra_counts: dict[int, int] | None = None,
) -> dict[int, Blocker]:
    """Why each candidate may not be contacted now on `channel` for `purpose`.

    Candidates missing from the answer may be contacted. `extra_counts` adds marketing
    messages the caller is about to send in the same batch to the frequency cap.
    """
    now = now or utcnow()
    ids = list(dict.fromkeys(candidate_ids))
    found: dict[int, Blocker] = {}

    def block(candidate_id: int, reason: str) -> None:
        found.setdefault(candidate_id, Blocker(reason, MESSAGES[reason]))

    if not ids:
        return found
    flags = {
        row[0]: row[1:]
        for row in Candidate.objects.filter(workspace=workspace, pk__in=ids).values_list(
            "pk", "deleted_at", "is_archived", "is_do_not_contact"
        )
    }
    for candidate_id in ids:
        row = flags.get(candidate_id)
        if row is None or row[0] is not None or row[1]:
            block(candidate_id, "inactive")
        elif row[2]:
            block(candidate_id, "do_not_contact")
    open_ids = [i for i in ids if i not in found]

    consent_channel = CONSENT_CHANNEL.get(StepChannel(channel))
    if consent_channel is not None and open_ids:
        status = _latest_consent(open_ids, consent_channel, purpose)
        needs_grant = purpose == Purpose.MARKETING or workspace.require_recruiting_consent
        for candidate_id in open_ids:
            value = status.get(candidate_id)
            if value == ConsentRecord.Status.WITHDRAWN:
                block(candidate_id, "withdrawn")
            elif needs_grant and value != ConsentRecord.Status.GRANTED:
                block(candidate_id, "no_consent")
        open_ids = [i for i in open_ids if i not in found]

    if channel in (StepChannel.EMAIL, StepChannel.SMS) and open_ids:
        addresses = primary_addresses(open_ids, channel)
        for candidate_id in open_ids:
            if candidate_id not in addresses:
                block(candidate_id, "no_address")
        if channel == StepChannel.EMAIL:
            suppressed = set(
                Suppression.objects.filter(
                    workspace=workspace, email__in=list(addresses.values())
                ).values_list("email", flat=True)
            )
            bounced = set(
                CandidateEmail.objects.filter(
                    candidate_id__in=open_ids, bounced_at__isnull=False
                ).values_list("email", flat=True)
            )
            for candidate_id, address in addresses.items():
                if address in suppressed:
                    block(candidate_id, "suppressed")
                elif address in bounced:
                    block(candidate_id, "bounced")
        else:
            invalid = set(
                CandidatePhone.objects.filter(
                    candidate_id__in=open_ids, invalid_at__isnull=False
                ).values_list("number", flat=True)
            )
            for candidate_id, address in addresses.items():
                if address in invalid:
                    block(candidate_id, "invalid_phone")
        open_ids = [i for i in open_ids if i not in found]

    rules = settings_for(workspace)
    if purpose == Purpose.MARKETING and rules.cap_messages and open_ids:
        since = now - dt.timedelta(days=rules.cap_days)
        counts = recent_marketing_counts(open_ids, since=since)
        for candidate_id in open_ids:
            sent = counts.get(candidate_id, 0) + (extra_counts or {}).get(candidate_id, 0)
            if sent >= rules.cap_messages:
                block(candidate_id, "cap")
        open_ids = [i for i in open_ids if i not in found]

    if check_collisions and open_ids:
        for candidate_id in collisions(
            workspace=workspace, candidate_ids=open_ids, user_id=sender_id, now=now
        ):
            block(candidate_id, "collision")
    return found
