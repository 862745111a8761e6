"""The resume pages: upload files, follow a batch, review a parse beside the original and
correct it, curate the workspace's skills."""

from __future__ import annotations

import json
from typing import Any, cast

from django.conf import settings
from django.contrib import messages
from django.http import HttpResponse, JsonResponse, QueryDict
from django.shortcuts import redirect, render
from django.views.decorators.clickjacking import xframe_options_sameorigin
from django.views.decorators.http import require_GET, require_POST

from talentloop.core.errors import Conflict, InvalidInput, NotFound
from talentloop.core.views import MemberRequest, member_required
from talentloop.imports.views import eta_text
from talentloop.resumes import document, selectors, services
from talentloop.resumes.forms import SkillForm, UploadForm
from talentloop.resumes.models import ParseBatch, Resume

LIST_FIELDS_ONE_PER_LINE = document.LIST_FIELDS
ENTRY_FIELDS = {
    "work": (
        ("name", "Company"),
        ("position", "Title"),
        ("location", "Location"),
        ("startDate", "Start"),
        ("endDate", "End"),
    ),
    "education": (
        ("institution", "Institution"),
        ("studyType", "Degree"),
        ("area", "Field"),
        ("startDate", "Start"),
        ("endDate", "End"),
    ),
}


def _batch_status(batch: ParseBatch) -> dict[str, Any]:
    eta = batch.eta_seconds
    return {
        "status": batch.status,
        "status_label": batch.get_status_display(),
        "percent": batch.percent,
        "processed_files": batch.processed_files,
        "total_files": batch.total_files,
        "files_per_second": round(batch.files_per_second, 2),
        "eta_seconds": None if eta is None else round(eta),
        "created": batch.created,
        "updated": batch.updated,
        "failed": batch.failed,
        "show": {  # the page's [data-field] texts, formatted as the template does
            "status_label": batch.get_status_display(),
            "percent": f"{batch.percent}%",
            "processed_files": str(batch.processed_files),
            "rate": f" · {batch.files_per_second:.1f} files/s" if batch.files_per_second else "",
            "eta": f" · {eta_text(eta)} left" if eta is not None else "",
            **{key: str(getattr(batch, key)) for key in ("created", "updated", "failed")},
        },
    }


@member_required
def resume_list(request: MemberRequest) -> HttpResponse:
    """GET: recent batches and the upload form. POST: upload files, then follow the batch."""
    actor = request.actor
    status = 200
    if request.method == "POST":
        form = UploadForm(request.POST, request.FILES)
        if form.is_valid():
            files = request.FILES.getlist("resume_files")
            try:
                batch = services.create_batch(
                    actor=actor,
                    uploads=services.uploads_from_files(files),
                    name=(files[0].name or "upload") if len(files) == 1 else f"{len(files)} files",
                    tags=form.tag_list(),
                    source=form.cleaned_data["source"],
                )
            except InvalidInput as exc:
                form.add_error("resume_files" if exc.field == "files" else None, exc.message)
            else:
                return redirect("resumes:batch", batch.pk)
        status = 422
    else:
        form = UploadForm()
    batches = selectors.recent_batches(actor)
    return render(
        request,
        "resumes/resume_list.html",
        {
            "form": form,
            "batches": [(b, eta_text(b.eta_seconds)) for b in batches],
            "active_statuses": ParseBatch.ACTIVE,
            "max_mb": settings.RESUME_MAX_BYTES // 1_000_000,
        },
        status=status,
    )


@member_required
def batch_detail(request: MemberRequest, batch_id: int) -> HttpResponse:
    batch = selectors.access_batch(request.actor, batch_id)
    return render(
        request,
        "resumes/batch_detail.html",
        {
            "batch": batch,
            "resumes": selectors.batch_resumes(batch),
            "is_active": batch.status in ParseBatch.ACTIVE,
            "active_json": json.dumps(list(ParseBatch.ACTIVE)),
            "eta": eta_text(batch.eta_seconds),
        },
    )


