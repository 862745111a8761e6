"""Every write to pools, stages, segments and bulk actions goes through these functions."""

from __future__ import annotations

import csv
import dataclasses
import datetime as dt
import io
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.db.models import F, ProtectedError, QuerySet, Value
from django.db.models.functions import Concat
from django.utils import timezone

from talentloop.accounts.models import Workspace
from talentloop.accounts.roles import Capability, Role
from talentloop.candidates import services as candidate_services
from talentloop.candidates.models import (
    Activity,
    Candidate,
    CandidateEmail,
    CandidateLink,
    CandidatePhone,
    CandidateTag,
    Source,
)
from talentloop.candidates.normalize import (
    NormalizationError,
    normalize_email,
    normalize_phone,
    normalize_url,
)
from talentloop.candidates.selectors import (
    CandidateFilters,
    candidate_rows,
    filtered_ids,
    visible_candidates,
)
from talentloop.compliance import audit
from talentloop.compliance.models import AuditEvent
from talentloop.core.actor import Actor
from talentloop.core.errors import Conflict, Forbidden, InvalidInput
from talentloop.pools.models import (
    DEFAULT_STAGES,
    BulkAction,
    Pool,
    PoolMembership,
    PoolStage,
    Segment,
)

if TYPE_CHECKING:
    from talentloop.search.selectors import SearchFilters

    # A talent search: the query string and the search page's filters.
    TalentSearch = tuple[str, SearchFilters]

# Timeline kinds of pool events. Activity.Type does not list them yet (the report for this
# issue asks for POOL_ADDED and POOL_STAGE_CHANGED there); the stored values are the same.
POOL_ADDED = Activity.Type.POOL_ADDED
POOL_STAGE_CHANGED = Activity.Type.POOL_STAGE_CHANGED

# Selections up to this size run in the request; bigger ones go to the task worker.
INLINE_LIMIT = 500
# Candidates per transaction in a bulk action: one checkpoint per batch.
BATCH_SIZE = 500
# A selection of explicit ids (checkboxes, an API list) is at most this long; a segment is not
# limited beyond MAX_SELECTION.
MAX_IDS = 10_000
MAX_SELECTION = 500_000
MAX_STAGES = 20
MAX_IMPORT_ROWS = 5_000


def _require(actor: Actor, capability: Capability) -> None:
    if not actor.can(capability):
        raise Forbidden("Your role does not allow this.")


def _clean_name(value: str, *, max_length: int, what: str) -> str:
    name = " ".join((value or "").split())
    if not name or len(name) > max_length:
        raise InvalidInput(f"A {what} name is 1 to {max_length} characters.", field="name")
    if "\x00" in name:
        raise InvalidInput("Text cannot contain NUL characters.", field="name")
    return name


# --- stages ---------------------------------------------------------------------------------


def ensure_default_stages(workspace: Workspace) -> list[PoolStage]:
    """The workspace's stages in order; a workspace with none gets the five defaults.

    Safe under races: the (workspace, name) constraint keeps a second writer's rows out.
    """
    stages = list(PoolStage.objects.filter(workspace=workspace).order_by("position", "id"))
    if stages:
        return stages
    PoolStage.objects.bulk_create(
        [
            PoolStage(workspace=workspace, name=name, name_key=name.casefold(), position=i)
            for i, name in enumerate(DEFAULT_STAGES)
        ],
        ignore_conflicts=True,
    )
    return list(PoolStage.objects.filter(workspace=workspace).order_by("position", "id"))


@transaction.atomic
def create_stage(*, actor: Actor, name: str, position: int | None = None) -> PoolStage:
    """Add a stage (at the end, or before the stage now at `position`). Admins only."""
    _require(actor, Capability.MANAGE_WORKSPACE)
    name = _clean_name(name, max_length=50, what="stage")
    stages = ensure_default_stages(actor.workspace)
    if len(stages) >= MAX_STAGES:
        raise InvalidInput(f"At most {MAX_STAGES} stages.", field="name")
    if any(s.name_key == name.casefold() for s in stages):
        raise Conflict(f"A stage named {name!r} exists already.", field="name")
    if position is None or not 0 <= position <= len(stages):
        position = len(stages)
    stage = PoolStage(workspace=actor.workspace, name=name, name_key=name.casefold())
    stages.insert(position, stage)
    stage.save()
    _renumber(stages)
    return stage


@transaction.atomic
def rename_stage(*, actor: Actor, stage: PoolStage, name: str) -> PoolStage:
    _require(actor, Capability.MANAGE_WORKSPACE)
    name = _clean_name(name, max_length=50, what="stage")
    clash = PoolStage.objects.filter(workspace=actor.workspace, name_key=name.casefold())
    if clash.exclude(pk=stage.pk).exists():
        raise Conflict(f"A stage named {name!r} exists already.", field="name")
    stage.name, stage.name_key = name, name.casefold()
    stage.save(update_fields=["name", "name_key"])
    return stage


