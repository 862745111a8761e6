"""candidate_page and filtered_ids: the hand-written list query, each way it can filter."""

from __future__ import annotations

import base64
import datetime as dt
import time
from collections.abc import Callable
from typing import Any

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from talentloop.accounts.models import User, Workspace
from talentloop.accounts.roles import Role
from talentloop.candidates import selectors
from talentloop.candidates.models import Candidate
from talentloop.candidates.selectors import SORTS, CandidateFilters, candidate_page, filtered_ids
from talentloop.candidates.services import update_candidate
from talentloop.core import expiring
from talentloop.core.actor import Actor
from talentloop.core.errors import InvalidInput
from talentloop.core.tests.fixtures import actor_for

START = dt.datetime(2026, 3, 1, 9, 0, tzinfo=dt.UTC)


@pytest.fixture
def people(candidate_factory: Callable[..., Candidate], bob: User) -> list[Candidate]:
    """Twelve candidates a minute apart, mixing tags, sources, owners, names and archiving."""
    made = []
    for n in range(12):
        with time_machine.travel(START + dt.timedelta(minutes=n), tick=False):
            made.append(
                candidate_factory(
                    first_name=["Ada", "Grace", "Alan"][n % 3],
                    last_name=["Byron", "Hopper"][n % 2],
                    current_title="Designer" if n % 4 == 0 else "Data Engineer",
                    tags=[tag for tag, every in (("python", 2), ("go", 3)) if n % every == 0],
                    source="sourced" if n % 5 == 0 else "referral",
                    owner_id=bob.pk if n % 2 else None,
                    is_archived=n == 6,
                )
            )
    return made


def _tagged(name: str) -> Callable[[Candidate], bool]:
    return lambda c: name in set(c.tags.values_list("name_key", flat=True))


def _live(c: Candidate) -> bool:
    return not c.is_archived


def _data(c: Candidate) -> bool:
    return c.current_title == "Data Engineer"


# (filters, the candidates they keep); "owner" stands for bob.
CASES: list[tuple[dict[str, Any], list[Callable[[Candidate], bool]]]] = [
    ({"tag": "python"}, [_tagged("python"), _live]),
    (
        {"tag": "PYTHON", "source": "referral"},
        [_tagged("python"), _live, lambda c: c.source == "referral"],
    ),
    ({"tag": "go", "text": "data"}, [_tagged("go"), _live, _data]),
    ({"tag": "python", "include_archived": True}, [_tagged("python")]),
    ({"tag": "go", "owner": True}, [_tagged("go"), _live, lambda c: c.owner_id is not None]),
    ({"text": "data eng"}, [_data, _live]),
    ({"tag": "rust"}, [lambda c: False]),
]


def _filters(given: dict[str, Any], bob: User) -> CandidateFilters:
    values = {key: value for key, value in given.items() if key != "owner"}
    return CandidateFilters(**values, owner_id=bob.pk if given.get("owner") else None)


def _expected(
    people: list[Candidate], sort: str, keeps: list[Callable[[Candidate], bool]]
) -> list[int]:
    fields = [field.lstrip("-") for field in SORTS[sort]]
    kept = [c for c in people if all(keep(c) for keep in keeps)]
    kept.sort(key=lambda c: [getattr(c, field) for field in fields], reverse=sort.startswith("-"))
    return [c.pk for c in kept]


def _walk(actor: Actor, filters: CandidateFilters, sort: str) -> list[int]:
    """Every page of two, following the cursors."""
    ids: list[int] = []
    cursor = ""
    for _ in range(10):
        page, next_cursor = candidate_page(actor, filters, sort=sort, cursor=cursor, limit=2)
        ids += [row["id"] for row in page]
        if next_cursor is None:
            return ids
        cursor = next_cursor
    raise AssertionError("the cursor does not advance")


