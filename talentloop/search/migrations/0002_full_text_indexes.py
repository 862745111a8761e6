"""Full-text indexes over SearchDocument: FTS5 + triggers on SQLite, tsvectors + GIN on PostgreSQL.

Both are kept in step by the database itself, so writing a SearchDocument row indexes it and
deleting the row unindexes it, whoever does it.
"""

from django.db import migrations

TABLE = "search_searchdocument"
COLUMNS = "name, title, company, skills, location, school, body"
NEW = ", ".join(f"new.{c}" for c in COLUMNS.split(", "))
OLD = ", ".join(f"old.{c}" for c in COLUMNS.split(", "))

SQLITE_FORWARD = [
    # External content: the words live once, in the documents table.
    f"CREATE VIRTUAL TABLE search_fts USING fts5({COLUMNS}, content='{TABLE}', "
    "content_rowid='candidate_id', tokenize='unicode61', prefix='2 3')",
    f"CREATE TRIGGER search_fts_insert AFTER INSERT ON {TABLE} BEGIN "
    f"INSERT INTO search_fts(rowid, {COLUMNS}) VALUES (new.candidate_id, {NEW}); END",
    f"CREATE TRIGGER search_fts_delete AFTER DELETE ON {TABLE} BEGIN "
    f"INSERT INTO search_fts(search_fts, rowid, {COLUMNS}) "
    f"VALUES ('delete', old.candidate_id, {OLD}); END",
    f"CREATE TRIGGER search_fts_update AFTER UPDATE ON {TABLE} BEGIN "
    f"INSERT INTO search_fts(search_fts, rowid, {COLUMNS}) "
    f"VALUES ('delete', old.candidate_id, {OLD}); "
    f"INSERT INTO search_fts(rowid, {COLUMNS}) VALUES (new.candidate_id, {NEW}); END",
]
SQLITE_BACKWARD = [
    "DROP TRIGGER IF EXISTS search_fts_insert",
    "DROP TRIGGER IF EXISTS search_fts_delete",
    "DROP TRIGGER IF EXISTS search_fts_update",
    "DROP TABLE IF EXISTS search_fts",
]


def _vector(column: str, weight: str) -> str:
    return f"setweight(to_tsvector('simple'::regconfig, {column}), '{weight}')"


# `doc`: every word, weighted by field (A title, B company, C skills, D the rest), so a plain
# word and title:/company:/skill: are one GIN lookup. `meta`: name, location, school.
DOC = " || ".join(
    [
        _vector("title", "A"),
        _vector("company", "B"),
        _vector("skills", "C"),
        _vector("name", "D"),
        _vector("location", "D"),
        _vector("school", "D"),
        _vector("body", "D"),
    ]
)
META = " || ".join([_vector("name", "A"), _vector("location", "B"), _vector("school", "C")])
POSTGRES_FORWARD = [
    f"ALTER TABLE {TABLE} ADD COLUMN doc tsvector GENERATED ALWAYS AS ({DOC}) STORED",
    f"ALTER TABLE {TABLE} ADD COLUMN meta tsvector GENERATED ALWAYS AS ({META}) STORED",
    f"CREATE INDEX search_doc_gin ON {TABLE} USING gin (doc)",
    f"CREATE INDEX search_meta_gin ON {TABLE} USING gin (meta)",
]
POSTGRES_BACKWARD = [
    "DROP INDEX IF EXISTS search_doc_gin",
    "DROP INDEX IF EXISTS search_meta_gin",
    f"ALTER TABLE {TABLE} DROP COLUMN IF EXISTS doc",
    f"ALTER TABLE {TABLE} DROP COLUMN IF EXISTS meta",
]


def _run(statements_by_vendor):
    def run(apps, schema_editor):
        for statement in statements_by_vendor.get(schema_editor.connection.vendor, []):
            schema_editor.execute(statement)

    return run


class Migration(migrations.Migration):
    dependencies = [("search", "0001_search_documents_and_saved_searches")]

    operations = [
        migrations.RunPython(
            _run({"sqlite": SQLITE_FORWARD, "postgresql": POSTGRES_FORWARD}),
            _run({"sqlite": SQLITE_BACKWARD, "postgresql": POSTGRES_BACKWARD}),
        )
    ]