@transaction.atomic
def reorder_stages(*, actor: Actor, stage_ids: Sequence[int]) -> list[PoolStage]:
    """Put the stages in the given order; the list must name each stage once."""
    _require(actor, Capability.MANAGE_WORKSPACE)
    stages = {s.pk: s for s in ensure_default_stages(actor.workspace)}
    if sorted(stage_ids) != sorted(stages):
        raise InvalidInput("List every stage of the workspace exactly once.", field="stage_ids")
    ordered = [stages[pk] for pk in stage_ids]
    _renumber(ordered)
    return ordered


def _renumber(stages: list[PoolStage]) -> None:
    for index, stage in enumerate(stages):
        stage.position = index
    PoolStage.objects.bulk_update(stages, ["position"])


@transaction.atomic
def delete_stage(*, actor: Actor, stage: PoolStage) -> None:
    """Remove a stage no member is at; Conflict otherwise (move them first)."""
    _require(actor, Capability.MANAGE_WORKSPACE)
    if PoolStage.objects.filter(workspace=actor.workspace).count() <= 1:
        raise Conflict("A workspace keeps at least one stage.", field="stage")
    try:
        with transaction.atomic():
            stage.delete()
    except ProtectedError:
        raise Conflict(
            f"Candidates are at {stage.name!r} in some pool: move them first.", field="stage"
        ) from None


def _first_stage(actor: Actor) -> PoolStage:
    return ensure_default_stages(actor.workspace)[0]


# --- pools ----------------------------------------------------------------------------------


def _clean_pool(data: Mapping[str, Any]) -> dict[str, Any]:
    clean: dict[str, Any] = {}
    if "name" in data:
        clean["name"] = _clean_name(data["name"], max_length=120, what="pool")
    if "description" in data:
        description = (data["description"] or "").strip()
        if len(description) > 5000 or "\x00" in description:
            raise InvalidInput("At most 5000 characters.", field="description")
        clean["description"] = description
    if "visibility" in data:
        if data["visibility"] not in Pool.Visibility.values:
            raise InvalidInput("Visibility is private or team.", field="visibility")
        clean["visibility"] = data["visibility"]
    if "kind" in data:
        if data["kind"] not in Pool.Kind.values:
            raise InvalidInput("Kind is standard or event.", field="kind")
        clean["kind"] = data["kind"]
    if "event_date" in data:
        clean["event_date"] = data["event_date"]
    return clean


@transaction.atomic
def create_pool(*, actor: Actor, data: Mapping[str, Any]) -> Pool:
    """Create a pool owned by the actor. A pool made with an API key has no owner, so it is
    a team pool (a private pool nobody owns would be seen by nobody)."""
    _require(actor, Capability.EDIT_CANDIDATES)
    if "name" not in data:
        raise InvalidInput("A pool needs a name.", field="name")
    clean = _clean_pool(data)
    if actor.user is None:
        clean["visibility"] = Pool.Visibility.TEAM
    return Pool.objects.create(workspace=actor.workspace, owner=actor.user, **clean)


def _require_pool_owner(actor: Actor, pool: Pool) -> None:
    if pool.owner_id is not None and pool.owner_id == actor.user_id:
        return
    if actor.can(Capability.MANAGE_WORKSPACE):
        return
    raise Forbidden("Only the pool's owner or an admin can change it.")


@transaction.atomic
def update_pool(*, actor: Actor, pool: Pool, data: Mapping[str, Any]) -> Pool:
    """Change the given fields. Only the owner or an admin may."""
    _require_pool_owner(actor, pool)
    clean = _clean_pool({k: v for k, v in data.items() if k != "kind"})
    if clean.get("visibility") == Pool.Visibility.PRIVATE and pool.owner_id is None:
        raise InvalidInput("A pool without an owner cannot be private.", field="visibility")
    for name, value in clean.items():
        setattr(pool, name, value)
    pool.updated_at = timezone.now()
    pool.save()
    return pool


@transaction.atomic
def delete_pool(*, actor: Actor, pool: Pool) -> None:
    """Delete the pool and its memberships (the candidates stay). Owner or admin only."""
    _require_pool_owner(actor, pool)
    pool.delete()


# --- memberships ----------------------------------------------------------------------------


def _private_to(pool: Pool) -> Any:
    """A private pool's timeline entries are its owner's only: teammates must not learn the
    pool's name from a candidate's timeline."""
    return pool.owner if pool.visibility == Pool.Visibility.PRIVATE else None


def _stage_summary(pool: Pool, stage: PoolStage) -> dict[str, Any]:
    return {"pool_id": pool.pk, "pool": pool.name, "stage_id": stage.pk, "stage": stage.name}


