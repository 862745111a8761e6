from __future__ import annotations

import zoneinfo
from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.utils import timezone

from talentloop.accounts.selectors import actor_for_user
from talentloop.core.actor import Actor


class WorkspaceMiddleware:
    """Sets `request.actor` (workspace, role, user, IP) for signed-in members, else None.

    Pages then read and show times in the workspace's time zone (forms' datetime-local values
    included), not in the server's.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request.actor = None  # type: ignore[attr-defined]
        # The API authenticates its own way (keys or session), so it never pays for this lookup.
        if not request.path.startswith("/api/") and request.user.is_authenticated:
            request.actor = actor_for_user(request, request.user)  # type: ignore[attr-defined]
        zone = _workspace_zone(request.actor)  # type: ignore[attr-defined]
        if zone is None:
            return self.get_response(request)
        timezone.activate(zone)
        try:
            return self.get_response(request)
        finally:
            timezone.deactivate()


def _workspace_zone(actor: Actor | None) -> zoneinfo.ZoneInfo | None:
    if actor is None or not actor.workspace.timezone:
        return None
    try:
        return zoneinfo.ZoneInfo(actor.workspace.timezone)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return None
