"""Reads of duplicate suggestions, merges and scans; identity lookups; the `access_*` ways in."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db.models import Q, QuerySet
from django.utils import timezone

from talentloop.accounts.models import Workspace
from talentloop.accounts.roles import Capability
from talentloop.candidates.models import Candidate, CandidateEmail, CandidateLink, CandidatePhone
from talentloop.candidates.normalize import (
    NormalizationError,
    normalize_email,
    normalize_phone,
    normalize_url,
)
from talentloop.core import cursor as cursors
from talentloop.core.actor import Actor
from talentloop.core.errors import InvalidInput, NotFound
from talentloop.duplicates.matching import Person
from talentloop.duplicates.models import DuplicateScan, DuplicateSuggestion, Merge

UNDO_DAYS = 30
MAX_PAGE = 200
# The fields a merge chooses one value for, in the order the compare page shows them.
MERGE_FIELDS = {
    "first_name": "First name",
    "last_name": "Last name",
    "headline": "Headline",
    "current_title": "Title",
    "current_company": "Company",
    "city": "City",
    "region": "Region",
    "country": "Country",
    "timezone": "Time zone",
    "seniority": "Seniority",
    "years_experience": "Years of experience",
    "source": "Source",
    "source_detail": "Source detail",
    "owner_id": "Owner",
}
PERSON_COLUMNS = (
    "id",
    "first_name",
    "last_name",
    "city",
    "region",
    "country",
    "current_company",
    "current_title",
    "custom_fields",
)


def person_of(row: dict[str, Any]) -> Person:
    """A `PERSON_COLUMNS` values() row as the matching module's Person."""
    return Person(
        first_name=row["first_name"],
        last_name=row["last_name"],
        city=row["city"],
        region=row["region"],
        country=row["country"],
        company=row["current_company"],
        title=row["current_title"],
        custom=custom_values(row.get("custom_fields") or {}),
    )


def custom_values(fields: dict[str, Any]) -> tuple[tuple[str, str], ...]:
    """Custom field values that can tell people apart, as text: text, numbers and dates. A
    yes/no or a list of choices is shared by too many people to say who someone is."""
    return tuple(
        sorted(
            (key, str(value).strip())
            for key, value in fields.items()
            if isinstance(value, str | int | float)
            and not isinstance(value, bool)
            and str(value).strip()
        )
    )


# --- identity -----------------------------------------------------------------------------


def identity_keys(
    *,
    emails: Iterable[str] = (),
    phones: Iterable[str] = (),
    links: Iterable[str] = (),
    default_region: str = "",
) -> tuple[set[str], set[str], set[str]]:
    """Normalized e-mails, E.164 phones and profile URLs; values that do not parse are skipped."""
    found: tuple[set[str], set[str], set[str]] = (set(), set(), set())
    for index, (values, normalize) in enumerate(
        (
            (emails, normalize_email),
            (phones, lambda v: normalize_phone(v, default_region=default_region)),
            (links, normalize_url),
        )
    ):
        for value in values:
            try:
                found[index].add(normalize(value))
            except NormalizationError:
                continue
    return found


def find_identity_match(
    workspace: Workspace,
    emails: Iterable[str] = (),
    phones: Iterable[str] = (),
    links: Iterable[str] = (),
) -> Candidate | None:
    """The live candidate of `workspace` with one of these e-mails, phones or profile links.

    Values are normalized first (e-mail case, E.164 with the workspace's default region, URL
    scheme/www/query/trailing slash), so "Bob@X.com" finds "bob@x.com". E-mail wins over
    phone over link; within one kind the oldest candidate wins. Only LinkedIn and GitHub
    links identify a person: a company website is shared by many. None if nothing matches.
    """
    email_set, phone_set, link_set = identity_keys(
        emails=emails, phones=phones, links=links, default_region=workspace.default_phone_region
    )
    live = Q(candidate__deleted_at__isnull=True)
    lookups: list[QuerySet[Any]] = []
    if email_set:
        lookups.append(
            CandidateEmail.objects.filter(live, workspace=workspace, email__in=email_set)
        )
    if phone_set:
        lookups.append(
            CandidatePhone.objects.filter(live, workspace=workspace, number__in=phone_set)
        )
    profiles = {
        url
        for url in link_set
        if url.startswith(("https://linkedin.com/", "https://github.com/"))
        or ".linkedin.com/" in url
    }
    if profiles:
        lookups.append(
            CandidateLink.objects.filter(
                live,
                workspace=workspace,
                url__in=profiles,
                kind__in=[CandidateLink.Kind.LINKEDIN, CandidateLink.Kind.GITHUB],
            )
        )
    for queryset in lookups:
        candidate_id = (
            queryset.order_by("candidate_id").values_list("candidate_id", flat=True).first()
        )
        if candidate_id is not None:
            return Candidate.objects.get(pk=candidate_id)
    return None


