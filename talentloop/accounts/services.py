"""Workspaces, members, invitations and API keys."""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from typing import Any

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify

from talentloop.accounts.models import ApiKey, Invitation, Membership, User, Workspace
from talentloop.accounts.roles import Capability, Role
from talentloop.accounts.selectors import active_api_key, forget_api_key
from talentloop.candidates.normalize import NormalizationError, normalize_email
from talentloop.compliance import audit
from talentloop.core.actor import Actor
from talentloop.core.errors import Conflict, Forbidden, InvalidInput

INVITATION_DAYS = 7
API_KEY_PREFIX = "tl_"


def _hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def _require_admin(actor: Actor) -> None:
    if not actor.can(Capability.MANAGE_WORKSPACE):
        raise Forbidden("Only workspace admins can do this.")


@transaction.atomic
def create_workspace(*, name: str, owner: User) -> Workspace:
    """Create a workspace with `owner` as its first admin."""
    name = name.strip()
    if not name or len(name) > 200:
        raise InvalidInput("A workspace name is 1 to 200 characters.", field="name")
    base = slugify(name)[:50] or "workspace"
    slug, n = base, 1
    while Workspace.objects.filter(slug=slug).exists():
        n += 1
        slug = f"{base}-{n}"
    workspace = Workspace.objects.create(
        name=name, slug=slug, default_phone_region=settings.DEFAULT_PHONE_REGION
    )
    Membership.objects.create(user=owner, workspace=workspace, role=Role.ADMIN)
    return workspace


@transaction.atomic
def invite_member(*, actor: Actor, email: str, role: str) -> tuple[Invitation, str]:
    """Invite `email` to the workspace with `role` and e-mail them a link.

    Returns the invitation and its token (the token is stored only as a hash).
    """
    _require_admin(actor)
    try:
        email = normalize_email(email)
    except NormalizationError as error:
        raise InvalidInput(str(error), field="email") from None
    if role not in Role.values:
        raise InvalidInput(f"Role is one of: {', '.join(Role.values)}.", field="role")
    if Membership.objects.filter(workspace=actor.workspace, user__email=email).exists():
        raise Conflict(f"{email} is already a member.", field="email")
    token = secrets.token_urlsafe(32)
    invitation = Invitation.objects.create(
        workspace=actor.workspace,
        email=email,
        role=role,
        token_hash=_hash(token),
        invited_by=actor.user,
        expires_at=timezone.now() + dt.timedelta(days=INVITATION_DAYS),
    )
    audit.record(
        actor=actor,
        action=audit.Action.MEMBER_INVITED,
        target=invitation,
        target_label=email,
        extra={"role": role},
    )
    link = settings.SITE_URL.rstrip("/") + reverse("accounts:accept_invitation", args=[token])
    inviter = actor.user.display_name if actor.user else actor.workspace.name
    transaction.on_commit(
        lambda: send_mail(
            subject=f"{inviter} invited you to {actor.workspace.name} on Talentloop",
            message=(
                f"{inviter} invited you to join {actor.workspace.name} on Talentloop "
                f"as {Role(role).label.lower()}.\n\nAccept within {INVITATION_DAYS} days:\n"
                f"{link}\n"
            ),
            from_email=None,
            recipient_list=[email],
        )
    )
    return invitation, token


def find_invitation(token: str) -> Invitation | None:
    """The usable invitation for this token, or None."""
    invitation = (
        Invitation.objects.select_related("workspace").filter(token_hash=_hash(token)).first()
    )
    return invitation if invitation and invitation.is_usable else None


@transaction.atomic
def accept_invitation(
    *, invitation: Invitation, user: User | None, full_name: str = "", password: str = ""
) -> User:
    """Join the invited workspace, creating the account first when `user` is None.

    Accepting twice, or after expiry, raises Conflict.
    """
    invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
    if not invitation.is_usable:
        raise Conflict("This invitation was used, revoked or has expired.")
    if user is None:
        if User.objects.filter(email=invitation.email).exists():
            raise Conflict("An account with this e-mail exists: sign in first.", field="email")
        user = User.objects.create_user(invitation.email, password, full_name=full_name.strip())
    elif user.email != invitation.email:
        raise Forbidden("This invitation is for another e-mail address.")
    Membership.objects.get_or_create(
        user=user, workspace=invitation.workspace, defaults={"role": invitation.role}
    )
    invitation.accepted_at = timezone.now()
    invitation.save(update_fields=["accepted_at"])
    joined = Actor(workspace=invitation.workspace, role=Role(invitation.role), user=user)
    audit.record(
        actor=joined,
        action=audit.Action.MEMBER_JOINED,
        target=user,
        extra={"role": invitation.role},
    )
    return user


