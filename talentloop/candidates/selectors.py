"""Reads of candidates and their timeline, and the one way in to each object (`access_*`)."""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db import connection
from django.db.models import (
    Exists,
    OuterRef,
    Q,
    QuerySet,
    prefetch_related_objects,
)
from django.db.models.expressions import RawSQL
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from talentloop.accounts.models import User
from talentloop.accounts.roles import Capability
from talentloop.candidates import search
from talentloop.candidates.freshness import (
    EMAIL_BOUNCED,
    NOT_REFRESHED,
    PHONE_INVALID,
    REASONS,
    StaleReason,
    months_before,
    stale_reasons,
)
from talentloop.candidates.models import (
    Activity,
    Candidate,
    CandidateEmail,
    CandidateLink,
    CandidatePhone,
    CandidateTag,
    CustomFieldDefinition,
    Note,
    Source,
    Tag,
)
from talentloop.core import cursor as cursors
from talentloop.core import rows
from talentloop.core.actor import Actor
from talentloop.core.errors import Forbidden, InvalidInput, NotFound
from talentloop.core.expiring import ExpiringSet

# A role that sees only its own candidates (hiring managers) also sees the candidates
# shortlisted for the jobs it manages. Table names from the models; the user id is bound.
_SHORTLISTED_FOR_MANAGER = (
    "SELECT s.candidate_id FROM matching_matchsuggestion s "
    "JOIN jobs_job j ON j.id = s.job_id WHERE j.hiring_manager_id = %s AND s.status = 'accepted'"
)


def visible_candidates(actor: Actor) -> QuerySet[Candidate]:
    """The workspace's live candidates that `actor` may see."""
    queryset = Candidate.objects.filter(workspace=actor.workspace, deleted_at__isnull=True)
    if not actor.can(Capability.VIEW_ALL_CANDIDATES):
        if actor.user is None:
            return queryset.none()
        shortlisted = RawSQL(_SHORTLISTED_FOR_MANAGER, [actor.user_id])  # noqa: S611 - constant SQL
        queryset = queryset.filter(Q(owner_id=actor.user_id) | Q(id__in=shortlisted))
    return queryset


def access_candidate(actor: Actor, candidate_id: int, *, for_write: bool = False) -> Candidate:
    """Return the candidate if `actor` may see it, else raise NotFound.

    "Not yours" and "does not exist" look the same, on purpose. With `for_write`, a candidate
    the actor may see but not change raises Forbidden.
    """
    candidate = _access(actor, candidate_id)
    if for_write and not actor.can(Capability.EDIT_CANDIDATES):
        raise Forbidden("Your role does not allow changing candidates.")
    return candidate


Statement = tuple[str, list[Any]]


def _access(actor: Actor, candidate_id: int) -> Candidate:
    """The candidate `actor` may see; NotFound otherwise."""
    sql, params = _visible_sql(actor, candidate_id, rows.columns(Candidate, "c"))
    found = rows.fetch_one(sql, params, Candidate)
    if found is None:
        raise NotFound("No such candidate.")
    candidate: Candidate = found[0]
    return candidate


def _visible_sql(actor: Actor, candidate_id: int, select: str) -> Statement:
    """The SELECT of `select` (over the candidate row `c`) from candidate `candidate_id` if
    `actor` may see it: visible_candidates(actor).get(pk=…), hand-written, because every
    profile read starts here and compiling the ORM query cost ten times running it
    (core/rows)."""
    visible = _visible(actor, "c")
    if not isinstance(candidate_id, int) or not 0 < candidate_id < 2**63 or visible is None:
        raise NotFound("No such candidate.")
    conditions, params = visible
    sql = (
        f"SELECT {select} FROM {Candidate._meta.db_table} c "  # noqa: S608 - our own SQL
        f"WHERE c.id = %s AND {' AND '.join(conditions)}"
    )
    return sql, [candidate_id, *params]


def _visible(actor: Actor, table: str) -> tuple[list[str], list[Any]] | None:
    """`visible_candidates(actor)` as SQL conditions over the candidate table named `table`,
    and their parameters; None when the actor may see none."""
    conditions = [f"{table}.workspace_id = %s", f"{table}.deleted_at IS NULL"]
    params: list[Any] = [actor.workspace.pk]
    if not actor.can(Capability.VIEW_ALL_CANDIDATES):
        if actor.user is None:
            return None
        conditions.append(f"({table}.owner_id = %s OR {table}.id IN ({_SHORTLISTED_FOR_MANAGER}))")
        params.extend([actor.user_id, actor.user_id])
    return conditions, params


