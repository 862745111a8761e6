"""The dry-run page in real Chromium: the audience form, the bars, and no sideways scrolling on
a phone."""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import Any

import pytest

from talentloop.accounts.models import User
from talentloop.candidates.models import Candidate
from talentloop.core.actor import Actor
from talentloop.core.tests.browser import horizontal_overflow
from talentloop.outreach.models import Purpose
from talentloop.outreach.tests.test_automation_support import (
    cast_of_blockers,
    email_step,
    make_sequence,
    make_template,
)
from talentloop.pools import services as pool_services

pytestmark = [
    pytest.mark.browser,
    pytest.mark.urls("talentloop.outreach.tests.urls_automation_test"),
]


@pytest.mark.parametrize("device", ["desktop", "phone"])
def test_a_dry_run_from_the_audience_form(
    request: pytest.FixtureRequest,
    sign_in: Callable[[Any, User], None],
    alice: User,
    alice_actor: Actor,
    bob_actor: Actor,
    candidate_factory: Callable[..., Candidate],
    device: str,
) -> None:
    page = request.getfixturevalue("page" if device == "desktop" else "phone_page")
    cast_of_blockers(alice_actor, bob_actor, candidate_factory)
    pool_services.create_segment(
        actor=alice_actor,
        data={
            "name": "Tests",
            "rules": {"all": [{"field": "last_name", "op": "eq", "value": "Test"}]},
        },
    )
    sequence = make_sequence(
        alice_actor,
        [
            email_step(make_template(alice_actor)),
            email_step(make_template(alice_actor, "Again"), 2),
        ],
        purpose=Purpose.MARKETING,
    )
    sign_in(page, alice)
    page.goto(f"/outreach/automations/sequences/{sequence.pk}/dry-run")

    page.get_by_label("A segment").check()
    page.get_by_label("Segment", exact=True).select_option(label="Tests")
    page.get_by_role("button", name="Dry-run").click()

    page.get_by_role("heading", name="Segment “Tests”: 9 people").wait_for()
    assert page.locator(".bars [role=listitem]").all_inner_texts() == [
        "Gets every message",
        "Do not contact",
        "No consent",
        "Consent withdrawn",
        "No address",
        "Suppressed address",
        "Bounced e-mail",
        "Frequency cap",
        "Recent teammate contact",
    ]
    assert page.get_by_role("link", name="Ok Test").is_visible()
    width, viewport = horizontal_overflow(page)
    assert width <= viewport
    if os.environ.get("TALENTLOOP_SCREENSHOTS"):
        page.screenshot(
            path=f"{os.environ['TALENTLOOP_SCREENSHOTS']}/dry-run-{device}.png", full_page=True
        )


def test_importing_a_pasted_document_leads_to_its_dry_run(
    page: Any, sign_in: Callable[[Any, User], None], alice: User, alice_actor: Actor
) -> None:
    from talentloop.outreach.automation import document_json, export_sequence

    sequence = make_sequence(alice_actor, [email_step(make_template(alice_actor))])
    document = document_json(export_sequence(actor=alice_actor, sequence=sequence))
    sign_in(page, alice)
    page.goto("/outreach/automations/import")

    page.get_by_label("…or paste the document").fill(document)
    page.get_by_label("Update the sequence or campaign").check()
    page.get_by_role("button", name="Import").click()

    page.get_by_role("heading", name="Dry-run: Backend outreach").wait_for()
    assert page.get_by_role("status").inner_text() == (
        "Updated the sequence “Backend outreach”. Templates: 1 reused."
    )
    if os.environ.get("TALENTLOOP_SCREENSHOTS"):
        page.goto("/outreach/automations/import")
        page.screenshot(path=f"{os.environ['TALENTLOOP_SCREENSHOTS']}/import.png", full_page=True)
