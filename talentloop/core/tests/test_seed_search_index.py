"""Seeding suspends the per-row search trigger on SQLite; the index must be whole afterwards."""

from django.db import connection

from talentloop.accounts.models import Workspace
from talentloop.candidates.selectors import CandidateFilters, filtered_ids
from talentloop.candidates.services import create_candidate
from talentloop.core import seeding
from talentloop.core.actor import system_actor


def test_seeded_and_later_candidates_are_both_searchable(db) -> None:
    workspace = seeding.ensure_demo_cast()["acme"]
    actor = system_actor(Workspace.objects.get(pk=workspace.pk))
    before = create_candidate(actor=actor, data={"first_name": "Zebulon", "last_name": "Before"})

    seeding.seed_candidates(workspace, 30)
    after = create_candidate(actor=actor, data={"first_name": "Zebulon", "last_name": "After"})

    found = filtered_ids(actor, CandidateFilters(text="zebulon"), limit=10)
    assert found == sorted([before.pk, after.pk])
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT name FROM sqlite_master WHERE type = 'trigger' "
                "AND name LIKE 'candidate_fts_%' ORDER BY name"
            )
            assert [row[0] for row in cursor.fetchall()] == [
                "candidate_fts_delete",
                "candidate_fts_insert",
                "candidate_fts_update",
            ]
