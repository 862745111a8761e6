"""Writes of jobs: open, change, close, and the skills proposed from a description."""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils import timezone

from talentloop.accounts.models import Membership
from talentloop.accounts.roles import Capability
from talentloop.candidates.models import Seniority
from talentloop.candidates.normalize import NormalizationError, normalize_country
from talentloop.core.actor import Actor
from talentloop.core.errors import Forbidden, InvalidInput
from talentloop.imports.mapping import country_code
from talentloop.jobs.models import Job, JobSkill
from talentloop.matching.scoring import MatchInputError, Weights
from talentloop.resumes import pipeline
from talentloop.resumes.services import workspace_skills
from talentloop.resumes.skills import Catalogue, find_skills

TEXT_FIELDS = {"title": 200, "department": 100, "city": 100, "region": 100}
MAX_DESCRIPTION = 50_000
MAX_SKILLS = 60
MAX_YEARS = 60
MAX_OPENINGS = 1000


@dataclass(frozen=True)
class ProposedSkill:
    name: str
    kind: str  # JobSkill.Kind


def require_job_manager(actor: Actor) -> None:
    if not actor.can(Capability.MANAGE_JOBS):
        raise Forbidden("Your role does not allow opening or changing jobs.")


# --- validation -----------------------------------------------------------------------------


def _choice(value: Any, choices: Any, field: str, *, blank: bool) -> str:
    value = "" if value is None else value
    if value == "" and blank:
        return ""
    if not isinstance(value, str) or value not in choices.values:
        raise InvalidInput(f"{value!r} is not one of: {', '.join(choices.values)}.", field=field)
    return value


def _whole(value: Any, field: str, low: int, high: int, *, optional: bool) -> int | None:
    if value is None or value == "":
        if optional:
            return None
        raise InvalidInput("A number is required.", field=field)
    if isinstance(value, str) and value.strip().isdigit():
        value = int(value.strip())
    if not isinstance(value, int) or isinstance(value, bool) or not low <= value <= high:
        raise InvalidInput(f"Must be a whole number from {low} to {high}.", field=field)
    return value


def _manager(actor: Actor, user_id: Any) -> int | None:
    if user_id is None or user_id == "":
        return None
    is_id = isinstance(user_id, int) and not isinstance(user_id, bool) and 0 < user_id < 2**63
    if not is_id or not (
        Membership.objects.filter(workspace=actor.workspace, user_id=user_id).exists()
    ):
        raise InvalidInput(
            "The hiring manager must be a member of this workspace.", field="hiring_manager_id"
        )
    return int(user_id)


def clean_weights(value: Any) -> dict[str, float]:
    """Per-job match weights {criterion: 0..100}; a criterion left out keeps its default
    (`matching.scoring.Weights`)."""
    if value is None:
        return {}
    if not isinstance(value, Mapping):
        raise InvalidInput("Must be an object of criterion: weight.", field="match_weights")
    try:
        Weights.DEFAULT.with_overrides(value)
    except MatchInputError as error:
        raise InvalidInput(
            error.message[0].upper() + error.message[1:],
            field="match_weights" + error.field.removeprefix("weights"),
        ) from None
    return {key: float(weight) for key, weight in sorted(value.items())}


def clean_skills(value: Any) -> list[tuple[str, str, int]]:
    """[(name, kind, weight)] from [{"name", "kind", "weight"}]; names normalized to the
    catalogue's (so "js" and "JavaScript" are one skill), duplicates refused."""
    if value is None:
        return []
    if not isinstance(value, list | tuple):
        raise InvalidInput("Must be a list of skills.", field="skills")
    if len(value) > MAX_SKILLS:
        raise InvalidInput(f"At most {MAX_SKILLS} skills.", field="skills")
    catalogue = pipeline.catalogue(())
    clean: list[tuple[str, str, int]] = []
    seen: set[str] = set()
    for index, item in enumerate(value):
        field = f"skills[{index}]"
        if isinstance(item, str):
            item = {"name": item}
        if not isinstance(item, Mapping):
            raise InvalidInput("Must be a skill name or an object.", field=field)
        name = item.get("name")
        if not isinstance(name, str) or not name.strip():
            raise InvalidInput("A skill name is required.", field=f"{field}.name")
        name = " ".join(name.split())
        if len(name) > 100:
            raise InvalidInput("At most 100 characters.", field=f"{field}.name")
        known = catalogue.lookup(name)
        name = known.name if known is not None else name
        kind = _choice(
            item.get("kind") or JobSkill.Kind.MUST, JobSkill.Kind, f"{field}.kind", blank=False
        )
        weight = _whole(item.get("weight", 3), f"{field}.weight", 1, 5, optional=False)
        if name.casefold() in seen:
            raise InvalidInput(f"{name} is listed twice.", field=f"{field}.name")
        seen.add(name.casefold())
        clean.append((name, kind, weight or 3))
    return clean


