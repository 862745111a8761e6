"""Writes of the search app: keeping the index in step, saved searches and their alerts."""

from __future__ import annotations

import datetime as dt
import logging
import time
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from django.conf import settings
from django.core.mail import send_mail
from django.db import IntegrityError, connection, transaction
from django.urls import reverse
from django.utils import timezone

from talentloop.accounts.models import Workspace
from talentloop.accounts.selectors import member_actor
from talentloop.candidates.models import Candidate, CandidateTag
from talentloop.core.actor import Actor
from talentloop.core.errors import Conflict, InvalidInput, NotFound
from talentloop.resumes.models import Resume
from talentloop.search import boolean, document, places, selectors
from talentloop.search.models import (
    GeoPoint,
    IndexCheckpoint,
    SavedSearch,
    SavedSearchAlert,
    SearchDocument,
)

logger = logging.getLogger(__name__)

DOCUMENT_COLUMNS = boolean.COLUMNS
_SOURCE_COLUMNS = (
    "id",
    "first_name",
    "last_name",
    "headline",
    "current_title",
    "current_company",
    "city",
    "region",
    "country",
    "seniority",
    "source",
    "years_experience",
    "resume",
    "deleted_at",
)
BATCH = 1_000


# --- the index --------------------------------------------------------------------------


def index_candidates(candidate_ids: Iterable[int]) -> int:
    """Write the search documents of these candidates (insert or replace); drop the documents
    of deleted or missing ones. Returns how many were written.

    Runs inside the caller's transaction, so the index changes with the candidate or not at
    all. The full-text indexes follow the document rows by themselves (migration 0002).
    """
    ids = sorted(set(candidate_ids))
    written = 0
    for start in range(0, len(ids), BATCH):
        written += _index_batch(ids[start : start + BATCH])
    return written


def _index_batch(ids: list[int]) -> int:
    rows = list(Candidate.objects.filter(pk__in=ids).values(*_SOURCE_COLUMNS))
    live = [row for row in rows if row["deleted_at"] is None]
    gone = set(ids) - {row["id"] for row in live}
    texts: dict[int, str] = {}
    for candidate_id, text in (
        Resume.objects.filter(
            candidate_id__in=[row["id"] for row in live], status=Resume.Status.PARSED
        )
        .order_by("candidate_id", "-created_at", "-id")
        .values_list("candidate_id", "text")
    ):
        texts.setdefault(candidate_id, text)
    tags: dict[int, list[int]] = {}
    for candidate_id, tag_id in CandidateTag.objects.filter(
        candidate_id__in=[row["id"] for row in live]
    ).values_list("candidate_id", "tag_id"):
        tags.setdefault(candidate_id, []).append(tag_id)
    now = timezone.now()
    documents = [
        SearchDocument(
            candidate_id=row["id"],
            indexed_at=now,
            **document.build(row, row["resume"], texts.get(row["id"], ""), tags.get(row["id"], [])),
        )
        for row in live
    ]
    with transaction.atomic():
        if gone:
            SearchDocument.objects.filter(candidate_id__in=gone).delete()
        if documents:
            SearchDocument.objects.bulk_create(
                documents,
                update_conflicts=True,
                unique_fields=["candidate"],
                update_fields=[*DOCUMENT_COLUMNS, "indexed_at"],
            )
        _write_points(ids, live)
    return len(documents)


_POINT_FIELDS = ["latitude", "longitude", "x", "y", "z", "place"]


def _write_points(ids: list[int], live: list[dict[str, Any]]) -> int:
    """Geocode the live candidates' cities and store their points; drop the points of `ids`
    that are deleted or no longer have a known city. Returns the points written."""
    points: list[GeoPoint] = []
    located: dict[tuple[str, str, str], places.Place | None] = {}
    for row in live:
        key = (row["city"] or "", row["region"] or "", row["country"] or "")
        if key not in located:  # a batch repeats the same few cities
            located[key] = places.locate(*key)
        place = located[key]
        if place is not None:
            x, y, z = places.unit_vector(place.latitude, place.longitude)
            points.append(
                GeoPoint(
                    candidate_id=row["id"],
                    latitude=place.latitude,
                    longitude=place.longitude,
                    x=x,
                    y=y,
                    z=z,
                    place=place.label[:200],
                )
            )
    unplaced = set(ids) - {point.candidate_id for point in points}
    if unplaced:
        GeoPoint.objects.filter(candidate_id__in=unplaced).delete()
    if points:
        GeoPoint.objects.bulk_create(
            points, update_conflicts=True, unique_fields=["candidate"], update_fields=_POINT_FIELDS
        )
    return len(points)


