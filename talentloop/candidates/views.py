from __future__ import annotations

import json
from typing import Any

from django.contrib import messages
from django.http import HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from talentloop.accounts.roles import Capability
from talentloop.accounts.selectors import member_names
from talentloop.accounts.services import update_workspace_settings
from talentloop.candidates import freshness, selectors, services
from talentloop.candidates.forms import CandidateForm, NoteForm, TouchpointForm, initial_from
from talentloop.candidates.models import Activity, Source
from talentloop.compliance.forms import ConsentForm
from talentloop.compliance.models import ConsentRecord
from talentloop.compliance.selectors import consent_ledger, consent_status_of
from talentloop.core.errors import Forbidden, InvalidInput, TalentloopError
from talentloop.core.views import MemberRequest, member_required

PAGE_SIZE = 50
TIMELINE_PAGE = 25
CONSENT_PURPOSES = (ConsentRecord.Purpose.MARKETING, ConsentRecord.Purpose.RECRUITING)


@member_required
def candidate_list(request: MemberRequest) -> HttpResponse:
    """Search box, filters, sort and keyset pages over the workspace's candidates."""
    actor = request.actor
    params = request.GET
    error = ""
    rows: list[Any] = []
    next_cursor = None
    try:
        filters = selectors.parse_filters(
            text=params.get("q", ""),
            tag=params.get("tag", ""),
            owner=params.get("owner", ""),
            source=params.get("source", ""),
            include_archived=params.get("archived") == "1",
            me=actor.user_id,
        )
        rows, next_cursor = selectors.candidate_page(
            actor,
            filters,
            sort=params.get("sort", "-updated_at"),
            cursor=params.get("cursor", ""),
            limit=PAGE_SIZE,
            contacts=("emails", "tags"),  # what the table shows
        )
    except InvalidInput as exc:
        error = exc.message
    tags = selectors.tag_names(actor, limit=200)
    source_labels = dict(Source.choices)
    for row in rows:
        row["location"] = ", ".join(p for p in (row["city"], row["region"], row["country"]) if p)
        row["source_label"] = source_labels.get(row["source"], row["source"])
    query = params.copy()
    query.pop("cursor", None)
    next_query = query.copy()
    if next_cursor:
        next_query["cursor"] = next_cursor
    return render(
        request,
        "candidates/candidate_list.html",
        {
            # Rows link as list_url + id + "/": one reverse() per page, not one per row.
            "list_url": reverse("candidates:list"),
            "candidates": rows,
            "error": error,
            "params": params,
            "first_page_query": query.urlencode(),
            "next_page_query": next_query.urlencode() if next_cursor else "",
            "is_first_page": not params.get("cursor"),
            "sources": Source.choices,
            "owner_choices": [("me", "Me"), *member_names(actor)],
            # The tag whose name matches the filter, case-insensitively, is the selected one.
            "tag_choices": [(name, name) for name, _ in tags],
            "selected_tag": next(
                (name for name, key in tags if key == params.get("tag", "").casefold()), ""
            ),
            "sorts": [
                ("-updated_at", "Recently changed"),
                ("-created_at", "Recently added"),
                ("last_name", "Name A to Z"),
                ("-last_name", "Name Z to A"),
            ],
        },
    )


@member_required
def candidate_detail(request: MemberRequest, candidate_id: int) -> HttpResponse:
    """The profile: details, contacts, tags, custom fields, consent and the timeline."""
    actor = request.actor
    candidate = selectors.access_candidate(actor, candidate_id)
    services.log_candidate_view(actor=actor, candidate=candidate)
    return _render_detail(request, candidate)


