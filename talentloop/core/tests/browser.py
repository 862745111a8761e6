"""Fixtures for the real-browser tests: sync Playwright driving Debian's Chromium.

Never `playwright install`: CI and developers `apt-get install chromium`. Without it the browser
tests skip with a message. Each test module gets its own Playwright (module scope), so the event
loop Playwright runs, and the DJANGO_ALLOW_ASYNC_UNSAFE it needs, end with the module.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.test import Client

from talentloop.accounts.models import User

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
TIMEOUT_MS = 15_000


@pytest.fixture(scope="module")
def playwright_session() -> Iterator[Any]:
    """The running sync Playwright, or a skip when Chromium or Playwright is missing."""
    if not CHROMIUM.exists():
        pytest.skip(f"browser tests need Debian's Chromium at {CHROMIUM}: apt-get install chromium")
    sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is not installed")
    # Playwright's sync API keeps an asyncio loop on this thread; Django then refuses ORM calls
    # from it (SynchronousOnlyOperation) unless told that this is safe, which it is here.
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        with sync_api.sync_playwright() as playwright:
            yield playwright
    finally:
        if previous is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@pytest.fixture(scope="module")
def chromium(playwright_session: Any) -> Iterator[Any]:
    browser = playwright_session.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
    yield browser
    browser.close()


def phone_options(playwright_session: Any, name: str = "iPhone 13") -> dict[str, Any]:
    """A Playwright device's context options, minus the engine it names (we run Chromium)."""
    device = dict(playwright_session.devices[name])
    device.pop("default_browser_type", None)
    return device


@pytest.fixture
def page(chromium: Any, live_server: Any, transactional_db: None) -> Iterator[Any]:
    """A fresh desktop page (1280 by 900) on the live server."""
    context = chromium.new_context(
        viewport={"width": 1280, "height": 900}, base_url=live_server.url
    )
    context.set_default_timeout(TIMEOUT_MS)
    yield context.new_page()
    context.close()


@pytest.fixture
def phone_page(
    chromium: Any, playwright_session: Any, live_server: Any, transactional_db: None
) -> Iterator[Any]:
    """A fresh page the size and kind of an iPhone 13 on the live server."""
    context = chromium.new_context(**phone_options(playwright_session), base_url=live_server.url)
    context.set_default_timeout(TIMEOUT_MS)
    yield context.new_page()
    context.close()


@pytest.fixture
def sign_in(live_server: Any) -> Callable[[Any, User], None]:
    """Give a page the session cookie of `user`, as if they had signed in."""

    def add_session(page: Any, user: User) -> None:
        client = Client()
        client.force_login(user)
        cookie = client.cookies[settings.SESSION_COOKIE_NAME]
        page.context.add_cookies(
            [{"name": settings.SESSION_COOKIE_NAME, "value": cookie.value, "url": live_server.url}]
        )

    return add_session


def horizontal_overflow(page: Any) -> tuple[int, int]:
    """(document width, viewport width): the first is larger when the page scrolls sideways."""
    width, viewport = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
    return int(width), int(viewport)
