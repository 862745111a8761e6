"""Talent search: a boolean string and filters in, one keyset page of candidates out.

The text goes through the full-text index (FTS5 on SQLite, tsvectors on PostgreSQL) and drives
the query: the database reads matches newest first (candidate id descending) and tests each
against the filters until a page is full, so a common word fills a page after a few rows and a
rare one has few rows to read. Filters with no text walk the candidates by id instead.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from django.db import connection
from django.db.models import BooleanField, Exists, F, Func, OuterRef, Q, QuerySet, Subquery
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime

from talentloop.candidates.models import Candidate, CandidateTag, Seniority, Source, Tag
from talentloop.candidates.selectors import CONTACT_KINDS, candidate_rows, visible_candidates
from talentloop.compliance.models import ConsentRecord
from talentloop.core import cursor as cursors
from talentloop.core.actor import Actor
from talentloop.core.errors import InvalidInput, NotFound
from talentloop.pools.models import PoolMembership
from talentloop.pools.selectors import access_pool, access_stage, visible_pools
from talentloop.resumes.models import Resume
from talentloop.search import boolean, places, snippets
from talentloop.search.boolean import And, Node, Or, QuerySyntaxError, Term
from talentloop.search.document import YEARS_THRESHOLDS
from talentloop.search.models import GeoPoint, SavedSearch, SavedSearchAlert

MAX_PAGE = 100
# "1,000+" is as exact as a result count gets: counting every match of a common word would
# read hundreds of thousands of index entries for one number.
COUNT_CAP = 1_000
# PostgreSQL: estimated matches below which GIN bitmaps are read (`_page_ids`). One word or
# phrase is estimated closely (search/migrations/0006); several are multiplied as if
# independent and can be off 100x, so for them the bitmaps, bounded by the true matches, are
# the safe read up to many more.
PROBE_BELOW_ONE_TERM = COUNT_CAP * 3 // 2
PROBE_BELOW = 20_000
# Below this estimate the first page and its count come from one read, newest first, of up to
# COUNT_CAP + 1 matches: the bitmaps read every match anyway (few, by the estimate), so the
# probe and then the page read them twice (`skill:sql` in DE by referral, 1,125 matches at 1M:
# 2 x 20 ms). Above it an underestimate (20,000 read for 6,400 estimated) costs too much, and
# the probe stops at COUNT_CAP + 1 instead.
ONE_READ_BELOW = COUNT_CAP * 2
MAX_LIST = 50  # values in one list filter (skills, tags, seniority, source)
MAX_YEAR_WORDS = 15
DEFAULT_RADIUS_KM = 50.0
MAX_RADIUS_KM = 20_000.0  # half the Earth's circumference: everywhere


class QueryInvalid(InvalidInput):
    """A malformed search string; `position` points at the problem (0-based)."""

    code = "query_syntax"

    def __init__(self, message: str, *, position: int) -> None:
        super().__init__(message, field="q")
        self.position = position


def parse_query(text: str) -> Node | None:
    """The tree of a search string (None when blank); QueryInvalid when malformed."""
    if not text.strip():
        return None
    if "\x00" in text:  # PostgreSQL text cannot hold it; saving the search would fail
        raise QueryInvalid("The search contains a NUL character.", position=text.index("\x00"))
    try:
        return boolean.parse(text)
    except QuerySyntaxError as error:
        raise QueryInvalid(error.message, position=error.position) from None


# --- filters ----------------------------------------------------------------------------


CONSENT_CHOICES = {
    "contactable": "Not do-not-contact and no recruiting consent withdrawn by e-mail",
    "granted": "Granted recruiting consent by e-mail",
}


@dataclass(frozen=True)
class SearchFilters:
    skills: tuple[str, ...] = ()  # each must match the skills field
    location: str = ""  # words that must all be in the location field (city, region, country)
    country: str = ""  # ISO 3166-1 alpha-2
    seniority: tuple[str, ...] = ()  # any of
    years_min: float | None = None
    years_max: float | None = None
    source: tuple[str, ...] = ()  # any of
    tags: tuple[str, ...] = ()  # all of
    contacted_since: dt.datetime | None = None
    not_contacted_since: dt.datetime | None = None  # never contacted, or not since then
    consent: str = ""  # "", "contactable" or "granted"
    pool: int | None = None  # a member of this pool
    stage: int | None = None  # at this stage (in `pool`, or in any pool the actor sees)
    include_archived: bool = False
    near: str = ""  # a place (places.resolve): only candidates within radius_km of it
    radius_km: float | None = None
    extra: dict[str, Any] = field(default_factory=dict, compare=False)
    point: places.Place | None = field(default=None, compare=False)  # `near`, resolved

    def to_json(self) -> dict[str, Any]:
        """The filters as stored in a saved search (only those set)."""
        out: dict[str, Any] = {}
        for name in FILTER_NAMES:
            value = getattr(self, name)
            if value in ((), "", None, False):
                continue
            if isinstance(value, tuple):
                value = list(value)
            elif isinstance(value, dt.datetime):
                value = value.isoformat()
            out[name] = value
        return out

    @property
    def is_empty(self) -> bool:
        return not self.to_json()


FILTER_NAMES = (
    "skills",
    "location",
    "country",
    "seniority",
    "years_min",
    "years_max",
    "source",
    "tags",
    "contacted_since",
    "not_contacted_since",
    "consent",
    "pool",
    "stage",
    "include_archived",
    "near",
    "radius_km",
)


def _list(raw: Any, name: str) -> tuple[str, ...]:
    """A list filter from a JSON list or a comma-separated string."""
    if raw in (None, ""):
        return ()
    if isinstance(raw, str):
        raw = raw.split(",")
    if not isinstance(raw, list | tuple) or not all(isinstance(v, str) for v in raw):
        raise InvalidInput("A list of strings (or one comma-separated string).", field=name)
    values = tuple(dict.fromkeys(v.strip() for v in raw if v.strip()))
    if len(values) > MAX_LIST:
        raise InvalidInput(f"At most {MAX_LIST} values.", field=name)
    if any(len(v) > 100 for v in values):
        raise InvalidInput("Each value is at most 100 characters.", field=name)
    return values


def _choices(raw: Any, name: str, allowed: Iterable[str]) -> tuple[str, ...]:
    values = _list(raw, name)
    allowed = list(allowed)
    bad = [v for v in values if v not in allowed]
    if bad:
        raise InvalidInput(f"Unknown value {bad[0]!r}; one of: {', '.join(allowed)}.", field=name)
    return values


def _number(raw: Any, name: str) -> float | None:
    if raw in (None, ""):
        return None
    try:
        value = float(raw)
    except (TypeError, ValueError):
        raise InvalidInput("A number of years, e.g. 5 or 2.5.", field=name) from None
    if not 0 <= value <= 80:
        raise InvalidInput("Between 0 and 80 years.", field=name)
    return value


def _moment(raw: Any, name: str) -> dt.datetime | None:
    if raw in (None, ""):
        return None
    if not isinstance(raw, str) or len(raw) > 40:
        raise InvalidInput("A date (2026-01-31) or ISO 8601 date-time.", field=name)
    try:
        moment = parse_datetime(raw)
        day = parse_date(raw) if moment is None else None
    except ValueError:  # well-formed but impossible, such as February 30
        moment = day = None
    if moment is None and day is not None:
        moment = dt.datetime.combine(day, dt.time.min)
    if moment is None:
        raise InvalidInput("A date (2026-01-31) or ISO 8601 date-time.", field=name)
    return timezone.make_aware(moment, dt.UTC) if timezone.is_naive(moment) else moment


def _id(raw: Any, name: str) -> int | None:
    if raw in (None, ""):
        return None
    if isinstance(raw, str) and raw.isascii() and raw.isdigit():
        raw = int(raw)
    if not isinstance(raw, int) or isinstance(raw, bool) or not 0 < raw < 2**63:
        raise InvalidInput("An id (a whole number).", field=name)
    return raw


def _flag(raw: Any, name: str) -> bool:
    if raw in (None, "", False, "false", "0", "off", "no"):
        return False
    if raw in (True, "true", "1", "on", "yes"):
        return True
    raise InvalidInput("true or false.", field=name)


def _near(raw_near: Any, raw_radius: Any) -> tuple[str, float | None, places.Place | None]:
    """The distance filter: (place text, radius, the place); a radius needs a place."""
    near = raw_near if raw_near is not None else ""
    if not isinstance(near, str) or len(near) > 200:
        raise InvalidInput("A place of at most 200 characters, e.g. Berlin.", field="near")
    near = " ".join(near.split())
    radius: float | None = None
    if raw_radius not in (None, ""):
        try:
            radius = float(raw_radius)
        except (TypeError, ValueError):
            radius = None
        if radius is None or not 0 < radius <= MAX_RADIUS_KM:  # also NaN and inf
            raise InvalidInput(
                f"A distance in km, above 0 and at most {MAX_RADIUS_KM:,.0f}.", field="radius_km"
            )
    if not near:
        if radius is not None:
            raise InvalidInput("Give a place to measure the distance from.", field="near")
        return "", None, None
    point = places.resolve(near)
    if point is None:
        raise InvalidInput(
            f'Unknown place {near!r}: give a city ("Munich", "Springfield, IL", '
            f'"London, CA") or coordinates ("52.52, 13.40").',
            field="near",
        )
    return near, radius if radius is not None else DEFAULT_RADIUS_KM, point


def _has_nul(value: Any) -> bool:
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, list | tuple):
        return any(_has_nul(v) for v in value)
    return False


def parse_filters(raw: Mapping[str, Any]) -> SearchFilters:
    """Filters from a JSON object or query-string values; InvalidInput names the bad one."""
    if any(_has_nul(value) for value in raw.values()):
        raise InvalidInput("Filters cannot contain NUL characters.", field="filters")
    unknown = [name for name in raw if name not in FILTER_NAMES]
    if unknown:
        raise InvalidInput(
            f"Unknown filter {unknown[0]!r}. Filters: {', '.join(FILTER_NAMES)}.",
            field=str(unknown[0])[:50],
        )
    location = raw.get("location") or ""
    country = raw.get("country") or ""
    consent = raw.get("consent") or ""
    if not isinstance(location, str) or len(location) > 100:
        raise InvalidInput("At most 100 characters.", field="location")
    if not isinstance(country, str) or not re.fullmatch(r"([A-Za-z]{2})?", country):
        raise InvalidInput("A two-letter country code, e.g. DE.", field="country")
    if consent not in ("", *CONSENT_CHOICES):
        raise InvalidInput(f"Consent is one of: {', '.join(CONSENT_CHOICES)}.", field="consent")
    skills = _list(raw.get("skills"), "skills")
    near, radius_km, point = _near(raw.get("near"), raw.get("radius_km"))
    for skill in skills:
        if not boolean.words(skill):
            raise InvalidInput(f"{skill!r} has no letters or digits.", field="skills")
    filters = SearchFilters(
        skills=skills,
        location=location.strip(),
        country=country.upper(),
        seniority=_choices(raw.get("seniority"), "seniority", Seniority.values),
        years_min=_number(raw.get("years_min"), "years_min"),
        years_max=_number(raw.get("years_max"), "years_max"),
        source=_choices(raw.get("source"), "source", Source.values),
        tags=_list(raw.get("tags"), "tags"),
        contacted_since=_moment(raw.get("contacted_since"), "contacted_since"),
        not_contacted_since=_moment(raw.get("not_contacted_since"), "not_contacted_since"),
        consent=consent,
        pool=_id(raw.get("pool"), "pool"),
        stage=_id(raw.get("stage"), "stage"),
        include_archived=_flag(raw.get("include_archived"), "include_archived"),
        near=near,
        radius_km=radius_km,
        point=point,
    )
    if (
        filters.years_min is not None
        and filters.years_max is not None
        and filters.years_min > filters.years_max
    ):
        raise InvalidInput("The minimum is above the maximum.", field="years_min")
    return filters


def _any(kind: str, values: Iterable[object]) -> Node:
    terms = tuple(Term((boolean.facet(kind, v),), boolean.FACETS) for v in values)
    return terms[0] if len(terms) == 1 else Or(terms)


def _text_terms(actor: Actor, filters: SearchFilters) -> list[Node]:
    """Filters the full-text index answers: skills and location words, and the structured
    values it holds as facet words, so the index intersects them with the text instead of
    the database testing row after row. The same filters also stay as ORM conditions
    (`_conditions`), which keep the answer exact (a tag deleted since, 4.5 years)."""
    terms: list[Node] = [Term(tuple(boolean.words(s)), "skills") for s in filters.skills]
    # Location words as facets: in PostgreSQL's `doc` vector with the text and other facets.
    terms.extend(_any("loc", [word]) for word in dict.fromkeys(boolean.words(filters.location)))
    if filters.tags:
        keys = {name.casefold() for name in filters.tags}
        tag_ids = Tag.objects.filter(workspace=actor.workspace, name_key__in=keys).values_list(
            "pk", flat=True
        )
        terms.extend(_any("tag", [tag_id]) for tag_id in tag_ids)
    if filters.seniority:
        terms.append(_any("seniority", filters.seniority))
    if filters.source:
        terms.append(_any("source", filters.source))
    if filters.country:
        terms.append(_any("country", [filters.country]))
    # Years as words (document.facets): "at least N" is one threshold word, the largest at
    # or below N; a short "N to M" range is N OR … OR M whole years. The ORM condition trims
    # the rest (4.5 years). A union of many long lists measured slower than testing rows.
    low = filters.years_min or 0
    below = [t for t in YEARS_THRESHOLDS if t <= low]
    if below:
        terms.append(_any("yearsge", [below[-1]]))
    if filters.years_max is not None and filters.years_max - int(low) < MAX_YEAR_WORDS:
        terms.append(_any("years", range(int(low), int(filters.years_max) + 1)))
    return terms


class _Tested(Func):
    """`(EXISTS …) IS TRUE`: the same test, row by row. A bare EXISTS let PostgreSQL plan a
    semi-join that read every text match before the LIMIT (two common tags: 20,000 rows,
    110-190 ms at 1M, against 25 ms tested per row, stopping at the limit)."""

    template = "(%(expressions)s) IS TRUE"
    output_field = BooleanField()


def _conditions(actor: Actor, filters: SearchFilters) -> QuerySet[Candidate]:
    """The candidates `actor` may see that pass the filters the index does not answer."""
    queryset = visible_candidates(actor)
    if not filters.include_archived:
        queryset = queryset.filter(is_archived=False)
    if filters.country:
        queryset = queryset.filter(country=filters.country)
    if filters.seniority:
        queryset = queryset.filter(seniority__in=filters.seniority)
    if filters.years_min is not None:
        queryset = queryset.filter(years_experience__gte=filters.years_min)
    if filters.years_max is not None:
        queryset = queryset.filter(years_experience__lte=filters.years_max)
    if filters.source:
        queryset = queryset.filter(source__in=filters.source)
    if filters.contacted_since:
        queryset = queryset.filter(last_contacted_at__gte=filters.contacted_since)
    if filters.not_contacted_since:
        queryset = queryset.filter(
            Q(last_contacted_at__isnull=True) | Q(last_contacted_at__lt=filters.not_contacted_since)
        )
    if filters.tags:
        keys = [name.casefold() for name in filters.tags]
        tags = dict(
            Tag.objects.filter(workspace=actor.workspace, name_key__in=keys).values_list(
                "name_key", "pk"
            )
        )
        if len(tags) < len(set(keys)):  # a tag nobody has: nothing can carry all of them
            return queryset.none()
        for tag_id in tags.values():
            # EXISTS probes the (candidate, tag) unique index for each row read.
            queryset = queryset.filter(
                _Tested(
                    Exists(CandidateTag.objects.filter(candidate_id=OuterRef("pk"), tag_id=tag_id))
                )
            )
    if filters.pool is not None or filters.stage is not None:
        queryset = _in_pool(actor, queryset, filters)
    if filters.point is not None and filters.radius_km is not None:
        queryset = _within(queryset, filters.point, filters.radius_km)
    if filters.consent:
        latest = Subquery(
            ConsentRecord.objects.filter(
                candidate_id=OuterRef("pk"),
                channel=ConsentRecord.Channel.EMAIL,
                purpose=ConsentRecord.Purpose.RECRUITING,
            )
            .order_by("-occurred_at", "-id")
            .values("status")[:1]
        )
        queryset = queryset.filter(is_do_not_contact=False).annotate(_consent=latest)
        if filters.consent == "granted":
            queryset = queryset.filter(_consent=ConsentRecord.Status.GRANTED)
        else:
            queryset = queryset.filter(
                Q(_consent__isnull=True) | ~Q(_consent=ConsentRecord.Status.WITHDRAWN)
            )
    return queryset


SMALL_POOL = 5_000


def _in_pool(
    actor: Actor, queryset: QuerySet[Candidate], filters: SearchFilters
) -> QuerySet[Candidate]:
    """Members of the pool (and/or at the stage), through the pools app's own access checks:
    a private pool of someone else's is "no such pool"."""
    memberships = PoolMembership.objects.all()
    try:
        if filters.pool is not None:
            memberships = memberships.filter(pool=access_pool(actor, filters.pool))
        else:
            memberships = memberships.filter(pool__in=visible_pools(actor))
        if filters.stage is not None:
            memberships = memberships.filter(stage=access_stage(actor, filters.stage))
    except NotFound as error:
        field = "pool" if "pool" in error.message else "stage"
        raise InvalidInput(error.message, field=field) from None
    if filters.pool is not None:
        # A small pool is listed first: the database then reads those rows by id instead of
        # testing every candidate for membership.
        few = list(memberships.values_list("candidate_id", flat=True)[: SMALL_POOL + 1])
        if len(few) <= SMALL_POOL:
            return queryset.filter(id__in=few)
    return queryset.filter(Exists(memberships.filter(candidate_id=OuterRef("pk"))))


