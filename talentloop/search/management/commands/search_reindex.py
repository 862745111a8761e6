"""`talentloop search-reindex`: write every candidate's search document, with a progress bar."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from tqdm import tqdm

from talentloop.accounts.models import Workspace
from talentloop.candidates.models import Candidate
from talentloop.search import services


class Command(BaseCommand):
    help = (
        "Index every candidate for search (a database from before search, or after changing "
        "what a document holds). Day to day the index follows changes by itself."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--workspace", default="", help="Only this workspace (slug).")
        parser.add_argument(
            "--points-only",
            action="store_true",
            help="Only geocode cities to map points (for the distance filter), not the text.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        workspace = None
        if options["workspace"]:
            workspace = Workspace.objects.filter(slug=options["workspace"]).first()
            if workspace is None:
                raise CommandError(f"No workspace {options['workspace']!r}.")
        candidates = Candidate.objects.all()
        if workspace is not None:
            candidates = candidates.filter(workspace=workspace)
        with tqdm(total=candidates.count(), unit="candidates", disable=None) as bar:
            if options["points_only"]:
                placed = services.geocode_all(workspace=workspace, progress=bar.update)
                self.stdout.write(f"Placed {placed} candidates on the map.")
                return
            written = services.reindex_all(workspace=workspace, progress=bar.update)
        self.stdout.write(f"Indexed {written} candidates.")
        # The rewrite left many segments; merge them now rather than over the next hours.
        services.compact_index(budget_seconds=3_600)
