"""/api/v1/referrals: any member refers a person."""

from __future__ import annotations

from typing import Any

from django.test import Client

from talentloop.candidates.models import Candidate
from talentloop.core.tests.api_helpers import MISSING_ID, assert_refused, call, error
from talentloop.pools.models import Pool, PoolMembership


def test_a_hiring_manager_refers_someone(member_factory: Any, acme: Any, pool: Pool) -> None:
    client = Client()
    client.force_login(member_factory("harry@acme.test", acme, "hiring_manager"))

    response = call(
        client,
        "post",
        "/referrals",
        {"first_name": "Rosa", "email": "rosa@x.test", "note": "Ex-colleague", "pool_id": pool.pk},
    )
    again = call(client, "post", "/referrals", {"first_name": "Rosa", "email": "rosa@x.test"})

    candidate = Candidate.objects.get()
    assert (response.status_code, response.json()) == (
        201,
        {"candidate_id": candidate.pk, "created": True},
    )
    assert (again.status_code, again.json()["created"]) == (200, False)
    assert candidate.source == "referral"
    assert PoolMembership.objects.filter(pool=pool, candidate=candidate).exists()


def test_bad_referrals_are_422(alice_client: Client, charlie_actor: Any) -> None:
    assert_refused(
        alice_client,
        "post",
        "/referrals",
        {"first_name": "Rosa", "email": "not-mail"},
        status=422,
        body=error("invalid", "'not-mail' is not a valid e-mail address.", "email"),
    )
    assert_refused(
        alice_client,
        "post",
        "/referrals",
        {"first_name": "Rosa"},
        status=422,
        body=error("invalid", "Give an e-mail, a phone number or a LinkedIn profile.", "email"),
    )
    assert_refused(
        alice_client,
        "post",
        "/referrals",
        {"first_name": "Rosa", "email": "r@x.test", "pool_id": MISSING_ID},
        status=422,
        body=error("invalid", "No such pool.", "pool_id"),
    )
