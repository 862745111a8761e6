"""The evidence of a duplicate suggestion, drawn: one meter per field, for or against."""

from __future__ import annotations

from django import template

from talentloop.duplicates.matching import MAX_BITS

register = template.Library()


@register.filter
def magnitude(bits: float) -> float:
    """How strong a field's evidence is, 0 to MAX_BITS, whichever way it points."""
    try:
        return round(min(abs(float(bits)), MAX_BITS), 1)
    except (TypeError, ValueError):
        return 0.0


@register.simple_tag
def max_bits() -> float:
    return MAX_BITS
