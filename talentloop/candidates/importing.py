"""Import candidates from a CSV, JSON or JSON Lines file, one row at a time through the services.

Each row is validated like an API request (`CandidateIn`) and created by `create_candidate`, in
its own transaction, so normalization, audit and timeline are the real ones and a bad row never
stops or rolls back the good ones. A row with an e-mail that is already taken is skipped as a
duplicate. Where a problem is, `row` says: the spreadsheet row in a CSV file (the header is row
1), the line in a JSON Lines file, the position in a JSON list (the first object is 1).

CSV headers are the API's candidate field names; cells of `emails`, `phones`, `links` and
`tags` hold several values separated by ";", and `custom_fields.<key>` columns fill custom fields.
"""

from __future__ import annotations

import contextlib
import csv
import json
import logging
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from django.db import transaction
from pydantic import ValidationError

from talentloop.accounts.roles import Capability
from talentloop.candidates.models import CandidateEmail, Source
from talentloop.candidates.normalize import NormalizationError, normalize_email
from talentloop.candidates.schemas import CandidateIn
from talentloop.candidates.services import create_candidate
from talentloop.core.actor import Actor
from talentloop.core.errors import Conflict, Forbidden, TalentloopError

logger = logging.getLogger(__name__)

FORMATS = {".csv": "csv", ".json": "json", ".jsonl": "jsonl", ".ndjson": "jsonl"}
SEPARATOR = ";"
CUSTOM_PREFIX = "custom_fields."
LIST_COLUMNS = {"emails", "phones", "links", "tags"}
CSV_COLUMNS = frozenset(CandidateIn.model_fields) - {"custom_fields"}
# Spreadsheet programs run cells that start with these as formulas.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


class ImportFileError(Exception):
    """The file as a whole cannot be imported (missing, unsupported, unreadable, bad header)."""


@dataclass(frozen=True)
class RowProblem:
    row: int
    field: str
    reason: str


@dataclass
class ImportReport:
    created: int = 0
    skipped: int = 0  # duplicates
    failed: int = 0
    problems: list[RowProblem] = field(default_factory=list)

    @property
    def total(self) -> int:
        return self.created + self.skipped + self.failed


@dataclass(frozen=True)
class _Record:
    """One row as read from the file: its data, or why it could not even be read."""

    row: int
    data: dict[str, Any] | None = None
    error: str = ""


# --- reading --------------------------------------------------------------------------------


def file_format(path: Path) -> str:
    """'csv', 'json' or 'jsonl' for `path`, or ImportFileError."""
    kind = FORMATS.get(path.suffix.lower())
    if kind is None:
        allowed = ", ".join(sorted(FORMATS))
        raise ImportFileError(
            f"Cannot import {path.suffix or 'extension-less'} files: use {allowed}."
        )
    if not path.exists():
        raise ImportFileError(f"No such file: {path}")
    if not path.is_file():
        raise ImportFileError(f"{path} is not a file.")
    return kind


def _open(path: Path) -> IO[str]:
    # utf-8-sig: spreadsheet programs put a byte-order mark in front of exported CSV.
    return path.open(encoding="utf-8-sig", newline="")


def _read_csv(path: Path) -> Iterator[_Record]:
    with _open(path) as stream:
        reader = csv.reader(stream)
        header = next(reader, None)
        if header is None:
            raise ImportFileError(f"{path.name} is empty: the first row must name the columns.")
        columns = _csv_columns(header)
        for index, cells in enumerate(reader, start=2):
            if not any(cell.strip() for cell in cells):
                continue  # blank rows that spreadsheets leave at the end
            if any(cell.strip() for cell in cells[len(columns) :]):
                yield _Record(index, error="This row has more cells than the header has columns.")
                continue
            yield _Record(index, data=_csv_row(dict(zip(columns, cells, strict=False))))


