"""JSON shapes of message templates, snippets, previews and tokens."""

from __future__ import annotations

import datetime as dt
from typing import Any

from ninja import Schema
from pydantic import Field

from talentloop.candidates.schemas import StrictIn
from talentloop.outreach.models import Snippet, Template
from talentloop.outreach.template_services import MAX_BODY, MAX_SNIPPET, MAX_SUBJECT, MAX_TEXT

# Schema limits sit a little above the services' so the service's clearer message is the one
# people see for text that is just too long; these stop absurd bodies early.
_SLACK = 1_000


class TemplateIn(StrictIn):
    name: str = Field(max_length=200)
    kind: str = Template.Kind.EMAIL
    subject: str = Field("", max_length=MAX_SUBJECT + _SLACK)
    body: str = Field("", max_length=MAX_BODY + _SLACK, description="HTML with tokens")
    text_body: str = Field(
        "", max_length=MAX_TEXT + _SLACK, description="Plain text; blank: made from the HTML"
    )


class TemplatePatch(StrictIn):
    name: str | None = Field(None, max_length=200)
    kind: str | None = None
    subject: str | None = Field(None, max_length=MAX_SUBJECT + _SLACK)
    body: str | None = Field(None, max_length=MAX_BODY + _SLACK)
    text_body: str | None = Field(None, max_length=MAX_TEXT + _SLACK)


class TemplateOut(Schema):
    id: int
    name: str
    kind: str
    subject: str
    body: str
    text_body: str
    created_by_id: int | None
    created_at: dt.datetime
    updated_at: dt.datetime

    @staticmethod
    def from_template(template: Template) -> dict[str, Any]:
        return {
            "id": template.pk,
            "name": template.name,
            "kind": template.kind,
            "subject": template.subject,
            "body": template.body,
            "text_body": template.text_body,
            "created_by_id": template.created_by_id,
            "created_at": template.created_at,
            "updated_at": template.updated_at,
        }


class PreviewIn(StrictIn):
    candidate_id: int | None = Field(None, description="Blank: made-up values")
    job_id: int | None = None
    marketing: bool = Field(False, description="Add the unsubscribe footer of marketing sends")


class DraftPreviewIn(PreviewIn):
    """An unsaved template's preview (the editor's live pane)."""

    kind: str = Template.Kind.EMAIL
    subject: str = Field("", max_length=MAX_SUBJECT + _SLACK)
    body: str = Field("", max_length=MAX_BODY + _SLACK)
    text_body: str = Field("", max_length=MAX_TEXT + _SLACK)


class RenderedOut(Schema):
    subject: str
    html: str = Field(description="The whole HTML document as it would be sent")
    text: str


class TokenOut(Schema):
    token: str
    description: str
    insert: str


class SnippetIn(StrictIn):
    name: str = Field(max_length=100)
    body: str = Field(max_length=MAX_SNIPPET + _SLACK)


class SnippetPatch(StrictIn):
    name: str | None = Field(None, max_length=100)
    body: str | None = Field(None, max_length=MAX_SNIPPET + _SLACK)


class SnippetOut(Schema):
    id: int
    name: str
    body: str
    created_at: dt.datetime
    updated_at: dt.datetime

    @staticmethod
    def from_snippet(snippet: Snippet) -> dict[str, Any]:
        return {
            "id": snippet.pk,
            "name": snippet.name,
            "body": snippet.body,
            "created_at": snippet.created_at,
            "updated_at": snippet.updated_at,
        }