PROFILE_RELATIONS = ("owner", "emails", "phones", "links", "tags")


def load_profile(candidate: Candidate) -> Candidate:
    """Fetch the candidate's contacts and tags in one query each."""
    prefetch_related_objects([candidate], *PROFILE_RELATIONS)
    return candidate


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
        elif owner.isascii() and owner.isdigit() and int(owner) < 2**63:  # ids are 64-bit
            owner_id = int(owner)
        else:
            raise InvalidInput("Owner is a user id or 'me'.", field="owner")
    if source and source not in Source.values:
        raise InvalidInput(f"Source is one of: {', '.join(Source.values)}.", field="source")
    since = None
    if updated_since:
        try:
            since = parse_datetime(updated_since)
        except ValueError:  # well-formed but impossible, such as February 30
            since = None
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


SMALL_SET = 5_000
# The ids of tags found on more than SMALL_SET candidates in the last minute (core/expiring).
_large_tags = ExpiringSet(60.0)
_TABLE = Candidate._meta.db_table


def forget_large_filters() -> None:
    """Forget which tags and texts were found large (tests: ids come back after a rollback)."""
    _large_tags.clear()
    search.forget_common_queries()


def filtered_ids(actor: Actor, filters: CandidateFilters, *, limit: int) -> list[int]:
    """The ids of the visible candidates that pass `filters`, in id order, at most `limit`."""
    where = _where(actor, filters)
    if where is None:
        return []
    conditions, params, _ = where
    sql = (
        f"SELECT {_TABLE}.id FROM {_TABLE} WHERE {' AND '.join(conditions)} "  # noqa: S608
        f"ORDER BY {_TABLE}.id LIMIT %s"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [*params, limit])
        return [row[0] for row in cursor.fetchall()]


def _where(actor: Actor, filters: CandidateFilters) -> tuple[list[str], list[Any], bool] | None:
    """The SQL conditions (over the unaliased candidate table) and parameters that keep the
    candidates `actor` may see and `filters` let through, and whether they were narrowed to a
    short list of ids; None when nothing can match.

    Hand-written: every list page and list API call builds one, and compiling the ORM query
    cost more CPU than PostgreSQL spent running it (1.6 ms at 1M candidates).

    Text and tag filters can match a handful of rows or half the table. A handful is listed
    first and looked up by id: a rare term would otherwise walk the whole sort index looking
    for 50 rows (500 ms at 1M on SQLite). Many go in as a condition the database tests while
    walking the sort index, where a page fills early.
    """
    visible = _visible(actor, _TABLE)
    if visible is None:
        return None
    conditions, params = visible
    if not filters.include_archived:
        # Written as each database's ORM writes it in the live-candidate partial indexes'
        # WHERE, which is what lets the database use them.
        if connection.vendor == "sqlite":
            conditions.append(f"{_TABLE}.is_archived = 0")
        else:
            conditions.append(f"NOT {_TABLE}.is_archived")
    few_ids: set[int] | None = None
    if filters.text:
        text_ids = search.matching_ids(filters.text, limit=SMALL_SET)
        if text_ids is not None:
            few_ids = set(text_ids)
        # Also when listed: the probe may leave out one-letter words, this check does not.
        text, text_params = search.conditions(filters.text)
        conditions.extend(text)
        params.extend(text_params)
    if filters.tag:
        tag = _tag_id(actor, filters.tag)
        if tag is None:
            return None
        tag_ids = _tagged_ids(tag, limit=SMALL_SET)
        if tag_ids is None:
            # Probes the (candidate, tag) unique index per row; IN would first copy every
            # tagged id into a temporary index (150k ids, 100 ms, at 1M on SQLite).
            conditions.append(
                f"EXISTS (SELECT 1 FROM {CandidateTag._meta.db_table} x "  # noqa: S608
                f"WHERE x.candidate_id = {_TABLE}.id AND x.tag_id = %s)"
            )
            params.append(tag)
        else:
            few_ids = set(tag_ids) if few_ids is None else few_ids & set(tag_ids)
    if few_ids is not None:
        if not few_ids:
            return None
        if connection.vendor == "postgresql":  # one array: one prepared statement for any list
            conditions.append(f"{_TABLE}.id = ANY(%s)")
            params.append(sorted(few_ids))
        else:
            conditions.append(f"{_TABLE}.id IN ({', '.join(['%s'] * len(few_ids))})")
            params.extend(sorted(few_ids))
    if filters.owner_id is not None:
        conditions.append(f"{_TABLE}.owner_id = %s")
        params.append(filters.owner_id)
    if filters.source:
        conditions.append(f"{_TABLE}.source = %s")
        params.append(filters.source)
    if filters.updated_since:
        conditions.append(f"{_TABLE}.updated_at >= %s")
        params.append(connection.ops.adapt_datetimefield_value(filters.updated_since))
    return conditions, params, few_ids is not None


