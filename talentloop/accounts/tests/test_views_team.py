"""The team page: members and roles for everyone; invitations, role changes, removal for admins."""

from __future__ import annotations

import re
from collections.abc import Callable
from http import HTTPStatus
from typing import Any

from django.test import Client

from talentloop.accounts.models import Invitation, Membership, User, Workspace
from talentloop.compliance.models import AuditEvent

TEAM = "/accounts/team/"


def _roles(workspace: Workspace) -> list[tuple[str, str]]:
    return list(
        Membership.objects.filter(workspace=workspace)
        .order_by("user__email")
        .values_list("user__email", "role")
    )


def test_anonymous_is_sent_to_sign_in(client: Client) -> None:
    response = client.get(TEAM)

    assert response.status_code == HTTPStatus.FOUND
    assert response["Location"] == "/accounts/login/?next=/accounts/team/"


def test_lists_the_members_of_my_workspace_only(
    alice_client: Client, bob: User, charlie: User
) -> None:
    response = alice_client.get(TEAM)

    assert response.status_code == HTTPStatus.OK
    assert [m.user.email for m in response.context["members"]] == [
        "alice@acme.test",
        "bob@acme.test",
    ]
    assert "charlie@globex.test" not in response.content.decode()


def test_admin_invites_a_teammate_who_gets_a_working_link(
    alice_client: Client,
    acme: Workspace,
    mailoutbox: list[Any],
    django_capture_on_commit_callbacks: Callable[..., Any],
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        response = alice_client.post(TEAM, {"email": "Dana@Example.test", "role": "sourcer"})

    assert response.status_code == HTTPStatus.FOUND
    assert response["Location"] == TEAM
    invitation = Invitation.objects.get()
    assert (invitation.workspace, invitation.email, invitation.role) == (
        acme,
        "dana@example.test",
        "sourcer",
    )
    assert len(mailoutbox) == 1
    assert mailoutbox[0].to == ["dana@example.test"]
    assert mailoutbox[0].subject == "Alice Admin invited you to Acme Talent on Talentloop"
    (path,) = re.findall(r"https?://[^/\s]+(/accounts/invitations/\S+/)", mailoutbox[0].body)
    assert Client().get(path).status_code == HTTPStatus.OK
    page = alice_client.get(TEAM)
    assert [i.email for i in page.context["invitations"]] == ["dana@example.test"]
    assert "Invitation sent to Dana@Example.test." in page.content.decode()


def test_inviting_a_member_again_is_a_field_error(
    alice_client: Client, bob: User, mailoutbox: list[Any]
) -> None:
    response = alice_client.post(TEAM, {"email": "bob@acme.test", "role": "admin"})

    assert response.status_code == HTTPStatus.UNPROCESSABLE_ENTITY
    assert response.context["form"].errors == {"email": ["bob@acme.test is already a member."]}
    assert Invitation.objects.exists() is False
    assert mailoutbox == []


def test_invalid_e_mail_is_a_field_error(alice_client: Client) -> None:
    response = alice_client.post(TEAM, {"email": "not-an-address", "role": "sourcer"})

    assert response.status_code == HTTPStatus.UNPROCESSABLE_ENTITY
    assert response.context["form"].errors == {"email": ["Enter a valid email address."]}
    assert Invitation.objects.exists() is False


def test_recruiter_sees_the_team_without_admin_controls(bob_client: Client) -> None:
    response = bob_client.get(TEAM)

    assert response.status_code == HTTPStatus.OK
    html = response.content.decode()
    assert "Invite a teammate" not in html
    assert "/role" not in html
    assert "/remove" not in html


def test_recruiter_cannot_invite(
    bob_client: Client,
    mailoutbox: list[Any],
    django_capture_on_commit_callbacks: Callable[..., Any],
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        response = bob_client.post(TEAM, {"email": "dana@example.test", "role": "admin"})

    assert response.status_code == HTTPStatus.FORBIDDEN
    assert Invitation.objects.exists() is False
    assert mailoutbox == []
    assert AuditEvent.objects.filter(action="member.invited").exists() is False


def test_admin_changes_a_role(alice_client: Client, bob: User, acme: Workspace) -> None:
    membership = Membership.objects.get(user=bob)

    response = alice_client.post(f"/accounts/team/{membership.pk}/role", {"role": "sourcer"})

    assert response.status_code == HTTPStatus.FOUND
    assert response["Location"] == TEAM
    assert _roles(acme) == [("alice@acme.test", "admin"), ("bob@acme.test", "sourcer")]
    event = AuditEvent.objects.get(action="member.role_changed")
    assert event.changes == {"role": ["recruiter", "sourcer"]}


def test_last_admin_cannot_demote_themself(
    alice_client: Client, alice: User, bob: User, acme: Workspace
) -> None:
    membership = Membership.objects.get(user=alice)

    response = alice_client.post(
        f"/accounts/team/{membership.pk}/role", {"role": "recruiter"}, follow=True
    )

    assert "A workspace needs at least one admin." in response.content.decode()
    assert _roles(acme) == [("alice@acme.test", "admin"), ("bob@acme.test", "recruiter")]


def test_recruiter_cannot_change_roles(bob_client: Client, alice: User, acme: Workspace) -> None:
    membership = Membership.objects.get(user=alice)

    response = bob_client.post(f"/accounts/team/{membership.pk}/role", {"role": "auditor"})

    assert response.status_code == HTTPStatus.FORBIDDEN
    assert _roles(acme) == [("alice@acme.test", "admin"), ("bob@acme.test", "recruiter")]


def test_other_workspace_admin_gets_404_on_role_change(
    charlie_client: Client, alice: User, bob: User, acme: Workspace
) -> None:
    membership = Membership.objects.get(user=bob)

    response = charlie_client.post(f"/accounts/team/{membership.pk}/role", {"role": "admin"})

    assert response.status_code == HTTPStatus.NOT_FOUND
    assert _roles(acme) == [("alice@acme.test", "admin"), ("bob@acme.test", "recruiter")]


def test_admin_removes_a_member(alice_client: Client, bob: User, acme: Workspace) -> None:
    membership = Membership.objects.get(user=bob)

    response = alice_client.post(f"/accounts/team/{membership.pk}/remove")

    assert response.status_code == HTTPStatus.FOUND
    assert _roles(acme) == [("alice@acme.test", "admin")]
    assert AuditEvent.objects.filter(action="member.removed", target_id=bob.pk).count() == 1


def test_recruiter_cannot_remove_members(bob_client: Client, alice: User, acme: Workspace) -> None:
    membership = Membership.objects.get(user=alice)

    response = bob_client.post(f"/accounts/team/{membership.pk}/remove")

    assert response.status_code == HTTPStatus.FORBIDDEN
    assert _roles(acme) == [("alice@acme.test", "admin"), ("bob@acme.test", "recruiter")]


def test_other_workspace_admin_gets_404_on_remove(
    charlie_client: Client, alice: User, bob: User, acme: Workspace
) -> None:
    membership = Membership.objects.get(user=bob)

    response = charlie_client.post(f"/accounts/team/{membership.pk}/remove")

    assert response.status_code == HTTPStatus.NOT_FOUND
    assert _roles(acme) == [("alice@acme.test", "admin"), ("bob@acme.test", "recruiter")]


def test_role_change_and_removal_need_a_post(
    alice_client: Client, bob: User, acme: Workspace
) -> None:
    membership = Membership.objects.get(user=bob)

    assert alice_client.get(f"/accounts/team/{membership.pk}/remove").status_code == 405
    assert alice_client.get(f"/accounts/team/{membership.pk}/role").status_code == 405
    assert _roles(acme) == [("alice@acme.test", "admin"), ("bob@acme.test", "recruiter")]
