"""`talentloop match-embed`: embed every indexed candidate for matching, with a progress bar."""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from tqdm import tqdm

from talentloop.accounts.models import Workspace
from talentloop.matching import embedding, services
from talentloop.search.models import SearchDocument


class Command(BaseCommand):
    help = (
        "Embed every indexed candidate that has no current vector (a database from before "
        "matching, or right after a big import). Day to day the worker keeps up by itself."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--workspace", default="", help="Only this workspace (slug).")

    def handle(self, *args: Any, **options: Any) -> None:
        workspace = None
        if options["workspace"]:
            workspace = Workspace.objects.filter(slug=options["workspace"]).first()
            if workspace is None:
                raise CommandError(f"No workspace {options['workspace']!r}.")
        try:
            embedding.embed(["warm up"])
        except embedding.EmbeddingUnavailable as error:
            raise CommandError(str(error)) from None
        documents = SearchDocument.objects.all()
        if workspace is not None:
            documents = documents.filter(candidate__workspace=workspace)
        started = time.monotonic()
        with tqdm(total=documents.count(), unit="candidates", disable=None) as bar:
            written = services.embed_all(workspace=workspace, progress=bar.update)
        seconds = time.monotonic() - started
        rate = f" ({written / seconds:,.0f}/s)" if written and seconds else ""
        self.stdout.write(f"Embedded {written} candidates{rate}.")
