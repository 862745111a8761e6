"""Sequences, their steps and enrolments, campaigns and their drops, and funnels over the API.

Paths start with /outreach/, like the template and webhook endpoints of this app.
"""

from __future__ import annotations

import json
from typing import Any

from django.http import HttpRequest
from ninja import Query, Router, Schema, Status

from talentloop.core.actor import Actor
from talentloop.core.api import ApiJSONEncoder, actor_of, idempotent_create
from talentloop.core.errors import InvalidInput, NotFound
from talentloop.outreach import selectors, services
from talentloop.outreach.schemas import (
    CampaignFunnelOut,
    CampaignIn,
    CampaignOut,
    CampaignPatch,
    CampaignRowOut,
    DropFunnelOut,
    DropsIn,
    EnrollIn,
    EnrollmentOut,
    EnrollmentPageOut,
    EnrollmentReportOut,
    FunnelRowOut,
    SequenceFunnelOut,
    SequenceIn,
    SequenceOut,
    SequencePatch,
    SequenceRowOut,
    StatusIn,
    StepsIn,
)

router = Router(tags=["outreach"])


class StatusQuery(Schema):
    status: str = ""


class EnrollmentQuery(Schema):
    status: str = ""
    cursor: str = ""
    limit: int = 50


def _stored(body: dict[str, Any]) -> dict[str, Any]:
    """The body as JSON will carry it, so a replayed Idempotency-Key answers the same bytes."""
    stored: dict[str, Any] = json.loads(json.dumps(body, cls=ApiJSONEncoder))
    return stored


def _field_access(getter: Any, actor: Actor, object_id: int | None, field: str) -> Any:
    """Load a referenced object; a missing one is bad input naming the field, not a 404."""
    if object_id is None:
        return None
    try:
        return getter(actor, object_id)
    except NotFound as error:
        raise InvalidInput(error.message, field=field) from None


# --- sequences ------------------------------------------------------------------------------


@router.get("/outreach/sequences", response=list[SequenceRowOut])
def list_sequences(request: HttpRequest, query: Query[StatusQuery]) -> list[dict[str, Any]]:
    """Sequences by name with their steps, enrolments by status, messages sent and replies."""
    rows = selectors.sequence_list(actor_of(request), status=query.status)
    return [SequenceRowOut.from_row(row) for row in rows]


@router.post("/outreach/sequences", response={201: SequenceOut})
def create_sequence(request: HttpRequest, payload: SequenceIn) -> Status[dict[str, Any]]:
    """A draft sequence with its steps. Accepts an Idempotency-Key header."""
    actor = actor_of(request)
    data = payload.model_dump(exclude_unset=True)

    def create() -> dict[str, Any]:
        sequence = services.create_sequence(actor=actor, data=data)
        return _stored(SequenceOut.from_sequence(sequence))

    status, body = idempotent_create(
        request, endpoint="outreach.sequences.create", payload=data, create=create
    )
    return Status(status, body)


@router.get("/outreach/sequences/{sequence_id}", response=SequenceOut)
def get_sequence(request: HttpRequest, sequence_id: int) -> dict[str, Any]:
    """The sequence, its steps in order, and its enrolments counted by status."""
    sequence = selectors.access_sequence(actor_of(request), sequence_id)
    return SequenceOut.from_sequence(sequence)


@router.patch("/outreach/sequences/{sequence_id}", response=SequenceOut)
def update_sequence(
    request: HttpRequest, sequence_id: int, payload: SequencePatch
) -> dict[str, Any]:
    """Change the given fields (`steps` replaces every step). The version goes up."""
    actor = actor_of(request)
    sequence = selectors.access_sequence(actor, sequence_id, for_write=True)
    data = payload.model_dump(exclude_unset=True)
    return SequenceOut.from_sequence(
        services.update_sequence(actor=actor, sequence=sequence, data=data)
    )


@router.put("/outreach/sequences/{sequence_id}/steps", response=SequenceOut)
def replace_steps(request: HttpRequest, sequence_id: int, payload: StepsIn) -> dict[str, Any]:
    """Replace the steps, in order. Live enrolments keep their place (a step position)."""
    actor = actor_of(request)
    sequence = selectors.access_sequence(actor, sequence_id, for_write=True)
    data = payload.model_dump()
    return SequenceOut.from_sequence(
        services.update_sequence(actor=actor, sequence=sequence, data=data)
    )


@router.post("/outreach/sequences/{sequence_id}/status", response=SequenceOut)
def set_sequence_status(
    request: HttpRequest, sequence_id: int, payload: StatusIn
) -> dict[str, Any]:
    """`active` activates a draft or resumes a paused sequence; `paused` pauses sending;
    `archived` stops every live enrolment. An illegal move is a 409 naming both statuses."""
    actor = actor_of(request)
    sequence = selectors.access_sequence(actor, sequence_id, for_write=True)
    sequence = services.set_sequence_status(actor=actor, sequence=sequence, status=payload.status)
    return SequenceOut.from_sequence(sequence)


