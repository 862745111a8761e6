"""The import engine: a file's rows in batches, each mapped, validated, matched to the people
already stored by their identity keys (e-mail, phone, LinkedIn/GitHub profile), and written with
a few multi-row statements.

One batch is one transaction holding its rows, their timeline entries, an audit row, its row
errors and the job's checkpoint, so a run stopped at any point (a killed worker, a crash, a
restart) continues after the last committed row and ends exactly as an uninterrupted run would.

A row whose identity key belongs to a stored candidate updates that record (empty fields filled,
new contacts and tags added) instead of creating a second one; a row that is the same person as
an earlier row of the file is merged into the record that row made. Fuzzy matches (names and the
like) are left to the duplicate review queue, never merged here.
"""

from __future__ import annotations

import datetime as dt
import json
import multiprocessing
import multiprocessing.pool
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from itertools import islice
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import connection, connections, transaction
from django.utils import timezone

from talentloop.candidates import search
from talentloop.candidates.models import (
    Activity,
    Candidate,
    CandidateEmail,
    CandidateLink,
    CandidatePhone,
    CandidateTag,
    CustomFieldDefinition,
    Tag,
)
from talentloop.candidates.normalize import build_search_text
from talentloop.candidates.services import clean_candidate_data
from talentloop.compliance import audit
from talentloop.core import bulk
from talentloop.core.actor import Actor
from talentloop.core.errors import TalentloopError
from talentloop.imports import mapping as mappings
from talentloop.imports import reading
from talentloop.imports.models import ImportJob, ImportRowError

BATCH_ROWS = 2_000
POOL_MIN_ROWS = 20_000  # below this, starting worker processes costs more than it saves
# A worker that takes this long over one batch is stuck: the run fails (and can be resumed)
# rather than wait forever.
WORKER_TIMEOUT = 600
PROFILE_KINDS = (CandidateLink.Kind.LINKEDIN, CandidateLink.Kind.GITHUB)
# Scalar fields a later row may fill when the stored record has them empty.
FILLABLE = (
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
)
TEXT_FIELDS = ("first_name", *(name for name in FILLABLE if name != "years_experience"))
CANDIDATE_COLUMNS = (
    "id",
    "workspace_id",
    "first_name",
    *FILLABLE,
    "source",
    "source_detail",
    "owner_id",
    "custom_fields",
    "resume",
    "is_do_not_contact",
    "is_archived",
    "search_text",
    "created_at",
    "updated_at",
)


class Stop(Exception):
    """Raised by a `progress` callback to stop after the batch just committed (tests use it to
    stand for a killed worker)."""


@dataclass
class Counts:
    created: int = 0
    updated: int = 0
    merged: int = 0
    rejected: int = 0

    def add(self, other: Counts) -> None:
        self.created += other.created
        self.updated += other.updated
        self.merged += other.merged
        self.rejected += other.rejected

    def as_dict(self) -> dict[str, int]:
        return {
            "created": self.created,
            "updated": self.updated,
            "merged": self.merged,
            "rejected": self.rejected,
        }


@dataclass
class Problem:
    row: int
    field: str
    reason: str


@dataclass
class Person:
    """What a batch writes for one person: a new candidate or additions to a stored one."""

    candidate_id: int | None  # None: new, id allocated at write time
    row: int
    fields: dict[str, Any]
    emails: list[str] = field(default_factory=list)
    phones: list[tuple[str, str]] = field(default_factory=list)
    links: list[tuple[str, str]] = field(default_factory=list)
    tags: list[str] = field(default_factory=list)
    custom: dict[str, Any] = field(default_factory=dict)

    def absorb(self, other: Person) -> None:
        """Add a later row of the same person: empty fields filled, contacts and tags added."""
        for name, value in other.fields.items():
            if value not in (None, "") and self.fields.get(name) in (None, ""):
                self.fields[name] = value
        _extend(self.emails, other.emails)
        if self.candidate_id is None:  # a new record: its words may have grown
            self.fields["search_text"] = _search_text(self.fields, self.emails)
        _extend(self.phones, other.phones)
        _extend(self.links, other.links)
        _extend(self.tags, other.tags)
        for key, value in other.custom.items():
            self.custom.setdefault(key, value)

    def identity_keys(self) -> list[str]:
        keys = [f"e:{email}" for email in self.emails]
        keys += [f"p:{number}" for number, _ in self.phones]
        keys += [f"l:{url}" for url, kind in self.links if kind in PROFILE_KINDS]
        return keys


