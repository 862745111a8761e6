"""Accepting an invitation: a new account, or a signed-in person joining another workspace."""

from __future__ import annotations

import datetime as dt
from http import HTTPStatus

import time_machine
from django.test import Client

from talentloop.accounts.models import Invitation, Membership, User, Workspace
from talentloop.accounts.services import invite_member
from talentloop.compliance.models import AuditEvent
from talentloop.core.actor import Actor

GOOD_PASSWORD = "violet-harbour-lantern"


def _url(token: str) -> str:
    return f"/accounts/invitations/{token}/"


def test_shows_workspace_and_role_to_a_newcomer(client: Client, alice_actor: Actor) -> None:
    _, token = invite_member(actor=alice_actor, email="dana@example.test", role="sourcer")

    response = client.get(_url(token))

    assert response.status_code == HTTPStatus.OK
    html = response.content.decode()
    assert "<h1>Join Acme Talent</h1>" in html
    assert "<strong>Sourcer</strong> (dana@example.test)" in html
    assert 'name="full_name"' in html
    assert 'name="password"' in html


def test_newcomer_creates_an_account_and_joins(
    client: Client, alice_actor: Actor, acme: Workspace
) -> None:
    invitation, token = invite_member(actor=alice_actor, email="dana@example.test", role="sourcer")

    response = client.post(_url(token), {"full_name": "Dana Diaz", "password": GOOD_PASSWORD})

    assert response.status_code == HTTPStatus.FOUND
    assert response["Location"] == "/"
    dana = User.objects.get(email="dana@example.test")
    assert dana.full_name == "Dana Diaz"
    assert dana.check_password(GOOD_PASSWORD) is True
    assert list(Membership.objects.filter(user=dana).values_list("workspace_id", "role")) == [
        (acme.pk, "sourcer")
    ]
    invitation.refresh_from_db()
    assert invitation.accepted_at is not None
    assert client.session["_auth_user_id"] == str(dana.pk)
    home = client.get("/")
    assert home.context["actor"].workspace == acme
    assert AuditEvent.objects.filter(action="member.joined", actor=dana).count() == 1


def test_common_password_is_refused_and_nothing_is_created(
    client: Client, alice_actor: Actor
) -> None:
    invitation, token = invite_member(actor=alice_actor, email="dana@example.test", role="sourcer")

    response = client.post(_url(token), {"full_name": "Dana Diaz", "password": "1234567890"})

    assert response.status_code == HTTPStatus.UNPROCESSABLE_ENTITY
    assert response.context["form"].errors == {"password": ["This password is too common."]}
    assert User.objects.filter(email="dana@example.test").exists() is False
    invitation.refresh_from_db()
    assert invitation.accepted_at is None


def test_missing_name_is_a_field_error(client: Client, alice_actor: Actor) -> None:
    _, token = invite_member(actor=alice_actor, email="dana@example.test", role="sourcer")

    response = client.post(_url(token), {"full_name": "", "password": GOOD_PASSWORD})

    assert response.status_code == HTTPStatus.UNPROCESSABLE_ENTITY
    assert response.context["form"].errors == {"full_name": ["This field is required."]}
    assert User.objects.filter(email="dana@example.test").exists() is False


def test_signed_in_user_joins_with_one_click(
    charlie_client: Client, charlie: User, alice_actor: Actor, acme: Workspace
) -> None:
    invitation, token = invite_member(
        actor=alice_actor, email="charlie@globex.test", role="recruiter"
    )

    page = charlie_client.get(_url(token))
    response = charlie_client.post(_url(token))

    assert "You are signed in as charlie@globex.test." in page.content.decode()
    assert 'name="password"' not in page.content.decode()
    assert response.status_code == HTTPStatus.FOUND
    assert response["Location"] == "/"
    memberships = Membership.objects.filter(user=charlie).values_list("workspace__slug", "role")
    assert sorted(memberships) == [("acme", "recruiter"), ("globex", "admin")]
    invitation.refresh_from_db()
    assert invitation.accepted_at is not None
    # The session now acts in the workspace just joined.
    assert charlie_client.get("/").context["actor"].workspace == acme


def test_signed_in_user_with_another_address_cannot_take_it(
    bob_client: Client, bob: User, alice_actor: Actor
) -> None:
    invitation, token = invite_member(actor=alice_actor, email="dana@example.test", role="admin")

    response = bob_client.post(_url(token))

    assert response.status_code == HTTPStatus.UNPROCESSABLE_ENTITY
    assert response.context["form"].non_field_errors() == [
        "This invitation is for another e-mail address."
    ]
    assert list(Membership.objects.filter(user=bob).values_list("role", flat=True)) == ["recruiter"]
    invitation.refresh_from_db()
    assert invitation.accepted_at is None


def test_newcomer_whose_address_has_an_account_is_told_to_sign_in(
    client: Client, charlie: User, alice_actor: Actor
) -> None:
    invitation, token = invite_member(
        actor=alice_actor, email="charlie@globex.test", role="recruiter"
    )

    response = client.post(_url(token), {"full_name": "Imposter", "password": GOOD_PASSWORD})

    assert response.status_code == HTTPStatus.UNPROCESSABLE_ENTITY
    assert response.context["form"].non_field_errors() == [
        "An account with this e-mail exists: sign in first."
    ]
    charlie.refresh_from_db()
    assert charlie.full_name == "Charlie Other"
    assert Membership.objects.filter(user=charlie).count() == 1
    invitation.refresh_from_db()
    assert invitation.accepted_at is None


def test_used_invitation_is_a_404_page(client: Client, alice_actor: Actor) -> None:
    _, token = invite_member(actor=alice_actor, email="dana@example.test", role="sourcer")
    client.post(_url(token), {"full_name": "Dana Diaz", "password": GOOD_PASSWORD})

    again = Client().get(_url(token))
    posted = Client().post(_url(token), {"full_name": "Eve", "password": GOOD_PASSWORD})

    assert again.status_code == HTTPStatus.NOT_FOUND
    assert "This invitation is not valid" in again.content.decode()
    assert posted.status_code == HTTPStatus.NOT_FOUND
    assert User.objects.filter(full_name="Eve").exists() is False


def test_expired_invitation_is_a_404_page(client: Client, alice_actor: Actor) -> None:
    invitation, token = invite_member(actor=alice_actor, email="dana@example.test", role="sourcer")

    with time_machine.travel(invitation.expires_at + dt.timedelta(seconds=1), tick=False):
        response = client.post(_url(token), {"full_name": "Dana", "password": GOOD_PASSWORD})

    assert response.status_code == HTTPStatus.NOT_FOUND
    assert "This invitation is not valid" in response.content.decode()
    assert User.objects.filter(email="dana@example.test").exists() is False


def test_revoked_invitation_is_a_404_page(client: Client, alice_actor: Actor) -> None:
    invitation, token = invite_member(actor=alice_actor, email="dana@example.test", role="sourcer")
    Invitation.objects.filter(pk=invitation.pk).update(revoked_at=invitation.created_at)

    response = client.get(_url(token))

    assert response.status_code == HTTPStatus.NOT_FOUND


def test_unknown_token_is_a_404_page(client: Client, alice: User) -> None:
    response = client.get(_url("not-a-real-token"))

    assert response.status_code == HTTPStatus.NOT_FOUND
    assert "This invitation is not valid" in response.content.decode()
