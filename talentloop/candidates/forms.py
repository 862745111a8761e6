"""Forms parse what a browser sends; the services validate it, so UI and API agree."""

from __future__ import annotations

import datetime as dt
import zoneinfo
from typing import Any

from django import forms
from django.utils import timezone

from talentloop.accounts.models import Membership
from talentloop.candidates.models import (
    Activity,
    CustomFieldDefinition,
    Note,
    Seniority,
    Source,
)
from talentloop.core.actor import Actor

LIST_FIELDS = ("emails", "phones", "links")


def _lines(value: str) -> list[str]:
    return [line.strip() for line in value.splitlines() if line.strip()]


class CandidateForm(forms.Form):
    first_name = forms.CharField(max_length=100)
    last_name = forms.CharField(max_length=100, required=False)
    headline = forms.CharField(max_length=255, required=False)
    current_title = forms.CharField(max_length=200, required=False)
    current_company = forms.CharField(max_length=200, required=False)
    seniority = forms.ChoiceField(choices=[("", "—"), *Seniority.choices], required=False)
    years_experience = forms.DecimalField(
        required=False, min_value=0, max_value=80, decimal_places=1
    )
    city = forms.CharField(max_length=100, required=False)
    region = forms.CharField(max_length=100, required=False)
    country = forms.CharField(max_length=2, required=False, help_text="Two letters, e.g. DE")
    timezone = forms.CharField(max_length=64, required=False, help_text="e.g. Europe/Berlin")
    emails = forms.CharField(
        label="E-mails",
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
        help_text="One per line",
    )
    phones = forms.CharField(
        label="Phone numbers",
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
        help_text="One per line; without +country code the workspace's region is assumed",
    )
    links = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
        help_text="LinkedIn, GitHub, portfolio… one per line",
    )
    tags = forms.CharField(required=False, help_text="Comma-separated")
    source = forms.ChoiceField(choices=Source.choices, initial=Source.SOURCED)
    source_detail = forms.CharField(max_length=255, required=False)
    owner = forms.TypedChoiceField(coerce=int, required=False, empty_value=None)
    is_do_not_contact = forms.BooleanField(required=False, label="Do not contact")
    is_archived = forms.BooleanField(required=False, label="Archived")

    def __init__(self, *args: Any, actor: Actor, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        members = Membership.objects.filter(workspace=actor.workspace).select_related("user")
        owner_field = self.fields["owner"]
        assert isinstance(owner_field, forms.TypedChoiceField)
        owner_field.choices = [("", "—")] + [
            (m.user_id, m.user.display_name) for m in members.order_by("user__email")
        ]
        self.custom_definitions = list(
            CustomFieldDefinition.objects.filter(workspace=actor.workspace)
        )
        for definition in self.custom_definitions:
            self.fields[f"cf_{definition.key}"] = _custom_form_field(definition)

    def to_data(self) -> dict[str, Any]:
        """The cleaned form as service input."""
        data = dict(self.cleaned_data)
        data["emails"] = _lines(data["emails"])
        data["phones"] = [{"number": n} for n in _lines(data["phones"])]
        data["links"] = [{"url": u} for u in _lines(data["links"])]
        data["tags"] = [t.strip() for t in data["tags"].split(",") if t.strip()]
        data["owner_id"] = data.pop("owner")
        data["custom_fields"] = {d.key: data.pop(f"cf_{d.key}") for d in self.custom_definitions}
        return data

    def add_service_error(self, field: str | None, message: str) -> None:
        """Show a service's InvalidInput/Conflict on the form field it names."""
        name = (field or "").split("[")[0].split(".")[0]
        if name == "custom_fields" and field:
            name = "cf_" + field.split(".", 1)[1]
        if name == "owner_id":
            name = "owner"
        self.add_error(name if name in self.fields else None, message)


def _custom_form_field(definition: CustomFieldDefinition) -> forms.Field:
    label, kind = definition.label, CustomFieldDefinition.Type
    if definition.field_type == kind.NUMBER:
        return forms.FloatField(label=label, required=False)
    if definition.field_type == kind.DATE:
        return forms.DateField(
            label=label, required=False, widget=forms.DateInput(attrs={"type": "date"})
        )
    if definition.field_type == kind.BOOLEAN:
        return forms.NullBooleanField(label=label, required=False)
    if definition.field_type == kind.CHOICE:
        choices = [("", "—")] + [(c, c) for c in definition.choices]
        return forms.ChoiceField(label=label, choices=choices, required=False)
    if definition.field_type == kind.URL:
        return forms.CharField(label=label, required=False, max_length=500)
    return forms.CharField(label=label, required=False, max_length=1000)


def initial_from(candidate: Any) -> dict[str, Any]:
    """Form values for editing `candidate` (contacts and tags prefetched)."""
    initial = {
        name: getattr(candidate, name)
        for name in (
            "first_name",
            "last_name",
            "headline",
            "current_title",
            "current_company",
            "seniority",
            "years_experience",
            "city",
            "region",
            "country",
            "timezone",
            "source",
            "source_detail",
            "is_do_not_contact",
            "is_archived",
        )
    }
    initial["owner"] = candidate.owner_id
    initial["emails"] = "\n".join(e.email for e in candidate.emails.all())
    initial["phones"] = "\n".join(p.number for p in candidate.phones.all())
    initial["links"] = "\n".join(link.url for link in candidate.links.all())
    initial["tags"] = ", ".join(sorted(t.name for t in candidate.tags.all()))
    for key, value in candidate.custom_fields.items():
        initial[f"cf_{key}"] = value
    return initial


def _aware(value: dt.datetime | None, tz_name: str) -> dt.datetime | None:
    """A datetime-local value, read in the workspace's time zone."""
    if value is None or timezone.is_aware(value):
        return value
    return value.replace(tzinfo=zoneinfo.ZoneInfo(tz_name or "UTC"))


class NoteForm(forms.Form):
    same_unbound_html = True  # see core/templatetags/form_fields.py

    body = forms.CharField(
        label="Note",
        widget=forms.Textarea(
            attrs={"rows": 3, "placeholder": "What you learned, what they want, what comes next"}
        ),
        max_length=10_000,
    )
    visibility = forms.ChoiceField(choices=Note.Visibility.choices, initial=Note.Visibility.TEAM)
    remind_at = forms.DateTimeField(
        required=False,
        label="Remind me",
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
    )

    def to_data(self, tz_name: str) -> dict[str, Any]:
        data = dict(self.cleaned_data)
        data["remind_at"] = _aware(data["remind_at"], tz_name)
        return data


class TouchpointForm(forms.Form):
    same_unbound_html = True  # see core/templatetags/form_fields.py

    type = forms.ChoiceField(
        choices=[
            (Activity.Type.CALL, "Call"),
            (Activity.Type.LINKEDIN_MESSAGE, "LinkedIn message"),
        ]
    )
    direction = forms.ChoiceField(
        choices=[("outbound", "I reached out"), ("inbound", "They reached out")]
    )
    summary = forms.CharField(max_length=500, widget=forms.Textarea(attrs={"rows": 2}))
    occurred_at = forms.DateTimeField(
        required=False,
        label="When (default: now)",
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
    )

    def to_data(self, tz_name: str) -> dict[str, Any]:
        data = dict(self.cleaned_data)
        data["occurred_at"] = _aware(data["occurred_at"], tz_name)
        return data