def geocode_all(
    *, workspace: Workspace | None = None, progress: Callable[[int], object] | None = None
) -> int:
    """(Re)write every candidate's map point without rewriting the search documents: for a
    database indexed before points existed. In id batches; returns the points written."""
    queryset = Candidate.objects.all()
    if workspace is not None:
        queryset = queryset.filter(workspace=workspace)
    last = 0
    total = 0
    columns = ("id", "city", "region", "country", "deleted_at")
    while True:
        rows = list(queryset.filter(id__gt=last).order_by("id").values(*columns)[:BATCH])
        if not rows:
            return total
        with transaction.atomic():
            total += _write_points(
                [row["id"] for row in rows], [row for row in rows if row["deleted_at"] is None]
            )
        last = rows[-1]["id"]
        if progress is not None:
            progress(len(rows))


def refresh_candidate(candidate_id: int) -> None:
    """Re-index one candidate now, in the caller's transaction: the hook other apps' services
    call after they change what a candidate's document holds."""
    index_candidates([candidate_id])


def sweep_changed(*, budget_seconds: float = 50.0, batch: int = BATCH) -> int:
    """Index candidates changed since the last sweep, workspace by workspace; return how many.

    Services re-index what they change at once; this catches the writers that do not (bulk
    imports, merges). It reads each workspace's candidates in (updated_at, id) order from a
    checkpoint, so a run costs what changed, never a rebuild. It starts OVERLAP before the
    checkpoint, because a transaction may commit a row stamped before rows already read, and
    re-writes only rows whose document is older than the row. Stops after `budget_seconds`;
    the next run continues from the checkpoint.
    """
    deadline = time.monotonic() + budget_seconds
    total = 0
    for workspace_id in Workspace.objects.order_by("id").values_list("id", flat=True):
        checkpoint, _ = IndexCheckpoint.objects.get_or_create(workspace_id=workspace_id)
        while time.monotonic() < deadline:
            done, count = _sweep_batch(checkpoint, batch)
            total += count
            if done:
                break
    return total


OVERLAP = dt.timedelta(minutes=2)


def _sweep_batch(checkpoint: IndexCheckpoint, batch: int) -> tuple[bool, int]:
    """One batch after the checkpoint; (True, n) when nothing is left to read."""
    queryset = Candidate.objects.filter(workspace_id=checkpoint.workspace_id)
    if checkpoint.updated_at is not None:
        since = checkpoint.updated_at - OVERLAP
        if checkpoint.swept_at is not None and checkpoint.swept_at < checkpoint.updated_at:
            since = checkpoint.updated_at
        queryset = queryset.filter(updated_at__gte=since).exclude(
            updated_at=checkpoint.updated_at, id__lte=checkpoint.candidate_id
        )
    rows = list(queryset.order_by("updated_at", "id").values_list("id", "updated_at")[:batch])
    if not rows:
        IndexCheckpoint.objects.filter(pk=checkpoint.pk).update(swept_at=checkpoint.updated_at)
        checkpoint.swept_at = checkpoint.updated_at
        return True, 0
    indexed = dict(
        SearchDocument.objects.filter(candidate_id__in=[i for i, _ in rows]).values_list(
            "candidate_id", "indexed_at"
        )
    )
    stale = [i for i, changed in rows if i not in indexed or indexed[i] < changed]
    with transaction.atomic():
        count = index_candidates(stale) if stale else 0
        last_id, last_at = rows[-1]
        IndexCheckpoint.objects.filter(pk=checkpoint.pk).update(
            updated_at=last_at, candidate_id=last_id
        )
    checkpoint.updated_at, checkpoint.candidate_id = last_at, last_id
    return len(rows) < batch, count


def reindex_all(
    *, workspace: Workspace | None = None, progress: Callable[[int], object] | None = None
) -> int:
    """(Re)write every document, in id batches (`talentloop search-reindex`): for a database
    that had candidates before this app, or after changing what a document holds."""
    queryset = Candidate.objects.all()
    if workspace is not None:
        queryset = queryset.filter(workspace=workspace)
    last = 0
    total = 0
    while True:
        ids = list(queryset.filter(id__gt=last).order_by("id").values_list("id", flat=True)[:BATCH])
        if not ids:
            return total
        with transaction.atomic():
            total += index_candidates(ids)
        last = ids[-1]
        if progress is not None:
            progress(len(ids))