@router.delete("/outreach/sequences/{sequence_id}", response={204: None})
def delete_sequence(request: HttpRequest, sequence_id: int) -> Status[None]:
    """Delete a sequence nobody was enrolled in (409 otherwise: archive it)."""
    actor = actor_of(request)
    sequence = selectors.access_sequence(actor, sequence_id, for_write=True)
    services.delete_sequence(actor=actor, sequence=sequence)
    return Status(204, None)


@router.get("/outreach/sequences/{sequence_id}/funnel", response=SequenceFunnelOut)
def sequence_funnel(request: HttpRequest, sequence_id: int) -> dict[str, Any]:
    """Each step's sent, delivered, opened, clicked, replied, bounced and unsubscribed."""
    sequence = selectors.access_sequence(actor_of(request), sequence_id)
    rows = selectors.sequence_funnel(sequence)
    return {"sequence_id": sequence.pk, "steps": [FunnelRowOut.from_row(r) for r in rows]}


# --- enrolments -----------------------------------------------------------------------------


@router.post("/outreach/sequences/{sequence_id}/enrollments", response=EnrollmentReportOut)
def enroll(request: HttpRequest, sequence_id: int, payload: EnrollIn) -> Status[dict[str, Any]]:
    """Enrol `candidate_ids`, a pool's members or a segment's matches, and say per person
    what happened: enrolled, already_enrolled, reentry_refused, skipped (with the reason) or
    collision (a teammate's recent contact; enrolled only with `allow_collisions`).
    `dry_run` writes nothing. Accepts an Idempotency-Key header."""
    from talentloop.pools.selectors import access_pool, access_segment

    actor = actor_of(request)
    sequence = selectors.access_sequence(actor, sequence_id, for_write=True)
    data = payload.model_dump()
    pool = _field_access(access_pool, actor, payload.pool_id, "pool_id")
    segment = _field_access(access_segment, actor, payload.segment_id, "segment_id")

    def create() -> dict[str, Any]:
        report = services.enroll(
            actor=actor,
            sequence=sequence,
            candidate_ids=payload.candidate_ids,
            pool=pool,
            segment=segment,
            allow_collisions=payload.allow_collisions,
            dry_run=payload.dry_run,
        )
        return _stored(EnrollmentReportOut.from_report(report))

    status, body = idempotent_create(
        request,
        endpoint=f"outreach.sequences.{sequence.pk}.enroll",
        payload=data,
        create=create,
        status=200,
    )
    return Status(status, body)


@router.get("/outreach/sequences/{sequence_id}/enrollments", response=EnrollmentPageOut)
def list_enrollments(
    request: HttpRequest, sequence_id: int, query: Query[EnrollmentQuery]
) -> dict[str, Any]:
    """Enrolments newest first, each with its step, next send time, status and stop reason.
    Pass `next_cursor` back as `cursor` for the next page."""
    actor = actor_of(request)
    sequence = selectors.access_sequence(actor, sequence_id)
    rows, next_cursor = selectors.enrollment_rows(
        actor, sequence, status=query.status, cursor=query.cursor, limit=query.limit
    )
    return {"items": [EnrollmentOut.from_row(r) for r in rows], "next_cursor": next_cursor}


def _enrollment_out(actor: Actor, enrollment_id: int) -> dict[str, Any]:
    enrollment = selectors.access_enrollment(actor, enrollment_id)
    return EnrollmentOut.from_row(selectors.enrollment_row(enrollment))


@router.get("/outreach/enrollments/{enrollment_id}", response=EnrollmentOut)
def get_enrollment(request: HttpRequest, enrollment_id: int) -> dict[str, Any]:
    return _enrollment_out(actor_of(request), enrollment_id)


@router.post("/outreach/enrollments/{enrollment_id}/pause", response=EnrollmentOut)
def pause_enrollment(request: HttpRequest, enrollment_id: int) -> dict[str, Any]:
    """Hold this person's sequence at its current step."""
    actor = actor_of(request)
    enrollment = selectors.access_enrollment(actor, enrollment_id, for_write=True)
    services.pause_enrollment(actor=actor, enrollment=enrollment)
    return _enrollment_out(actor, enrollment_id)


@router.post("/outreach/enrollments/{enrollment_id}/resume", response=EnrollmentOut)
def resume_enrollment(request: HttpRequest, enrollment_id: int) -> dict[str, Any]:
    """Continue from the step it was paused at."""
    actor = actor_of(request)
    enrollment = selectors.access_enrollment(actor, enrollment_id, for_write=True)
    services.resume_enrollment(actor=actor, enrollment=enrollment)
    return _enrollment_out(actor, enrollment_id)