def points_within(place: places.Place, radius_km: float) -> QuerySet[GeoPoint]:
    """The map points within `radius_km` of `place`, by great-circle distance.

    The bounding box is a range on the (latitude, longitude) index; the exact test is the
    dot product of unit vectors (places.unit_vector), arithmetic both databases run alike.
    """
    box = places.bounding_box(place.latitude, place.longitude, radius_km)
    points = GeoPoint.objects.filter(latitude__gte=box.south, latitude__lte=box.north)
    if box.lon_ranges:
        across = Q()
        for west, east in box.lon_ranges:
            across |= Q(longitude__gte=west, longitude__lte=east)
        points = points.filter(across)
    x, y, z = places.unit_vector(place.latitude, place.longitude)
    dot = F("x") * x + F("y") * y + F("z") * z
    return points.alias(dot=dot).filter(dot__gte=places.min_dot(radius_km))


def _within(
    queryset: QuerySet[Candidate], place: places.Place, radius_km: float
) -> QuerySet[Candidate]:
    """Candidates whose point is within `radius_km` of `place`. As with a small pool, few
    points are listed first, so the database reads those rows by id."""
    points = points_within(place, radius_km).values_list("candidate_id", flat=True)
    few = list(points[: SMALL_POOL + 1])
    if len(few) <= SMALL_POOL:
        return queryset.filter(id__in=few)
    return queryset.filter(id__in=points)


