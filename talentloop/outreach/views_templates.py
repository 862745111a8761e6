"""Pages: the template list and editor (with a live preview), and the snippet pages."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from talentloop.accounts.roles import Capability
from talentloop.candidates.models import Candidate
from talentloop.candidates.selectors import access_candidate, visible_candidates
from talentloop.core.actor import Actor
from talentloop.core.errors import TalentloopError
from talentloop.core.views import MemberRequest, member_required
from talentloop.jobs.models import Job
from talentloop.jobs.selectors import access_job, list_jobs
from talentloop.outreach import template_selectors as selectors
from talentloop.outreach import template_services as services
from talentloop.outreach.forms_templates import PreviewForm, SnippetForm, TemplateForm
from talentloop.outreach.models import Template
from talentloop.outreach.rendering import Rendered, token_menu

# The preview's candidate menu: the most recently changed people the member sees.
PREVIEW_CANDIDATES = 50
PREVIEW_JOBS = 50


def _can_write(actor: Actor) -> bool:
    return actor.can(Capability.OUTREACH)


# --- templates ------------------------------------------------------------------------------


@member_required
def template_list(request: MemberRequest) -> HttpResponse:
    """The workspace's templates by name."""
    actor = request.actor
    return render(
        request,
        "outreach/template_list.html",
        {"templates": selectors.template_list(actor), "can_write": _can_write(actor)},
    )


def _preview_form(actor: Actor, data: Any, *, candidate_id: int | None = None) -> PreviewForm:
    """The preview's menus: recent candidates (and the one asked for), active jobs."""
    people = visible_candidates(actor).filter(is_archived=False).order_by("-updated_at", "-id")
    candidates = [
        (pk, f"{first} {last}".strip())
        for pk, first, last in people.values_list("id", "first_name", "last_name")[
            :PREVIEW_CANDIDATES
        ]
    ]
    if candidate_id is not None and candidate_id not in {pk for pk, _ in candidates}:
        chosen = access_candidate(actor, candidate_id)  # NotFound for someone not theirs
        candidates.insert(0, (chosen.pk, chosen.full_name))
    jobs = [(job.pk, job.title) for job in list_jobs(actor, status="active")[:PREVIEW_JOBS]]
    initial = {"candidate": candidate_id} if candidate_id is not None else None
    return PreviewForm(data, initial=initial, candidates=candidates, jobs=jobs)


def _int(value: str | None) -> int | None:
    return int(value) if value and value.isascii() and value.isdigit() and len(value) < 19 else None


def _rendered(
    actor: Actor, draft: Template, preview_form: PreviewForm
) -> tuple[Rendered | None, TalentloopError | None]:
    """The draft rendered for the chosen candidate and job, or the error that stops it."""
    if preview_form.is_bound:
        if not preview_form.is_valid():
            field, errors = next(iter(preview_form.errors.items()))
            return None, TalentloopError(str(errors[0]), field=field)
        chosen = preview_form.cleaned_data
    else:  # the page as first opened: the person from ?candidate=, or a made-up one
        chosen = {"candidate": preview_form.initial.get("candidate"), "job": None}
        chosen["marketing"] = False
    candidate: Candidate | None = None
    job: Job | None = None
    try:
        if chosen["candidate"] is not None:
            candidate = access_candidate(actor, chosen["candidate"])
        if chosen["job"] is not None:
            job = access_job(actor, chosen["job"])
        rendered = services.preview(
            actor=actor,
            template=draft,
            candidate=candidate,
            job=job,
            marketing=chosen["marketing"],
        )
    except TalentloopError as error:
        return None, error
    return rendered, None


def _draft(actor: Actor, form: TemplateForm, template: Template | None) -> Template:
    """An unsaved Template holding what the editor holds now (for the preview)."""
    data = form.data
    return Template(
        workspace=actor.workspace,
        kind=template.kind if template else data.get("kind") or Template.Kind.EMAIL,
        subject=data.get("subject", ""),
        body=data.get("body", ""),
        text_body=data.get("text_body", ""),
    )