def _extend(target: list[Any], values: Iterable[Any]) -> None:
    for value in values:
        if value not in target:
            target.append(value)


@dataclass
class Context:
    """Everything a job's rows need, loaded once."""

    actor: Actor
    job: ImportJob
    definitions: dict[str, CustomFieldDefinition]
    apply: Callable[[Mapping[str, Any]], dict[str, Any]]  # the job's compiled column mapping
    tag_ids: dict[str, int] = field(default_factory=dict)  # name_key -> id
    created_ids: set[int] = field(default_factory=set)  # made by this run: later rows "merge"
    seen: dict[str, int] = field(default_factory=dict)  # dry run: key -> row that had it


# --- rows -> people ---------------------------------------------------------------------------


def prepare(context: Context, record: reading.RawRecord) -> Person | Problem:
    """One file record as a Person to write, or the Problem that rejects it."""
    if record.cells is None:
        return Problem(record.row, "", record.error)
    job = context.job
    data = context.apply(record.cells)
    data["tags"] = [*data.get("tags", []), *job.tags]
    data["source"] = job.source
    data.setdefault("source_detail", job.source_detail)
    if not data.get("first_name") and data.get("emails"):
        # A row with only an e-mail still names someone: its mailbox stands in for the name.
        data["first_name"] = str(data["emails"][0]).split("@")[0][:100]
    try:
        clean = clean_candidate_data(
            context.actor, data, creating=True, definitions=context.definitions
        )
    except TalentloopError as error:
        return Problem(record.row, error.field or "", error.message)
    fields: dict[str, Any] = {name: clean.get(name, "") for name in TEXT_FIELDS}
    fields["source"], fields["source_detail"] = clean["source"], clean.get("source_detail", "")
    fields["years_experience"] = clean.get("years_experience")
    fields["search_text"] = _search_text(fields, clean.get("emails", []))
    return Person(
        candidate_id=None,
        row=record.row,
        fields=fields,
        emails=list(clean.get("emails", [])),
        phones=list(clean.get("phones", [])),
        links=list(clean.get("links", [])),
        tags=list(clean.get("tags", [])),
        custom={k: v for k, v in clean.get("custom_fields", {}).items() if v is not None},
    )


def _search_text(fields: Mapping[str, Any], emails: Iterable[str]) -> str:
    return build_search_text(
        fields["first_name"],
        fields["last_name"],
        " ".join(emails),
        fields["current_title"],
        fields["current_company"],
    )


def _stored_owners(workspace_id: int, keys: set[str]) -> dict[str, tuple[int, bool]]:
    """key -> (candidate id, deleted?) for the keys some stored candidate holds."""
    emails = [k[2:] for k in keys if k.startswith("e:")]
    phones = [k[2:] for k in keys if k.startswith("p:")]
    links = [k[2:] for k in keys if k.startswith("l:")]
    found: dict[str, tuple[int, bool]] = {}
    lookups = (
        ("e:", CandidateEmail._meta.db_table, "email", emails, ""),
        ("p:", CandidatePhone._meta.db_table, "number", phones, ""),
        ("l:", CandidateLink._meta.db_table, "url", links, " AND x.kind IN ('linkedin', 'github')"),
    )
    postgres = connection.vendor == "postgresql"
    with connection.cursor() as cursor:
        for prefix, table, column, values, extra in lookups:
            # PostgreSQL gets one array parameter: a prepared statement with 500 separate
            # ones fell back to a generic plan 20 times slower.
            for chunk in [values] if postgres else _chunks(values, 500):
                if not chunk:
                    continue
                match = "= ANY(%s)" if postgres else f"IN ({', '.join(['%s'] * len(chunk))})"
                cursor.execute(
                    f"SELECT x.{column}, x.candidate_id, c.deleted_at IS NOT NULL "  # noqa: S608
                    f"FROM {table} x JOIN {Candidate._meta.db_table} c ON c.id = x.candidate_id "
                    f"WHERE x.workspace_id = %s AND x.{column} {match}{extra} "
                    "ORDER BY x.candidate_id",
                    [workspace_id, chunk] if postgres else [workspace_id, *chunk],
                )
                for value, candidate_id, deleted in cursor.fetchall():
                    found.setdefault(prefix + value, (candidate_id, bool(deleted)))
    return found


