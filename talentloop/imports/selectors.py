"""Reads of import jobs, their row errors and saved mappings, and `access_import`."""

from __future__ import annotations

from django.db.models import QuerySet

from talentloop.accounts.roles import Capability
from talentloop.core.actor import Actor
from talentloop.core.errors import Forbidden, NotFound
from talentloop.imports.models import ImportJob, ImportMapping, ImportRowError


def require_importer(actor: Actor) -> None:
    """Importing, and seeing imports, takes the right to edit candidates."""
    if not actor.can(Capability.EDIT_CANDIDATES):
        raise Forbidden("Your role does not allow importing candidates.")


def access_import(actor: Actor, job_id: int) -> ImportJob:
    """The workspace's import job, or NotFound (another workspace's answers the same)."""
    require_importer(actor)
    job = (
        ImportJob.objects.select_related("created_by")
        .filter(pk=job_id, workspace=actor.workspace)
        .first()
        if isinstance(job_id, int) and 0 < job_id < 2**63
        else None
    )
    if job is None:
        raise NotFound("No such import.")
    return job


def recent_imports(actor: Actor, *, limit: int = 50) -> list[ImportJob]:
    require_importer(actor)
    return list(
        ImportJob.objects.filter(workspace=actor.workspace)
        .select_related("created_by")
        .order_by("-created_at", "-id")[:limit]
    )


def row_errors(job: ImportJob, *, dry_run: bool) -> QuerySet[ImportRowError]:
    return ImportRowError.objects.filter(job=job, is_dry_run=dry_run).order_by("id")


def saved_mappings(actor: Actor) -> list[ImportMapping]:
    require_importer(actor)
    return list(ImportMapping.objects.filter(workspace=actor.workspace).order_by("name"))


def access_mapping(actor: Actor, mapping_id: int) -> ImportMapping:
    require_importer(actor)
    found = (
        ImportMapping.objects.filter(pk=mapping_id, workspace=actor.workspace).first()
        if isinstance(mapping_id, int) and 0 < mapping_id < 2**63
        else None
    )
    if found is None:
        raise NotFound("No such mapping.")
    return found
