"""Bulk writes for seeding and imports: many rows per statement, ids allocated up front.

On PostgreSQL rows go in through COPY; on SQLite through one prepared INSERT run for every row
(executemany). Both skip the ORM's per-object work, which is most of the cost past a few
thousand rows. Callers hold a transaction, so ids taken by `allocate_ids` stay theirs.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.db import connection


def next_id(table: str) -> int:
    """The id after the table's largest (SQLite, inside a write transaction)."""
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT COALESCE(MAX(id), 0) FROM {table}")  # noqa: S608 - fixed names
        return int(cursor.fetchone()[0]) + 1


def allocate_ids(table: str, count: int) -> list[int]:
    """`count` fresh ids for `table`: from its sequence on PostgreSQL (safe beside other
    writers), after its largest id on SQLite (whose one writer holds the lock)."""
    if count == 0:
        return []
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)",
                [table, count],
            )
            return [row[0] for row in cursor.fetchall()]
    first = next_id(table)
    return list(range(first, first + count))


def insert_rows(table: str, columns: Sequence[str], rows: list[tuple[Any, ...]]) -> None:
    if not rows:
        return
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            sql = f"COPY {table} ({', '.join(columns)}) FROM STDIN"
            with cursor.cursor.copy(sql) as copy:
                for row in rows:
                    copy.write_row(row)
        else:
            marks = ", ".join(["%s"] * len(columns))
            cursor.executemany(
                f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({marks})",  # noqa: S608
                rows,
            )


def insert_missing(
    table: str, columns: Sequence[str], rows: list[tuple[Any, ...]], *, unique: Sequence[str]
) -> None:
    """Insert the rows that do not collide with an existing one on `unique` (a unique
    constraint's columns); the others are skipped."""
    if not rows:
        return
    marks = ", ".join(["%s"] * len(columns))
    with connection.cursor() as cursor:
        cursor.executemany(
            f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({marks}) "  # noqa: S608
            f"ON CONFLICT ({', '.join(unique)}) DO NOTHING",
            rows,
        )


def reset_sequences(tables: Sequence[str]) -> None:
    """After rows were written with explicit ids (PostgreSQL): move each sequence past them."""
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        for table in tables:
            cursor.execute(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "  # noqa: S608
                f"(SELECT COALESCE(MAX(id), 1) FROM {table}))"
            )