# FTS5 adds a segment per write and merges segments of a size together, so a big index holds
# a few dozen segments, and a conjunction of common words reads each one's lists: "engineer"
# AND a tag AND a years word over 20 segments took 59 ms at 1M candidates, 20 ms once merged
# into one. A merge step of this many pages (4 KB) holds the write lock for a few tens of ms.
COMPACT_PAGES = 1_000
# This app's index, and the candidates app's (the candidate list's quick search).
FTS_TABLES = ("search_fts", "candidate_fts")


def compact_index(*, budget_seconds: float = 50.0) -> int:
    """SQLite: merge each full-text index's segments into one, in short steps (each its own
    transaction, so other writers wait one step at most), until nothing is left to merge or
    the budget is spent; the next run continues. The number of steps that did work.
    PostgreSQL's GIN indexes need nothing of the kind (autovacuum folds their pending lists)."""
    if connection.vendor != "sqlite":
        return 0
    deadline = time.monotonic() + budget_seconds
    steps = 0
    for table in FTS_TABLES:
        # FTS5's record of its segments is the row with id 10 of its data table.
        structure = f"SELECT block FROM {table}_data WHERE id = 10"  # noqa: S608 - our tables
        # A negative page count merges segments of every level: in the end, one segment.
        merge = f"INSERT INTO {table}({table}, rank) VALUES ('merge', %s)"  # noqa: S608
        while time.monotonic() < deadline:
            with transaction.atomic(), connection.cursor() as cursor:
                cursor.execute(structure)
                before = cursor.fetchone()
                cursor.execute(merge, [-COMPACT_PAGES])
                cursor.execute(structure)
                after = cursor.fetchone()
            if after == before:  # the segments did not change: one is left
                break
            steps += 1
    return steps


# --- saved searches ---------------------------------------------------------------------

MAX_SAVED = 200  # per member and workspace


def _clean_saved(
    actor: Actor, data: Mapping[str, Any], current: SavedSearch | None = None
) -> dict[str, Any]:
    clean: dict[str, Any] = {}
    if "name" in data or current is None:
        name = str(data.get("name") or "").strip()
        if not name:
            raise InvalidInput("Give the search a name.", field="name")
        if len(name) > 100:
            raise InvalidInput("At most 100 characters.", field="name")
        clean["name"] = name
    if "query" in data or current is None:
        query = str(data.get("query") or "")
        selectors.parse_query(query)  # QueryInvalid, with the position, when malformed
        clean["query"] = query.strip()
    if "filters" in data or current is None:
        raw = data.get("filters") or {}
        if not isinstance(raw, dict):
            raise InvalidInput("An object of filters.", field="filters")
        clean["filters"] = selectors.parse_filters(raw).to_json()
    if "alert" in data:
        clean["alert"] = bool(data["alert"])
    query = clean.get("query", current.query if current else "")
    filters = clean.get("filters", current.filters if current else {})
    if not query and not filters:
        raise InvalidInput("Save a search with a query or at least one filter.", field="query")
    return clean


def _newest_id(workspace: Workspace) -> int:
    newest = (
        Candidate.objects.filter(workspace=workspace).order_by("-id").values_list("id", flat=True)
    ).first()
    return newest or 0


@transaction.atomic
def create_saved_search(*, actor: Actor, data: Mapping[str, Any]) -> SavedSearch:
    """Save a search for the acting member. Alerts start from now: only people added later
    are "new"."""
    if actor.user is None:
        raise InvalidInput("Only a signed-in member can save searches.", field=None)
    clean = _clean_saved(actor, data)
    if selectors.saved_searches(actor).count() >= MAX_SAVED:
        raise InvalidInput(f"At most {MAX_SAVED} saved searches each.", field="name")
    try:
        with transaction.atomic():
            return SavedSearch.objects.create(
                workspace=actor.workspace,
                owner=actor.user,
                last_seen_id=_newest_id(actor.workspace),
                **clean,
            )
    except IntegrityError:
        raise Conflict("You already have a saved search with this name.", field="name") from None


