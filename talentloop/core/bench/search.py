"""`talentloop bench search`: search and matching latency at N seeded candidates.

The database is the one `bench api` seeds (`bench-<N>.sqlite3`, or `talentloop_bench_<N>` on
PostgreSQL), reused between runs; the first run also builds its search index and its
embeddings, and says how long each took. The timings run in a probe process on that database
(`bench_search_probe`), at the service call (what the API and the pages call), beside a
baseline measured in the same run: the bare index lookup of the first 21 ids matching one word,
with no count, no rows and no snippets.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from talentloop.core.bench.api import Target, _talentloop

TARGET_P95_MS = 50.0
TARGET_REDISCOVERY_S = 60.0


def run(target: Target, *, repeat: int, log: Callable[[str], None]) -> dict[str, Any]:
    log(f"[{target.database}] migrating and seeding {target.candidates:,} candidates …")
    _talentloop(target, "migrate", "-v", "0")
    _talentloop(target, "seed", "--candidates", str(target.candidates))
    log(f"[{target.database}] indexing, embedding (first run only) and timing …")
    output = _talentloop(target, "bench_search_probe", "--repeat", str(repeat), capture=True)
    probe: dict[str, Any] = json.loads(output.strip().splitlines()[-1])
    report = _report(target, probe)
    for line in _lines(report, probe):
        log(line)
    return report


def _report(target: Target, probe: dict[str, Any]) -> dict[str, Any]:
    base = probe["baseline"]
    return {
        "database": target.database,
        "candidates": probe["candidates"],
        "queries": probe["queries"],
        "rediscovery_s": probe["rediscovery_s"],
        "embed_per_s": probe["embed_per_s"],
        "baseline": base,
        "ratio_to_baseline_p95": {
            kind: round(q["p95_ms"] / base["p95_ms"], 1) if base["p95_ms"] else None
            for kind, q in probe["queries"].items()
        },
        "cases": probe["cases"],
        "rediscoveries": probe["rediscoveries"],
        "prepare": probe["prepare"],
    }


def _lines(report: dict[str, Any], probe: dict[str, Any]) -> list[str]:
    lines = [
        f"  {report['database']}, {report['candidates']:,} candidates "
        f"(index built in {probe['prepare']['index_s']:.0f} s, embeddings in "
        f"{probe['prepare']['embed_s']:.0f} s"
        + (
            f", index segments merged in {probe['prepare']['compact_s']:.0f} s"
            if "compact_s" in probe["prepare"]
            else ""
        )
        + " this run)",
        f"  {'kind':<10} {'p50 ms':>8} {'p95 ms':>8} {'x baseline p95':>15}  target p95 ≤ 50 ms",
    ]
    for kind, q in report["queries"].items():
        verdict = "met" if q["p95_ms"] <= TARGET_P95_MS else "UNMET"
        lines.append(
            f"  {kind:<10} {q['p50_ms']:8.1f} {q['p95_ms']:8.1f} "
            f"{report['ratio_to_baseline_p95'][kind]:15.1f}  {verdict}"
        )
    base = report["baseline"]
    lines.append(
        f"  baseline ({base['name']}): p50 {base['p50_ms']:.2f} ms, p95 {base['p95_ms']:.2f} ms"
    )
    lines.append("  each search (p50 / p95 ms, matches):")
    for case in report["cases"]:
        filters = f" {json.dumps(case['filters'])}" if case["filters"] else ""
        matches = "1,000+" if case["matches"] is None else f"{case['matches']:,}"
        lines.append(
            f"    {case['kind']:<9} {case['p50_ms']:7.1f} {case['p95_ms']:7.1f}  "
            f"{case['query'] or '(filters only)'}{filters} → {matches}"
        )
    lines.extend(
        f"  rediscovery of {run['job']!r}: {run['seconds']:.1f} s over "
        f"{run['candidates_total']:,} candidates ({run['candidates_scored']:,} retrieved and "
        f"scored, {run['suggestions']} kept)"
        for run in report["rediscoveries"]
    )
    verdict = "met" if report["rediscovery_s"] <= TARGET_REDISCOVERY_S else "UNMET"
    lines.append(
        f"  rediscovery (slowest of {len(report['rediscoveries'])} jobs): "
        f"{report['rediscovery_s']:.1f} s, target ≤ 60 s: {verdict}"
    )
    lines.append(
        f"  embeddings: {report['embed_per_s']:,.0f} profiles/s "
        f"(100,000 in {100_000 / report['embed_per_s'] / 60:.1f} min; target ≤ 60 min)"
    )
    return lines