@require_GET
@member_required
def batch_status(request: MemberRequest, batch_id: int) -> HttpResponse:
    """The batch's progress as JSON, for the page's polling script."""
    return JsonResponse(_batch_status(selectors.access_batch(request.actor, batch_id)))


@require_POST
@member_required
def batch_cancel(request: MemberRequest, batch_id: int) -> HttpResponse:
    actor = request.actor
    batch = services.cancel_batch(actor=actor, batch=selectors.access_batch(actor, batch_id))
    messages.success(request, "Cancelled. Files already parsed stay; the others are kept.")
    return redirect("resumes:batch", batch.pk)


def _field_rows(resume: Resume) -> list[dict[str, Any]]:
    corrected = set(document.corrected_fields(resume.parsed))
    rows = []
    for field in document.FIELDS:
        value = document.get_field(resume.parsed, field)
        confidence = document.confidence(resume.parsed, field)
        row: dict[str, Any] = {
            "field": field,
            "label": document.FIELD_LABELS[field],
            "value": value,
            "confidence": confidence,
            "percent": round(confidence * 100),
            "is_low": confidence < settings.RESUME_REVIEW_CONFIDENCE,
            "is_corrected": field in corrected,
            "kind": "list"
            if field in LIST_FIELDS_ONE_PER_LINE
            else "entries"
            if field in ENTRY_FIELDS
            else "text",
        }
        if field in ENTRY_FIELDS:
            columns = ENTRY_FIELDS[field]
            row["columns"] = columns
            threshold = settings.RESUME_REVIEW_CONFIDENCE
            levels = document.entry_confidences(resume.parsed, field)
            row["entries"] = [
                ([(key, entry.get(key, "")) for key, _ in columns], level < threshold)
                for entry, level in zip(value, levels, strict=True)
            ] + [([(key, "") for key, _ in columns], False)]  # one empty row adds an entry
        elif field in LIST_FIELDS_ONE_PER_LINE:
            row["text"] = "\n".join(value)
        else:
            row["text"] = "" if value is None else str(value)
        rows.append(row)
    return rows


def _posted_value(field: str, post: QueryDict) -> Any:
    """The corrected value the review form sends for `field`, in the service's shape."""
    if field in LIST_FIELDS_ONE_PER_LINE:
        return [line.strip() for line in post.get("value", "").splitlines() if line.strip()]
    if field in ENTRY_FIELDS:
        columns = [key for key, _ in ENTRY_FIELDS[field]]
        lists = {key: post.getlist(key) for key in columns}
        count = max((len(values) for values in lists.values()), default=0)
        entries = []
        for index in range(count):
            entry = {
                key: (lists[key][index] if index < len(lists[key]) else "").strip()
                for key in columns
            }
            if any(entry.values()):
                entries.append(entry)
        return entries
    return post.get("value", "")


@xframe_options_sameorigin
@member_required
def resume_detail(request: MemberRequest, resume_id: int) -> HttpResponse:
    """The review screen: the original beside the parsed fields; low-confidence fields are
    highlighted and every field can be corrected in place (POST `field` and its value)."""
    actor = request.actor
    resume = selectors.access_resume(actor, resume_id, for_write=request.method == "POST")
    errors: dict[str, str] = {}
    status = 200
    if request.method == "POST":
        field = request.POST.get("field", "")
        try:
            services.correct_field(
                actor=actor, resume=resume, field=field, value=_posted_value(field, request.POST)
            )
        except (InvalidInput, Conflict) as exc:
            errors[(exc.field or field).split(".")[0]] = exc.message
            status = 422
        else:
            messages.success(request, f"{document.FIELD_LABELS.get(field, field)} corrected.")
            return redirect(f"{request.path}#field-{field}")
        resume.refresh_from_db()
    else:
        services.log_resume_view(actor=actor, resume=resume)
    rows = _field_rows(resume) if resume.parsed else []
    for row in rows:
        row["error"] = errors.get(row["field"], "")
    return render(
        request,
        "resumes/resume_detail.html",
        {
            "resume": resume,
            "rows": rows,
            "pages": range(min(resume.pages, settings.RESUME_MAX_PAGES))
            if resume.format == "pdf"
            else range(0),
            "low_count": sum(1 for row in rows if row["is_low"] and not row["is_corrected"]),
            "threshold": round(settings.RESUME_REVIEW_CONFIDENCE * 100),
        },
        status=status,
    )


