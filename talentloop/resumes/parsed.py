"""What a parsed resume is: plain dataclasses, no Django, shared by extraction, field
extraction, skills, the benchmark and the services that store a result.

`ParsedResume.to_json_resume()` gives the JSON Resume (jsonresume.org) shaped document stored
on the candidate, with Talentloop's additions under `meta.talentloop` (confidence per field).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(slots=True)
class Extracted:
    """The text of one document, in reading order, and what was learned on the way."""

    text: str
    format: str  # "pdf", "docx", "doc", "rtf", "odt", "html", "txt"
    pages: int = 1
    ocr: bool = False  # the text came from Tesseract, not from a text layer
    warnings: list[str] = field(default_factory=list)
    # The web addresses the document links to (hyperlink targets), which the text may not show:
    # "LinkedIn" linked to the candidate's profile.
    links: list[str] = field(default_factory=list)


@dataclass(slots=True)
class Period:
    """A date range as written ("Mar 2019 - present"); months are 1 to 12, None when not given."""

    raw: str
    start_year: int | None = None
    start_month: int | None = None
    end_year: int | None = None
    end_month: int | None = None
    current: bool = False

    def start_iso(self) -> str:
        return _iso(self.start_year, self.start_month)

    def end_iso(self) -> str:
        return "" if self.current else _iso(self.end_year, self.end_month)


def _iso(year: int | None, month: int | None) -> str:
    if year is None:
        return ""
    return f"{year:04d}-{month:02d}" if month else f"{year:04d}"


@dataclass(slots=True)
class Job:
    company: str = ""
    title: str = ""
    location: str = ""
    period: Period | None = None
    description: str = ""
    confidence: float = 0.0


@dataclass(slots=True)
class School:
    institution: str = ""
    degree: str = ""  # "B.E.", "Master of Science"
    field_of_study: str = ""  # "Computer Science"
    period: Period | None = None  # the graduation year is period.end_year (or start when alone)
    confidence: float = 0.0


@dataclass(slots=True)
class SkillHit:
    """A skill found in the text. `canonical` is the catalogue's name ("JavaScript") when the
    phrase is known, else "" (an unknown skill-like phrase, kept so it can be promoted)."""

    name: str  # as written
    canonical: str = ""
    category: str = ""
    section: str = ""  # where it was found: "skills", "work", "summary", ...
    confidence: float = 0.0


@dataclass(slots=True)
class ParsedResume:
    name: str = ""
    emails: list[str] = field(default_factory=list)
    phones: list[str] = field(default_factory=list)  # E.164 when the number parses
    links: list[str] = field(default_factory=list)
    location: str = ""
    headline: str = ""
    summary: str = ""
    work: list[Job] = field(default_factory=list)
    education: list[School] = field(default_factory=list)
    skills: list[SkillHit] = field(default_factory=list)
    languages: list[str] = field(default_factory=list)
    certifications: list[str] = field(default_factory=list)
    years_experience: float | None = None  # from non-overlapping work periods
    # Field name ("name", "emails", "phones", "links", "location", "work", "education",
    # "skills", "languages", "certifications", "years_experience") -> 0..1.
    confidence: dict[str, float] = field(default_factory=dict)
    # (heading as written, section kind) in document order: what the review screen outlines.
    sections: list[tuple[str, str]] = field(default_factory=list)

    def to_json_resume(self) -> dict[str, Any]:
        first_email = self.emails[0] if self.emails else ""
        first_phone = self.phones[0] if self.phones else ""
        return {
            "basics": {
                "name": self.name,
                "label": self.headline,
                "email": first_email,
                "phone": first_phone,
                "summary": self.summary,
                "location": {"address": self.location},
                "profiles": [{"url": url} for url in self.links],
            },
            "work": [
                {
                    "name": job.company,
                    "position": job.title,
                    "location": job.location,
                    "startDate": job.period.start_iso() if job.period else "",
                    "endDate": job.period.end_iso() if job.period else "",
                    "summary": job.description,
                }
                for job in self.work
            ],
            "education": [
                {
                    "institution": school.institution,
                    "studyType": school.degree,
                    "area": school.field_of_study,
                    "startDate": school.period.start_iso() if school.period else "",
                    "endDate": school.period.end_iso() if school.period else "",
                }
                for school in self.education
            ],
            "skills": [
                {"name": hit.canonical or hit.name, "keywords": [hit.name]} for hit in self.skills
            ],
            "languages": [{"language": language} for language in self.languages],
            "certificates": [{"name": name} for name in self.certifications],
            "meta": {
                "talentloop": {
                    "emails": self.emails,
                    "phones": self.phones,
                    "yearsExperience": self.years_experience,
                    "confidence": self.confidence,
                    "current": [bool(job.period and job.period.current) for job in self.work],
                    # Each work and education entry's own confidence, in list order.
                    "entryConfidence": {
                        "work": [round(job.confidence, 2) for job in self.work],
                        "education": [round(school.confidence, 2) for school in self.education],
                    },
                }
            },
        }
