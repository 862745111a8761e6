"""For `bench parse`: resumes ingested through the real service (sandboxed parse, original
stored, candidate created or updated, timeline and audit rows), timed one by one, as JSON."""

from __future__ import annotations

import json
import statistics
import time
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from talentloop.accounts.models import User, Workspace
from talentloop.accounts.selectors import member_actor
from talentloop.core.bench.parse import throughput_files
from talentloop.resumes import services

WARM_UP = b"Warm Up\nwarm.up@example.test\n\nSKILLS\nPython\n"


class Command(BaseCommand):
    help = "Internal to `talentloop bench parse`."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("folder", type=Path)
        parser.add_argument("--limit", type=int, default=None)

    def handle(self, *args: Any, **options: Any) -> None:
        workspace = Workspace.objects.get(slug="acme")
        actor = member_actor(User.objects.get(email="alice@acme.test"), workspace)
        parse_options = services.parse_options(actor)
        # Starting the sandbox child and loading the skills catalogue happen once per worker.
        warm = services.store_file(actor=actor, name="warm-up.txt", data=WARM_UP)
        services.parse_resume(actor=actor, resume=warm, options=parse_options)
        seconds: list[float] = []
        failed = 0
        for path in throughput_files(options["folder"])[: options["limit"]]:
            data = path.read_bytes()
            started = time.perf_counter()
            resume = services.store_file(actor=actor, name=path.name, data=data)
            resume = services.parse_resume(actor=actor, resume=resume, options=parse_options)
            seconds.append(time.perf_counter() - started)
            failed += resume.status != resume.Status.PARSED
        ms = sorted(s * 1000 for s in seconds)
        total = sum(seconds)
        self.stdout.write(
            json.dumps(
                {
                    "files": len(ms),
                    "failed": failed,
                    "resumes_per_s": round(len(ms) / total, 1) if total else 0.0,
                    "p50_ms": round(statistics.median(ms), 1) if ms else 0.0,
                    "p95_ms": round(ms[min(len(ms) - 1, int(len(ms) * 0.95))], 1) if ms else 0.0,
                }
            )
        )
