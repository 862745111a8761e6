from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from talentloop.accounts.roles import Capability


def workspace(request: HttpRequest) -> dict[str, Any]:
    actor = getattr(request, "actor", None)
    return {
        "actor": actor,
        "can_edit": bool(actor and actor.can(Capability.EDIT_CANDIDATES)),
        "can_note": bool(actor and actor.can(Capability.ADD_NOTES)),
        "can_audit": bool(actor and actor.can(Capability.VIEW_AUDIT)),
        "can_manage": bool(actor and actor.can(Capability.MANAGE_WORKSPACE)),
        "can_outreach": bool(actor and actor.can(Capability.OUTREACH)),
        "can_read_outreach": bool(
            actor and (actor.can(Capability.OUTREACH) or actor.can(Capability.VIEW_ALL_CANDIDATES))
        ),
    }
