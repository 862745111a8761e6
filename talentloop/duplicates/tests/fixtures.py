"""Duplicates fixtures: a suggested pair (Robert and Bob Smith) and a sourcer without merging."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from talentloop.accounts.models import User, Workspace
from talentloop.accounts.roles import Role
from talentloop.candidates.models import Candidate
from talentloop.core.actor import Actor
from talentloop.core.tests.fixtures import actor_for
from talentloop.duplicates.models import DuplicateSuggestion
from talentloop.duplicates.services import check_candidate


@pytest.fixture
def sam(acme: Workspace, member_factory: Callable[..., User]) -> User:
    """A sourcer: edits candidates but may not merge them."""
    return member_factory("sam@acme.test", acme, Role.SOURCER, "Sam Sourcer")


@pytest.fixture
def sam_actor(sam: User) -> Actor:
    return actor_for(sam)


@pytest.fixture
def robert(candidate_factory: Callable[..., Candidate]) -> Candidate:
    return candidate_factory(
        first_name="Robert",
        last_name="Smith",
        emails=["robert.smith@acme-mail.test"],
        phones=[{"number": "+1 415 555 0100"}],
        city="Berlin",
        country="DE",
        current_company="Initech GmbH",
        current_title="Backend Engineer",
        tags=["python"],
    )


@pytest.fixture
def bob_smith(candidate_factory: Callable[..., Candidate]) -> Candidate:
    return candidate_factory(
        first_name="Bob",
        last_name="Smyth",
        emails=["bob@smith.test"],
        city="Berlin",
        current_company="Initech",
        current_title="Senior Backend Engineer",
        tags=["go"],
    )


@pytest.fixture
def suggestion(robert: Candidate, bob_smith: Candidate) -> DuplicateSuggestion:
    """The pair as the per-candidate checks after each create suggest it."""
    check_candidate(candidate_id=robert.pk)
    check_candidate(candidate_id=bob_smith.pk)
    return DuplicateSuggestion.objects.get(left=robert, right=bob_smith)


@pytest.fixture
def make_pair(candidate_factory: Callable[..., Candidate]) -> Callable[..., Any]:
    """Two candidates that the matcher pairs, and their suggestion."""

    def make(first: str, last: str, actor: Actor | None = None) -> DuplicateSuggestion:
        left = candidate_factory(actor, first_name=first, last_name=last)
        right = candidate_factory(actor, first_name=first, last_name=last)
        check_candidate(candidate_id=left.pk)
        check_candidate(candidate_id=right.pk)
        return DuplicateSuggestion.objects.get(left=left, right=right)

    return make
