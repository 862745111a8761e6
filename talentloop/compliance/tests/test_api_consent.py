"""/api/v1/candidates/{id}/consent: the consent ledger and its current status."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
import time_machine
from django.test import Client

from talentloop.accounts.models import User, Workspace
from talentloop.accounts.roles import Role
from talentloop.candidates.models import Activity, Candidate
from talentloop.compliance.models import AuditEvent, ConsentRecord
from talentloop.compliance.services import record_consent
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
)

NOW = dt.datetime(2026, 3, 1, 9, 0, tzinfo=dt.UTC)
GRANT = {
    "channel": "email",
    "purpose": "marketing",
    "status": "granted",
    "source": "form",
    "wording_version": "v3",
    "ip": "203.0.113.7",
}


def _record(actor: Actor, candidate: Candidate, at: dt.datetime, **fields: str) -> ConsentRecord:
    with time_machine.travel(at, tick=False):
        return record_consent(actor=actor, candidate=candidate, **{"source": "recruiter", **fields})


def test_returns_the_status_and_the_ledger(
    alice_client: Client, candidate: Candidate, alice_actor: Actor, alice: User
) -> None:
    granted = _record(
        alice_actor, candidate, NOW, channel="email", purpose="marketing", status="granted"
    )
    withdrawn = _record(
        alice_actor,
        candidate,
        NOW + dt.timedelta(days=1),
        channel="email",
        purpose="marketing",
        status="withdrawn",
    )
    sms = _record(
        alice_actor, candidate, NOW, channel="sms", purpose="recruiting", status="granted"
    )

    response = alice_client.get(f"{API}/candidates/{candidate.pk}/consent")

    assert response.status_code == 200

    def entry(record: ConsentRecord, at: str) -> dict[str, Any]:
        return {
            "id": record.pk,
            "channel": record.channel,
            "purpose": record.purpose,
            "status": record.status,
            "source": "recruiter",
            "wording_version": "",
            "ip": None,
            "recorded_by_id": alice.pk,
            "occurred_at": at,
        }

    assert response.json() == {
        "status": {"email": {"marketing": "withdrawn"}, "sms": {"recruiting": "granted"}},
        "ledger": [
            entry(withdrawn, "2026-03-02T09:00:00Z"),
            entry(sms, "2026-03-01T09:00:00Z"),
            entry(granted, "2026-03-01T09:00:00Z"),
        ],
    }


def test_a_recruiter_reads_consent(bob_client: Client, candidate: Candidate) -> None:
    response = bob_client.get(f"{API}/candidates/{candidate.pk}/consent")

    assert response.status_code == 200
    assert response.json() == {"status": {}, "ledger": []}


def test_another_workspace_gets_the_same_404_as_a_missing_candidate(
    charlie_client: Client, candidate: Candidate
) -> None:
    theirs = charlie_client.get(f"{API}/candidates/{candidate.pk}/consent")
    missing = charlie_client.get(f"{API}/candidates/{MISSING_ID}/consent")

    assert (theirs.status_code, missing.status_code) == (404, 404)
    assert theirs.json() == missing.json() == NO_SUCH_CANDIDATE


def test_refuses_to_read_consent_without_authentication(
    client: Client, candidate: Candidate
) -> None:
    response = client.get(f"{API}/candidates/{candidate.pk}/consent")

    assert response.status_code == 401
    assert response.json() == UNAUTHENTICATED


@pytest.mark.parametrize("entries", [1, 9])
def test_reads_consent_in_the_same_number_of_queries_however_many_entries(
    alice_client: Client,
    candidate: Candidate,
    alice_actor: Actor,
    entries: int,
    django_assert_num_queries: Any,
) -> None:
    for n in range(entries):
        _record(
            alice_actor,
            candidate,
            NOW + dt.timedelta(minutes=n),
            channel="email",
            purpose="marketing",
            status="granted" if n % 2 else "withdrawn",
        )

    # session, user, membership, candidate; the status; the ledger
    with django_assert_num_queries(6):
        response = alice_client.get(f"{API}/candidates/{candidate.pk}/consent")

    assert len(response.json()["ledger"]) == entries


# --- record ----------------------------------------------------------------------------------


def test_records_consent_with_its_evidence(
    alice_client: Client, candidate: Candidate, alice: User
) -> None:
    with time_machine.travel(NOW, tick=False):
        response = call(alice_client, "post", f"/candidates/{candidate.pk}/consent", GRANT)

    assert response.status_code == 201
    record = ConsentRecord.objects.get()
    assert response.json() == {
        "id": record.pk,
        **GRANT,
        "recorded_by_id": alice.pk,
        "occurred_at": "2026-03-01T09:00:00Z",
    }
    assert Activity.objects.get(type="consent_change").payload == {
        "channel": "email",
        "purpose": "marketing",
        "status": "granted",
        "source": "form",
    }
    event = AuditEvent.objects.get(action="consent.recorded")
    assert (event.actor_id, event.target_id, event.changes, event.extra) == (
        alice.pk,
        candidate.pk,
        {"consent.email.marketing": [None, "granted"]},
        {"source": "form", "wording_version": "v3"},
    )


def test_a_recruiter_records_consent(bob_client: Client, candidate: Candidate, bob: User) -> None:
    response = call(bob_client, "post", f"/candidates/{candidate.pk}/consent", GRANT)

    assert response.status_code == 201
    assert ConsentRecord.objects.get().recorded_by_id == bob.pk


def test_refuses_consent_on_another_workspace_candidate_like_a_missing_one(
    charlie_client: Client, candidate: Candidate
) -> None:
    assert_like_missing(
        lambda: call(charlie_client, "post", f"/candidates/{candidate.pk}/consent", GRANT),
        lambda: call(charlie_client, "post", f"/candidates/{MISSING_ID}/consent", GRANT),
        body=NO_SUCH_CANDIDATE,
    )


def test_refuses_to_record_consent_without_authentication(
    client: Client, candidate: Candidate
) -> None:
    assert_refused(
        client,
        "post",
        f"/candidates/{candidate.pk}/consent",
        GRANT,
        status=401,
        body=UNAUTHENTICATED,
    )


def test_refuses_to_record_consent_with_a_read_key(
    client: Client, candidate: Candidate, api_key_factory: Any
) -> None:
    secret = api_key_factory("read")
    assert_refused(
        client,
        "post",
        f"/candidates/{candidate.pk}/consent",
        GRANT,
        headers=bearer(secret),
        status=403,
        body=READ_ONLY_KEY,
    )


def test_refuses_consent_from_a_role_that_may_not_record_it(
    acme: Workspace, member_factory: Callable[..., User], candidate: Candidate
) -> None:
    coordinator = Client()
    coordinator.force_login(member_factory("cora@acme.test", acme, Role.COORDINATOR))
    assert_refused(
        coordinator,
        "post",
        f"/candidates/{candidate.pk}/consent",
        GRANT,
        status=403,
        body=error("forbidden", "Your role does not allow recording consent."),
    )


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        ({"channel": "fax"}, error("invalid", "channel is one of: email, sms, phone.", "channel")),
        (
            {"purpose": "gossip"},
            error("invalid", "purpose is one of: marketing, recruiting.", "purpose"),
        ),
        ({"status": "maybe"}, error("invalid", "status is one of: granted, withdrawn.", "status")),
        (
            {"source": "rumour"},
            error(
                "invalid",
                "source is one of: form, email_link, verbal, import, api, recruiter.",
                "source",
            ),
        ),
        (
            {"wording_version": "v" * 65},
            error("invalid", "At most 64 characters.", "wording_version"),
        ),
        # Was stored as is on SQLite and a 500 on PostgreSQL's inet column.
        ({"ip": "not-an-address"}, error("invalid", "Not an IPv4 or IPv6 address.", "ip")),
    ],
)
def test_refuses_invalid_consent(
    alice_client: Client, candidate: Candidate, changes: dict[str, Any], expected: dict[str, Any]
) -> None:
    assert_refused(
        alice_client,
        "post",
        f"/candidates/{candidate.pk}/consent",
        {**GRANT, **changes},
        status=422,
        body=expected,
    )