def _where(queryset: QuerySet[Candidate]) -> tuple[str, list[Any]]:
    """The queryset's WHERE clause as SQL over the unaliased candidate table, with params.

    The ORM builds and escapes the conditions; the full-text join around them is ours. Only
    conditions on the candidate row or EXISTS/subqueries appear, never a join.
    """
    query = queryset.query
    compiler = query.get_compiler(using=queryset.db)
    if query.is_empty():
        return "1 = 0", []
    sql, params = compiler.compile(query.where)
    return (sql or "1 = 1"), list(params)


# --- search -----------------------------------------------------------------------------


@dataclass(frozen=True)
class SearchPage:
    rows: list[dict[str, Any]]  # candidate_rows dicts with "highlights" added
    next_cursor: str | None
    count: int | None  # up to COUNT_CAP; None on later pages (not counted again)
    count_capped: bool
    understood: str  # the query as parsed, fully parenthesized ("" without one)


@dataclass(frozen=True)
class Plan:
    """A search compiled for this database: the text condition and the ORM filters."""

    node: Node | None  # the query and the filters the index answers
    query: Node | None  # the query alone, as typed
    conditions: QuerySet[Candidate]
    # Without text, a distance filter drives the query from the map points (`_nearby_ids`)
    # and is left out of `conditions`.
    near: tuple[places.Place, float] | None = None


