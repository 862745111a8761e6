"""`parse_text`: every field of a `ParsedResume` from a resume's plain text (no Django).

Sections first (`sections`), then contact fields from the header (`contact`), jobs from the
work sections (`work`), schools, languages and certifications (`education`) and skills
(`skills`). Each field gets a confidence in 0..1 (0 when empty).
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Sequence

from talentloop.duplicates.nicknames import FAMILIES
from talentloop.resumes.contact import Contact, find_contact
from talentloop.resumes.dates import is_range, parse_period, years_of_experience
from talentloop.resumes.education import find_certifications, find_languages, parse_education
from talentloop.resumes.parsed import Job, ParsedResume
from talentloop.resumes.sections import Section, normalize_text, split_sections
from talentloop.resumes.skills import Catalogue, default_catalogue, find_skills
from talentloop.resumes.work import company_score, parse_work, title_score

_HEADLINE_SPLIT_RE = re.compile(r"\s+[-\u2013\u2014|@]\s+|\s+at\s+", re.IGNORECASE)
_NOT_FOR_WORK_FALLBACK = {"education", "skills", "languages", "certifications", "header"}


_STRAY_JOB_KINDS = {"skills", "education", "summary", "other", "projects"}
_SCHOOL_WORDS = frozenset(
    [
        "university",
        "college",
        "school",
        "institute",
        "academy",
        "universidad",
        "universität",
        "polytechnic",
        "bachelor",
        "master",
        "masters",
        "diploma",
        "degree",
        "b.tech",
        "b.e.",
        "m.tech",
        "mba",
    ]
)


_NOT_TITLES = ("certified", "graduate", "student", "honors", "honours")
# A year followed by a second year or "present" on the same line: a date range, maybe.
_RANGE_HINT_RE = re.compile(
    r"(?:19|20)\d\d\b.{0,40}?(?:\b(?:19|20)?\d\d\b|present|current|till|date|now|ongoing)",
    re.IGNORECASE,
)


_YEAR_END_RE = re.compile(r"(?:19|20)\d\d\s*$")


def _has_dated_title(lines: list[str]) -> bool:
    """A line with a date range and a title-like short line near it (a cheap pre-check)."""
    lines = [line for line in lines if line.strip()]
    for index, line in enumerate(lines):
        if len(line) > 140:
            continue
        if _RANGE_HINT_RE.search(line) is None:
            # "January 2008" / "Present" on two lines.
            if index + 1 == len(lines) or not _YEAR_END_RE.search(line):
                continue
            line = f"{line} - {lines[index + 1]}"
        period = parse_period(line)
        if period is None or not is_range(period):
            continue
        for near in lines[max(0, index - 3) : index + 4]:
            if len(near) < 100 and title_score(near) > 0:
                return True
    return False


def _stray_jobs(section: Section) -> list[Job]:
    """Jobs filed under another heading (a mislabelled "Skills" or "Education" holding the
    work history): only entries with a date, a title cue and an employer count."""
    if not _has_dated_title(section.lines):
        return []
    jobs = []
    for job in parse_work(section.text):
        if job.period is None or not is_range(job.period) or not job.company:
            continue
        if title_score(job.title) < 2 or job.title.lower().startswith(_NOT_TITLES):
            continue
        if ":" in job.company or (company_score(job.company) <= 0 and not job.location):
            continue
        words = set(f"{job.title} {job.company}".lower().replace(",", " ").split())
        if section.kind == "education" and words & _SCHOOL_WORDS:
            continue
        job.confidence = round(job.confidence * 0.7, 2)
        jobs.append(job)
    return jobs


_CONTACT_LINE_RE = re.compile(r"@|https?://|www\.")
_PHONE_LIKE_RE = re.compile(r"\+?\d[\d\s().-]{7,}\d")


def _below_contact(lines: list[str], name: str) -> str:
    """`lines` without the name and contact lines among the first ten."""
    key = name.strip().lower()

    def contact_line(line: str) -> bool:
        if (key and key in line.lower()) or _CONTACT_LINE_RE.search(line):
            return True
        # Nine digits or more in one run: a phone number, not a year range ("2005 - 2010").
        return any(sum(map(str.isdigit, m.group())) >= 9 for m in _PHONE_LIKE_RE.finditer(line))

    return "\n".join(
        line for index, line in enumerate(lines) if index >= 10 or not contact_line(line)
    )


def _joined(sections: list[Section], kind: str) -> str:
    return "\n".join(section.text for section in sections if section.kind == kind)


# "Sales Engineer Resume Template", "Copy Writer CV", "CIVIL ENGINEER RESUME" over the name.
_TITLED_RESUME_RE = re.compile(
    r"^(?P<title>.+?)\s+(?:(?:CV|resume|curriculum vitae)\s*)+"
    r"(?:template|example|sample|format)?$",
    re.IGNORECASE,
)


def _headline(header: list[str], name: str) -> tuple[str, str]:
    """(headline, company named beside it) from the lines under the name, else the role a
    resume names itself for at the top ("Sales Engineer Resume")."""
    title, company = _headline_under_name(header, name)
    if title:
        return title, company
    for line in header[:3]:
        if len(line) > 80:
            continue
        match = _TITLED_RESUME_RE.match(line.strip())
        if match and title_score(match.group("title")) > 0:
            return match.group("title").strip(" -,"), ""
    return "", ""


def _headline_under_name(header: list[str], name: str) -> tuple[str, str]:
    seen_name = not name
    checked = 0
    for line in header:
        text = line.strip().strip("\"'•·*-\u2013 ")
        if not text:
            continue
        if not seen_name:
            seen_name = name.lower() in text.lower()
            continue
        checked += 1
        if checked > 4:
            break
        if "@" in text or "http" in text or len(text) > 80 or any(c.isdigit() for c in text):
            continue
        parts = [p.strip() for p in _HEADLINE_SPLIT_RE.split(text) if p.strip()]
        if not parts:
            continue
        title = parts[0]
        if title_score(title) <= 0 or len(title.split()) > 8:
            continue
        company = ""
        if len(parts) > 1 and title_score(parts[1]) <= company_score(parts[1]) + 1.0:
            company = parts[1].rstrip(" ,.")
        return title.rstrip(" ,"), company
    return "", ""


def _summary(sections: list[Section]) -> str:
    for section in sections:
        if section.kind == "summary":
            text = " ".join(line.strip() for line in section.lines if line.strip())
            if text:
                return text[:1500]
    return ""


# Sections of a resume's body: a name is written above the first of them.
_BODY_KINDS = frozenset(
    {"summary", "work", "education", "skills", "languages", "certifications", "projects"}
)


def _body_start(sections: list[Section]) -> int | None:
    """The line of the first body heading ("Summary", "Experience"); None without one."""
    for section in sections:
        if section.kind in _BODY_KINDS:
            return max(0, section.start_line - 1)
    return None


def _not_a_name(contact: Contact, jobs: list[Job], catalogue: Catalogue) -> bool:
    """Nothing on the page names a person (no e-mail address, no phone) and the "name" is
    a job's title ("AUTOMOBILE TRANSPORTER" over an anonymised resume whose first job is
    "Automobile Transporter"), or ordinary words that open with no given name we know
    ("GAME DESIGN", "Goal Setting"): a headline or a skill, not a person."""
    key = contact.name.strip().lower()
    if not key or contact.emails or contact.phones:
        return False
    words = key.split()
    return any(job.title.strip().lower() == key for job in jobs) or (
        words[0] not in FAMILIES and all(map(catalogue.is_common_word, words))
    )


def _without_name(jobs: list[Job], name: str) -> list[Job]:
    """The candidate's own name (a page header repeated over a job) is no title or employer."""
    key = name.strip().lower()
    if not key:
        return jobs
    for job in jobs:
        if job.title.strip().lower() == key:
            job.title = ""
        if job.company.strip().lower() == key:
            job.company = ""
    return [job for job in jobs if job.title or job.company]