def _render_detail(
    request: MemberRequest, candidate: Any, status: int = 200, **forms: Any
) -> HttpResponse:
    actor = request.actor
    timeline_error = ""
    try:
        activities, older = selectors.candidate_timeline(
            actor, candidate, cursor=request.GET.get("before", ""), limit=TIMELINE_PAGE
        )
    except InvalidInput as exc:
        # A hand-edited "Older entries" link: show the newest entries and say why.
        timeline_error = exc.message
        activities, older = selectors.candidate_timeline(actor, candidate, limit=TIMELINE_PAGE)
    from talentloop.pools.selectors import candidate_pools  # pools build on candidates

    definitions = selectors.custom_field_definitions(actor) if candidate.custom_fields else []
    contacts = selectors.profile_contacts(candidate)
    ledger = consent_ledger(candidate)
    consent = consent_status_of(ledger)
    return render(
        request,
        "candidates/candidate_detail.html",
        {
            "candidate": candidate,
            "contacts": contacts,
            "stale_reasons": selectors.profile_stale_reasons(actor, candidate, contacts),
            "activities": activities,
            "older_cursor": older,
            "timeline_error": timeline_error,
            "custom_fields": [
                (d.label, candidate.custom_fields.get(d.key))
                for d in definitions
                if d.key in candidate.custom_fields
            ],
            # One row per channel: its label and the status for marketing, then recruiting.
            "consent_grid": [
                (label, [consent.get((channel, purpose), "none") for purpose in CONSENT_PURPOSES])
                for channel, label in ConsentRecord.Channel.choices
            ],
            "consent_ledger": ledger[:20],
            "note_form": forms.get("note_form") or NoteForm(),
            "touchpoint_form": forms.get("touchpoint_form") or TouchpointForm(),
            "consent_form": forms.get("consent_form") or ConsentForm(),
            "can_consent": actor.can(Capability.RECORD_CONSENT),
            "pools": candidate_pools(actor, candidate),
            "resume_files": list(
                candidate.resumes.order_by("-created_at", "-id").only(
                    "id", "file_name", "status", "created_at", "candidate_id"
                )[:5]
            ),
        },
        status=status,
    )


@member_required
def candidate_create(request: MemberRequest) -> HttpResponse:
    actor = request.actor
    if not actor.can(Capability.EDIT_CANDIDATES):
        raise Forbidden("Your role does not allow adding candidates.")
    form = CandidateForm(request.POST or None, actor=actor, initial={"owner": actor.user_id})
    if request.method == "POST" and form.is_valid():
        try:
            candidate = services.create_candidate(actor=actor, data=form.to_data())
        except TalentloopError as exc:
            form.add_service_error(exc.field, exc.message)
        else:
            messages.success(request, f"Added {candidate.full_name}.")
            return redirect("candidates:detail", candidate.pk)
    status = 422 if request.method == "POST" else 200
    return render(
        request,
        "candidates/candidate_form.html",
        {"form": form, "candidate": None},
        status=status,
    )


@member_required
def candidate_edit(request: MemberRequest, candidate_id: int) -> HttpResponse:
    actor = request.actor
    candidate = selectors.load_profile(
        selectors.access_candidate(actor, candidate_id, for_write=True)
    )
    form = CandidateForm(request.POST or None, actor=actor, initial=initial_from(candidate))
    if request.method == "POST" and form.is_valid():
        try:
            services.update_candidate(actor=actor, candidate=candidate, data=form.to_data())
        except TalentloopError as exc:
            form.add_service_error(exc.field, exc.message)
        else:
            messages.success(request, "Saved.")
            return redirect("candidates:detail", candidate.pk)
    status = 422 if request.method == "POST" else 200
    return render(
        request,
        "candidates/candidate_form.html",
        {"form": form, "candidate": candidate},
        status=status,
    )


@require_POST
@member_required
def candidate_delete(request: MemberRequest, candidate_id: int) -> HttpResponse:
    actor = request.actor
    candidate = selectors.access_candidate(actor, candidate_id, for_write=True)
    services.delete_candidate(actor=actor, candidate=candidate)
    messages.success(request, f"Deleted {candidate.full_name}.")
    return redirect("candidates:list")


@member_required
def candidate_export(request: MemberRequest, candidate_id: int) -> HttpResponse:
    """Download everything about the candidate as JSON (audited as an export)."""
    actor = request.actor
    candidate = selectors.load_profile(selectors.access_candidate(actor, candidate_id))
    document = services.export_candidate(actor=actor, candidate=candidate)
    response = HttpResponse(
        json.dumps(document, indent=2, default=str), content_type="application/json"
    )
    response["Content-Disposition"] = f'attachment; filename="candidate-{candidate.pk}.json"'
    return response


@require_POST
@member_required
def note_add(request: MemberRequest, candidate_id: int) -> HttpResponse:
    actor = request.actor
    candidate = selectors.access_candidate(actor, candidate_id)
    form = NoteForm(request.POST)
    if form.is_valid():
        try:
            services.add_note(
                actor=actor, candidate=candidate, **form.to_data(actor.workspace.timezone)
            )
        except InvalidInput as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        else:
            messages.success(request, "Note added.")
            return redirect("candidates:detail", candidate.pk)
    return _render_detail(request, candidate, status=422, note_form=form)


