from __future__ import annotations

import datetime as dt
import types
from typing import Any, Union, get_args, get_origin

from ninja import Schema
from pydantic import ConfigDict, Field, ValidationInfo, field_validator

from talentloop.candidates.models import Activity, CustomFieldDefinition, Note, Tag


def _has_nul(value: Any) -> bool:
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, dict):
        return any(_has_nul(k) or _has_nul(v) for k, v in value.items())
    if isinstance(value, list):
        return any(_has_nul(v) for v in value)
    return False


class SafeTextIn(Schema):
    """Input whose text PostgreSQL can hold: a NUL character is bad input, not a 500 on save."""

    @field_validator("*")
    @classmethod
    def _refuse_nul(cls, value: Any) -> Any:
        if _has_nul(value):
            raise ValueError("Text cannot contain NUL characters.")
        return value


def _types(annotation: Any) -> set[Any]:
    """The types a field's annotation names at its top level: `int | None` -> {int, None}."""
    if get_origin(annotation) in (Union, types.UnionType):
        return set(get_args(annotation))
    return {annotation}


class StrictIn(SafeTextIn):
    """JSON body input. Unknown fields are refused, so a typo is an error rather than silently
    ignored; so are a true or false for a number and anything but true or false for a yes/no
    field, which pydantic would read as 1 or 0 and "yes", 1 or "off" as booleans."""

    model_config = ConfigDict(extra="forbid")

    @field_validator("*", mode="before")
    @classmethod
    def _refuse_bool_mixups(cls, value: Any, info: ValidationInfo) -> Any:
        if value is None or info.field_name is None:
            return value
        kinds = _types(cls.model_fields[info.field_name].annotation)
        if bool in kinds:
            if not isinstance(value, bool):
                raise ValueError("Expected true or false.")
        elif isinstance(value, bool) and kinds & {int, float}:
            raise ValueError("Expected a number, not true or false.")
        return value


class PhoneIn(StrictIn):
    number: str = Field(max_length=50)
    kind: str = "mobile"


class LinkIn(StrictIn):
    url: str = Field(max_length=500)
    kind: str = ""


class CandidateIn(StrictIn):
    first_name: str = Field(max_length=100)
    last_name: str = Field("", max_length=100)
    headline: str = ""
    city: str = ""
    region: str = ""
    country: str = ""
    timezone: str = ""
    current_title: str = ""
    current_company: str = ""
    seniority: str = ""
    years_experience: float | None = None
    source: str = "api"
    source_detail: str = ""
    owner_id: int | None = None
    emails: list[str] = Field(default_factory=list, max_length=20)
    phones: list[PhoneIn] = Field(default_factory=list, max_length=20)
    links: list[LinkIn] = Field(default_factory=list, max_length=20)
    tags: list[str] = Field(default_factory=list, max_length=50)
    custom_fields: dict[str, Any] = Field(default_factory=dict)
    is_do_not_contact: bool = False


class CandidatePatch(StrictIn):
    first_name: str | None = Field(None, max_length=100)
    last_name: str | None = Field(None, max_length=100)
    headline: str | None = None
    city: str | None = None
    region: str | None = None
    country: str | None = None
    timezone: str | None = None
    current_title: str | None = None
    current_company: str | None = None
    seniority: str | None = None
    years_experience: float | None = None
    source: str | None = None
    source_detail: str | None = None
    owner_id: int | None = None
    emails: list[str] | None = Field(None, max_length=20)
    phones: list[PhoneIn] | None = Field(None, max_length=20)
    links: list[LinkIn] | None = Field(None, max_length=20)
    tags: list[str] | None = Field(None, max_length=50)
    custom_fields: dict[str, Any] | None = None
    is_do_not_contact: bool | None = None
    is_archived: bool | None = None


class EmailOut(Schema):
    email: str
    is_primary: bool


class PhoneOut(Schema):
    number: str
    kind: str
    is_primary: bool


