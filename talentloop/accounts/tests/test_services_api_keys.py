from __future__ import annotations

import datetime as dt
import hashlib
from typing import Any

import pytest
import time_machine

from talentloop.accounts import selectors
from talentloop.accounts.models import ApiKey
from talentloop.accounts.roles import Role
from talentloop.accounts.services import (
    api_key_role,
    authenticate_api_key,
    create_api_key,
    revoke_api_key,
)
from talentloop.compliance.models import AuditEvent
from talentloop.core import expiring
from talentloop.core.actor import Actor
from talentloop.core.errors import Forbidden, InvalidInput

NOW = dt.datetime(2026, 5, 4, 9, 0, tzinfo=dt.UTC)


def test_only_a_hash_of_the_secret_is_stored(alice_actor: Actor) -> None:
    key, secret = create_api_key(actor=alice_actor, name="  ATS sync ", scope="write")

    key.refresh_from_db()
    assert secret.startswith("tl_")
    assert len(secret) > 40
    assert key.key_hash == hashlib.sha256(secret.encode()).hexdigest()
    assert key.prefix == secret[:10]
    stored = [str(value) for value in ApiKey.objects.values_list(flat=False).get()]
    assert all(secret not in value for value in stored)
    assert (key.name, key.scope, key.created_by_id) == ("ATS sync", "write", alice_actor.user_id)
    assert key.workspace_id == alice_actor.workspace.pk


def test_every_key_gets_its_own_secret(alice_actor: Actor) -> None:
    _, first = create_api_key(actor=alice_actor, name="one", scope="read")
    _, second = create_api_key(actor=alice_actor, name="two", scope="read")

    assert first != second


def test_creating_is_audited_without_the_secret(alice_actor: Actor) -> None:
    key, secret = create_api_key(actor=alice_actor, name="ATS", scope="read")

    event = AuditEvent.objects.get(action=AuditEvent.Action.API_KEY_CREATED)
    assert (event.target_type, event.target_id, event.extra) == (
        "apikey",
        key.pk,
        {"scope": "read"},
    )
    assert secret not in str(event.changes) + str(event.extra) + event.target_label


@pytest.mark.parametrize(
    ("name", "scope", "field"),
    [
        ("", "read", "name"),
        ("   ", "read", "name"),
        ("x" * 101, "read", "name"),
        ("ATS", "admin", "scope"),
    ],
)
def test_refuses_invalid_keys(alice_actor: Actor, name: str, scope: str, field: str) -> None:
    with pytest.raises(InvalidInput) as error:
        create_api_key(actor=alice_actor, name=name, scope=scope)

    assert error.value.field == field
    assert ApiKey.objects.exists() is False


def test_only_admins_manage_keys(alice_actor: Actor, bob_actor: Actor) -> None:
    key, _ = create_api_key(actor=alice_actor, name="ATS", scope="read")

    with pytest.raises(Forbidden):
        create_api_key(actor=bob_actor, name="mine", scope="write")
    with pytest.raises(Forbidden):
        revoke_api_key(actor=bob_actor, key=key)

    key.refresh_from_db()
    assert key.revoked_at is None
    assert ApiKey.objects.count() == 1


def test_authenticates_with_the_secret(alice_actor: Actor) -> None:
    key, secret = create_api_key(actor=alice_actor, name="ATS", scope="write")

    found = authenticate_api_key(secret)

    assert found == key
    assert found is not None
    assert found.workspace == alice_actor.workspace


@pytest.mark.parametrize(
    "secret",
    ["", "tl_", "tl_wrong", "Bearer tl_x", "x" * 50],
)
def test_unknown_secrets_authenticate_nobody(alice_actor: Actor, secret: str) -> None:
    create_api_key(actor=alice_actor, name="ATS", scope="write")

    assert authenticate_api_key(secret) is None


def test_a_near_miss_authenticates_nobody(alice_actor: Actor) -> None:
    _, secret = create_api_key(actor=alice_actor, name="ATS", scope="write")

    assert authenticate_api_key(secret[:-1]) is None
    assert authenticate_api_key(secret + "x") is None
    assert authenticate_api_key(secret.upper()) is None
    assert authenticate_api_key(secret + "x" * 100) is None


