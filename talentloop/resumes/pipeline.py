"""From file bytes to a parsed resume, and from a parsed resume to candidate fields. Pure: no
Django, so the whole of it runs in the sandbox's child process and in plain-function tests."""

from __future__ import annotations

import datetime as dt
import functools
import re
from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import Any

from talentloop.resumes.extract import extract_text
from talentloop.resumes.fields import parse_text
from talentloop.resumes.parsed import Extracted, ParsedResume
from talentloop.resumes.skills import SKILL, Catalogue, Skill, default_catalogue

# A workspace's own catalogue entries: (name, aliases, category).
ExtraSkill = tuple[str, tuple[str, ...], str]


@dataclass(frozen=True, slots=True)
class Options:
    """What a parse depends on besides the bytes (picklable: it crosses into the sandbox)."""

    default_region: str | None = None
    today: dt.date | None = None
    max_pages: int = 30
    extra_skills: tuple[ExtraSkill, ...] = ()


# What is parsed of one document's text: about 30 pages (the page limit of a PDF), for files
# that have no pages (TXT, HTML, DOCX). The longest resume of the annotated sets has 58,000.
MAX_TEXT_CHARS = 150_000


def parse_document(data: bytes, filename: str, options: Options) -> tuple[Extracted, ParsedResume]:
    """Extract the text of `data` and parse it (its first `MAX_TEXT_CHARS` characters). Raises
    ExtractionError for a file that has no usable text (unsupported, encrypted, corrupt,
    scanned without OCR …)."""
    extracted = extract_text(data, filename=filename, max_pages=options.max_pages)
    text = extracted.text
    if len(text) > MAX_TEXT_CHARS:
        text = text[:MAX_TEXT_CHARS]
        extracted.warnings.append(
            f"only the first {MAX_TEXT_CHARS:,} characters of {len(extracted.text):,} were parsed"
        )
    parsed = parse_text(
        text,
        default_region=options.default_region,
        today=options.today,
        catalogue=_catalogue(options.extra_skills) if options.extra_skills else None,
        hyperlinks=extracted.links,
    )
    return extracted, parsed


@functools.lru_cache(maxsize=8)
def _catalogue(extra_skills: tuple[ExtraSkill, ...]) -> Catalogue:
    """The built-in catalogue with a workspace's own skills on top (cached per skill set)."""
    return default_catalogue().with_extra(
        Skill(name, aliases, category or SKILL, "workspace")
        for name, aliases, category in extra_skills
    )


def catalogue(extra_skills: tuple[ExtraSkill, ...]) -> Catalogue:
    """The catalogue a workspace parses with: `extra_skills` as `Options.extra_skills`."""
    return _catalogue(extra_skills) if extra_skills else default_catalogue()


def warm_up(data: bytes) -> int:
    """Load what every parse needs (the skills catalogue, compiled patterns) in a fresh
    sandbox child, so the first file is not charged for it."""
    default_catalogue()
    parse_text(data.decode() or "Warm Up\nwarm.up@example.test\nSKILLS\nPython")
    return 0


_NAME_NOISE = re.compile(r"\b(resume|résumé|cv|curriculum|vitae|final|new|updated|copy)\b", re.I)


def name_from_filename(filename: str) -> str:
    """'john_smith-resume (2).pdf' → 'John Smith': the last resort for a resume without a
    name, so the candidate can be created and the name fixed on the review screen."""
    stem = PurePosixPath(filename.replace("\\", "/")).stem
    words = re.sub(r"[\W\d_]+", " ", _NAME_NOISE.sub(" ", stem)).split()
    return " ".join(word.capitalize() for word in words[:4])


def name_parts(name: str) -> tuple[str, str]:
    """(first, last) as the import splits a full name: "Lovelace, Ada", "Dr. Ada Lovelace,
    PhD", "Ludwig van Beethoven" and ALL-CAPS names all come out right."""
    from talentloop.imports.mapping import split_full_name

    return split_full_name(name)


def location_parts(location: str) -> dict[str, str]:
    """{"city", "region", "country"} as the import reads a free-text location: "Berlin,
    Germany" is Berlin in DE, "Austin, TX" Austin in TX, US."""
    from talentloop.imports.mapping import split_location

    return {key: value[:100] for key, value in split_location(location).items()}


def candidate_data(parsed: ParsedResume, *, filename: str) -> dict[str, Any]:
    """The candidate fields a parsed resume gives, in the shape candidates.services accepts.

    Contacts are returned raw: the caller normalizes them one by one and drops the bad ones
    instead of refusing the whole resume."""
    first, last = name_parts(parsed.name or name_from_filename(filename) or "Unnamed")
    place = location_parts(parsed.location)
    current = next((job for job in parsed.work if job.period and job.period.current), None)
    latest = current or (parsed.work[0] if parsed.work else None)
    data: dict[str, Any] = {
        "first_name": first[:100],
        "last_name": last[:100],
        "headline": (parsed.headline or (latest.title if latest else ""))[:255],
        "city": place.get("city", ""),
        "region": place.get("region", ""),
        "country": place.get("country", ""),
        "current_title": (current.title if current else "")[:200],
        "current_company": (current.company if current else "")[:200],
        "emails": list(parsed.emails),
        "phones": list(parsed.phones),
        "links": list(parsed.links),
    }
    if parsed.years_experience is not None:
        data["years_experience"] = round(min(parsed.years_experience, 99.0), 1)
    return data


def render_pdf_page(data: bytes, page_number: int, width: int = 900) -> bytes:
    """Page `page_number` (0-based) of a PDF as a grayscale PNG `width` pixels wide: how the
    review screen shows the original beside the parsed fields, in any browser."""
    import struct
    import zlib

    import pypdfium2  # type: ignore[import-untyped]

    pdf = pypdfium2.PdfDocument(data)
    try:
        if not 0 <= page_number < len(pdf):
            raise IndexError(page_number)
        page = pdf[page_number]
        scale = width / max(1.0, page.get_width())
        bitmap = page.render(scale=min(scale, 4.0), grayscale=True)
        rows = bytes(bitmap.buffer)
        stride, pixels_wide, high = bitmap.stride, bitmap.width, bitmap.height
    finally:
        pdf.close()
    raw = b"".join(b"\x00" + rows[y * stride : y * stride + pixels_wide] for y in range(high))

    def chunk(kind: bytes, body: bytes) -> bytes:
        return (
            struct.pack(">I", len(body))
            + kind
            + body
            + struct.pack(">I", zlib.crc32(kind + body) & 0xFFFFFFFF)
        )

    header = struct.pack(">IIBBBBB", pixels_wide, high, 8, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(raw, 6))
        + chunk(b"IEND", b"")
    )