class LinkOut(Schema):
    url: str
    kind: str


class CandidateOut(Schema):
    id: int
    first_name: str
    last_name: str
    full_name: str
    headline: str
    city: str
    region: str
    country: str
    timezone: str
    current_title: str
    current_company: str
    seniority: str
    years_experience: float | None
    source: str
    source_detail: str
    owner_id: int | None
    emails: list[EmailOut]
    phones: list[PhoneOut]
    links: list[LinkOut]
    tags: list[str]
    custom_fields: dict[str, Any]
    is_do_not_contact: bool
    is_archived: bool
    last_contacted_at: dt.datetime | None
    created_at: dt.datetime
    updated_at: dt.datetime


class CandidatePageOut(Schema):
    items: list[CandidateOut]
    next_cursor: str | None


class NoteIn(StrictIn):
    body: str = Field(max_length=10_000)
    visibility: str = Note.Visibility.TEAM
    remind_at: dt.datetime | None = None


class NotePatch(StrictIn):
    body: str | None = Field(None, max_length=10_000)
    remind_at: dt.datetime | None = None
    reminder_done: bool | None = None


class NoteOut(Schema):
    id: int
    candidate_id: int
    author_id: int | None
    body: str
    visibility: str
    remind_at: dt.datetime | None
    reminder_done_at: dt.datetime | None
    created_at: dt.datetime
    updated_at: dt.datetime


class TouchpointIn(StrictIn):
    type: str = Field(description="call or linkedin_message")
    summary: str = Field(max_length=500)
    direction: str = "outbound"
    occurred_at: dt.datetime | None = None


class ActivityOut(Schema):
    id: int
    type: str
    channel: str
    actor_id: int | None
    summary: str
    payload: dict[str, Any]
    is_private: bool
    occurred_at: dt.datetime

    @staticmethod
    def from_activity(activity: Activity) -> dict[str, Any]:
        return {
            "id": activity.pk,
            "type": activity.type,
            "channel": activity.channel,
            "actor_id": activity.actor_id,
            "summary": activity.summary,
            "payload": activity.payload,
            "is_private": activity.private_to_id is not None,
            "occurred_at": activity.occurred_at,
        }


class TimelineOut(Schema):
    items: list[ActivityOut]
    next_cursor: str | None


class TagIn(StrictIn):
    name: str = Field(max_length=50)


class TagOut(Schema):
    id: int
    name: str

    @staticmethod
    def from_tag(tag: Tag) -> dict[str, Any]:
        return {"id": tag.pk, "name": tag.name}


class CustomFieldIn(StrictIn):
    key: str = Field(max_length=50)
    label: str = Field(max_length=100)
    field_type: str
    choices: list[str] = Field(default_factory=list, max_length=200)


class CustomFieldOut(Schema):
    key: str
    label: str
    field_type: str
    choices: list[str]

    @staticmethod
    def from_definition(definition: CustomFieldDefinition) -> dict[str, Any]:
        return {
            "key": definition.key,
            "label": definition.label,
            "field_type": definition.field_type,
            "choices": definition.choices,
        }


class StaleReasonOut(Schema):
    code: str = Field(description="not_refreshed, email_bounced or phone_invalid")
    message: str


class FreshnessOut(Schema):
    candidate_id: int
    updated_at: dt.datetime
    reasons: list[StaleReasonOut] = Field(description="Empty when the profile is current")


class RefreshQueueItemOut(Schema):
    id: int
    full_name: str
    current_title: str
    current_company: str
    updated_at: dt.datetime
    reasons: list[StaleReasonOut]


class RefreshQueueOut(Schema):
    items: list[RefreshQueueItemOut]
    next_cursor: str | None
    counts: dict[str, int] = Field(description="Candidates per rule, counted up to 10,001")


class EmailStatusIn(StrictIn):
    email: str = Field(max_length=254)
    bounced: bool


class PhoneStatusIn(StrictIn):
    number: str = Field(max_length=50)
    invalid: bool