def plan(actor: Actor, query: str, filters: SearchFilters) -> Plan:
    typed = node = parse_query(query)
    extra = _text_terms(actor, filters)
    if extra:
        parts = [node, *extra] if node is not None else extra
        node = parts[0] if len(parts) == 1 else And(tuple(parts))
    if node is None and filters.point is not None and filters.radius_km is not None:
        rest = dataclasses.replace(filters, near="", radius_km=None, point=None)
        return Plan(
            node=None,
            query=typed,
            conditions=_conditions(actor, rest),
            near=(filters.point, filters.radius_km),
        )
    return Plan(node=node, query=typed, conditions=_conditions(actor, filters))


_TABLE = Candidate._meta.db_table


def _matching_ids(
    search: Plan,
    *,
    before_id: int | None,
    after_id: int,
    limit: int,
    ordered: bool = True,
    estimate: bool = False,
) -> list[int]:
    """Ids of matches in (after_id, before_id), highest first, at most `limit`.

    `ordered=False` leaves the order to the database (the ids come back sorted anyway): on
    PostgreSQL that lets the planner read the GIN indexes as bitmaps, see `_page_ids`.
    `estimate=True` returns [the planner's estimate of the matches] instead (PostgreSQL).
    """
    if search.node is None and search.near is not None:
        return _nearby_ids(search, before_id=before_id, after_id=after_id, limit=limit)
    if search.node is None:
        queryset = search.conditions.filter(id__gt=after_id)
        if before_id is not None:
            queryset = queryset.filter(id__lt=before_id)
        return list(queryset.order_by("-id").values_list("id", flat=True)[:limit])
    where, params = _where(search.conditions)
    bounds = ""
    bound_params: list[Any] = []
    if connection.vendor == "postgresql":
        text = boolean.to_pg(search.node, alias="d")
        key = "d.candidate_id"
        sql = (
            f"SELECT {_TABLE}.id FROM search_searchdocument d "  # noqa: S608 - our own tables
            f"JOIN {_TABLE} ON {_TABLE}.id = d.candidate_id WHERE {text.sql}"
        )
        text_params: list[Any] = list(text.params)
    else:
        key = "search_fts.rowid"
        sql = (
            f"SELECT {_TABLE}.id FROM search_fts "  # noqa: S608 - our own tables
            f"JOIN {_TABLE} ON {_TABLE}.id = search_fts.rowid WHERE search_fts MATCH %s"
        )
        text_params = [boolean.to_fts5(search.node)]
    if after_id:
        bounds += f" AND {key} > %s"
        bound_params.append(after_id)
    if before_id is not None:
        bounds += f" AND {key} < %s"
        bound_params.append(before_id)
    sql += f"{bounds} AND ({where})"
    if estimate:
        # The text alone: the filters repeat as facet words and ORM conditions, and the
        # planner, multiplying their selectivities as if independent, underestimated 10x.
        only_text = f"SELECT 1 FROM search_searchdocument d WHERE {text.sql}"  # noqa: S608
        with connection.cursor() as cursor:
            cursor.execute(f"EXPLAIN (FORMAT JSON) {only_text}", text_params)
            (raw,) = cursor.fetchone()
        plan = json.loads(raw) if isinstance(raw, str) else raw
        return [int(plan[0]["Plan"]["Plan Rows"])]
    sql += f" ORDER BY {key} DESC LIMIT %s" if ordered else " LIMIT %s"
    found = [row[0] for row in _unprepared(sql, [*text_params, *bound_params, *params, limit])]
    return found if ordered else sorted(found, reverse=True)


