"""Resumes over the API: upload files (or zips) for parsing, follow the batch, read and
correct a parse, download the original, curate the workspace's skills."""

from __future__ import annotations

from typing import Any

from django.http import FileResponse, HttpRequest
from ninja import File, Form, Router, Status
from ninja.files import UploadedFile

from talentloop.candidates.models import Source
from talentloop.core.api import actor_of, file_answer
from talentloop.resumes import selectors, services
from talentloop.resumes.schemas import (
    BatchOut,
    BatchPageOut,
    CorrectionIn,
    PhraseOut,
    PromoteIn,
    ResumeOut,
    ResumePageOut,
    ResumeSummaryOut,
    SkillIn,
    SkillOut,
    SkillsOut,
)

router = Router(tags=["resumes"])


@router.post("/resumes", response={201: BatchOut})
def upload_resumes(
    request: HttpRequest,
    files: File[list[UploadedFile]],
    tags: Form[str] = "",
    source: Form[str] = Source.SOURCED.value,
) -> Status[dict[str, Any]]:
    """Upload one or many resume files (multipart field `files`, repeated): PDF, DOCX, DOC,
    RTF, ODT, HTML, TXT, or zips of them. Each file is kept and parsed in the background
    into a new candidate, or into the one its e-mail, phone or profile link finds. Follow the
    batch with GET /resume-batches/{id}; a file that cannot be read fails alone."""
    actor = actor_of(request)
    batch = services.create_batch(
        actor=actor,
        uploads=services.uploads_from_files(files),
        name=files[0].name if len(files) == 1 and files[0].name else f"{len(files)} files",
        tags=[t.strip() for t in tags.split(",") if t.strip()],
        source=source,
    )
    return Status(201, BatchOut.of(batch))


@router.get("/resume-batches", response=BatchPageOut)
def list_batches(request: HttpRequest) -> dict[str, Any]:
    """The workspace's 20 latest batches, newest first."""
    return {"items": [BatchOut.of(b) for b in selectors.recent_batches(actor_of(request))]}


@router.get("/resume-batches/{batch_id}", response=BatchOut)
def get_batch(request: HttpRequest, batch_id: int) -> dict[str, Any]:
    """A batch's state: status, percent, files/s, ETA, created, updated and failed files."""
    return BatchOut.of(selectors.access_batch(actor_of(request), batch_id))


@router.get("/resume-batches/{batch_id}/resumes", response=ResumePageOut)
def batch_files(request: HttpRequest, batch_id: int) -> dict[str, Any]:
    """Every file of the batch with its status and, for a failed one, the reason."""
    batch = selectors.access_batch(actor_of(request), batch_id)
    return {"items": [ResumeSummaryOut.of(r) for r in selectors.batch_resumes(batch)]}


@router.post("/resume-batches/{batch_id}/cancel", response=BatchOut)
def cancel_batch(request: HttpRequest, batch_id: int) -> dict[str, Any]:
    """Stop after the file being parsed; the others stay stored, not parsed."""
    actor = actor_of(request)
    return BatchOut.of(
        services.cancel_batch(actor=actor, batch=selectors.access_batch(actor, batch_id))
    )


@router.get("/resumes/{resume_id}", response=ResumeOut)
def get_resume(request: HttpRequest, resume_id: int) -> dict[str, Any]:
    """The parse: each reviewed field with its value, confidence (0-1) and whether a
    recruiter corrected it, and the whole JSON Resume document. Reading it is audited."""
    actor = actor_of(request)
    resume = selectors.access_resume(actor, resume_id)
    services.log_resume_view(actor=actor, resume=resume)
    return ResumeOut.of(resume)


@router.get(
    "/resumes/{resume_id}/file",
    response={200: None},
    openapi_extra=file_answer(
        "The file as received.",
        sorted({*services.CONTENT_TYPES.values(), "application/octet-stream"}),
    ),
)
def download_resume(request: HttpRequest, resume_id: int) -> FileResponse:
    """The original file as it was received. Audited."""
    actor = actor_of(request)
    resume = selectors.access_resume(actor, resume_id)
    services.log_resume_view(actor=actor, resume=resume, download=True)
    return services.file_response(resume, inline=False)