def _chunks(values: list[Any], size: int) -> Iterator[list[Any]]:
    for start in range(0, len(values), size):
        yield values[start : start + size]


@dataclass
class ContactRows:
    """Rows for the contact and tag tables, gathered across a batch."""

    emails: list[tuple[Any, ...]] = field(default_factory=list)
    phones: list[tuple[Any, ...]] = field(default_factory=list)
    links: list[tuple[Any, ...]] = field(default_factory=list)
    tagged: list[tuple[Any, ...]] = field(default_factory=list)


@dataclass
class Plan:
    new: list[Person] = field(default_factory=list)
    stored: dict[int, Person] = field(default_factory=dict)  # candidate id -> additions
    problems: list[Problem] = field(default_factory=list)
    counts: Counts = field(default_factory=Counts)
    rows: dict[int, list[int]] = field(default_factory=dict)  # id(person) -> its rows


def plan_batch(context: Context, rows: list[Person | Problem], *, dry_run: bool) -> Plan:
    """Sort a batch's prepared rows into new people, additions to stored ones and rejections."""
    plan = Plan()
    people: list[Person] = []
    for prepared in rows:
        if isinstance(prepared, Problem):
            plan.problems.append(prepared)
            plan.counts.rejected += 1
        else:
            people.append(prepared)
    all_keys = {key for person in people for key in person.identity_keys()}
    stored = _stored_owners(context.job.workspace_id, all_keys)
    owner_of: dict[str, Person] = {}  # key -> the person of this batch that holds it
    for person in people:
        keys = person.identity_keys()
        deleted = next((k for k in keys if k in stored and stored[k][1]), None)
        if deleted is not None:
            plan.problems.append(
                Problem(
                    person.row,
                    "emails" if deleted.startswith("e:") else "phones",
                    f"{deleted[2:]} belongs to a deleted candidate; restore or erase it first.",
                )
            )
            plan.counts.rejected += 1
            continue
        match = next((owner_of[k] for k in keys if k in owner_of), None)
        stored_id = next((stored[k][0] for k in keys if k in stored), None)
        if match is None and stored_id is not None:
            match = plan.stored.get(stored_id)
            if match is None:
                match = plan.stored[stored_id] = Person(stored_id, person.row, {})
                is_ours = stored_id in context.created_ids
                plan.counts.merged += is_ours
                plan.counts.updated += not is_ours
                match.absorb(person)
                _own(owner_of, match)
                plan.rows[id(match)] = [person.row]
                continue
        if match is None and dry_run:
            earlier = next((context.seen[k] for k in keys if k in context.seen), None)
            if earlier is not None:
                plan.counts.merged += 1
                continue
        if match is not None:
            match.absorb(person)
            plan.counts.merged += 1
            plan.rows[id(match)].append(person.row)
        else:
            match = person
            plan.new.append(person)
            plan.counts.created += 1
            plan.rows[id(match)] = [person.row]
        _own(owner_of, match)
    if dry_run:
        for person in plan.new:
            for key in person.identity_keys():
                context.seen.setdefault(key, person.row)
    return plan