def _unprepared(sql: str, params: list[Any]) -> list[tuple[Any, ...]]:
    """Run a search's SQL. On PostgreSQL never as a prepared statement: from its sixth run a
    prepared statement may switch to a generic plan, made without knowing the words, which
    read the whole index for a tag or a location (50-70 ms at 100k, against 8-15 ms planned
    for the query's own words). Planning each search costs about 1 ms."""
    with connection.cursor() as cursor:
        if connection.vendor != "postgresql":
            cursor.execute(sql, params)
            rows: list[tuple[Any, ...]] = cursor.fetchall()
            return rows
        with connection.wrap_database_errors:
            cursor.cursor.execute(sql, params, prepare=False)
            rows = cursor.cursor.fetchall()
            return rows


# Circles holding at most this many points are read from the points (index-only), their
# candidates looked up by id and sorted; bigger ones walk the candidates newest first and
# look each one's point up, which fills a page quickly exactly when matches are common.
DRIVE_FROM_POINTS = 20_000


def _nearby_ids(search: Plan, *, before_id: int | None, after_id: int, limit: int) -> list[int]:
    """`_matching_ids` for a distance filter without text: matches in (after_id, before_id),
    highest first. The ORM's plan here used the workspace index and sorted every candidate
    (47 ms at 100k); this SQL puts the table that should lead first (SQLite: CROSS JOIN
    fixes the order, NOT INDEXED walks by id)."""
    assert search.near is not None
    place, radius_km = search.near
    points = points_within(place, radius_km)
    box_sql, box_params = _where_points(points)
    where, params = _where(search.conditions)
    key = "g.candidate_id"
    bounds, bound_params = f" AND {key} > %s", [after_id]
    if before_id is not None:
        bounds += f" AND {key} < %s"
        bound_params.append(before_id)
    sqlite = connection.vendor == "sqlite"
    many = points.values_list("candidate_id")[DRIVE_FROM_POINTS : DRIVE_FROM_POINTS + 1]
    if not many.exists():
        join = f"search_geopoint g {'CROSS ' if sqlite else ''}JOIN {_TABLE} ON {_TABLE}.id = {key}"
    else:
        walk = f"{_TABLE} NOT INDEXED" if sqlite else _TABLE
        join = f"{walk} {'CROSS ' if sqlite else ''}JOIN search_geopoint g ON {key} = {_TABLE}.id"
    sql = (
        f"SELECT {_TABLE}.id FROM {join} WHERE {box_sql}{bounds} AND ({where}) "  # noqa: S608
        f"ORDER BY {_TABLE}.id DESC LIMIT %s"
    )
    return [row[0] for row in _unprepared(sql, [*box_params, *bound_params, *params, limit])]