@router.post("/resumes/{resume_id}/corrections", response=ResumeOut)
def correct_resume(request: HttpRequest, resume_id: int, payload: CorrectionIn) -> dict[str, Any]:
    """Correct one parsed field. The correction is kept as such, carried to the candidate,
    and never overwritten by parsing again."""
    actor = actor_of(request)
    resume = selectors.access_resume(actor, resume_id, for_write=True)
    resume = services.correct_field(
        actor=actor, resume=resume, field=payload.field, value=payload.value
    )
    return ResumeOut.of(resume)


@router.post("/resumes/{resume_id}/reparse", response=ResumeOut)
def reparse_resume(request: HttpRequest, resume_id: int) -> dict[str, Any]:
    """Parse the stored original again; corrected fields are kept."""
    actor = actor_of(request)
    resume = selectors.access_resume(actor, resume_id, for_write=True)
    return ResumeOut.of(services.reparse_resume(actor=actor, resume=resume))


@router.delete("/resumes/{resume_id}", response={204: None})
def delete_resume(request: HttpRequest, resume_id: int) -> Status[None]:
    """Delete the stored file and its parse; the candidate stays."""
    actor = actor_of(request)
    services.delete_resume(
        actor=actor, resume=selectors.access_resume(actor, resume_id, for_write=True)
    )
    return Status(204, None)


@router.get("/candidates/{candidate_id}/resumes", response=ResumePageOut)
def candidate_resumes(request: HttpRequest, candidate_id: int) -> dict[str, Any]:
    """The candidate's resumes, newest first."""
    resumes = selectors.candidate_resumes(actor_of(request), candidate_id)
    return {"items": [ResumeSummaryOut.of(r) for r in resumes]}


@router.get("/skills", response=SkillsOut)
def list_skills(request: HttpRequest) -> dict[str, Any]:
    """The workspace's own skills (added to the catalogue) and the unknown skill-like phrases
    seen most often in resumes, to promote or ignore."""
    actor = actor_of(request)
    return {
        "workspace": [SkillOut.of(s) for s in selectors.workspace_skills(actor)],
        "unknown": [PhraseOut.of(p) for p in selectors.unknown_phrases(actor)],
    }


@router.post("/skills", response={201: SkillOut})
def add_skill(request: HttpRequest, payload: SkillIn) -> Status[dict[str, Any]]:
    """Add a skill (with aliases) to the workspace's catalogue."""
    skill = services.add_skill(
        actor=actor_of(request),
        name=payload.name,
        aliases=payload.aliases,
        category=payload.category,
    )
    return Status(201, SkillOut.of(skill))


@router.delete("/skills/{skill_id}", response={204: None})
def delete_skill(request: HttpRequest, skill_id: int) -> Status[None]:
    actor = actor_of(request)
    services.delete_skill(actor=actor, skill=selectors.access_skill(actor, skill_id))
    return Status(204, None)


@router.post("/skills/unknown/{phrase_id}/promote", response={201: SkillOut})
def promote_phrase(
    request: HttpRequest, phrase_id: int, payload: PromoteIn
) -> Status[dict[str, Any]]:
    """Make an unknown phrase a workspace skill."""
    actor = actor_of(request)
    skill = services.promote_phrase(
        actor=actor,
        phrase=selectors.access_phrase(actor, phrase_id),
        name=payload.name,
        category=payload.category,
    )
    return Status(201, SkillOut.of(skill))


@router.post("/skills/unknown/{phrase_id}/ignore", response=PhraseOut)
def ignore_phrase(request: HttpRequest, phrase_id: int) -> dict[str, Any]:
    actor = actor_of(request)
    phrase = services.ignore_phrase(actor=actor, phrase=selectors.access_phrase(actor, phrase_id))
    return PhraseOut.of(phrase)
