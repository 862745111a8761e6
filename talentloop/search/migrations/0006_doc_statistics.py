# PostgreSQL keeps statistics of the 2,000 x 10 most common words of `doc` (default: 100 x 10),
# so the planner's estimate of a word's matches is close for a surname with a few thousand
# people (1,693 estimated for 1,641 at 1M) and small for a word nobody has, instead of one
# default (1,133) for every word outside the short list. `_page_ids` picks its plan from it.

from django.db import migrations

TABLE = "search_searchdocument"


def _run(target: int):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(f"ALTER TABLE {TABLE} ALTER COLUMN doc SET STATISTICS {target}")

    return run


class Migration(migrations.Migration):
    dependencies = [("search", "0005_document_indexed_at_index")]

    operations = [migrations.RunPython(_run(2000), _run(-1))]