def _add_batch(
    actor: Actor, pool: Pool, stage: PoolStage, candidate_ids: Sequence[int]
) -> list[int]:
    """Add the candidates not yet in `pool`; return the ids added. Call inside a transaction.

    The pool row is locked first, so two requests adding the same people write one membership
    and one timeline entry each.
    """
    Pool.objects.select_for_update().filter(pk=pool.pk).first()
    present = set(
        PoolMembership.objects.filter(pool=pool, candidate_id__in=candidate_ids).values_list(
            "candidate_id", flat=True
        )
    )
    new_ids = [pk for pk in dict.fromkeys(candidate_ids) if pk not in present]
    if not new_ids:
        return []
    at = timezone.now()
    PoolMembership.objects.bulk_create(
        PoolMembership(
            pool=pool,
            candidate_id=pk,
            stage=stage,
            added_by=actor.user,
            added_at=at,
            stage_changed_at=at,
        )
        for pk in new_ids
    )
    payload, private_to = _stage_summary(pool, stage), _private_to(pool)
    # One INSERT for the batch's timeline entries, as record_activity would write them one by
    # one (360 rows/s on PostgreSQL that way). The ids are the actor's visible candidates, so
    # their workspace is the pool's.
    candidate_services.record_activities(
        [
            Activity(
                workspace_id=pool.workspace_id,
                candidate_id=pk,
                type=POOL_ADDED,
                channel=Activity.Channel.INTERNAL,
                actor=actor.user,
                summary=f"Added to pool {pool.name} at {stage.name}",
                payload=payload,
                private_to=private_to,
                occurred_at=at,
            )
            for pk in new_ids
        ]
    )
    Pool.objects.filter(pk=pool.pk).update(updated_at=at)
    return new_ids


@transaction.atomic
def add_to_pool(
    *, actor: Actor, pool: Pool, candidate: Candidate, stage: PoolStage | None = None
) -> tuple[PoolMembership, bool]:
    """Put the candidate in the pool (at `stage`, else the first). Returns (membership,
    created); adding someone already there changes nothing."""
    _require(actor, Capability.EDIT_CANDIDATES)
    added = _add_batch(actor, pool, stage or _first_stage(actor), [candidate.pk])
    membership = PoolMembership.objects.select_related("stage").get(pool=pool, candidate=candidate)
    return membership, bool(added)


@transaction.atomic
def remove_from_pool(*, actor: Actor, membership: PoolMembership) -> None:
    """Take the candidate out of the pool. Removing twice is harmless."""
    _require(actor, Capability.EDIT_CANDIDATES)
    PoolMembership.objects.filter(pk=membership.pk).delete()


def _move_batch(
    actor: Actor, pool: Pool, stage: PoolStage, candidate_ids: Sequence[int]
) -> list[int]:
    """Move those of the candidates who are in `pool` at another stage to `stage`; return the
    ids moved. Each move writes a timeline entry with the old and new stage."""
    memberships = list(
        PoolMembership.objects.select_for_update()
        .filter(pool=pool, candidate_id__in=candidate_ids)
        .exclude(stage=stage)
        .select_related("stage")
    )
    if not memberships:
        return []
    at = timezone.now()
    PoolMembership.objects.filter(pk__in=[m.pk for m in memberships]).update(
        stage=stage, stage_changed_at=at
    )
    summary, private_to = _stage_summary(pool, stage), _private_to(pool)
    candidate_services.record_activities(
        [
            Activity(
                workspace_id=pool.workspace_id,
                candidate_id=membership.candidate_id,
                type=POOL_STAGE_CHANGED,
                channel=Activity.Channel.INTERNAL,
                actor=actor.user,
                summary=f"{pool.name}: {membership.stage.name} → {stage.name}",
                payload={
                    **summary,
                    "from_stage_id": membership.stage_id,
                    "from_stage": membership.stage.name,
                },
                private_to=private_to,
                occurred_at=at,
            )
            for membership in memberships
        ]
    )
    return [m.candidate_id for m in memberships]


@transaction.atomic
def move_stage(*, actor: Actor, membership: PoolMembership, stage: PoolStage) -> PoolMembership:
    """Move a pool member to `stage`; moving to the stage they are at changes nothing."""
    _require(actor, Capability.EDIT_CANDIDATES)
    if stage.workspace_id != membership.pool.workspace_id:
        raise InvalidInput("No such stage.", field="stage_id")
    _move_batch(actor, membership.pool, stage, [membership.candidate_id])
    membership.refresh_from_db()
    return membership


# --- events ---------------------------------------------------------------------------------


def _require_event(pool: Pool) -> None:
    if pool.kind != Pool.Kind.EVENT:
        raise InvalidInput("Only an event pool has check-in.", field="pool")


@transaction.atomic
def check_in(*, actor: Actor, pool: Pool, candidate: Candidate) -> tuple[PoolMembership, bool]:
    """Mark the candidate as attending the event (adding them to its pool if needed) and put
    "event attended" on their timeline. Returns (membership, newly checked in)."""
    _require(actor, Capability.EDIT_CANDIDATES)
    _require_event(pool)
    membership, _ = add_to_pool(actor=actor, pool=pool, candidate=candidate)
    updated = PoolMembership.objects.filter(pk=membership.pk, checked_in_at__isnull=True).update(
        checked_in_at=timezone.now()
    )
    if updated:
        candidate_services.record_activity(
            candidate=candidate,
            type=Activity.Type.EVENT_ATTENDED,
            channel=Activity.Channel.EVENT,
            actor=actor,
            summary=f"Attended {pool.name}",
            payload={"pool_id": pool.pk, "event_date": str(pool.event_date or "")},
        )
    membership.refresh_from_db()
    return membership, bool(updated)


