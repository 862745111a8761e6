# The embedding sweep reads every workspace's documents along one index, from one checkpoint.
# The per-workspace rows go: the sweep then reads the documents once more from the start,
# re-embedding only those whose vector is older than the document.

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("matching", "0001_embeddings_rediscoveries_suggestions"),
    ]

    operations = [
        migrations.DeleteModel(name="EmbeddingCheckpoint"),
        migrations.CreateModel(
            name="EmbeddingCheckpoint",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("name", models.CharField(max_length=40, unique=True)),
                ("indexed_at", models.DateTimeField(null=True)),
                ("candidate_id", models.BigIntegerField(default=0)),
            ],
        ),
    ]
