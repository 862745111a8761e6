"""Every write to message templates and snippets, their preview, and their compiled form.

A template is compiled before it is stored, so a bad one never reaches a send: syntax errors,
unknown tokens and forbidden tags come back as TemplateSyntaxProblem naming the field and line.
The stored body is the sanitized HTML (rendering.sanitize_html).
"""

from __future__ import annotations

import hashlib
from collections import OrderedDict
from collections.abc import Mapping
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import ProtectedError
from django.utils import timezone

from talentloop.accounts.models import User
from talentloop.candidates.models import Candidate
from talentloop.core.actor import Actor
from talentloop.core.errors import Conflict, InvalidInput
from talentloop.jobs.models import Job
from talentloop.outreach import template_selectors as selectors
from talentloop.outreach.models import Snippet, Template
from talentloop.outreach.rendering import (
    SNIPPET_NAME,
    CompiledMessage,
    Rendered,
    TemplateSyntaxProblem,
    check_snippet,
    compile_message,
    message_context,
    sample_context,
    sanitize_html,
    text_source_from_html,
)

MAX_BODY = 100_000
MAX_TEXT = 20_000
MAX_SMS = 1_600  # ten SMS segments, the most carriers join into one message
MAX_SUBJECT = 300
MAX_SNIPPET = 20_000
# Previews show where the unsubscribe link goes without making a real one (.invalid never
# resolves, RFC 2606).
PREVIEW_UNSUBSCRIBE_URL = "https://unsubscribe.invalid/preview"
PREVIEW_PREFERENCES_URL = "https://preferences.invalid/preview"


def _clean_name(value: Any, *, max_length: int) -> str:
    name = " ".join(str(value or "").split())
    if not name or len(name) > max_length:
        raise InvalidInput(f"A name is 1 to {max_length} characters.", field="name")
    if "\x00" in name:
        raise InvalidInput("Text cannot contain NUL characters.", field="name")
    return name


def _text(data: Mapping[str, Any], key: str, *, max_length: int) -> str:
    value = data.get(key) or ""
    if not isinstance(value, str):
        raise InvalidInput("Expected text.", field=key)
    if len(value) > max_length:
        raise InvalidInput(f"At most {max_length:,} characters.", field=key)
    if "\x00" in value:
        raise InvalidInput("Text cannot contain NUL characters.", field=key)
    return value.replace("\r\n", "\n")


# --- templates ------------------------------------------------------------------------------


def _template_fields(data: Mapping[str, Any], *, kind: str) -> dict[str, str]:
    """Checked, compiled and sanitized subject, body and text_body for a template of `kind`."""
    subject = " ".join(_text(data, "subject", max_length=MAX_SUBJECT).split())
    body = _text(data, "body", max_length=MAX_BODY)
    # Only trailing space goes: leading lines would shift the line numbers errors name.
    text_body = _text(data, "text_body", max_length=MAX_TEXT).rstrip()
    if kind == Template.Kind.SMS:
        if subject or body.strip():
            field = "subject" if subject else "body"
            raise InvalidInput("An SMS has only a text part.", field=field)
        if not text_body.strip():
            raise InvalidInput("Write the message.", field="text_body")
        if len(text_body) > MAX_SMS:
            raise InvalidInput(f"An SMS is at most {MAX_SMS:,} characters.", field="text_body")
        return {"subject": "", "body": "", "text_body": text_body}
    if not subject:
        raise InvalidInput("An e-mail needs a subject.", field="subject")
    if not body.strip():
        raise InvalidInput("Write the message.", field="body")
    return {"subject": subject, "body": body.rstrip(), "text_body": text_body}


def _compile_fields(
    fields: Mapping[str, str], *, kind: str, snippets: Mapping[str, str]
) -> dict[str, str]:
    """Compile what the author wrote (so errors carry their line numbers), then sanitize the
    HTML and compile what will be stored too. Returns the fields to store."""
    compile_message(
        subject=fields["subject"],
        html=fields["body"],
        text=fields["text_body"],
        snippets=snippets,
        kind=kind,
    )
    stored = {"subject": fields["subject"], "body": "", "text_body": fields["text_body"].strip()}
    if kind == Template.Kind.EMAIL:
        stored["body"] = sanitize_html(fields["body"]).strip()
        compile_message(
            subject=stored["subject"],
            html=stored["body"],
            text=stored["text_body"],
            snippets=snippets,
        )
    return stored


def _ensure_unique_template_name(actor: Actor, name: str, *, exclude: int | None = None) -> None:
    clash = Template.objects.filter(workspace=actor.workspace, name__iexact=name)
    if exclude is not None:
        clash = clash.exclude(pk=exclude)
    if clash.exists():
        raise InvalidInput(f"A template named {name!r} exists already.", field="name")


