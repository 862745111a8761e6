"""Exact identity keys: a normalized e-mail, phone or profile link finds the person."""

from __future__ import annotations

from collections.abc import Callable

from talentloop.accounts.models import Workspace
from talentloop.candidates.models import Candidate
from talentloop.candidates.services import delete_candidate
from talentloop.core.actor import Actor
from talentloop.duplicates.selectors import find_identity_match


def test_finds_by_email_in_any_case(acme: Workspace, robert: Candidate) -> None:
    assert find_identity_match(acme, emails=["  Robert.Smith@ACME-mail.test "]) == robert


def test_finds_by_phone_in_any_format(acme: Workspace, robert: Candidate) -> None:
    # The workspace's default region (US) completes a number written without +1.
    assert find_identity_match(acme, phones=["(415) 555-0100"]) == robert


def test_finds_by_profile_url_without_scheme_www_query_or_slash(
    acme: Workspace, candidate_factory: Callable[..., Candidate]
) -> None:
    ada = candidate_factory(links=[{"url": "https://www.linkedin.com/in/ada-l/"}])
    github = candidate_factory(links=[{"url": "github.com/AdaL"}])

    assert find_identity_match(acme, links=["http://LinkedIn.com/in/Ada-L?trk=x"]) == ada
    assert find_identity_match(acme, links=["https://www.github.com/adal/"]) == github


def test_a_shared_website_is_not_an_identity(
    acme: Workspace, candidate_factory: Callable[..., Candidate]
) -> None:
    candidate_factory(links=[{"url": "https://acme.test/team"}])

    assert find_identity_match(acme, links=["https://acme.test/team"]) is None


def test_nothing_for_unknown_or_invalid_values(acme: Workspace, robert: Candidate) -> None:
    assert find_identity_match(acme, emails=["nobody@x.test", "not an e-mail"]) is None
    assert find_identity_match(acme, phones=["12"], links=["::"]) is None
    assert find_identity_match(acme) is None


def test_another_workspace_is_not_searched(globex: Workspace, robert: Candidate) -> None:
    assert find_identity_match(globex, emails=["robert.smith@acme-mail.test"]) is None


def test_a_deleted_candidate_is_not_found(
    acme: Workspace, alice_actor: Actor, robert: Candidate
) -> None:
    delete_candidate(actor=alice_actor, candidate=robert)

    assert find_identity_match(acme, phones=["+14155550100"]) is None


def test_email_wins_over_phone(
    acme: Workspace, robert: Candidate, candidate_factory: Callable[..., Candidate]
) -> None:
    other = candidate_factory(emails=["other@x.test"])

    assert find_identity_match(acme, emails=["other@x.test"], phones=["+14155550100"]) == other