def parse_text(
    text: str,
    *,
    default_region: str | None = None,
    today: datetime.date | None = None,
    catalogue: Catalogue | None = None,
    hyperlinks: Sequence[str] = (),
) -> ParsedResume:
    """Fields of one resume; missing parts (skills, education) are left empty. Skills are
    matched against `catalogue` (a workspace's), else the built-in one. `hyperlinks` are the
    document's link targets (`Extracted.links`): profiles among them are links too."""
    today = today or datetime.date.today()  # noqa: DTZ011 - a calendar date, no time zone needed
    clean = normalize_text(text)
    lines = clean.split("\n")
    sections = split_sections(clean)
    header = sections[0].lines if sections else []
    contact = find_contact(lines, clean, default_region, hyperlinks, _body_start(sections))

    work: list[Job] = []
    for section in sections:
        if section.kind == "work":
            work.extend(parse_work(section.text))
        elif section.kind in _STRAY_JOB_KINDS:
            work.extend(_stray_jobs(section))
    if not work:
        # No work heading (or one glued to other text): look for dated entries elsewhere.
        rest = "\n".join(s.text for s in sections if s.kind not in _NOT_FOR_WORK_FALLBACK)
        if len(sections) == 1:
            # A resume without a single heading is all header: its entries are read there,
            # below the name and contact lines.
            rest = _below_contact(sections[0].lines, contact.name)
        for job in parse_work(rest):
            if job.title and job.company:
                job.confidence = round(job.confidence * 0.6, 2)
                work.append(job)

    catalogue = catalogue or default_catalogue()
    if _not_a_name(contact, work, catalogue):
        contact.name, contact.name_confidence = "", 0.0
    work = _without_name(work, contact.name)
    headline, headline_company = _headline(header or lines[:8], contact.name)
    if not work and headline and headline_company:
        work.append(Job(company=headline_company, title=headline, confidence=0.4))

    education = parse_education(_joined(sections, "education"), clean)
    languages = find_languages(_joined(sections, "languages"), clean)
    certifications = find_certifications(_joined(sections, "certifications"), clean)
    skills = find_skills(clean, sections=[(s.kind, s.text) for s in sections], catalogue=catalogue)

    periods = [job.period for job in work if job.period is not None]
    years = years_of_experience(periods, today) if periods else None

    def mean(values: list[float]) -> float:
        return round(sum(values) / len(values), 2) if values else 0.0

    confidence = {
        "name": contact.name_confidence if contact.name else 0.0,
        "emails": 0.95 if contact.emails else 0.0,
        "phones": 0.9 if contact.phones else 0.0,
        "links": 0.9 if contact.links else 0.0,
        "location": contact.location_confidence if contact.location else 0.0,
        "headline": 0.7 if headline else 0.0,
        "work": mean([job.confidence for job in work]),
        "education": mean([school.confidence for school in education]),
        "skills": mean([hit.confidence for hit in skills]),
        "languages": 0.8 if languages else 0.0,
        "certifications": 0.7 if certifications else 0.0,
        "years_experience": mean([job.confidence for job in work if job.period]),
    }
    return ParsedResume(
        name=contact.name,
        emails=contact.emails or [],
        phones=contact.phones or [],
        links=contact.links or [],
        location=contact.location,
        headline=headline,
        summary=_summary(sections),
        work=work,
        education=education,
        skills=skills,
        languages=languages,
        certifications=certifications,
        years_experience=years,
        confidence=confidence,
        sections=[(s.heading, s.kind) for s in sections if s.kind != "header"],
    )
