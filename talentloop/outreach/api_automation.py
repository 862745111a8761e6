"""Automations as data over the API: export and import sequences and campaigns as JSON
documents, and dry-run them against an audience."""

from __future__ import annotations

import dataclasses
import datetime as dt
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.utils.text import slugify
from ninja import Router, Schema, Status
from pydantic import Field

from talentloop.candidates.schemas import StrictIn
from talentloop.core.actor import Actor
from talentloop.core.api import actor_of
from talentloop.core.errors import InvalidInput, NotFound
from talentloop.outreach import automation
from talentloop.outreach.selectors import access_campaign, access_sequence
from talentloop.pools.models import Pool, Segment
from talentloop.pools.selectors import access_pool, access_segment

router = Router(tags=["outreach automations"])


class AutomationImportIn(StrictIn):
    document: dict[str, Any] = Field(description="An exported document (format 1)")
    mode: str = Field(
        automation.CREATE,
        description='"create" (the default) or "update": update the sequence, or the draft or '
        "scheduled campaign, of the same name, and templates and snippets of the same name",
    )


class AutomationPlacedOut(Schema):
    kind: str
    document_name: str
    name: str
    action: str


class AutomationImportOut(Schema):
    kind: str
    id: int
    name: str
    created: bool
    placed: list[AutomationPlacedOut]
    warnings: list[str]


class SequenceDryRunIn(StrictIn):
    candidate_ids: list[int] | None = Field(None, max_length=automation.MAX_IDS)
    pool_id: int | None = None
    segment_id: int | None = None
    start: dt.datetime | None = Field(
        None, description="When enrolment would happen; now by default"
    )
    limit: int = Field(automation.DEFAULT_LIMIT, description="Recipients and skipped people listed")


class CampaignDryRunIn(StrictIn):
    limit: int = automation.DEFAULT_LIMIT


class DryRunMessageOut(Schema):
    position: int
    channel: str
    at: dt.datetime
    template: str
    subject: str
    skipped: str
    skipped_message: str


class DryRunRecipientOut(Schema):
    candidate_id: int
    name: str
    timezone: str
    outcome: str
    address: str
    messages: list[DryRunMessageOut]
    warnings: list[str]


class DryRunSkippedOut(Schema):
    candidate_id: int
    name: str
    reason: str
    message: str


class DryRunStepOut(Schema):
    position: int
    channel: str
    template: str
    at: dt.datetime | None
    sending: int
    skipped: dict[str, int]


class DryRunBarOut(Schema):
    code: str
    label: str
    count: int
    percent: float


class DryRunOut(Schema):
    kind: str
    name: str
    audience: str
    audience_size: int
    start: dt.datetime
    limit: int
    totals: dict[str, int] = Field(
        description="People by outcome: scheduled, partial, or why skipped"
    )
    bars: list[DryRunBarOut]
    steps: list[DryRunStepOut]
    recipients: list[DryRunRecipientOut]
    skipped: list[DryRunSkippedOut]
    warnings: dict[str, int] = Field(description="Stale-profile warnings among recipients")
    warning_labels: dict[str, str]
    problems: list[str]
    elapsed_ms: float


def _download(document: dict[str, Any], kind: str, name: str) -> HttpResponse:
    response = HttpResponse(
        automation.document_json(document), content_type="application/json; charset=utf-8"
    )
    filename = f"{kind}-{slugify(name) or kind}.json"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@router.get("/outreach/sequences/{sequence_id}/export", response={200: None})
def export_sequence(request: HttpRequest, sequence_id: int) -> HttpResponse:
    """The sequence as a JSON document (a download) that imports into any workspace."""
    actor = actor_of(request)
    sequence = access_sequence(actor, sequence_id)
    document = automation.export_sequence(actor=actor, sequence=sequence)
    return _download(document, "sequence", sequence.name)


@router.get("/outreach/campaigns/{campaign_id}/export", response={200: None})
def export_campaign(request: HttpRequest, campaign_id: int) -> HttpResponse:
    """The campaign as a JSON document (a download), its segment by name and rules."""
    actor = actor_of(request)
    campaign = access_campaign(actor, campaign_id)
    document = automation.export_campaign(actor=actor, campaign=campaign)
    return _download(document, "campaign", campaign.name)


@router.post(
    "/outreach/automations/import", response={201: AutomationImportOut, 200: AutomationImportOut}
)
def import_automation(request: HttpRequest, payload: AutomationImportIn) -> Status[dict[str, Any]]:
    """Create the sequence or campaign a document describes (201), or with mode "update",
    update the one of the same name (200). A problem in the document is a 422 whose `field`
    is its JSON path, such as `document.sequence.steps[1].delay_days`; nothing is stored."""
    try:
        result = automation.import_automation(
            actor=actor_of(request), document=payload.document, mode=payload.mode
        )
    except InvalidInput as error:
        if error.field and error.field != "mode":
            # The document is the request's `document` member: its paths start there.
            field = f"document.{error.field}" if error.field != "document" else "document"
            raise InvalidInput(error.message, field=field, code=error.code) from None
        raise
    return Status(201 if result.created else 200, _import_out(result))


def _import_out(result: automation.ImportResult) -> dict[str, Any]:
    return {
        "kind": result.kind,
        "id": result.object.pk,
        "name": result.object.name,
        "created": result.created,
        "placed": [dataclasses.asdict(p) for p in result.placed],
        "warnings": result.warnings,
    }


def _field_access(getter: Any, actor: Actor, object_id: int | None, field: str) -> Any:
    """Load an audience named by id; a missing one is bad input naming the field."""
    if object_id is None:
        return None
    try:
        return getter(actor, object_id)
    except NotFound as error:
        raise InvalidInput(error.message, field=field) from None


@router.post("/outreach/sequences/{sequence_id}/dry-run", response=DryRunOut)
def dry_run_sequence(
    request: HttpRequest, sequence_id: int, payload: SequenceDryRunIn
) -> dict[str, Any]:
    """What enrolling `candidate_ids`, a pool or a segment (one of them) at `start` would do:
    totals by outcome, each step's reach, the first `limit` recipients with their schedule in
    their own timezone, and the first `limit` skipped people with the reason. Sends nothing,
    stores nothing."""
    actor = actor_of(request)
    sequence = access_sequence(actor, sequence_id)
    pool: Pool | None = _field_access(access_pool, actor, payload.pool_id, "pool_id")
    segment: Segment | None = _field_access(access_segment, actor, payload.segment_id, "segment_id")
    run = automation.dry_run_sequence(
        actor=actor,
        sequence=sequence,
        candidate_ids=payload.candidate_ids,
        pool=pool,
        segment=segment,
        start=payload.start,
        limit=payload.limit,
    )
    return run.as_dict()


@router.post("/outreach/campaigns/{campaign_id}/dry-run", response=DryRunOut)
def dry_run_campaign(
    request: HttpRequest, campaign_id: int, payload: CampaignDryRunIn | None = None
) -> dict[str, Any]:
    """What the campaign's drops still to send would do for its segment or pool, each drop
    judged at its own time (the frequency cap counts the campaign's earlier drops)."""
    actor = actor_of(request)
    campaign = access_campaign(actor, campaign_id)
    limit = payload.limit if payload is not None else automation.DEFAULT_LIMIT
    return automation.dry_run_campaign(actor=actor, campaign=campaign, limit=limit).as_dict()
