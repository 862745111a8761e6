from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import threading
import time
from collections.abc import Callable
from typing import Any

import pytest
import time_machine
from django.core import mail
from django.db import OperationalError, connection

from talentloop.accounts import services
from talentloop.accounts.models import Invitation, Membership, User, Workspace
from talentloop.accounts.roles import Role
from talentloop.accounts.services import (
    accept_invitation,
    change_member_role,
    find_invitation,
    invite_member,
    remove_member,
)
from talentloop.compliance.models import AuditEvent
from talentloop.core.actor import Actor
from talentloop.core.errors import Conflict, Forbidden, InvalidInput
from talentloop.core.tests.fixtures import actor_for

NOW = dt.datetime(2026, 5, 4, 9, 0, tzinfo=dt.UTC)
ACCEPT_PATH = "http://127.0.0.1:8000/accounts/invitations/"


@pytest.fixture(autouse=True)
def _site_url(settings: Any) -> None:
    settings.SITE_URL = "http://127.0.0.1:8000/"


@pytest.fixture
def invite(
    alice_actor: Actor, django_capture_on_commit_callbacks: Any
) -> Callable[..., tuple[Invitation, str]]:
    """Invite as alice and let the transaction commit (the e-mail leaves on commit)."""

    def make(email: str = "dana@example.com", role: str = Role.SOURCER) -> tuple[Invitation, str]:
        with django_capture_on_commit_callbacks(execute=True):
            return invite_member(actor=alice_actor, email=email, role=role)

    return make


# --- inviting ------------------------------------------------------------------------------


def test_invitation_stores_only_a_hash_of_its_token(
    invite: Callable[..., tuple[Invitation, str]],
) -> None:
    with time_machine.travel(NOW, tick=False):
        invitation, token = invite(" Dana@Example.com ")

        assert find_invitation(token) == invitation
        assert find_invitation(token + "x") is None

    invitation.refresh_from_db()
    assert invitation.email == "dana@example.com"
    assert invitation.role == Role.SOURCER
    assert invitation.token_hash == hashlib.sha256(token.encode()).hexdigest()
    assert token not in invitation.token_hash
    assert invitation.expires_at == NOW + dt.timedelta(days=7)


def test_invitation_is_emailed_with_the_accept_link(
    invite: Callable[..., tuple[Invitation, str]],
) -> None:
    _, token = invite()

    (message,) = mail.outbox
    assert message.to == ["dana@example.com"]
    assert message.subject == "Alice Admin invited you to Acme Talent on Talentloop"
    assert f"{ACCEPT_PATH}{token}/\n" in message.body
    assert "as sourcer" in message.body
    assert "Accept within 7 days" in message.body