def _where_points(points: QuerySet[GeoPoint]) -> tuple[str, list[Any]]:
    """The points queryset's WHERE clause over the alias g (the bounding box and distance)."""
    compiler = points.query.get_compiler(using=points.db)
    sql, params = compiler.compile(points.query.where)
    table = GeoPoint._meta.db_table
    return sql.replace(f'"{table}".', "g."), list(params)


def _page_ids(
    search: Plan, *, before_id: int | None, limit: int, count: bool
) -> tuple[list[int], int | None, bool]:
    """(up to `limit` ids newest first, the count when asked, whether it is capped).

    SQLite: FTS5 yields matches newest first and stops when the page is full; counting uses
    the same order (without it SQLite's planner probes FTS5 once per candidate: 27 s for a
    common name at 1M). PostgreSQL: walking the id index and testing each row is fast when
    matches are common and reads every row when they are rare (550 ms at 1M for a word nobody
    has); GIN bitmaps are the reverse. So the planner's estimate picks: few matches (below
    PROBE_BELOW, or PROBE_BELOW_ONE_TERM for one word or phrase) are read unordered through
    the bitmaps, all of them when at most COUNT_CAP, and sorted here; more are walked for the
    page, and the count then says "COUNT_CAP+" without reading them (counting by the walk cost
    500 ms for a 2% match at 1M).
    """
    if search.node is None or connection.vendor != "postgresql":
        ids = _matching_ids(search, before_id=before_id, after_id=0, limit=limit)
        if not count:
            return ids, None, False
        if len(ids) < limit:
            return ids, len(ids), False
        counted = _matching_ids(search, before_id=None, after_id=0, limit=COUNT_CAP + 1)
        return ids, min(len(counted), COUNT_CAP), len(counted) > COUNT_CAP
    (expected,) = _matching_ids(search, before_id=before_id, after_id=0, limit=limit, estimate=True)
    # Well past COUNT_CAP the count says "1,000+" whatever the probe finds, and the walk finds
    # a page after about limit / density rows (13,000 for a 1,700-person surname at 1M, 11 ms,
    # against 60-125 ms for the probe's 1,001 heap rows; phrases alike): for one term, whose
    # estimate holds, walk at once. A conjunction's estimate may be 100x too high, and a walk
    # for matches that are not there reads every row (800 ms at 1M).
    below = PROBE_BELOW_ONE_TERM if isinstance(search.node, Term) else PROBE_BELOW
    if count and expected < min(ONE_READ_BELOW, below):
        found = _matching_ids(search, before_id=before_id, after_id=0, limit=COUNT_CAP + 1)
        if len(found) <= COUNT_CAP:
            return found[:limit], len(found), False
        return found[:limit], COUNT_CAP, True
    if expected < below:
        probe = _matching_ids(
            search, before_id=before_id, after_id=0, limit=COUNT_CAP + 1, ordered=False
        )
        if len(probe) <= COUNT_CAP:
            return probe[:limit], (len(probe) if count else None), False
    ids = _matching_ids(search, before_id=before_id, after_id=0, limit=limit)
    if count and len(ids) < limit:
        return ids, len(ids), False
    return ids, (COUNT_CAP if count else None), count