@pytest.mark.parametrize("listed", [True, False], ids=["ids-listed", "tested-per-row"])
@pytest.mark.parametrize("sort", list(SORTS))
@pytest.mark.parametrize(("given", "keeps"), CASES)
def test_pages_through_the_filtered_candidates_in_order(
    alice_actor: Actor,
    people: list[Candidate],
    bob: User,
    monkeypatch: pytest.MonkeyPatch,
    given: dict[str, Any],
    keeps: list[Callable[[Candidate], bool]],
    sort: str,
    listed: bool,
) -> None:
    # More matches than SMALL_SET are tested row by row instead of listed first.
    monkeypatch.setattr(selectors, "SMALL_SET", 5_000 if listed else 0)
    filters = _filters(given, bob)

    ids = _walk(alice_actor, filters, sort)

    assert ids == _expected(people, sort, keeps)
    assert filtered_ids(alice_actor, filters, limit=100) == sorted(ids)


@pytest.mark.parametrize("listed", [True, False], ids=["ids-listed", "tested-per-row"])
def test_a_hiring_manager_pages_through_their_own_filtered_candidates(
    acme: Workspace,
    member_factory: Callable[..., User],
    people: list[Candidate],
    candidate_factory: Callable[..., Candidate],
    monkeypatch: pytest.MonkeyPatch,
    listed: bool,
) -> None:
    monkeypatch.setattr(selectors, "SMALL_SET", 5_000 if listed else 0)
    manager = member_factory("hank@acme.test", acme, Role.HIRING_MANAGER)
    theirs = [candidate_factory(owner_id=manager.pk, tags=["python"]) for _ in range(3)]
    candidate_factory(owner_id=manager.pk, tags=["go"])
    filters = CandidateFilters(tag="python")

    assert _walk(actor_for(manager), filters, "-updated_at") == [c.pk for c in reversed(theirs)]
    assert filtered_ids(actor_for(manager), filters, limit=10) == [c.pk for c in theirs]


def test_filters_by_updated_since(alice_actor: Actor, people: list[Candidate]) -> None:
    since = START + dt.timedelta(minutes=9)

    page, _ = candidate_page(alice_actor, CandidateFilters(updated_since=since))

    assert [row["id"] for row in page] == [c.pk for c in reversed(people[9:])]


def test_filtered_ids_stop_at_the_limit(alice_actor: Actor, people: list[Candidate]) -> None:
    assert filtered_ids(alice_actor, CandidateFilters(), limit=3) == [c.pk for c in people[:3]]


@pytest.mark.parametrize("value", [2**63, -(2**63) - 1, True, 1.5, "7"])
def test_refuses_a_cursor_id_sql_could_not_hold(alice_actor: Actor, value: Any) -> None:
    from talentloop.core import cursor as cursors

    cursor = cursors.encode(["2026-03-01T09:00:00+00:00", value])

    with pytest.raises(InvalidInput) as raised:
        candidate_page(alice_actor, CandidateFilters(), cursor=cursor)
    assert (raised.value.field, raised.value.message) == ("cursor", "This cursor is not valid.")


def test_refuses_a_cursor_nested_deeper_than_the_decoder_goes(alice_actor: Actor) -> None:
    deep = base64.urlsafe_b64encode(b"[" * 3000 + b"]" * 3000).decode().rstrip("=")

    with pytest.raises(InvalidInput) as raised:  # was a RecursionError, a 500
        candidate_page(alice_actor, CandidateFilters(), cursor=deep)
    assert (raised.value.field, raised.value.message) == ("cursor", "This cursor is not valid.")


def _counts(queries: CaptureQueriesContext) -> int:
    return sum("COUNT(*)" in query["sql"] for query in queries.captured_queries)