def _own(owner_of: dict[str, Person], person: Person) -> None:
    for key in person.identity_keys():
        owner_of.setdefault(key, person)


# --- writing ----------------------------------------------------------------------------------


def _tag_ids(context: Context, names: Iterable[str], now: dt.datetime) -> dict[str, int]:
    wanted = {name.casefold(): name for name in names}
    missing = [key for key in wanted if key not in context.tag_ids]
    if missing:
        workspace_id = context.job.workspace_id
        for key, tag_id in Tag.objects.filter(
            workspace_id=workspace_id, name_key__in=missing
        ).values_list("name_key", "id"):
            context.tag_ids[key] = tag_id
        for key in missing:
            if key not in context.tag_ids:
                tag, _ = Tag.objects.get_or_create(
                    workspace_id=workspace_id,
                    name_key=key,
                    defaults={"name": wanted[key], "created_at": now},
                )
                context.tag_ids[key] = tag.pk
    return {name: context.tag_ids[name.casefold()] for name in wanted.values()}


def _json(value: Any) -> str:
    if not value:
        return "{}"
    return json.dumps(value, separators=(",", ":"))


def _years(value: Decimal | None) -> Any:
    if value is None:
        return None
    return value if connection.vendor == "postgresql" else str(value)


def _stamp(value: dt.datetime) -> Any:
    """A datetime as the database column takes it through raw SQL (as the ORM would send it)."""
    return connection.ops.adapt_datetimefield_value(value)


def write_plan(context: Context, plan: Plan, *, file_name: str) -> None:
    """Write the batch: new candidates with their contacts, tags and timeline entry; additions
    to stored candidates; one audit row naming every candidate touched."""
    job, actor = context.job, context.actor
    now = timezone.now()
    stamp = _stamp(now)
    workspace_id = job.workspace_id
    owner_id = actor.user_id
    ids = bulk.allocate_ids(Candidate._meta.db_table, len(plan.new))
    candidates: list[tuple[Any, ...]] = []
    activities: list[tuple[Any, ...]] = []
    contacts = ContactRows()
    tag_ids = _tag_ids(
        context,
        [t for p in [*plan.new, *plan.stored.values()] for t in p.tags],
        now,
    )
    label = f"import #{job.pk} ({file_name or job.name})"
    for person, candidate_id in zip(plan.new, ids, strict=True):
        person.candidate_id = candidate_id
        context.created_ids.add(candidate_id)
        f = person.fields
        candidates.append(
            (
                candidate_id,
                workspace_id,
                *(f[name] for name in TEXT_FIELDS),
                _years(f["years_experience"]),
                f["source"],
                f["source_detail"],
                owner_id,
                _json(person.custom),
                "{}",
                False,
                False,
                f["search_text"],
                stamp,
                stamp,
            )
        )
        _contact_rows(person, workspace_id, stamp, contacts, tag_ids)
        activities.append(
            _activity(
                person, Activity.Type.CREATED, f"Imported by {label}", actor, stamp, plan, job.pk
            )
        )
    if candidates:
        search.insert_indexed(
            lambda: bulk.insert_rows(Candidate._meta.db_table, CANDIDATE_COLUMNS, candidates),
            ids[0],
            ids[-1],
        )
    _insert_contacts(contacts, missing_only=False)

    if plan.stored:
        _update_stored(context, plan, stamp, tag_ids, label, activities)
    bulk.insert_rows(
        Activity._meta.db_table,
        (
            "workspace_id",
            "candidate_id",
            "type",
            "channel",
            "actor_id",
            "summary",
            "payload",
            "occurred_at",
            "created_at",
        ),
        [(workspace_id, *row) for row in activities],
    )
    touched_new = [p.candidate_id for p in plan.new]
    audit.record(
        actor=actor,
        action=audit.Action.CANDIDATES_IMPORTED,
        target=job,
        target_label=label[:254],
        extra={"created": touched_new, "updated": sorted(plan.stored)},
    )