def _tag_id(actor: Actor, name: str) -> int | None:
    """The id of the workspace's tag called `name` (any case), by plain cursor: every tag
    filter asks, and the ORM query cost 0.8 ms of CPU."""
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT id FROM {Tag._meta.db_table} "  # noqa: S608 - our table
            "WHERE workspace_id = %s AND name_key = %s",
            [actor.workspace.pk, name.casefold()],
        )
        found = cursor.fetchone()
    return found[0] if found else None


def _tagged_ids(tag_id: int, *, limit: int) -> list[int] | None:
    """The ids of the tag's candidates when there are at most `limit`, else None.

    Counted on the tag index first, so a tag on half the table costs a short index scan, not
    `limit` ids through the ORM (5 ms at 1M); then fetched with a plain cursor. A tag found
    large is not counted again for a minute (the count was a quarter of the database time of
    a list page filtered by a common tag).
    """
    if (tag_id, limit) in _large_tags:
        return None
    table = CandidateTag._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT COUNT(*) FROM (SELECT 1 FROM {table} WHERE tag_id = %s LIMIT %s) t",  # noqa: S608
            [tag_id, limit + 1],
        )
        (count,) = cursor.fetchone()
        if count > limit:
            _large_tags.add((tag_id, limit))
            return None
        cursor.execute(f"SELECT candidate_id FROM {table} WHERE tag_id = %s", [tag_id])  # noqa: S608
        return [row[0] for row in cursor.fetchall()]


def _order_by(ordering: tuple[str, ...], *, by_ids: bool) -> str:
    """The ORDER BY list of `ordering` (field names, "-" for descending)."""
    # SQLite would walk the sort index and test each row against an id list; a unary plus
    # hides the index, so it fetches the listed rows by id and sorts them instead.
    plus = "+" if by_ids and connection.vendor == "sqlite" else ""
    return ", ".join(
        f"{plus}{_column(field.lstrip('-'))} {'DESC' if field.startswith('-') else 'ASC'}"
        for field in ordering
    )


@functools.cache
def _column(name: str) -> str:
    return f"{_TABLE}.{rows.field(Candidate, name).column}"


# The columns of the plain-data read model, in the API's field order.
ROW_COLUMNS = (
    "id",
    "first_name",
    "last_name",
    "headline",
    "city",
    "region",
    "country",
    "timezone",
    "current_title",
    "current_company",
    "seniority",
    "years_experience",
    "source",
    "source_detail",
    "owner_id",
    "custom_fields",
    "is_do_not_contact",
    "is_archived",
    "last_contacted_at",
    "created_at",
    "updated_at",
)


CONTACT_KINDS = ("emails", "phones", "links", "tags")


def candidate_rows(
    queryset: QuerySet[Candidate], contacts: tuple[str, ...] = CONTACT_KINDS
) -> list[dict[str, Any]]:
    """Candidates as plain dicts shaped like the API's CandidateOut, in `queryset` order.

    Lists and the API profile are the hot paths: one `.values()` query plus one query for all
    contacts and tags, and no model instances, measured 3-4x faster than prefetch_related.
    `contacts` names the lists to fill (a page that shows e-mails and tags skips the rest).
    """
    rows = [_finish_row(row) for row in queryset.values(*ROW_COLUMNS)]
    _attach_contacts(rows, contacts)
    return rows


