"""Exporting a candidate as a JSON download (a subject access request), audited."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from http import HTTPStatus

import pytest
import time_machine
from django.test import Client

from talentloop.candidates.models import Candidate
from talentloop.candidates.services import add_note
from talentloop.compliance.models import AuditEvent
from talentloop.compliance.services import record_consent
from talentloop.core.actor import Actor

NOW = dt.datetime(2026, 3, 10, 12, 0, tzinfo=dt.UTC)
STAMP = "2026-03-10T12:00:00+00:00"


@pytest.fixture(autouse=True)
def _frozen() -> Iterator[None]:
    with time_machine.travel(NOW, tick=False):
        yield


def _url(candidate: Candidate) -> str:
    return f"/candidates/{candidate.pk}/export"


def _exports() -> list[tuple[str, int | None, str | None]]:
    return list(
        AuditEvent.objects.filter(action="candidate.exported")
        .order_by("id")
        .values_list("actor__email", "target_id", "ip")
    )


def test_anonymous_is_sent_to_sign_in(client: Client, candidate: Candidate) -> None:
    response = client.get(_url(candidate))

    assert response.status_code == HTTPStatus.FOUND
    assert response["Location"] == f"/accounts/login/?next=/candidates/{candidate.pk}/export"
    assert _exports() == []


def test_downloads_everything_as_json_and_audits_it(
    alice_client: Client, alice_actor: Actor, bob_actor: Actor, candidate: Candidate
) -> None:
    add_note(actor=alice_actor, candidate=candidate, body="Great fit")
    add_note(actor=bob_actor, candidate=candidate, body="Bob only", visibility="private")
    record_consent(
        actor=alice_actor,
        candidate=candidate,
        channel="email",
        purpose="marketing",
        status="granted",
        source="verbal",
        wording_version="v2",
    )

    response = alice_client.get(_url(candidate))

    assert response.status_code == HTTPStatus.OK
    assert response["Content-Type"] == "application/json"
    assert response["Content-Disposition"] == (
        f'attachment; filename="candidate-{candidate.pk}.json"'
    )
    document = json.loads(response.content)
    note_id = document["timeline"][1]["payload"]["note_id"]
    assert document == {
        "candidate": {
            "id": candidate.pk,
            "first_name": "Grace",
            "last_name": "Hopper",
            "headline": "",
            "city": "",
            "region": "",
            "current_title": "Rear Admiral",
            "current_company": "US Navy",
            "source_detail": "",
            "country": "",
            "timezone": "",
            "seniority": "",
            "years_experience": None,
            "source": "sourced",
            "owner_id": alice_actor.user_id,
            "is_do_not_contact": False,
            "is_archived": False,
            "emails": ["grace@navy.test"],
            "phones": ["+14155552671"],
            "links": [],
            "tags": ["cobol"],
            "custom_fields": {},
        },
        "resume": {},
        "timeline": [
            {
                "type": "consent_change",
                "channel": "internal",
                "summary": "E-mail marketing consent granted (verbal)",
                "payload": {
                    "channel": "email",
                    "purpose": "marketing",
                    "status": "granted",
                    "source": "verbal",
                },
                "occurred_at": STAMP,
            },
            {
                "type": "note",
                "channel": "internal",
                "summary": "Great fit",
                "payload": {"note_id": note_id},
                "occurred_at": STAMP,
            },
            {
                "type": "created",
                "channel": "internal",
                "summary": "Added by alice@acme.test (source: Sourced)",
                "payload": {},
                "occurred_at": STAMP,
            },
        ],
        "consent": [
            {
                "channel": "email",
                "purpose": "marketing",
                "status": "granted",
                "source": "verbal",
                "wording_version": "v2",
                "occurred_at": STAMP,
            },
        ],
        "resume_files": [],
        "exported_at": STAMP,
    }
    assert _exports() == [("alice@acme.test", candidate.pk, "127.0.0.1")]


def test_recruiter_can_export(bob_client: Client, candidate: Candidate) -> None:
    response = bob_client.get(_url(candidate))

    assert response.status_code == HTTPStatus.OK
    assert json.loads(response.content)["candidate"]["id"] == candidate.pk
    assert _exports() == [("bob@acme.test", candidate.pk, "127.0.0.1")]


def test_other_workspace_gets_404_and_nothing_is_audited(
    charlie_client: Client, candidate: Candidate
) -> None:
    response = charlie_client.get(_url(candidate))

    assert response.status_code == HTTPStatus.NOT_FOUND
    assert b"Grace" not in response.content
    assert _exports() == []
