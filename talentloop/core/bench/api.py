"""`talentloop bench api`: latency and throughput of the list, filtered list and profile, API and
pages, with N seeded candidates, against a one-query baseline endpoint measured in the same run.

The server runs as it does in production (`talentloop serve`: granian, 2 worker processes) on a
separate database (SQLite file or PostgreSQL database) seeded once and reused between runs.
"""

from __future__ import annotations

import json
import os
import random
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from talentloop.core.bench import loadgen


@dataclass(frozen=True)
class Target:
    database: str  # "sqlite" or "postgresql"
    candidates: int
    env: dict[str, str]


def sqlite_target(candidates: int, data_dir: Path) -> Target:
    data_dir.mkdir(parents=True, exist_ok=True)
    path = data_dir / f"bench-{candidates}.sqlite3"
    return Target("sqlite", candidates, {"DATABASE_URL": f"sqlite://{path.resolve()}"})


def postgres_target(candidates: int, server_url: str) -> Target:
    """A database `talentloop_bench_<N>` on the server of `server_url`, created if missing."""
    import psycopg

    name = f"talentloop_bench_{candidates}"
    parts = urlsplit(server_url)
    with psycopg.connect(server_url, autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if not exists:
            conn.execute(f'CREATE DATABASE "{name}"')
    url = urlunsplit((parts.scheme, parts.netloc, f"/{name}", "", ""))
    return Target("postgresql", candidates, {"DATABASE_URL": url})


def _talentloop(target: Target, *args: str, capture: bool = False) -> str:
    env = {
        **os.environ,
        **target.env,
        "TALENTLOOP_DEBUG": "false",
        "TALENTLOOP_SECRET_KEY": "bench-secret-key-not-for-production",
    }
    result = subprocess.run(  # noqa: S603 - our own CLI with fixed arguments
        [sys.executable, "-m", "talentloop", *args],
        env=env,
        check=True,
        stdout=subprocess.PIPE if capture else None,
        text=True,
    )
    return result.stdout if capture else ""


def prepare(target: Target, log: Callable[[str], None]) -> dict[str, Any]:
    """Migrate, seed to N candidates (reused when present) and mint credentials."""
    log(f"[{target.database}] migrating and seeding {target.candidates:,} candidates …")
    _talentloop(target, "migrate", "-v", "0")
    _talentloop(target, "seed", "--candidates", str(target.candidates))
    output = _talentloop(target, "bench_credentials", capture=True)
    credentials: dict[str, Any] = json.loads(output.strip().splitlines()[-1])
    return credentials


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _start_server(target: Target, port: int) -> subprocess.Popen[bytes]:
    env = {
        **os.environ,
        **target.env,
        "TALENTLOOP_DEBUG": "false",
        "TALENTLOOP_SECRET_KEY": "bench-secret-key-not-for-production",
        "TALENTLOOP_LOG_LEVEL": "WARNING",
    }
    process = subprocess.Popen(  # noqa: S603 - our own CLI with fixed arguments
        [sys.executable, "-m", "talentloop", "serve", "--port", str(port), "--workers", "2"],
        env=env,
        stdout=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2):
                return process
        except OSError:
            time.sleep(0.3)
    process.kill()
    raise RuntimeError("the web server did not start within 60 s")


def endpoints(credentials: dict[str, Any]) -> dict[str, Callable[[], tuple[str, dict[str, str]]]]:
    """name -> a function returning (path, headers) for the next request."""
    key = {"Authorization": f"Bearer {credentials['api_key']}"}
    cookie = {"Cookie": f"sessionid={credentials['session']}"}
    low, high = credentials["first_id"], credentials["last_id"]
    tag, source = credentials["tag"], credentials["source"]
    rng = random.Random(7)

    def fixed(path: str, headers: dict[str, str]) -> Callable[[], tuple[str, dict[str, str]]]:
        return lambda: (path, headers)

    return {
        "baseline_one_query": fixed("/healthz", {}),
        "api_list": fixed("/api/v1/candidates?limit=50", key),
        "api_filtered_list": fixed(f"/api/v1/candidates?limit=50&tag={tag}&source={source}", key),
        "api_search": fixed("/api/v1/candidates?limit=50&q=senior%20eng", key),
        "api_profile": lambda: (f"/api/v1/candidates/{rng.randint(low, high)}", key),
        "page_list": fixed("/candidates/", cookie),
        "page_filtered_list": fixed(f"/candidates/?tag={tag}&source={source}", cookie),
        "page_profile": lambda: (f"/candidates/{rng.randint(low, high)}/", cookie),
    }


def run(
    target: Target,
    *,
    concurrency: int,
    seconds: float,
    log: Callable[[str], None],
) -> dict[str, Any]:
    credentials = prepare(target, log)
    port = _free_port()
    server = _start_server(target, port)
    results: dict[str, dict[str, float]] = {}
    try:
        for name, next_request in endpoints(credentials).items():

            def make(
                next_request: Callable[[], tuple[str, dict[str, str]]] = next_request,
            ) -> bytes:
                path, headers = next_request()
                return loadgen.get_request(f"127.0.0.1:{port}", path, headers)

            result = loadgen.run("127.0.0.1", port, make, concurrency=concurrency, seconds=seconds)
            if result.errors:
                raise RuntimeError(f"{name}: {result.errors} of {result.requests} requests failed")
            results[name] = {
                "p50_ms": round(result.percentile(50), 2),
                "p95_ms": round(result.percentile(95), 2),
                "rps": round(result.rps, 1),
            }
            log(
                f"  {name:<22} p50 {results[name]['p50_ms']:>7.2f} ms   "
                f"p95 {results[name]['p95_ms']:>7.2f} ms   {results[name]['rps']:>8.1f} req/s"
            )
    finally:
        server.terminate()
        server.wait(timeout=30)
    baseline = results["baseline_one_query"]["rps"]
    return {
        "database": target.database,
        "candidates": target.candidates,
        "concurrency": concurrency,
        "endpoints": {name: r for name, r in results.items() if name != "baseline_one_query"},
        "baseline": {
            "name": "one-query Django endpoint (/healthz)",
            **results["baseline_one_query"],
        },
        "ratio_to_baseline_rps": {
            name: round(r["rps"] / baseline, 3)
            for name, r in results.items()
            if name != "baseline_one_query"
        },
    }
