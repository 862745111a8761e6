"""No index of ours repeats the leading columns of another one on the same table (see
core/schema.py): each one costs every write, and the longer one serves the same reads."""

from __future__ import annotations

import pytest
from django.apps import apps
from django.db import connection

pytestmark = pytest.mark.django_db


def _our_tables() -> dict[str, set[str]]:
    """Our apps' tables -> the names of their partial indexes and unique constraints (they
    cover only some rows)."""
    tables: dict[str, set[str]] = {}
    # Not Django's own many-to-many tables (user groups): get_models() leaves them out.
    for model in apps.get_models():
        if not model.__module__.startswith("talentloop.") or not model._meta.managed:
            continue
        tables[model._meta.db_table] = {
            item.name
            for item in [*model._meta.indexes, *model._meta.constraints]
            if getattr(item, "condition", None) is not None
        }
    return tables


def redundant_indexes() -> list[str]:
    found = []
    with connection.cursor() as cursor:
        for table, partial in sorted(_our_tables().items()):
            constraints = connection.introspection.get_constraints(cursor, table)
            keys = {
                name: tuple(info["columns"])
                for name, info in constraints.items()
                if (info["index"] or info["unique"])
                and not info["primary_key"]
                and name not in partial
                and info["columns"]
                and None not in info["columns"]  # an expression index
                # PostgreSQL: Django's varchar_pattern_ops twin of a text column's index
                # serves LIKE 'prefix%', which the plain one cannot.
                and not name.endswith("_like")
            }
            for name, columns in keys.items():
                if constraints[name]["unique"]:
                    continue  # a unique one says something an index cannot
                for other, longer in keys.items():
                    if (
                        other != name
                        and len(longer) >= len(columns)
                        and (longer[: len(columns)] == columns)
                    ):
                        found.append(f"{table}: {name} {columns} repeats {other} {longer}")
                        break
    return found


def test_no_index_repeats_the_leading_columns_of_another() -> None:
    assert redundant_indexes() == []


def test_the_check_finds_a_repeated_index() -> None:
    with connection.cursor() as cursor:
        cursor.execute('CREATE INDEX "test_tag_again" ON "candidates_candidatetag" ("tag_id")')

    assert redundant_indexes() == [
        "candidates_candidatetag: test_tag_again ('tag_id',) repeats "
        "candidatetag_by_tag ('tag_id', 'candidate_id')"
    ]
