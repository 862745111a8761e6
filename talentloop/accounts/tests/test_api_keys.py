"""/api/v1/api-keys, and what a key may do: read keys read, revoked keys do nothing."""

from __future__ import annotations

import datetime as dt
import hashlib
import io
from typing import Any

import pytest
import time_machine
from django.core.management import call_command
from django.test import Client

from talentloop.accounts.models import ApiKey
from talentloop.accounts.services import create_api_key, revoke_api_key
from talentloop.candidates.models import Candidate
from talentloop.compliance.models import AuditEvent
from talentloop.core.actor import Actor
from talentloop.core.tests.api_helpers import (
    API,
    MISSING_ID,
    NO_SUCH_CANDIDATE,
    READ_ONLY_KEY,
    UNAUTHENTICATED,
    assert_like_missing,
    assert_refused,
    bearer,
    call,
    error,
    stored_state,
)

NOW = dt.datetime(2026, 3, 1, 9, 0, tzinfo=dt.UTC)
STAMP = "2026-03-01T09:00:00Z"
ADMINS_ONLY = error("forbidden", "Only workspace admins can do this.")
KEYS_ADMINS_ONLY = error("forbidden", "Only workspace admins can manage API keys.")
NO_SUCH_KEY = error("not_found", "No such API key.")


@pytest.fixture
def zapier(alice_actor: Actor) -> ApiKey:
    with time_machine.travel(NOW, tick=False):
        key, _ = create_api_key(actor=alice_actor, name="Zapier", scope="write")
    return key


def _key(key: ApiKey, **changes: Any) -> dict[str, Any]:
    return {
        "id": key.pk,
        "name": key.name,
        "prefix": key.prefix,
        "scope": key.scope,
        "created_at": STAMP,
        "last_used_at": None,
        "revoked_at": None,
        **changes,
    }


# --- list ------------------------------------------------------------------------------------


def test_lists_the_workspace_keys_newest_first(
    alice_client: Client, zapier: ApiKey, alice_actor: Actor, charlie_actor: Actor
) -> None:
    with time_machine.travel(NOW + dt.timedelta(hours=1), tick=False):
        sheets, _ = create_api_key(actor=alice_actor, name="Sheets", scope="read")
    create_api_key(actor=charlie_actor, name="Globex key", scope="read")

    response = alice_client.get(f"{API}/api-keys")

    assert response.status_code == 200
    assert response.json() == [_key(sheets, created_at="2026-03-01T10:00:00Z"), _key(zapier)]


def test_refuses_to_list_keys_to_a_recruiter(bob_client: Client, zapier: ApiKey) -> None:
    response = bob_client.get(f"{API}/api-keys")

    assert response.status_code == 403
    assert response.json() == KEYS_ADMINS_ONLY


def test_another_workspace_sees_none_of_the_keys(charlie_client: Client, zapier: ApiKey) -> None:
    assert charlie_client.get(f"{API}/api-keys").json() == []


def test_refuses_to_list_keys_without_authentication(client: Client, zapier: ApiKey) -> None:
    response = client.get(f"{API}/api-keys")

    assert response.status_code == 401
    assert response.json() == UNAUTHENTICATED


@pytest.mark.parametrize("keys", [1, 8])
def test_lists_keys_in_the_same_number_of_queries_however_many(
    alice_client: Client, alice_actor: Actor, keys: int, django_assert_num_queries: Any
) -> None:
    for n in range(keys):
        create_api_key(actor=alice_actor, name=f"Key {n}", scope="read")

    # session, user, membership; the keys
    with django_assert_num_queries(4):
        response = alice_client.get(f"{API}/api-keys")

    assert len(response.json()) == keys


# --- create ----------------------------------------------------------------------------------


def test_creates_a_key_and_shows_its_secret_once(alice_client: Client, alice: Any) -> None:
    with time_machine.travel(NOW, tick=False):
        response = call(alice_client, "post", "/api-keys", {"name": "Zapier", "scope": "write"})

    assert response.status_code == 201
    key = ApiKey.objects.get()
    secret = response.json()["key"]
    assert response.json() == {**_key(key), "key": secret}
    assert secret.startswith("tl_")
    assert (key.prefix, key.scope, key.created_by_id) == (secret[:10], "write", alice.pk)
    assert "key" not in alice_client.get(f"{API}/api-keys").json()[0]
    event = AuditEvent.objects.get(action="api_key.created")
    assert (event.actor_id, event.target_id, event.extra) == (alice.pk, key.pk, {"scope": "write"})