@dataclass
class ImportReport:
    created: int = 0
    found: int = 0
    added: int = 0
    checked_in: int = 0
    errors: list[dict[str, Any]] = field(default_factory=list)  # {"row": n, "message": ...}


def _split_name(name: str) -> tuple[str, str]:
    first, _, last = " ".join(name.split()).partition(" ")
    return first, last


def _find_by_email(actor: Actor, email: str) -> Candidate | None:
    found = (
        CandidateEmail.objects.filter(workspace=actor.workspace, email=email)
        .values_list("candidate_id", flat=True)
        .first()
    )
    return visible_or_none(actor, found)


def visible_or_none(actor: Actor, candidate_id: int | None) -> Candidate | None:
    if candidate_id is None:
        return None
    # A deleted or hidden match is not reused: the unique e-mail then raises Conflict instead.
    return Candidate.objects.filter(
        pk=candidate_id, workspace=actor.workspace, deleted_at__isnull=True
    ).first()


def import_attendees(
    *, actor: Actor, pool: Pool, text: str, mark_checked_in: bool = False
) -> ImportReport:
    """Read "name,email" lines (a header line is skipped), find or create each person with
    source "event", and add them to the event pool (checked in if `mark_checked_in`).

    Each row commits on its own: a bad row is reported and never undoes the good ones.
    """
    _require(actor, Capability.EDIT_CANDIDATES)
    _require_event(pool)
    rows = list(csv.reader(io.StringIO(text.replace("\x00", ""))))
    if len(rows) > MAX_IMPORT_ROWS + 1:
        raise InvalidInput(f"At most {MAX_IMPORT_ROWS} rows at a time.", field="file")
    report = ImportReport()
    for number, row in enumerate(rows, start=1):
        cells = [cell.strip() for cell in row]
        if not any(cells):
            continue
        if number == 1 and [c.lower() for c in cells[:2]] == ["name", "email"]:
            continue
        if len(cells) < 2 or not cells[0] or not cells[1]:
            report.errors.append({"row": number, "message": "Give a name and an e-mail."})
            continue
        try:
            with transaction.atomic():
                candidate, created = _find_or_create(
                    actor,
                    name=cells[0],
                    email=cells[1],
                    source=Source.EVENT,
                    source_detail=f"Event: {pool.name}"[:255],
                )
                if mark_checked_in:
                    _, checked = check_in(actor=actor, pool=pool, candidate=candidate)
                    report.checked_in += int(checked)
                    added = checked
                else:
                    _, added = add_to_pool(actor=actor, pool=pool, candidate=candidate)
        except (InvalidInput, Conflict) as error:
            report.errors.append({"row": number, "message": error.message})
            continue
        report.created += int(created)
        report.found += int(not created)
        report.added += int(added)
    return report


def _find_or_create(
    actor: Actor, *, name: str, email: str, source: str, source_detail: str
) -> tuple[Candidate, bool]:
    try:
        clean_email = normalize_email(email)
    except NormalizationError as error:
        raise InvalidInput(str(error), field="email") from None
    existing = _find_by_email(actor, clean_email)
    if existing is not None:
        return existing, False
    first, last = _split_name(name)
    candidate = candidate_services.create_candidate(
        actor=actor,
        data={
            "first_name": first,
            "last_name": last,
            "emails": [clean_email],
            "source": source,
            "source_detail": source_detail,
        },
    )
    return candidate, True


# --- referrals ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Referral:
    first_name: str
    last_name: str = ""
    email: str = ""
    phone: str = ""
    linkedin: str = ""
    current_title: str = ""
    current_company: str = ""
    note: str = ""


def _referral_actor(actor: Actor) -> Actor:
    """The actor that writes a referral. Any member may refer someone, also one whose role
    cannot add candidates (a hiring manager): the writes run with a sourcer's rights but still
    under the member's own name in the audit log and on the timeline."""
    if actor.role == Role.AUDITOR:
        raise Forbidden("Auditors have read-only access.")
    if actor.can(Capability.EDIT_CANDIDATES):
        return actor
    return dataclasses.replace(actor, role=Role.SOURCER)


def _find_referred(actor: Actor, referral: Referral) -> Candidate | None:
    """The stored person the referral names by e-mail, phone or LinkedIn profile, if any."""
    try:
        if referral.email:
            found = _find_by_email(actor, normalize_email(referral.email))
            if found is not None:
                return found
        if referral.phone:
            number = normalize_phone(
                referral.phone, default_region=actor.workspace.default_phone_region
            )
            candidate_id = (
                CandidatePhone.objects.filter(workspace=actor.workspace, number=number)
                .values_list("candidate_id", flat=True)
                .first()
            )
            if (found := visible_or_none(actor, candidate_id)) is not None:
                return found
        if referral.linkedin:
            url = normalize_url(referral.linkedin)
            candidate_id = (
                CandidateLink.objects.filter(workspace=actor.workspace, url=url)
                .values_list("candidate_id", flat=True)
                .first()
            )
            return visible_or_none(actor, candidate_id)
    except NormalizationError:
        return None  # create_candidate then names the bad field
    return None


