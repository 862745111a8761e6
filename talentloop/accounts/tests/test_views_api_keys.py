"""The API keys page: admins create keys (the secret is shown once), list and revoke them."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from http import HTTPStatus

from django.test import Client

from talentloop.accounts.models import ApiKey, User
from talentloop.compliance.models import AuditEvent
from talentloop.core.actor import Actor

KEYS = "/accounts/api-keys/"


def test_anonymous_is_sent_to_sign_in(client: Client) -> None:
    response = client.get(KEYS)

    assert response.status_code == HTTPStatus.FOUND
    assert response["Location"] == "/accounts/login/?next=/accounts/api-keys/"


def test_admin_creates_a_key_and_sees_the_secret_once(alice_client: Client, alice: User) -> None:
    response = alice_client.post(KEYS, {"name": "ATS sync", "scope": "write"})

    assert response.status_code == HTTPStatus.OK
    secret = response.context["new_secret"]
    assert secret.startswith("tl_")
    assert secret in response.content.decode()
    key = ApiKey.objects.get()
    assert (key.name, key.scope, key.prefix, key.created_by) == (
        "ATS sync",
        "write",
        secret[:10],
        alice,
    )
    assert key.key_hash == hashlib.sha256(secret.encode()).hexdigest()
    assert [k.name for k in response.context["keys"]] == ["ATS sync"]
    later = alice_client.get(KEYS)
    assert later.context["new_secret"] is None
    assert secret not in later.content.decode()
    assert f"{secret[:10]}…" in later.content.decode()
    assert AuditEvent.objects.filter(action="api_key.created", target_id=key.pk).count() == 1


def test_blank_name_is_a_field_error(alice_client: Client) -> None:
    response = alice_client.post(KEYS, {"name": "", "scope": "read"})

    assert response.status_code == HTTPStatus.UNPROCESSABLE_ENTITY
    assert response.context["form"].errors == {"name": ["This field is required."]}
    assert response.context["new_secret"] is None
    assert ApiKey.objects.exists() is False


def test_recruiter_cannot_see_the_page(
    bob_client: Client, api_key_factory: Callable[..., str]
) -> None:
    secret = api_key_factory("read")

    response = bob_client.get(KEYS)

    assert response.status_code == HTTPStatus.FORBIDDEN
    assert secret[:10] not in response.content.decode()


def test_recruiter_cannot_create_a_key(bob_client: Client) -> None:
    response = bob_client.post(KEYS, {"name": "Sneaky", "scope": "write"})

    assert response.status_code == HTTPStatus.FORBIDDEN
    assert ApiKey.objects.exists() is False


def test_admin_revokes_a_key(alice_client: Client, api_key_factory: Callable[..., str]) -> None:
    api_key_factory("write")
    key = ApiKey.objects.get()

    response = alice_client.post(f"/accounts/api-keys/{key.pk}/revoke")

    assert response.status_code == HTTPStatus.FOUND
    assert response["Location"] == KEYS
    key.refresh_from_db()
    assert key.revoked_at is not None
    assert '<span class="flag">revoked</span>' in alice_client.get(KEYS).content.decode()


def test_recruiter_cannot_revoke(bob_client: Client, api_key_factory: Callable[..., str]) -> None:
    api_key_factory("write")
    key = ApiKey.objects.get()

    response = bob_client.post(f"/accounts/api-keys/{key.pk}/revoke")

    assert response.status_code == HTTPStatus.FORBIDDEN
    key.refresh_from_db()
    assert key.revoked_at is None


def test_other_workspace_admin_gets_404_on_revoke(
    charlie_client: Client, api_key_factory: Callable[..., str]
) -> None:
    api_key_factory("write")
    key = ApiKey.objects.get()

    response = charlie_client.post(f"/accounts/api-keys/{key.pk}/revoke")

    assert response.status_code == HTTPStatus.NOT_FOUND
    key.refresh_from_db()
    assert key.revoked_at is None


def test_other_workspace_admin_does_not_see_acme_keys(
    charlie_client: Client, api_key_factory: Callable[..., str], charlie_actor: Actor
) -> None:
    acme_secret = api_key_factory("write")
    api_key_factory("read", actor=charlie_actor)

    response = charlie_client.get(KEYS)

    assert [k.name for k in response.context["keys"]] == ["read key"]
    assert acme_secret[:10] not in response.content.decode()


def test_revoking_needs_a_post(alice_client: Client, api_key_factory: Callable[..., str]) -> None:
    api_key_factory("write")
    key = ApiKey.objects.get()

    response = alice_client.get(f"/accounts/api-keys/{key.pk}/revoke")

    assert response.status_code == HTTPStatus.METHOD_NOT_ALLOWED
    key.refresh_from_db()
    assert key.revoked_at is None
