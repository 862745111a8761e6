"""The import pages: upload a file, map its columns, check it (dry run), import it, follow it."""

from __future__ import annotations

import json
from typing import IO, TypedDict, cast

from django.contrib import messages
from django.core.files.uploadedfile import UploadedFile
from django.http import HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_POST

from talentloop.core.actor import Actor
from talentloop.core.errors import Conflict, InvalidInput, NotFound
from talentloop.core.views import MemberRequest, member_required
from talentloop.imports import selectors, services
from talentloop.imports.forms import MappingForm, UploadForm, form_field_name
from talentloop.imports.models import ImportJob

ERRORS_SHOWN = 50
# The mapping may change only before a pass starts (services.set_mapping says the same).
EDITABLE = (ImportJob.Status.DRAFT, ImportJob.Status.CHECKED)
FINISHED = (ImportJob.Status.DONE, ImportJob.Status.CANCELLED)


class StatusOut(TypedDict):
    status: str
    status_label: str
    percent: int
    processed_rows: int
    total_rows: int
    rows_per_second: float
    eta_seconds: int | None
    created: int
    updated: int
    merged: int
    rejected: int
    checked: dict[str, int]
    show: dict[str, str]  # the page's [data-field] texts, formatted as the template does


def eta_text(seconds: float | None) -> str:
    """'12 s', '4 min', '2 h 5 min' (the page's script formats the same way)."""
    if seconds is None:
        return ""
    if seconds < 60:
        return f"{max(1, round(seconds))} s"
    minutes = round(seconds / 60)
    return f"{minutes} min" if minutes < 60 else f"{minutes // 60} h {minutes % 60} min"


def _status(job: ImportJob) -> StatusOut:
    eta = job.eta_seconds
    return {
        "status": job.status,
        "status_label": job.get_status_display(),
        "percent": job.percent,
        "processed_rows": job.processed_rows,
        "total_rows": job.total_rows,
        "rows_per_second": round(job.rows_per_second, 1),
        "eta_seconds": None if eta is None else round(eta),
        "created": job.created,
        "updated": job.updated,
        "merged": job.merged,
        "rejected": job.rejected,
        "checked": job.checked,
        "show": {
            "status_label": job.get_status_display(),
            "percent": f"{job.percent}%",
            "processed_rows": f"{job.processed_rows:,}",
            "rate": f" · {job.rows_per_second:,.0f} rows/s" if job.rows_per_second else "",
            "eta": f" · {eta_text(eta)} left" if eta is not None else "",
            **{key: str(getattr(job, key)) for key in ("created", "updated", "merged", "rejected")},
            **{
                f"checked.{key}": str(job.checked.get(key, 0))
                for key in ("created", "updated", "merged", "rejected")
            },
        },
    }


@member_required
def import_list(request: MemberRequest) -> HttpResponse:
    """GET: the workspace's imports and the upload form. POST: upload a file, then map it."""
    actor = request.actor
    if request.method == "POST":
        form = UploadForm(request.POST, request.FILES)
        if form.is_valid():
            upload: UploadedFile[bytes] = form.cleaned_data["file"]  # request.FILES["file"]
            try:
                job = services.create_job_from_upload(
                    actor=actor,
                    name=upload.name or "",
                    chunks=upload.chunks(),
                    size=upload.size or 0,
                    tags=form.tag_list(),
                    source=form.cleaned_data["source"],
                )
            except InvalidInput as exc:
                form.add_error(form_field_name(exc.field, list(form.fields)), exc.message)
            else:
                messages.success(
                    request, f"Read {job.total_rows} rows. Check the mapping, then import."
                )
                return redirect("imports:detail", job.pk)
    else:
        form = UploadForm()
    jobs = selectors.recent_imports(actor)  # Forbidden (a 403 page) for roles that cannot import
    return render(
        request,
        "imports/import_list.html",
        {
            "form": form,
            "jobs": [(job, eta_text(job.eta_seconds)) for job in jobs],
            "active_statuses": ImportJob.ACTIVE,
        },
        status=422 if request.method == "POST" else 200,
    )


@member_required
def import_detail(request: MemberRequest, job_id: int) -> HttpResponse:
    """The mapping table, the dry run's and the import's figures, progress and row errors.

    `?saved=<id>` fills the selects from a saved mapping (for the columns it names); nothing
    changes until Check or Import is pressed.
    """
    actor = request.actor
    job = selectors.access_import(actor, job_id)
    column_mapping = job.mapping
    error = ""
    saved_id = request.GET.get("saved", "")
    if saved_id and job.status in EDITABLE:
        try:
            saved = selectors.access_mapping(
                actor, int(saved_id) if saved_id.isascii() and saved_id.isdigit() else 0
            )
        except NotFound as exc:
            error = exc.message
        else:
            column_mapping = {
                **job.mapping,
                **{h: t for h, t in saved.mapping.items() if h in job.headers},
            }
    form = MappingForm(
        initial=MappingForm.initial_for(job.headers, column_mapping, job.tags),
        headers=job.headers,
        custom_field_keys=services.custom_field_keys(actor),
    )
    return _render_detail(request, job, form, error=error)


