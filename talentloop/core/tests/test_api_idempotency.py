"""`Idempotency-Key` on POST /api/v1/candidates: a retried create gives the first answer back."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from talentloop.candidates.models import Candidate
from talentloop.compliance.models import AuditEvent
from talentloop.core.models import IdempotencyKey
from talentloop.core.tests.api_helpers import assert_refused, bearer, call, error, stored_state

ADA = {"first_name": "Ada", "last_name": "Lovelace", "emails": ["ada@example.test"]}
KEY = {"Idempotency-Key": "create-ada-7f3e"}
REUSED = error(
    "idempotency_key_reused",
    "This Idempotency-Key was used with a different request.",
    "Idempotency-Key",
)


def test_a_retry_returns_the_same_candidate_and_creates_one(alice_client: Client) -> None:
    first = call(alice_client, "post", "/candidates", ADA, headers=KEY)
    retry = call(alice_client, "post", "/candidates", ADA, headers=KEY)

    assert (first.status_code, retry.status_code) == (201, 201)
    assert retry.json() == first.json()
    assert list(Candidate.objects.values_list("id", flat=True)) == [first.json()["id"]]
    assert AuditEvent.objects.filter(action="candidate.created").count() == 1


def test_a_key_reused_with_another_body_is_a_conflict(alice_client: Client) -> None:
    call(alice_client, "post", "/candidates", ADA, headers=KEY)
    assert_refused(
        alice_client,
        "post",
        "/candidates",
        {**ADA, "last_name": "Byron"},
        headers=KEY,
        status=409,
        body=REUSED,
    )
    assert Candidate.objects.get().last_name == "Lovelace"


def test_different_keys_create_different_candidates(alice_client: Client) -> None:
    first = call(
        alice_client,
        "post",
        "/candidates",
        {"first_name": "Ada"},
        headers={"Idempotency-Key": "one"},
    )
    second = call(
        alice_client,
        "post",
        "/candidates",
        {"first_name": "Ada"},
        headers={"Idempotency-Key": "two"},
    )

    assert first.json()["id"] != second.json()["id"]
    assert Candidate.objects.count() == 2


def test_without_a_key_each_request_creates(alice_client: Client) -> None:
    call(alice_client, "post", "/candidates", {"first_name": "Ada"})
    call(alice_client, "post", "/candidates", {"first_name": "Ada"})

    assert Candidate.objects.count() == 2
    assert IdempotencyKey.objects.exists() is False


def test_keys_belong_to_a_workspace(alice_client: Client, charlie_client: Client) -> None:
    ours = call(alice_client, "post", "/candidates", ADA, headers=KEY)
    theirs = call(charlie_client, "post", "/candidates", ADA, headers=KEY)

    assert (ours.status_code, theirs.status_code) == (201, 201)
    assert ours.json()["id"] != theirs.json()["id"]
    assert Candidate.objects.count() == 2


def test_a_key_holds_for_the_whole_workspace(
    alice_client: Client, client: Client, api_key_factory: Any
) -> None:
    by_session = call(alice_client, "post", "/candidates", ADA, headers=KEY)
    by_key = call(
        client, "post", "/candidates", ADA, headers={**KEY, **bearer(api_key_factory("write"))}
    )

    assert by_key.status_code == 201
    assert by_key.json() == by_session.json()
    assert Candidate.objects.count() == 1


def test_a_failed_create_does_not_use_up_the_key(
    alice_client: Client, candidate: Candidate
) -> None:
    taken = {**ADA, "emails": ["grace@navy.test"]}

    refused = call(alice_client, "post", "/candidates", taken, headers=KEY)
    refused_again = call(alice_client, "post", "/candidates", taken, headers=KEY)
    created = call(alice_client, "post", "/candidates", ADA, headers=KEY)

    assert (refused.status_code, refused_again.status_code, created.status_code) == (409, 409, 201)
    assert refused.json()["error"]["code"] == "duplicate"
    assert Candidate.objects.filter(first_name="Ada").count() == 1


@pytest.mark.parametrize("key", ["k" * 256, "tab\there", "nul\x00byte"])
def test_refuses_a_key_that_is_too_long_or_not_printable(alice_client: Client, key: str) -> None:
    before = stored_state()

    response = call(alice_client, "post", "/candidates", ADA, headers={"Idempotency-Key": key})

    assert response.status_code == 422
    assert response.json() == error(
        "invalid", "At most 255 printable characters.", "Idempotency-Key"
    )
    assert stored_state() == before


def test_stores_the_answer_under_the_key(alice_client: Client) -> None:
    response = call(alice_client, "post", "/candidates", ADA, headers=KEY)

    stored = IdempotencyKey.objects.get()
    assert (stored.key, stored.endpoint, stored.workspace.slug) == (
        "create-ada-7f3e",
        "candidates.create",
        "acme",
    )
    assert (stored.response_status, stored.response_body) == (201, response.json())