@router.post("/outreach/enrollments/{enrollment_id}/stop", response=EnrollmentOut)
def stop_enrollment(request: HttpRequest, enrollment_id: int) -> dict[str, Any]:
    """Stop this person's sequence for good (stop reason "manual")."""
    actor = actor_of(request)
    enrollment = selectors.access_enrollment(actor, enrollment_id, for_write=True)
    services.stop_enrollment(actor=actor, enrollment=enrollment)
    return _enrollment_out(actor, enrollment_id)


# --- campaigns ------------------------------------------------------------------------------


@router.get("/outreach/campaigns", response=list[CampaignRowOut])
def list_campaigns(request: HttpRequest, query: Query[StatusQuery]) -> list[dict[str, Any]]:
    """Campaigns by name with their drops, next send time and progress."""
    rows = selectors.campaign_list(actor_of(request), status=query.status)
    return [CampaignRowOut.from_row(row) for row in rows]


@router.post("/outreach/campaigns", response={201: CampaignOut})
def create_campaign(request: HttpRequest, payload: CampaignIn) -> Status[dict[str, Any]]:
    """A draft campaign with its drops. Accepts an Idempotency-Key header."""
    actor = actor_of(request)
    data = payload.model_dump(exclude_unset=True)

    def create() -> dict[str, Any]:
        campaign = services.create_campaign(actor=actor, data=data)
        return _stored(CampaignOut.from_campaign(campaign))

    status, body = idempotent_create(
        request, endpoint="outreach.campaigns.create", payload=data, create=create
    )
    return Status(status, body)


@router.get("/outreach/campaigns/{campaign_id}", response=CampaignOut)
def get_campaign(request: HttpRequest, campaign_id: int) -> dict[str, Any]:
    return CampaignOut.from_campaign(selectors.access_campaign(actor_of(request), campaign_id))


@router.patch("/outreach/campaigns/{campaign_id}", response=CampaignOut)
def update_campaign(
    request: HttpRequest, campaign_id: int, payload: CampaignPatch
) -> dict[str, Any]:
    """Change a draft, scheduled or paused campaign (`drops` replaces every drop; after a drop
    started, only name, sender and pacing may change)."""
    actor = actor_of(request)
    campaign = selectors.access_campaign(actor, campaign_id, for_write=True)
    data = payload.model_dump(exclude_unset=True)
    return CampaignOut.from_campaign(
        services.update_campaign(actor=actor, campaign=campaign, data=data)
    )


@router.put("/outreach/campaigns/{campaign_id}/drops", response=CampaignOut)
def replace_drops(request: HttpRequest, campaign_id: int, payload: DropsIn) -> dict[str, Any]:
    actor = actor_of(request)
    campaign = selectors.access_campaign(actor, campaign_id, for_write=True)
    data = payload.model_dump()
    return CampaignOut.from_campaign(
        services.update_campaign(actor=actor, campaign=campaign, data=data)
    )


@router.post("/outreach/campaigns/{campaign_id}/status", response=CampaignOut)
def set_campaign_status(
    request: HttpRequest, campaign_id: int, payload: StatusIn
) -> dict[str, Any]:
    """Move the campaign: draft → scheduled | cancelled; scheduled → running | paused |
    cancelled | draft; running → paused | cancelled | finished; paused → running | cancelled.
    Anything else is a 409 naming both statuses."""
    actor = actor_of(request)
    campaign = selectors.access_campaign(actor, campaign_id, for_write=True)
    campaign = services.set_campaign_status(actor=actor, campaign=campaign, status=payload.status)
    return CampaignOut.from_campaign(campaign)


@router.delete("/outreach/campaigns/{campaign_id}", response={204: None})
def delete_campaign(request: HttpRequest, campaign_id: int) -> Status[None]:
    """Delete a campaign that never sent (409 otherwise: cancel it)."""
    actor = actor_of(request)
    campaign = selectors.access_campaign(actor, campaign_id, for_write=True)
    services.delete_campaign(actor=actor, campaign=campaign)
    return Status(204, None)


@router.get("/outreach/campaigns/{campaign_id}/funnel", response=CampaignFunnelOut)
def campaign_funnel(request: HttpRequest, campaign_id: int) -> dict[str, Any]:
    """Progress (recipients reached of the total) and each drop's funnel."""
    campaign = selectors.access_campaign(actor_of(request), campaign_id)
    rows = selectors.campaign_funnel(campaign)
    return {
        "campaign_id": campaign.pk,
        "progress": selectors.campaign_progress(rows),
        "drops": [DropFunnelOut.from_row(r) for r in rows],
    }