# The candidate service's field names for the referral form's.
REFERRAL_FIELDS = {"emails[0]": "email", "phones[0].number": "phone", "links[0].url": "linkedin"}


def _create_referred(writer: Actor, data: dict[str, Any]) -> Candidate:
    try:
        return candidate_services.create_candidate(actor=writer, data=data)
    except InvalidInput as error:
        field = REFERRAL_FIELDS.get(error.field or "", error.field)
        raise InvalidInput(error.message, field=field) from None


@transaction.atomic
def submit_referral(
    *, actor: Actor, referral: Referral, pool: Pool | None = None
) -> tuple[Candidate, bool]:
    """Refer a person: find them (e-mail, phone or LinkedIn) or create them with source
    "referral", note who referred them and why, and add them to `pool` if given.

    Returns (candidate, created). Any member but an auditor may refer.
    """
    writer = _referral_actor(actor)
    if not referral.email and not referral.phone and not referral.linkedin:
        raise InvalidInput("Give an e-mail, a phone number or a LinkedIn profile.", field="email")
    note = referral.note.strip()
    if len(note) > 5000:
        raise InvalidInput("At most 5000 characters.", field="note")
    candidate = _find_referred(writer, referral)
    created = candidate is None
    if candidate is None:
        # The referrer owns the person only if they may see everyone anyway; otherwise the
        # candidate is left unassigned for a recruiter to pick up.
        owner = actor.user_id if actor.can(Capability.VIEW_ALL_CANDIDATES) else None
        candidate = _create_referred(
            writer,
            {
                "first_name": referral.first_name,
                "last_name": referral.last_name,
                "emails": [referral.email] if referral.email else [],
                "phones": [{"number": referral.phone}] if referral.phone else [],
                "links": [{"url": referral.linkedin}] if referral.linkedin else [],
                "current_title": referral.current_title,
                "current_company": referral.current_company,
                "source": Source.REFERRAL,
                "source_detail": f"Referred by {actor.label}"[:255],
                "owner_id": owner,
            },
        )
    body = f"Referred by {actor.label}." + (f"\n\n{note}" if note else "")
    candidate_services.add_note(actor=writer, candidate=candidate, body=body)
    if pool is not None:
        add_to_pool(actor=writer, pool=pool, candidate=candidate)
    return candidate, created


# --- segments -------------------------------------------------------------------------------


def _clean_segment(actor: Actor, data: Mapping[str, Any]) -> dict[str, Any]:
    from talentloop.pools.rules import validate_rules
    from talentloop.pools.selectors import rule_context

    clean: dict[str, Any] = {}
    if "name" in data:
        clean["name"] = _clean_name(data["name"], max_length=120, what="segment")
    if "description" in data:
        description = (data["description"] or "").strip()
        if len(description) > 5000 or "\x00" in description:
            raise InvalidInput("At most 5000 characters.", field="description")
        clean["description"] = description
    if "rules" in data:
        validate_rules(data["rules"], rule_context(actor))
        clean["rules"] = data["rules"]
    return clean


@transaction.atomic
def create_segment(*, actor: Actor, data: Mapping[str, Any]) -> Segment:
    """Save rules as a segment; RuleError (an InvalidInput) names the bad rule's path."""
    _require(actor, Capability.EDIT_CANDIDATES)
    if "name" not in data or "rules" not in data:
        raise InvalidInput("A segment needs a name and rules.", field="name")
    clean = _clean_segment(actor, data)
    return Segment.objects.create(workspace=actor.workspace, owner=actor.user, **clean)


def _require_segment_owner(actor: Actor, segment: Segment) -> None:
    if segment.owner_id is not None and segment.owner_id == actor.user_id:
        return
    if actor.can(Capability.MANAGE_WORKSPACE):
        return
    raise Forbidden("Only the segment's owner or an admin can change it.")


@transaction.atomic
def update_segment(*, actor: Actor, segment: Segment, data: Mapping[str, Any]) -> Segment:
    _require_segment_owner(actor, segment)
    clean = _clean_segment(actor, data)
    for name, value in clean.items():
        setattr(segment, name, value)
    if "rules" in clean:
        segment.size = segment.size_computed_at = None
    segment.updated_at = timezone.now()
    segment.save()
    return segment


@transaction.atomic
def delete_segment(*, actor: Actor, segment: Segment) -> None:
    _require_segment_owner(actor, segment)
    segment.delete()


def store_segment_size(*, segment: Segment, size: int) -> None:
    """Keep the latest count with its time (a plain update: it is a cache, not a change)."""
    at = timezone.now()
    Segment.objects.filter(pk=segment.pk).update(size=size, size_computed_at=at)
    segment.size, segment.size_computed_at = size, at


