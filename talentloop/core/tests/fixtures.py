"""The shared cast: alice (admin) and bob (recruiter) in Acme, charlie (admin) in Globex."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

from talentloop.accounts.models import Membership, User, Workspace
from talentloop.accounts.roles import Role
from talentloop.accounts.services import create_api_key
from talentloop.candidates.models import Candidate
from talentloop.candidates.services import create_candidate
from talentloop.core.actor import Actor

PASSWORD = "correct-horse-battery"


@pytest.fixture
def acme(db: Any) -> Workspace:
    return Workspace.objects.create(name="Acme Talent", slug="acme")


@pytest.fixture
def globex(db: Any) -> Workspace:
    return Workspace.objects.create(name="Globex Recruiting", slug="globex")


@pytest.fixture
def member_factory(db: Any) -> Callable[..., User]:
    def make(email: str, workspace: Workspace, role: str, name: str = "") -> User:
        user = User.objects.create_user(email, PASSWORD, full_name=name)
        Membership.objects.create(user=user, workspace=workspace, role=role)
        return user

    return make


@pytest.fixture
def alice(acme: Workspace, member_factory: Callable[..., User]) -> User:
    return member_factory("alice@acme.test", acme, Role.ADMIN, "Alice Admin")


@pytest.fixture
def bob(acme: Workspace, member_factory: Callable[..., User]) -> User:
    return member_factory("bob@acme.test", acme, Role.RECRUITER, "Bob Recruiter")


@pytest.fixture
def charlie(globex: Workspace, member_factory: Callable[..., User]) -> User:
    return member_factory("charlie@globex.test", globex, Role.ADMIN, "Charlie Other")


def actor_for(user: User, workspace: Workspace | None = None) -> Actor:
    membership = Membership.objects.select_related("workspace").get(
        user=user, **({"workspace": workspace} if workspace else {})
    )
    return Actor(
        workspace=membership.workspace, role=Role(membership.role), user=user, ip="127.0.0.1"
    )


@pytest.fixture
def alice_actor(alice: User) -> Actor:
    return actor_for(alice)


@pytest.fixture
def bob_actor(bob: User) -> Actor:
    return actor_for(bob)


@pytest.fixture
def charlie_actor(charlie: User) -> Actor:
    return actor_for(charlie)


@pytest.fixture
def candidate_factory(alice_actor: Actor) -> Callable[..., Candidate]:
    """Create a candidate through the service (so audit, timeline and search are real)."""
    counter = {"n": 0}

    def make(actor: Actor | None = None, **data: Any) -> Candidate:
        counter["n"] += 1
        data.setdefault("first_name", "Ada")
        data.setdefault("last_name", f"Lovelace{counter['n']}")
        return create_candidate(actor=actor or alice_actor, data=data)

    return make


@pytest.fixture
def candidate(candidate_factory: Callable[..., Candidate]) -> Candidate:
    return candidate_factory(
        first_name="Grace",
        last_name="Hopper",
        emails=["grace@navy.test"],
        phones=[{"number": "+1 415 555 2671"}],
        current_title="Rear Admiral",
        current_company="US Navy",
        tags=["cobol"],
    )


@pytest.fixture
def charlie_candidate(charlie_actor: Actor) -> Candidate:
    return create_candidate(
        actor=charlie_actor, data={"first_name": "Other", "emails": ["other@globex.test"]}
    )


def _api_client(user: User) -> Client:
    client = Client(enforce_csrf_checks=False)
    client.force_login(user)
    return client


@pytest.fixture
def alice_client(alice: User) -> Client:
    return _api_client(alice)


@pytest.fixture
def bob_client(bob: User) -> Client:
    return _api_client(bob)


@pytest.fixture
def charlie_client(charlie: User) -> Client:
    return _api_client(charlie)


@pytest.fixture
def api_key_factory(alice_actor: Actor) -> Callable[..., str]:
    """Return the secret of a new API key of Acme (scope read or write)."""

    def make(scope: str = "write", actor: Actor | None = None) -> str:
        _, secret = create_api_key(actor=actor or alice_actor, name=f"{scope} key", scope=scope)
        return secret

    return make
