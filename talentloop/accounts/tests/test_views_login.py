"""Signing in with an e-mail and password, and signing out."""

from __future__ import annotations

from http import HTTPStatus

from django.test import Client

from talentloop.accounts.models import User
from talentloop.core.tests.fixtures import PASSWORD

LOGIN = "/accounts/login/"
LOGOUT = "/accounts/logout/"


def _signed_in_user_id(client: Client) -> str | None:
    return client.session.get("_auth_user_id")


def test_shows_the_sign_in_form(client: Client) -> None:
    response = client.get(LOGIN)

    assert response.status_code == HTTPStatus.OK
    html = response.content.decode()
    assert 'name="username"' in html
    assert 'type="email"' in html
    assert 'name="password"' in html


def test_signs_in_and_goes_home(client: Client, alice: User) -> None:
    response = client.post(LOGIN, {"username": "alice@acme.test", "password": PASSWORD})

    assert response.status_code == HTTPStatus.FOUND
    assert response["Location"] == "/"
    assert _signed_in_user_id(client) == str(alice.pk)


def test_e_mail_is_not_case_sensitive(client: Client, alice: User) -> None:
    response = client.post(LOGIN, {"username": "Alice@ACME.test", "password": PASSWORD})

    assert response.status_code == HTTPStatus.FOUND
    assert _signed_in_user_id(client) == str(alice.pk)


def test_returns_to_the_page_asked_for(client: Client, alice: User) -> None:
    response = client.post(
        LOGIN, {"username": "alice@acme.test", "password": PASSWORD, "next": "/candidates/"}
    )

    assert response["Location"] == "/candidates/"


def test_refuses_to_redirect_to_another_site(client: Client, alice: User) -> None:
    response = client.post(
        LOGIN,
        {"username": "alice@acme.test", "password": PASSWORD, "next": "https://evil.test/x"},
    )

    assert response.status_code == HTTPStatus.FOUND
    assert response["Location"] == "/"


def test_wrong_password_shows_an_error_and_signs_nobody_in(client: Client, alice: User) -> None:
    response = client.post(LOGIN, {"username": "alice@acme.test", "password": "wrong-password"})

    assert response.status_code == HTTPStatus.OK
    assert response.context["form"].non_field_errors() == [
        "Please enter a correct email and password. Note that both fields may be case-sensitive."
    ]
    assert _signed_in_user_id(client) is None


def test_inactive_user_cannot_sign_in(client: Client, alice: User) -> None:
    alice.is_active = False
    alice.save()

    response = client.post(LOGIN, {"username": "alice@acme.test", "password": PASSWORD})

    assert response.status_code == HTTPStatus.OK
    assert _signed_in_user_id(client) is None


def test_signed_in_user_skips_the_form(alice_client: Client) -> None:
    response = alice_client.get(LOGIN)

    assert response.status_code == HTTPStatus.FOUND
    assert response["Location"] == "/"


def test_sign_out_ends_the_session(alice_client: Client) -> None:
    response = alice_client.post(LOGOUT)

    assert response.status_code == HTTPStatus.FOUND
    assert response["Location"] == LOGIN
    assert _signed_in_user_id(alice_client) is None
    assert alice_client.get("/")["Location"] == "/accounts/login/?next=/"


def test_sign_out_needs_a_post(alice_client: Client, alice: User) -> None:
    response = alice_client.get(LOGOUT)

    assert response.status_code == HTTPStatus.METHOD_NOT_ALLOWED
    assert _signed_in_user_id(alice_client) == str(alice.pk)


def test_sign_out_needs_the_csrf_token(alice: User) -> None:
    client = Client(enforce_csrf_checks=True)
    client.force_login(alice)

    response = client.post(LOGOUT)

    assert response.status_code == HTTPStatus.FORBIDDEN
    assert _signed_in_user_id(client) == str(alice.pk)
