"""Every write of the duplicates app: scans and checks, suggestions, merges and their undo."""

from __future__ import annotations

import bisect
import datetime as dt
import logging
import math
import multiprocessing
import multiprocessing.process
import time
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.apps import apps
from django.conf import settings
from django.db import IntegrityError, connection, connections, models, transaction
from django.utils import timezone

from talentloop.accounts.roles import Capability
from talentloop.candidates.models import Activity, Candidate, CandidateEmail, CandidatePhone
from talentloop.candidates.selectors import access_candidate
from talentloop.candidates.services import (
    _refresh_search_text,
    create_candidate,
    record_activity,
    update_candidate,
)
from talentloop.compliance import audit
from talentloop.core import bulk
from talentloop.core.actor import Actor
from talentloop.core.errors import Conflict, Forbidden, InvalidInput, NotFound
from talentloop.duplicates import matching
from talentloop.duplicates.models import BlockingKey, DuplicateScan, DuplicateSuggestion, Merge
from talentloop.duplicates.selectors import (
    MERGE_FIELDS,
    PERSON_COLUMNS,
    UNDO_DAYS,
    find_identity_match,
    person_of,
    undo_deadline,
)

logger = logging.getLogger(__name__)

# Candidates read per query while a scan loads the workspace.
LOAD_BATCH = 5_000
# A block is compared pair by pair up to this size; a larger one is sorted by name and each
# member compared with the next WINDOW (the sorted-neighbourhood method), O(n x WINDOW).
WINDOW = 10
# Blocks compared between two checkpoints (each commits its suggestions and the last key).
COMPARE_BATCH = 20_000
# A per-candidate check looks at no more partners than this.
MAX_PARTNERS = 2_000
# A running scan whose heartbeat is older than this is taken as dead, and resumed.
STALE_AFTER = dt.timedelta(minutes=5)
# Blocking-key rows written per statement when a scan refreshes the index.
KEY_BATCH = 10_000
# Up to this many candidates changed since the last indexing scan, their keys are replaced
# one by one; more, and the whole index is written again.
INCREMENTAL_KEYS = 50_000


def _require(actor: Actor, capability: Capability) -> None:
    if not actor.can(capability):
        raise Forbidden("Your role does not allow this.")


def _threshold(value: float | None) -> float:
    threshold = settings.DUPLICATE_THRESHOLD if value is None else value
    if not 0.0 < threshold <= 1.0:  # also refuses NaN
        raise InvalidInput("The threshold is a number above 0, at most 1.", field="threshold")
    return float(threshold)


# --- scoring --------------------------------------------------------------------------------

Scored = tuple[int, int, matching.Match]


def _persons(ids: Iterable[int]) -> dict[int, matching.Person]:
    """Live candidates' comparable fields, fetched as plain values (no model instances)."""
    found: dict[int, matching.Person] = {}
    unique = sorted(set(ids))
    for start in range(0, len(unique), 5_000):
        rows = Candidate.objects.filter(
            pk__in=unique[start : start + 5_000], deleted_at__isnull=True
        ).values(*PERSON_COLUMNS)
        found.update({row["id"]: person_of(row) for row in rows})
    return found


_stats_cache: dict[int, tuple[int, matching.Stats]] = {}


def workspace_stats(workspace_id: int) -> matching.Stats:
    """The value statistics of the workspace's last finished scan (defaults before the first),
    read once per process and scan."""
    last = (
        DuplicateScan.objects.filter(workspace_id=workspace_id, status=DuplicateScan.Status.DONE)
        .order_by("-finished_at", "-id")
        .values_list("id", flat=True)
        .first()
    )
    if last is None:
        return matching.NO_STATS
    cached = _stats_cache.get(workspace_id)
    if cached is None or cached[0] != last:
        data = DuplicateScan.objects.filter(pk=last).values_list("statistics", flat=True).get()
        cached = (last, matching.Stats.from_json(data or {}))
        _stats_cache[workspace_id] = cached
    return cached[1]


def _suggest(workspace_id: int, scored: Iterable[Scored]) -> int:
    """Store pairs as open suggestions. A pair already stored, in any status, stays as it is,
    so a dismissed pair is never suggested again and a rerun adds nothing twice."""
    rows = [
        DuplicateSuggestion(
            workspace_id=workspace_id,
            left_id=left,
            right_id=right,
            score=match.score,
            evidence=match.evidence,
        )
        for left, right, match in scored
    ]
    DuplicateSuggestion.objects.bulk_create(rows, ignore_conflicts=True, batch_size=500)
    return len(rows)


