"""Import jobs over the API: upload, map, dry run, start, follow, read the rejected rows."""

from __future__ import annotations

import io
from typing import Any

from django.http import HttpRequest, HttpResponse
from ninja import File, Form, Router, Status
from ninja.files import UploadedFile

from talentloop.candidates.models import Source
from talentloop.core.api import actor_of, file_answer
from talentloop.core.cursor import decode, encode
from talentloop.core.errors import InvalidInput
from talentloop.imports import selectors, services
from talentloop.imports.schemas import (
    ImportJobOut,
    ImportJobPageOut,
    MappingIn,
    RowErrorOut,
    RowErrorPageOut,
    RunIn,
    SavedMappingIn,
    SavedMappingOut,
)

router = Router(tags=["imports"])


@router.post("/imports", response={201: ImportJobOut})
def upload_import(
    request: HttpRequest,
    file: File[UploadedFile],
    tags: Form[str] = "",
    source: Form[str] = Source.IMPORT.value,
) -> Status[dict[str, Any]]:
    """Upload a CSV, XLSX, JSON (a list, or JSON Resume) or JSON Lines file (multipart field
    `file`; `tags` comma-separated for every row). The answer holds the columns found and the
    suggested mapping; change it with PUT …/mapping, then POST …/run."""
    job = services.create_job_from_upload(
        actor=actor_of(request),
        name=file.name or "upload",
        chunks=file.chunks(),
        size=file.size or 0,
        tags=[t.strip() for t in tags.split(",") if t.strip()],
        source=source,
    )
    return Status(201, ImportJobOut.of(job))


@router.get("/imports", response=ImportJobPageOut)
def list_imports(request: HttpRequest) -> dict[str, Any]:
    """The workspace's 50 latest imports, newest first."""
    return {"items": [ImportJobOut.of(j) for j in selectors.recent_imports(actor_of(request))]}


@router.get("/imports/{job_id}", response=ImportJobOut)
def get_import(request: HttpRequest, job_id: int) -> dict[str, Any]:
    """An import's state: status, percent, rows/s, ETA and what happened to the rows so far."""
    return ImportJobOut.of(selectors.access_import(actor_of(request), job_id))


@router.put("/imports/{job_id}/mapping", response=ImportJobOut)
def set_import_mapping(request: HttpRequest, job_id: int, payload: MappingIn) -> dict[str, Any]:
    """Map each column header to a candidate field (an empty field skips the column)."""
    actor = actor_of(request)
    job = services.set_mapping(
        actor=actor,
        job=selectors.access_import(actor, job_id),
        column_mapping=payload.mapping,
        tags=payload.tags,
        save_as=payload.save_as,
    )
    return ImportJobOut.of(job)


@router.post("/imports/{job_id}/run", response={202: ImportJobOut})
def run_import(request: HttpRequest, job_id: int, payload: RunIn) -> Status[dict[str, Any]]:
    """Queue the dry run (`dry_run: true`: what would be created, updated, merged or rejected,
    nothing written) or the import itself. Follow it with GET /imports/{id}."""
    actor = actor_of(request)
    job = services.queue_job(
        actor=actor, job=selectors.access_import(actor, job_id), dry_run=payload.dry_run
    )
    return Status(202, ImportJobOut.of(selectors.access_import(actor, job.pk)))


@router.post("/imports/{job_id}/cancel", response=ImportJobOut)
def cancel_import(request: HttpRequest, job_id: int) -> dict[str, Any]:
    """Stop after the batch being written; the rows written so far stay."""
    actor = actor_of(request)
    job = services.cancel_job(actor=actor, job=selectors.access_import(actor, job_id))
    return ImportJobOut.of(job)


@router.get("/imports/{job_id}/errors", response=RowErrorPageOut)
def import_errors(
    request: HttpRequest, job_id: int, dry_run: bool = False, cursor: str = "", limit: int = 100
) -> dict[str, Any]:
    """The rejected rows (row, field, reason), 100 a page; `dry_run=true` for the dry run's."""
    if not 1 <= limit <= 1000:
        raise InvalidInput("Limit is 1 to 1000.", field="limit")
    job = selectors.access_import(actor_of(request), job_id)
    errors = selectors.row_errors(job, dry_run=dry_run)
    if cursor:
        (after,) = decode(cursor, size=1)
        if not isinstance(after, int):
            raise InvalidInput("This cursor is not from this list.", field="cursor")
        errors = errors.filter(id__gt=after)
    page = list(errors[: limit + 1])
    next_cursor = encode([page[limit - 1].pk]) if len(page) > limit else None
    return {"items": [RowErrorOut.of(e) for e in page[:limit]], "next_cursor": next_cursor}


@router.get(
    "/imports/{job_id}/errors.csv",
    response={200: None},
    openapi_extra=file_answer("The error report (file, row, field, reason).", ["text/csv"]),
)
def import_errors_csv(request: HttpRequest, job_id: int, dry_run: bool = False) -> HttpResponse:
    """The rejected rows as a CSV file: file, row, field, reason."""
    job = selectors.access_import(actor_of(request), job_id)
    stream = io.StringIO()
    services.write_error_report(job, stream, dry_run=dry_run)
    response = HttpResponse(stream.getvalue(), content_type="text/csv; charset=utf-8")
    suffix = "-dry-run" if dry_run else ""
    response["Content-Disposition"] = f'attachment; filename="import-{job.pk}-errors{suffix}.csv"'
    return response


@router.get("/import-mappings", response=list[SavedMappingOut])
def list_mappings(request: HttpRequest) -> list[dict[str, Any]]:
    """Column mappings saved for reuse."""
    return [SavedMappingOut.of(m) for m in selectors.saved_mappings(actor_of(request))]


@router.post("/import-mappings", response={201: SavedMappingOut})
def save_mapping(request: HttpRequest, payload: SavedMappingIn) -> Status[dict[str, Any]]:
    """Save (or replace) a named mapping."""
    saved = services.save_mapping(
        actor=actor_of(request), name=payload.name, column_mapping=payload.mapping
    )
    return Status(201, SavedMappingOut.of(saved))