def _activity(
    person: Person,
    kind: str,
    summary: str,
    actor: Actor,
    stamp: Any,
    plan: Plan,
    import_id: int,
) -> tuple[Any, ...]:
    rows = plan.rows.get(id(person), [person.row])
    payload = f'{{"import_id":{import_id},"rows":[{",".join(map(str, rows[:20]))}]}}'
    return (
        person.candidate_id,
        kind,
        Activity.Channel.INTERNAL,
        actor.user_id,
        summary[:500],
        payload,
        stamp,
        stamp,
    )


def _contact_rows(
    person: Person,
    workspace_id: int,
    stamp: Any,
    out: ContactRows,
    tag_ids: Mapping[str, int],
    *,
    skip_first_primary: bool = False,
) -> None:
    cid = person.candidate_id
    primary = not skip_first_primary  # a stored candidate keeps its primary contacts
    for index, email in enumerate(person.emails):
        out.emails.append((cid, workspace_id, email, primary and index == 0, stamp))
    for index, (number, kind) in enumerate(person.phones):
        out.phones.append((cid, workspace_id, number, kind, primary and index == 0, stamp))
    out.links.extend((cid, workspace_id, kind, url, stamp) for url, kind in person.links)
    out.tagged.extend((cid, tag_ids[name]) for name in person.tags)


def _insert_contacts(rows: ContactRows, *, missing_only: bool) -> None:
    tables = (
        (
            CandidateEmail._meta.db_table,
            ("candidate_id", "workspace_id", "email", "is_primary", "created_at"),
            rows.emails,
            ("workspace_id", "email"),
        ),
        (
            CandidatePhone._meta.db_table,
            ("candidate_id", "workspace_id", "number", "kind", "is_primary", "created_at"),
            rows.phones,
            ("candidate_id", "number"),
        ),
        (
            CandidateLink._meta.db_table,
            ("candidate_id", "workspace_id", "kind", "url", "created_at"),
            rows.links,
            ("candidate_id", "url"),
        ),
        (
            CandidateTag._meta.db_table,
            ("candidate_id", "tag_id"),
            rows.tagged,
            ("candidate_id", "tag_id"),
        ),
    )
    for table, columns, values, unique in tables:
        if missing_only:
            bulk.insert_missing(table, columns, values, unique=unique)
        else:
            bulk.insert_rows(table, columns, values)


def _update_stored(
    context: Context,
    plan: Plan,
    stamp: Any,
    tag_ids: Mapping[str, int],
    label: str,
    activities: list[tuple[Any, ...]],
) -> None:
    """Fill the stored candidates' empty fields, add their new contacts and tags, refresh their
    search text, and give each a timeline entry."""
    ids = sorted(plan.stored)
    columns = ("id", "first_name", *FILLABLE, "custom_fields")
    current: dict[int, dict[str, Any]] = {
        row["id"]: row for row in Candidate.objects.filter(pk__in=ids).values(*columns)
    }
    stored_emails: dict[int, list[str]] = {}
    for candidate_id, email in CandidateEmail.objects.filter(candidate_id__in=ids).values_list(
        "candidate_id", "email"
    ):
        stored_emails.setdefault(candidate_id, []).append(email)
    contacts = ContactRows()
    updates: list[tuple[Any, ...]] = []
    workspace_id = context.job.workspace_id
    for candidate_id in ids:
        person, row = plan.stored[candidate_id], current[candidate_id]
        for name in FILLABLE:
            value = person.fields.get(name)
            if value not in (None, "") and row[name] in (None, ""):
                row[name] = value
        custom = {**person.custom, **(row["custom_fields"] or {})}
        known = stored_emails.get(candidate_id, [])
        new_emails = [e for e in person.emails if e not in known]
        person.emails = new_emails
        _contact_rows(person, workspace_id, stamp, contacts, tag_ids, skip_first_primary=True)
        search_text = build_search_text(
            row["first_name"],
            row["last_name"],
            " ".join([*known, *new_emails]),
            row["current_title"],
            row["current_company"],
        )
        updates.append(
            (
                *(
                    row[name] if name != "years_experience" else _years(row[name])
                    for name in FILLABLE
                ),
                _json(custom),
                search_text,
                stamp,
                candidate_id,
            )
        )
        activities.append(
            _activity(
                person,
                Activity.Type.UPDATED,
                f"Updated by {label}",
                context.actor,
                stamp,
                plan,
                context.job.pk,
            )
        )
    assignments = ", ".join(
        f"{name} = %s" for name in (*FILLABLE, "custom_fields", "search_text", "updated_at")
    )
    with connection.cursor() as cursor:
        cursor.executemany(
            f"UPDATE {Candidate._meta.db_table} SET {assignments} WHERE id = %s",  # noqa: S608
            updates,
        )
    _insert_contacts(contacts, missing_only=True)