def matching_ids(
    actor: Actor,
    *,
    query: str,
    filters: SearchFilters,
    after_id: int = 0,
    up_to_id: int | None = None,
    limit: int,
) -> list[int]:
    """Ids of the matches with after_id < id <= up_to_id, highest first (saved-search alerts)."""
    before = None if up_to_id is None else up_to_id + 1
    return _matching_ids(
        plan(actor, query, filters), before_id=before, after_id=after_id, limit=limit
    )


def search(
    actor: Actor,
    *,
    query: str,
    filters: SearchFilters,
    cursor: str = "",
    limit: int = 20,
    snippet: bool = True,
    contacts: tuple[str, ...] = CONTACT_KINDS,
) -> SearchPage:
    """One page of matches, newest first, with highlighted snippets; follow `next_cursor`."""
    if not 1 <= limit <= MAX_PAGE:
        raise InvalidInput(f"Limit is 1 to {MAX_PAGE}.", field="limit")
    compiled = plan(actor, query, filters)
    before_id: int | None = None
    if cursor:
        (value,) = cursors.decode(cursor, size=1)
        if not isinstance(value, int) or not 0 < value < 2**63:
            raise InvalidInput("This cursor is not valid.", field="cursor")
        before_id = value
    ids, count, capped = _page_ids(compiled, before_id=before_id, limit=limit + 1, count=not cursor)
    next_cursor = cursors.encode([ids[limit - 1]]) if len(ids) > limit else None
    ids = ids[:limit]
    by_id = {
        row["id"]: row for row in candidate_rows(Candidate.objects.filter(id__in=ids), contacts)
    }
    rows = [by_id[i] for i in ids if i in by_id]
    _attach_distances(rows, filters.point)
    if snippet:
        _attach_highlights(rows, compiled.node)
    understood = boolean.describe(compiled.query) if compiled.query is not None else ""
    return SearchPage(rows, next_cursor, count, capped, understood)