def profile_row(candidate: Candidate) -> dict[str, Any]:
    """One already loaded candidate as a `candidate_rows` dict."""
    row = _loaded_row(candidate)
    _attach_contacts([row])
    return row


def _loaded_row(candidate: Candidate) -> dict[str, Any]:
    return _finish_row({column: getattr(candidate, column) for column in ROW_COLUMNS})


def _finish_row(row: dict[str, Any]) -> dict[str, Any]:
    years = row["years_experience"]
    row["years_experience"] = float(years) if years is not None else None
    row["full_name"] = f"{row['first_name']} {row['last_name']}".strip()
    row.update(emails=[], phones=[], links=[], tags=[])
    return row


@functools.cache
def _contacts_sql(count: int = 0, kinds: tuple[str, ...] = CONTACT_KINDS, *, of: str = "") -> str:
    """One round trip instead of four ORM queries (whose compilation dominated a profile GET).

    Columns: kind of row, candidate, value, sub-kind (for e-mails: "b" when bounced; for phones
    the kind, with "!" appended when the number was marked invalid), primary flag, order key.
    The rows are those of `count` bound candidate ids, or, with `of`, of that SQL column (a
    correlated subquery). Table names come from our models and the ids are bound parameters.
    """
    match = f"= {of}" if of else f"IN ({', '.join(['%s'] * count)})"
    primary = "CASE WHEN is_primary THEN 1 ELSE 0 END"
    parts = {
        "emails": "SELECT 0 AS kind, candidate_id AS cid, email AS value, "  # noqa: S608
        f"CASE WHEN bounced_at IS NULL THEN '' ELSE 'b' END AS sub, {primary} AS prim, id AS oid "
        f"FROM {CandidateEmail._meta.db_table} WHERE candidate_id {match}",
        "phones": "SELECT 1, candidate_id, number, "  # noqa: S608
        f"CASE WHEN invalid_at IS NULL THEN kind ELSE kind || '!' END, {primary}, id "
        f"FROM {CandidatePhone._meta.db_table} WHERE candidate_id {match}",
        "links": "SELECT 2, candidate_id, url, kind, 0, id "  # noqa: S608
        f"FROM {CandidateLink._meta.db_table} WHERE candidate_id {match}",
        "tags": "SELECT 3, x.candidate_id, t.name, t.name_key, 0, x.id "  # noqa: S608
        f"FROM {CandidateTag._meta.db_table} x JOIN {Tag._meta.db_table} t ON t.id = x.tag_id "
        f"WHERE x.candidate_id {match}",
    }
    return " UNION ALL ".join(parts[kind] for kind in kinds)


@functools.cache
def _contacts_json_sql(of: str, vendor: str) -> str:
    """A scalar subquery: the contact rows of candidate column `of` as one JSON array of
    arrays, so the profile read fetches the candidate and its contacts in one statement."""
    rows = _contacts_sql(of=of)
    if vendor == "postgresql":
        aggregate = "json_agg(json_build_array(u.kind, u.cid, u.value, u.sub, u.prim, u.oid))"
    else:
        aggregate = "json_group_array(json_array(u.kind, u.cid, u.value, u.sub, u.prim, u.oid))"
    return f"(SELECT {aggregate} FROM ({rows}) u)"  # noqa: S608 - our own SQL


def _attach_contacts(rows: list[dict[str, Any]], kinds: tuple[str, ...] = CONTACT_KINDS) -> None:
    """Fill each row's emails, phones, links and tags (primary first, then oldest first); only
    those in `kinds`, the others stay empty."""
    by_id = {row["id"]: row for row in rows}
    if not by_id:
        return
    ids = list(by_id)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # One array parameter: the same statement text for any number of ids, so it is
            # prepared once, and psycopg does not re-parse a 100-placeholder query (0.6 ms).
            cursor.execute(_contacts_sql(kinds=kinds, of="ANY(%s)"), [ids] * len(kinds))
        else:
            cursor.execute(_contacts_sql(len(ids), kinds), ids * len(kinds))
        found = cursor.fetchall()
    _fill_contacts(by_id, found)


def _fill_contacts(by_id: dict[int, dict[str, Any]], found: list[Any]) -> None:
    found.sort(key=_contact_order)
    for kind, cid, value, sub, primary, _ in found:
        row = by_id[cid]
        if kind == 0:
            row["emails"].append({"email": value, "is_primary": bool(primary)})
        elif kind == 1:
            row["phones"].append(
                {"number": value, "kind": sub.rstrip("!"), "is_primary": bool(primary)}
            )
        elif kind == 2:
            row["links"].append({"url": value, "kind": sub})
        else:
            row["tags"].append(value)