def test_use_is_recorded_at_most_once_a_minute(alice_actor: Actor) -> None:
    key, secret = create_api_key(actor=alice_actor, name="ATS", scope="write")

    with time_machine.travel(NOW, tick=False) as traveller:
        authenticate_api_key(secret)
        traveller.shift(dt.timedelta(seconds=59))
        authenticate_api_key(secret)
        key.refresh_from_db()
        assert key.last_used_at == NOW

        traveller.shift(dt.timedelta(seconds=2))
        authenticate_api_key(secret)

    key.refresh_from_db()
    assert key.last_used_at == NOW + dt.timedelta(seconds=61)


def test_revoked_key_stops_working_at_once(alice_actor: Actor) -> None:
    key, secret = create_api_key(actor=alice_actor, name="ATS", scope="write")

    with time_machine.travel(NOW, tick=False):
        revoke_api_key(actor=alice_actor, key=key)

    key.refresh_from_db()
    assert key.revoked_at == NOW
    assert key.is_active is False
    assert authenticate_api_key(secret) is None


def test_revoking_twice_changes_nothing_more(alice_actor: Actor) -> None:
    key, _ = create_api_key(actor=alice_actor, name="ATS", scope="write")
    with time_machine.travel(NOW, tick=False):
        revoke_api_key(actor=alice_actor, key=key)

    with time_machine.travel(NOW + dt.timedelta(days=1), tick=False):
        again = revoke_api_key(actor=alice_actor, key=ApiKey.objects.get(pk=key.pk))

    assert again.revoked_at == NOW
    assert AuditEvent.objects.filter(action=AuditEvent.Action.API_KEY_REVOKED).count() == 1


@pytest.mark.parametrize(("scope", "role"), [("write", Role.RECRUITER), ("read", Role.COORDINATOR)])
def test_scope_decides_the_role(alice_actor: Actor, scope: str, role: Role) -> None:
    key, _ = create_api_key(actor=alice_actor, name="ATS", scope=scope)

    assert api_key_role(key) == role


# --- the per-process cache of recent key rows --------------------------------------------------


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    """The cache's clock, moved by hand: [seconds]."""
    now = [1000.0]
    monkeypatch.setattr(expiring, "monotonic", lambda: now[0])
    selectors._recent_keys.clear()
    return now


def _revoked_elsewhere(key: ApiKey) -> None:
    """What another server process's revocation leaves in the database."""
    ApiKey.objects.filter(pk=key.pk).update(revoked_at=NOW)


def test_a_used_key_revoked_here_stops_working_at_once(
    alice_actor: Actor, clock: list[float]
) -> None:
    key, secret = create_api_key(actor=alice_actor, name="ATS", scope="write")
    authenticate_api_key(secret)
    assert authenticate_api_key(secret) is not None

    revoke_api_key(actor=alice_actor, key=key)

    assert authenticate_api_key(secret) is None


def test_a_key_revoked_elsewhere_stops_working_within_the_cache_seconds(
    alice_actor: Actor, clock: list[float], settings: Any
) -> None:
    settings.API_KEY_CACHE_SECONDS = 2
    key, secret = create_api_key(actor=alice_actor, name="ATS", scope="write")
    authenticate_api_key(secret)  # marks it used, so the next use reads it afresh
    assert authenticate_api_key(secret) is not None
    _revoked_elsewhere(key)

    clock[0] += 1.9
    still = authenticate_api_key(secret)
    clock[0] += 0.2
    refused = authenticate_api_key(secret)

    assert still is not None and still.pk == key.pk
    assert refused is None


def test_with_no_cache_seconds_every_use_reads_the_key(
    alice_actor: Actor, clock: list[float], settings: Any
) -> None:
    settings.API_KEY_CACHE_SECONDS = 0
    key, secret = create_api_key(actor=alice_actor, name="ATS", scope="write")
    authenticate_api_key(secret)
    assert authenticate_api_key(secret) is not None
    _revoked_elsewhere(key)

    assert authenticate_api_key(secret) is None


def test_a_recent_key_costs_no_query_and_each_use_gets_its_own_instances(
    alice_actor: Actor, clock: list[float], django_assert_num_queries: Any
) -> None:
    _, secret = create_api_key(actor=alice_actor, name="ATS", scope="write")
    first = authenticate_api_key(secret)  # marks it used: read afresh next time
    second = authenticate_api_key(secret)
    assert first is not None and second is not None
    second.workspace.name = "changed by a request"

    with django_assert_num_queries(0):
        third = authenticate_api_key(secret)

    assert third is not None and third is not second and third.workspace is not second.workspace
    assert third.workspace.name == alice_actor.workspace.name
    assert third.last_used_at is not None