def _emails_by_candidate(ids: Sequence[int]) -> dict[int, list[str]]:
    emails: dict[int, list[str]] = {}
    rows = CandidateEmail.objects.filter(candidate_id__in=ids).values_list("candidate_id", "email")
    for candidate_id, email in rows:
        emails.setdefault(candidate_id, []).append(email)
    return emails


def _cutoff_bits(threshold: float) -> float:
    """The bits a pair needs; a threshold of 1 (certain) is one no evidence reaches."""
    return math.inf if threshold >= 1 else matching.bits_for(threshold)


# --- the per-candidate check ----------------------------------------------------------------


def check_candidate(*, candidate_id: int, threshold: float | None = None) -> int:
    """Index one candidate's blocking keys and suggest the duplicates found among the
    candidates sharing a key. Returns how many pairs scored over the threshold.

    Safe to run twice: keys and pairs are unique. A deleted or missing candidate is skipped.
    """
    limit = _threshold(threshold)
    row = (
        Candidate.objects.filter(pk=candidate_id, deleted_at__isnull=True)
        .values(*PERSON_COLUMNS, "workspace_id")
        .first()
    )
    if row is None:
        return 0
    workspace_id = row["workspace_id"]
    keys = matching.blocking_keys(
        person_of(row), _emails_by_candidate([candidate_id]).get(candidate_id, [])
    )
    with transaction.atomic():
        BlockingKey.objects.filter(candidate_id=candidate_id).exclude(key__in=keys).delete()
        BlockingKey.objects.bulk_create(
            [
                BlockingKey(workspace_id=workspace_id, key=k, candidate_id=candidate_id)
                for k in keys
            ],
            ignore_conflicts=True,
        )
    partners = list(
        BlockingKey.objects.filter(workspace_id=workspace_id, key__in=keys)
        .exclude(candidate_id=candidate_id)
        .values_list("candidate_id", flat=True)
        .distinct()[:MAX_PARTNERS]
    )
    persons = _persons([candidate_id, *partners])
    if candidate_id not in persons:
        return 0
    stats = workspace_stats(workspace_id)
    prepared = {pk: matching.prepare(person) for pk, person in persons.items()}
    scored: list[Scored] = []
    for partner_id in prepared:
        if partner_id == candidate_id:
            continue
        # Evidence reads left to right in the pair's canonical (id) order.
        left, right = sorted((candidate_id, partner_id))
        match = matching.compare_prepared(prepared[left], prepared[right], stats)
        if match.score >= limit:
            scored.append((left, right, match))
    return _suggest(workspace_id, scored)


# --- the workspace scan ---------------------------------------------------------------------


@transaction.atomic
def start_scan(*, actor: Actor, threshold: float | None = None) -> DuplicateScan:
    """Queue a scan of the whole workspace. While one is queued or running, that one is
    returned instead; one whose worker died (no heartbeat for 5 minutes) is queued again and
    resumes from its checkpoint."""
    _require(actor, Capability.MERGE_CANDIDATES)
    limit = _threshold(threshold)
    from talentloop.duplicates.tasks import scan_duplicates_task

    active = (
        DuplicateScan.objects.select_for_update()
        .filter(workspace=actor.workspace, status__in=DuplicateScan.ACTIVE)
        .first()
    )
    if active is not None:
        if active.heartbeat_at < timezone.now() - STALE_AFTER:
            active.heartbeat_at = timezone.now()
            active.save(update_fields=["heartbeat_at"])
            transaction.on_commit(lambda: scan_duplicates_task.enqueue(active.pk))
        return active
    try:
        with transaction.atomic():
            scan = DuplicateScan.objects.create(
                workspace=actor.workspace, threshold=limit, started_by=actor.user
            )
    except IntegrityError:  # another request started one a moment ago
        return DuplicateScan.objects.get(workspace=actor.workspace, status__in=DuplicateScan.ACTIVE)
    transaction.on_commit(lambda: scan_duplicates_task.enqueue(scan.pk))
    return scan


@dataclass
class _Workspace:
    """Every live candidate of a workspace in memory, prepared for comparing, and its blocks."""

    ids: list[int] = field(default_factory=list)
    records: list[matching.Prepared] = field(default_factory=list)
    blocks: dict[str, list[int]] = field(default_factory=dict)  # key -> record indexes


