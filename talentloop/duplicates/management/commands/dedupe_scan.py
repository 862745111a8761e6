"""`talentloop dedupe-scan`: scan a workspace for duplicates now, with a progress bar."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from tqdm import tqdm

from talentloop.accounts.models import Workspace
from talentloop.core.actor import system_actor
from talentloop.core.errors import TalentloopError
from talentloop.duplicates import services
from talentloop.duplicates.models import DuplicateScan


class Command(BaseCommand):
    help = (
        "Compare the workspace's candidates and add likely duplicates to the review queue. "
        "Resumes the workspace's unfinished scan if there is one; never merges anything."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--workspace", default="acme", help="Workspace slug (default acme).")
        parser.add_argument(
            "--threshold",
            type=float,
            default=None,
            help="Suggest pairs scoring at least this, 0 to 1 (default: the setting).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            workspace = Workspace.objects.get(slug=options["workspace"])
        except Workspace.DoesNotExist:
            raise CommandError(f"No workspace {options['workspace']!r}.") from None
        scan = DuplicateScan.objects.filter(
            workspace=workspace, status__in=DuplicateScan.ACTIVE
        ).first()
        if scan is None:
            try:
                scan = services.start_scan(
                    actor=system_actor(workspace), threshold=options["threshold"]
                )
            except TalentloopError as error:
                raise CommandError(error.message) from None
        else:
            self.stdout.write(f"Resuming scan {scan.pk} at {scan.percent}%.")
        with tqdm(total=100, unit="%", disable=None) as bar:

            def progress(current: DuplicateScan) -> None:
                bar.update(current.percent - bar.n)
                bar.set_postfix(
                    candidates=current.candidates_indexed, pairs=current.suggestions_found
                )

            scan = services.run_scan(scan_id=scan.pk, progress=progress)
        self.stdout.write(
            f"Scanned {scan.candidates_indexed} candidates: {scan.suggestions_found} pairs "
            f"scored at least {scan.threshold:.2f}."
        )
