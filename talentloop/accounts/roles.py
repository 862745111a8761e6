"""Roles and what each may do: the one table every access check reads."""

from __future__ import annotations

from enum import StrEnum

from django.db import models


class Role(models.TextChoices):
    ADMIN = "admin", "Admin"
    RECRUITER = "recruiter", "Recruiter"
    SOURCER = "sourcer", "Sourcer"
    COORDINATOR = "coordinator", "Coordinator"
    HIRING_MANAGER = "hiring_manager", "Hiring manager"
    AUDITOR = "auditor", "Auditor"


class Capability(StrEnum):
    VIEW_ALL_CANDIDATES = "view_all_candidates"  # else: only the candidates they own
    EDIT_CANDIDATES = "edit_candidates"  # create, change, tag, delete personal data
    ADD_NOTES = "add_notes"  # notes and logged calls/messages on the timeline
    RECORD_CONSENT = "record_consent"
    VIEW_AUDIT = "view_audit"
    MANAGE_WORKSPACE = "manage_workspace"  # members, invitations, API keys, custom fields
    MERGE_CANDIDATES = "merge_candidates"  # merge duplicates, undo merges, dismiss, scan
    MANAGE_JOBS = "manage_jobs"  # open, change and close jobs; tune their match weights
    OUTREACH = "outreach"  # write templates, run sequences and campaigns, enrol candidates


_C = Capability
CAPABILITIES: dict[str, frozenset[Capability]] = {
    Role.ADMIN: frozenset(Capability),
    Role.RECRUITER: frozenset(
        {
            _C.VIEW_ALL_CANDIDATES,
            _C.EDIT_CANDIDATES,
            _C.ADD_NOTES,
            _C.RECORD_CONSENT,
            _C.MERGE_CANDIDATES,
            _C.MANAGE_JOBS,
            _C.OUTREACH,
        }
    ),
    Role.SOURCER: frozenset(
        {_C.VIEW_ALL_CANDIDATES, _C.EDIT_CANDIDATES, _C.ADD_NOTES, _C.RECORD_CONSENT, _C.OUTREACH}
    ),
    Role.COORDINATOR: frozenset({_C.VIEW_ALL_CANDIDATES, _C.ADD_NOTES}),
    # Hiring managers see their own candidates and those shortlisted for the jobs they manage.
    Role.HIRING_MANAGER: frozenset({_C.ADD_NOTES}),
    Role.AUDITOR: frozenset({_C.VIEW_ALL_CANDIDATES, _C.VIEW_AUDIT}),
}


def role_has(role: str, capability: Capability) -> bool:
    return capability in CAPABILITIES.get(role, frozenset())