def run_scan(
    *, scan_id: int, progress: Callable[[DuplicateScan], None] | None = None
) -> DuplicateScan:
    """Run (or resume) a scan to the end; safe to call twice and after a crash.

    The scan reads every live candidate once (phase "index": blocking keys, value statistics,
    and a fresh blocking-key index for single checks), then compares within each block in key
    order (phase "compare"), committing its suggestions and the last key every batch. A
    restart reads the workspace again and continues after the last committed key; the unique
    pair constraint means no suggestion is ever written twice.
    """
    scan = DuplicateScan.objects.get(pk=scan_id)
    if scan.status not in DuplicateScan.ACTIVE:
        return scan
    scan.status = DuplicateScan.Status.RUNNING
    _save(scan)
    try:
        started = time.perf_counter()
        data = _load(scan, progress)
        loaded = time.perf_counter()
        stats = matching.build_stats(data.records)
        counted = time.perf_counter()
        if scan.phase == DuplicateScan.Phase.INDEX:
            scan.statistics = stats.to_json()
            scan.phase = DuplicateScan.Phase.COMPARE
            scan.keys_total = sum(1 for members in data.blocks.values() if len(members) > 1)
            _save(scan, statistics=True)
        writer = None if scan.keys_indexed else _refresh_keys(scan, data)
        _compare(scan, data, stats, progress)
        if writer is not None:
            writer.join()
            if writer.exitcode != 0:
                raise RuntimeError(f"writing the blocking-key index failed ({writer.exitcode})")
        scan.keys_indexed = True
        logger.info(
            "duplicate scan %s: %d candidates read and indexed in %.1f s, statistics %.1f s, "
            "comparing %.1f s; %d pairs",
            scan.pk,
            len(data.ids),
            loaded - started,
            counted - loaded,
            time.perf_counter() - counted,
            scan.suggestions_found,
        )
    except Exception as error:
        scan.status, scan.error = DuplicateScan.Status.FAILED, f"{type(error).__name__}: {error}"
        scan.finished_at = timezone.now()
        _save(scan)
        raise
    scan.status, scan.finished_at = DuplicateScan.Status.DONE, timezone.now()
    _save(scan)
    if progress:
        progress(scan)
    return scan


# A scan saves its progress often; its statistics (hundreds of kB at 1M) only once.
_PROGRESS_FIELDS = [
    f.name for f in DuplicateScan._meta.concrete_fields if f.name not in ("id", "statistics")
]


def _save(scan: DuplicateScan, *, statistics: bool = False) -> None:
    scan.heartbeat_at = timezone.now()
    scan.save(update_fields=[*_PROGRESS_FIELDS, "statistics"] if statistics else _PROGRESS_FIELDS)


def _email_rows(workspace_id: int) -> Iterator[tuple[int, str]]:
    return (
        CandidateEmail.objects.filter(workspace_id=workspace_id)
        .order_by("candidate_id")
        .values_list("candidate_id", "email")
        .iterator(chunk_size=LOAD_BATCH)
    )


def _load(scan: DuplicateScan, progress: Callable[[DuplicateScan], None] | None) -> _Workspace:
    """Read every live candidate (and e-mail, merged in candidate order) once."""
    live = Candidate.objects.filter(workspace_id=scan.workspace_id, deleted_at__isnull=True)
    loading = scan.phase == DuplicateScan.Phase.INDEX
    if loading:
        scan.candidates_total, scan.candidates_indexed = live.count(), 0
        _save(scan)
    data = _Workspace()
    emails = _email_rows(scan.workspace_id)
    pending = next(emails, None)
    rows = live.order_by("pk").values_list(*PERSON_COLUMNS).iterator(chunk_size=LOAD_BATCH)
    for count, row in enumerate(rows, start=1):
        candidate_id = row[0]
        own: list[str] = []
        while pending is not None and pending[0] <= candidate_id:
            if pending[0] == candidate_id:
                own.append(pending[1])
            pending = next(emails, None)
        record = matching.prepare(person_of(dict(zip(PERSON_COLUMNS, row, strict=True))))
        index = len(data.ids)
        data.ids.append(candidate_id)
        data.records.append(record)
        for key in matching.blocking_keys(record, own):
            data.blocks.setdefault(key, []).append(index)
        if loading and count % (LOAD_BATCH * 10) == 0:
            scan.candidates_indexed = count
            _save(scan)
            if progress:
                progress(scan)
    if loading:
        scan.candidates_total = scan.candidates_indexed = len(data.ids)
        _save(scan)
    return data


