from __future__ import annotations

import datetime as dt

from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import render

from talentloop.accounts.selectors import workspace_members
from talentloop.compliance.forms import AuditFilterForm
from talentloop.compliance.selectors import AuditFilters, audit_events
from talentloop.core.views import MemberRequest, member_required


def _start_of(day: dt.date | None) -> dt.datetime | None:
    return dt.datetime.combine(day, dt.time.min, tzinfo=dt.UTC) if day else None


@member_required
def audit_log(request: MemberRequest) -> HttpResponse:
    """The access audit with filters (admins and auditors)."""
    actor = request.actor
    form = AuditFilterForm(request.GET or None)
    actor_field = form.fields["actor"]
    actor_field.choices = [("", "Anyone")] + [  # type: ignore[attr-defined]
        (m.user_id, m.user.email) for m in workspace_members(actor)
    ]
    filters = AuditFilters()
    if form.is_valid():
        data = form.cleaned_data
        until = data["until"] + dt.timedelta(days=1) if data["until"] else None
        filters = AuditFilters(
            action=data["action"],
            actor_id=data["actor"],
            target_type=data["target_type"],
            target_id=data["target_id"],
            since=_start_of(data["since"]),
            until=_start_of(until),
        )
    events = audit_events(actor, filters).select_related("actor")
    if form.is_bound and not form.is_valid():
        # A filter that cannot be applied lists nothing rather than everything.
        events = events.none()
    page = Paginator(events, 50).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "compliance/audit_log.html",
        {"form": form, "page": page, "query": query.urlencode()},
        status=422 if form.errors else 200,
    )
