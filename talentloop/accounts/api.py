from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import HttpRequest
from ninja import Router, Schema, Status
from pydantic import Field

from talentloop.accounts import selectors, services
from talentloop.candidates.schemas import StrictIn
from talentloop.core.api import actor_of

router = Router(tags=["workspace"])


class MeOut(Schema):
    workspace_id: int
    workspace_name: str
    role: str
    user_id: int | None
    email: str | None
    api_key_id: int | None


class MemberOut(Schema):
    id: int
    user_id: int
    email: str
    full_name: str
    role: str


class MemberPatch(StrictIn):
    role: str


class InvitationIn(StrictIn):
    email: str = Field(max_length=254)
    role: str


class InvitationOut(Schema):
    id: int
    email: str
    role: str
    expires_at: dt.datetime


class ApiKeyIn(StrictIn):
    name: str = Field(max_length=100)
    scope: str = "read"


class ApiKeyOut(Schema):
    id: int
    name: str
    prefix: str
    scope: str
    created_at: dt.datetime
    last_used_at: dt.datetime | None
    revoked_at: dt.datetime | None


class NewApiKeyOut(ApiKeyOut):
    key: str = Field(description="The secret. It is shown this once and stored only as a hash.")


@router.get("/me", response=MeOut)
def me(request: HttpRequest) -> dict[str, Any]:
    """Who this request acts as: the workspace, the role, and the user or API key."""
    actor = actor_of(request)
    return {
        "workspace_id": actor.workspace.pk,
        "workspace_name": actor.workspace.name,
        "role": actor.role,
        "user_id": actor.user_id,
        "email": actor.user.email if actor.user else None,
        "api_key_id": actor.api_key.pk if actor.api_key else None,
    }


def _member(m: Any) -> dict[str, Any]:
    return {
        "id": m.pk,
        "user_id": m.user_id,
        "email": m.user.email,
        "full_name": m.user.full_name,
        "role": m.role,
    }


class WorkspaceOut(Schema):
    id: int
    name: str
    default_phone_region: str
    timezone: str
    stale_after_months: int = Field(
        description='Profiles not changed or confirmed for this long "need refresh"; 0 = off'
    )


class WorkspacePatch(StrictIn):
    stale_after_months: int


def _workspace(workspace: Any) -> dict[str, Any]:
    return {name: getattr(workspace, name) for name in WorkspaceOut.model_fields} | {
        "id": workspace.pk
    }


@router.get("/workspace", response=WorkspaceOut)
def get_workspace(request: HttpRequest) -> dict[str, Any]:
    """The workspace this request acts in, with its settings."""
    return _workspace(actor_of(request).workspace)


@router.patch("/workspace", response=WorkspaceOut)
def update_workspace(request: HttpRequest, payload: WorkspacePatch) -> dict[str, Any]:
    """Change the workspace's settings (admins)."""
    workspace = services.update_workspace_settings(
        actor=actor_of(request), stale_after_months=payload.stale_after_months
    )
    return _workspace(workspace)


@router.get("/members", response=list[MemberOut])
def list_members(request: HttpRequest) -> list[dict[str, Any]]:
    return [_member(m) for m in selectors.workspace_members(actor_of(request))]


@router.patch("/members/{membership_id}", response=MemberOut)
def change_member_role(
    request: HttpRequest, membership_id: int, payload: MemberPatch
) -> dict[str, Any]:
    actor = actor_of(request)
    membership = selectors.access_membership(actor, membership_id)
    return _member(
        services.change_member_role(actor=actor, membership=membership, role=payload.role)
    )


@router.delete("/members/{membership_id}", response={204: None})
def remove_member(request: HttpRequest, membership_id: int) -> Status[None]:
    actor = actor_of(request)
    services.remove_member(
        actor=actor, membership=selectors.access_membership(actor, membership_id)
    )
    return Status(204, None)


@router.post("/invitations", response={201: InvitationOut})
def invite_member(request: HttpRequest, payload: InvitationIn) -> Status[Any]:
    """E-mail a teammate an invitation link (admins)."""
    invitation, _ = services.invite_member(actor=actor_of(request), **payload.model_dump())
    return Status(201, invitation)


@router.get("/api-keys", response=list[ApiKeyOut])
def list_api_keys(request: HttpRequest) -> Any:
    return list(selectors.workspace_api_keys(actor_of(request)))


@router.post("/api-keys", response={201: NewApiKeyOut})
def create_api_key(request: HttpRequest, payload: ApiKeyIn) -> Status[dict[str, Any]]:
    """Create a key; the response holds the secret, which is never shown again."""
    key, secret = services.create_api_key(actor=actor_of(request), **payload.model_dump())
    return Status(201, {**ApiKeyOut.from_orm(key).model_dump(), "key": secret})


@router.delete("/api-keys/{key_id}", response=ApiKeyOut)
def revoke_api_key(request: HttpRequest, key_id: int) -> Any:
    actor = actor_of(request)
    return services.revoke_api_key(actor=actor, key=selectors.access_api_key(actor, key_id))
