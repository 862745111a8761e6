"""The pools pages' scripts in real Chromium: the segment builder and search as you type."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from talentloop.accounts.models import User
from talentloop.candidates.models import Candidate
from talentloop.core.tests.browser import horizontal_overflow
from talentloop.pools.models import Pool, PoolMembership


def test_builder_writes_the_rules_json(
    page: Any,
    sign_in: Callable[[Any, User], None],
    alice: User,
    candidate_factory: Callable[..., Candidate],
) -> None:
    candidate_factory(first_name="Berta", city="Berlin")
    candidate_factory(first_name="Pia", city="Paris", tags=["python"])
    sign_in(page, alice)
    page.goto("/pools/segments/new")

    builder = page.locator("#rule-builder")
    builder.locator("[data-rule] input[aria-label=Value]").first.fill("Berlin")
    builder.get_by_role("button", name="Add rule").click()
    second = builder.locator("[data-rule]").nth(1)
    second.get_by_label("Field").select_option("tag")
    second.get_by_label("Operator").select_option("has")
    second.get_by_label("Value").fill("python")
    builder.get_by_label("Match").select_option("any")

    assert json.loads(page.locator("#id_rules").input_value()) == {
        "any": [
            {"field": "city", "op": "eq", "value": "Berlin"},
            {"field": "tag", "op": "has", "value": "python"},
        ]
    }
    page.fill("#id_name", "Berlin or Python")
    page.get_by_role("button", name="Preview").click()
    assert page.locator("#preview-title").inner_text() == "2 candidates match"
    assert horizontal_overflow(page)[0] <= horizontal_overflow(page)[1]


def test_check_in_finds_people_as_you_type(
    page: Any,
    sign_in: Callable[[Any, User], None],
    alice: User,
    candidate: Candidate,
    event_pool: Pool,
) -> None:
    sign_in(page, alice)
    page.goto(f"/pools/{event_pool.pk}/check-in/")

    page.locator("#find").press_sequentially("grac")
    results = page.locator("#find-results")
    results.get_by_text("Grace Hopper").wait_for()
    results.get_by_role("button", name="Check in").click()

    page.get_by_text("Checked in Grace Hopper.").wait_for()
    assert PoolMembership.objects.get(pool=event_pool).checked_in_at is not None
