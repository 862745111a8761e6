"""`talentloop bench search`: the probe on a small seeded database, and the report it makes."""

from __future__ import annotations

import io
import json

from django.core.management import call_command

from talentloop.candidates.models import Candidate
from talentloop.core import seeding
from talentloop.core.bench import search
from talentloop.core.bench.api import Target
from talentloop.jobs.models import Job
from talentloop.matching.models import CandidateEmbedding
from talentloop.search.models import SearchDocument


def test_the_probe_indexes_embeds_and_times_everything(db: object) -> None:
    workspace = seeding.ensure_demo_cast()["acme"]
    seeding.seed_candidates(workspace, 40)
    out = io.StringIO()

    call_command("bench_search_probe", repeat=2, stdout=out)

    probe = json.loads(out.getvalue().strip().splitlines()[-1])
    assert probe["candidates"] == 40
    assert SearchDocument.objects.count() == CandidateEmbedding.objects.count() == 40
    assert set(probe["queries"]) == {"keyword", "boolean", "filtered", "match_top_50"}
    assert all(q["p95_ms"] >= q["p50_ms"] > 0 for q in probe["queries"].values())
    live = Candidate.objects.filter(is_archived=False, deleted_at__isnull=True).count()
    assert [r["suggestions"] for r in probe["rediscoveries"]] == [live] * 3  # all kept (< 100)
    assert probe["rediscovery_s"] == max(r["seconds"] for r in probe["rediscoveries"])
    assert probe["embed_per_s"] > 0
    assert not Job.objects.exists()  # the bench's jobs are removed again

    report = search._report(Target("sqlite", 40, {}), probe)
    lines = search._lines(report, probe)

    assert {"database", "candidates", "queries", "rediscovery_s", "embed_per_s"} <= set(report)
    assert report["ratio_to_baseline_p95"]["keyword"] > 1
    assert any(line.startswith("  rediscovery (slowest of 3 jobs)") for line in lines)