@transaction.atomic
def change_member_role(*, actor: Actor, membership: Membership, role: str) -> Membership:
    """Change a member's role. The last admin cannot be demoted."""
    _require_admin(actor)
    if role not in Role.values:
        raise InvalidInput(f"Role is one of: {', '.join(Role.values)}.", field="role")
    if membership.role == Role.ADMIN and role != Role.ADMIN:
        _ensure_other_admin(membership)
    old = membership.role
    membership.role = role
    membership.save(update_fields=["role"])
    audit.record(
        actor=actor,
        action=audit.Action.MEMBER_ROLE_CHANGED,
        target=membership.user,
        changes={"role": [old, role]},
    )
    return membership


MAX_STALE_MONTHS = 120


@transaction.atomic
def update_workspace_settings(*, actor: Actor, stale_after_months: Any) -> Workspace:
    """Change the workspace's settings (admins only). `stale_after_months`: profiles not
    changed or confirmed for this long are flagged "needs refresh"; 0 turns the rule off."""
    _require_admin(actor)
    months = stale_after_months
    if (
        isinstance(months, bool)
        or not isinstance(months, int)
        or not 0 <= months <= MAX_STALE_MONTHS
    ):
        raise InvalidInput(
            f"Must be a whole number of months from 0 to {MAX_STALE_MONTHS}.",
            field="stale_after_months",
        )
    workspace = actor.workspace
    old = workspace.stale_after_months
    if old != months:
        workspace.stale_after_months = months
        workspace.save(update_fields=["stale_after_months"])
        audit.record(
            actor=actor,
            action=audit.Action.WORKSPACE_CHANGED,
            target=workspace,
            changes={"stale_after_months": [old, months]},
        )
    return workspace


@transaction.atomic
def remove_member(*, actor: Actor, membership: Membership) -> None:
    _require_admin(actor)
    if membership.role == Role.ADMIN:
        _ensure_other_admin(membership)
    audit.record(actor=actor, action=audit.Action.MEMBER_REMOVED, target=membership.user)
    membership.delete()


def _ensure_other_admin(membership: Membership) -> None:
    # Lock the workspace first: two admins demoting each other at once would otherwise both see
    # the other as the remaining admin (PostgreSQL; SQLite runs one writer at a time anyway).
    Workspace.objects.select_for_update().get(pk=membership.workspace_id)
    others = Membership.objects.filter(workspace=membership.workspace, role=Role.ADMIN).exclude(
        pk=membership.pk
    )
    if not others.exists():
        raise Conflict("A workspace needs at least one admin.", field="role")


@transaction.atomic
def create_api_key(*, actor: Actor, name: str, scope: str) -> tuple[ApiKey, str]:
    """Create an API key and return it with its secret, which is never shown again."""
    _require_admin(actor)
    name = name.strip()
    if not name or len(name) > 100:
        raise InvalidInput("A name is 1 to 100 characters.", field="name")
    if scope not in ApiKey.Scope.values:
        raise InvalidInput("Scope is read or write.", field="scope")
    secret = API_KEY_PREFIX + secrets.token_urlsafe(32)
    key = ApiKey.objects.create(
        workspace=actor.workspace,
        name=name,
        prefix=secret[:10],
        key_hash=_hash(secret),
        scope=scope,
        created_by=actor.user,
    )
    audit.record(
        actor=actor, action=audit.Action.API_KEY_CREATED, target=key, extra={"scope": scope}
    )
    return key, secret


@transaction.atomic
def revoke_api_key(*, actor: Actor, key: ApiKey) -> ApiKey:
    """Revoke the key at once. Revoking twice is harmless."""
    _require_admin(actor)
    if key.revoked_at is None:
        key.revoked_at = timezone.now()
        key.save(update_fields=["revoked_at"])
        audit.record(actor=actor, action=audit.Action.API_KEY_REVOKED, target=key)
        # Now, and again once committed, in case a request read the key in between.
        forget_api_key(key.key_hash)
        transaction.on_commit(lambda: forget_api_key(key.key_hash))
    return key


def authenticate_api_key(secret: str) -> ApiKey | None:
    """The active key with this secret, or None. Marks it used at most once a minute."""
    if not secret.startswith(API_KEY_PREFIX) or len(secret) > 100:
        return None
    key = active_api_key(_hash(secret))
    if key is None:
        return None
    now = timezone.now()
    if key.last_used_at is None or now - key.last_used_at > dt.timedelta(minutes=1):
        # Throttled so a busy integration does not turn every read into a write; the next
        # use reads the key afresh, so its recent row holds this time.
        ApiKey.objects.filter(pk=key.pk).update(last_used_at=now)
        forget_api_key(key.key_hash)
    return key


def api_key_role(key: ApiKey) -> Role:
    """Write keys act as a recruiter; read keys as an auditor-like reader without audit access."""
    return Role.RECRUITER if key.scope == ApiKey.Scope.WRITE else Role.COORDINATOR