@member_required
def template_edit(request: MemberRequest, template_id: int | None = None) -> HttpResponse:
    """Write a template: subject, HTML body, text part, a token menu and a preview for a
    chosen candidate. "Preview" renders without saving; "Save" compiles and stores it."""
    actor = request.actor
    template = selectors.access_template(actor, template_id) if template_id else None
    initial = TemplateForm.initial_from(template) if template else None
    form = TemplateForm(request.POST or None, initial=initial, template=template)
    preview_form = _preview_form(
        actor,
        request.POST or None,
        candidate_id=_int(request.POST.get("candidate") or request.GET.get("candidate")),
    )
    status = 200
    if request.method == "POST" and request.POST.get("action") == "save":
        selectors.require_write(actor)
        if form.is_valid():
            try:
                if template is None:
                    saved = services.create_template(actor=actor, data=form.to_data())
                else:
                    saved = services.update_template(
                        actor=actor, template=template, data=form.to_data()
                    )
            except TalentloopError as error:
                if error.status == 403:
                    raise
                form.add_service_error(error.field, error.message)
            else:
                messages.success(request, f"Saved {saved.name}.")
                return redirect("outreach_templates:edit", saved.pk)
        status = 422
    if request.method == "POST":
        draft = _draft(actor, form, template)
    else:
        draft = template or Template(workspace=actor.workspace, subject="", body="")
    rendered, preview_error = (None, None)
    if draft.body.strip() or draft.text_body.strip():
        rendered, preview_error = _rendered(actor, draft, preview_form)
    return render(
        request,
        "outreach/template_edit.html",
        {
            "template": template,
            "form": form,
            "preview_form": preview_form,
            "rendered": rendered,
            "preview_error": preview_error,
            "tokens": list(token_menu()),
            "snippets": selectors.snippet_list(actor),
            "usage": selectors.template_usage(template) if template else [],
            "can_write": _can_write(actor),
        },
        status=status,
    )


@require_POST
@member_required
def template_preview(request: MemberRequest, template_id: int | None = None) -> HttpResponse:
    """The editor's live preview: the posted draft rendered, as JSON. Saves nothing."""
    actor = request.actor
    template = selectors.access_template(actor, template_id) if template_id else None
    form = TemplateForm(request.POST, template=template)
    preview_form = _preview_form(
        actor, request.POST, candidate_id=_int(request.POST.get("candidate"))
    )
    rendered, error = _rendered(actor, _draft(actor, form, template), preview_form)
    if error is not None:
        if error.status in (403, 404):
            raise error
        body = {"error": {"field": error.field, "message": error.message}}
        return JsonResponse(body, status=422)
    assert rendered is not None
    return JsonResponse({"subject": rendered.subject, "html": rendered.html, "text": rendered.text})


@require_POST
@member_required
def template_delete(request: MemberRequest, template_id: int) -> HttpResponse:
    actor = request.actor
    template = selectors.access_template(actor, template_id, for_write=True)
    try:
        services.delete_template(actor=actor, template=template)
    except TalentloopError as error:
        if error.status == 403:
            raise
        messages.error(request, error.message)
        return redirect("outreach_templates:edit", template.pk)
    messages.success(request, f"Deleted {template.name}.")
    return redirect("outreach_templates:list")


# --- snippets -------------------------------------------------------------------------------


@member_required
def snippet_list(request: MemberRequest) -> HttpResponse:
    actor = request.actor
    return render(
        request,
        "outreach/snippet_list.html",
        {"snippets": selectors.snippet_list(actor), "can_write": _can_write(actor)},
    )


@member_required
def snippet_edit(request: MemberRequest, snippet_id: int | None = None) -> HttpResponse:
    """Write a snippet (a signature, a footer) that templates include by name."""
    actor = request.actor
    snippet = selectors.access_snippet(actor, snippet_id) if snippet_id else None
    initial = {"name": snippet.name, "body": snippet.body} if snippet else None
    form = SnippetForm(request.POST or None, initial=initial)
    if request.method == "POST":
        selectors.require_write(actor)
        if form.is_valid():
            try:
                if snippet is None:
                    saved = services.create_snippet(actor=actor, data=form.to_data())
                else:
                    saved = services.update_snippet(
                        actor=actor, snippet=snippet, data=form.to_data()
                    )
            except TalentloopError as error:
                if error.status == 403:
                    raise
                form.add_service_error(error.field, error.message)
            else:
                messages.success(request, f"Saved {saved.name}.")
                return redirect("outreach_templates:snippet_list")
    users = selectors.templates_using_snippet(actor.workspace, snippet.name) if snippet else []
    return render(
        request,
        "outreach/snippet_edit.html",
        {
            "snippet": snippet,
            "form": form,
            "tokens": list(token_menu()),
            "used_by": users,
            "can_write": _can_write(actor),
        },
        status=422 if request.method == "POST" else 200,
    )


@require_POST
@member_required
def snippet_delete(request: MemberRequest, snippet_id: int) -> HttpResponse:
    actor = request.actor
    snippet = selectors.access_snippet(actor, snippet_id, for_write=True)
    try:
        services.delete_snippet(actor=actor, snippet=snippet)
    except TalentloopError as error:
        if error.status == 403:
            raise
        messages.error(request, error.message)
        return redirect("outreach_templates:snippet_edit", snippet.pk)
    messages.success(request, f"Deleted {snippet.name}.")
    return redirect("outreach_templates:snippet_list")
