from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from tqdm import tqdm

from talentloop.accounts.models import Workspace
from talentloop.candidates.models import Candidate
from talentloop.core import seeding


class Command(BaseCommand):
    help = "Create the demo workspaces and people, and add realistic candidates."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--candidates",
            type=int,
            default=200,
            help="How many candidates the workspace should have (default 200).",
        )
        parser.add_argument("--workspace", default="acme", help="Workspace slug (default acme).")
        parser.add_argument("--seed", type=int, default=42, help="Random seed.")
        parser.add_argument(
            "--csv",
            type=Path,
            metavar="FILE",
            help=(
                "Write --candidates rows of an import file to FILE instead (5%% exact and 5%% "
                "fuzzy duplicates, for `talentloop bench import`)."
            ),
        )

    def handle(self, *args: Any, **options: Any) -> None:
        wanted = options["candidates"]
        if wanted < 0:
            raise CommandError("--candidates must be 0 or more.")
        if options["csv"] is not None:
            self._write_csv(options["csv"], wanted, options["seed"])
            return
        seeding.ensure_demo_cast()
        workspace = Workspace.objects.filter(slug=options["workspace"]).first()
        if workspace is None:
            raise CommandError(f"No workspace {options['workspace']!r}: use acme or globex.")
        have = Candidate.objects.filter(workspace=workspace).count()
        missing = max(wanted - have, 0)
        if not missing:
            self.stdout.write(f"{workspace.name} has {have:,} candidates already.")
            return
        started = time.perf_counter()
        with tqdm(total=missing, unit="candidates", unit_scale=True, disable=None) as bar:

            def progress(done: int) -> None:
                bar.update(done)

            try:
                seeding.seed_candidates(
                    workspace, missing, seed=options["seed"] + have, progress=progress
                )
            except RuntimeError as error:
                raise CommandError(str(error)) from None
        elapsed = time.perf_counter() - started
        self.stdout.write(
            f"Added {missing:,} candidates to {workspace.name} in {elapsed:.1f} s "
            f"({missing / elapsed:,.0f}/s)."
        )

    def _write_csv(self, path: Path, count: int, seed: int) -> None:
        started = time.perf_counter()
        try:
            stream = path.open("w", newline="", encoding="utf-8")
        except OSError as error:
            raise CommandError(f"Cannot write {path}: {error.strerror}.") from None
        with stream, tqdm(total=count, unit="rows", unit_scale=True, disable=None) as bar:
            kinds = seeding.write_candidates_csv(stream, count, seed=seed, progress=bar.update)
        self.stdout.write(
            f"Wrote {count:,} rows to {path} in {time.perf_counter() - started:.1f} s "
            f"({kinds['exact']:,} exact and {kinds['fuzzy']:,} fuzzy duplicates)."
        )
