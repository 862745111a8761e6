"""Consent: the ledger's writes and the one check every outreach calls before sending."""

from __future__ import annotations

import ipaddress

from django.db import transaction

from talentloop.accounts.roles import Capability
from talentloop.candidates.models import Activity, Candidate
from talentloop.candidates.services import record_activity
from talentloop.compliance import audit
from talentloop.compliance.models import ConsentRecord
from talentloop.compliance.selectors import consent_status
from talentloop.core.actor import Actor
from talentloop.core.errors import Forbidden, InvalidInput, TalentloopError

Channel = ConsentRecord.Channel
Purpose = ConsentRecord.Purpose


class OutreachNotAllowed(TalentloopError):
    """Talentloop must not contact this person on this channel for this purpose.

    `reason` is a stable code: inactive, do_not_contact, withdrawn or no_consent.
    """

    code = "outreach_not_allowed"
    status = 409

    def __init__(self, message: str, *, reason: str) -> None:
        super().__init__(message, code=self.code)
        self.reason = reason


@transaction.atomic
def record_consent(
    *,
    actor: Actor,
    candidate: Candidate,
    channel: str,
    purpose: str,
    status: str,
    source: str,
    wording_version: str = "",
    ip: str | None = None,
) -> ConsentRecord:
    """Add an entry to the candidate's consent ledger, with its proof, timeline entry and audit.

    `ip` is the candidate's address when they gave consent themselves (a form, a link).
    """
    if not actor.can(Capability.RECORD_CONSENT):
        raise Forbidden("Your role does not allow recording consent.")
    for field, value, choices in (
        ("channel", channel, Channel),
        ("purpose", purpose, Purpose),
        ("status", status, ConsentRecord.Status),
        ("source", source, ConsentRecord.Source),
    ):
        if value not in choices.values:
            raise InvalidInput(f"{field} is one of: {', '.join(choices.values)}.", field=field)
    if len(wording_version) > 64:
        raise InvalidInput("At most 64 characters.", field="wording_version")
    if ip is not None:
        try:
            ip = str(ipaddress.ip_address(ip))
        except ValueError:
            raise InvalidInput("Not an IPv4 or IPv6 address.", field="ip") from None
    entry = ConsentRecord.objects.create(
        workspace=actor.workspace,
        candidate=candidate,
        channel=channel,
        purpose=purpose,
        status=status,
        source=source,
        wording_version=wording_version,
        ip=ip,
        recorded_by=actor.user,
    )
    record_activity(
        candidate=candidate,
        type=Activity.Type.CONSENT_CHANGE,
        channel=Activity.Channel.INTERNAL,
        actor=actor,
        summary=f"{entry.get_channel_display()} {purpose} consent {status} ({source})",
        payload={"channel": channel, "purpose": purpose, "status": status, "source": source},
    )
    audit.record(
        actor=actor,
        action=audit.Action.CONSENT_RECORDED,
        target=candidate,
        changes={f"consent.{channel}.{purpose}": [None, status]},
        extra={"source": source, "wording_version": wording_version},
    )
    return entry


def ensure_outreach_allowed(candidate: Candidate, channel: str, purpose: str) -> None:
    """Raise OutreachNotAllowed unless Talentloop may contact `candidate` now.

    Rules, in order: the candidate is live and not marked do-not-contact; the newest ledger
    entry for (channel, purpose) is not a withdrawal; marketing always needs a granted entry,
    and recruiting does too when the workspace requires it. Call it before every send.
    """
    if channel not in Channel.values or purpose not in Purpose.values:
        raise ValueError(f"unknown channel/purpose {channel}/{purpose}")
    if candidate.deleted_at is not None or candidate.is_archived:
        raise OutreachNotAllowed("This candidate is archived or deleted.", reason="inactive")
    if candidate.is_do_not_contact:
        raise OutreachNotAllowed(
            "This candidate is marked do-not-contact.", reason="do_not_contact"
        )
    status = consent_status(candidate).get((channel, purpose))
    if status == ConsentRecord.Status.WITHDRAWN:
        raise OutreachNotAllowed(
            f"The candidate withdrew {purpose} consent for {channel}.", reason="withdrawn"
        )
    needs_grant = purpose == Purpose.MARKETING or candidate.workspace.require_recruiting_consent
    if needs_grant and status != ConsentRecord.Status.GRANTED:
        raise OutreachNotAllowed(
            f"No {purpose} consent for {channel} on record.", reason="no_consent"
        )
