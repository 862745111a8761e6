"""For `bench import`: the baseline bulk insert, and the last import's figures, as JSON."""

from __future__ import annotations

import csv
import json
import time
from itertools import islice
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.db import transaction

from talentloop.accounts.models import Workspace
from talentloop.candidates.models import Candidate, Source
from talentloop.imports.models import ImportJob

BATCH = 2_000


class Command(BaseCommand):
    help = "Internal to `talentloop bench import`."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("what", choices=["baseline", "last-import"])
        parser.add_argument("path", nargs="?", type=Path)

    def handle(self, *args: Any, **options: Any) -> None:
        if options["what"] == "baseline":
            figures = self._baseline(options["path"])
        else:
            job = ImportJob.objects.order_by("-id").first()
            assert job is not None, "no import ran"
            figures = {
                name: getattr(job, name)
                for name in (
                    "processed_rows",
                    "seconds",
                    "created",
                    "updated",
                    "merged",
                    "rejected",
                )
            }
        self.stdout.write(json.dumps(figures))

    def _baseline(self, path: Path) -> dict[str, Any]:
        """Django bulk_create of one Candidate per row (names, title, company, city, country)
        into a scratch workspace: the plain insert an import is compared with."""
        workspace, _ = Workspace.objects.get_or_create(
            slug="bench-baseline", defaults={"name": "Bench baseline"}
        )
        rows = 0
        started = time.perf_counter()
        with path.open(newline="", encoding="utf-8") as stream:
            reader = csv.reader(stream)
            next(reader)
            while batch := list(islice(reader, BATCH)):
                with transaction.atomic():
                    Candidate.objects.bulk_create(
                        Candidate(
                            workspace=workspace,
                            first_name=row[0][:100],
                            last_name=row[1][:100],
                            current_title=row[5][:200],
                            current_company=row[6][:200],
                            city=row[7][:100],
                            country=row[8][:2],
                            source=Source.IMPORT,
                        )
                        for row in batch
                    )
                rows += len(batch)
        seconds = time.perf_counter() - started
        return {"rows": rows, "seconds": seconds, "rows_per_second": round(rows / seconds, 1)}
