"""The session store and user backend behave like Django's own, loaded by hand-written queries."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.sessions.models import Session
from django.test import Client

from talentloop.accounts.backends import SessionStore, UserBackend
from talentloop.accounts.models import User
from talentloop.core.tests.fixtures import PASSWORD


def test_a_signed_in_member_stays_signed_in(client: Client, alice: User) -> None:
    assert client.login(email=alice.email, password=PASSWORD)

    assert client.get("/").status_code == 200
    assert client.session["_auth_user_backend"] == "talentloop.accounts.backends.UserBackend"


def test_an_expired_session_signs_out(client: Client, alice: User) -> None:
    assert client.login(email=alice.email, password=PASSWORD)
    Session.objects.update(expire_date=dt.datetime(2020, 1, 1, tzinfo=dt.UTC))

    response = client.get("/")

    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


@pytest.mark.django_db
def test_an_unknown_or_malformed_session_key_is_an_empty_session() -> None:
    for key in ["no-such-session-key-1234567890", "x" * 40]:
        store = SessionStore(session_key=key)
        assert dict(store.items()) == {}
        assert store.session_key is None


def test_the_store_reads_back_what_it_saved(alice: User) -> None:
    store = SessionStore()
    store["workspace_id"] = 7
    store.create()

    again = SessionStore(session_key=store.session_key)

    assert again["workspace_id"] == 7


def test_get_user_loads_the_user_and_refuses_inactive_and_unknown(alice: User) -> None:
    backend = UserBackend()

    loaded = backend.get_user(alice.pk)
    assert isinstance(loaded, User)
    assert (loaded.pk, loaded.email, loaded.password) == (alice.pk, alice.email, alice.password)
    assert loaded.last_login == User.objects.get(pk=alice.pk).last_login

    User.objects.filter(pk=alice.pk).update(is_active=False)
    assert backend.get_user(alice.pk) is None
    assert backend.get_user(987654) is None
    assert backend.get_user("not-an-id") is None
