"""Deleting a candidate from the profile page (a soft delete, audited)."""

from __future__ import annotations

from collections.abc import Callable
from http import HTTPStatus

from django.test import Client

from talentloop.accounts.models import User, Workspace
from talentloop.accounts.roles import Role
from talentloop.candidates.models import Candidate
from talentloop.compliance.models import AuditEvent


def _url(candidate: Candidate) -> str:
    return f"/candidates/{candidate.pk}/delete"


def _deleted(candidate: Candidate) -> bool:
    return Candidate.objects.get(pk=candidate.pk).deleted_at is not None


def test_anonymous_is_sent_to_sign_in(client: Client, candidate: Candidate) -> None:
    response = client.post(_url(candidate))

    assert response.status_code == HTTPStatus.FOUND
    assert response["Location"] == f"/accounts/login/?next=/candidates/{candidate.pk}/delete"
    assert _deleted(candidate) is False


def test_deletes_and_returns_to_the_list(alice_client: Client, candidate: Candidate) -> None:
    response = alice_client.post(_url(candidate))

    assert response.status_code == HTTPStatus.FOUND
    assert response["Location"] == "/candidates/"
    assert _deleted(candidate) is True
    assert list(
        AuditEvent.objects.filter(action="candidate.deleted").values_list(
            "actor__email", "target_id", "ip"
        )
    ) == [("alice@acme.test", candidate.pk, "127.0.0.1")]
    listing = alice_client.get("/candidates/")
    assert listing.context["candidates"] == []
    assert "Deleted Grace Hopper." in listing.content.decode()
    assert alice_client.get(f"/candidates/{candidate.pk}/").status_code == HTTPStatus.NOT_FOUND


def test_recruiter_can_delete(bob_client: Client, candidate: Candidate) -> None:
    response = bob_client.post(_url(candidate))

    assert response.status_code == HTTPStatus.FOUND
    assert _deleted(candidate) is True


def test_deleting_twice_is_a_404(alice_client: Client, candidate: Candidate) -> None:
    alice_client.post(_url(candidate))

    response = alice_client.post(_url(candidate))

    assert response.status_code == HTTPStatus.NOT_FOUND
    assert AuditEvent.objects.filter(action="candidate.deleted").count() == 1


def test_other_workspace_gets_404(charlie_client: Client, candidate: Candidate) -> None:
    response = charlie_client.post(_url(candidate))

    assert response.status_code == HTTPStatus.NOT_FOUND
    assert _deleted(candidate) is False
    assert AuditEvent.objects.filter(action="candidate.deleted").exists() is False


def test_role_without_edit_rights_gets_403(
    client: Client, acme: Workspace, member_factory: Callable[..., User], candidate: Candidate
) -> None:
    client.force_login(member_factory("cora@acme.test", acme, Role.COORDINATOR))

    response = client.post(_url(candidate))

    assert response.status_code == HTTPStatus.FORBIDDEN
    assert _deleted(candidate) is False


def test_needs_a_post(alice_client: Client, candidate: Candidate) -> None:
    response = alice_client.get(_url(candidate))

    assert response.status_code == HTTPStatus.METHOD_NOT_ALLOWED
    assert _deleted(candidate) is False
