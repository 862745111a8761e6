"""`{% form_field %}` reuses unbound fields' HTML only where a form promises it never varies."""

from __future__ import annotations

from django import forms
from django.template import Context, Template

from talentloop.candidates.forms import NoteForm

TEMPLATE = Template("{% load form_fields %}{% form_field form.body %}")


def _render(form: forms.Form) -> str:
    return TEMPLATE.render(Context({"form": form}))


def test_an_unbound_field_renders_like_the_include_every_time() -> None:
    first = _render(NoteForm())

    assert '<label for="id_body">Note</label>' in first
    assert "<textarea" in first
    assert _render(NoteForm()) == first


def test_a_bound_form_shows_its_value_and_errors_not_the_cached_html() -> None:
    _render(NoteForm())  # fills the cache

    html = _render(NoteForm({"body": "x" * 10_001, "visibility": "team"}))

    assert "has-error" in html
    assert "x" * 10_001 in html


def test_a_form_with_initial_values_is_never_cached() -> None:
    _render(NoteForm())

    html = _render(NoteForm(initial={"body": "Follow up in May"}))

    assert "Follow up in May" in html


def test_forms_that_do_not_promise_are_rendered_each_time() -> None:
    class Varying(forms.Form):
        body = forms.CharField()

        def __init__(self, label: str) -> None:
            super().__init__()
            self.fields["body"].label = label

    assert ">First<" in _render(Varying("First"))
    assert ">Second<" in _render(Varying("Second"))