def clean_job_data(actor: Actor, data: Mapping[str, Any], *, creating: bool) -> dict[str, Any]:
    """Validate and normalize any subset of a job's fields; InvalidInput names the field."""
    clean: dict[str, Any] = {}
    for name, max_length in TEXT_FIELDS.items():
        if name in data:
            value = data[name]
            if value is not None and not isinstance(value, str):
                raise InvalidInput("Must be text.", field=name)
            value = " ".join((value or "").split())
            if len(value) > max_length:
                raise InvalidInput(f"At most {max_length} characters.", field=name)
            clean[name] = value
    if (creating or "title" in clean) and not clean.get("title"):
        raise InvalidInput("A job title is required.", field="title")
    if "description" in data:
        description = data["description"]
        if description is not None and not isinstance(description, str):
            raise InvalidInput("Must be text.", field="description")
        description = (description or "").replace("\r\n", "\n").strip()
        if len(description) > MAX_DESCRIPTION:
            raise InvalidInput(f"At most {MAX_DESCRIPTION:,} characters.", field="description")
        clean["description"] = description
    if "country" in data:
        value = data["country"] or ""
        try:  # a name ("Germany") or the code
            clean["country"] = normalize_country(country_code(value) or value)
        except NormalizationError as error:
            raise InvalidInput(str(error), field="country") from None
    if "remote_policy" in data:
        clean["remote_policy"] = _choice(
            data["remote_policy"] or Job.Remote.ONSITE, Job.Remote, "remote_policy", blank=False
        )
    if "seniority" in data:
        clean["seniority"] = _choice(data["seniority"], Seniority, "seniority", blank=True)
    if "status" in data:
        clean["status"] = _choice(data["status"], Job.Status, "status", blank=False)
    for name in ("years_min", "years_max"):
        if name in data:
            clean[name] = _whole(data[name], name, 0, MAX_YEARS, optional=True)
    if "openings" in data:
        clean["openings"] = _whole(data["openings"], "openings", 1, MAX_OPENINGS, optional=False)
    if "hiring_manager_id" in data:
        clean["hiring_manager_id"] = _manager(actor, data["hiring_manager_id"])
    if "match_weights" in data:
        clean["match_weights"] = clean_weights(data["match_weights"])
    if "skills" in data:
        clean["skills"] = clean_skills(data["skills"])
    return clean


# --- skills from a description --------------------------------------------------------------

# A line (or the heading above it) that says the skills under it are a bonus.
_NICE = re.compile(
    r"\b(nice[- ]to[- ]haves?|good[- ]to[- ]have|preferred|bonus|a plus|plus points?|desirable|"
    r"ideally|would be great|optional)\b",
    re.IGNORECASE,
)
_MUST = re.compile(
    r"\b(requirements?|required|must[- ]haves?|must|qualifications|you have|you bring|"
    r"what we need|essential|minimum)\b",
    re.IGNORECASE,
)
_CLAUSE = re.compile(r"\n|(?<=[;.!?])\s+")
_HEADING = re.compile(r"^[#*\s]*[^\n.]{1,60}:?\s*$")


def workspace_catalogue(actor: Actor) -> Catalogue:
    return pipeline.catalogue(workspace_skills(actor))