def _attach_distances(rows: list[dict[str, Any]], place: places.Place | None) -> None:
    """Each row's great-circle distance from the "near" place in km (one decimal), or None
    without a distance filter."""
    located: dict[int, tuple[float, float]] = {}
    if place is not None and rows:
        located = {
            pk: (latitude, longitude)
            for pk, latitude, longitude in GeoPoint.objects.filter(
                candidate_id__in=[row["id"] for row in rows]
            ).values_list("candidate_id", "latitude", "longitude")
        }
    for row in rows:
        spot = located.get(row["id"])
        row["distance_km"] = (
            None
            if place is None or spot is None
            else round(places.distance_km(place.latitude, place.longitude, *spot), 1)
        )


def _attach_highlights(rows: list[dict[str, Any]], node: Node | None) -> None:
    """Title, company and a snippet of the best-matching text, as escaped HTML with <mark>."""
    terms = boolean.positive_terms(node) if node is not None else []
    ids = [row["id"] for row in rows]
    if not ids:
        return
    extra = dict(Candidate.objects.filter(id__in=ids).values_list("id", "resume"))
    texts: dict[int, str] = {}
    # The newest parsed resume per candidate; a page has at most MAX_PAGE candidates.
    for candidate_id, text in (
        Resume.objects.filter(candidate_id__in=ids, status=Resume.Status.PARSED)
        .order_by("candidate_id", "-created_at", "-id")
        .values_list("candidate_id", "text")
    ):
        texts.setdefault(candidate_id, text)
    for row in rows:
        resume = extra.get(row["id"]) or {}
        summary = resume.get("basics", {}).get("summary", "") if isinstance(resume, dict) else ""
        skills = ", ".join(snippets.skill_names(resume))
        row["highlights"] = {
            "title": snippets.mark(row["current_title"], terms, "title"),
            "company": snippets.mark(row["current_company"], terms, "company"),
            "skills": snippets.fragment(skills, terms, "skills"),
            "text": snippets.best_fragment(
                [
                    row["headline"],
                    summary if isinstance(summary, str) else "",
                    texts.get(row["id"], ""),
                ],
                terms,
            ),
        }


# --- saved searches ---------------------------------------------------------------------


def saved_searches(actor: Actor) -> QuerySet[SavedSearch]:
    """The actor's own saved searches in this workspace."""
    if actor.user is None:
        return SavedSearch.objects.none()
    return SavedSearch.objects.filter(workspace=actor.workspace, owner=actor.user)


def access_saved_search(actor: Actor, saved_search_id: int) -> SavedSearch:
    """The saved search if it is the actor's own, else NotFound (others look absent)."""
    if not isinstance(saved_search_id, int) or not 0 < saved_search_id < 2**63:
        raise NotFound("No such saved search.")
    found = saved_searches(actor).filter(pk=saved_search_id).first()
    if found is None:
        raise NotFound("No such saved search.")
    return found


def recent_alerts(actor: Actor, *, limit: int = 20) -> QuerySet[SavedSearchAlert]:
    """The actor's newest saved-search alerts (the in-app notifications)."""
    if actor.user is None:
        return SavedSearchAlert.objects.none()
    return SavedSearchAlert.objects.filter(
        saved_search__workspace=actor.workspace, saved_search__owner=actor.user
    ).select_related("saved_search")[:limit]
