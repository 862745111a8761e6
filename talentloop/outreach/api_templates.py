"""Message templates, snippets, previews and the token list over the API."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Query, Router, Schema, Status

from talentloop.candidates.selectors import access_candidate
from talentloop.core.actor import Actor
from talentloop.core.api import actor_of
from talentloop.jobs.selectors import access_job
from talentloop.outreach import template_selectors as selectors
from talentloop.outreach import template_services as services
from talentloop.outreach.models import Template
from talentloop.outreach.rendering import Rendered, token_menu
from talentloop.outreach.schemas_templates import (
    DraftPreviewIn,
    PreviewIn,
    RenderedOut,
    SnippetIn,
    SnippetOut,
    SnippetPatch,
    TemplateIn,
    TemplateOut,
    TemplatePatch,
    TokenOut,
)

router = Router(tags=["outreach templates"])


class TemplateQuery(Schema):
    kind: str = ""


def _preview(actor: Actor, template: Template, payload: PreviewIn) -> dict[str, Any]:
    candidate = None
    if payload.candidate_id is not None:
        candidate = access_candidate(actor, payload.candidate_id)
    job = access_job(actor, payload.job_id) if payload.job_id is not None else None
    rendered: Rendered = services.preview(
        actor=actor, template=template, candidate=candidate, job=job, marketing=payload.marketing
    )
    return {"subject": rendered.subject, "html": rendered.html, "text": rendered.text}


# --- templates ------------------------------------------------------------------------------


@router.get("/outreach/templates", response=list[TemplateOut])
def list_templates(request: HttpRequest, query: Query[TemplateQuery]) -> list[dict[str, Any]]:
    """The workspace's e-mail and SMS templates by name; `kind` keeps one kind."""
    templates = selectors.template_list(actor_of(request), kind=query.kind)
    return [TemplateOut.from_template(t) for t in templates]


@router.post("/outreach/templates", response={201: TemplateOut})
def create_template(request: HttpRequest, payload: TemplateIn) -> Status[dict[str, Any]]:
    """Compiled before it is stored: a syntax error or unknown token is a 422 naming the field
    and the line. The body is stored sanitized."""
    template = services.create_template(actor=actor_of(request), data=payload.model_dump())
    return Status(201, TemplateOut.from_template(template))


@router.post("/outreach/templates/preview", response=RenderedOut)
def preview_draft(request: HttpRequest, payload: DraftPreviewIn) -> dict[str, Any]:
    """Render an unsaved template for a candidate (made-up values without one)."""
    actor = actor_of(request)
    draft = Template(
        workspace=actor.workspace,
        kind=payload.kind,
        subject=payload.subject,
        body=payload.body,
        text_body=payload.text_body,
    )
    return _preview(actor, draft, payload)


@router.get("/outreach/templates/{template_id}", response=TemplateOut)
def get_template(request: HttpRequest, template_id: int) -> dict[str, Any]:
    return TemplateOut.from_template(selectors.access_template(actor_of(request), template_id))


@router.patch("/outreach/templates/{template_id}", response=TemplateOut)
def update_template(
    request: HttpRequest, template_id: int, payload: TemplatePatch
) -> dict[str, Any]:
    actor = actor_of(request)
    template = selectors.access_template(actor, template_id, for_write=True)
    template = services.update_template(
        actor=actor, template=template, data=payload.model_dump(exclude_unset=True)
    )
    return TemplateOut.from_template(template)


@router.delete("/outreach/templates/{template_id}", response={204: None})
def delete_template(request: HttpRequest, template_id: int) -> Status[None]:
    """A template a sequence step or campaign drop uses cannot be deleted (409)."""
    actor = actor_of(request)
    template = selectors.access_template(actor, template_id, for_write=True)
    services.delete_template(actor=actor, template=template)
    return Status(204, None)


@router.post("/outreach/templates/{template_id}/preview", response=RenderedOut)
def preview_template(request: HttpRequest, template_id: int, payload: PreviewIn) -> dict[str, Any]:
    """The subject, full HTML document and text part `candidate_id` would get."""
    actor = actor_of(request)
    return _preview(actor, selectors.access_template(actor, template_id), payload)


@router.get("/outreach/tokens", response=list[TokenOut])
def list_tokens(request: HttpRequest) -> list[dict[str, str]]:
    """The tokens templates may use, with what to insert for each."""
    selectors.require_read(actor_of(request))
    return [
        {"token": token, "description": description, "insert": insert}
        for token, description, insert in token_menu()
    ]


# --- snippets -------------------------------------------------------------------------------


@router.get("/outreach/snippets", response=list[SnippetOut])
def list_snippets(request: HttpRequest) -> list[dict[str, Any]]:
    return [SnippetOut.from_snippet(s) for s in selectors.snippet_list(actor_of(request))]


@router.post("/outreach/snippets", response={201: SnippetOut})
def create_snippet(request: HttpRequest, payload: SnippetIn) -> Status[dict[str, Any]]:
    """A block templates include as {% snippet "name" %}."""
    snippet = services.create_snippet(actor=actor_of(request), data=payload.model_dump())
    return Status(201, SnippetOut.from_snippet(snippet))


@router.get("/outreach/snippets/{snippet_id}", response=SnippetOut)
def get_snippet(request: HttpRequest, snippet_id: int) -> dict[str, Any]:
    return SnippetOut.from_snippet(selectors.access_snippet(actor_of(request), snippet_id))


@router.patch("/outreach/snippets/{snippet_id}", response=SnippetOut)
def update_snippet(request: HttpRequest, snippet_id: int, payload: SnippetPatch) -> dict[str, Any]:
    actor = actor_of(request)
    snippet = selectors.access_snippet(actor, snippet_id, for_write=True)
    snippet = services.update_snippet(
        actor=actor, snippet=snippet, data=payload.model_dump(exclude_unset=True)
    )
    return SnippetOut.from_snippet(snippet)


@router.delete("/outreach/snippets/{snippet_id}", response={204: None})
def delete_snippet(request: HttpRequest, snippet_id: int) -> Status[None]:
    """A snippet a template includes cannot be deleted (409)."""
    actor = actor_of(request)
    services.delete_snippet(actor=actor, snippet=selectors.access_snippet(actor, snippet_id))
    return Status(204, None)