def access_profile_row(
    actor: Actor,
    candidate_id: int,
    wrap: Callable[[str, list[Any]], Statement] | None = None,
) -> dict[str, Any]:
    """The `profile_row` of a candidate `actor` may see (NotFound otherwise), for the profile
    API: one statement for the candidate and its contacts (each round trip to PostgreSQL costs
    about 0.1 ms of both processes' CPU on this machine), and a dict, not a model instance.
    `wrap` may rewrite the statement, keeping its columns (`audit.reading` does)."""
    sql, params = _visible_sql(actor, candidate_id, _profile_select(connection.vendor))
    if wrap is not None:
        sql, params = wrap(sql, params)
    found = rows.fetch_values(sql, params, Candidate, ROW_COLUMNS, extra=1)
    if found is None:
        raise NotFound("No such candidate.")
    row, contacts = found
    row = _finish_row(row)
    contacts = json.loads(contacts) if isinstance(contacts, str) else contacts
    _fill_contacts({row["id"]: row}, [tuple(item) for item in contacts or ()])
    return row


@functools.cache
def _profile_select(vendor: str) -> str:
    columns = rows.value_columns(Candidate, "c", ROW_COLUMNS)
    return f"{columns}, {_contacts_json_sql('c.id', vendor)}"


@dataclass(frozen=True)
class ProfileContacts:
    """What the profile page shows beside the candidate's own columns."""

    emails: list[dict[str, Any]]  # email, is_primary, bounced
    phones: list[dict[str, Any]]  # number, kind, label, is_primary, invalid
    links: list[dict[str, Any]]  # url, kind, label
    tags: list[str]
    owner_name: str


def profile_contacts(candidate: Candidate) -> ProfileContacts:
    """The page's contacts, tags and owner in one query (the prefetches took five)."""
    owner = (  # table names from our models; the id is a bound parameter
        " UNION ALL SELECT 4, c.id, u.full_name, u.email, 0, u.id "  # noqa: S608
        f"FROM {Candidate._meta.db_table} c "
        f"JOIN {User._meta.db_table} u ON u.id = c.owner_id WHERE c.id = %s"
    )
    sql = _contacts_sql(1) + owner
    with connection.cursor() as cursor:
        cursor.execute(sql, [candidate.pk] * 5)
        found = cursor.fetchall()
    found.sort(key=_contact_order)
    phone_kinds = dict(CandidatePhone.Kind.choices)
    link_kinds = dict(CandidateLink.Kind.choices)
    contacts = ProfileContacts(emails=[], phones=[], links=[], tags=[], owner_name="")
    owner_name = ""
    for kind, _, value, sub, primary, _ in found:
        if kind == 0:
            contacts.emails.append(
                {"email": value, "is_primary": bool(primary), "bounced": sub == "b"}
            )
        elif kind == 1:
            kind_key = sub.rstrip("!")
            contacts.phones.append(
                {
                    "number": value,
                    "kind": kind_key,
                    "label": phone_kinds.get(kind_key, kind_key),
                    "is_primary": bool(primary),
                    "invalid": sub.endswith("!"),
                }
            )
        elif kind == 2:
            contacts.links.append({"url": value, "kind": sub, "label": link_kinds.get(sub, sub)})
        elif kind == 3:
            contacts.tags.append(value)
        else:  # the owner: User.display_name from its two columns
            owner_name = value or sub.split("@")[0]
    return dataclasses.replace(contacts, owner_name=owner_name)


def _contact_order(row: tuple[Any, ...]) -> tuple[Any, ...]:
    """Primary first, then oldest first; tags by name."""
    return (row[0], -row[4], row[3] if row[0] == 3 else "", row[5])