def test_email_leaves_only_when_the_transaction_commits(
    alice_actor: Actor, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        invite_member(actor=alice_actor, email="dana@example.com", role=Role.SOURCER)

    assert mail.outbox == []
    assert len(callbacks) == 1


def test_inviting_is_audited(invite: Callable[..., tuple[Invitation, str]]) -> None:
    invitation, _ = invite()

    event = AuditEvent.objects.get(action=AuditEvent.Action.MEMBER_INVITED)
    assert (event.target_type, event.target_id, event.target_label) == (
        "invitation",
        invitation.pk,
        "dana@example.com",
    )
    assert event.extra == {"role": "sourcer"}


@pytest.mark.parametrize(
    ("email", "role", "error", "field"),
    [
        ("not an email", Role.SOURCER, InvalidInput, "email"),
        ("dana@example.com", "owner", InvalidInput, "role"),
        ("BOB@acme.test", Role.SOURCER, Conflict, "email"),  # already a member
    ],
)
def test_refuses_bad_invitations(
    alice_actor: Actor, bob: User, email: str, role: str, error: type[Exception], field: str
) -> None:
    with pytest.raises(error) as raised:
        invite_member(actor=alice_actor, email=email, role=role)

    assert raised.value.field == field  # type: ignore[attr-defined]
    assert Invitation.objects.exists() is False
    assert mail.outbox == []


def test_only_admins_invite(bob_actor: Actor) -> None:
    with pytest.raises(Forbidden):
        invite_member(actor=bob_actor, email="dana@example.com", role=Role.SOURCER)

    assert Invitation.objects.exists() is False


# --- accepting -----------------------------------------------------------------------------


def test_accepting_creates_the_account_and_membership(
    invite: Callable[..., tuple[Invitation, str]], acme: Workspace
) -> None:
    with time_machine.travel(NOW, tick=False):
        invitation, token = invite()
    accepted = NOW + dt.timedelta(days=6)

    with time_machine.travel(accepted, tick=False):
        user = accept_invitation(
            invitation=invitation, user=None, full_name=" Dana Scully ", password="trust-no-1-ever"
        )
        assert find_invitation(token) is None  # used up, though not yet expired

    assert (user.email, user.full_name) == ("dana@example.com", "Dana Scully")
    assert user.check_password("trust-no-1-ever") is True
    assert list(Membership.objects.filter(user=user).values_list("workspace_id", "role")) == [
        (acme.pk, "sourcer")
    ]
    invitation.refresh_from_db()
    assert invitation.accepted_at == accepted
    event = AuditEvent.objects.get(action=AuditEvent.Action.MEMBER_JOINED)
    assert (event.actor_id, event.target_id, event.extra) == (user.pk, user.pk, {"role": "sourcer"})


def test_accepting_twice_fails_and_creates_nothing_more(
    invite: Callable[..., tuple[Invitation, str]],
) -> None:
    invitation, _ = invite()
    accept_invitation(invitation=invitation, user=None, password="trust-no-1-ever")

    with pytest.raises(Conflict):
        accept_invitation(invitation=invitation, user=None, password="another-password")

    assert User.objects.filter(email="dana@example.com").count() == 1
    assert Membership.objects.filter(user__email="dana@example.com").count() == 1
    assert AuditEvent.objects.filter(action=AuditEvent.Action.MEMBER_JOINED).count() == 1


def test_a_stale_copy_of_the_invitation_cannot_be_reused(
    invite: Callable[..., tuple[Invitation, str]],
) -> None:
    # Two browser tabs loaded the invitation before either accepted it.
    invitation, _ = invite()
    stale = Invitation.objects.get(pk=invitation.pk)
    accept_invitation(invitation=invitation, user=None, password="trust-no-1-ever")

    with pytest.raises(Conflict):
        accept_invitation(invitation=stale, user=None, password="trust-no-1-ever")

    assert Membership.objects.filter(user__email="dana@example.com").count() == 1


def test_an_existing_user_joins_a_second_workspace(
    alice_actor: Actor,
    charlie: User,
    globex: Workspace,
    acme: Workspace,
    django_capture_on_commit_callbacks: Any,
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        invitation, _ = invite_member(
            actor=alice_actor, email="charlie@globex.test", role=Role.RECRUITER
        )

    accept_invitation(invitation=invitation, user=charlie)

    assert sorted(
        Membership.objects.filter(user=charlie).values_list("workspace__slug", "role")
    ) == [
        ("acme", "recruiter"),
        ("globex", "admin"),
    ]
    assert User.objects.filter(email="charlie@globex.test").count() == 1


def test_a_signed_in_user_cannot_take_someone_elses_invitation(
    invite: Callable[..., tuple[Invitation, str]], charlie: User
) -> None:
    invitation, token = invite()

    with pytest.raises(Forbidden):
        accept_invitation(invitation=invitation, user=charlie)

    assert find_invitation(token) == invitation
    assert Membership.objects.filter(user=charlie).count() == 1


def test_an_account_with_the_email_must_sign_in_first(
    alice_actor: Actor, charlie: User, django_capture_on_commit_callbacks: Any
) -> None:
    invitation, _ = invite_member(actor=alice_actor, email="charlie@globex.test", role="auditor")

    with pytest.raises(Conflict) as error:
        accept_invitation(invitation=invitation, user=None, password="whatever-password")

    assert error.value.field == "email"
    assert Membership.objects.filter(user=charlie).count() == 1


def test_an_expired_invitation_cannot_be_accepted(
    invite: Callable[..., tuple[Invitation, str]],
) -> None:
    with time_machine.travel(NOW, tick=False):
        invitation, token = invite()

    with time_machine.travel(NOW + dt.timedelta(days=7, seconds=1), tick=False):
        assert find_invitation(token) is None
        with pytest.raises(Conflict):
            accept_invitation(invitation=invitation, user=None, password="trust-no-1-ever")

    assert User.objects.filter(email="dana@example.com").exists() is False


def test_a_revoked_invitation_cannot_be_accepted(
    invite: Callable[..., tuple[Invitation, str]],
) -> None:
    invitation, token = invite()
    Invitation.objects.filter(pk=invitation.pk).update(revoked_at=NOW)

    assert find_invitation(token) is None
    with pytest.raises(Conflict):
        accept_invitation(invitation=invitation, user=None, password="trust-no-1-ever")


# --- the last admin ------------------------------------------------------------------------


def _membership(user: User) -> Membership:
    return Membership.objects.get(user=user)


def test_the_last_admin_cannot_be_demoted(alice_actor: Actor, alice: User, bob: User) -> None:
    with pytest.raises(Conflict) as error:
        change_member_role(actor=alice_actor, membership=_membership(alice), role=Role.RECRUITER)

    assert error.value.message == "A workspace needs at least one admin."
    assert _membership(alice).role == Role.ADMIN
    assert AuditEvent.objects.filter(action=AuditEvent.Action.MEMBER_ROLE_CHANGED).exists() is False


def test_the_last_admin_cannot_be_removed(alice_actor: Actor, alice: User) -> None:
    with pytest.raises(Conflict):
        remove_member(actor=alice_actor, membership=_membership(alice))

    assert _membership(alice).role == Role.ADMIN


def test_an_admin_can_step_down_when_another_remains(
    alice_actor: Actor, alice: User, bob: User
) -> None:
    change_member_role(actor=alice_actor, membership=_membership(bob), role=Role.ADMIN)

    change_member_role(actor=alice_actor, membership=_membership(alice), role=Role.RECRUITER)

    assert _membership(alice).role == Role.RECRUITER
    events = AuditEvent.objects.filter(action=AuditEvent.Action.MEMBER_ROLE_CHANGED).order_by("id")
    assert [e.changes for e in events] == [
        {"role": ["recruiter", "admin"]},
        {"role": ["admin", "recruiter"]},
    ]


def test_an_admin_of_another_workspace_does_not_count(
    alice_actor: Actor, alice: User, charlie: User
) -> None:
    with pytest.raises(Conflict):
        change_member_role(actor=alice_actor, membership=_membership(alice), role=Role.AUDITOR)


def test_a_member_is_removed(alice_actor: Actor, bob: User) -> None:
    remove_member(actor=alice_actor, membership=_membership(bob))

    assert Membership.objects.filter(user=bob).exists() is False
    assert User.objects.filter(pk=bob.pk).exists() is True  # the account stays
    event = AuditEvent.objects.get(action=AuditEvent.Action.MEMBER_REMOVED)
    assert event.target_id == bob.pk


def test_only_admins_change_roles(bob_actor: Actor, alice: User, bob: User) -> None:
    with pytest.raises(Forbidden):
        change_member_role(actor=bob_actor, membership=_membership(bob), role=Role.ADMIN)
    with pytest.raises(Forbidden):
        remove_member(actor=bob_actor, membership=_membership(alice))

    assert _membership(bob).role == Role.RECRUITER
    assert _membership(alice).role == Role.ADMIN


def test_refuses_an_unknown_role(alice_actor: Actor, bob: User) -> None:
    with pytest.raises(InvalidInput) as error:
        change_member_role(actor=alice_actor, membership=_membership(bob), role="owner")

    assert error.value.field == "role"
    assert _membership(bob).role == Role.RECRUITER


@pytest.mark.django_db(transaction=True)
def test_two_admins_demoting_each_other_at_once_leave_one_admin(
    alice: User, bob: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    Membership.objects.filter(user=bob).update(role=Role.ADMIN)
    # Hold each call just after its check, so that without a lock both checks see the other
    # admin before either demotion is saved.
    both_checked = threading.Barrier(2)
    real_check = services._ensure_other_admin

    def check_then_wait(membership: Membership) -> None:
        real_check(membership)
        with contextlib.suppress(threading.BrokenBarrierError):
            both_checked.wait(timeout=2)

    monkeypatch.setattr(services, "_ensure_other_admin", check_then_wait)
    outcomes: dict[str, str] = {}

    def step_down(user: User) -> None:
        try:
            for _ in range(400):
                try:
                    change_member_role(
                        actor=actor_for(user), membership=_membership(user), role=Role.RECRUITER
                    )
                    outcomes[user.email] = "demoted"
                    return
                except OperationalError as error:  # SQLite's shared test database: retry
                    if "locked" not in str(error):
                        raise
                    time.sleep(0.01)
        except Conflict:
            outcomes[user.email] = "refused"
        finally:
            connection.close()

    threads = [threading.Thread(target=step_down, args=(user,)) for user in (alice, bob)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert sorted(outcomes.values()) == ["demoted", "refused"]
    assert Membership.objects.filter(role=Role.ADMIN).count() == 1
