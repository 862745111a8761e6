"""Reads of candidates and their timeline, and the one way in to each object (`access_*`)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import Prefetch, Q, QuerySet, prefetch_related_objects
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from talentloop.accounts.roles import Capability
from talentloop.candidates import search
from talentloop.candidates.models import (
    Activity,
    Candidate,
    CandidateTag,
    CustomFieldDefinition,
    Note,
    Source,
    Tag,
)
from talentloop.core import cursor as cursors
from talentloop.core.actor import Actor
from talentloop.core.errors import Forbidden, InvalidInput, NotFound


def visible_candidates(actor: Actor) -> QuerySet[Candidate]:
    """The workspace's live candidates that `actor` may see."""
    queryset = Candidate.objects.filter(workspace=actor.workspace, deleted_at__isnull=True)
    if not actor.can(Capability.VIEW_ALL_CANDIDATES):
        queryset = queryset.filter(owner_id=actor.user_id) if actor.user else queryset.none()
    return queryset


def access_candidate(actor: Actor, candidate_id: int, *, for_write: bool = False) -> Candidate:
    """Return the candidate if `actor` may see it, else raise NotFound.

    "Not yours" and "does not exist" look the same, on purpose. With `for_write`, a candidate
    the actor may see but not change raises Forbidden.
    """
    try:
        candidate = visible_candidates(actor).select_related("owner").get(pk=candidate_id)
    except (Candidate.DoesNotExist, ValueError, TypeError, OverflowError):
        raise NotFound("No such candidate.") from None
    if for_write and not actor.can(Capability.EDIT_CANDIDATES):
        raise Forbidden("Your role does not allow changing candidates.")
    return candidate


PROFILE_RELATIONS = ("emails", "phones", "links", "tags")


def load_profile(candidate: Candidate) -> Candidate:
    """Fetch the candidate's contacts and tags in one query each."""
    prefetch_related_objects([candidate], *PROFILE_RELATIONS)
    return candidate


def with_profile(queryset: QuerySet[Candidate]) -> QuerySet[Candidate]:
    """Prefetch what a profile shows (contacts and tags) in four queries however many rows."""
    return queryset.select_related("owner").prefetch_related(*PROFILE_RELATIONS)


@dataclass(frozen=True)
class CandidateFilters:
    text: str = ""
    tag: str = ""
    owner_id: int | None = None
    source: str = ""
    updated_since: dt.datetime | None = None
    include_archived: bool = False


SORTS: dict[str, tuple[str, ...]] = {
    # name -> ordering; every ordering ends in id so the keyset is unique
    "-updated_at": ("-updated_at", "-id"),
    "updated_at": ("updated_at", "id"),
    "-created_at": ("-created_at", "-id"),
    "created_at": ("created_at", "id"),
    "last_name": ("last_name", "first_name", "id"),
    "-last_name": ("-last_name", "-first_name", "-id"),
}
MAX_PAGE = 200


def parse_filters(
    *,
    text: str = "",
    tag: str = "",
    owner: str = "",
    source: str = "",
    updated_since: str = "",
    include_archived: bool = False,
    me: int | None = None,
) -> CandidateFilters:
    """Turn query-string values into filters; raise InvalidInput naming the bad parameter."""
    owner_id: int | None = None
    if owner:
        if owner == "me" and me is not None:
            owner_id = me
        elif owner.isdigit():
            owner_id = int(owner)
        else:
            raise InvalidInput("Owner is a user id or 'me'.", field="owner")
    if source and source not in Source.values:
        raise InvalidInput(f"Source is one of: {', '.join(Source.values)}.", field="source")
    since = None
    if updated_since:
        since = parse_datetime(updated_since)
        if since is None:
            raise InvalidInput(
                "Use an ISO 8601 date-time, e.g. 2026-01-31T09:00:00Z.", field="updated_since"
            )
        if timezone.is_naive(since):
            since = timezone.make_aware(since, dt.UTC)
    if len(text) > 200:
        raise InvalidInput("At most 200 characters.", field="q")
    return CandidateFilters(
        text=text.strip(),
        tag=tag.strip(),
        owner_id=owner_id,
        source=source,
        updated_since=since,
        include_archived=include_archived,
    )


def filtered_candidates(actor: Actor, filters: CandidateFilters) -> QuerySet[Candidate]:
    queryset = visible_candidates(actor)
    if not filters.include_archived:
        queryset = queryset.filter(is_archived=False)
    if filters.text:
        queryset = search.matching(queryset, filters.text)
    if filters.tag:
        tagged = CandidateTag.objects.filter(
            tag__workspace=actor.workspace, tag__name_key=filters.tag.casefold()
        ).values("candidate_id")
        queryset = queryset.filter(id__in=tagged)
    if filters.owner_id is not None:
        queryset = queryset.filter(owner_id=filters.owner_id)
    if filters.source:
        queryset = queryset.filter(source=filters.source)
    if filters.updated_since:
        queryset = queryset.filter(updated_at__gte=filters.updated_since)
    return queryset


def _keyset_value(candidate: Candidate, field: str) -> Any:
    return getattr(candidate, field.lstrip("-"))