def _refresh_keys(
    scan: DuplicateScan, data: _Workspace
) -> multiprocessing.process.BaseProcess | None:
    """Bring the blocking-key index up to date: the keys of the candidates changed since the
    last scan that indexed (a few, usually), or all of them (the first scan, or after a large
    import). Returns the process writing them, if one was started."""
    # The scan before this one; unless it finished its index, that may be half written.
    previous = (
        DuplicateScan.objects.filter(workspace_id=scan.workspace_id)
        .exclude(pk=scan.pk)
        .order_by("-created_at", "-id")
        .values("created_at", "status", "keys_indexed")
        .first()
    )
    if previous and previous["status"] == DuplicateScan.Status.DONE and previous["keys_indexed"]:
        changed = list(
            Candidate.objects.filter(
                workspace_id=scan.workspace_id, updated_at__gte=previous["created_at"]
            ).values_list("pk", flat=True)[: INCREMENTAL_KEYS + 1]
        )
        if len(changed) <= INCREMENTAL_KEYS:
            _update_keys(scan.workspace_id, changed, data)
            return None
    return _key_writer(scan.workspace_id, data)


def _update_keys(workspace_id: int, changed: list[int], data: _Workspace) -> None:
    """Replace the keys of `changed` candidates (a deleted one just loses its keys)."""
    position = {candidate_id: index for index, candidate_id in enumerate(data.ids)}
    for start in range(0, len(changed), LOAD_BATCH):
        ids = changed[start : start + LOAD_BATCH]
        emails = _emails_by_candidate(ids)
        rows = [
            (workspace_id, key, candidate_id)
            for candidate_id in ids
            if candidate_id in position
            for key in matching.blocking_keys(
                data.records[position[candidate_id]], emails.get(candidate_id, [])
            )
        ]
        with transaction.atomic():
            BlockingKey.objects.filter(candidate_id__in=ids).delete()
            bulk.insert_rows(
                BlockingKey._meta.db_table, ("workspace_id", "key", "candidate_id"), rows
            )


def _write_keys(workspace_id: int, data: _Workspace) -> None:
    """Replace the workspace's blocking-key index (what single checks look partners up in)."""
    columns = ("workspace_id", "key", "candidate_id")
    table = BlockingKey._meta.db_table
    BlockingKey.objects.filter(workspace_id=workspace_id).delete()
    rows: list[tuple[Any, ...]] = []
    for key, members in data.blocks.items():
        rows.extend((workspace_id, key, data.ids[index]) for index in members)
        if len(rows) >= KEY_BATCH:
            with transaction.atomic():
                bulk.insert_rows(table, columns, rows)
            rows = []
    with transaction.atomic():
        bulk.insert_rows(table, columns, rows)


def _key_writer(workspace_id: int, data: _Workspace) -> multiprocessing.process.BaseProcess | None:
    """Write the key index in a forked process while this one compares (the two take about as
    long); in this process when forking cannot work (inside a transaction, whose rows another
    connection cannot see, on an in-memory database, or where fork is unavailable).
    Returns the process to wait for."""
    in_memory = connection.vendor == "sqlite" and connection.is_in_memory_db()  # type: ignore[attr-defined]
    if (
        connection.in_atomic_block
        or in_memory
        or "fork" not in multiprocessing.get_all_start_methods()
    ):
        _write_keys(workspace_id, data)
        return None
    connections.close_all()  # the child opens its own; the parent reconnects on its next query
    process = multiprocessing.get_context("fork").Process(
        target=_write_keys_in_child, args=(workspace_id, data), daemon=True
    )
    process.start()
    return process


def _write_keys_in_child(workspace_id: int, data: _Workspace) -> None:
    _write_keys(workspace_id, data)
    connections.close_all()


