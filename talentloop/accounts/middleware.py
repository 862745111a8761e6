from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from talentloop.accounts.selectors import actor_for_user


class WorkspaceMiddleware:
    """Sets `request.actor` (workspace, role, user, IP) for signed-in members, else None."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request.actor = None  # type: ignore[attr-defined]
        # The API authenticates its own way (keys or session), so it never pays for this lookup.
        if not request.path.startswith("/api/") and request.user.is_authenticated:
            request.actor = actor_for_user(request, request.user)  # type: ignore[attr-defined]
        return self.get_response(request)