def test_a_large_tag_is_counted_once_a_minute(
    alice_actor: Actor, people: list[Candidate], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(selectors, "SMALL_SET", 2)  # python has 6 candidates: a large tag
    filters = CandidateFilters(tag="python")
    with CaptureQueriesContext(connection) as first:
        candidate_page(alice_actor, filters)
    with CaptureQueriesContext(connection) as again:
        candidate_page(alice_actor, filters)
    later = time.monotonic() + 61
    monkeypatch.setattr(expiring, "monotonic", lambda: later)
    with CaptureQueriesContext(connection) as after_a_minute:
        candidate_page(alice_actor, filters)

    assert (_counts(first), _counts(again), _counts(after_a_minute)) == (1, 0, 1)


def test_a_large_tag_that_shrank_still_filters_right(
    alice_actor: Actor, people: list[Candidate], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(selectors, "SMALL_SET", 2)
    filters = CandidateFilters(tag="python")
    candidate_page(alice_actor, filters)  # remembered as large
    for candidate in people[:8:2]:  # python was on 0, 2, 4, 6 (archived), 8 and 10
        update_candidate(actor=alice_actor, candidate=candidate, data={"tags": []})

    page, _ = candidate_page(alice_actor, filters)

    assert [row["id"] for row in page] == [people[10].pk, people[8].pk]


@pytest.mark.parametrize(
    ("given", "index"),
    [
        ({}, "candidate_live_updated"),
        ({"tag": "python", "source": "referral"}, "candidate_live_source"),
    ],
)
def test_the_page_query_can_walk_the_live_candidates_index(
    alice_actor: Actor,
    people: list[Candidate],
    monkeypatch: pytest.MonkeyPatch,
    given: dict[str, Any],
    index: str,
) -> None:
    # The partial indexes hold live candidates only; a database uses one only when the query
    # states their condition the way the index does (a tag and source filter at 1M on SQLite
    # took 9.9 ms without it, 2.6 with it).
    monkeypatch.setattr(selectors, "SMALL_SET", 0)  # the tag tested per row, as at scale
    with CaptureQueriesContext(connection) as queries:
        candidate_page(alice_actor, CandidateFilters(**given))
    sql = next(q["sql"] for q in queries.captured_queries if "first_name" in q["sql"])

    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # A handful of rows costs nothing to sort or filter, so the planner may as well
            # read another index in the same order and filter its rows: a whole-table one, or
            # the other partial one (both seen in CI). Whether this partial index serves the
            # query is the question: inside the test's transaction (rolled back) every other
            # index but the unique ones goes, and neither a scan of the table nor a sort is
            # allowed.
            cursor.execute(
                "SELECT indexname FROM pg_indexes WHERE tablename = 'candidates_candidate' "
                "AND indexdef NOT LIKE '%%UNIQUE%%' AND indexname <> %s",
                [index],
            )
            for (name,) in cursor.fetchall():
                cursor.execute(f'DROP INDEX "{name}"')
            cursor.execute("ANALYZE candidates_candidate")
            cursor.execute("SET LOCAL enable_seqscan = off")
            cursor.execute("SET LOCAL enable_bitmapscan = off")
            cursor.execute("SET LOCAL enable_sort = off")
            cursor.execute(f"EXPLAIN {sql}")
        else:
            cursor.execute(f"EXPLAIN QUERY PLAN {sql}")
        plan = " ".join(str(row) for row in cursor.fetchall())

    assert index in plan


@pytest.mark.skipif(connection.vendor != "sqlite", reason="the full-text probe is SQLite's")
def test_a_common_text_is_probed_once_a_minute(
    alice_actor: Actor, people: list[Candidate], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(selectors, "SMALL_SET", 2)  # "data" matches 8 live candidates
    filters = CandidateFilters(text="data")

    def probes() -> int:
        with CaptureQueriesContext(connection) as queries:
            page, _ = candidate_page(alice_actor, filters, limit=3)
        assert len(page) == 3
        return sum("MATCH" in query["sql"] for query in queries.captured_queries)

    first, again = probes(), probes()
    later = time.monotonic() + 61
    monkeypatch.setattr(expiring, "monotonic", lambda: later)

    assert (first, again, probes()) == (1, 0, 1)