def candidate_page(
    actor: Actor,
    filters: CandidateFilters,
    *,
    sort: str = "-updated_at",
    cursor: str = "",
    limit: int = 50,
) -> tuple[list[Candidate], str | None]:
    """One page of candidates and the cursor of the next page (None on the last page).

    Keyset pagination: the cursor holds the last row's sort values, so page 20,000 costs what
    page 1 costs.
    """
    if sort not in SORTS:
        raise InvalidInput(f"Sort is one of: {', '.join(SORTS)}.", field="sort")
    if not 1 <= limit <= MAX_PAGE:
        raise InvalidInput(f"Limit is 1 to {MAX_PAGE}.", field="limit")
    ordering = SORTS[sort]
    queryset = filtered_candidates(actor, filters)
    if cursor:
        values = cursors.decode(cursor, size=len(ordering))
        queryset = queryset.filter(_after(ordering, values))
    rows = list(with_profile(queryset.order_by(*ordering))[: limit + 1])
    next_cursor = None
    if len(rows) > limit:
        rows = rows[:limit]
        next_cursor = cursors.encode([_keyset_value(rows[-1], f) for f in ordering])
    return rows, next_cursor


def _after(ordering: tuple[str, ...], values: list[Any]) -> Q:
    """Rows strictly after `values` in `ordering`: (a > x) or (a = x and b > y) or ..."""
    parsed = []
    for field, value in zip(ordering, values, strict=True):
        name = field.lstrip("-")
        if name.endswith("_at"):
            moment = parse_datetime(value) if isinstance(value, str) else None
            if moment is None:
                raise InvalidInput("This cursor is not valid.", field="cursor")
            value = moment
        elif name == "id" and not isinstance(value, int):
            raise InvalidInput("This cursor is not valid.", field="cursor")
        parsed.append((name, "lt" if field.startswith("-") else "gt", value))
    condition = Q()
    for index, (name, op, value) in enumerate(parsed):
        step = Q(**{f"{name}__{op}": value})
        for earlier, _, earlier_value in parsed[:index]:
            step &= Q(**{earlier: earlier_value})
        condition |= step
    return condition


def candidate_timeline(
    actor: Actor,
    candidate: Candidate,
    *,
    limit: int = 50,
    cursor: str = "",
    types: list[str] | None = None,
) -> tuple[list[Activity], str | None]:
    """The candidate's touchpoints, newest first. Private notes show to their author only."""
    if not 1 <= limit <= 10_000:
        raise InvalidInput("Limit is 1 to 10000.", field="limit")
    queryset = Activity.objects.filter(candidate=candidate).filter(
        Q(private_to__isnull=True) | Q(private_to_id=actor.user_id)
    )
    if types:
        unknown = set(types) - set(Activity.Type.values)
        if unknown:
            raise InvalidInput(f"Unknown type {sorted(unknown)[0]!r}.", field="type")
        queryset = queryset.filter(type__in=types)
    ordering = ("-occurred_at", "-id")
    if cursor:
        queryset = queryset.filter(_after(ordering, cursors.decode(cursor, size=2)))
    rows = list(
        queryset.order_by(*ordering)
        .select_related("actor")
        .prefetch_related(Prefetch("note", queryset=Note.objects.all()))[: limit + 1]
    )
    next_cursor = None
    if len(rows) > limit:
        rows = rows[:limit]
        next_cursor = cursors.encode([rows[-1].occurred_at, rows[-1].pk])
    return rows, next_cursor


def access_note(actor: Actor, note_id: int) -> Note:
    """A note on a candidate `actor` can see; private notes only for their author."""
    try:
        note = (
            Note.objects.select_related("candidate", "activity")
            .filter(Q(visibility=Note.Visibility.TEAM) | Q(author_id=actor.user_id))
            .get(pk=note_id, workspace=actor.workspace)
        )
    except (Note.DoesNotExist, ValueError, TypeError, OverflowError):
        raise NotFound("No such note.") from None
    access_candidate(actor, note.candidate_id)
    return note


def access_tag(actor: Actor, tag_id: int) -> Tag:
    try:
        return Tag.objects.get(pk=tag_id, workspace=actor.workspace)
    except (Tag.DoesNotExist, ValueError, TypeError, OverflowError):
        raise NotFound("No such tag.") from None


def access_custom_field(actor: Actor, key: str) -> CustomFieldDefinition:
    try:
        return CustomFieldDefinition.objects.get(key=key, workspace=actor.workspace)
    except CustomFieldDefinition.DoesNotExist:
        raise NotFound("No such custom field.") from None


def workspace_tags(actor: Actor) -> QuerySet[Tag]:
    return Tag.objects.filter(workspace=actor.workspace)


def custom_field_definitions(actor: Actor) -> list[CustomFieldDefinition]:
    return list(CustomFieldDefinition.objects.filter(workspace=actor.workspace))


def due_reminders(actor: Actor, *, until: dt.datetime | None = None) -> QuerySet[Note]:
    """The actor's open reminders due before `until` (default: the end of the next 7 days)."""
    until = until or timezone.now() + dt.timedelta(days=7)
    return (
        Note.objects.filter(
            workspace=actor.workspace,
            author_id=actor.user_id,
            remind_at__isnull=False,
            reminder_done_at__isnull=True,
            remind_at__lte=until,
            candidate__deleted_at__isnull=True,
        )
        .select_related("candidate")
        .order_by("remind_at")
    )


def recent_activity(actor: Actor, *, limit: int = 20) -> list[Activity]:
    """The workspace's latest touchpoints on candidates the actor can see."""
    activities = Activity.objects.filter(
        workspace=actor.workspace, candidate__deleted_at__isnull=True
    )
    if not actor.can(Capability.VIEW_ALL_CANDIDATES):
        activities = activities.filter(candidate__owner_id=actor.user_id)
    return list(
        activities.filter(Q(private_to__isnull=True) | Q(private_to_id=actor.user_id))
        .select_related("candidate", "actor")
        .order_by("-occurred_at", "-id")[:limit]
    )
