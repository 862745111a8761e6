from __future__ import annotations

import time
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

    def handle(self, *args: Any, **options: Any) -> None:
        wanted = options["candidates"]
        if wanted < 0:
            raise CommandError("--candidates must be 0 or more.")
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
