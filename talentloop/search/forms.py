"""The search page's form: what the browser sends, checked by the same parser as the API."""

from __future__ import annotations

from typing import Any

from django import forms

from talentloop.candidates.models import Seniority, Source
from talentloop.core.actor import Actor
from talentloop.core.errors import InvalidInput
from talentloop.pools.models import PoolStage
from talentloop.pools.selectors import visible_pools
from talentloop.search import selectors
from talentloop.search.selectors import QueryInvalid, SearchFilters

CONSENT = [("", "Any"), ("contactable", "Contactable"), ("granted", "Consent granted")]


class SearchForm(forms.Form):
    q = forms.CharField(required=False, max_length=10_000, label="Search")
    skills = forms.CharField(required=False, max_length=1000, help_text="Comma-separated")
    location = forms.CharField(required=False, max_length=100, help_text="City, region, country")
    country = forms.CharField(required=False, max_length=2, help_text="Code, e.g. DE")
    near = forms.CharField(
        required=False, max_length=200, help_text="A city: Munich, Springfield, IL, London, CA"
    )
    radius_km = forms.CharField(
        required=False, max_length=10, label="Within km", help_text="Of that city (50 if blank)"
    )
    seniority = forms.MultipleChoiceField(
        choices=Seniority.choices, required=False, widget=forms.CheckboxSelectMultiple
    )
    years_min = forms.CharField(required=False, max_length=10, label="Years from")
    years_max = forms.CharField(required=False, max_length=10, label="Years to")
    source = forms.MultipleChoiceField(
        choices=Source.choices, required=False, widget=forms.CheckboxSelectMultiple
    )
    tags = forms.CharField(required=False, max_length=1000, help_text="All of, comma-separated")
    contacted_since = forms.DateField(required=False, label="Contacted since")
    not_contacted_since = forms.DateField(required=False, label="Not contacted since")
    consent = forms.ChoiceField(choices=CONSENT, required=False)
    pool = forms.ChoiceField(required=False, choices=[("", "Any")])
    stage = forms.ChoiceField(required=False, choices=[("", "Any")])
    include_archived = forms.BooleanField(required=False, label="Include archived")

    position: int | None = None
    filters: SearchFilters = SearchFilters()

    def __init__(self, *args: Any, actor: Actor, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        pools = visible_pools(actor).order_by("name", "id").values_list("pk", "name")[:500]
        stages = PoolStage.objects.filter(workspace=actor.workspace).values_list("pk", "name")
        pool_field, stage_field = self.fields["pool"], self.fields["stage"]
        assert isinstance(pool_field, forms.ChoiceField)
        assert isinstance(stage_field, forms.ChoiceField)
        pool_field.choices = [("", "Any"), *((str(pk), name) for pk, name in pools)]
        stage_field.choices = [("", "Any"), *((str(pk), name) for pk, name in stages)]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if self.errors:
            return data
        try:
            selectors.parse_query(data.get("q") or "")
        except QueryInvalid as error:
            self.position = error.position
            self.add_error("q", f"{error.message} (at character {error.position + 1})")
        raw = {
            name: (value.isoformat() if hasattr(value, "isoformat") else value)
            for name, value in data.items()
            if name != "q" and value not in (None, "", [], False)
        }
        try:
            self.filters = selectors.parse_filters(raw)
        except InvalidInput as error:
            self.add_error(error.field if error.field in self.fields else None, error.message)
        return data

    @property
    def query_before_error(self) -> str:
        """The query up to the problem, to show where it is."""
        q = str(self.data.get("q", ""))
        return q[: self.position] if self.position is not None else ""

    @property
    def query_from_error(self) -> str:
        q = str(self.data.get("q", ""))
        return q[self.position :] if self.position is not None else ""


class SaveSearchForm(forms.Form):
    name = forms.CharField(max_length=100)
    alert = forms.BooleanField(required=False, initial=True, label="E-mail me new matches")
