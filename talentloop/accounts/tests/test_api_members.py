"""/api/v1/me, /members and /invitations: who is acting, the team, and inviting to it."""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from collections.abc import Callable
from typing import Any

import pytest
import time_machine
from django.test import Client

from talentloop.accounts.models import ApiKey, Invitation, Membership, User, Workspace
from talentloop.accounts.roles import Role
from talentloop.compliance.models import AuditEvent
from talentloop.core.tests.api_helpers import (
    API,
    MISSING_ID,
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
ADMINS_ONLY = error("forbidden", "Only workspace admins can do this.")
NO_SUCH_MEMBER = error("not_found", "No such member.")
LAST_ADMIN = error("conflict", "A workspace needs at least one admin.", "role")


def _membership(user: User) -> Membership:
    return Membership.objects.get(user=user)


def _member(user: User) -> dict[str, Any]:
    membership = _membership(user)
    return {
        "id": membership.pk,
        "user_id": user.pk,
        "email": user.email,
        "full_name": user.full_name,
        "role": membership.role,
    }


# --- me --------------------------------------------------------------------------------------


def test_me_is_the_signed_in_member(alice_client: Client, alice: User, acme: Workspace) -> None:
    response = alice_client.get(f"{API}/me")

    assert response.status_code == 200
    assert response.json() == {
        "workspace_id": acme.pk,
        "workspace_name": "Acme Talent",
        "role": "admin",
        "user_id": alice.pk,
        "email": "alice@acme.test",
        "api_key_id": None,
    }


def test_me_has_the_member_role(bob_client: Client, charlie_client: Client) -> None:
    assert bob_client.get(f"{API}/me").json()["role"] == "recruiter"
    assert charlie_client.get(f"{API}/me").json()["workspace_name"] == "Globex Recruiting"


@pytest.mark.parametrize(("scope", "role"), [("read", "coordinator"), ("write", "recruiter")])
def test_me_is_the_key_for_a_key(
    client: Client, api_key_factory: Any, acme: Workspace, scope: str, role: str
) -> None:
    response = client.get(f"{API}/me", headers=bearer(api_key_factory(scope)))

    key = ApiKey.objects.get()
    assert response.json() == {
        "workspace_id": acme.pk,
        "workspace_name": "Acme Talent",
        "role": role,
        "user_id": None,
        "email": None,
        "api_key_id": key.pk,
    }


def test_refuses_me_without_authentication(client: Client, db: None) -> None:
    response = client.get(f"{API}/me")

    assert response.status_code == 401
    assert response.json() == UNAUTHENTICATED


def test_a_user_without_a_workspace_is_not_authenticated(db: None) -> None:
    loner = User.objects.create_user("loner@nowhere.test", "pw")
    client = Client()
    client.force_login(loner)

    response = client.get(f"{API}/me")

    assert response.status_code == 401
    assert response.json() == UNAUTHENTICATED


# --- members ---------------------------------------------------------------------------------


def test_lists_the_members_by_email(alice_client: Client, alice: User, bob: User) -> None:
    response = alice_client.get(f"{API}/members")

    assert response.status_code == 200
    assert response.json() == [_member(alice), _member(bob)]


def test_a_recruiter_lists_the_team(bob_client: Client, alice: User, bob: User) -> None:
    assert bob_client.get(f"{API}/members").json() == [_member(alice), _member(bob)]


def test_another_workspace_lists_only_its_own_members(
    charlie_client: Client, alice: User, charlie: User
) -> None:
    assert charlie_client.get(f"{API}/members").json() == [_member(charlie)]


def test_refuses_to_list_members_without_authentication(client: Client, alice: User) -> None:
    response = client.get(f"{API}/members")

    assert response.status_code == 401
    assert response.json() == UNAUTHENTICATED


@pytest.mark.parametrize("extra_members", [0, 8])
def test_lists_members_in_the_same_number_of_queries_however_many(
    alice_client: Client,
    acme: Workspace,
    member_factory: Callable[..., User],
    extra_members: int,
    django_assert_num_queries: Any,
) -> None:
    for n in range(extra_members):
        member_factory(f"member{n}@acme.test", acme, Role.SOURCER)

    # session, user, membership; the members with their users
    with django_assert_num_queries(4):
        response = alice_client.get(f"{API}/members")

    assert len(response.json()) == extra_members + 1


# --- change role -----------------------------------------------------------------------------


def test_changes_a_member_role(alice_client: Client, bob: User, alice: User) -> None:
    response = call(alice_client, "patch", f"/members/{_membership(bob).pk}", {"role": "sourcer"})

    assert response.status_code == 200
    assert response.json() == {**_member(bob), "role": "sourcer"}
    assert _membership(bob).role == "sourcer"
    event = AuditEvent.objects.get(action="member.role_changed")
    assert (event.actor_id, event.target_id, event.changes) == (
        alice.pk,
        bob.pk,
        {"role": ["recruiter", "sourcer"]},
    )


def test_refuses_a_recruiter_changing_roles(bob_client: Client, alice: User, bob: User) -> None:
    assert_refused(
        bob_client,
        "patch",
        f"/members/{_membership(bob).pk}",
        {"role": "admin"},
        status=403,
        body=ADMINS_ONLY,
    )


def test_refuses_to_change_another_workspace_member_like_a_missing_one(
    charlie_client: Client, bob: User
) -> None:
    assert_like_missing(
        lambda: call(charlie_client, "patch", f"/members/{_membership(bob).pk}", {"role": "admin"}),
        lambda: call(charlie_client, "patch", f"/members/{MISSING_ID}", {"role": "admin"}),
        body=NO_SUCH_MEMBER,
    )


def test_refuses_to_change_a_role_without_authentication(client: Client, bob: User) -> None:
    assert_refused(
        client,
        "patch",
        f"/members/{_membership(bob).pk}",
        {"role": "admin"},
        status=401,
        body=UNAUTHENTICATED,
    )


def test_refuses_to_change_a_role_with_a_read_key(
    client: Client, bob: User, api_key_factory: Any
) -> None:
    secret = api_key_factory("read")
    assert_refused(
        client,
        "patch",
        f"/members/{_membership(bob).pk}",
        {"role": "admin"},
        headers=bearer(secret),
        status=403,
        body=READ_ONLY_KEY,
    )


def test_refuses_an_unknown_role(alice_client: Client, bob: User) -> None:
    before = stored_state()

    response = call(alice_client, "patch", f"/members/{_membership(bob).pk}", {"role": "boss"})

    assert response.status_code == 422
    assert response.json() == error(
        "invalid",
        "Role is one of: admin, recruiter, sourcer, coordinator, hiring_manager, auditor.",
        "role",
    )
    assert stored_state() == before


def test_refuses_to_demote_the_last_admin(alice_client: Client, alice: User, bob: User) -> None:
    assert_refused(
        alice_client,
        "patch",
        f"/members/{_membership(alice).pk}",
        {"role": "recruiter"},
        status=409,
        body=LAST_ADMIN,
    )


# --- remove ----------------------------------------------------------------------------------


def test_removes_a_member_who_then_loses_access(
    alice_client: Client, bob_client: Client, bob: User, alice: User
) -> None:
    response = call(alice_client, "delete", f"/members/{_membership(bob).pk}")

    assert response.status_code == 204
    assert Membership.objects.filter(user=bob).exists() is False
    assert bob_client.get(f"{API}/candidates").status_code == 401
    event = AuditEvent.objects.get(action="member.removed")
    assert (event.actor_id, event.target_id) == (alice.pk, bob.pk)


def test_refuses_a_recruiter_removing_members(bob_client: Client, alice: User) -> None:
    assert_refused(
        bob_client, "delete", f"/members/{_membership(alice).pk}", status=403, body=ADMINS_ONLY
    )


def test_refuses_to_remove_another_workspace_member_like_a_missing_one(
    charlie_client: Client, bob: User
) -> None:
    assert_like_missing(
        lambda: call(charlie_client, "delete", f"/members/{_membership(bob).pk}"),
        lambda: call(charlie_client, "delete", f"/members/{MISSING_ID}"),
        body=NO_SUCH_MEMBER,
    )


def test_refuses_to_remove_a_member_without_authentication(client: Client, bob: User) -> None:
    assert_refused(
        client, "delete", f"/members/{_membership(bob).pk}", status=401, body=UNAUTHENTICATED
    )


def test_refuses_to_remove_the_last_admin(alice_client: Client, alice: User, bob: User) -> None:
    assert_refused(
        alice_client, "delete", f"/members/{_membership(alice).pk}", status=409, body=LAST_ADMIN
    )


# --- invitations -----------------------------------------------------------------------------


def test_invites_a_teammate_by_email(
    alice_client: Client,
    alice: User,
    mailoutbox: list[Any],
    django_capture_on_commit_callbacks: Any,
) -> None:
    with time_machine.travel(NOW, tick=False), django_capture_on_commit_callbacks(execute=True):
        response = call(
            alice_client,
            "post",
            "/invitations",
            {"email": " Dana@Example.test ", "role": "sourcer"},
        )

    assert response.status_code == 201
    invitation = Invitation.objects.get()
    assert response.json() == {
        "id": invitation.pk,
        "email": "dana@example.test",
        "role": "sourcer",
        "expires_at": "2026-03-08T09:00:00Z",
    }
    assert (invitation.workspace.slug, invitation.invited_by_id) == ("acme", alice.pk)
    assert [m.to for m in mailoutbox] == [["dana@example.test"]]
    assert mailoutbox[0].subject == "Alice Admin invited you to Acme Talent on Talentloop"
    token = re.search(r"/accounts/invitations/([^/]+)/", mailoutbox[0].body)
    assert token is not None
    assert hashlib.sha256(token.group(1).encode()).hexdigest() == invitation.token_hash
    assert AuditEvent.objects.get(action="member.invited").extra == {"role": "sourcer"}


def test_refuses_a_recruiter_inviting(bob_client: Client, mailoutbox: list[Any]) -> None:
    assert_refused(
        bob_client,
        "post",
        "/invitations",
        {"email": "dana@example.test", "role": "admin"},
        status=403,
        body=ADMINS_ONLY,
    )
    assert mailoutbox == []


def test_refuses_to_invite_without_authentication(client: Client, alice: User) -> None:
    assert_refused(
        client,
        "post",
        "/invitations",
        {"email": "dana@example.test", "role": "admin"},
        status=401,
        body=UNAUTHENTICATED,
    )


def test_refuses_to_invite_with_a_read_key(client: Client, api_key_factory: Any) -> None:
    secret = api_key_factory("read")
    assert_refused(
        client,
        "post",
        "/invitations",
        {"email": "dana@example.test", "role": "admin"},
        headers=bearer(secret),
        status=403,
        body=READ_ONLY_KEY,
    )


@pytest.mark.parametrize(
    ("payload", "status", "expected"),
    [
        (
            {"email": "BOB@acme.test", "role": "admin"},
            409,
            error("conflict", "bob@acme.test is already a member.", "email"),
        ),
        (
            {"email": "not-an-email", "role": "admin"},
            422,
            error("invalid", "'not-an-email' is not a valid e-mail address.", "email"),
        ),
        (
            {"email": "dana@example.test", "role": "boss"},
            422,
            error(
                "invalid",
                "Role is one of: admin, recruiter, sourcer, coordinator, hiring_manager, auditor.",
                "role",
            ),
        ),
    ],
)
def test_refuses_an_invalid_invitation(
    alice_client: Client,
    bob: User,
    payload: dict[str, Any],
    status: int,
    expected: dict[str, Any],
    mailoutbox: list[Any],
) -> None:
    before = stored_state()

    response = call(alice_client, "post", "/invitations", payload)

    assert response.status_code == status
    assert response.json() == expected
    assert stored_state() == before
    assert mailoutbox == []
