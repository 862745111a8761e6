"""The template editor's script in real Chromium: the token menu and the live preview."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from talentloop.accounts.models import User
from talentloop.candidates.models import Candidate
from talentloop.core.tests.browser import horizontal_overflow
from talentloop.outreach.models import Template
from talentloop.outreach.tests.template_fixtures import *  # noqa: F403 - fixtures
from talentloop.outreach.tests.template_fixtures import TEST_URLS

pytestmark = pytest.mark.urls(TEST_URLS)


def test_tokens_insert_at_the_cursor_and_the_preview_follows(
    page: Any,
    sign_in: Callable[[Any, User], None],
    alice: User,
    candidate: Candidate,
    saved_snippet_factory: Callable[..., Any],
) -> None:
    saved_snippet_factory(body="<p>Cheers, {{ sender.first_name }}</p>")
    sign_in(page, alice)
    page.goto("/outreach/templates/new")

    page.fill("#id_name", "First touch")
    page.fill("#id_subject", "A role for ")
    page.locator("#id_subject").press("End")
    page.locator("#token-menu").get_by_role(
        "button", name='{{ candidate.first_name|default:"there" }}'
    ).click()
    page.fill("#id_body", "<p>Hello from the team</p>\n")
    page.locator("#id_body").press("Control+End")
    page.locator("#token-menu").get_by_role("button", name='{% snippet "signature" %}').click()
    page.get_by_label("Preview for").select_option(str(candidate.pk))

    subject = page.locator("#preview-subject")
    page.wait_for_function(
        "document.getElementById('preview-subject').textContent === 'A role for Grace'"
    )
    frame = page.frame_locator("#preview-html")
    frame.get_by_text("Cheers, Alice").wait_for()
    assert subject.inner_text() == "A role for Grace"
    assert page.locator("#preview-text").inner_text() == "Hello from the team\n\nCheers, Alice"
    assert page.locator("#id_subject").input_value() == (
        'A role for {{ candidate.first_name|default:"there" }}'
    )
    assert horizontal_overflow(page)[0] <= horizontal_overflow(page)[1]

    page.fill("#id_body", "<p>\n{{ candidate.nickname }}</p>")
    problem = page.locator("#preview-error")
    problem.wait_for(state="visible")
    assert problem.inner_text() == "Line 2: unknown token candidate.nickname"

    page.fill("#id_body", "<p>Hi {{ candidate.first_name }}</p>")
    page.get_by_role("button", name="Save template").click()
    page.wait_for_url("**/outreach/templates/*/")
    assert Template.objects.get().body == "<p>Hi {{ candidate.first_name }}</p>"