# --- running a job ----------------------------------------------------------------------------


def _batches(records: Iterator[reading.RawRecord], size: int) -> Iterator[list[reading.RawRecord]]:
    while batch := list(islice(records, size)):
        yield batch


def run(
    job: ImportJob,
    actor: Actor,
    *,
    dry_run: bool,
    progress: Callable[[ImportJob, int], object] | None = None,
    batch_rows: int = BATCH_ROWS,
    workers: int | None = None,
) -> ImportJob:
    """Import (or, with `dry_run`, check) the job's file or folder from its checkpoint on.
    `workers` processes prepare rows beside this one (default: settings.IMPORT_WORKERS).

    `progress(job, rows)` is called after each committed batch; raising Stop from it stops the
    run there (the job stays resumable). Rows already committed are never read again.
    """
    context = _context(actor, job)
    files = reading.import_files(Path(job.path))
    pool = _pool(actor, job, context.definitions, workers)
    try:
        for file_index, path in enumerate(files):
            if file_index < job.checkpoint_file:
                continue
            after = job.checkpoint_row if file_index == job.checkpoint_file else 0
            records = reading.iter_records(path, after_row=after)
            clock = time.perf_counter()
            for last_row, count, rows in _prepared(context, records, batch_rows, pool):
                with transaction.atomic():
                    plan = plan_batch(context, rows, dry_run=dry_run)
                    if not dry_run:
                        write_plan(context, plan, file_name=path.name if len(files) > 1 else "")
                    _save_problems(job, plan.problems, path.name, dry_run=dry_run)
                    now = time.perf_counter()
                    _checkpoint(
                        job, plan.counts, file_index, last_row, count, now - clock, dry_run=dry_run
                    )
                    clock = now
                _refresh_statistics(job, count)
                if progress is not None:
                    progress(job, count)
                if ImportJob.objects.filter(pk=job.pk, status=ImportJob.Status.CANCELLED).exists():
                    raise Stop
            job.checkpoint_file, job.checkpoint_row = file_index + 1, 0
            ImportJob.objects.filter(pk=job.pk).update(
                checkpoint_file=file_index + 1, checkpoint_row=0
            )
    finally:
        if pool is not None:
            pool.terminate()
    return job


def _refresh_statistics(job: ImportJob, rows: int) -> None:
    """On PostgreSQL, analyze the tables an import grows each time its rows have doubled
    (from 10,000). Autovacuum's statistics lag a bulk load: with a fresh database the planner
    still thought the contact tables empty and scanned them whole for every identity lookup,
    which made an import slow down as it went."""
    if connection.vendor != "postgresql":
        return
    done = job.processed_rows
    last = done - rows
    threshold = 10_000
    while threshold <= done:
        if last < threshold:
            tables = ", ".join(
                model._meta.db_table
                for model in (Candidate, CandidateEmail, CandidatePhone, CandidateLink)
            )
            with connection.cursor() as cursor:
                cursor.execute(f"ANALYZE {tables}")
            return
        threshold *= 2