def _compare(
    scan: DuplicateScan,
    data: _Workspace,
    stats: matching.Stats,
    progress: Callable[[DuplicateScan], None] | None,
) -> None:
    """Compare within each block of two or more, in key order from the checkpoint."""
    cutoff = _cutoff_bits(scan.threshold)
    keys = sorted(key for key, members in data.blocks.items() if len(members) > 1)
    start = bisect.bisect_right(keys, scan.last_key) if scan.last_key else 0
    sort_texts: dict[int, str] = {}
    suggested: set[tuple[int, int]] = set()
    for batch_start in range(start, len(keys), COMPARE_BATCH):
        batch = keys[batch_start : batch_start + COMPARE_BATCH]
        found: list[tuple[int, int]] = []
        for key in batch:
            for a, b in _block_pairs(key, data.blocks[key], data, sort_texts):
                pair = (a, b) if data.ids[a] < data.ids[b] else (b, a)
                if pair in suggested:
                    continue
                left, right = data.records[pair[0]], data.records[pair[1]]
                if not matching.worth_comparing(key, left, right):
                    continue
                if matching.match_bits(left, right, stats, cutoff=cutoff) >= cutoff:
                    suggested.add(pair)
                    found.append(pair)
        scored = [
            (
                data.ids[a],
                data.ids[b],
                matching.compare_prepared(data.records[a], data.records[b], stats),
            )
            for a, b in found
        ]
        with transaction.atomic():
            scan.suggestions_found += _suggest(scan.workspace_id, scored)
            scan.last_key = batch[-1]
            scan.keys_compared = batch_start + len(batch)
            _save(scan)
        if progress:
            progress(scan)


def _block_pairs(
    key: str, members: list[int], data: _Workspace, sort_texts: dict[int, str]
) -> Iterator[tuple[int, int]]:
    """The pairs of a block worth a look.

    An f: block (one family name, one initial) and a c: block (one employer, one family-name
    sound) can only hold the same person twice under given names a slip or two apart, an
    initial, a prefix or a nickname: members are grouped by given name and only the groups of
    close names are paired, so a block of 200 Hayes whose names start with T costs the
    comparison of its few dozen distinct names. Other blocks: every pair of a small one; in a
    large one, each member and its next WINDOW by name (sorted neighbourhood).
    """
    if key[0] in "fc":
        yield from _close_name_pairs(key, members, data, sort_texts)
        return
    yield from _neighbours(members, data, sort_texts)


def _neighbours(
    members: list[int], data: _Workspace, sort_texts: dict[int, str]
) -> Iterator[tuple[int, int]]:
    """Every pair of a small block; in a large one, each member and its next WINDOW by name."""
    if len(members) <= WINDOW + 1:
        for i, a in enumerate(members):
            for b in members[i + 1 :]:
                yield a, b
        return
    for index in members:
        if index not in sort_texts:
            sort_texts[index] = matching.sort_text(data.records[index])
    ordered = sorted(members, key=sort_texts.__getitem__)
    for i, a in enumerate(ordered):
        for b in ordered[i + 1 : i + 1 + WINDOW]:
            yield a, b


def _close_name_pairs(
    key: str, members: list[int], data: _Workspace, sort_texts: dict[int, str]
) -> Iterator[tuple[int, int]]:
    groups: dict[str, list[int]] = {}
    for index in members:
        groups.setdefault(data.records[index].given.raw, []).append(index)
    names = list(groups)
    for i, first in enumerate(names):
        left = groups[first]
        # One given name in an f: block (one family name) is a group of namesakes, compared
        # under their s: key; in a c: block their family names may still differ by a slip.
        if key[0] == "c" and len(left) > 1:
            yield from _neighbours(left, data, sort_texts)
        first_name = data.records[left[0]].given
        for second in names[i + 1 :]:
            right = groups[second]
            if matching.close_given_names(first_name, data.records[right[0]].given):
                yield from ((a, b) for a in left for b in right)


# --- dismiss ----------------------------------------------------------------------------


@transaction.atomic
def dismiss_suggestion(*, actor: Actor, suggestion: DuplicateSuggestion) -> DuplicateSuggestion:
    """Remember that the pair is not one person: no scan or check suggests it again."""
    _require(actor, Capability.MERGE_CANDIDATES)
    suggestion = DuplicateSuggestion.objects.select_for_update().get(pk=suggestion.pk)
    if suggestion.status == DuplicateSuggestion.Status.MERGED:
        raise Conflict("This pair was merged; undo the merge instead.", code="already_merged")
    if suggestion.status == DuplicateSuggestion.Status.DISMISSED:
        return suggestion
    suggestion.status = DuplicateSuggestion.Status.DISMISSED
    suggestion.decided_by, suggestion.decided_at = actor.user, timezone.now()
    suggestion.save()
    audit.record(
        actor=actor,
        action=audit.Action.DUPLICATE_DISMISSED,
        target=suggestion.left,
        extra={"suggestion_id": suggestion.pk, "other_id": suggestion.right_id},
    )
    return suggestion


