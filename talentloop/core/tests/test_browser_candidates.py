"""A recruiter's day in a real browser: sign in, search, open a profile, add notes and people."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest

from talentloop.accounts.models import User
from talentloop.candidates.models import Candidate, Note
from talentloop.core.tests.fixtures import PASSWORD

pytestmark = pytest.mark.browser


def test_sign_in_search_open_a_profile_and_add_a_note(
    page: Any, alice: User, candidate: Candidate, candidate_factory: Callable[..., Candidate]
) -> None:
    candidate_factory(first_name="Ada", last_name="Lovelace", emails=["ada@analytical.test"])

    page.goto("/")
    assert page.url.endswith("/accounts/login/?next=/")
    page.get_by_label("E-mail").fill("alice@acme.test")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(re.compile(r"/$"))
    assert page.get_by_role("heading", level=1).inner_text() == "Hello, Alice Admin"

    page.get_by_role("searchbox", name="Search candidates").fill("hop")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/candidates/\?q=hop$"))
    rows = page.locator("table.list tbody tr")
    assert rows.count() == 1
    rows.get_by_role("link", name="Grace Hopper").click()

    page.wait_for_url(re.compile(rf"/candidates/{candidate.pk}/$"))
    assert page.get_by_role("heading", level=1).inner_text() == "Grace Hopper"
    page.get_by_label("Note", exact=True).fill("Keen on compilers. Call again in spring.")
    page.get_by_role("button", name="Add note").click()

    page.wait_for_url(re.compile(rf"/candidates/{candidate.pk}/$"))
    assert page.get_by_role("status").inner_text() == "Note added."
    newest = page.locator("ol.timeline > li").first
    assert newest.locator(".body").inner_text() == "Keen on compilers. Call again in spring."
    assert newest.locator(".meta").inner_text().startswith("Note · ")
    assert list(Note.objects.values_list("body", "author__email")) == [
        ("Keen on compilers. Call again in spring.", "alice@acme.test")
    ]


def test_bad_e_mail_shows_the_error_on_its_field(
    page: Any, alice: User, sign_in: Callable[[Any, User], None]
) -> None:
    sign_in(page, alice)
    page.goto("/candidates/new")

    page.get_by_label("First name").fill("Katherine")
    page.get_by_label("E-mails").fill("katherine-at-nasa")
    page.get_by_role("button", name="Add candidate").click()

    field = page.locator(".field.has-error")
    assert field.count() == 1
    assert field.get_by_role("textbox").get_attribute("name") == "emails"
    assert field.locator(".errorlist").inner_text() == (
        "'katherine-at-nasa' is not a valid e-mail address."
    )
    assert page.get_by_label("First name").input_value() == "Katherine"
    assert page.url.endswith("/candidates/new")
    assert Candidate.objects.exists() is False


def test_private_note_stays_private_across_browsers(
    page: Any,
    chromium: Any,
    live_server: Any,
    alice: User,
    bob: User,
    candidate: Candidate,
    sign_in: Callable[[Any, User], None],
) -> None:
    sign_in(page, alice)
    page.goto(f"/candidates/{candidate.pk}/")
    page.get_by_label("Note", exact=True).fill("Salary expectation: 180k")
    page.get_by_label("Visibility").select_option("private")
    page.get_by_role("button", name="Add note").click()
    page.wait_for_selector("text=Note added.")

    bob_context = chromium.new_context(base_url=live_server.url)
    try:
        bob_page = bob_context.new_page()
        sign_in(bob_page, bob)
        bob_page.goto(f"/candidates/{candidate.pk}/")
        timeline = bob_page.locator("ol.timeline").inner_text()
    finally:
        bob_context.close()

    assert "Salary expectation: 180k" in page.locator("ol.timeline").inner_text()
    assert "Salary expectation" not in timeline


def test_next_page_link_walks_the_list(
    page: Any,
    alice: User,
    candidate_factory: Callable[..., Candidate],
    sign_in: Callable[[Any, User], None],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from talentloop.candidates import views

    monkeypatch.setattr(views, "PAGE_SIZE", 2)
    for name in ("Ada", "Bea", "Cy", "Di", "Ed"):
        candidate_factory(first_name=name, last_name="Walker")
    sign_in(page, alice)
    page.goto("/candidates/?sort=last_name")

    names: list[str] = []
    while True:
        names += page.locator("table.list tbody tr td:first-child strong").all_inner_texts()
        next_link = page.get_by_role("link", name="Next page »")
        if next_link.count() == 0:
            break
        next_link.click()
        page.wait_for_load_state()

    assert names == ["Ada Walker", "Bea Walker", "Cy Walker", "Di Walker", "Ed Walker"]
