"""Full-text index over Candidate.search_text: FTS5 + triggers on SQLite, GIN on PostgreSQL."""

from django.db import migrations

SQLITE_FORWARD = [
    "CREATE VIRTUAL TABLE candidate_fts USING fts5(search_text, content='candidates_candidate', "
    "content_rowid='id', tokenize='unicode61', prefix='2 3')",
    "CREATE TRIGGER candidate_fts_insert AFTER INSERT ON candidates_candidate BEGIN "
    "INSERT INTO candidate_fts(rowid, search_text) VALUES (new.id, new.search_text); END",
    "CREATE TRIGGER candidate_fts_delete AFTER DELETE ON candidates_candidate BEGIN "
    "INSERT INTO candidate_fts(candidate_fts, rowid, search_text) "
    "VALUES ('delete', old.id, old.search_text); END",
    "CREATE TRIGGER candidate_fts_update AFTER UPDATE OF search_text ON candidates_candidate "
    "BEGIN INSERT INTO candidate_fts(candidate_fts, rowid, search_text) "
    "VALUES ('delete', old.id, old.search_text); "
    "INSERT INTO candidate_fts(rowid, search_text) VALUES (new.id, new.search_text); END",
    "INSERT INTO candidate_fts(candidate_fts) VALUES ('rebuild')",
]
SQLITE_BACKWARD = [
    "DROP TRIGGER IF EXISTS candidate_fts_insert",
    "DROP TRIGGER IF EXISTS candidate_fts_delete",
    "DROP TRIGGER IF EXISTS candidate_fts_update",
    "DROP TABLE IF EXISTS candidate_fts",
]
POSTGRES_FORWARD = [
    "CREATE INDEX IF NOT EXISTS candidate_search_gin ON candidates_candidate "
    "USING gin (to_tsvector('simple'::regconfig, search_text))",
]
POSTGRES_BACKWARD = ["DROP INDEX IF EXISTS candidate_search_gin"]


def _run(statements_by_vendor):
    def run(apps, schema_editor):
        for statement in statements_by_vendor.get(schema_editor.connection.vendor, []):
            schema_editor.execute(statement)

    return run


class Migration(migrations.Migration):
    dependencies = [("candidates", "0001_initial")]

    operations = [
        migrations.RunPython(
            _run({"sqlite": SQLITE_FORWARD, "postgresql": POSTGRES_FORWARD}),
            _run({"sqlite": SQLITE_BACKWARD, "postgresql": POSTGRES_BACKWARD}),
        )
    ]
