"""How the API authenticates: the session (with CSRF on unsafe methods) or a Bearer key.

These clients enforce CSRF as browsers and real HTTP clients meet it; the shared alice_client
fixture does not.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from talentloop.accounts.models import User
from talentloop.accounts.services import create_api_key, revoke_api_key
from talentloop.candidates.models import Candidate
from talentloop.core.actor import Actor
from talentloop.core.tests.api_helpers import (
    API,
    UNAUTHENTICATED,
    assert_refused,
    bearer,
    call,
    error,
)

CSRF_FAILED = error("csrf_failed", "Send the CSRF token in the X-CSRFToken header.")
WRITES = [
    ("post", "/candidates", {"first_name": "Ada"}, 201),
    ("patch", "/candidates/{id}", {"headline": "Pioneer"}, 200),
    ("delete", "/candidates/{id}", None, 204),
]


@pytest.fixture
def browser(alice: User) -> Client:
    """Alice's signed-in session, with CSRF checked as in a real browser."""
    client = Client(enforce_csrf_checks=True)
    client.force_login(alice)
    return client


def _csrf_token(client: Client) -> str:
    """The token a page gives the browser (the API docs page sets the cookie)."""
    assert client.get(f"{API}/docs").status_code == 200
    token: str = client.cookies["csrftoken"].value
    return token


def test_a_session_reads_without_a_csrf_token(browser: Client, candidate: Candidate) -> None:
    response = browser.get(f"{API}/candidates/{candidate.pk}")

    assert response.status_code == 200


@pytest.mark.parametrize(("method", "path", "data", "status"), WRITES)
def test_a_session_write_without_the_csrf_token_is_refused(
    browser: Client, candidate: Candidate, method: str, path: str, data: Any, status: int
) -> None:
    _csrf_token(browser)  # the cookie alone is not enough: the header must repeat it
    assert_refused(
        browser, method, path.format(id=candidate.pk), data, status=403, body=CSRF_FAILED
    )


@pytest.mark.parametrize(("method", "path", "data", "status"), WRITES)
def test_a_session_write_with_the_csrf_token_succeeds(
    browser: Client, candidate: Candidate, method: str, path: str, data: Any, status: int
) -> None:
    token = _csrf_token(browser)

    response = call(
        browser, method, path.format(id=candidate.pk), data, headers={"X-CSRFToken": token}
    )

    assert response.status_code == status


def test_a_wrong_csrf_token_is_refused(browser: Client, candidate: Candidate) -> None:
    _csrf_token(browser)
    assert_refused(
        browser,
        "post",
        "/candidates",
        {"first_name": "Ada"},
        headers={"X-CSRFToken": "x" * 32},
        status=403,
        body=CSRF_FAILED,
    )


@pytest.mark.parametrize(("method", "path", "data", "status"), WRITES)
def test_no_credentials_is_401_not_a_csrf_failure(
    candidate: Candidate, method: str, path: str, data: Any, status: int
) -> None:
    # Was 403 csrf_failed: the session check asked for a CSRF token before finding no session.
    assert_refused(
        Client(enforce_csrf_checks=True),
        method,
        path.format(id=candidate.pk),
        data,
        status=401,
        body=UNAUTHENTICATED,
    )


@pytest.mark.parametrize(("method", "path", "data", "status"), WRITES)
def test_a_revoked_key_is_401_not_a_csrf_failure(
    candidate: Candidate, alice_actor: Actor, method: str, path: str, data: Any, status: int
) -> None:
    key, secret = create_api_key(actor=alice_actor, name="Old", scope="write")
    revoke_api_key(actor=alice_actor, key=key)
    assert_refused(
        Client(enforce_csrf_checks=True),
        method,
        path.format(id=candidate.pk),
        data,
        headers=bearer(secret),
        status=401,
        body=UNAUTHENTICATED,
    )


@pytest.mark.parametrize(("method", "path", "data", "status"), WRITES)
def test_a_write_key_needs_no_csrf_token(
    candidate: Candidate, api_key_factory: Any, method: str, path: str, data: Any, status: int
) -> None:
    response = call(
        Client(enforce_csrf_checks=True),
        method,
        path.format(id=candidate.pk),
        data,
        headers=bearer(api_key_factory("write")),
    )

    assert response.status_code == status


def test_an_inactive_user_session_is_not_authenticated(
    browser: Client, alice: User, candidate: Candidate
) -> None:
    alice.is_active = False
    alice.save()

    response = browser.get(f"{API}/candidates")

    assert response.status_code == 401
    assert response.json() == UNAUTHENTICATED


def test_a_signed_out_session_is_not_authenticated(browser: Client, candidate: Candidate) -> None:
    browser.logout()

    response = browser.get(f"{API}/candidates")

    assert response.status_code == 401
    assert response.json() == UNAUTHENTICATED
