"""The sequence builder's script in real Chromium: add, reorder and remove steps in place, and
each step shows only the fields its channel uses."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from talentloop.accounts.models import User
from talentloop.core.tests.browser import horizontal_overflow
from talentloop.outreach.models import Sequence, Template

pytestmark = pytest.mark.urls("talentloop.outreach.tests.urls_outreach_test")


def test_builds_a_sequence_with_the_script(
    page: Any,
    sign_in: Callable[[Any, User], None],
    alice: User,
    email_template: Template,
) -> None:
    sign_in(page, alice)
    page.goto("/outreach/sequences/new")
    page.fill("#id_name", "Scripted")
    steps = page.locator("[data-rows=step] > [data-row]")
    steps.nth(0).get_by_label("Template").select_option(str(email_template.pk))

    page.get_by_role("button", name="Add a step").click()
    second = steps.nth(1)
    second.get_by_label("Channel").select_option("call_task")
    assert second.get_by_label("Template").is_hidden()
    second.get_by_label("Instructions").fill("Call about the role.")
    second.get_by_label("Wait (days)").fill("2")
    page.get_by_role("button", name="Add a step").click()
    steps.nth(2).get_by_label("Channel").select_option("linkedin_task")
    steps.nth(2).get_by_label("Instructions").fill("Connect on LinkedIn.")
    # The call goes first now, then the e-mail; the LinkedIn step is removed.
    second.get_by_role("button", name="Move up").click()
    steps.nth(2).get_by_role("button", name="Remove step").click()

    assert steps.count() == 2
    assert [steps.nth(i).locator("[data-number]").inner_text() for i in range(2)] == ["1", "2"]
    assert steps.nth(0).get_by_label("Channel").get_attribute("id") == "step-0-channel"
    assert horizontal_overflow(page)[0] <= horizontal_overflow(page)[1]
    page.get_by_role("button", name="Save sequence").click()
    page.wait_for_url("**/outreach/sequences/*/")

    sequence = Sequence.objects.get(name="Scripted")
    assert [
        (s.position, s.channel, s.delay_days, s.template_id, s.instructions)
        for s in sequence.steps.order_by("position")
    ] == [
        (0, "call_task", 2, None, "Call about the role."),
        (1, "email", 0, email_template.pk, ""),
    ]