@transaction.atomic
def create_template(*, actor: Actor, data: Mapping[str, Any]) -> Template:
    """Store a new template: {"name", "kind" ("email" | "sms"), "subject", "body", "text_body"}.

    Raises TemplateSyntaxProblem for a template that would not render, InvalidInput otherwise.
    """
    selectors.require_write(actor)
    name = _clean_name(data.get("name"), max_length=120)
    kind = data.get("kind") or Template.Kind.EMAIL
    if kind not in Template.Kind.values:
        raise InvalidInput("Kind is email or sms.", field="kind")
    fields = _compile_fields(
        _template_fields(data, kind=kind),
        kind=kind,
        snippets=selectors.workspace_snippets(actor.workspace),
    )
    _ensure_unique_template_name(actor, name)
    template = Template(
        workspace=actor.workspace, name=name, kind=kind, created_by=actor.user, **fields
    )
    try:
        with transaction.atomic():
            template.save()
    except IntegrityError:  # a concurrent create with the same name won
        raise InvalidInput(f"A template named {name!r} exists already.", field="name") from None
    return template


@transaction.atomic
def update_template(*, actor: Actor, template: Template, data: Mapping[str, Any]) -> Template:
    """Change the name, subject, body or text_body (the keys present). A template keeps its
    kind. Raises like create_template."""
    selectors.require_write(actor)
    if "kind" in data and data["kind"] != template.kind:
        raise InvalidInput("A template keeps its kind: make a new one.", field="kind")
    if "name" in data:
        name = _clean_name(data["name"], max_length=120)
        _ensure_unique_template_name(actor, name, exclude=template.pk)
        template.name = name
    current = {"subject": template.subject, "body": template.body, "text_body": template.text_body}
    merged = {**current, **{k: data[k] for k in current if k in data}}
    fields = _compile_fields(
        _template_fields(merged, kind=template.kind),
        kind=template.kind,
        snippets=selectors.workspace_snippets(actor.workspace),
    )
    for key, value in fields.items():
        setattr(template, key, value)
    template.updated_at = timezone.now()
    try:
        with transaction.atomic():
            template.save()
    except IntegrityError:
        raise InvalidInput(
            f"A template named {template.name!r} exists already.", field="name"
        ) from None
    return template


@transaction.atomic
def delete_template(*, actor: Actor, template: Template) -> None:
    """Delete a template no sequence step or campaign drop uses; Conflict naming them else.
    Sent messages keep their copy of the subject; their template link is cleared."""
    selectors.require_write(actor)
    usage = selectors.template_usage(template)
    if usage:
        raise Conflict(_used_by(usage), field="template")
    try:
        with transaction.atomic():
            template.delete()
    except ProtectedError:  # a step or drop took it up since we looked
        raise Conflict(_used_by(selectors.template_usage(template)), field="template") from None


def _used_by(usage: list[str]) -> str:
    shown = ", ".join(usage[:5]) + (f" and {len(usage) - 5} more" if len(usage) > 5 else "")
    return f"This template is used by {shown}: choose another template there first."


# --- compiling and previewing ---------------------------------------------------------------

_COMPILED: OrderedDict[tuple[Any, ...], CompiledMessage] = OrderedDict()
_COMPILED_SIZE = 256


def compile_template(template: Template, *, snippets: Mapping[str, str]) -> CompiledMessage:
    """The compiled form of a stored template, cached per process by its content and the
    snippets it may include, so a batch of sends compiles it once."""
    digest = hashlib.blake2b(repr(sorted(snippets.items())).encode(), digest_size=16).hexdigest()
    key = (template.kind, template.subject, template.body, template.text_body, digest)
    compiled = _COMPILED.get(key)
    if compiled is None:
        compiled = compile_message(
            subject=template.subject,
            html=template.body,
            text=template.text_body,
            snippets=snippets,
            kind=template.kind,
        )
        _COMPILED[key] = compiled
        while len(_COMPILED) > _COMPILED_SIZE:
            _COMPILED.popitem(last=False)
    else:
        _COMPILED.move_to_end(key)
    return compiled


def _sample_candidate() -> Candidate:
    """The made-up person of a preview (rendering.sample_context's, as an unsaved row)."""
    return Candidate(
        first_name="Ada",
        last_name="Lovelace",
        headline="Analyst and mathematician",
        current_title="Analyst",
        current_company="Analytical Engines Ltd",
        city="London",
        country="GB",
    )