@require_GET
@member_required
def resume_file(request: MemberRequest, resume_id: int) -> HttpResponse:
    """The original file, as received (a download; audited)."""
    actor = request.actor
    resume = selectors.access_resume(actor, resume_id)
    services.log_resume_view(actor=actor, resume=resume, download=True)
    # A streaming response; member_required's type knows only HttpResponse.
    return cast(HttpResponse, services.file_response(resume, inline=False))


@require_GET
@member_required
def resume_page(request: MemberRequest, resume_id: int, page: int) -> HttpResponse:
    """One page of a PDF resume as a PNG, rendered in the sandbox."""
    resume = selectors.access_resume(request.actor, resume_id)
    try:
        png = services.page_image(resume, page)
    except NotFound as exc:
        return HttpResponse(exc.message, status=404, content_type="text/plain")
    response = HttpResponse(png, content_type="image/png")
    response["Cache-Control"] = "private, max-age=3600"
    return response


@require_POST
@member_required
def resume_reparse(request: MemberRequest, resume_id: int) -> HttpResponse:
    actor = request.actor
    resume = services.reparse_resume(
        actor=actor, resume=selectors.access_resume(actor, resume_id, for_write=True)
    )
    if resume.status == Resume.Status.FAILED:
        messages.error(request, f"Parsing failed again: {resume.error}")
    else:
        messages.success(request, "Parsed again. Corrected fields were kept.")
    return redirect("resumes:detail", resume.pk)


@member_required
def skill_list(request: MemberRequest) -> HttpResponse:
    """The workspace's own skills, and the unknown phrases seen most in resumes."""
    actor = request.actor
    selectors.require_editor(actor)
    status = 200
    form = SkillForm()
    if request.method == "POST":
        form = SkillForm(request.POST)
        if form.is_valid():
            try:
                services.add_skill(
                    actor=actor,
                    name=form.cleaned_data["name"],
                    aliases=form.alias_list(),
                    category=form.cleaned_data["category"],
                )
            except (InvalidInput, Conflict) as exc:
                form.add_error(
                    exc.field if exc.field in ("name", "category") else None, exc.message
                )
            else:
                messages.success(request, f"Added {form.cleaned_data['name']}.")
                return redirect("resumes:skills")
        status = 422
    return render(
        request,
        "resumes/skill_list.html",
        {
            "form": form,
            "skills": selectors.workspace_skills(actor),
            "phrases": selectors.unknown_phrases(actor),
        },
        status=status,
    )


@require_POST
@member_required
def phrase_action(request: MemberRequest, phrase_id: int) -> HttpResponse:
    """Promote an unknown phrase to a workspace skill, or ignore it."""
    actor = request.actor
    phrase = selectors.access_phrase(actor, phrase_id)
    if request.POST.get("action") == "ignore":
        services.ignore_phrase(actor=actor, phrase=phrase)
        messages.success(request, f"{phrase.example} will no longer be suggested.")
    else:
        skill = services.promote_phrase(actor=actor, phrase=phrase)
        messages.success(request, f"{skill.name} is now a skill of this workspace.")
    return redirect("resumes:skills")


@require_POST
@member_required
def skill_delete(request: MemberRequest, skill_id: int) -> HttpResponse:
    actor = request.actor
    skill = selectors.access_skill(actor, skill_id)
    services.delete_skill(actor=actor, skill=skill)
    messages.success(request, f"Removed {skill.name}.")
    return redirect("resumes:skills")
