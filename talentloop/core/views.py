from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib.auth.views import redirect_to_login
from django.db import connection
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from talentloop.accounts.roles import Capability
from talentloop.candidates.selectors import due_reminders, recent_activity
from talentloop.core.actor import Actor

View = Callable[..., HttpResponse]


class MemberRequest(HttpRequest):
    actor: Actor


def member_required(view: View) -> View:
    """Signed-in members of a workspace only; others go to the sign-in page."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if getattr(request, "actor", None) is None:
            return render(request, "core/no_workspace.html", status=403)
        return view(request, *args, **kwargs)

    return wrapper


@member_required
def home(request: MemberRequest) -> HttpResponse:
    """My reminders and the team's recent activity."""
    actor = request.actor
    now = timezone.now()
    reminders = [
        (note, note.remind_at is not None and note.remind_at <= now)
        for note in due_reminders(actor)[:20]
    ]
    return render(
        request,
        "core/home.html",
        {
            "reminders": reminders,
            "activities": recent_activity(actor, limit=15),
            "can_add_candidates": actor.can(Capability.EDIT_CANDIDATES),
        },
    )


def healthz(request: HttpRequest) -> HttpResponse:
    """Liveness and database reachability (one query), for load balancers and `bench api`."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return HttpResponse("ok", content_type="text/plain")


def not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return render(request, "core/error.html", {"title": "Not found"}, status=404)


def forbidden(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    message = str(exception) if exception else ""
    return render(
        request, "core/error.html", {"title": "Not allowed", "message": message}, status=403
    )