def candidate_page(
    actor: Actor,
    filters: CandidateFilters,
    *,
    sort: str = "-updated_at",
    cursor: str = "",
    limit: int = 50,
    contacts: tuple[str, ...] = CONTACT_KINDS,
) -> tuple[list[dict[str, Any]], str | None]:
    """One page of candidates (as `candidate_rows` dicts) and the next page's cursor (or None).

    Keyset pagination: the cursor holds the last row's sort values, so page 20,000 costs what
    page 1 costs.
    """
    if sort not in SORTS:
        raise InvalidInput(f"Sort is one of: {', '.join(SORTS)}.", field="sort")
    if not 1 <= limit <= MAX_PAGE:
        raise InvalidInput(f"Limit is 1 to {MAX_PAGE}.", field="limit")
    ordering = SORTS[sort]
    after = _after(ordering, cursors.decode(cursor, size=len(ordering))) if cursor else None
    where = _where(actor, filters)
    if where is None:
        return [], None
    conditions, params, by_ids = where
    if after is not None:
        conditions.append(after[0])
        params.extend(after[1])
    sql = (
        f"SELECT {rows.value_columns(Candidate, _TABLE, ROW_COLUMNS)} FROM {_TABLE} "  # noqa: S608
        f"WHERE {' AND '.join(conditions)} ORDER BY {_order_by(ordering, by_ids=by_ids)} "
        "LIMIT %s"
    )
    page = [
        _finish_row(row)
        for row in rows.fetch_all_values(sql, [*params, limit + 1], Candidate, ROW_COLUMNS)
    ]
    next_cursor = None
    if len(page) > limit:
        page = page[:limit]
        next_cursor = cursors.encode([page[-1][field.lstrip("-")] for field in ordering])
    _attach_contacts(page, contacts)
    return page, next_cursor


def _cursor_values(ordering: tuple[str, ...], values: list[Any]) -> list[tuple[str, str, Any]]:
    """(field, "<" or ">", value) for each sort field of a client's cursor, each value's type
    checked before it reaches SQL (and a date-time adapted for it); InvalidInput for a bad
    one."""
    parsed = []
    for field, value in zip(ordering, values, strict=True):
        name = field.lstrip("-")
        if name.endswith("_at"):
            try:
                moment = parse_datetime(value) if isinstance(value, str) else None
            except ValueError:
                moment = None
            if moment is None:
                raise InvalidInput("This cursor is not valid.", field="cursor")
            value = connection.ops.adapt_datetimefield_value(moment)
        elif name == "id":
            if type(value) is not int or not -(2**63) <= value < 2**63:
                raise InvalidInput("This cursor is not valid.", field="cursor")
        elif not isinstance(value, str) or "\x00" in value:
            raise InvalidInput("This cursor is not valid.", field="cursor")
        parsed.append((name, "<" if field.startswith("-") else ">", value))
    return parsed


def _after(ordering: tuple[str, ...], values: list[Any]) -> tuple[str, list[Any]]:
    """Rows strictly after `values` in `ordering`: (a > x) or (a = x and b > y) or ..."""
    parsed = _cursor_values(ordering, values)
    alternatives, params = [], []
    for index, (name, op, value) in enumerate(parsed):
        equal = [f"{_column(earlier)} = %s" for earlier, _, _ in parsed[:index]]
        alternatives.append(f"({' AND '.join([*equal, f'{_column(name)} {op} %s'])})")
        params.extend([*(earlier_value for _, _, earlier_value in parsed[:index]), value])
    return f"({' OR '.join(alternatives)})", params


TIMELINE_ORDER = ("-occurred_at", "-id")


