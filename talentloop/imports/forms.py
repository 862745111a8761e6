"""Forms parse what a browser sends for an import; the services validate it, so UI and API agree."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from django import forms

from talentloop.candidates.models import Source
from talentloop.imports.mapping import CUSTOM_PREFIX, TARGETS

# What the file picker offers; the server judges a file by its content, never its name.
ACCEPT = ".csv,.tsv,.txt,.xlsx,.xlsm,.json,.jsonl,.ndjson"


def split_tags(value: str) -> list[str]:
    return [tag.strip() for tag in value.split(",") if tag.strip()]


def form_field_name(field: str | None, names: Sequence[str]) -> str | None:
    """The form field a service error's `field` ("tags[2]", "file") names, or None."""
    name = (field or "").split("[")[0]
    return name if name in names else None


class UploadForm(forms.Form):
    file = forms.FileField(
        widget=forms.FileInput(attrs={"accept": ACCEPT}),
        help_text="CSV, Excel (XLSX), JSON or JSON Lines",
    )
    tags = forms.CharField(
        required=False, max_length=2000, help_text="Comma-separated; added to every candidate"
    )
    source = forms.ChoiceField(choices=Source.choices, initial=Source.IMPORT)

    def tag_list(self) -> list[str]:
        return split_tags(self.cleaned_data["tags"])


class MappingForm(forms.Form):
    """One select per column of the file (fields `column_0`, `column_1`, … in header order),
    the batch's tags and a name to save the mapping under."""

    tags = forms.CharField(
        required=False, max_length=2000, help_text="Comma-separated; added to every candidate"
    )
    save_as = forms.CharField(
        label="Save this mapping as",
        required=False,
        max_length=100,
        help_text="Optional: offer it again for the next file",
    )

    def __init__(
        self,
        *args: Any,
        headers: Sequence[str],
        custom_field_keys: Sequence[str],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.headers = list(headers)
        choices = list(TARGETS.items()) + [
            (f"{CUSTOM_PREFIX}{key}", f"Custom field: {key}") for key in custom_field_keys
        ]
        for index, header in enumerate(self.headers):
            self.fields[self.column_field(index)] = forms.ChoiceField(
                label=header, choices=choices, required=False
            )
        self.target_labels = dict(choices)

    @staticmethod
    def column_field(index: int) -> str:
        return f"column_{index}"

    @classmethod
    def initial_for(
        cls, headers: Sequence[str], column_mapping: Mapping[str, str], tags: Sequence[str]
    ) -> dict[str, str]:
        initial = {
            cls.column_field(index): column_mapping.get(header, "")
            for index, header in enumerate(headers)
        }
        return {**initial, "tags": ", ".join(tags)}

    def columns(self) -> list[tuple[str, forms.BoundField]]:
        """(header, its select) for each column, in the file's order."""
        return [
            (header, self[self.column_field(index)]) for index, header in enumerate(self.headers)
        ]

    def column_mapping(self) -> dict[str, str]:
        return {
            header: self.cleaned_data[self.column_field(index)]
            for index, header in enumerate(self.headers)
        }

    def tag_list(self) -> list[str]:
        return split_tags(self.cleaned_data["tags"])

    def add_service_error(self, field: str | None, message: str) -> None:
        """Show a service's InvalidInput on the select of the column it names ("mapping.<h>")."""
        header = (field or "").removeprefix("mapping.")
        if field and field.startswith("mapping.") and header in self.headers:
            self.add_error(self.column_field(self.headers.index(header)), message)
        elif field == "name":
            self.add_error("save_as", message)
        else:
            self.add_error(form_field_name(field, list(self.fields)), message)