# --- merge ------------------------------------------------------------------------------

# Our own bookkeeping points at candidates too, but is not the person's data.
_NOT_MOVED = {DuplicateSuggestion, Merge, BlockingKey}
_PRIMARY = (CandidateEmail, CandidatePhone)


def candidate_relations() -> list[models.ForeignObjectRel]:
    """Every relation of another model to Candidate: rows that belong to a candidate.

    Read from the model registry, so tables added later (files, pool memberships) move too.
    """
    return [
        field
        for field in Candidate._meta.get_fields(include_hidden=True)
        if isinstance(field, models.ForeignObjectRel)
        and (field.one_to_many or field.one_to_one)
        and field.related_model not in _NOT_MOVED
    ]


def _json(value: Any) -> Any:
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, dt.datetime):
        return value.isoformat()
    return value


def _picks(
    survivor: Candidate, other: Candidate, choices: Mapping[str, Any]
) -> dict[str, Candidate]:
    """For each field, the candidate whose value survives.

    Default: the more recently changed candidate's value when it has one, else the other's.
    """
    by_id = {survivor.pk: survivor, other.pk: other}
    newer, older = (
        (other, survivor) if other.updated_at > survivor.updated_at else (survivor, other)
    )
    custom = {f"custom_fields.{k}" for k in {*survivor.custom_fields, *other.custom_fields}}
    for name, source in choices.items():
        field = f"choices.{name}"
        if name not in MERGE_FIELDS and name not in custom:
            raise InvalidInput(f"{name!r} is not a field these candidates can merge.", field=field)
        if isinstance(source, bool) or source not in by_id:
            raise InvalidInput(
                f"Choose {survivor.pk} or {other.pk}, the ids of the two candidates.", field=field
            )
    picks: dict[str, Candidate] = {}
    for name in [*MERGE_FIELDS, *sorted(custom)]:
        if name in choices:
            picks[name] = by_id[choices[name]]
        else:
            picks[name] = newer if _value(newer, name) not in (None, "") else older
    return picks


def _value(candidate: Candidate, name: str) -> Any:
    if name.startswith("custom_fields."):
        return candidate.custom_fields.get(name.removeprefix("custom_fields."))
    return getattr(candidate, name)


def _move(model: type[models.Model], field: str, ids: list[int], target: Candidate) -> list[int]:
    """Point rows `ids` of `model` at `target`; a row that would break a unique constraint
    (the same phone, tag or link on both) stays where it is. Returns the ids moved."""
    if not ids:
        return []
    manager = model._default_manager
    try:
        with transaction.atomic():
            manager.filter(pk__in=ids).update(**{field: target})
        return ids
    except IntegrityError:
        pass
    moved = []
    for pk in ids:
        try:
            with transaction.atomic():
                manager.filter(pk=pk).update(**{field: target})
            moved.append(pk)
        except IntegrityError:
            continue
    return moved


def _lock_pair(first: int, second: int) -> dict[int, Candidate]:
    """Both candidates, locked in id order (so two merges of one pair cannot deadlock)."""
    locked = Candidate.objects.select_for_update().filter(pk__in=[first, second]).order_by("pk")
    return {c.pk: c for c in locked}


