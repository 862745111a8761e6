"""Forms of the template editor and the snippet pages."""

from __future__ import annotations

from typing import Any

from django import forms

from talentloop.outreach.models import Template
from talentloop.outreach.template_services import MAX_BODY, MAX_SNIPPET, MAX_SUBJECT, MAX_TEXT


class ServiceErrorsMixin(forms.Form):
    def add_service_error(self, field: str | None, message: str) -> None:
        """Show a service's error on its field when the form has one, else above the form."""
        self.add_error(field if field in self.fields else None, message)


_CODE = {
    "spellcheck": "false",
    "autocomplete": "off",
    "style": "font-family: ui-monospace, monospace",
}


class TemplateForm(ServiceErrorsMixin):
    name = forms.CharField(max_length=120)
    kind = forms.ChoiceField(choices=Template.Kind.choices, initial=Template.Kind.EMAIL)
    subject = forms.CharField(
        max_length=MAX_SUBJECT,
        required=False,
        widget=forms.TextInput(attrs={"data-tokens": "1", "autocomplete": "off"}),
    )
    body = forms.CharField(
        required=False,
        max_length=MAX_BODY,
        strip=False,
        label="HTML body",
        widget=forms.Textarea(attrs={"rows": 16, "data-tokens": "1", **_CODE}),
        help_text="Scripts, event handlers and non-https images are removed when you save.",
    )
    text_body = forms.CharField(
        required=False,
        max_length=MAX_TEXT,
        strip=False,
        label="Plain-text part",
        widget=forms.Textarea(attrs={"rows": 6, "data-tokens": "1", **_CODE}),
        help_text="Leave blank to make it from the HTML. SMS templates have only this part.",
    )

    def __init__(self, *args: Any, template: Template | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if template is not None:
            del self.fields["kind"]  # a template keeps its kind

    def to_data(self) -> dict[str, Any]:
        return dict(self.cleaned_data)

    @staticmethod
    def initial_from(template: Template) -> dict[str, Any]:
        return {
            "name": template.name,
            "subject": template.subject,
            "body": template.body,
            "text_body": template.text_body,
        }


class PreviewForm(forms.Form):
    """Whom the preview is for. Choices are filled by the view from what the member sees."""

    candidate = forms.TypedChoiceField(
        coerce=int, required=False, empty_value=None, label="Preview for"
    )
    job = forms.TypedChoiceField(coerce=int, required=False, empty_value=None, label="Job")
    marketing = forms.BooleanField(required=False, label="As a marketing send (unsubscribe footer)")

    def __init__(
        self,
        *args: Any,
        candidates: list[tuple[int, str]],
        jobs: list[tuple[int, str]],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        candidate_field, job_field = self.fields["candidate"], self.fields["job"]
        assert isinstance(candidate_field, forms.TypedChoiceField)
        assert isinstance(job_field, forms.TypedChoiceField)
        candidate_field.choices = [("", "A made-up person"), *candidates]
        job_field.choices = [("", "No job"), *jobs]


class SnippetForm(ServiceErrorsMixin):
    name = forms.CharField(
        max_length=60,
        help_text="Lower-case letters, digits, - and _; templates include it as "
        '{% snippet "name" %}.',
    )
    body = forms.CharField(
        max_length=MAX_SNIPPET,
        strip=False,
        widget=forms.Textarea(attrs={"rows": 10, "data-tokens": "1", **_CODE}),
        help_text="HTML with tokens; a snippet cannot include another snippet.",
    )

    def to_data(self) -> dict[str, Any]:
        return dict(self.cleaned_data)
