"""Password reset: the e-mailed link lets the person choose a new password, once."""

from __future__ import annotations

import re
from http import HTTPStatus
from typing import Any

from django.test import Client

from talentloop.accounts.models import User
from talentloop.core.tests.fixtures import PASSWORD

RESET = "/accounts/password-reset/"
NEW_PASSWORD = "a-brand-new-passphrase"


def _link(message: Any) -> str:
    (url,) = re.findall(r"http://testserver(/accounts/reset/\S+/)", message.body)
    return str(url)


def test_shows_the_form(client: Client) -> None:
    response = client.get(RESET)

    assert response.status_code == HTTPStatus.OK
    assert 'name="email"' in response.content.decode()


def test_e_mails_a_link_to_the_account(client: Client, alice: User, mailoutbox: list[Any]) -> None:
    response = client.post(RESET, {"email": "alice@acme.test"})

    assert response.status_code == HTTPStatus.FOUND
    assert response["Location"] == "/accounts/password-reset/sent/"
    assert len(mailoutbox) == 1
    message = mailoutbox[0]
    assert message.to == ["alice@acme.test"]
    assert message.subject == "Reset your Talentloop password"
    assert _link(message).startswith("/accounts/reset/")


def test_the_link_sets_a_new_password(client: Client, alice: User, mailoutbox: list[Any]) -> None:
    client.post(RESET, {"email": "alice@acme.test"})

    opened = client.get(_link(mailoutbox[0]))
    form_url = opened["Location"]
    form_page = client.get(form_url)
    response = client.post(form_url, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})

    assert opened.status_code == HTTPStatus.FOUND
    assert form_url.endswith("/set-password/")
    assert form_page.status_code == HTTPStatus.OK
    assert form_page.context["validlink"] is True
    assert response.status_code == HTTPStatus.FOUND
    assert response["Location"] == "/accounts/reset/done/"
    alice.refresh_from_db()
    assert alice.check_password(NEW_PASSWORD) is True
    assert alice.check_password(PASSWORD) is False
    signed_in = Client()
    assert signed_in.login(username="alice@acme.test", password=NEW_PASSWORD) is True


def test_the_link_works_once(client: Client, alice: User, mailoutbox: list[Any]) -> None:
    client.post(RESET, {"email": "alice@acme.test"})
    link = _link(mailoutbox[0])
    form_url = client.get(link)["Location"]
    client.post(form_url, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})

    again = Client().get(link, follow=True)

    assert again.status_code == HTTPStatus.OK
    assert again.context["validlink"] is False
    assert "This link was used or has expired." in again.content.decode()


def test_mismatched_passwords_change_nothing(
    client: Client, alice: User, mailoutbox: list[Any]
) -> None:
    client.post(RESET, {"email": "alice@acme.test"})
    form_url = client.get(_link(mailoutbox[0]))["Location"]

    response = client.post(
        form_url, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD + "x"}
    )

    assert response.status_code == HTTPStatus.OK
    assert response.context["form"].errors == {
        "new_password2": ["The two password fields didn\u2019t match."]
    }
    alice.refresh_from_db()
    assert alice.check_password(PASSWORD) is True


def test_unknown_address_looks_the_same_but_sends_nothing(
    client: Client, alice: User, mailoutbox: list[Any]
) -> None:
    response = client.post(RESET, {"email": "nobody@acme.test"})

    assert response.status_code == HTTPStatus.FOUND
    assert response["Location"] == "/accounts/password-reset/sent/"
    assert mailoutbox == []


def test_address_case_does_not_matter(client: Client, alice: User, mailoutbox: list[Any]) -> None:
    client.post(RESET, {"email": "ALICE@acme.test"})

    assert [m.to for m in mailoutbox] == [["alice@acme.test"]]


def test_forged_token_is_refused(client: Client, alice: User, mailoutbox: list[Any]) -> None:
    client.post(RESET, {"email": "alice@acme.test"})
    uid = _link(mailoutbox[0]).split("/")[3]

    response = client.get(f"/accounts/reset/{uid}/forged-token/")

    assert response.status_code == HTTPStatus.OK
    assert response.context["validlink"] is False
