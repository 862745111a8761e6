"""`{% form_field form.name %}`: one form field in the shared markup (includes/field.html).

A form class that sets `same_unbound_html = True` promises that its unbound fields render the same
for every request (no per-request choices or initial values); those render once per process and
language, and come from memory after that. The profile page shows three such forms on every view,
and their twelve fields took a quarter of its render time.
"""

from __future__ import annotations

from django import forms, template
from django.template.loader import render_to_string
from django.utils.safestring import SafeString
from django.utils.translation import get_language

register = template.Library()

_unbound: dict[tuple[type[forms.BaseForm], str | None, str, str | None], SafeString] = {}


def _render(field: forms.BoundField) -> SafeString:
    return render_to_string("includes/field.html", {"field": field})


@register.simple_tag
def form_field(field: forms.BoundField) -> SafeString:
    form = field.form
    if form.is_bound or form.initial or not getattr(form, "same_unbound_html", False):
        return _render(field)
    key = (type(form), form.prefix, field.name, get_language())
    html = _unbound.get(key)
    if html is None:
        html = _unbound[key] = _render(field)
    return html