@transaction.atomic
def update_saved_search(
    *, actor: Actor, saved_search: SavedSearch, data: Mapping[str, Any]
) -> SavedSearch:
    clean = _clean_saved(actor, data, saved_search)
    for name, value in clean.items():
        setattr(saved_search, name, value)
    saved_search.updated_at = timezone.now()
    try:
        with transaction.atomic():
            saved_search.save()
    except IntegrityError:
        raise Conflict("You already have a saved search with this name.", field="name") from None
    return saved_search


@transaction.atomic
def delete_saved_search(*, actor: Actor, saved_search: SavedSearch) -> None:
    saved_search.delete()


@transaction.atomic
def mark_alerts_seen(*, actor: Actor, saved_search: SavedSearch | None = None) -> int:
    """Mark the actor's alerts read (only those of `saved_search` when given)."""
    if actor.user is None:
        return 0
    alerts = SavedSearchAlert.objects.filter(
        saved_search__workspace=actor.workspace,
        saved_search__owner_id=actor.user_id,
        seen_at__isnull=True,
    )
    if saved_search is not None:
        alerts = alerts.filter(saved_search=saved_search)
    return alerts.update(seen_at=timezone.now())


# --- alerts -------------------------------------------------------------------------------

ALERT_COUNT_CAP = 500
ALERT_IDS_KEPT = 10


def run_alerts() -> int:
    """Check every alerting saved search for people added since its last run; announce each
    search's new matches once (an in-app alert and an e-mail). Returns alerts created.

    Safe to run twice or in parallel: a run claims a search's range of new ids by moving
    `last_seen_id` with a conditional update, and the alert is unique on (search, up_to_id).
    """
    created = 0
    for saved in SavedSearch.objects.filter(alert=True).select_related("owner", "workspace"):
        try:
            alert = check_saved_search(saved)
        except NotFound:  # the owner left the workspace: nobody to tell
            continue
        if alert is not None:
            created += 1
            _email_alert(alert)
    return created


def check_saved_search(saved: SavedSearch) -> SavedSearchAlert | None:
    """The alert for `saved`'s new matches, or None when there are none (or another run
    claimed them)."""
    actor = member_actor(saved.owner, saved.workspace)
    after = saved.last_seen_id
    newest = _newest_id(saved.workspace)
    now = timezone.now()
    if newest <= after:
        SavedSearch.objects.filter(pk=saved.pk).update(last_run_at=now)
        return None
    try:
        filters = selectors.parse_filters(saved.filters)
        ids = selectors.matching_ids(
            actor,
            query=saved.query,
            filters=filters,
            after_id=after,
            up_to_id=newest,
            limit=ALERT_COUNT_CAP,
        )
    except InvalidInput:  # the stored search no longer parses (a filter value was removed)
        logger.warning("saved search %s no longer valid; alert skipped", saved.pk)
        SavedSearch.objects.filter(pk=saved.pk).update(last_run_at=now, last_seen_id=newest)
        return None
    with transaction.atomic():
        claimed = SavedSearch.objects.filter(pk=saved.pk, last_seen_id=after).update(
            last_seen_id=newest, last_run_at=now
        )
        if not claimed or not ids:
            return None
        alert, made = SavedSearchAlert.objects.get_or_create(
            saved_search=saved,
            up_to_id=newest,
            defaults={
                "after_id": after,
                "new_matches": len(ids),
                "candidate_ids": ids[:ALERT_IDS_KEPT],
            },
        )
    return alert if made else None


def _email_alert(alert: SavedSearchAlert) -> None:
    """E-mail the owner once; a failed send is logged and the in-app alert still stands."""
    saved = alert.saved_search
    claimed = SavedSearchAlert.objects.filter(pk=alert.pk, emailed_at__isnull=True).update(
        emailed_at=timezone.now()
    )
    if not claimed:
        return
    link = settings.SITE_URL.rstrip("/") + reverse("search:saved_run", args=[saved.pk])
    more = "+" if alert.new_matches >= ALERT_COUNT_CAP else ""
    try:
        send_mail(
            subject=f"{alert.new_matches}{more} new for your search “{saved.name}”",
            message=(
                f"{alert.new_matches}{more} people added since your last alert match "
                f"“{saved.name}”.\n\n{link}\n"
            ),
            from_email=None,
            recipient_list=[saved.owner.email],
        )
    except OSError:
        logger.exception("alert e-mail for saved search %s failed", saved.pk)
        SavedSearchAlert.objects.filter(pk=alert.pk).update(emailed_at=None)
