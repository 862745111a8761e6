"""Reads of resumes, batches and the workspace's skills, and their `access_*` functions."""

from __future__ import annotations

from django.db.models import QuerySet

from talentloop.accounts.roles import Capability
from talentloop.candidates.selectors import access_candidate
from talentloop.core.actor import Actor
from talentloop.core.errors import Forbidden, NotFound
from talentloop.resumes.models import ParseBatch, Resume, SkillPhrase, WorkspaceSkill


def _valid_id(value: object) -> bool:
    return isinstance(value, int) and 0 < value < 2**63


def require_editor(actor: Actor) -> None:
    """Uploading resumes, following batches and curating skills take the right to edit
    candidates."""
    if not actor.can(Capability.EDIT_CANDIDATES):
        raise Forbidden("Your role does not allow adding or correcting resumes.")


def access_batch(actor: Actor, batch_id: int) -> ParseBatch:
    """The workspace's batch, or NotFound (another workspace's answers the same)."""
    require_editor(actor)
    batch = (
        ParseBatch.objects.select_related("created_by")
        .filter(pk=batch_id, workspace=actor.workspace)
        .first()
        if _valid_id(batch_id)
        else None
    )
    if batch is None:
        raise NotFound("No such batch.")
    return batch


def access_resume(actor: Actor, resume_id: int, *, for_write: bool = False) -> Resume:
    """The resume if `actor` may see it: its candidate's visibility decides; a resume without
    a candidate (not parsed) is for editors. Else NotFound, as for a missing one."""
    resume = (
        Resume.objects.select_related("candidate", "batch")
        .filter(pk=resume_id, workspace=actor.workspace)
        .first()
        if _valid_id(resume_id)
        else None
    )
    if resume is None:
        raise NotFound("No such resume.")
    if resume.candidate_id is not None:
        try:
            access_candidate(actor, resume.candidate_id)
        except NotFound:
            raise NotFound("No such resume.") from None
    elif not actor.can(Capability.EDIT_CANDIDATES):
        raise NotFound("No such resume.")
    if for_write:
        require_editor(actor)
    return resume


def recent_batches(actor: Actor, *, limit: int = 20) -> list[ParseBatch]:
    require_editor(actor)
    return list(
        ParseBatch.objects.filter(workspace=actor.workspace)
        .select_related("created_by")
        .order_by("-created_at", "-id")[:limit]
    )


def batch_resumes(batch: ParseBatch) -> QuerySet[Resume]:
    return Resume.objects.filter(batch=batch).select_related("candidate").order_by("id")


def candidate_resumes(actor: Actor, candidate_id: int) -> list[Resume]:
    candidate = access_candidate(actor, candidate_id)
    return list(Resume.objects.filter(candidate=candidate).order_by("-created_at", "-id"))


def workspace_skills(actor: Actor) -> list[WorkspaceSkill]:
    return list(WorkspaceSkill.objects.filter(workspace=actor.workspace).order_by("name"))


def access_skill(actor: Actor, skill_id: int) -> WorkspaceSkill:
    require_editor(actor)
    skill = (
        WorkspaceSkill.objects.filter(pk=skill_id, workspace=actor.workspace).first()
        if _valid_id(skill_id)
        else None
    )
    if skill is None:
        raise NotFound("No such skill.")
    return skill


def unknown_phrases(actor: Actor, *, limit: int = 100) -> list[SkillPhrase]:
    """The unknown skill-like phrases seen most often, to promote or ignore."""
    require_editor(actor)
    return list(
        SkillPhrase.objects.filter(workspace=actor.workspace, is_ignored=False).order_by(
            "-occurrences", "phrase"
        )[:limit]
    )


def access_phrase(actor: Actor, phrase_id: int) -> SkillPhrase:
    require_editor(actor)
    phrase = (
        SkillPhrase.objects.filter(pk=phrase_id, workspace=actor.workspace).first()
        if _valid_id(phrase_id)
        else None
    )
    if phrase is None:
        raise NotFound("No such phrase.")
    return phrase
