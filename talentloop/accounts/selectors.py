"""Reads of members, invitations and keys, and the request's acting identity."""

from __future__ import annotations

from django.conf import settings
from django.db import connection
from django.db.models import QuerySet
from django.http import HttpRequest

from talentloop.accounts.models import ApiKey, Invitation, Membership, User, Workspace
from talentloop.accounts.roles import Capability, Role
from talentloop.core import rows
from talentloop.core.actor import Actor
from talentloop.core.errors import Forbidden, NotFound
from talentloop.core.expiring import ExpiringValues

SESSION_WORKSPACE = "workspace_id"


def client_ip(request: HttpRequest) -> str | None:
    """The client's address; X-Forwarded-For is believed only for TRUSTED_PROXIES hops."""
    if settings.TRUSTED_PROXIES:
        header: str = request.META.get("HTTP_X_FORWARDED_FOR", "")
        forwarded = [part.strip() for part in header.split(",") if part.strip()]
        if len(forwarded) >= settings.TRUSTED_PROXIES:
            return forwarded[-settings.TRUSTED_PROXIES]
    address: str | None = request.META.get("REMOTE_ADDR") or None
    return address


def actor_for_user(request: HttpRequest, user: User) -> Actor | None:
    """The member acting in the session's workspace (or their first), None without one."""
    wanted = request.session.get(SESSION_WORKSPACE)
    # Every page asks this, so it is one hand-written query rather than an ORM one (core/rows).
    sql = (
        f"SELECT {rows.columns(Workspace, 'w')}, m.role "  # noqa: S608 - names from our models
        f"FROM {Membership._meta.db_table} m "
        f"JOIN {Workspace._meta.db_table} w ON w.id = m.workspace_id "
        "WHERE m.user_id = %s ORDER BY CASE WHEN m.workspace_id = %s THEN 0 ELSE 1 END, m.id "
        "LIMIT 1"
    )
    wanted_id = wanted if isinstance(wanted, int) else None
    found = rows.fetch_one(sql, [user.pk, wanted_id], Workspace, extra=1)
    if found is None:
        return None
    workspace, role = found
    return Actor(workspace=workspace, role=Role(role), user=user, ip=client_ip(request))


# Key hash -> the key's row, per process: see `active_api_key`.
_recent_keys = ExpiringValues(max_size=1000)


def active_api_key(key_hash: str) -> ApiKey | None:
    """The unrevoked key with this hash, its workspace loaded. Every API request asks, so it is
    one hand-written query (core/rows), and a key's row read in the last
    `API_KEY_CACHE_SECONDS` is used again without one: the lookup was a fifth of a profile
    API request's CPU. `revoke_api_key` forgets the key at once in its own process; other
    processes stop taking it within those seconds. Each call builds its own instances."""
    seconds = settings.API_KEY_CACHE_SECONDS
    row = _recent_keys.get(key_hash, seconds)
    if row is None:
        sql = (
            f"SELECT {rows.columns(ApiKey, 'k')}, {rows.columns(Workspace, 'w')} "  # noqa: S608
            f"FROM {ApiKey._meta.db_table} k "
            f"JOIN {Workspace._meta.db_table} w ON w.id = k.workspace_id "
            "WHERE k.key_hash = %s AND k.revoked_at IS NULL"
        )
        found = rows.fetch_row(sql, [key_hash])
        if found is None:
            _recent_keys.forget(key_hash)
            return None
        row = found
        if seconds > 0:
            _recent_keys.put(key_hash, row)
    key, workspace = rows.split(row, ApiKey, Workspace)
    key.workspace = workspace
    return key  # type: ignore[no-any-return]


def forget_api_key(key_hash: str) -> None:
    """Read this key afresh on its next use in this process (revoked, or its row changed)."""
    _recent_keys.forget(key_hash)


def member_actor(user: User, workspace: Workspace | None = None) -> Actor:
    """The actor of `user` in `workspace` (or their first), for commands and scripts."""
    memberships = Membership.objects.select_related("workspace").filter(user=user)
    if workspace is not None:
        memberships = memberships.filter(workspace=workspace)
    membership = memberships.order_by("id").first()
    if membership is None:
        raise NotFound(f"{user.email} is not a member of that workspace.")
    return Actor(workspace=membership.workspace, role=Role(membership.role), user=user)


def member_names(actor: Actor) -> list[tuple[int, str]]:
    """(user id, display name) of the workspace's members by e-mail, for owner menus. By plain
    cursor: the candidate list asks on every page, and the ORM query cost 0.9 ms of CPU."""
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT u.id, u.full_name, u.email FROM {Membership._meta.db_table} m "  # noqa: S608
            f"JOIN {User._meta.db_table} u ON u.id = m.user_id "
            "WHERE m.workspace_id = %s ORDER BY u.email",
            [actor.workspace.pk],
        )
        found = cursor.fetchall()
    return [(pk, User(full_name=name, email=email).display_name) for pk, name, email in found]


def workspace_members(actor: Actor) -> QuerySet[Membership]:
    return (
        Membership.objects.filter(workspace=actor.workspace)
        .select_related("user")
        .order_by("user__email")
    )


def access_membership(actor: Actor, membership_id: int) -> Membership:
    try:
        return workspace_members(actor).get(pk=membership_id)
    except (Membership.DoesNotExist, ValueError, TypeError, OverflowError):
        raise NotFound("No such member.") from None


def access_api_key(actor: Actor, key_id: int) -> ApiKey:
    if not actor.can(Capability.MANAGE_WORKSPACE):
        raise Forbidden("Only workspace admins can manage API keys.")
    try:
        return ApiKey.objects.get(pk=key_id, workspace=actor.workspace)
    except (ApiKey.DoesNotExist, ValueError, TypeError, OverflowError):
        raise NotFound("No such API key.") from None


def workspace_api_keys(actor: Actor) -> QuerySet[ApiKey]:
    if not actor.can(Capability.MANAGE_WORKSPACE):
        raise Forbidden("Only workspace admins can manage API keys.")
    return ApiKey.objects.filter(workspace=actor.workspace).order_by("-created_at")


def pending_invitations(actor: Actor) -> QuerySet[Invitation]:
    from django.utils import timezone

    return Invitation.objects.filter(
        workspace=actor.workspace,
        accepted_at__isnull=True,
        revoked_at__isnull=True,
        expires_at__gt=timezone.now(),
    ).order_by("-created_at")
