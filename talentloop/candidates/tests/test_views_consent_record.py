"""Recording consent from the profile page: the ledger, the timeline and the audit."""

from __future__ import annotations

from collections.abc import Callable
from http import HTTPStatus

import pytest
from django.test import Client

from talentloop.accounts.models import User, Workspace
from talentloop.accounts.roles import Role
from talentloop.candidates.models import Candidate
from talentloop.compliance.models import AuditEvent, ConsentRecord

GRANT = {
    "channel": "email",
    "purpose": "marketing",
    "status": "granted",
    "source": "verbal",
    "wording_version": "2026-01",
}


def _url(candidate: Candidate) -> str:
    return f"/candidates/{candidate.pk}/consent"


def _ledger() -> list[tuple[str, str, str, str, str, str | None, str | None]]:
    return list(
        ConsentRecord.objects.order_by("id").values_list(
            "channel",
            "purpose",
            "status",
            "source",
            "wording_version",
            "recorded_by__email",
            "ip",
        )
    )


def test_anonymous_is_sent_to_sign_in(client: Client, candidate: Candidate) -> None:
    response = client.post(_url(candidate), GRANT)

    assert response.status_code == HTTPStatus.FOUND
    assert response["Location"] == f"/accounts/login/?next=/candidates/{candidate.pk}/consent"
    assert _ledger() == []


def test_records_consent_and_shows_it(alice_client: Client, candidate: Candidate) -> None:
    response = alice_client.post(_url(candidate), GRANT)

    assert response.status_code == HTTPStatus.FOUND
    assert response["Location"] == f"/candidates/{candidate.pk}/#consent"
    # The recruiter's address is not the candidate's: no IP is stored as proof.
    assert _ledger() == [
        ("email", "marketing", "granted", "verbal", "2026-01", "alice@acme.test", None)
    ]
    event = AuditEvent.objects.get(action="consent.recorded")
    assert (event.target_id, event.changes) == (
        candidate.pk,
        {"consent.email.marketing": [None, "granted"]},
    )
    page = alice_client.get(f"/candidates/{candidate.pk}/")
    # Rows are channels; columns are marketing, then recruiting.
    assert page.context["consent_grid"][0] == ("E-mail", ["granted", "none"])
    assert '<span class="status status-granted">Granted</span>' in page.content.decode()
    assert page.context["activities"][0].summary == "E-mail marketing consent granted (verbal)"


def test_newest_entry_wins(bob_client: Client, candidate: Candidate) -> None:
    bob_client.post(_url(candidate), GRANT)
    bob_client.post(_url(candidate), {**GRANT, "status": "withdrawn", "source": "email_link"})

    page = bob_client.get(f"/candidates/{candidate.pk}/")

    assert [row[2] for row in _ledger()] == ["granted", "withdrawn"]
    assert page.context["consent_grid"][0] == ("E-mail", ["withdrawn", "none"])


@pytest.mark.parametrize(
    ("field", "value"),
    [("channel", "pigeon"), ("purpose", "fun"), ("status", "maybe"), ("source", "rumour")],
)
def test_invalid_choice_is_a_field_error_and_nothing_is_saved(
    alice_client: Client, candidate: Candidate, field: str, value: str
) -> None:
    response = alice_client.post(_url(candidate), {**GRANT, field: value})

    assert response.status_code == HTTPStatus.UNPROCESSABLE_ENTITY
    assert response.context["consent_form"].errors == {
        field: [f"Select a valid choice. {value} is not one of the available choices."]
    }
    assert _ledger() == []


def test_other_workspace_gets_404(charlie_client: Client, candidate: Candidate) -> None:
    response = charlie_client.post(_url(candidate), GRANT)

    assert response.status_code == HTTPStatus.NOT_FOUND
    assert _ledger() == []


def test_coordinator_cannot_record_consent(
    client: Client, acme: Workspace, member_factory: Callable[..., User], candidate: Candidate
) -> None:
    client.force_login(member_factory("cora@acme.test", acme, Role.COORDINATOR))

    response = client.post(_url(candidate), GRANT)

    assert response.status_code == HTTPStatus.FORBIDDEN
    assert _ledger() == []
    assert AuditEvent.objects.filter(action="consent.recorded").exists() is False