# --- bulk actions ---------------------------------------------------------------------------


def _valid_ids(values: Iterable[Any]) -> list[int]:
    ids = []
    for index, value in enumerate(values):
        if isinstance(value, bool) or not isinstance(value, int) or not 0 < value < 2**63:
            raise InvalidInput("Candidate ids are positive whole numbers.", field=f"ids[{index}]")
        ids.append(value)
    return ids


def _selected_ids(
    actor: Actor,
    candidate_ids: Sequence[Any] | None,
    segment: Segment | None,
    filters: CandidateFilters | None,
    rules: Any,
    talent_search: TalentSearch | None = None,
) -> tuple[list[int], dict[str, Any]]:
    """The visible candidates chosen, in id order, and how they were chosen."""
    from talentloop.pools.selectors import matching_candidates

    chosen = [candidate_ids, segment, filters, rules, talent_search]
    if sum(choice is not None for choice in chosen) != 1:
        raise InvalidInput("Choose candidates by ids, a segment, rules or a search.", field="ids")
    if talent_search is not None:
        # The search app builds on pools (its pool filter), so it is imported here.
        from talentloop.search import selectors as search_selectors

        query, search_filters = talent_search
        found = sorted(
            search_selectors.matching_ids(
                actor, query=query, filters=search_filters, limit=MAX_SELECTION + 1
            )
        )
        selection: dict[str, Any] = {"talent_search": query, "filters": search_filters.to_json()}
    elif segment is not None:
        found = _first_ids(matching_candidates(actor, segment.rules))
        selection = {"segment_id": segment.pk, "segment": segment.name}
    elif rules is not None:
        found = _first_ids(matching_candidates(actor, rules))
        selection = {"rules": rules}
    elif filters is not None:
        found = filtered_ids(actor, filters, limit=MAX_SELECTION + 1)
        selection = {"search": _describe(filters)}
    else:
        assert candidate_ids is not None
        return _visible_ids(actor, candidate_ids)
    if len(found) > MAX_SELECTION:
        raise InvalidInput(f"At most {MAX_SELECTION} candidates at a time.", field="ids")
    return found, selection


def _visible_ids(actor: Actor, candidate_ids: Sequence[Any]) -> tuple[list[int], dict[str, Any]]:
    """The listed ids the actor may see, in id order, and how many were listed."""
    if not candidate_ids:
        raise InvalidInput("Choose at least one candidate.", field="ids")
    if len(candidate_ids) > MAX_IDS:
        raise InvalidInput(f"At most {MAX_IDS} ids; use a segment for more.", field="ids")
    wanted = sorted(set(_valid_ids(candidate_ids)))
    ids: list[int] = []
    # Chunks keep each IN list under SQLite's bound-parameter limit.
    for start in range(0, len(wanted), 900):
        chunk = wanted[start : start + 900]
        ids.extend(visible_candidates(actor).filter(pk__in=chunk).values_list("id", flat=True))
    # Ids the actor may not see are dropped without saying which: the count shows it.
    return sorted(ids), {"ids": len(wanted)}


def _first_ids(queryset: QuerySet[Candidate]) -> list[int]:
    """Up to one more than MAX_SELECTION ids of `queryset`, in id order."""
    return list(queryset.order_by("id").values_list("id", flat=True)[: MAX_SELECTION + 1])


def selected_candidate_ids(
    *,
    actor: Actor,
    candidate_ids: Sequence[Any] | None = None,
    segment: Segment | None = None,
    filters: CandidateFilters | None = None,
    rules: Any = None,
    talent_search: TalentSearch | None = None,
) -> list[int]:
    """The visible candidates a bulk selection stands for, in id order (what a bulk action
    would act on); InvalidInput as start_bulk_action for a bad or too large selection."""
    return _selected_ids(actor, candidate_ids, segment, filters, rules, talent_search)[0]


def _describe(filters: CandidateFilters) -> dict[str, Any]:
    """The search's non-empty filters, JSON-ready, to say later what was selected."""
    described = dataclasses.asdict(filters)
    if filters.updated_since is not None:
        described["updated_since"] = filters.updated_since.isoformat()
    return {k: v for k, v in described.items() if v not in ("", None, False)}