def propose_skills(actor: Actor, description: str, *, limit: int = 25) -> list[ProposedSkill]:
    """The catalogue skills a job description names, in order, each must-have unless its line
    or the heading above it calls it a bonus ("Nice to have", "preferred", "a plus")."""
    catalogue = workspace_catalogue(actor)
    proposed: dict[str, ProposedSkill] = {}
    heading_nice = False
    # Clause by clause: "Java; React is a plus" asks for Java and would like React.
    for stripped in (c.strip() for c in _CLAUSE.split(description)):
        if not stripped:
            continue
        hits = [
            hit
            for hit in find_skills(stripped, sections=[("skills", stripped)], catalogue=catalogue)
            if hit.canonical and hit.category != "language"
        ]
        if not hits:
            # "Nice to have" / "Requirements" on a line of its own sets the kind below it.
            if _HEADING.match(stripped) and len(stripped.split()) <= 6:
                if _NICE.search(stripped):
                    heading_nice = True
                elif _MUST.search(stripped):
                    heading_nice = False
            continue
        # "Nice to have: Kafka" or "… is a plus" on the line itself wins over the heading.
        label = stripped.partition(":")[0] if ":" in stripped[:40] else ""
        if _NICE.search(stripped):
            nice = True
        elif label and _MUST.search(label):
            nice = False
        else:
            nice = heading_nice
        for hit in hits:
            kind = JobSkill.Kind.NICE if nice else JobSkill.Kind.MUST
            if hit.canonical not in proposed:
                proposed[hit.canonical] = ProposedSkill(hit.canonical, kind)
            if len(proposed) >= limit:
                return list(proposed.values())
    return list(proposed.values())


# --- writes ---------------------------------------------------------------------------------

_after_change: list[Callable[[Job], None]] = []


def on_job_changed(callback: Callable[[Job], None]) -> None:
    """Run `callback(job)` after a job's create or change commits (matching re-scores)."""
    _after_change.append(callback)


def _changed(job: Job) -> None:
    for callback in _after_change:
        transaction.on_commit(functools.partial(callback, job))


def _write_skills(job: Job, skills: Iterable[tuple[str, str, int]], *, proposed: bool) -> None:
    JobSkill.objects.bulk_create(
        JobSkill(job=job, name=name, kind=kind, weight=weight, proposed=proposed)
        for name, kind, weight in skills
    )


def _check_years(job: Job) -> None:
    if job.years_min is not None and job.years_max is not None and job.years_min > job.years_max:
        raise InvalidInput("Cannot be below the minimum years.", field="years_max")


@transaction.atomic
def create_job(*, actor: Actor, data: Mapping[str, Any]) -> Job:
    """Open a job. Without a skills list, the skills are proposed from the description."""
    require_job_manager(actor)
    clean = clean_job_data(actor, data, creating=True)
    skills = clean.pop("skills", None)
    job = Job(workspace=actor.workspace, created_by=actor.user, **clean)
    _check_years(job)
    if job.status in (Job.Status.FILLED, Job.Status.CLOSED):
        job.closed_at = timezone.now()
    job.save()
    if skills is not None:
        _write_skills(job, skills, proposed=False)
    elif job.description:
        found = propose_skills(actor, job.description)
        _write_skills(job, ((s.name, s.kind, 3) for s in found), proposed=True)
    _changed(job)
    return job


@transaction.atomic
def update_job(*, actor: Actor, job: Job, data: Mapping[str, Any]) -> Job:
    """Change any of a job's fields. A new description re-proposes the skills that were
    proposed before; skills a recruiter typed or edited stay. A `skills` list replaces all."""
    require_job_manager(actor)
    clean = clean_job_data(actor, data, creating=False)
    skills = clean.pop("skills", None)
    old_description = job.description
    for name, value in clean.items():
        setattr(job, name, value)
    _check_years(job)
    if "status" in clean:
        closed = job.status in (Job.Status.FILLED, Job.Status.CLOSED)
        job.closed_at = (job.closed_at or timezone.now()) if closed else None
    job.updated_at = timezone.now()
    job.save()
    if skills is not None:
        job.skills.all().delete()
        _write_skills(job, skills, proposed=False)
    elif job.description != old_description:
        typed = {s.name.casefold() for s in job.skills.filter(proposed=False)}
        job.skills.filter(proposed=True).delete()
        found = [
            (s.name, s.kind, 3)
            for s in propose_skills(actor, job.description)
            if s.name.casefold() not in typed
        ]
        _write_skills(job, found, proposed=True)
    _changed(job)
    return job


@transaction.atomic
def delete_job(*, actor: Actor, job: Job) -> None:
    require_job_manager(actor)
    job.delete()