@transaction.atomic
def merge_candidates(
    *,
    actor: Actor,
    survivor: Candidate,
    other: Candidate,
    choices: Mapping[str, Any] | None = None,
) -> Merge:
    """Merge `other` into `survivor` and soft-delete `other`; undoable for 30 days.

    `choices` maps a field ("city", "custom_fields.<key>") to the id of the candidate whose
    value survives; other fields take the more recently changed record's non-empty value.
    Every row of any table pointing at `other` moves to `survivor`, except rows the survivor
    already has (same phone, link, tag). A do-not-contact flag on either side is kept.
    Locks both candidates. Raises Forbidden, NotFound (not both in the actor's workspace),
    InvalidInput (bad choices, a candidate with itself).
    """
    _require(actor, Capability.MERGE_CANDIDATES)
    if survivor.pk == other.pk:
        raise InvalidInput("A candidate cannot be merged with itself.", field="other_id")
    access_candidate(actor, survivor.pk, for_write=True)
    access_candidate(actor, other.pk, for_write=True)
    locked = _lock_pair(survivor.pk, other.pk)
    if len(locked) != 2 or any(c.deleted_at for c in locked.values()):
        raise NotFound("No such candidate.")
    survivor, other = locked[survivor.pk], locked[other.pk]
    picks = _picks(survivor, other, choices or {})

    other_snapshot = {
        name: _json(getattr(other, name))
        for name in (*MERGE_FIELDS, "custom_fields", "resume", "is_do_not_contact")
    }
    tracked = (*MERGE_FIELDS, "custom_fields", "resume", "is_do_not_contact", "last_contacted_at")
    before = {name: getattr(survivor, name) for name in tracked}
    for name in MERGE_FIELDS:
        setattr(survivor, name, getattr(picks[name], name))
    survivor.custom_fields = {
        key: value
        for key in sorted({*survivor.custom_fields, *other.custom_fields})
        if (value := _value(picks[f"custom_fields.{key}"], f"custom_fields.{key}")) is not None
    }
    survivor.resume = survivor.resume or other.resume
    survivor.is_do_not_contact = survivor.is_do_not_contact or other.is_do_not_contact
    contacted = [d for d in (survivor.last_contacted_at, other.last_contacted_at) if d]
    survivor.last_contacted_at = max(contacted) if contacted else None
    survivor_before = {
        name: _json(value) for name, value in before.items() if getattr(survivor, name) != value
    }

    moved: dict[str, dict[str, Any]] = {}
    demoted: dict[str, list[int]] = {}
    for relation in candidate_relations():
        model, field = relation.related_model, relation.field.name
        assert isinstance(model, type)
        ids = list(model._default_manager.filter(**{field: other}).values_list("pk", flat=True))
        done = _move(model, field, ids, survivor)
        if not done:
            continue
        label = model._meta.label_lower
        moved[label] = {"field": field, "ids": done}
        if (
            model in _PRIMARY
            and model._default_manager.filter(**{field: survivor}, is_primary=True)
            .exclude(pk__in=done)
            .exists()
        ):
            demote = list(
                model._default_manager.filter(pk__in=done, is_primary=True).values_list(
                    "pk", flat=True
                )
            )
            model._default_manager.filter(pk__in=demote).update(is_primary=False)
            if demote:
                demoted[label] = demote

    now = timezone.now()
    _refresh_search_text(survivor)
    survivor.updated_at = now
    survivor.save()
    Candidate.objects.filter(pk=other.pk).update(deleted_at=now, updated_at=now)
    left, right = sorted((survivor.pk, other.pk))
    suggestion = DuplicateSuggestion.objects.filter(left_id=left, right_id=right).first()
    if suggestion is not None:
        suggestion.status = DuplicateSuggestion.Status.MERGED
        suggestion.decided_by, suggestion.decided_at = actor.user, now
        suggestion.save()
    merge = Merge.objects.create(
        workspace=actor.workspace,
        survivor=survivor,
        other=other,
        suggestion=suggestion,
        other_snapshot=other_snapshot,
        survivor_before=survivor_before,
        choices={name: source.pk for name, source in picks.items()},
        moved=moved,
        demoted=demoted,
        created_by=actor.user,
        created_at=now,
    )
    counts = {label: len(entry["ids"]) for label, entry in moved.items()}
    record_activity(
        candidate=survivor,
        type=Activity.Type.MERGE,
        channel=Activity.Channel.INTERNAL,
        actor=actor,
        summary=f"{actor.label} merged {other.full_name} (#{other.pk}) into this profile",
        payload={"merge_id": merge.pk, "other_id": other.pk, "moved": counts},
    )
    audit.record(
        actor=actor,
        action=audit.Action.CANDIDATE_MERGED,
        target=survivor,
        changes={
            name: [value, _json(getattr(survivor, name))] for name, value in survivor_before.items()
        },
        extra={"merge_id": merge.pk, "other_id": other.pk, "moved": counts},
    )
    from talentloop.duplicates.tasks import check_candidate_duplicates_task

    transaction.on_commit(lambda: check_candidate_duplicates_task.enqueue(survivor.pk))
    return merge