@transaction.atomic
def start_bulk_action(
    *,
    actor: Actor,
    kind: str,
    candidate_ids: Sequence[Any] | None = None,
    segment: Segment | None = None,
    filters: CandidateFilters | None = None,
    rules: Any = None,
    talent_search: TalentSearch | None = None,
    pool: Pool | None = None,
    stage: PoolStage | None = None,
    tag: str = "",
) -> BulkAction:
    """Record a bulk action over the chosen candidates (explicit ids, all of a segment's
    members now, all matches of unsaved `rules`, all results of a candidate list search, or
    all matches of a talent search: query and filters) and run it: here when small, else in
    the task worker (poll its progress).

    Every kind needs the edit-candidates capability (an export hands out personal data).
    """
    _require(actor, Capability.EDIT_CANDIDATES)
    if kind not in BulkAction.Kind.values:
        raise InvalidInput(f"Action is one of: {', '.join(BulkAction.Kind.values)}.", field="kind")
    params: dict[str, Any] = {}
    if kind in (BulkAction.Kind.ADD_TO_POOL, BulkAction.Kind.MOVE_STAGE):
        if pool is None:
            raise InvalidInput("Choose a pool.", field="pool_id")
        params["pool_id"] = pool.pk
    if kind == BulkAction.Kind.MOVE_STAGE and stage is None:
        raise InvalidInput("Choose a stage.", field="stage_id")
    if stage is not None:
        if stage.workspace_id != actor.workspace.pk:
            raise InvalidInput("No such stage.", field="stage_id")
        params["stage_id"] = stage.pk
    if kind == BulkAction.Kind.TAG:
        (params["tag"],) = candidate_services.clean_tag_names([tag])
    ids, selection = _selected_ids(actor, candidate_ids, segment, filters, rules, talent_search)
    action = BulkAction.objects.create(
        workspace=actor.workspace,
        created_by=actor.user,
        api_key=actor.api_key if actor.user is None else None,
        kind=kind,
        params=params,
        selection=selection,
        candidate_ids=ids,
        total=len(ids),
    )
    if len(ids) <= INLINE_LIMIT:
        run_bulk_action(action=action, actor=actor)
        action.refresh_from_db()
    else:
        from talentloop.pools.tasks import run_bulk_action_task

        transaction.on_commit(lambda: run_bulk_action_task.enqueue(action.pk))
    return action


def run_bulk_action(*, action: BulkAction, actor: Actor) -> None:
    """Work through the action's ids from its checkpoint, one transaction per batch.

    Safe to run twice or from two workers: a batch locks the action row and skips work another
    run has already checkpointed, and each batch's writes skip what is already so.
    """
    pool = stage = None
    if "pool_id" in action.params:
        pool = Pool.objects.filter(pk=action.params["pool_id"], workspace=action.workspace).first()
    if "stage_id" in action.params:
        stage = PoolStage.objects.filter(
            pk=action.params["stage_id"], workspace=action.workspace
        ).first()
    if ("pool_id" in action.params and pool is None) or (
        "stage_id" in action.params and stage is None
    ):
        _fail(action, "The pool or stage was deleted.")
        return
    # A background run may start after the starter's role changed: a rerun would only fail
    # again, so the action stops here, with the reason.
    if not actor.can(Capability.EDIT_CANDIDATES):
        _fail(action, "The role of the person who started this no longer allows it.")
        return
    tag = None
    if action.kind == BulkAction.Kind.TAG:
        tag = candidate_services.create_tag(actor=actor, name=action.params["tag"])
    ids: list[int] = action.candidate_ids
    while True:
        with transaction.atomic():
            current = (
                BulkAction.objects.select_for_update()
                .only("processed", "status", "kind")
                .get(pk=action.pk)
            )
            if current.status in (BulkAction.Status.DONE, BulkAction.Status.FAILED):
                return
            start = current.processed
            batch = ids[start : start + BATCH_SIZE]
            if not batch:
                BulkAction.objects.filter(pk=action.pk).update(
                    status=BulkAction.Status.DONE, finished_at=timezone.now()
                )
                return
            changed = _run_batch(
                action, actor, batch, pool=pool, stage=stage, tag=tag, first=start == 0
            )
            BulkAction.objects.filter(pk=action.pk).update(
                status=BulkAction.Status.RUNNING,
                processed=start + len(batch),
                changed=F("changed") + changed,
                heartbeat_at=timezone.now(),
            )


def _fail(action: BulkAction, reason: str) -> None:
    BulkAction.objects.filter(pk=action.pk).update(
        status=BulkAction.Status.FAILED, error=reason, finished_at=timezone.now()
    )


def resumable_bulk_actions() -> list[BulkAction]:
    """Actions a stopped worker left running (no heartbeat for 2 minutes), and queued ones
    whose task was lost."""
    stale = timezone.now() - dt.timedelta(minutes=2)
    active = BulkAction.objects.filter(
        status__in=(BulkAction.Status.QUEUED, BulkAction.Status.RUNNING)
    ).defer("candidate_ids", "export_csv")
    return list(active.filter(heartbeat_at__lt=stale)) + list(
        active.filter(heartbeat_at=None, created_at__lt=stale)
    )


def _run_batch(
    action: BulkAction,
    actor: Actor,
    batch: list[int],
    *,
    pool: Pool | None,
    stage: PoolStage | None,
    tag: Any,
    first: bool,
) -> int:
    # Candidates deleted (or hidden) since the action started are skipped.
    live = list(visible_candidates(actor).filter(pk__in=batch).values_list("id", flat=True))
    if action.kind == BulkAction.Kind.ADD_TO_POOL:
        assert pool is not None
        return len(_add_batch(actor, pool, stage or _first_stage(actor), live))
    if action.kind == BulkAction.Kind.MOVE_STAGE:
        assert pool is not None and stage is not None
        return len(_move_batch(actor, pool, stage, live))
    if action.kind == BulkAction.Kind.TAG:
        return _tag_batch(actor, action, tag, live)
    return _export_batch(actor, action, live, first=first)


