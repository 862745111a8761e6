"""Forms parse what a browser sends; the services validate it, so UI and API agree."""

from __future__ import annotations

from typing import Any

from django import forms

from talentloop.candidates.models import Source
from talentloop.imports.forms import split_tags

# What the file picker offers; the server judges a file by its content, never its name.
ACCEPT = ".pdf,.docx,.doc,.rtf,.odt,.html,.htm,.txt,.zip"


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": ACCEPT}))
        super().__init__(*args, **kwargs)

    def clean(self, data: Any, initial: Any = None) -> Any:
        if not data and self.required:
            raise forms.ValidationError(self.error_messages["required"], code="required")
        if isinstance(data, (list, tuple)):
            return [super(MultipleFileField, self).clean(item, initial) for item in data]
        return [super().clean(data, initial)]


class UploadForm(forms.Form):
    resume_files = MultipleFileField(
        label="Resumes",
        help_text="PDF, DOCX, DOC, RTF, ODT, HTML or TXT files, or zips of them",
    )
    tags = forms.CharField(
        required=False, max_length=2000, help_text="Comma-separated; added to every candidate"
    )
    source = forms.ChoiceField(choices=Source.choices, initial=Source.SOURCED)

    def tag_list(self) -> list[str]:
        return split_tags(self.cleaned_data["tags"])


class SkillForm(forms.Form):
    name = forms.CharField(max_length=100)
    aliases = forms.CharField(
        required=False, max_length=2000, help_text="Comma-separated other spellings"
    )
    category = forms.CharField(required=False, max_length=40)

    def alias_list(self) -> list[str]:
        return split_tags(self.cleaned_data["aliases"])
