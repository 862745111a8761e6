from __future__ import annotations

import datetime as dt
from typing import Any

from ninja import Schema
from pydantic import Field

from talentloop.candidates.schemas import StrictIn
from talentloop.imports.models import ImportJob, ImportMapping, ImportRowError


class ImportJobOut(Schema):
    id: int
    name: str
    format: str
    status: str
    is_dry_run: bool
    headers: list[str]
    mapping: dict[str, str]
    tags: list[str]
    source: str
    total_rows: int
    processed_rows: int
    percent: int
    rows_per_second: float
    eta_seconds: float | None
    created: int
    updated: int
    merged: int
    rejected: int
    checked: dict[str, int] = Field(description="The dry run's figures: created, updated, …")
    error: str
    created_at: dt.datetime
    finished_at: dt.datetime | None

    @staticmethod
    def of(job: ImportJob) -> dict[str, Any]:
        return {
            **{name: getattr(job, name) for name in ImportJobOut.model_fields if name != "id"},
            "id": job.pk,
            "rows_per_second": round(job.rows_per_second, 1),
        }


class ImportJobPageOut(Schema):
    items: list[ImportJobOut]


class MappingIn(StrictIn):
    mapping: dict[str, str] = Field(description="{column header: field}; an empty field skips")
    tags: list[str] | None = None
    save_as: str = Field("", max_length=100, description="Also save the mapping under this name")


class RunIn(StrictIn):
    dry_run: bool = False


class RowErrorOut(Schema):
    file_name: str
    row: int
    field: str
    reason: str

    @staticmethod
    def of(error: ImportRowError) -> dict[str, Any]:
        return {
            "file_name": error.file_name,
            "row": error.row,
            "field": error.field,
            "reason": error.reason,
        }


class RowErrorPageOut(Schema):
    items: list[RowErrorOut]
    next_cursor: str | None


class SavedMappingOut(Schema):
    id: int
    name: str
    mapping: dict[str, str]

    @staticmethod
    def of(saved: ImportMapping) -> dict[str, Any]:
        return {"id": saved.pk, "name": saved.name, "mapping": saved.mapping}


class SavedMappingIn(StrictIn):
    name: str = Field(max_length=100)
    mapping: dict[str, str]
