"""Import jobs: create one for a file or folder, map its columns, check it (dry run), run it."""

from __future__ import annotations

import csv
import datetime as dt
import secrets
import shutil
from collections.abc import Callable, Iterable, Mapping, Sequence
from pathlib import Path
from typing import IO

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from talentloop.candidates.models import CustomFieldDefinition, Source
from talentloop.candidates.services import clean_tag_names
from talentloop.compliance.models import AuditEvent
from talentloop.core.actor import Actor
from talentloop.core.errors import Conflict, InvalidInput, TalentloopError
from talentloop.imports import engine, mapping, reading
from talentloop.imports.models import ImportJob, ImportMapping, ImportRowError
from talentloop.imports.selectors import require_importer


def custom_field_keys(actor: Actor) -> list[str]:
    return list(
        CustomFieldDefinition.objects.filter(workspace=actor.workspace).values_list(
            "key", flat=True
        )
    )


def create_job(
    *,
    actor: Actor,
    path: Path,
    name: str = "",
    owns_file: bool = False,
    tags: Sequence[str] = (),
    source: str = Source.IMPORT,
    column_mapping: Mapping[str, str] | None = None,
) -> ImportJob:
    """An import of the file or folder at `path`, its columns read and a mapping suggested
    (or `column_mapping` checked). Raises InvalidInput when the file cannot be read."""
    require_importer(actor)
    if source not in Source.values:
        raise InvalidInput(f"Source is one of: {', '.join(Source.values)}.", field="source")
    try:
        files = reading.import_files(path)
        headers: list[str] = []
        for file in files:
            for header in reading.read_headers(file):
                if header not in headers:
                    headers.append(header)
        total = sum(reading.count_records(file) for file in files)
        kind = reading.detect_format(files[0])
    except reading.ImportFileError as error:
        raise InvalidInput(str(error), field="file") from None
    keys = custom_field_keys(actor)
    job = ImportJob(
        workspace=actor.workspace,
        created_by=actor.user,
        name=(name or path.name)[:255],
        path=str(path.resolve()),
        owns_file=owns_file,
        format=kind,
        headers=headers,
        mapping=mapping.suggest_mapping(headers, keys),
        tags=clean_tag_names(list(tags)),
        source=source,
        source_detail=(name or path.name)[:255],
        total_rows=total,
    )
    if column_mapping is not None:
        job.mapping = _checked_mapping(column_mapping, headers, keys)
    job.save()
    return job


def _checked_mapping(
    column_mapping: Mapping[str, str], headers: Sequence[str], keys: Sequence[str]
) -> dict[str, str]:
    problems = mapping.check_mapping(column_mapping, headers, keys)
    if problems:
        header, reason = problems[0]
        raise InvalidInput(reason, field=f"mapping.{header}" if header else "mapping")
    return dict(column_mapping)


def set_mapping(
    *,
    actor: Actor,
    job: ImportJob,
    column_mapping: Mapping[str, str],
    tags: Sequence[str] | None = None,
    save_as: str = "",
) -> ImportJob:
    """Change the job's column mapping (and batch tags) before it runs; optionally save the
    mapping for the workspace under `save_as`."""
    require_importer(actor)
    if job.status not in (ImportJob.Status.DRAFT, ImportJob.Status.CHECKED):
        raise Conflict("The import has started; its mapping can no longer change.")
    job.mapping = _checked_mapping(column_mapping, job.headers, custom_field_keys(actor))
    if tags is not None:
        job.tags = clean_tag_names(list(tags))
    job.status = ImportJob.Status.DRAFT  # an earlier dry run no longer describes it
    job.checked = {}
    job.save(update_fields=["mapping", "tags", "status", "checked"])
    if save_as.strip():
        save_mapping(actor=actor, name=save_as, column_mapping=job.mapping)
    return job


def save_mapping(*, actor: Actor, name: str, column_mapping: Mapping[str, str]) -> ImportMapping:
    require_importer(actor)
    name = name.strip()
    if not name or len(name) > 100:
        raise InvalidInput("A name is 1 to 100 characters.", field="name")
    saved, _ = ImportMapping.objects.update_or_create(
        workspace=actor.workspace,
        name=name,
        defaults={
            "mapping": dict(column_mapping),
            "created_by": actor.user,
            "updated_at": timezone.now(),
        },
    )
    return saved


@transaction.atomic
def queue_job(*, actor: Actor, job: ImportJob, dry_run: bool) -> ImportJob:
    """Queue the dry run or the import for the worker."""
    from talentloop.imports.tasks import run_import_task

    require_importer(actor)
    job = ImportJob.objects.select_for_update().get(pk=job.pk)
    if job.status in ImportJob.ACTIVE:
        raise Conflict("This import is already running.")
    if job.status in (ImportJob.Status.DONE, ImportJob.Status.CANCELLED):
        raise Conflict("This import has finished.")
    _reset(job, dry_run=dry_run)
    job.status = ImportJob.Status.CHECKING if dry_run else ImportJob.Status.QUEUED
    job.save()
    transaction.on_commit(lambda: run_import_task.enqueue(job.pk, dry_run))
    return job


def _reset(job: ImportJob, *, dry_run: bool) -> None:
    """A dry run or import starts from the top; the other's figures stay."""
    job.is_dry_run = dry_run
    job.processed_rows = job.checkpoint_file = job.checkpoint_row = 0
    job.seconds = 0
    job.error = ""
    job.started_at = timezone.now()
    job.finished_at = None
    if dry_run:
        job.checked = {}
    ImportRowError.objects.filter(job=job, is_dry_run=dry_run).delete()