# --- suggestions --------------------------------------------------------------------------


def visible_suggestions(actor: Actor) -> QuerySet[DuplicateSuggestion]:
    """The workspace's suggestions between two live candidates, for roles that see everyone.

    A role that sees only its own candidates sees no pairs: the other half would show.
    """
    queryset = DuplicateSuggestion.objects.filter(
        workspace=actor.workspace, left__deleted_at__isnull=True, right__deleted_at__isnull=True
    )
    if not actor.can(Capability.VIEW_ALL_CANDIDATES):
        return queryset.none()
    return queryset


def access_suggestion(actor: Actor, suggestion_id: int) -> DuplicateSuggestion:
    """The suggestion if `actor` may see it; NotFound for another workspace's, as for none."""
    try:
        return (
            DuplicateSuggestion.objects.filter(workspace=actor.workspace)
            .filter(pk__in=visible_suggestions(actor).values("pk"))
            .select_related("left", "right", "decided_by")
            .get(pk=suggestion_id)
        )
    except (DuplicateSuggestion.DoesNotExist, ValueError, TypeError, OverflowError):
        raise NotFound("No such duplicate suggestion.") from None


@dataclass(frozen=True)
class SuggestionFilters:
    status: str = DuplicateSuggestion.Status.OPEN
    min_score: float = 0.0


def parse_suggestion_filters(*, status: str = "open", min_score: str = "") -> SuggestionFilters:
    """Turn query-string values into filters; raise InvalidInput naming the bad parameter."""
    if status not in DuplicateSuggestion.Status.values:
        allowed = ", ".join(DuplicateSuggestion.Status.values)
        raise InvalidInput(f"Status is one of: {allowed}.", field="status")
    score = 0.0
    if min_score:
        try:
            score = float(min_score)
        except ValueError:
            score = -1.0
        if not 0.0 <= score <= 1.0:  # also refuses NaN
            raise InvalidInput("Min score is a number from 0 to 1.", field="min_score")
    return SuggestionFilters(status=status, min_score=score)


def suggestion_page(
    actor: Actor, filters: SuggestionFilters, *, cursor: str = "", limit: int = 50
) -> tuple[list[DuplicateSuggestion], str | None]:
    """One page of suggestions, best score first, and the next page's cursor (or None)."""
    if not 1 <= limit <= MAX_PAGE:
        raise InvalidInput(f"Limit is 1 to {MAX_PAGE}.", field="limit")
    queryset = visible_suggestions(actor).filter(
        status=filters.status, score__gte=filters.min_score
    )
    if cursor:
        score, last_id = cursors.decode(cursor, size=2)
        if (
            not isinstance(score, int | float)
            or isinstance(score, bool)
            or not isinstance(last_id, int)
            or isinstance(last_id, bool)
        ):
            raise InvalidInput("This cursor is not valid.", field="cursor")
        queryset = queryset.filter(Q(score__lt=score) | Q(score=score, id__lt=last_id))
    rows = list(
        queryset.select_related("left", "right", "decided_by").order_by("-score", "-id")[
            : limit + 1
        ]
    )
    next_cursor = None
    if len(rows) > limit:
        rows = rows[:limit]
        next_cursor = cursors.encode([rows[-1].score, rows[-1].pk])
    return rows, next_cursor


