from __future__ import annotations

import json
from typing import Any

from django.http import HttpRequest, HttpResponse
from ninja import Query, Router, Status

from talentloop.candidates import selectors, services
from talentloop.candidates.models import Candidate
from talentloop.candidates.schemas import (
    ActivityOut,
    CandidateIn,
    CandidateOut,
    CandidatePageOut,
    CandidatePatch,
    CustomFieldIn,
    CustomFieldOut,
    EmailStatusIn,
    FreshnessOut,
    NoteIn,
    NoteOut,
    NotePatch,
    PhoneStatusIn,
    RefreshQueueOut,
    SafeTextIn,
    TagIn,
    TagOut,
    TimelineOut,
    TouchpointIn,
)
from talentloop.core.api import ApiJSONEncoder, actor_of, idempotent_create, json_response

router = Router(tags=["candidates"])


class CandidateQuery(SafeTextIn):
    q: str = ""
    tag: str = ""
    owner: str = ""
    source: str = ""
    updated_since: str = ""
    include_archived: bool = False
    sort: str = "-updated_at"
    cursor: str = ""
    limit: int = 50


def _profile(candidate: Candidate) -> HttpResponse:
    return json_response(selectors.profile_row(candidate))


@router.get("/candidates", response=CandidatePageOut)
def list_candidates(request: HttpRequest, query: Query[CandidateQuery]) -> HttpResponse:
    """Candidates, newest change first by default; follow `next_cursor` for the next page."""
    actor = actor_of(request)
    filters = selectors.parse_filters(
        text=query.q,
        tag=query.tag,
        owner=query.owner,
        source=query.source,
        updated_since=query.updated_since,
        include_archived=query.include_archived,
        me=actor.user_id,
    )
    rows, next_cursor = selectors.candidate_page(
        actor, filters, sort=query.sort, cursor=query.cursor, limit=query.limit
    )
    return json_response({"items": rows, "next_cursor": next_cursor})


@router.post("/candidates", response={201: CandidateOut, 200: CandidateOut})
def create_candidate(request: HttpRequest, payload: CandidateIn) -> Status[dict[str, Any]]:
    """Create a candidate. Send `Idempotency-Key` to make retries safe."""
    actor = actor_of(request)
    # Without an owner_id the service makes the creator the owner; an explicit null means none.
    data = payload.model_dump(
        exclude=set() if "owner_id" in payload.model_fields_set else {"owner_id"}
    )

    def create() -> dict[str, Any]:
        candidate = services.create_candidate(actor=actor, data=data)
        row = selectors.profile_row(candidate)
        # Stored for Idempotency-Key replays, so it must be JSON as the client received it.
        stored: dict[str, Any] = json.loads(json.dumps(row, cls=ApiJSONEncoder))
        return stored

    status, body = idempotent_create(
        request, endpoint="candidates.create", payload=data, create=create
    )
    return Status(status, body)


@router.get("/candidates/{candidate_id}", response=CandidateOut)
def get_candidate(request: HttpRequest, candidate_id: int) -> HttpResponse:
    """One candidate's profile. Every read is recorded in the access audit."""
    actor = actor_of(request)
    row = services.view_profile(actor=actor, candidate_id=candidate_id)
    return json_response(row)


@router.patch("/candidates/{candidate_id}", response=CandidateOut)
def update_candidate(
    request: HttpRequest, candidate_id: int, payload: CandidatePatch
) -> HttpResponse:
    """Change the fields sent; lists (emails, phones, links, tags) are replaced whole."""
    actor = actor_of(request)
    candidate = selectors.access_candidate(actor, candidate_id, for_write=True)
    candidate = services.update_candidate(
        actor=actor, candidate=candidate, data=payload.model_dump(exclude_unset=True)
    )
    return _profile(candidate)


@router.delete("/candidates/{candidate_id}", response={204: None})
def delete_candidate(request: HttpRequest, candidate_id: int) -> Status[None]:
    """Soft-delete: the candidate leaves lists and search."""
    actor = actor_of(request)
    candidate = selectors.access_candidate(actor, candidate_id, for_write=True)
    services.delete_candidate(actor=actor, candidate=candidate)
    return Status(204, None)


