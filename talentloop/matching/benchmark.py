"""Matching timings over a seeded database: the parts of `talentloop bench search` that are
matching's. The top 50 matches of a job with their explanations, as the job page and
`GET /jobs/{id}/matches` read them; a rediscovery of one new job over the whole database; and
the embedding model's throughput on the database's own profiles."""

from __future__ import annotations

import statistics
import time
from dataclasses import dataclass
from typing import Any

from talentloop.core.actor import Actor
from talentloop.jobs import services as job_services
from talentloop.jobs.models import Job
from talentloop.matching import embedding, explain, selectors, services
from talentloop.search.models import SearchDocument

JOBS: list[dict[str, Any]] = [
    {
        "title": "Senior Data Engineer",
        "description": "Requirements: Python, SQL, Apache Spark. Nice to have: Kafka, dbt.",
        "country": "DE",
        "years_min": 5,
    },
    {
        "title": "Account Executive",
        "description": "Enterprise sales of SaaS. Requirements: Salesforce, negotiation.",
        "country": "US",
        "years_min": 3,
    },
    {
        "title": "Product Designer",
        "description": "Figma, user research and accessibility; A/B testing is a plus.",
        "remote_policy": "remote",
    },
]


@dataclass(frozen=True)
class RediscoveryTiming:
    job: str
    seconds: float
    candidates_total: int
    candidates_scored: int
    suggestions: int


def percentile(samples: list[float], fraction: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


def open_jobs(actor: Actor) -> list[tuple[Job, RediscoveryTiming]]:
    """Open each benchmark job (a new one per run) and rediscover it here, timed."""
    out = []
    for data in JOBS:
        job = job_services.create_job(actor=actor, data={**data, "status": "draft"})
        # Opening the job queued its run (for a worker, after the commit); run that one here.
        run = services.start_rediscovery(job)
        started = time.perf_counter()
        services.run_rediscovery(run.pk)
        seconds = time.perf_counter() - started
        run.refresh_from_db()
        out.append(
            (
                job,
                RediscoveryTiming(
                    job.title,
                    seconds,
                    run.candidates_total,
                    run.candidates_scored,
                    run.suggestions,
                ),
            )
        )
    return out


def match_top_50(actor: Actor, jobs: list[Job], *, repeat: int = 20) -> tuple[float, float]:
    """p50 and p95 in ms of reading a job's best 50 with their explanations."""
    samples = []
    for _ in range(repeat):
        for job in jobs:
            started = time.perf_counter()
            rows = selectors.job_matches(actor, job, limit=50)
            for row in rows:
                explain.rows(row.suggestion.criteria)
            samples.append((time.perf_counter() - started) * 1000)
    return statistics.median(samples), percentile(samples, 0.95)


def embed_rate(workspace_id: int, *, profiles: int = 2000) -> float:
    """Profiles embedded per second, on the workspace's own documents."""
    documents = list(
        SearchDocument.objects.filter(candidate__workspace_id=workspace_id).order_by(
            "-candidate_id"
        )[:profiles]
    )
    texts = [services.profile_text_of(d) for d in documents]
    embedding.embed(texts[:10])  # load the model first
    started = time.perf_counter()
    embedding.embed(texts)
    return len(texts) / (time.perf_counter() - started)
