"""Jobs over the API: open, list, read, change and close requisitions; skills proposed from
a description."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Query, Router, Status

from talentloop.core.api import actor_of
from talentloop.jobs import selectors, services
from talentloop.jobs.schemas import (
    JobIn,
    JobOut,
    JobPageOut,
    JobPatch,
    ProposedOut,
    ProposeIn,
)

router = Router(tags=["jobs"])


def _data(payload: JobIn | JobPatch) -> dict[str, Any]:
    data = payload.model_dump(exclude_unset=True)
    if data.get("skills") is not None:
        data["skills"] = [dict(skill) for skill in data["skills"]]
    return data


@router.post("/jobs", response={201: JobOut})
def create_job(request: HttpRequest, payload: JobIn) -> Status[dict[str, Any]]:
    """Open a job. Leave `skills` out and they are proposed from the description
    (must-have, or nice-to-have where the text says "preferred", "a plus", …)."""
    job = services.create_job(actor=actor_of(request), data=_data(payload))
    return Status(201, JobOut.of(job))


@router.get("/jobs", response=JobPageOut)
def list_jobs(request: HttpRequest, status: Query[str] = "", q: Query[str] = "") -> dict[str, Any]:
    """Jobs, last changed first (at most 200). `status`: a status, or `active` for draft,
    open and on hold. `q`: words of the title or department."""
    jobs = selectors.list_jobs(actor_of(request), status=status, query=q)[:200]
    return {"items": [JobOut.of(job) for job in jobs.prefetch_related("skills")]}


@router.get("/jobs/{job_id}", response=JobOut)
def get_job(request: HttpRequest, job_id: int) -> dict[str, Any]:
    return JobOut.of(selectors.access_job(actor_of(request), job_id))


@router.patch("/jobs/{job_id}", response=JobOut)
def update_job(request: HttpRequest, job_id: int, payload: JobPatch) -> dict[str, Any]:
    """Change the fields sent. `skills` replaces the list; a new description re-proposes the
    skills that were proposed, keeping those a person typed."""
    actor = actor_of(request)
    job = selectors.access_job(actor, job_id, for_write=True)
    return JobOut.of(services.update_job(actor=actor, job=job, data=_data(payload)))


@router.delete("/jobs/{job_id}", response={204: None})
def delete_job(request: HttpRequest, job_id: int) -> Status[None]:
    actor = actor_of(request)
    services.delete_job(actor=actor, job=selectors.access_job(actor, job_id, for_write=True))
    return Status(204, None)


@router.post("/job-skill-proposals", response=ProposedOut)
def propose_skills(request: HttpRequest, payload: ProposeIn) -> dict[str, Any]:
    """The skills a description names, as the job form proposes them, without saving."""
    found = services.propose_skills(actor_of(request), payload.description)
    return {"items": [{"name": s.name, "kind": s.kind} for s in found]}
