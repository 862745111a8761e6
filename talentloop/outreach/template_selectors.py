"""Reads of message templates and snippets, and the one way in to each (`access_*`)."""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet

from talentloop.accounts.models import Workspace
from talentloop.accounts.roles import Capability
from talentloop.core.actor import Actor
from talentloop.core.errors import Forbidden, InvalidInput, NotFound
from talentloop.outreach.models import CampaignDrop, SequenceStep, Snippet, Template
from talentloop.outreach.rendering import snippet_names


def _valid_id(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and 0 < value < 2**63


def require_read(actor: Actor) -> None:
    """Outreach objects are read by those who run outreach and those who see every candidate
    (auditors); hiring managers and others get Forbidden."""
    if not (actor.can(Capability.OUTREACH) or actor.can(Capability.VIEW_ALL_CANDIDATES)):
        raise Forbidden("Your role does not allow outreach.")


def require_write(actor: Actor) -> None:
    if not actor.can(Capability.OUTREACH):
        raise Forbidden("Your role does not allow outreach.")


# --- templates ------------------------------------------------------------------------------


def visible_templates(actor: Actor) -> QuerySet[Template]:
    require_read(actor)
    return Template.objects.filter(workspace=actor.workspace)


def access_template(actor: Actor, template_id: int, *, for_write: bool = False) -> Template:
    """The template if it is the actor's workspace's, else NotFound (another workspace's
    looks missing). With `for_write`, a role without OUTREACH gets Forbidden."""
    if not _valid_id(template_id):
        raise NotFound("No such template.")
    template = visible_templates(actor).filter(pk=template_id).first()
    if template is None:
        raise NotFound("No such template.")
    if for_write:
        require_write(actor)
    return template


def template_list(actor: Actor, *, kind: str = "") -> list[Template]:
    """The workspace's templates by name (one query)."""
    if kind and kind not in Template.Kind.values:
        raise InvalidInput("Kind is email or sms.", field="kind")
    templates = visible_templates(actor)
    if kind:
        templates = templates.filter(kind=kind)
    return list(templates.select_related("created_by").order_by("name", "id"))


def template_usage(template: Template) -> list[str]:
    """Where the template is used, in words: 'sequence "Intro" (step 2)', 'campaign "Q3"
    (drop 1)'. Empty when it may be deleted."""
    steps = (
        SequenceStep.objects.filter(template=template)
        .select_related("sequence")
        .order_by("sequence__name", "position")
    )
    drops = (
        CampaignDrop.objects.filter(template=template)
        .select_related("campaign")
        .order_by("campaign__name", "position")
    )
    return [f'sequence "{s.sequence.name}" (step {s.position + 1})' for s in steps] + [
        f'campaign "{d.campaign.name}" (drop {d.position + 1})' for d in drops
    ]


# --- snippets -------------------------------------------------------------------------------


def visible_snippets(actor: Actor) -> QuerySet[Snippet]:
    require_read(actor)
    return Snippet.objects.filter(workspace=actor.workspace)


def access_snippet(actor: Actor, snippet_id: int, *, for_write: bool = False) -> Snippet:
    """The snippet if it is the actor's workspace's, else NotFound."""
    if not _valid_id(snippet_id):
        raise NotFound("No such snippet.")
    snippet = visible_snippets(actor).filter(pk=snippet_id).first()
    if snippet is None:
        raise NotFound("No such snippet.")
    if for_write:
        require_write(actor)
    return snippet


def snippet_list(actor: Actor) -> list[Snippet]:
    return list(visible_snippets(actor).order_by("name", "id"))


def workspace_snippets(workspace: Workspace) -> dict[str, str]:
    """Every snippet of the workspace by name: what templates compile against (one query)."""
    return dict(Snippet.objects.filter(workspace=workspace).values_list("name", "body"))


def templates_using_snippet(workspace: Workspace, name: str) -> list[Template]:
    """The workspace's templates that include {% snippet "name" %}."""
    mentions = Q(subject__contains=name) | Q(body__contains=name) | Q(text_body__contains=name)
    return [
        template
        for template in Template.objects.filter(mentions, workspace=workspace).order_by("name")
        if name in snippet_names(template.subject, template.body, template.text_body)
    ]