def _tag_batch(actor: Actor, action: BulkAction, tag: Any, candidate_ids: list[int]) -> int:
    present = set(
        CandidateTag.objects.filter(tag=tag, candidate_id__in=candidate_ids).values_list(
            "candidate_id", flat=True
        )
    )
    new_ids = [pk for pk in candidate_ids if pk not in present]
    if not new_ids:
        return 0
    CandidateTag.objects.bulk_create(
        [CandidateTag(candidate_id=pk, tag=tag) for pk in new_ids], ignore_conflicts=True
    )
    Candidate.objects.filter(pk__in=new_ids).update(updated_at=timezone.now())
    candidates = list(Candidate.objects.filter(pk__in=new_ids).only("id", "workspace_id"))
    at = timezone.now()
    candidate_services.record_activities(
        [
            Activity(
                workspace_id=candidate.workspace_id,
                candidate_id=candidate.pk,
                type=Activity.Type.UPDATED,
                channel=Activity.Channel.INTERNAL,
                actor=actor.user,
                summary=f"Tagged {tag.name}",
                payload={"fields": ["tags"], "bulk_action_id": action.pk},
                occurred_at=at,
            )
            for candidate in candidates
        ]
    )
    _audit_many(
        actor,
        audit.Action.CANDIDATE_UPDATED,
        candidates,
        extra={"tag_added": tag.name, "bulk_action_id": action.pk},
    )
    return len(new_ids)


EXPORT_COLUMNS = (
    "id",
    "first_name",
    "last_name",
    "email",
    "phone",
    "current_title",
    "current_company",
    "city",
    "region",
    "country",
    "seniority",
    "years_experience",
    "source",
    "tags",
    "created_at",
    "updated_at",
)


def _cell(value: Any) -> str:
    text = "" if value is None else str(value)
    # A cell starting with = + - @ would run as a formula in a spreadsheet (CSV injection).
    if text[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + text
    return text


def _export_batch(
    actor: Actor, action: BulkAction, candidate_ids: list[int], *, first: bool
) -> int:
    rows = candidate_rows(
        Candidate.objects.filter(pk__in=candidate_ids).order_by("id"), ("emails", "phones", "tags")
    )
    out = io.StringIO()
    writer = csv.writer(out)
    if first:
        writer.writerow(EXPORT_COLUMNS)
    for row in rows:
        emails, phones = row["emails"], row["phones"]
        record = {
            **row,
            "email": emails[0]["email"] if emails else "",
            "phone": phones[0]["number"] if phones else "",
            "tags": "; ".join(row["tags"]),
            "created_at": row["created_at"].isoformat(),
            "updated_at": row["updated_at"].isoformat(),
        }
        writer.writerow([_cell(record[column]) for column in EXPORT_COLUMNS])
    # Appended in the database: re-reading a growing file for every batch would be quadratic.
    BulkAction.objects.filter(pk=action.pk).update(
        export_csv=Concat("export_csv", Value(out.getvalue()))
    )
    # Every exported person gets an access-audit row, as a single-profile export does.
    candidates = list(
        Candidate.objects.filter(pk__in=[r["id"] for r in rows]).only(
            "id", "first_name", "last_name"
        )
    )
    _audit_many(
        actor,
        audit.Action.CANDIDATE_EXPORTED,
        candidates,
        extra={"bulk_action_id": action.pk, "format": "csv"},
    )
    return len(rows)


def _audit_many(
    actor: Actor, action: AuditEvent.Action, targets: Sequence[Candidate], *, extra: dict[str, Any]
) -> None:
    """The rows `audit.record` writes, one per target, in one INSERT per batch."""
    AuditEvent.objects.bulk_create(
        AuditEvent(
            workspace=actor.workspace,
            actor=actor.user,
            api_key=actor.api_key,
            actor_label=actor.label,
            action=action,
            target_type=target._meta.model_name or "",
            target_id=target.pk,
            target_label=str(target)[:254],
            extra=extra,
            ip=actor.ip,
        )
        for target in targets
    )


def bulk_actor(action: BulkAction) -> Actor:
    """Who a background bulk action runs as: its starter, or the workspace system actor."""
    from talentloop.accounts.selectors import member_actor
    from talentloop.accounts.services import api_key_role
    from talentloop.core.actor import system_actor
    from talentloop.core.errors import NotFound

    if action.created_by is not None:
        try:
            return member_actor(action.created_by, action.workspace)
        except NotFound:
            pass
    if action.api_key is not None and action.api_key.revoked_at is None:
        return Actor(
            workspace=action.workspace, role=api_key_role(action.api_key), api_key=action.api_key
        )
    return system_actor(action.workspace)