def preview(
    *,
    actor: Actor,
    template: Template,
    candidate: Candidate | None,
    sender: User | None = None,
    job: Job | None = None,
    marketing: bool = False,
) -> Rendered:
    """The message `candidate` would get (made-up values when None), sent by `sender` (the
    actor by default). `template` may be unsaved: its body is sanitized as saving would.

    The caller loads the candidate and job through their access_* selectors. Writes nothing.
    """
    selectors.require_read(actor)
    if template.kind not in Template.Kind.values:
        raise InvalidInput("Kind is email or sms.", field="kind")
    fields = _template_fields(
        {"subject": template.subject, "body": template.body, "text_body": template.text_body},
        kind=template.kind,
    )
    body = sanitize_html(fields["body"]) if template.kind == Template.Kind.EMAIL else ""
    compiled = compile_message(
        subject=fields["subject"],
        html=body,
        text=fields["text_body"],
        snippets=selectors.workspace_snippets(actor.workspace),
        kind=template.kind,
    )
    sample = sample_context()
    context = message_context(
        candidate=candidate or _sample_candidate(),
        sender=sender or actor.user,
        job=job,
        workspace=actor.workspace,
    )
    if candidate is None and job is None:
        context["job"] = sample["job"]  # a made-up person gets a made-up job too
    context["unsubscribe_url"] = PREVIEW_UNSUBSCRIBE_URL
    context["preferences_url"] = PREVIEW_PREFERENCES_URL
    return compiled.render(context, marketing=marketing)


# --- snippets -------------------------------------------------------------------------------


def _snippet_name(value: Any) -> str:
    name = str(value or "").strip()
    if not SNIPPET_NAME.match(name):
        raise InvalidInput(
            "A snippet name is 1 to 60 lower-case letters, digits, - and _ (like signature).",
            field="name",
        )
    return name


def _snippet_body(data: Mapping[str, Any]) -> str:
    """The sanitized body, checked on its own, as HTML and as the text it becomes."""
    body = _text(data, "body", max_length=MAX_SNIPPET).rstrip()
    if not body.strip():
        raise InvalidInput("Write the snippet.", field="body")
    check_snippet(body)
    body = sanitize_html(body).strip()
    check_snippet(body)
    check_snippet(text_source_from_html(body))
    return body


def _recheck_templates(actor: Actor, name: str, body: str) -> None:
    """Templates that include the snippet must still compile with its new body."""
    snippets = {**selectors.workspace_snippets(actor.workspace), name: body}
    for template in selectors.templates_using_snippet(actor.workspace, name):
        try:
            compile_message(
                subject=template.subject,
                html=template.body,
                text=template.text_body,
                snippets=snippets,
                kind=template.kind,
            )
        except TemplateSyntaxProblem as problem:
            raise InvalidInput(
                f'Template "{template.name}" would break: {problem.message}', field="body"
            ) from None


def _ensure_unique_snippet_name(actor: Actor, name: str, *, exclude: int | None = None) -> None:
    clash = Snippet.objects.filter(workspace=actor.workspace, name=name)
    if exclude is not None:
        clash = clash.exclude(pk=exclude)
    if clash.exists():
        raise InvalidInput(f"A snippet named {name!r} exists already.", field="name")


@transaction.atomic
def create_snippet(*, actor: Actor, data: Mapping[str, Any]) -> Snippet:
    """Store a snippet {"name", "body"} that templates include as {% snippet "name" %}."""
    selectors.require_write(actor)
    name = _snippet_name(data.get("name"))
    body = _snippet_body(data)
    _ensure_unique_snippet_name(actor, name)
    snippet = Snippet(workspace=actor.workspace, name=name, body=body)
    try:
        with transaction.atomic():
            snippet.save()
    except IntegrityError:
        raise InvalidInput(f"A snippet named {name!r} exists already.", field="name") from None
    return snippet


@transaction.atomic
def update_snippet(*, actor: Actor, snippet: Snippet, data: Mapping[str, Any]) -> Snippet:
    """Change the name or body. A snippet templates use keeps its name, and its new body must
    leave those templates compiling."""
    selectors.require_write(actor)
    if "name" in data:
        name = _snippet_name(data["name"])
        if name != snippet.name:
            users = selectors.templates_using_snippet(actor.workspace, snippet.name)
            if users:
                raise Conflict(_snippet_used_by(users, "renamed"), field="name")
            _ensure_unique_snippet_name(actor, name, exclude=snippet.pk)
            snippet.name = name
    if "body" in data:
        snippet.body = _snippet_body(data)
        _recheck_templates(actor, snippet.name, snippet.body)
    snippet.updated_at = timezone.now()
    try:
        with transaction.atomic():
            snippet.save()
    except IntegrityError:
        raise InvalidInput(
            f"A snippet named {snippet.name!r} exists already.", field="name"
        ) from None
    return snippet


@transaction.atomic
def delete_snippet(*, actor: Actor, snippet: Snippet) -> None:
    """Delete a snippet no template includes; Conflict naming the templates else."""
    selectors.require_write(actor)
    users = selectors.templates_using_snippet(actor.workspace, snippet.name)
    if users:
        raise Conflict(_snippet_used_by(users, "deleted"), field="snippet")
    snippet.delete()


def _snippet_used_by(templates: list[Template], what: str) -> str:
    names = ", ".join(f'"{t.name}"' for t in templates[:5])
    more = f" and {len(templates) - 5} more" if len(templates) > 5 else ""
    return f"Templates {names}{more} include this snippet, so it cannot be {what}."
