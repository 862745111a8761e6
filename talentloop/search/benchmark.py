"""Search timings over a seeded database: what `talentloop bench search` reports.

Each case is a query and filters as a sourcer would send them; each runs `repeat` times
through `selectors.search` (the first page with its count, rows and snippets, as the API
serves it) and reports the median and 95th percentile in milliseconds.
"""

from __future__ import annotations

import statistics
import time
from dataclasses import dataclass
from typing import Any

from talentloop.core.actor import Actor
from talentloop.search import selectors

CASES: list[tuple[str, str, dict[str, Any]]] = [
    # (kind, query, filters)
    ("keyword", "engineer", {}),
    ("keyword", "salesforce", {}),
    ("keyword", "bartlett", {}),
    ("keyword", "zzzznomatch", {}),
    ("keyword", "eng*", {}),
    ("keyword", '"data scientist"', {}),
    ("boolean", "title:engineer AND (python OR java) -senior", {}),
    ("boolean", "skill:sql OR skill:pytorch", {}),
    ("boolean", '"data scientist" NOT title:senior', {}),
    ("boolean", "(title:manager OR title:director) company:martinez location:berlin", {}),
    ("boolean", "NOT engineer", {}),
    ("boolean", "skill:figma AND NOT (title:designer OR title:manager)", {}),
    ("filtered", "engineer", {"seniority": ["principal"]}),
    ("filtered", "engineer", {"tags": ["figma"], "years_min": 5}),
    ("filtered", "skill:sql", {"country": "DE", "source": ["referral"]}),
    ("filtered", "", {"seniority": ["intern"], "location": "berlin"}),
    ("filtered", "", {"tags": ["seo", "budgeting"]}),
    ("filtered", "data", {"consent": "contactable"}),
    ("filtered", "account executive", {"years_min": 30}),
]


@dataclass(frozen=True)
class Timing:
    kind: str
    query: str
    filters: dict[str, Any]
    matches: int | None
    p50_ms: float
    p95_ms: float


def measure(actor: Actor, *, repeat: int = 20) -> list[Timing]:
    timings = []
    for kind, query, raw in CASES:
        filters = selectors.parse_filters(raw)
        samples = []
        count = None
        for _ in range(repeat):
            started = time.perf_counter()
            page = selectors.search(actor, query=query, filters=filters)
            samples.append((time.perf_counter() - started) * 1000)
            count = page.count
        samples.sort()
        p95 = samples[min(len(samples) - 1, round(0.95 * (len(samples) - 1)))]
        timings.append(Timing(kind, query, raw, count, statistics.median(samples), p95))
    return timings
