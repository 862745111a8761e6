from __future__ import annotations

import json
from typing import Any

from django import forms

from talentloop.core import nesting
from talentloop.pools.models import BulkAction, Pool, PoolStage, Segment

MAX_ATTENDEE_FILE = 2 * 1024 * 1024


class ServiceErrorsMixin(forms.Form):
    def add_service_error(self, field: str | None, message: str) -> None:
        """Show a service's error on its field when the form has one, else above the form."""
        self.add_error(field if field in self.fields else None, message)


class PoolForm(ServiceErrorsMixin):
    name = forms.CharField(max_length=120)
    description = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), required=False)
    visibility = forms.ChoiceField(choices=Pool.Visibility.choices, initial=Pool.Visibility.TEAM)
    kind = forms.ChoiceField(choices=Pool.Kind.choices, initial=Pool.Kind.STANDARD)
    event_date = forms.DateField(
        required=False, widget=forms.DateInput(attrs={"type": "date"}), help_text="Events only"
    )

    def to_data(self) -> dict[str, Any]:
        return dict(self.cleaned_data)


class PoolEditForm(PoolForm):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        del self.fields["kind"]  # a pool keeps its kind


class StageForm(ServiceErrorsMixin):
    name = forms.CharField(max_length=50)


class SegmentForm(ServiceErrorsMixin):
    name = forms.CharField(max_length=120)
    description = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), required=False)
    rules = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 8, "class": "rules-json", "spellcheck": "false"}),
        help_text='JSON: {"all": [{"field": "city", "op": "eq", "value": "Berlin"}]}; '
        '"all" is AND, "any" is OR, and groups nest.',
    )

    def clean_rules(self) -> Any:
        try:
            return nesting.loads(self.cleaned_data["rules"])
        except json.JSONDecodeError as error:
            raise forms.ValidationError(
                f"This is not JSON: {error.msg} (line {error.lineno})."
            ) from None
        except nesting.NestingError as error:
            raise forms.ValidationError(str(error)) from None

    def add_service_error(self, field: str | None, message: str) -> None:
        # Rule errors name a path inside the rules ("rules.all[0].op").
        if field and field.startswith("rules"):
            field = "rules"
        super().add_service_error(field, message)

    @staticmethod
    def initial_from(segment: Segment) -> dict[str, Any]:
        return {
            "name": segment.name,
            "description": segment.description,
            "rules": json.dumps(segment.rules, indent=2),
        }


class ReferralForm(ServiceErrorsMixin):
    first_name = forms.CharField(max_length=100)
    last_name = forms.CharField(max_length=100, required=False)
    email = forms.CharField(max_length=254, required=False, label="E-mail")
    phone = forms.CharField(max_length=50, required=False)
    linkedin = forms.CharField(max_length=500, required=False, label="LinkedIn profile")
    current_title = forms.CharField(max_length=200, required=False, label="Current title")
    current_company = forms.CharField(max_length=200, required=False, label="Current company")
    note = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 4}),
        required=False,
        max_length=5000,
        label="Why this person?",
    )
    pool = forms.TypedChoiceField(coerce=int, required=False, empty_value=None, label="Add to pool")

    def __init__(self, *args: Any, pools: list[Pool], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        pool_field = self.fields["pool"]
        assert isinstance(pool_field, forms.TypedChoiceField)
        pool_field.choices = [("", "None"), *((p.pk, p.name) for p in pools)]


class AttendeesForm(ServiceErrorsMixin):
    text = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 5, "placeholder": "Ada Lovelace,ada@example.com"}),
        required=False,
        label="Paste name,email lines",
    )
    file = forms.FileField(required=False, label="Or upload a CSV file")
    check_in = forms.BooleanField(required=False, label="Mark them as checked in")

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        upload = data.get("file")
        if upload is not None:
            if upload.size > MAX_ATTENDEE_FILE:
                raise forms.ValidationError("The file is larger than 2 MB.")
            try:
                data["text"] = upload.read().decode("utf-8-sig")
            except UnicodeDecodeError:
                raise forms.ValidationError("Save the file as UTF-8 CSV.") from None
        if not (data.get("text") or "").strip():
            raise forms.ValidationError("Paste some lines or choose a file.")
        return data


# Not a stored BulkAction: the bulk page hands the selection to outreach's enrolment check.
ENROLL = "enroll"


class BulkForm(ServiceErrorsMixin):
    kind = forms.ChoiceField(choices=BulkAction.Kind.choices, label="Action")
    pool = forms.TypedChoiceField(coerce=int, required=False, empty_value=None)
    stage = forms.TypedChoiceField(coerce=int, required=False, empty_value=None)
    tag = forms.CharField(max_length=50, required=False)
    sequence = forms.TypedChoiceField(coerce=int, required=False, empty_value=None)

    def __init__(
        self,
        *args: Any,
        pools: list[Pool],
        stages: list[PoolStage],
        sequences: list[tuple[int, str]] | None = None,
        **kwargs: Any,
    ) -> None:
        """`sequences` is None for roles without outreach: no "Enrol in sequence" then."""
        super().__init__(*args, **kwargs)
        kind_field = self.fields["kind"]
        pool_field, stage_field = self.fields["pool"], self.fields["stage"]
        sequence_field = self.fields["sequence"]
        assert isinstance(kind_field, forms.ChoiceField)
        assert isinstance(pool_field, forms.TypedChoiceField)
        assert isinstance(stage_field, forms.TypedChoiceField)
        assert isinstance(sequence_field, forms.TypedChoiceField)
        pool_field.choices = [("", "—"), *((p.pk, p.name) for p in pools)]
        stage_field.choices = [("", "—"), *((s.pk, s.name) for s in stages)]
        if sequences is None:
            del self.fields["sequence"]
        else:
            kind_field.choices = [*BulkAction.Kind.choices, (ENROLL, "Enrol in sequence")]
            sequence_field.choices = [("", "—"), *sequences]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("kind") == ENROLL and data.get("sequence") is None:
            self.add_error("sequence", "Choose a sequence.")
        return data
