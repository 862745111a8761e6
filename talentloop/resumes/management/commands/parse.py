"""`talentloop parse PATH…`: resume files, folders and zips into candidates, with a progress
bar. Runs here, not in the worker; a stopped run continues with `--resume BATCH`."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from tqdm import tqdm

from talentloop.candidates.models import Source
from talentloop.core.cli import add_actor_arguments, command_actor
from talentloop.core.errors import TalentloopError
from talentloop.resumes import selectors, services
from talentloop.resumes.models import ParseBatch, Resume

SHOWN_FAILURES = 20


class Command(BaseCommand):
    help = (
        "Parse resumes (PDF, DOCX, DOC, RTF, ODT, HTML, TXT; files, folders and zips) into "
        "candidates. A resume whose e-mail, phone or LinkedIn/GitHub profile is already stored "
        "updates that candidate. The originals are kept; a bad file fails alone."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("paths", type=Path, nargs="*", help="Files, folders or zips.")
        add_actor_arguments(parser, default_source=Source.SOURCED.value, doing="parse")
        parser.add_argument("--resume", type=int, metavar="BATCH", help="Continue a stopped run.")

    def handle(self, *args: Any, **options: Any) -> None:
        actor = command_actor(options["workspace"], options["actor"], doing="parse resumes")
        try:
            if options["resume"] is not None:
                batch = selectors.access_batch(actor, options["resume"])
            else:
                paths: list[Path] = options["paths"]
                if not paths:
                    raise CommandError("Name the files, folders or zips to parse.")
                missing = [str(p) for p in paths if not p.exists()]
                if missing:
                    raise CommandError(f"No such file or folder: {', '.join(missing)}.")
                name = paths[0].name if len(paths) == 1 else f"{len(paths)} paths"
                batch = services.create_batch(
                    actor=actor,
                    uploads=services.uploads_from_paths(paths),
                    name=name,
                    tags=options["tags"],
                    source=options["source"],
                    enqueue=False,
                )
            with tqdm(
                total=batch.total_files, initial=batch.processed_files, unit="files", disable=None
            ) as bar:

                def progress(current: ParseBatch) -> None:
                    bar.update(current.processed_files - bar.n)

                batch = services.run_batch(batch, actor, progress=progress)
        except TalentloopError as error:
            where = f" ({error.field})" if error.field else ""
            raise CommandError(f"{error.message}{where}") from None
        self._report(batch)

    def _report(self, batch: ParseBatch) -> None:
        rate = f"{batch.files_per_second:,.1f} files/s"
        verb = "was cancelled after" if batch.status == ParseBatch.Status.CANCELLED else "parsed"
        self.stdout.write(
            f"Batch {batch.pk} ({batch.name}) {verb} {batch.processed_files:,} of "
            f"{batch.total_files:,} files: {batch.created:,} new candidates, {batch.updated:,} "
            f"updated, {batch.failed:,} failed ({rate})."
        )
        failures = Resume.objects.filter(batch=batch, status=Resume.Status.FAILED).order_by("id")
        for resume in failures[:SHOWN_FAILURES]:
            self.stderr.write(f"  {resume.file_name}: {resume.error}")
        hidden = failures.count() - SHOWN_FAILURES
        if hidden > 0:
            self.stderr.write(f"  … and {hidden:,} more (see the batch page).")