def test_stores_only_the_sha256_of_the_secret(alice_client: Client) -> None:
    secret = call(alice_client, "post", "/api-keys", {"name": "Zapier"}).json()["key"]

    key = ApiKey.objects.get()
    assert key.key_hash == hashlib.sha256(secret.encode()).hexdigest()
    dump = io.StringIO()
    call_command("dumpdata", stdout=dump)
    assert secret not in dump.getvalue()
    assert secret[10:] not in dump.getvalue()  # not even the part after the shown prefix


def test_a_new_key_defaults_to_read(alice_client: Client) -> None:
    response = call(alice_client, "post", "/api-keys", {"name": "Sheets"})

    assert response.json()["scope"] == "read"


def test_refuses_a_recruiter_creating_keys(bob_client: Client) -> None:
    assert_refused(
        bob_client,
        "post",
        "/api-keys",
        {"name": "Mine", "scope": "write"},
        status=403,
        body=ADMINS_ONLY,
    )


def test_refuses_a_key_creating_keys(client: Client, api_key_factory: Any) -> None:
    secret = api_key_factory("write")
    assert_refused(
        client,
        "post",
        "/api-keys",
        {"name": "Child", "scope": "write"},
        headers=bearer(secret),
        status=403,
        body=ADMINS_ONLY,
    )


def test_refuses_to_create_a_key_without_authentication(client: Client, db: None) -> None:
    response = call(client, "post", "/api-keys", {"name": "Anyone"})

    assert response.status_code == 401
    assert response.json() == UNAUTHENTICATED
    assert ApiKey.objects.exists() is False


@pytest.mark.parametrize(
    ("payload", "expected"),
    [
        (
            {"name": "Zapier", "scope": "admin"},
            error("invalid", "Scope is read or write.", "scope"),
        ),
        ({"name": "   "}, error("invalid", "A name is 1 to 100 characters.", "name")),
    ],
)
def test_refuses_an_invalid_key(
    alice_client: Client, payload: dict[str, Any], expected: dict[str, Any]
) -> None:
    response = call(alice_client, "post", "/api-keys", payload)

    assert response.status_code == 422
    assert response.json() == expected
    assert ApiKey.objects.exists() is False


# --- revoke ----------------------------------------------------------------------------------


def test_revokes_a_key(alice_client: Client, zapier: ApiKey, alice: Any) -> None:
    with time_machine.travel(NOW + dt.timedelta(days=1), tick=False):
        response = call(alice_client, "delete", f"/api-keys/{zapier.pk}")

    assert response.status_code == 200
    assert response.json() == _key(zapier, revoked_at="2026-03-02T09:00:00Z")
    event = AuditEvent.objects.get(action="api_key.revoked")
    assert (event.actor_id, event.target_id) == (alice.pk, zapier.pk)


def test_revoking_twice_is_harmless(alice_client: Client, zapier: ApiKey) -> None:
    first = call(alice_client, "delete", f"/api-keys/{zapier.pk}")
    second = call(alice_client, "delete", f"/api-keys/{zapier.pk}")

    assert (first.status_code, second.status_code) == (200, 200)
    assert first.json() == second.json()
    assert AuditEvent.objects.filter(action="api_key.revoked").count() == 1


def test_refuses_a_recruiter_revoking_keys(bob_client: Client, zapier: ApiKey) -> None:
    assert_refused(
        bob_client, "delete", f"/api-keys/{zapier.pk}", status=403, body=KEYS_ADMINS_ONLY
    )


def test_refuses_to_revoke_another_workspace_key_like_a_missing_one(
    charlie_client: Client, zapier: ApiKey
) -> None:
    assert_like_missing(
        lambda: call(charlie_client, "delete", f"/api-keys/{zapier.pk}"),
        lambda: call(charlie_client, "delete", f"/api-keys/{MISSING_ID}"),
        body=NO_SUCH_KEY,
    )