def _csv_columns(header: list[str]) -> list[str]:
    columns = [name.strip().lower() for name in header]
    while columns and not columns[-1]:
        columns.pop()  # a trailing separator makes an empty last column
    unknown = [
        name
        for name in columns
        if name not in CSV_COLUMNS
        and not (name.startswith(CUSTOM_PREFIX) and len(name) > len(CUSTOM_PREFIX))
    ]
    if unknown:
        raise ImportFileError(
            f"Unknown column {unknown[0]!r}. Columns are: {', '.join(sorted(CSV_COLUMNS))} "
            f"and {CUSTOM_PREFIX}<key> for custom fields."
        )
    repeated = sorted({name for name in columns if columns.count(name) > 1})
    if repeated:
        raise ImportFileError(f"Column {repeated[0]!r} appears twice.")
    if "first_name" not in columns:
        raise ImportFileError("The file needs a first_name column.")
    return columns


def _csv_row(cells: dict[str, str]) -> dict[str, Any]:
    """A CSV row in the API's shape. Empty cells are left out, so defaults apply."""
    data: dict[str, Any] = {"first_name": cells.get("first_name", "").strip()}
    custom: dict[str, str] = {}
    for column, raw in cells.items():
        value = raw.strip()
        if column == "first_name" or not value:
            continue
        if column.startswith(CUSTOM_PREFIX):
            custom[column.removeprefix(CUSTOM_PREFIX)] = value
        elif column in LIST_COLUMNS:
            items = [item.strip() for item in value.split(SEPARATOR) if item.strip()]
            if column == "phones":
                data[column] = [{"number": item} for item in items]
            elif column == "links":
                data[column] = [{"url": item} for item in items]
            else:
                data[column] = items
        else:
            data[column] = value
    if custom:
        data["custom_fields"] = custom
    return data


def _read_json(path: Path) -> Iterator[_Record]:
    with _open(path) as stream:
        try:
            document = json.load(stream)
        except json.JSONDecodeError as error:
            raise ImportFileError(f"{path.name} is not valid JSON: {error}") from None
    if not isinstance(document, list):
        raise ImportFileError(f"{path.name} must hold a JSON list of candidates.")
    for index, item in enumerate(document, start=1):
        yield _json_record(index, item)


def _read_jsonl(path: Path) -> Iterator[_Record]:
    with _open(path) as stream:
        for index, line in enumerate(stream, start=1):
            if not line.strip():
                continue
            try:
                item = json.loads(line)
            except json.JSONDecodeError as error:
                yield _Record(index, error=f"Not valid JSON: {error.msg}.")
                continue
            yield _json_record(index, item)


def _json_record(index: int, item: Any) -> _Record:
    if not isinstance(item, dict):
        return _Record(index, error="Each candidate must be a JSON object.")
    return _Record(index, data=item)


def _first_bad_line(path: Path) -> int:
    raw = path.read_bytes()
    try:
        raw.decode("utf-8")
    except UnicodeDecodeError as error:
        return raw.count(b"\n", 0, error.start) + 1
    return 0


_READERS: dict[str, Callable[[Path], Iterator[_Record]]] = {
    "csv": _read_csv,
    "json": _read_json,
    "jsonl": _read_jsonl,
}


def _records(path: Path) -> Iterator[_Record]:
    try:
        yield from _READERS[file_format(path)](path)
    except UnicodeDecodeError:
        raise ImportFileError(
            f"{path.name} is not UTF-8 text (line {_first_bad_line(path)}): save it as UTF-8."
        ) from None
    except csv.Error as error:
        raise ImportFileError(f"{path.name} is not valid CSV: {error}") from None


@dataclass(frozen=True)
class ImportFile:
    """A file checked as a whole by `open_import`, ready to import."""

    path: Path
    format: str
    rows: int


def open_import(path: Path) -> ImportFile:
    """Check everything about the file as a whole and count its rows, before anything is written.

    Raises ImportFileError for a missing or unsupported file, text that is not UTF-8, JSON that
    is not a list, or a CSV header that is not the API's field names.
    """
    kind = file_format(path)
    return ImportFile(path=path, format=kind, rows=sum(1 for _ in _records(path)))


# --- importing ------------------------------------------------------------------------------


def _field_of(location: Sequence[int | str]) -> str:
    """('phones', 0, 'number') -> 'phones[0].number', as services name fields."""
    name = ""
    for part in location:
        name += f"[{part}]" if isinstance(part, int) else (f".{part}" if name else str(part))
    return name


def _emails_of(data: dict[str, Any]) -> set[str]:
    emails = set()
    for value in data.get("emails") or []:
        with contextlib.suppress(NormalizationError):  # create_candidate reports it
            emails.add(normalize_email(value))
    return emails