@require_POST
@member_required
def touchpoint_log(request: MemberRequest, candidate_id: int) -> HttpResponse:
    actor = request.actor
    candidate = selectors.access_candidate(actor, candidate_id)
    form = TouchpointForm(request.POST)
    if form.is_valid():
        try:
            services.log_touchpoint(
                actor=actor, candidate=candidate, **form.to_data(actor.workspace.timezone)
            )
        except InvalidInput as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        else:
            label = Activity.Type(form.cleaned_data["type"]).label
            messages.success(request, f"{label} logged.")
            return redirect("candidates:detail", candidate.pk)
    return _render_detail(request, candidate, status=422, touchpoint_form=form)


@require_POST
@member_required
def consent_record(request: MemberRequest, candidate_id: int) -> HttpResponse:
    from talentloop.compliance.services import record_consent

    actor = request.actor
    candidate = selectors.access_candidate(actor, candidate_id)
    form = ConsentForm(request.POST)
    if form.is_valid():
        record_consent(actor=actor, candidate=candidate, ip=None, **form.cleaned_data)
        messages.success(request, "Consent recorded.")
        return redirect(reverse("candidates:detail", args=[candidate.pk]) + "#consent")
    return _render_detail(request, candidate, status=422, consent_form=form)


@require_POST
@member_required
def reminder_done(request: MemberRequest, note_id: int) -> HttpResponse:
    note = selectors.access_note(request.actor, note_id)
    services.complete_reminder(actor=request.actor, note=note)
    messages.success(request, "Reminder done.")
    target = request.POST.get("next", "")
    # Only a path on this site: redirect() would take any other word for a view's name.
    if not target.startswith("/") or not url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}
    ):
        target = reverse("core:home")
    return HttpResponseRedirect(target)


# --- stale data ----------------------------------------------------------------------------


def _back_to(request: MemberRequest, candidate_id: int) -> HttpResponse:
    """Back to the queue when the action came from it, else to the profile."""
    if request.POST.get("next") == "refresh":
        return redirect("candidates:refresh")
    return redirect("candidates:detail", candidate_id)


@require_POST
@member_required
def confirm_current(request: MemberRequest, candidate_id: int) -> HttpResponse:
    actor = request.actor
    candidate = selectors.access_candidate(actor, candidate_id, for_write=True)
    services.confirm_current(actor=actor, candidate=candidate)
    messages.success(request, f"Confirmed {candidate.full_name}'s profile is up to date.")
    return _back_to(request, candidate.pk)


@require_POST
@member_required
def contact_status(request: MemberRequest, candidate_id: int) -> HttpResponse:
    """Mark an e-mail bounced (or working) or a phone invalid (or working) from the profile."""
    actor = request.actor
    candidate = selectors.access_candidate(actor, candidate_id, for_write=True)
    flag = request.POST.get("flag") == "on"
    try:
        if "email" in request.POST:
            services.set_email_bounced(
                actor=actor, candidate=candidate, email=request.POST["email"], bounced=flag
            )
        else:
            services.set_phone_invalid(
                actor=actor,
                candidate=candidate,
                number=request.POST.get("number", ""),
                invalid=flag,
            )
    except InvalidInput as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, "Saved.")
    return _back_to(request, candidate.pk)


@member_required
def refresh_queue(request: MemberRequest) -> HttpResponse:
    """The "needs refresh" queue, least recently refreshed first, with a count per rule."""
    actor = request.actor
    reason = request.GET.get("reason", "")
    error = ""
    try:
        page, next_cursor = selectors.needs_refresh(
            actor, reason=reason, cursor=request.GET.get("cursor", "")
        )
    except InvalidInput as exc:
        error, page, next_cursor = exc.message, [], None
    counts = selectors.refresh_counts(actor)
    reasons = selectors.refresh_reasons(actor, page)
    biggest = max(counts.values(), default=0) or 1
    return render(
        request,
        "candidates/refresh_queue.html",
        {
            "rows": [(c, reasons[c.pk]) for c in page],
            "reason": reason,
            "error": error,
            "bars": [
                (code, label, counts[code], biggest)
                for code, label in freshness.REASONS.items()
                if code in counts
            ],
            "next_cursor": next_cursor,
            "months": actor.workspace.stale_after_months,
            "can_edit": actor.can(Capability.EDIT_CANDIDATES),
            "can_manage": actor.can(Capability.MANAGE_WORKSPACE),
        },
        status=422 if error else 200,
    )


@require_POST
@member_required
def refresh_settings(request: MemberRequest) -> HttpResponse:
    raw = request.POST.get("stale_after_months", "").strip()
    try:
        update_workspace_settings(
            actor=request.actor, stale_after_months=int(raw) if raw.isdigit() else raw
        )
    except InvalidInput as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, "Saved.")
    return redirect("candidates:refresh")
