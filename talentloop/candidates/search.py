"""Full-text match on `Candidate.search_text`: FTS5 on SQLite, a GIN tsvector index on PostgreSQL.

Both sides hold the same pre-tokenized words (see normalize.build_search_text), so a query means
the same thing on either database: every word of the query must start a word of the candidate.
"""

from __future__ import annotations

from django.db import connection
from django.db.models import BooleanField, QuerySet
from django.db.models.expressions import RawSQL

from talentloop.candidates.models import Candidate
from talentloop.candidates.normalize import search_words

# Created with its triggers by migration candidates/0002_candidate_search_index.
SQLITE_FTS_TABLE = "candidate_fts"
MAX_QUERY_WORDS = 8


def matching(queryset: QuerySet[Candidate], query: str) -> QuerySet[Candidate]:
    """Narrow `queryset` to candidates whose words start with every word of `query`."""
    words = search_words(query)[:MAX_QUERY_WORDS]
    if not words:
        return queryset
    if connection.vendor == "postgresql":
        tsquery = " & ".join(f"{word}:*" for word in words)
        return queryset.filter(
            RawSQL(
                "to_tsvector('simple'::regconfig, candidates_candidate.search_text) "
                "@@ to_tsquery('simple'::regconfig, %s)",
                [tsquery],
                output_field=BooleanField(),
            )
        )
    fts_query = " ".join(f'"{word}"*' for word in words)
    return queryset.filter(
        id__in=RawSQL(
            f"SELECT rowid FROM {SQLITE_FTS_TABLE} WHERE {SQLITE_FTS_TABLE} MATCH %s", [fts_query]
        )
    )


def rebuild() -> None:
    """Rebuild the SQLite FTS index from the table (after a bulk load that bypassed triggers)."""
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute(f"INSERT INTO {SQLITE_FTS_TABLE}({SQLITE_FTS_TABLE}) VALUES ('rebuild')")
