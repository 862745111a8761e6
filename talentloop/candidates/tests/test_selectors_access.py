"""`access_candidate`: the one way in to a candidate, for every interface."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from talentloop.accounts.models import User, Workspace
from talentloop.accounts.roles import Role
from talentloop.candidates.models import Candidate
from talentloop.candidates.selectors import (
    access_candidate,
    access_custom_field,
    access_tag,
    visible_candidates,
)
from talentloop.candidates.services import create_tag, define_custom_field, delete_candidate
from talentloop.core.actor import Actor
from talentloop.core.errors import Forbidden, NotFound
from talentloop.core.tests.fixtures import actor_for


@pytest.fixture
def role_actor(acme: Workspace, member_factory: Callable[..., User]) -> Callable[[str], Actor]:
    def make(role: str) -> Actor:
        return actor_for(member_factory(f"{role}@acme.test", acme, role))

    return make


def test_returns_a_candidate_of_the_workspace(alice_actor: Actor, candidate: Candidate) -> None:
    assert access_candidate(alice_actor, candidate.pk) == candidate
    assert access_candidate(alice_actor, candidate.pk, for_write=True) == candidate


def test_other_workspace_looks_exactly_like_missing(
    alice_actor: Actor, charlie_candidate: Candidate
) -> None:
    with pytest.raises(NotFound) as other:
        access_candidate(alice_actor, charlie_candidate.pk)
    with pytest.raises(NotFound) as missing:
        access_candidate(alice_actor, charlie_candidate.pk + 1000)

    assert (other.value.code, other.value.message, other.value.status) == (
        missing.value.code,
        missing.value.message,
        missing.value.status,
    )
    assert other.value.message == "No such candidate."


def test_other_workspace_is_not_found_even_for_write(
    alice_actor: Actor, charlie_candidate: Candidate
) -> None:
    with pytest.raises(NotFound):
        access_candidate(alice_actor, charlie_candidate.pk, for_write=True)


@pytest.mark.parametrize("candidate_id", ["abc", None, 2**70, -1, 0])
def test_malformed_ids_are_not_found(
    alice_actor: Actor, candidate: Candidate, candidate_id: Any
) -> None:
    with pytest.raises(NotFound):
        access_candidate(alice_actor, candidate_id)


def test_deleted_candidate_is_not_found(alice_actor: Actor, candidate: Candidate) -> None:
    delete_candidate(actor=alice_actor, candidate=candidate)

    with pytest.raises(NotFound):
        access_candidate(alice_actor, candidate.pk)


def test_archived_candidate_is_still_reachable(alice_actor: Actor, candidate: Candidate) -> None:
    Candidate.objects.filter(pk=candidate.pk).update(is_archived=True)

    assert access_candidate(alice_actor, candidate.pk) == candidate


def test_hiring_manager_sees_only_owned_candidates(
    role_actor: Callable[[str], Actor], candidate_factory: Callable[..., Candidate]
) -> None:
    manager = role_actor(Role.HIRING_MANAGER)
    theirs = candidate_factory(first_name="Theirs", owner_id=manager.user_id)
    other = candidate_factory(first_name="Someone else's")

    assert access_candidate(manager, theirs.pk) == theirs
    with pytest.raises(NotFound):
        access_candidate(manager, other.pk)
    assert list(visible_candidates(manager)) == [theirs]


def test_hiring_manager_cannot_change_even_owned_candidates(
    role_actor: Callable[[str], Actor], candidate_factory: Callable[..., Candidate]
) -> None:
    manager = role_actor(Role.HIRING_MANAGER)
    theirs = candidate_factory(owner_id=manager.user_id)

    with pytest.raises(Forbidden):
        access_candidate(manager, theirs.pk, for_write=True)


@pytest.mark.parametrize("role", [Role.COORDINATOR, Role.AUDITOR])
def test_read_only_roles_see_all_but_may_not_write(
    role_actor: Callable[[str], Actor], candidate: Candidate, role: str
) -> None:
    actor = role_actor(role)

    assert access_candidate(actor, candidate.pk) == candidate
    with pytest.raises(Forbidden) as error:
        access_candidate(actor, candidate.pk, for_write=True)
    assert error.value.status == 403


@pytest.mark.parametrize("role", [Role.ADMIN, Role.RECRUITER, Role.SOURCER])
def test_editing_roles_may_write(
    role_actor: Callable[[str], Actor], candidate: Candidate, role: str
) -> None:
    assert access_candidate(role_actor(role), candidate.pk, for_write=True) == candidate


def test_userless_actor_without_view_all_sees_nothing(
    acme: Workspace, candidate: Candidate
) -> None:
    # An actor with no person behind it owns nothing, so an own-candidates-only role sees none.
    actor = Actor(workspace=acme, role=Role.HIRING_MANAGER)

    assert list(visible_candidates(actor)) == []
    with pytest.raises(NotFound):
        access_candidate(actor, candidate.pk)


def test_tags_and_custom_fields_of_another_workspace_are_not_found(
    alice_actor: Actor, charlie_actor: Actor
) -> None:
    tag = create_tag(actor=charlie_actor, name="globex-only")
    define_custom_field(actor=charlie_actor, key="clearance", label="Clearance", field_type="text")

    assert access_tag(charlie_actor, tag.pk) == tag
    with pytest.raises(NotFound):
        access_tag(alice_actor, tag.pk)
    assert access_custom_field(charlie_actor, "clearance").label == "Clearance"
    with pytest.raises(NotFound):
        access_custom_field(alice_actor, "clearance")