def candidate_timeline(
    actor: Actor,
    candidate: Candidate,
    *,
    limit: int = 50,
    cursor: str = "",
    types: list[str] | None = None,
) -> tuple[list[Activity], str | None]:
    """The candidate's touchpoints, newest first, each with its actor and (for notes) its note
    loaded. Private notes show to their author only.

    Hand-written SQL (`core/rows`): every profile view reads it, and compiling the ORM query
    with its select_related and prefetch cost more than running it.
    """
    if not 1 <= limit <= 10_000:
        raise InvalidInput("Limit is 1 to 10000.", field="limit")
    where = ["a.candidate_id = %s", "(a.private_to_id IS NULL OR a.private_to_id = %s)"]
    params: list[Any] = [candidate.pk, actor.user_id]
    if types:
        unknown = set(types) - set(Activity.Type.values)
        if unknown:
            raise InvalidInput(f"Unknown type {sorted(unknown)[0]!r}.", field="type")
        where.append(f"a.type IN ({', '.join(['%s'] * len(types))})")
        params.extend(types)
    if cursor:
        (_, _, at), (_, _, last_id) = _cursor_values(TIMELINE_ORDER, cursors.decode(cursor, size=2))
        where.append("(a.occurred_at < %s OR (a.occurred_at = %s AND a.id < %s))")
        params.extend([at, at, last_id])
    sql = (
        f"SELECT {rows.columns(Activity, 'a')}, {rows.columns(User, 'u')} "  # noqa: S608
        f"FROM {Activity._meta.db_table} a LEFT JOIN {User._meta.db_table} u "
        f"ON u.id = a.actor_id WHERE {' AND '.join(where)} "
        "ORDER BY a.occurred_at DESC, a.id DESC LIMIT %s"
    )
    found = rows.fetch_all(sql, [*params, limit + 1], Activity, User)
    activities: list[Activity] = []
    for activity, user in found:
        activity._state.fields_cache["actor"] = user
        activities.append(activity)
    next_cursor = None
    if len(activities) > limit:
        activities = activities[:limit]
        next_cursor = cursors.encode([activities[-1].occurred_at, activities[-1].pk])
    _attach_notes(activities)
    return activities, next_cursor


def _attach_notes(activities: list[Activity]) -> None:
    """Load each note entry's Note in one query, as prefetch_related("note") would: entries
    without one raise Activity.note.RelatedObjectDoesNotExist, without a query."""
    ids = [a.pk for a in activities if a.type == Activity.Type.NOTE]
    notes = (
        {note.activity_id: note for note in Note.objects.filter(activity_id__in=ids)} if ids else {}
    )
    for activity in activities:
        note = notes.get(activity.pk)
        if note is not None:
            note._state.fields_cache["activity"] = activity
        activity._state.fields_cache["note"] = note


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
    try:
        access_candidate(actor, note.candidate_id)
    except NotFound:  # answer as for a missing note, so the note's existence does not show
        raise NotFound("No such note.") from None
    return note


def access_tag(actor: Actor, tag_id: int) -> Tag:
    try:
        return Tag.objects.get(pk=tag_id, workspace=actor.workspace)
    except (Tag.DoesNotExist, ValueError, TypeError, OverflowError):
        raise NotFound("No such tag.") from None


def access_custom_field(actor: Actor, key: str) -> CustomFieldDefinition:
    try:
        if "\x00" in key:  # PostgreSQL cannot even compare text holding NUL
            raise CustomFieldDefinition.DoesNotExist
        return CustomFieldDefinition.objects.get(key=key, workspace=actor.workspace)
    except CustomFieldDefinition.DoesNotExist:
        raise NotFound("No such custom field.") from None


def workspace_tags(actor: Actor) -> QuerySet[Tag]:
    return Tag.objects.filter(workspace=actor.workspace)


def tag_names(actor: Actor, *, limit: int = 200) -> list[tuple[str, str]]:
    """(name, name_key) of the first `limit` tags in name order, for filter menus. By plain
    cursor: the candidate list asks on every page, and the ORM query cost 0.9 ms of CPU."""
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT name, name_key FROM {Tag._meta.db_table} "  # noqa: S608 - our table
            "WHERE workspace_id = %s ORDER BY name_key LIMIT %s",
            [actor.workspace.pk, limit],
        )
        return [(name, key) for name, key in cursor.fetchall()]


def custom_field_definitions(actor: Actor) -> list[CustomFieldDefinition]:
    """The workspace's custom fields in their order; hand-written SQL (`core/rows`), since
    every profile page reads them."""
    sql = (
        f"SELECT {rows.columns(CustomFieldDefinition, 'd')} "  # noqa: S608 - our own SQL
        f"FROM {CustomFieldDefinition._meta.db_table} d WHERE d.workspace_id = %s "
        "ORDER BY d.position, d.id"
    )
    return [found[0] for found in rows.fetch_all(sql, [actor.workspace.pk], CustomFieldDefinition)]


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


# --- stale data ----------------------------------------------------------------------------

REFRESH_PAGE = 50


def profile_stale_reasons(
    actor: Actor, candidate: Candidate, contacts: ProfileContacts
) -> list[StaleReason]:
    """Why the profile needs a refresh, from what the page already loaded (no query)."""
    return stale_reasons(
        updated_at=candidate.updated_at,
        months=actor.workspace.stale_after_months,
        now=timezone.now(),
        bounced_emails=[e["email"] for e in contacts.emails if e["bounced"]],
        invalid_phones=[p["number"] for p in contacts.phones if p["invalid"]],
    )