def _render_detail(
    request: MemberRequest,
    job: ImportJob,
    form: MappingForm,
    *,
    error: str = "",
    status: int = 200,
) -> HttpResponse:
    editable = job.status in EDITABLE
    errors_dry_run = job.is_dry_run  # the errors of the last (or current) pass
    errors = list(selectors.row_errors(job, dry_run=errors_dry_run)[:ERRORS_SHOWN])
    counts = (job.created, job.updated, job.merged, job.rejected)
    return render(
        request,
        "imports/import_detail.html",
        {
            "job": job,
            "form": form,
            "error": error,
            "editable": editable,
            "can_run": job.status not in ImportJob.ACTIVE and job.status not in FINISHED,
            "is_active": job.status in ImportJob.ACTIVE,
            "active_json": json.dumps(list(ImportJob.ACTIVE)),
            "columns": [
                (header, field, form.target_labels.get(job.mapping.get(header, ""), ""))
                for header, field in form.columns()
            ],
            "saved_mappings": selectors.saved_mappings(request.actor) if editable else [],
            "selected_mapping": request.GET.get("saved", ""),
            "eta": eta_text(job.eta_seconds),
            "imported": any(counts)
            or (
                not job.is_dry_run
                and (job.started_at is not None or job.status in ImportJob.ACTIVE)
            ),
            "row_errors": errors,
            "errors_dry_run": errors_dry_run,
            "errors_total": (
                selectors.row_errors(job, dry_run=errors_dry_run).count()
                if len(errors) == ERRORS_SHOWN
                else len(errors)
            ),
        },
        status=status,
    )


def _apply_form(actor: Actor, job: ImportJob, form: MappingForm) -> ImportJob:
    """Store what the mapping form changed: the mapping and tags (which voids a dry run), or
    only a name to save the unchanged mapping under."""
    column_mapping, tags = form.column_mapping(), form.tag_list()
    save_as = form.cleaned_data["save_as"]
    mapped = {header: target for header, target in column_mapping.items() if target}
    if mapped != {h: t for h, t in job.mapping.items() if t} or tags != job.tags:
        return services.set_mapping(
            actor=actor, job=job, column_mapping=column_mapping, tags=tags, save_as=save_as
        )
    if save_as.strip():
        services.save_mapping(actor=actor, name=save_as, column_mapping=job.mapping)
    return job


@require_POST
@member_required
def import_run(request: MemberRequest, job_id: int) -> HttpResponse:
    """Queue the dry run (`dry_run=1`) or the import (`dry_run=0`), first storing the mapping
    form's changes while the mapping may still change."""
    actor = request.actor
    job = selectors.access_import(actor, job_id)
    # Anything but an explicit 0 checks: pressing Enter in a text box must not import.
    dry_run = request.POST.get("dry_run", "1") != "0"
    try:
        if job.status in EDITABLE:
            form = MappingForm(
                request.POST,
                headers=job.headers,
                custom_field_keys=services.custom_field_keys(actor),
            )
            if not form.is_valid():
                return _render_detail(request, job, form, status=422)
            try:
                job = _apply_form(actor, job, form)
            except InvalidInput as exc:
                form.add_service_error(exc.field, exc.message)
                return _render_detail(request, job, form, status=422)
        services.queue_job(actor=actor, job=job, dry_run=dry_run)
    except Conflict as exc:
        messages.error(request, exc.message)
    return redirect("imports:detail", job.pk)


@require_POST
@member_required
def import_cancel(request: MemberRequest, job_id: int) -> HttpResponse:
    actor = request.actor
    job = selectors.access_import(actor, job_id)
    services.cancel_job(actor=actor, job=job)
    messages.success(request, "Cancelled. Rows already imported stay.")
    return redirect("imports:detail", job.pk)


@require_GET
@member_required
def import_status(request: MemberRequest, job_id: int) -> HttpResponse:
    """The job's progress and figures as JSON, for the page's polling script."""
    job = selectors.access_import(request.actor, job_id)
    return JsonResponse(_status(job))


@require_GET
@member_required
def import_errors(request: MemberRequest, job_id: int) -> HttpResponse:
    """Every row error of the import (or, with `?dry_run=1`, of the dry run) as CSV."""
    job = selectors.access_import(request.actor, job_id)
    dry_run = request.GET.get("dry_run") == "1"
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    name = f"import-{job.pk}-{'dry-run-' if dry_run else ''}errors.csv"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    # The report is written in one call, so it cannot stream; the response is its buffer.
    services.write_error_report(job, cast(IO[str], response), dry_run=dry_run)
    return response