@router.get("/candidates/{candidate_id}/export", response=dict[str, Any])
def export_candidate(request: HttpRequest, candidate_id: int) -> dict[str, Any]:
    """Everything stored about the candidate. Recorded in the access audit as an export."""
    actor = actor_of(request)
    candidate = selectors.access_candidate(actor, candidate_id)
    return services.export_candidate(actor=actor, candidate=candidate)


@router.get("/candidates/{candidate_id}/timeline", response=TimelineOut)
def candidate_timeline(
    request: HttpRequest,
    candidate_id: int,
    type: str = "",
    cursor: str = "",
    limit: int = 50,
) -> dict[str, Any]:
    """Touchpoints, newest first. `type` takes a comma-separated list of activity types."""
    actor = actor_of(request)
    candidate = selectors.access_candidate(actor, candidate_id)
    types = [t for t in type.split(",") if t] or None
    rows, next_cursor = selectors.candidate_timeline(
        actor, candidate, limit=limit, cursor=cursor, types=types
    )
    return {"items": [ActivityOut.from_activity(a) for a in rows], "next_cursor": next_cursor}


@router.post("/candidates/{candidate_id}/touchpoints", response={201: ActivityOut})
def log_touchpoint(
    request: HttpRequest, candidate_id: int, payload: TouchpointIn
) -> Status[dict[str, Any]]:
    """Log a call or LinkedIn message that happened outside Talentloop."""
    actor = actor_of(request)
    candidate = selectors.access_candidate(actor, candidate_id)
    activity = services.log_touchpoint(actor=actor, candidate=candidate, **payload.model_dump())
    return Status(201, ActivityOut.from_activity(activity))


@router.get("/candidates/{candidate_id}/notes", response=list[NoteOut])
def list_notes(request: HttpRequest, candidate_id: int) -> list[Any]:
    actor = actor_of(request)
    candidate = selectors.access_candidate(actor, candidate_id)
    rows, _ = selectors.candidate_timeline(actor, candidate, types=["note"], limit=500)
    return [a.note for a in rows]


@router.post("/candidates/{candidate_id}/notes", response={201: NoteOut})
def add_note(request: HttpRequest, candidate_id: int, payload: NoteIn) -> Status[Any]:
    """Add a note; `visibility` is team or private; `remind_at` puts it on your home page."""
    actor = actor_of(request)
    candidate = selectors.access_candidate(actor, candidate_id)
    note = services.add_note(actor=actor, candidate=candidate, **payload.model_dump())
    return Status(201, note)


@router.patch("/notes/{note_id}", response=NoteOut)
def update_note(request: HttpRequest, note_id: int, payload: NotePatch) -> Any:
    actor = actor_of(request)
    note = selectors.access_note(actor, note_id)
    fields = payload.model_dump(exclude_unset=True)
    if fields.get("reminder_done"):
        return services.complete_reminder(actor=actor, note=note)
    return services.update_note(
        actor=actor,
        note=note,
        body=fields.get("body"),
        remind_at=fields.get("remind_at"),
        clear_reminder="remind_at" in fields and fields["remind_at"] is None,
    )


@router.delete("/notes/{note_id}", response={204: None})
def delete_note(request: HttpRequest, note_id: int) -> Status[None]:
    actor = actor_of(request)
    services.delete_note(actor=actor, note=selectors.access_note(actor, note_id))
    return Status(204, None)


@router.get("/tags", response=list[TagOut])
def list_tags(request: HttpRequest) -> list[dict[str, Any]]:
    return [TagOut.from_tag(t) for t in selectors.workspace_tags(actor_of(request))]


@router.post("/tags", response={201: TagOut})
def create_tag(request: HttpRequest, payload: TagIn) -> Status[dict[str, Any]]:
    tag = services.create_tag(actor=actor_of(request), name=payload.name)
    return Status(201, TagOut.from_tag(tag))


@router.patch("/tags/{tag_id}", response=TagOut)
def rename_tag(request: HttpRequest, tag_id: int, payload: TagIn) -> dict[str, Any]:
    actor = actor_of(request)
    tag = services.rename_tag(
        actor=actor, tag=selectors.access_tag(actor, tag_id), name=payload.name
    )
    return TagOut.from_tag(tag)


@router.delete("/tags/{tag_id}", response={204: None})
def delete_tag(request: HttpRequest, tag_id: int) -> Status[None]:
    actor = actor_of(request)
    services.delete_tag(actor=actor, tag=selectors.access_tag(actor, tag_id))
    return Status(204, None)


