"""The access audit: `record()` is called by services inside their own transaction."""

from __future__ import annotations

from typing import Any

from django.db import models

from talentloop.compliance.models import AuditEvent
from talentloop.core.actor import Actor

Action = AuditEvent.Action


def record(
    *,
    actor: Actor,
    action: AuditEvent.Action,
    target: models.Model | None = None,
    target_label: str = "",
    changes: dict[str, list[Any]] | None = None,
    extra: dict[str, Any] | None = None,
) -> AuditEvent:
    """Write one audit row. Call it in the same transaction as the change it describes."""
    return AuditEvent.objects.create(
        workspace=actor.workspace,
        actor=actor.user,
        api_key=actor.api_key,
        actor_label=actor.label,
        action=action,
        target_type=(target._meta.model_name or "") if target is not None else "",
        target_id=target.pk if target is not None else None,
        target_label=target_label or (str(target)[:254] if target is not None else ""),
        changes=changes or {},
        extra=extra or {},
        ip=actor.ip,
    )


def diff(before: dict[str, Any], after: dict[str, Any]) -> dict[str, list[Any]]:
    """The fields whose values differ, as {"field": [old, new]}."""
    return {
        key: [before.get(key), after.get(key)]
        for key in sorted(set(before) | set(after))
        if before.get(key) != after.get(key)
    }