@transaction.atomic
def undo_merge(*, actor: Actor, merge: Merge) -> Merge:
    """Restore the merged-away candidate, move back exactly the rows the merge moved, and
    put back the survivor's values the merge replaced. Within 30 days, once.

    Rows deleted since the merge stay deleted; rows added to the survivor since stay there.
    Raises Conflict when the merge was undone already or is older than 30 days.
    """
    _require(actor, Capability.MERGE_CANDIDATES)
    merge = Merge.objects.select_for_update().get(pk=merge.pk)
    if merge.undone_at is not None:
        raise Conflict("This merge was undone already.", code="already_undone")
    if timezone.now() > undo_deadline(merge):
        raise Conflict(
            f"A merge can be undone for {UNDO_DAYS} days; this one was made on "
            f"{merge.created_at:%Y-%m-%d}.",
            code="undo_expired",
        )
    locked = _lock_pair(merge.survivor_id, merge.other_id)
    survivor, other = locked[merge.survivor_id], locked[merge.other_id]
    if survivor.deleted_at is not None:
        raise Conflict("The surviving candidate was deleted since; restore it first.")

    for label, entry in merge.moved.items():
        model = apps.get_model(label)
        field = entry["field"]
        ids = list(
            model._default_manager.filter(pk__in=entry["ids"], **{field: survivor}).values_list(
                "pk", flat=True
            )
        )
        _move(model, field, ids, other)
    for label, ids in merge.demoted.items():
        apps.get_model(label)._default_manager.filter(pk__in=ids).update(is_primary=True)
    for name, value in merge.survivor_before.items():
        if name == "last_contacted_at" and value is not None:
            value = dt.datetime.fromisoformat(value)
        setattr(survivor, name, value)
    now = timezone.now()
    _refresh_search_text(survivor)
    survivor.updated_at = now
    survivor.save()
    other.deleted_at, other.updated_at = None, now
    _refresh_search_text(other)
    other.save()
    if merge.suggestion_id:
        DuplicateSuggestion.objects.filter(pk=merge.suggestion_id).update(
            status=DuplicateSuggestion.Status.OPEN, decided_by=None, decided_at=None
        )
    merge.undone_at, merge.undone_by = now, actor.user
    merge.save()
    for candidate, summary in (
        (survivor, f"{actor.label} undid the merge of {other.full_name} (#{other.pk})"),
        (other, f"{actor.label} undid the merge into {survivor.full_name} (#{survivor.pk})"),
    ):
        record_activity(
            candidate=candidate,
            type=Activity.Type.MERGE,
            channel=Activity.Channel.INTERNAL,
            actor=actor,
            summary=summary,
            payload={"merge_id": merge.pk, "undone": True},
        )
    audit.record(
        actor=actor,
        action=audit.Action.MERGE_UNDONE,
        target=survivor,
        extra={
            "merge_id": merge.pk,
            "other_id": other.pk,
            "restored_fields": sorted(merge.survivor_before),
        },
    )
    return merge


# --- create or update by identity -----------------------------------------------------------


@transaction.atomic
def create_or_update_candidate(*, actor: Actor, data: Mapping[str, Any]) -> tuple[Candidate, bool]:
    """Create the candidate, unless an e-mail, phone or LinkedIn/GitHub link finds the person
    already: then add what is new to that record (empty fields filled, contacts and tags
    added) instead of creating a second one. Returns (candidate, created)."""
    existing = find_identity_match(
        actor.workspace,
        emails=data.get("emails") or [],
        phones=[p.get("number", "") for p in data.get("phones") or []],
        links=[link.get("url", "") for link in data.get("links") or []],
    )
    if existing is None:
        return create_candidate(actor=actor, data=data), True
    if existing.workspace_id != actor.workspace.pk:  # find_identity_match reads one workspace
        raise NotFound("No such candidate.")
    patch: dict[str, Any] = {
        name: value
        for name, value in data.items()
        if name in MERGE_FIELDS and value not in (None, "") and not getattr(existing, name)
    }
    current: dict[str, list[Any]] = {
        "emails": [e.email for e in existing.emails.all()],
        "phones": [{"number": p.number, "kind": p.kind} for p in existing.phones.all()],
        "links": [{"url": link.url, "kind": link.kind} for link in existing.links.all()],
        "tags": [t.name for t in existing.tags.all()],
    }
    for name, values in current.items():
        if data.get(name):
            patch[name] = [*values, *data[name]]  # update_candidate drops repeats
    new_custom = {
        k: v
        for k, v in (data.get("custom_fields") or {}).items()
        if k not in existing.custom_fields
    }
    if new_custom:
        patch["custom_fields"] = new_custom
    return update_candidate(actor=actor, candidate=existing, data=patch), False