def clusters(suggestions: Iterable[DuplicateSuggestion]) -> list[list[DuplicateSuggestion]]:
    """Group pairs that share a candidate (A~B and B~C are one cluster), in first-seen order."""
    parent: dict[int, int] = {}

    def root(node: int) -> int:
        while parent.setdefault(node, node) != node:
            parent[node] = parent[parent[node]]
            node = parent[node]
        return node

    pairs = list(suggestions)
    for pair in pairs:
        parent[root(pair.left_id)] = root(pair.right_id)
    grouped: dict[int, list[DuplicateSuggestion]] = {}
    for pair in pairs:
        grouped.setdefault(root(pair.left_id), []).append(pair)
    return list(grouped.values())


def _display(candidate: Candidate, field: str) -> str:
    if field == "owner_id":
        return candidate.owner.display_name if candidate.owner else ""
    value = getattr(candidate, field)
    if field in {"seniority", "source"}:
        return str(getattr(candidate, f"get_{field}_display")())
    return "" if value is None else str(value)


def side_by_side(suggestion: DuplicateSuggestion) -> list[dict[str, Any]]:
    """Each mergeable field with both values and the id the merge takes it from by default."""
    left, right = suggestion.left, suggestion.right
    newer, older = (right, left) if right.updated_at >= left.updated_at else (left, right)
    fields: list[dict[str, Any]] = []
    for name, label in MERGE_FIELDS.items():
        values = {left.pk: getattr(left, name), right.pk: getattr(right, name)}
        default = newer.pk if values[newer.pk] not in (None, "") else older.pk
        fields.append(
            {
                "name": name,
                "label": label,
                "left": _display(left, name),
                "right": _display(right, name),
                "same": values[left.pk] == values[right.pk],
                "default": default,
            }
        )
    for key in sorted(set(left.custom_fields) | set(right.custom_fields)):
        a, b = left.custom_fields.get(key), right.custom_fields.get(key)
        default = newer.pk if newer.custom_fields.get(key) not in (None, "") else older.pk
        fields.append(
            {
                "name": f"custom_fields.{key}",
                "label": key,
                "left": "" if a is None else str(a),
                "right": "" if b is None else str(b),
                "same": a == b,
                "default": default,
            }
        )
    return fields


# --- merges and scans ---------------------------------------------------------------------


def undo_deadline(merge: Merge) -> dt.datetime:
    return merge.created_at + dt.timedelta(days=UNDO_DAYS)


def can_undo(merge: Merge) -> bool:
    return merge.undone_at is None and timezone.now() <= undo_deadline(merge)


def access_merge(actor: Actor, merge_id: int) -> Merge:
    """The merge if it is in `actor`'s workspace and `actor` sees everyone; else NotFound."""
    try:
        if not actor.can(Capability.VIEW_ALL_CANDIDATES):
            raise Merge.DoesNotExist
        return Merge.objects.select_related("survivor", "other", "created_by").get(
            pk=merge_id, workspace=actor.workspace
        )
    except (Merge.DoesNotExist, ValueError, TypeError, OverflowError):
        raise NotFound("No such merge.") from None


def recent_merges(actor: Actor, *, limit: int = 50) -> list[Merge]:
    """The workspace's latest merges, newest first."""
    if not actor.can(Capability.VIEW_ALL_CANDIDATES):
        return []
    return list(
        Merge.objects.filter(workspace=actor.workspace)
        .select_related("survivor", "other", "created_by")
        .order_by("-created_at", "-id")[:limit]
    )


def access_scan(actor: Actor, scan_id: int) -> DuplicateScan:
    try:
        return DuplicateScan.objects.get(pk=scan_id, workspace=actor.workspace)
    except (DuplicateScan.DoesNotExist, ValueError, TypeError, OverflowError):
        raise NotFound("No such scan.") from None


def latest_scan(actor: Actor) -> DuplicateScan | None:
    return (
        DuplicateScan.objects.filter(workspace=actor.workspace)
        .order_by("-created_at", "-id")
        .first()
    )


def scan_status(scan: DuplicateScan) -> dict[str, Any]:
    """The progress a page or API client polls."""
    return {
        "id": scan.pk,
        "status": scan.status,
        "phase": scan.phase,
        "percent": scan.percent,
        "processed": scan.candidates_indexed,
        "total": scan.candidates_total,
        "suggestions_found": scan.suggestions_found,
        "error": scan.error,
        "created_at": scan.created_at,
        "finished_at": scan.finished_at,
    }
