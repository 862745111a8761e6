"""At phone width (iPhone 13, 390 px) no page scrolls sideways, even with long real-world data."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from django.utils import timezone

from talentloop.accounts.models import User
from talentloop.candidates.models import Candidate
from talentloop.candidates.services import add_note, log_touchpoint
from talentloop.compliance.services import record_consent
from talentloop.core.actor import Actor
from talentloop.core.tests.browser import horizontal_overflow

pytestmark = pytest.mark.browser


@pytest.fixture
def long_profile(
    candidate_factory: Callable[..., Candidate], alice_actor: Actor, bob: User
) -> Candidate:
    """A profile with the long words that break layouts: e-mails, URLs, names, tags."""
    person = candidate_factory(
        first_name="Maximiliana-Alexandrina",
        last_name="Wolfeschlegelsteinhausenbergerdorff",
        headline="Principal Site Reliability Engineer, Observability & Incident Response",
        emails=[
            "maximiliana.alexandrina.wolfeschlegelsteinhausenbergerdorff@extremely-long"
            "-company-domain-name.example"
        ],
        phones=[{"number": "+49 30 901820"}],
        links=[
            {
                "url": "https://www.linkedin.com/in/maximiliana-alexandrina-wolfeschlegel"
                "steinhausenbergerdorff-1234567890"
            },
            {"url": "https://github.com/maximilianaalexandrinawolfeschlegelstein"},
        ],
        current_title="Principal Site Reliability Engineer",
        current_company="Internationale Handelsgesellschaft für Softwareentwicklung mbH",
        city="Berlin",
        country="DE",
        timezone="Europe/Berlin",
        tags=[
            "kubernetes",
            "observability",
            "incident-response",
            "site-reliability-engineering",
            "relocation",
        ],
        owner_id=bob.pk,
    )
    add_note(
        actor=alice_actor,
        candidate=person,
        body="Looked at https://example.com/a/very/long/path/without/any/spaces/at/all/"
        "that/could/push/the/layout/sideways/on/a/small/phone/screen",
        remind_at=timezone.now() + dt.timedelta(days=2),
    )
    log_touchpoint(
        actor=alice_actor,
        candidate=person,
        type="call",
        summary="Intro call: discussed goals and timing",
    )
    record_consent(
        actor=alice_actor,
        candidate=person,
        channel="email",
        purpose="recruiting",
        status="granted",
        source="verbal",
        wording_version="2026-01-long-wording",
    )
    return person


def _assert_fits(page: Any) -> None:
    width, viewport = horizontal_overflow(page)
    assert viewport == 390
    assert width <= viewport, f"{page.url} is {width}px wide on a {viewport}px screen"


@pytest.mark.parametrize(
    "path",
    [
        "/",
        "/candidates/",
        "/candidates/?q=maximiliana",
        "PROFILE",
        "PROFILE_EDIT",
        "/candidates/new",
        "/accounts/team/",
        "/accounts/api-keys/",
        "/compliance/audit/",
    ],
)
def test_signed_in_pages_do_not_scroll_sideways(
    phone_page: Any,
    alice: User,
    long_profile: Candidate,
    candidate_factory: Callable[..., Candidate],
    sign_in: Callable[[Any, User], None],
    path: str,
) -> None:
    for i in range(3):
        candidate_factory(
            first_name=f"Person{i}", emails=[f"person{i}@example.test"], tags=["python", "django"]
        )
    path = path.replace("PROFILE_EDIT", f"/candidates/{long_profile.pk}/edit").replace(
        "PROFILE", f"/candidates/{long_profile.pk}/"
    )
    sign_in(phone_page, alice)

    response = phone_page.goto(path)

    assert response.status == 200
    _assert_fits(phone_page)


def test_candidate_list_and_profile_fit_and_work_by_tapping(
    phone_page: Any,
    alice: User,
    long_profile: Candidate,
    sign_in: Callable[[Any, User], None],
) -> None:
    sign_in(phone_page, alice)
    phone_page.goto("/candidates/")
    _assert_fits(phone_page)

    phone_page.get_by_role("link", name=long_profile.full_name).tap()
    phone_page.wait_for_url(f"**/candidates/{long_profile.pk}/")
    _assert_fits(phone_page)
    assert phone_page.get_by_role("heading", level=1).inner_text() == long_profile.full_name
    # Closed <details> forms open without widening the page.
    phone_page.get_by_text("Log a call or LinkedIn message").tap()
    phone_page.get_by_text("Record consent").tap()
    _assert_fits(phone_page)


@pytest.mark.parametrize(
    "path", ["/accounts/login/", "/accounts/password-reset/", "/accounts/invitations/nope/"]
)
def test_signed_out_pages_do_not_scroll_sideways(phone_page: Any, path: str) -> None:
    phone_page.goto(path)

    _assert_fits(phone_page)