@router.get("/custom-fields", response=list[CustomFieldOut])
def list_custom_fields(request: HttpRequest) -> list[dict[str, Any]]:
    definitions = selectors.custom_field_definitions(actor_of(request))
    return [CustomFieldOut.from_definition(d) for d in definitions]


@router.post("/custom-fields", response={201: CustomFieldOut})
def define_custom_field(request: HttpRequest, payload: CustomFieldIn) -> Status[dict[str, Any]]:
    """Add a typed field to every candidate of the workspace (admins)."""
    definition = services.define_custom_field(actor=actor_of(request), **payload.model_dump())
    return Status(201, CustomFieldOut.from_definition(definition))


@router.delete("/custom-fields/{key}", response={204: None})
def delete_custom_field(request: HttpRequest, key: str) -> Status[None]:
    actor = actor_of(request)
    services.delete_custom_field(actor=actor, definition=selectors.access_custom_field(actor, key))
    return Status(204, None)


# --- stale data ----------------------------------------------------------------------------


def _freshness(actor: Any, candidate: Candidate) -> dict[str, Any]:
    reasons = selectors.stale_reasons_for(actor, candidate)
    return {
        "candidate_id": candidate.pk,
        "updated_at": candidate.updated_at,
        "reasons": [{"code": r.code, "message": r.message} for r in reasons],
    }


@router.get("/candidate-refresh-queue", response=RefreshQueueOut)
def refresh_queue(
    request: HttpRequest, reason: Query[str] = "", cursor: Query[str] = "", limit: Query[int] = 50
) -> dict[str, Any]:
    """Candidates whose data needs a refresh before outreach: not changed or confirmed for
    the workspace's `stale_after_months`, a bounced e-mail, or a phone marked invalid. Least
    recently refreshed first. `reason` narrows to one rule."""
    actor = actor_of(request)
    page, next_cursor = selectors.needs_refresh(actor, reason=reason, cursor=cursor, limit=limit)
    reasons = selectors.refresh_reasons(actor, page)
    return {
        "items": [
            {
                "id": c.pk,
                "full_name": c.full_name,
                "current_title": c.current_title,
                "current_company": c.current_company,
                "updated_at": c.updated_at,
                "reasons": [{"code": r.code, "message": r.message} for r in reasons[c.pk]],
            }
            for c in page
        ],
        "next_cursor": next_cursor,
        "counts": selectors.refresh_counts(actor),
    }


@router.get("/candidates/{candidate_id}/freshness", response=FreshnessOut)
def freshness(request: HttpRequest, candidate_id: int) -> dict[str, Any]:
    """Why this profile needs a refresh (an empty list when it is current)."""
    actor = actor_of(request)
    return _freshness(actor, selectors.access_candidate(actor, candidate_id))


@router.post("/candidates/{candidate_id}/confirm-current", response=FreshnessOut)
def confirm_current(request: HttpRequest, candidate_id: int) -> dict[str, Any]:
    """Say the profile was checked and is current; it leaves the "not refreshed" queue."""
    actor = actor_of(request)
    candidate = selectors.access_candidate(actor, candidate_id, for_write=True)
    return _freshness(actor, services.confirm_current(actor=actor, candidate=candidate))


@router.post("/candidates/{candidate_id}/email-status", response=FreshnessOut)
def email_status(request: HttpRequest, candidate_id: int, payload: EmailStatusIn) -> dict[str, Any]:
    """Mark one of the candidate's e-mails as bounced, or as working again."""
    actor = actor_of(request)
    candidate = selectors.access_candidate(actor, candidate_id, for_write=True)
    services.set_email_bounced(
        actor=actor, candidate=candidate, email=payload.email, bounced=payload.bounced
    )
    return _freshness(actor, candidate)


@router.post("/candidates/{candidate_id}/phone-status", response=FreshnessOut)
def phone_status(request: HttpRequest, candidate_id: int, payload: PhoneStatusIn) -> dict[str, Any]:
    """Mark one of the candidate's numbers as invalid, or as working again."""
    actor = actor_of(request)
    candidate = selectors.access_candidate(actor, candidate_id, for_write=True)
    services.set_phone_invalid(
        actor=actor, candidate=candidate, number=payload.number, invalid=payload.invalid
    )
    return _freshness(actor, candidate)