def test_refuses_to_revoke_without_authentication(client: Client, zapier: ApiKey) -> None:
    assert_refused(client, "delete", f"/api-keys/{zapier.pk}", status=401, body=UNAUTHENTICATED)


# --- authenticating with a key ---------------------------------------------------------------


def test_a_read_key_reads(client: Client, candidate: Candidate, api_key_factory: Any) -> None:
    response = client.get(
        f"{API}/candidates/{candidate.pk}", headers=bearer(api_key_factory("read"))
    )

    assert response.status_code == 200
    assert response.json()["id"] == candidate.pk


@pytest.mark.parametrize(
    ("method", "path", "data"),
    [
        ("post", "/candidates", {"first_name": "Ada"}),
        ("patch", "/candidates/{id}", {"headline": "Changed"}),
        ("delete", "/candidates/{id}", None),
        ("post", "/candidates/{id}/notes", {"body": "Hi"}),
        ("post", "/tags", {"name": "new"}),
    ],
)
def test_a_read_key_may_not_write(
    client: Client,
    candidate: Candidate,
    api_key_factory: Any,
    method: str,
    path: str,
    data: dict[str, Any] | None,
) -> None:
    secret = api_key_factory("read")
    assert_refused(
        client,
        method,
        path.format(id=candidate.pk),
        data,
        headers=bearer(secret),
        status=403,
        body=READ_ONLY_KEY,
    )


def test_a_write_key_writes_without_a_csrf_token(api_key_factory: Any, db: None) -> None:
    client = Client(enforce_csrf_checks=True)

    response = call(
        client,
        "post",
        "/candidates",
        {"first_name": "Ada"},
        headers=bearer(api_key_factory("write")),
    )

    assert response.status_code == 201
    assert Candidate.objects.get().first_name == "Ada"


def test_a_revoked_key_is_refused(client: Client, candidate: Candidate, alice_actor: Actor) -> None:
    key, secret = create_api_key(actor=alice_actor, name="Old", scope="write")
    revoke_api_key(actor=alice_actor, key=key)
    before = stored_state()

    read = client.get(f"{API}/candidates", headers=bearer(secret))
    write = call(client, "post", "/candidates", {"first_name": "Ada"}, headers=bearer(secret))

    assert (read.status_code, write.status_code) == (401, 401)
    assert read.json() == write.json() == UNAUTHENTICATED
    assert stored_state() == before


@pytest.mark.parametrize(
    "authorization",
    ["Bearer tl_not-a-real-key", "Bearer not-even-our-prefix", "Bearer ", "Basic dXNlcjpwdw=="],
)
def test_an_unknown_key_is_refused(
    client: Client, candidate: Candidate, api_key_factory: Any, authorization: str
) -> None:
    api_key_factory("write")

    response = client.get(f"{API}/candidates", headers={"Authorization": authorization})

    assert response.status_code == 401
    assert response.json() == UNAUTHENTICATED


def test_a_key_sees_only_its_own_workspace(
    client: Client, charlie_candidate: Candidate, api_key_factory: Any
) -> None:
    headers = bearer(api_key_factory("write"))

    listed = client.get(f"{API}/candidates", headers=headers)
    theirs = client.get(f"{API}/candidates/{charlie_candidate.pk}", headers=headers)

    assert listed.json()["items"] == []
    assert theirs.status_code == 404
    assert theirs.json() == NO_SUCH_CANDIDATE


def test_marks_when_a_key_was_last_used(client: Client, alice_actor: Actor) -> None:
    key, secret = create_api_key(actor=alice_actor, name="Used", scope="read")

    with time_machine.travel(NOW, tick=False):
        client.get(f"{API}/candidates", headers=bearer(secret))

    key.refresh_from_db()
    assert key.last_used_at == NOW


def test_a_key_acts_for_the_workspace_in_the_audit(
    client: Client, candidate: Candidate, alice_actor: Actor
) -> None:
    key, secret = create_api_key(actor=alice_actor, name="Sync", scope="read")

    client.get(f"{API}/candidates/{candidate.pk}", headers=bearer(secret))

    event = AuditEvent.objects.get(action="candidate.viewed")
    assert (event.actor_id, event.api_key_id, event.actor_label) == (
        None,
        key.pk,
        f"API key Sync ({key.prefix})",
    )
