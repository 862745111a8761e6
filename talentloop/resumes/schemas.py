from __future__ import annotations

import datetime as dt
from typing import Any

from ninja import Schema
from pydantic import Field

from talentloop.candidates.schemas import StrictIn
from talentloop.resumes import document
from talentloop.resumes.models import ParseBatch, Resume, SkillPhrase, WorkspaceSkill


class BatchOut(Schema):
    id: int
    name: str
    status: str
    tags: list[str]
    source: str
    total_files: int
    processed_files: int
    percent: int
    files_per_second: float
    eta_seconds: float | None
    created: int = Field(description="New candidates")
    updated: int = Field(description="Files whose e-mail, phone or profile found a candidate")
    failed: int
    created_at: dt.datetime
    finished_at: dt.datetime | None

    @staticmethod
    def of(batch: ParseBatch) -> dict[str, Any]:
        return {
            **{name: getattr(batch, name) for name in BatchOut.model_fields if name != "id"},
            "id": batch.pk,
            "files_per_second": round(batch.files_per_second, 2),
        }


class BatchPageOut(Schema):
    items: list[BatchOut]


class ResumeSummaryOut(Schema):
    id: int
    file_name: str
    size: int
    format: str
    status: str
    error_code: str = Field(description="e.g. encrypted, corrupt, no_text_layer, too_large")
    error: str
    candidate_id: int | None
    batch_id: int | None
    parse_ms: float
    created_at: dt.datetime
    parsed_at: dt.datetime | None

    @staticmethod
    def of(resume: Resume) -> dict[str, Any]:
        return {
            **{
                name: getattr(resume, name)
                for name in ResumeSummaryOut.model_fields
                if name not in ("id", "parse_ms")
            },
            "id": resume.pk,
            "parse_ms": round(resume.parse_ms, 1),
        }


class ResumePageOut(Schema):
    items: list[ResumeSummaryOut]


class FieldOut(Schema):
    value: Any
    confidence: float = Field(description="0-1; 1 for a corrected field")
    corrected: bool


class ResumeOut(ResumeSummaryOut):
    pages: int
    is_ocr: bool
    fields: dict[str, FieldOut] = Field(description="Every reviewed field, in screen order")
    json_resume: dict[str, Any] = Field(description="The whole parse, JSON Resume shaped")

    @staticmethod
    def of(resume: Resume) -> dict[str, Any]:
        corrected = set(document.corrected_fields(resume.parsed))
        return {
            **ResumeSummaryOut.of(resume),
            "pages": resume.pages,
            "is_ocr": resume.is_ocr,
            "fields": {
                field: {
                    "value": document.get_field(resume.parsed, field),
                    "confidence": round(document.confidence(resume.parsed, field), 2),
                    "corrected": field in corrected,
                }
                for field in document.FIELDS
            }
            if resume.parsed
            else {},
            "json_resume": resume.parsed,
        }


class CorrectionIn(StrictIn):
    field: str = Field(description=f"One of: {', '.join(document.FIELDS)}")
    value: Any = Field(
        description="Text; a list of text (emails, phones, links, skills, languages, "
        "certifications); a number (years_experience); or a list of entries (work: name, "
        "position, location, startDate, endDate, summary; education: institution, studyType, "
        "area, startDate, endDate; dates YYYY or YYYY-MM)"
    )


class SkillIn(StrictIn):
    name: str
    aliases: list[str] = []
    category: str = ""


class SkillOut(Schema):
    id: int
    name: str
    aliases: list[str]
    category: str

    @staticmethod
    def of(skill: WorkspaceSkill) -> dict[str, Any]:
        return {
            "id": skill.pk,
            "name": skill.name,
            "aliases": skill.aliases,
            "category": skill.category,
        }


class PhraseOut(Schema):
    id: int
    phrase: str
    example: str
    occurrences: int

    @staticmethod
    def of(phrase: SkillPhrase) -> dict[str, Any]:
        return {
            "id": phrase.pk,
            "phrase": phrase.phrase,
            "example": phrase.example,
            "occurrences": phrase.occurrences,
        }


class PromoteIn(StrictIn):
    name: str = Field("", description="The skill's name; the phrase as written when empty")
    category: str = ""


class SkillsOut(Schema):
    workspace: list[SkillOut]
    unknown: list[PhraseOut]
