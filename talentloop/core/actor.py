"""Who is acting: a signed-in member or an API key, always inside one workspace."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from talentloop.accounts.roles import Capability, Role, role_has

if TYPE_CHECKING:
    from talentloop.accounts.models import ApiKey, User, Workspace


@dataclass(frozen=True)
class Actor:
    workspace: Workspace
    role: Role
    user: User | None = None
    api_key: ApiKey | None = None
    ip: str | None = None

    @property
    def user_id(self) -> int | None:
        return self.user.pk if self.user else None

    @property
    def label(self) -> str:
        if self.user is not None:
            return self.user.email
        if self.api_key is not None:
            return f"API key {self.api_key.name} ({self.api_key.prefix})"
        return "system"

    def can(self, capability: Capability) -> bool:
        return role_has(self.role, capability)


def system_actor(workspace: Workspace) -> Actor:
    """The actor for work that no person started (scheduled jobs, seeding)."""
    return Actor(workspace=workspace, role=Role.ADMIN)
