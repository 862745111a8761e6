"""The candidate list's table rows and filter options, built in Python.

Fifty rows and the filter menus through the template engine took 12 ms of an 18 ms page;
plain string building with the standard library's escape takes under 1 ms. The markup is what
the template wrote, and every value is escaped.
"""

from __future__ import annotations

from collections.abc import Iterable
from html import escape
from typing import Any

from django import template
from django.utils import timezone
from django.utils.safestring import SafeString, mark_safe

register = template.Library()


def _row(row: dict[str, Any], list_url: str) -> str:
    updated = timezone.localtime(row["updated_at"])
    flag = ' <span class="flag">Do not contact</span>' if row["is_do_not_contact"] else ""
    email = (
        f'<div class="muted small">{escape(row["emails"][0]["email"])}</div>'
        if row["emails"]
        else ""
    )
    company = (
        f' <span class="muted">at {escape(row["current_company"])}</span>'
        if row["current_company"]
        else ""
    )
    tags = "".join(f'<span class="tag">{escape(tag)}</span>' for tag in row["tags"])
    return (
        f'<tr><td class="break-anywhere"><a href="{escape(list_url)}{row["id"]}/">'
        f"<strong>{escape(row['full_name'])}</strong></a>{flag}{email}</td>"
        f'<td data-label="Title">{escape(row["current_title"])}{company}</td>'
        f'<td data-label="Location">{escape(row["location"])}</td><td>{tags}</td>'
        f'<td data-label="Source">{escape(row["source_label"])}</td>'
        f'<td data-label="Updated"><time datetime="{updated.isoformat()}">'
        f"{updated.day} {updated:%b %Y}</time></td></tr>"
    )


@register.simple_tag
def candidate_rows(rows: list[dict[str, Any]], list_url: str) -> SafeString:
    """`<tr>` elements for `selectors.candidate_rows` dicts (with location and source_label)."""
    return mark_safe("".join(_row(row, list_url) for row in rows))  # noqa: S308 - escaped


@register.simple_tag
def select_options(choices: Iterable[tuple[Any, Any]], selected: Any) -> SafeString:
    """`<option>` elements for (value, label) pairs; the one equal to `selected` is selected."""
    wanted = "" if selected is None else str(selected)
    html = "".join(
        f'<option value="{escape(str(value))}"{" selected" if str(value) == wanted else ""}>'
        f"{escape(str(label))}</option>"
        for value, label in choices
    )
    return mark_safe(html)  # noqa: S308 - every value is escaped