def run_job(
    job: ImportJob,
    actor: Actor,
    *,
    progress: Callable[[ImportJob, int], object] | None = None,
    batch_rows: int = engine.BATCH_ROWS,
) -> ImportJob:
    """Run the job's pass (dry run or import) from its checkpoint to the end."""
    dry_run = job.is_dry_run
    job.status = ImportJob.Status.CHECKING if dry_run else ImportJob.Status.RUNNING
    job.heartbeat_at = timezone.now()
    job.save(update_fields=["status", "heartbeat_at"])
    try:
        engine.run(job, actor, dry_run=dry_run, progress=progress, batch_rows=batch_rows)
    except engine.Stop:
        job.refresh_from_db()
        return job
    except Exception as error:
        job.status = ImportJob.Status.FAILED
        job.error = f"{type(error).__name__}: {error}"[:2000]
        job.save(update_fields=["status", "error"])
        raise
    job.status = ImportJob.Status.CHECKED if dry_run else ImportJob.Status.DONE
    job.finished_at = timezone.now()
    job.save(update_fields=["status", "finished_at"])
    if not dry_run and (job.created or job.updated or job.merged):
        from talentloop.imports.tasks import suggest_import_duplicates_task

        transaction.on_commit(lambda: suggest_import_duplicates_task.enqueue(job.pk))
    return job


def touched_candidates(job: ImportJob) -> list[int]:
    """The candidates the import created or updated, from its audit rows (one per batch)."""
    touched: set[int] = set()
    events = AuditEvent.objects.filter(
        workspace_id=job.workspace_id,
        action=AuditEvent.Action.CANDIDATES_IMPORTED,
        target_type=ImportJob._meta.model_name,
        target_id=job.pk,
    ).values_list("extra", flat=True)
    for extra in events.iterator(chunk_size=100):
        touched.update(extra.get("created", []))
        touched.update(extra.get("updated", []))
    return sorted(touched)


def start_now(*, actor: Actor, job: ImportJob, dry_run: bool) -> ImportJob:
    """Prepare the job for a pass run in this process (the CLI), as queue_job would."""
    require_importer(actor)
    with transaction.atomic():
        job = ImportJob.objects.select_for_update().get(pk=job.pk)
        if job.status in ImportJob.ACTIVE and job.is_dry_run == dry_run:
            return job  # resuming an interrupted pass: keep its checkpoint
        if job.status in (ImportJob.Status.DONE, ImportJob.Status.CANCELLED):
            raise Conflict("This import has finished.")
        _reset(job, dry_run=dry_run)
        job.status = ImportJob.Status.CHECKING if dry_run else ImportJob.Status.QUEUED
        job.save()
    return job


def resumable_jobs() -> list[ImportJob]:
    """Jobs a stopped worker left running (no heartbeat for 2 minutes)."""
    stale = timezone.now() - dt.timedelta(minutes=2)
    return list(
        ImportJob.objects.filter(
            status__in=[ImportJob.Status.CHECKING, ImportJob.Status.RUNNING],
            heartbeat_at__lt=stale,
        )
    )


def upload_dir() -> Path:
    return Path(settings.DATA_DIR) / "imports"


def save_upload(*, actor: Actor, name: str, chunks: Iterable[bytes], size: int) -> Path:
    """Store an uploaded file under DATA_DIR/imports/<random>/ and return its path. The name
    is reduced to its last component (no path can escape the folder)."""
    require_importer(actor)
    limit = settings.IMPORT_MAX_BYTES
    if size > limit:
        raise InvalidInput(f"The file is larger than {limit // 1_000_000} MB.", field="file")
    safe = Path(name.replace("\\", "/")).name.strip() or "upload"
    folder = upload_dir() / secrets.token_hex(16)
    folder.mkdir(parents=True)
    path = folder / safe[:200]
    written = 0
    with path.open("wb") as out:
        for chunk in chunks:
            written += len(chunk)
            if written > limit:
                out.close()
                shutil.rmtree(folder, ignore_errors=True)
                raise InvalidInput(
                    f"The file is larger than {limit // 1_000_000} MB.", field="file"
                )
            out.write(chunk)
    return path


def create_job_from_upload(
    *,
    actor: Actor,
    name: str,
    chunks: Iterable[bytes],
    size: int,
    tags: Sequence[str] = (),
    source: str = Source.IMPORT,
) -> ImportJob:
    path = save_upload(actor=actor, name=name, chunks=chunks, size=size)
    try:
        return create_job(
            actor=actor, path=path, name=path.name, owns_file=True, tags=tags, source=source
        )
    except TalentloopError:
        shutil.rmtree(path.parent, ignore_errors=True)
        raise


@transaction.atomic
def cancel_job(*, actor: Actor, job: ImportJob) -> ImportJob:
    """Stop a queued or running pass after its current batch; rows written stay."""
    require_importer(actor)
    job = ImportJob.objects.select_for_update().get(pk=job.pk)
    if job.status in (ImportJob.Status.DONE, ImportJob.Status.CANCELLED):
        return job
    job.status = ImportJob.Status.CANCELLED
    job.finished_at = timezone.now()
    job.save(update_fields=["status", "finished_at"])
    return job


_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _cell(value: str | int) -> str | int:
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value  # spreadsheet programs would run it as a formula
    return value


def write_error_report(job: ImportJob, stream: IO[str], *, dry_run: bool) -> None:
    """The rows that were (or would be) rejected, as CSV: file, row, field, reason."""
    writer = csv.writer(stream)
    writer.writerow(["file", "row", "field", "reason"])
    rows = (
        ImportRowError.objects.filter(job=job, is_dry_run=dry_run)
        .order_by("id")
        .values_list("file_name", "row", "field", "reason")
    )
    for file_name, row, field, reason in rows.iterator(chunk_size=2000):
        writer.writerow([_cell(file_name), row, _cell(field), _cell(reason)])
