from __future__ import annotations

import datetime as dt
from typing import Any

from ninja import Schema
from pydantic import Field

from talentloop.candidates.schemas import StrictIn
from talentloop.jobs.models import Job, JobSkill


class JobSkillIn(StrictIn):
    name: str = Field(max_length=100)
    kind: str = Field("must", description="must or nice")
    weight: int = Field(3, description="1 (a little) to 5 (essential)")


class JobSkillOut(Schema):
    name: str
    kind: str
    weight: int
    proposed: bool = Field(description="Proposed from the description, not typed by a person")


class _JobFields(StrictIn):
    department: str | None = Field(None, max_length=100)
    description: str | None = None
    city: str | None = Field(None, max_length=100)
    region: str | None = Field(None, max_length=100)
    country: str | None = Field(None, description="ISO 3166-1 alpha-2 code or a country name")
    remote_policy: str | None = Field(None, description="onsite, hybrid or remote")
    seniority: str | None = None
    years_min: int | None = None
    years_max: int | None = None
    hiring_manager_id: int | None = None
    openings: int | None = None
    status: str | None = Field(None, description="draft, open, on_hold, filled or closed")
    match_weights: dict[str, float] | None = Field(
        None,
        description="Per-criterion weights from 0 to 100, overriding the defaults: skills, "
        "lexical, title, semantic, experience, seniority, location, recency, past_process, "
        "engagement",
    )
    skills: list[JobSkillIn] | None = Field(
        None, description="Replaces every skill; leave out to have them proposed"
    )


class JobIn(_JobFields):
    title: str = Field(max_length=200)


class JobPatch(_JobFields):
    title: str | None = Field(None, max_length=200)


class JobOut(Schema):
    id: int
    title: str
    department: str
    description: str
    city: str
    region: str
    country: str
    remote_policy: str
    seniority: str
    years_min: int | None
    years_max: int | None
    hiring_manager_id: int | None
    openings: int
    status: str
    match_weights: dict[str, float]
    skills: list[JobSkillOut]
    created_at: dt.datetime
    updated_at: dt.datetime
    closed_at: dt.datetime | None

    @staticmethod
    def of(job: Job) -> dict[str, Any]:
        skills: list[JobSkill] = list(job.skills.all())
        return {
            **{
                name: getattr(job, name)
                for name in JobOut.model_fields
                if name not in ("id", "skills")
            },
            "id": job.pk,
            "skills": [JobSkillOut.from_orm(s).model_dump() for s in skills],
        }


class JobPageOut(Schema):
    items: list[JobOut]


class ProposeIn(StrictIn):
    description: str = Field(max_length=50_000)


class ProposedSkillOut(Schema):
    name: str
    kind: str


class ProposedOut(Schema):
    items: list[ProposedSkillOut]
