"""Migration helpers for indexes.

Django gives every foreign key an index of its own. Where a composite index or a unique
constraint of the same table already starts with that column, the extra index only costs
writes: with `candidates_candidatetag(tag_id)` beside `candidatetag_by_tag(tag_id,
candidate_id)`, writing an import's rows for 100,000 people on SQLite (plain executemany, no
search index) did 14,400 rows/s, against 17,200 without it. Such
fields say `db_index=False`; their migrations drop the index by name with `drop_fk_indexes`
rather than altering the field, which on SQLite would copy the whole table (and lose the
search index triggers where a table has them). `core/tests/test_schema.py` fails on any index
that another one makes redundant.
"""

from __future__ import annotations

from collections.abc import Sequence

from django.db import migrations
from django.db.backends.base.schema import BaseDatabaseSchemaEditor
from django.db.migrations.state import StateApps


def drop_fk_indexes(pairs: Sequence[tuple[str, str]]) -> migrations.RunPython:
    """An operation dropping the foreign key index of each (table, column), or on the way back
    creating it again (same name as Django's)."""

    def drop(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
        for table, column in pairs:
            schema_editor.execute(f'DROP INDEX IF EXISTS "{_name(schema_editor, table, column)}"')

    def create(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
        for table, column in pairs:
            name = _name(schema_editor, table, column)
            schema_editor.execute(f'CREATE INDEX IF NOT EXISTS "{name}" ON "{table}" ("{column}")')

    return migrations.RunPython(drop, create)


def _name(schema_editor: BaseDatabaseSchemaEditor, table: str, column: str) -> str:
    """The name Django gave the foreign key's index (its own private rule, the same on both
    databases)."""
    return str(schema_editor._create_index_name(table, [column], suffix=""))  # type: ignore[attr-defined]
