"""The search box: every word of the query must start a word of a name, e-mail, title or company."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from talentloop.candidates.models import Candidate
from talentloop.candidates.selectors import CandidateFilters, filtered_ids
from talentloop.candidates.services import delete_candidate, update_candidate
from talentloop.core.actor import Actor


@pytest.fixture
def people(candidate_factory: Callable[..., Candidate]) -> dict[str, Candidate]:
    return {
        "grace": candidate_factory(
            first_name="Grace",
            last_name="Hopper",
            emails=["grace@navy.test"],
            current_title="Rear Admiral",
            current_company="US Navy",
        ),
        "zoe": candidate_factory(
            first_name="Zoë",
            last_name="Núñez",
            emails=["zn@acme-labs.io"],
            current_title="Data Scientist",
            current_company="Acme Labs",
        ),
        "lukasz": candidate_factory(
            first_name="Łukasz",
            last_name="Søndergaard",
            emails=["lukasz@example.com"],
            current_title="Engineer",
            current_company="Grace Analytics",
        ),
    }


def _search(actor: Actor, text: str, **filters: object) -> list[str]:
    ids = filtered_ids(actor, CandidateFilters(text=text, **filters), limit=100)  # type: ignore[arg-type]
    return sorted(Candidate.objects.filter(pk__in=ids).values_list("first_name", flat=True))


@pytest.mark.parametrize(
    ("query", "names"),
    [
        ("gra", ["Grace", "Łukasz"]),  # Grace Hopper, and Łukasz at Grace Analytics
        ("hop", ["Grace"]),
        ("HOPPER", ["Grace"]),
        ("navy", ["Grace"]),  # e-mail domain and company
        ("zn", ["Zoë"]),  # e-mail local part
        ("acme", ["Zoë"]),
        ("scien", ["Zoë"]),  # title
        ("admiral", ["Grace"]),
        ("race", []),  # a prefix, not a substring
        ("nobody", []),
    ],
)
def test_matches_word_prefixes(
    alice_actor: Actor, people: dict[str, Candidate], query: str, names: list[str]
) -> None:
    assert _search(alice_actor, query) == names


@pytest.mark.parametrize("query", ["zoe", "Zoë", "ZOE", "nunez", "Núñez"])
def test_ignores_accents_on_either_side(
    alice_actor: Actor, people: dict[str, Candidate], query: str
) -> None:
    assert _search(alice_actor, query) == ["Zoë"]


@pytest.mark.parametrize("query", ["lukasz", "Łukasz", "sonder", "Søndergaard"])
def test_folds_letters_with_a_stroke(
    alice_actor: Actor, people: dict[str, Candidate], query: str
) -> None:
    assert _search(alice_actor, query) == ["Łukasz"]


@pytest.mark.parametrize(
    ("query", "names"),
    [
        ("grace hopper", ["Grace"]),
        ("gr ho", ["Grace"]),
        ("grace analytics", ["Łukasz"]),
        ("grace acme", []),
        ("hopper, navy!", ["Grace"]),
    ],
)
def test_every_word_must_match(
    alice_actor: Actor, people: dict[str, Candidate], query: str, names: list[str]
) -> None:
    assert _search(alice_actor, query) == names


@pytest.mark.parametrize("query", ["", "   ", "!!", '"'])
def test_a_query_without_words_filters_nothing(
    alice_actor: Actor, people: dict[str, Candidate], query: str
) -> None:
    assert _search(alice_actor, query) == ["Grace", "Zoë", "Łukasz"]


@pytest.mark.parametrize(
    ("query", "names"),
    [
        ('gr"ace', []),  # the words "gr" and "ace"
        ("gr*", ["Grace", "Łukasz"]),
        ("hop OR zoe", []),  # OR is a word like any other
        ("NEAR(grace)", []),
        ("'; --", ["Grace", "Zoë", "Łukasz"]),
    ],
)
def test_search_syntax_in_the_query_is_plain_text(
    alice_actor: Actor, people: dict[str, Candidate], query: str, names: list[str]
) -> None:
    assert _search(alice_actor, query) == names


def test_deleted_candidates_are_not_found(alice_actor: Actor, people: dict[str, Candidate]) -> None:
    delete_candidate(actor=alice_actor, candidate=people["grace"])

    assert _search(alice_actor, "grace") == ["Łukasz"]


def test_archived_candidates_are_found_only_on_request(
    alice_actor: Actor, people: dict[str, Candidate]
) -> None:
    update_candidate(actor=alice_actor, candidate=people["grace"], data={"is_archived": True})

    assert _search(alice_actor, "hopper") == []
    assert _search(alice_actor, "hopper", include_archived=True) == ["Grace"]


def test_other_workspaces_are_never_searched(
    alice_actor: Actor,
    charlie_actor: Actor,
    people: dict[str, Candidate],
    charlie_candidate: Candidate,
) -> None:
    assert _search(charlie_actor, "grace") == []
    assert _search(charlie_actor, "other") == ["Other"]
    assert _search(alice_actor, "other") == []


def test_changes_are_searchable_at_once(alice_actor: Actor, people: dict[str, Candidate]) -> None:
    update_candidate(
        actor=alice_actor,
        candidate=people["grace"],
        data={"last_name": "Brewster", "emails": ["amazing@grace.test"]},
    )

    assert _search(alice_actor, "hopper") == []
    assert _search(alice_actor, "navy") == ["Grace"]  # still the company
    assert _search(alice_actor, "brew") == ["Grace"]
    assert _search(alice_actor, "amaz") == ["Grace"]


def test_results_combine_with_other_filters(
    alice_actor: Actor, bob_actor: Actor, people: dict[str, Candidate]
) -> None:
    update_candidate(
        actor=alice_actor, candidate=people["zoe"], data={"owner_id": bob_actor.user_id}
    )

    assert _search(alice_actor, "a", owner_id=bob_actor.user_id) == ["Zoë"]