def _refresh_conditions(actor: Actor) -> dict[str, Q]:
    months = actor.workspace.stale_after_months
    bounced = Exists(
        CandidateEmail.objects.filter(candidate=OuterRef("pk"), bounced_at__isnull=False)
    )
    invalid = Exists(
        CandidatePhone.objects.filter(candidate=OuterRef("pk"), invalid_at__isnull=False)
    )
    conditions = {EMAIL_BOUNCED: Q(bounced), PHONE_INVALID: Q(invalid)}
    if months:
        cutoff = months_before(timezone.now(), months)
        conditions = {NOT_REFRESHED: Q(updated_at__lt=cutoff), **conditions}
    return conditions


def needs_refresh(
    actor: Actor, *, reason: str = "", cursor: str = "", limit: int = REFRESH_PAGE
) -> tuple[list[Candidate], str | None]:
    """The "needs refresh" queue: live candidates with a stale-data reason, least recently
    refreshed first, one keyset page at a time (the cursor holds the last row's updated_at
    and id). `reason` narrows it to one rule."""
    if reason and reason not in REASONS:
        raise InvalidInput(f"Reason is one of: {', '.join(REASONS)}.", field="reason")
    if not 1 <= limit <= MAX_PAGE:
        raise InvalidInput(f"Limit is 1 to {MAX_PAGE}.", field="limit")
    conditions = _refresh_conditions(actor)
    if reason and reason not in conditions:
        return [], None  # the age rule is switched off in this workspace
    wanted = [conditions[reason]] if reason else list(conditions.values())
    condition = wanted[0]
    for other in wanted[1:]:
        condition |= other
    queryset = visible_candidates(actor).filter(condition, is_archived=False)
    if cursor:
        updated, last_id = cursors.decode(cursor, size=2)
        when = parse_datetime(updated) if isinstance(updated, str) else None
        if when is None or not isinstance(last_id, int):
            raise InvalidInput("This cursor is not valid.", field="cursor")
        queryset = queryset.filter(Q(updated_at__gt=when) | Q(updated_at=when, id__gt=last_id))
    page = list(queryset.order_by("updated_at", "id")[: limit + 1])
    more = len(page) > limit
    page = page[:limit]
    next_cursor = cursors.encode([page[-1].updated_at, page[-1].pk]) if more else None
    return page, next_cursor


def refresh_counts(actor: Actor, *, cap: int = 10_000) -> dict[str, int]:
    """How many candidates each rule flags, counted up to `cap` (the page shows "10,000+")."""
    base = visible_candidates(actor).filter(is_archived=False)
    return {
        code: base.filter(condition)[: cap + 1].count()
        for code, condition in _refresh_conditions(actor).items()
    }


def stale_reasons_for(actor: Actor, candidate: Candidate) -> list[StaleReason]:
    """The reasons for one candidate (for the API and, later, outreach warnings)."""
    return profile_stale_reasons(actor, candidate, profile_contacts(candidate))


def refresh_reasons(actor: Actor, page: list[Candidate]) -> dict[int, list[StaleReason]]:
    """Each queued candidate's reasons, from two queries for the whole page."""
    ids = [c.pk for c in page]
    bounced: dict[int, list[str]] = {i: [] for i in ids}
    invalid: dict[int, list[str]] = {i: [] for i in ids}
    emails = CandidateEmail.objects.filter(candidate_id__in=ids, bounced_at__isnull=False)
    for candidate_id, email in emails.order_by("id").values_list("candidate_id", "email"):
        bounced[candidate_id].append(email)
    phones = CandidatePhone.objects.filter(candidate_id__in=ids, invalid_at__isnull=False)
    for candidate_id, number in phones.order_by("id").values_list("candidate_id", "number"):
        invalid[candidate_id].append(number)
    now = timezone.now()
    return {
        c.pk: stale_reasons(
            updated_at=c.updated_at,
            months=actor.workspace.stale_after_months,
            now=now,
            bounced_emails=bounced[c.pk],
            invalid_phones=invalid[c.pk],
        )
        for c in page
    }
