"""Merging the SQLite full-text index's segments (`services.compact_index`)."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.db import connection

from talentloop.candidates.models import Candidate
from talentloop.core.actor import Actor
from talentloop.search import selectors, services
from talentloop.search.selectors import SearchFilters


def _segments(table: str = "search_fts") -> int:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT count(DISTINCT segid) FROM {table}_idx")  # noqa: S608
        (count,) = cursor.fetchone()
    return int(count)


def _found(actor: Actor, query: str) -> list[int]:
    page = selectors.search(actor, query=query, filters=SearchFilters())
    return [row["id"] for row in page.rows]


@pytest.mark.skipif(connection.vendor != "sqlite", reason="FTS5 is SQLite's index")
def test_segments_are_merged_into_one_and_searches_answer_the_same(
    candidate_factory: Callable[..., Candidate], alice_actor: Actor
) -> None:
    for index in range(6):  # each write commits its own FTS5 segment
        candidate_factory(
            first_name=f"Ada{index}", current_title="Data Engineer", tags=[f"team{index % 2}"]
        )
    before = (_found(alice_actor, "engineer"), _found(alice_actor, "engineer ada3"))
    assert _segments() > 1
    assert _segments("candidate_fts") > 1

    steps = services.compact_index()

    assert steps >= 2
    assert _segments() == 1
    assert _segments("candidate_fts") == 1
    assert (_found(alice_actor, "engineer"), _found(alice_actor, "engineer ada3")) == before
    assert len(before[0]) == 6
    assert services.compact_index() == 0  # nothing left to merge


@pytest.mark.skipif(connection.vendor != "sqlite", reason="FTS5 is SQLite's index")
def test_a_spent_budget_stops_and_the_next_run_continues(
    candidate_factory: Callable[..., Candidate],
) -> None:
    for index in range(6):
        candidate_factory(first_name=f"Bo{index}", current_title="Designer")

    assert services.compact_index(budget_seconds=0) == 0
    assert _segments() > 1
    assert services.compact_index() >= 1
    assert _segments() == 1


@pytest.mark.skipif(connection.vendor == "sqlite", reason="PostgreSQL has no segments to merge")
def test_postgresql_has_nothing_to_do() -> None:
    assert services.compact_index() == 0
