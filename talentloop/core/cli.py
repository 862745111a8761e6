"""What the management commands share: who a command acts as."""

from __future__ import annotations

from django.core.management.base import CommandError, CommandParser

from talentloop.accounts.models import User, Workspace
from talentloop.accounts.roles import Capability
from talentloop.accounts.selectors import member_actor
from talentloop.core.actor import Actor, system_actor
from talentloop.core.errors import NotFound


def command_actor(slug: str, email: str, *, doing: str) -> Actor:
    """The member `email` of workspace `slug` (the system when no e-mail is given), who must
    be allowed to edit candidates; CommandError says what is wrong. `doing` completes
    "… cannot <doing>" ("import candidates")."""
    workspace = Workspace.objects.filter(slug=slug).first()
    if workspace is None:
        known = ", ".join(Workspace.objects.order_by("slug").values_list("slug", flat=True))
        raise CommandError(f"No workspace {slug!r}. Workspaces: {known or 'none yet'}.")
    if not email:
        return system_actor(workspace)
    not_member = CommandError(f"{email} is not a member of {workspace.name}.")
    user = User.objects.filter(email=email.strip().lower()).first()
    if user is None:
        raise not_member
    try:
        actor = member_actor(user, workspace)
    except NotFound:
        raise not_member from None
    if not actor.can(Capability.EDIT_CANDIDATES):
        raise CommandError(
            f"{email} has the {actor.role.label.lower()} role in {workspace.name} and "
            f"cannot {doing}."
        )
    return actor


def add_actor_arguments(parser: CommandParser, *, default_source: str, doing: str) -> None:
    """--workspace, --actor, --source and --tag: who a bulk command acts as, and what it
    stamps on every candidate it creates or updates."""
    from talentloop.candidates.models import Source

    parser.add_argument("--workspace", default="acme", help="Workspace slug (default acme).")
    parser.add_argument(
        "--actor",
        default="",
        metavar="EMAIL",
        help=f"The member the {doing} is done as (audit and owner). Default: the system.",
    )
    parser.add_argument("--source", default=default_source, choices=Source.values, help="Source.")
    parser.add_argument(
        "--tag",
        dest="tags",
        action="extend",
        nargs="+",
        default=[],
        metavar="TAG",
        help="Tag every candidate (repeatable).",
    )
