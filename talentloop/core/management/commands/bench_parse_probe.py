"""For `bench parse`: resumes ingested through the real service (sandboxed parse, original
stored, candidate created or updated, timeline and audit rows), timed one by one, as JSON."""

from __future__ import annotations

import hashlib
import json
import statistics
import time
from collections import Counter
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.db import transaction
from django_tasks_db.models import DBTaskResult

from talentloop.accounts.models import User, Workspace
from talentloop.accounts.selectors import member_actor
from talentloop.candidates.models import Candidate
from talentloop.candidates.services import create_candidate
from talentloop.core.actor import Actor
from talentloop.core.bench import mutations
from talentloop.core.bench.parse import throughput_files
from talentloop.resumes import services
from talentloop.resumes.models import ParseBatch, Resume

WARM_UP = b"Warm Up\nwarm.up@example.test\n\nSKILLS\nPython\n"


class Command(BaseCommand):
    help = "Internal to `talentloop bench parse`."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("folder", type=Path, nargs="?")
        parser.add_argument("--limit", type=int, default=None)
        parser.add_argument(
            "--bad-input", type=int, default=0, metavar="N", help="Queue N mutated files."
        )
        parser.add_argument("--report", type=int, default=0, metavar="BATCH")

    def handle(self, *args: Any, **options: Any) -> None:
        workspace = Workspace.objects.get(slug="acme")
        actor = member_actor(User.objects.get(email="alice@acme.test"), workspace)
        if options["bad_input"]:
            self._queue_bad_input(actor, options["folder"], options["bad_input"])
            return
        if options["report"]:
            self._report(options["report"])
            return
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

    def _queue_bad_input(self, actor: Actor, folder: Path, count: int) -> None:
        """A candidate already stored (it must come out unchanged), then a batch of `count`
        mutated files queued for the worker, as an upload would be."""
        create_candidate(
            actor=actor,
            data={"first_name": "Stored", "last_name": "Before", "emails": ["kept@example.test"]},
        )
        sources = sorted(
            p for p in folder.rglob("*") if p.is_file() and p.suffix.lower() in mutations.EXTENSIONS
        )
        uploads = (
            services.Upload(name=m.name, data=m.data, size=len(m.data))
            for m in mutations.mutants(sources, count=count)
        )
        with transaction.atomic():
            batch = services.create_batch(actor=actor, uploads=uploads, name="bad input")
        self.stdout.write(json.dumps({"batch": batch.pk, "files": batch.total_files}))

    def _report(self, batch_id: int) -> None:
        """What became of every file: parsed, or failed with a code and a message; every
        stored original still byte for byte what was received."""
        resumes = list(Resume.objects.filter(batch_id=batch_id).order_by("id"))
        codes = Counter(r.error_code for r in resumes if r.status == Resume.Status.FAILED)
        intact = changed = 0
        for resume in resumes:
            if not resume.file:
                continue
            with resume.file.open("rb") as stream:
                same = hashlib.sha256(stream.read()).hexdigest() == resume.sha256
            intact += same
            changed += not same
        kept = Candidate.objects.filter(emails__email="kept@example.test", deleted_at=None)
        self.stdout.write(
            json.dumps(
                {
                    "files": len(resumes),
                    "parsed": sum(r.status == Resume.Status.PARSED for r in resumes),
                    "failed": sum(r.status == Resume.Status.FAILED for r in resumes),
                    "not_done": sum(r.status == Resume.Status.QUEUED for r in resumes),
                    "failed_without_message": sum(
                        r.status == Resume.Status.FAILED and not (r.error and r.error_code)
                        for r in resumes
                    ),
                    "error_codes": dict(codes.most_common()),
                    "stored_intact": intact,
                    "stored_changed": changed,
                    "stored_before_kept": kept.count() == 1,
                    "failed_tasks": DBTaskResult.objects.filter(status="FAILED").count(),
                    "batch_status": ParseBatch.objects.get(pk=batch_id).status,
                }
            )
        )