class _DryRun(Exception):
    """Raised at the end of a row's transaction to roll it back."""


@transaction.atomic
def _create(actor: Actor, data: dict[str, Any], *, dry_run: bool) -> set[str]:
    candidate = create_candidate(actor=actor, data=data)
    emails = set(candidate.emails.values_list("email", flat=True))
    if dry_run:
        raise _DryRun
    return emails


def import_candidates(
    *,
    actor: Actor,
    file: ImportFile,
    source: str = Source.IMPORT,
    tags: Sequence[str] = (),
    dry_run: bool = False,
    progress: Callable[[int], object] | None = None,
) -> ImportReport:
    """Create a candidate for each row of `file`; return what happened to every row.

    Rows without a source get `source`, rows without a source detail get the file name, and
    every row gets `tags` on top of its own. Each row is its own transaction; with `dry_run`
    every row is validated and created, then rolled back, so nothing is written. Raises
    Forbidden when `actor` may not create candidates.
    """
    if not actor.can(Capability.EDIT_CANDIDATES):
        raise Forbidden("This role cannot create candidates.")
    report = ImportReport()
    seen: dict[str, int] = {}  # e-mail -> the row of this file that has it
    for record in _records(file.path):
        _import_row(
            actor,
            record,
            report,
            seen,
            source=source,
            tags=tags,
            detail=file.path.name[:255],
            dry_run=dry_run,
        )
        if progress:
            progress(1)
    return report


def _import_row(
    actor: Actor,
    record: _Record,
    report: ImportReport,
    seen: dict[str, int],
    *,
    source: str,
    tags: Sequence[str],
    detail: str,
    dry_run: bool,
) -> None:
    def fail(field: str, reason: str) -> None:
        report.problems.append(RowProblem(record.row, field, reason))

    if record.data is None:
        report.failed += 1
        fail("", record.error)
        return
    try:
        payload = CandidateIn.model_validate(record.data)
    except ValidationError as error:
        report.failed += 1
        for problem in error.errors(include_url=False):
            fail(_field_of(problem["loc"]), problem["msg"])
        return
    # Only what the row sets: what it leaves out gets the service's defaults (the owner is the
    # importing member) or the import's own.
    data = payload.model_dump(exclude_unset=True)
    data.setdefault("source", source)
    data.setdefault("source_detail", detail)
    data["tags"] = [*data.get("tags", []), *tags]

    # Duplicates within the file first, so a dry run (which keeps nothing) says what a real run
    # says.
    emails = _emails_of(data)
    in_file = sorted(email for email in emails if email in seen)
    taken = (
        CandidateEmail.objects.filter(workspace=actor.workspace, email__in=emails)
        .values_list("email", "candidate_id")
        .first()
        if not in_file
        else None
    )
    if in_file or taken:
        report.skipped += 1
        if in_file:
            fail("emails", f"duplicate: {in_file[0]} is also in row {seen[in_file[0]]}.")
        elif taken:
            fail("emails", f"duplicate: {taken[0]} already belongs to candidate {taken[1]}.")
        return

    try:
        created = _create(actor, data, dry_run=dry_run)
    except _DryRun:
        created = emails
    except Conflict as error:
        # Someone else took the e-mail between the check and the insert.
        report.skipped += 1
        fail(error.field or "emails", f"duplicate: {error.message}")
        return
    except TalentloopError as error:
        report.failed += 1
        fail(error.field or "", error.message)
        return
    except Exception as error:
        # A bug or database error on one row is that row's failure: it must not stop the rest.
        logger.exception("import of row %s failed", record.row)
        report.failed += 1
        fail("", f"Unexpected error: {error}")
        return
    report.created += 1
    for email in created:
        seen.setdefault(email, record.row)


# --- reporting ------------------------------------------------------------------------------


def _cell(value: str | int) -> str | int:
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value


def write_problems(report: ImportReport, stream: IO[str]) -> None:
    """Write the report's problems as CSV: row, field, reason (a header row even when none)."""
    writer = csv.writer(stream)
    writer.writerow(["row", "field", "reason"])
    for problem in report.problems:
        writer.writerow([_cell(problem.row), _cell(problem.field), _cell(problem.reason)])
