"""Full-text match on `Candidate.search_text`: FTS5 on SQLite, a GIN tsvector index on PostgreSQL.

Both sides hold the same pre-tokenized words (see normalize.build_search_text), so a query means
the same thing on either database: every word of the query must start a word of the candidate.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.db import connection

from talentloop.candidates.models import Candidate
from talentloop.candidates.normalize import search_words
from talentloop.core.expiring import ExpiringSet

# Created with its triggers by migration candidates/0002_candidate_search_index.
SQLITE_FTS_TABLE = "candidate_fts"
MAX_QUERY_WORDS = 8


def _words(query: str) -> list[str]:
    return search_words(query)[:MAX_QUERY_WORDS]


def _sqlite_match(words: list[str]) -> str:
    return " ".join(f'"{word}"*' for word in words)


# The table name is a constant; the user's words are a bound parameter.
_SQLITE_IDS = f"SELECT rowid FROM {SQLITE_FTS_TABLE} WHERE {SQLITE_FTS_TABLE} MATCH %s"  # noqa: S608


def conditions(query: str) -> tuple[list[str], list[Any]]:
    """SQL conditions (over the unaliased candidate table) that keep the candidates whose words
    start with every word of `query`, and their parameters; none for a query without words.

    Meant for queries that match many rows (see `matching_ids` for the few-rows case): the
    database walks the list's sort index and tests each row until a page is full. PostgreSQL
    tests the tsvector; SQLite tests `search_text` with LIKE, since an FTS5 subquery would
    first materialize every match (110 ms for "engineer" at 1M rows, against 12 ms this way).
    """
    words = _words(query)
    if not words:
        return [], []
    table = Candidate._meta.db_table
    if connection.vendor == "postgresql":
        tsquery = " & ".join(f"{word}:*" for word in words)
        condition = (
            f"to_tsvector('simple'::regconfig, {table}.search_text) "
            "@@ to_tsquery('simple'::regconfig, %s)"
        )
        return [condition], [tsquery]
    # Words are [0-9a-z]+, so nothing needs escaping in the patterns.
    return [f"(' ' || {table}.search_text) LIKE %s"] * len(words), [f"% {w}%" for w in words]


# FTS queries found to match more than their limit in the last minute (core/expiring).
_common = ExpiringSet(60.0)


def matching_ids(query: str, *, limit: int) -> list[int] | None:
    """On SQLite, the ids of every match when there are at most `limit`; else None.

    FTS5 stops reading after `limit` + 1 rows, but for common prefixes that is still most of
    the cost of a search ("senior eng": 10 ms of 13 at 1M rows), so a query found to match
    more is not probed again for a minute, as when paging through its results. PostgreSQL
    would have to build the whole GIN bitmap first (250 ms for 80k matches at 1M rows), and its
    planner already estimates how many rows a tsquery matches, so there it always answers None.
    """
    # One-letter prefixes merge thousands of index terms (95 ms for "e" at 1M rows) and match
    # most rows anyway; the probe leaves them to `matching`.
    words = [word for word in _words(query) if len(word) > 1]
    if not words or connection.vendor != "sqlite":
        return None
    match = _sqlite_match(words)
    if (match, limit) in _common:
        return None
    with connection.cursor() as cursor:
        cursor.execute(f"{_SQLITE_IDS} LIMIT %s", [match, limit + 1])
        ids = [row[0] for row in cursor.fetchall()]
    if len(ids) > limit:
        _common.add((match, limit))
        return None
    return ids


def forget_common_queries() -> None:
    _common.clear()


SQLITE_INSERT_TRIGGER = "candidate_fts_insert"


def insert_indexed(insert: Callable[[], None], first_id: int, last_id: int) -> None:
    """Run `insert` (which adds candidates with ids first_id..last_id) and index them.

    On SQLite the FTS5 insert trigger costs 75 µs a row, one row at a time; indexing the same
    rows with one INSERT … SELECT costs 7. Inside the caller's write transaction the trigger is
    set aside and put back, so no other connection ever sees the table without it (SQLite lets
    one writer in at a time, and a rollback restores the trigger too). PostgreSQL's GIN index
    needs nothing.
    """
    if connection.vendor != "sqlite":
        insert()
        return
    if not connection.in_atomic_block:
        raise RuntimeError("insert_indexed needs the caller's transaction")
    table, fts = Candidate._meta.db_table, SQLITE_FTS_TABLE
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT sql FROM sqlite_master WHERE type = 'trigger' AND name = %s",
            [SQLITE_INSERT_TRIGGER],
        )
        (trigger,) = cursor.fetchone()
        cursor.execute(f"DROP TRIGGER {SQLITE_INSERT_TRIGGER}")
        insert()
        cursor.execute(
            f"INSERT INTO {fts}(rowid, search_text) "  # noqa: S608 - our own table names
            f"SELECT id, search_text FROM {table} WHERE id BETWEEN %s AND %s",
            [first_id, last_id],
        )
        cursor.execute(trigger)