def _context(actor: Actor, job: ImportJob) -> Context:
    return Context(
        actor=actor,
        job=job,
        definitions={
            d.key: d for d in CustomFieldDefinition.objects.filter(workspace_id=job.workspace_id)
        },
        apply=mappings.compile_mapping(job.mapping),
    )


def _save_problems(
    job: ImportJob, problems: list[Problem], file_name: str, *, dry_run: bool
) -> None:
    ImportRowError.objects.bulk_create(
        ImportRowError(
            job=job,
            is_dry_run=dry_run,
            file_name=file_name[:255],
            row=p.row,
            field=p.field[:100],
            reason=p.reason[:500],
        )
        for p in problems
    )


# --- preparing rows in other processes ----------------------------------------------------------
# Validating a row (e-mail syntax, phone numbers through libphonenumber, URLs) costs about as
# much as writing it, so with a second core a worker process prepares the next batches while
# this one writes. Workers touch no database: they get the job, actor and custom field
# definitions once, and send back plain Person / Problem objects.

_worker_context: Context | None = None


def _start_worker(actor: Actor, job: ImportJob, definitions: dict[str, Any]) -> None:
    global _worker_context
    _worker_context = Context(
        actor=actor, job=job, definitions=definitions, apply=mappings.compile_mapping(job.mapping)
    )


def _prepare_in_worker(records: list[reading.RawRecord]) -> list[Person | Problem]:
    assert _worker_context is not None
    return [prepare(_worker_context, record) for record in records]


def _pool(
    actor: Actor, job: ImportJob, definitions: dict[str, Any], workers: int | None
) -> multiprocessing.pool.Pool | None:
    count = settings.IMPORT_WORKERS if workers is None else workers
    if count < 1 or connection.in_atomic_block or job.total_rows < POOL_MIN_ROWS:
        return None
    # A forked child must not share the parent's database connections: close them first
    # (the parent reconnects on its next query).
    connections.close_all()
    return multiprocessing.get_context("fork").Pool(
        count, initializer=_start_worker, initargs=(actor, job, definitions)
    )


def _prepared(
    context: Context,
    records: Iterator[reading.RawRecord],
    batch_rows: int,
    pool: multiprocessing.pool.Pool | None,
) -> Iterator[tuple[int, int, list[Person | Problem]]]:
    """(last row, row count, prepared rows) per batch, in file order; with a pool, up to
    three batches are prepared ahead (memory stays bounded: the file is never read ahead
    further than that)."""
    batches = _batches(records, batch_rows)
    if pool is None:
        for batch in batches:
            yield batch[-1].row, len(batch), [prepare(context, r) for r in batch]
        return
    pending: deque[tuple[int, int, Any]] = deque()
    for batch in batches:
        pending.append((batch[-1].row, len(batch), pool.apply_async(_prepare_in_worker, (batch,))))
        if len(pending) > 2:
            last, count, result = pending.popleft()
            yield last, count, result.get(timeout=WORKER_TIMEOUT)
    while pending:
        last, count, result = pending.popleft()
        yield last, count, result.get(timeout=WORKER_TIMEOUT)


def _checkpoint(
    job: ImportJob,
    counts: Counts,
    file_index: int,
    row: int,
    rows: int,
    seconds: float,
    *,
    dry_run: bool,
) -> None:
    job.checkpoint_file, job.checkpoint_row = file_index, row
    job.processed_rows += rows
    job.seconds += seconds
    job.heartbeat_at = timezone.now()
    fields = ["checkpoint_file", "checkpoint_row", "processed_rows", "seconds", "heartbeat_at"]
    if dry_run:
        totals = Counts(**{k: job.checked.get(k, 0) for k in Counts().as_dict()})
        totals.add(counts)
        job.checked = totals.as_dict()
        fields.append("checked")
    else:
        job.created += counts.created
        job.updated += counts.updated
        job.merged += counts.merged
        job.rejected += counts.rejected
        fields += ["created", "updated", "merged", "rejected"]
    job.save(update_fields=fields)
