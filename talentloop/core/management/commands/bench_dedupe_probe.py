"""For `bench dedupe`, in the bench database: whether a file was imported, the import itself,
and the timed scan with its scores, each as one JSON line."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from tqdm import tqdm

from talentloop.accounts.models import Workspace
from talentloop.candidates.models import Candidate
from talentloop.core.bench import dedupe


class Command(BaseCommand):
    help = "Internal to `talentloop bench dedupe`."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("what", choices=["status", "import", "score"])
        parser.add_argument("path", type=Path)
        parser.add_argument("--dataset", choices=dedupe.DATASETS, default="febrl4")
        parser.add_argument("--rows", type=int, default=None)

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path = options["path"]
        if options["what"] == "status":
            workspace = Workspace.objects.filter(slug=dedupe.WORKSPACE).first()
            figures: dict[str, Any] = {
                "imported": dedupe.finished_import(path) is not None,
                "candidates": Candidate.objects.filter(workspace=workspace).count()
                if workspace
                else 0,
            }
        elif options["what"] == "import":
            generated = options["dataset"] == "generated"
            with tqdm(unit="rows", disable=None) as bar:
                job = dedupe.import_file(
                    dedupe.bench_actor(),
                    path,
                    None if generated else dedupe.FEBRL_MAPPING,
                    progress=lambda _job, rows: bar.update(rows),
                )
            figures = {
                name: getattr(job, name)
                for name in ("processed_rows", "seconds", "created", "merged", "rejected")
            }
        else:
            figures = dedupe.evaluate(options["dataset"], path, options["rows"])
        self.stdout.write(json.dumps(figures))
