"""`talentloop import PATH`: candidates from a CSV, XLSX, JSON (JSON Resume too) or JSON Lines
file, or a folder of them, with a progress bar. Runs here, not in the worker; a stopped run
continues with `--resume JOB`."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from tqdm import tqdm

from talentloop.candidates.models import Source
from talentloop.core.actor import Actor
from talentloop.core.cli import add_actor_arguments, command_actor
from talentloop.core.errors import TalentloopError
from talentloop.imports import selectors, services
from talentloop.imports.models import ImportJob, ImportMapping

SHOWN_PROBLEMS = 20


class Command(BaseCommand):
    help = (
        "Import candidates from a .csv, .xlsx, .json (a list, or JSON Resume) or .jsonl file, "
        "or a folder of them. Columns are mapped from their headers (see --map); a row whose "
        "e-mail, phone or LinkedIn/GitHub profile is already stored updates that candidate."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", type=Path, nargs="?", help="The file or folder to import.")
        add_actor_arguments(parser, default_source=Source.IMPORT.value, doing="import")
        parser.add_argument(
            "--map",
            dest="maps",
            action="append",
            default=[],
            metavar="HEADER=FIELD",
            help="Map a column (repeatable), e.g. --map 'E-mail=emails'; FIELD empty skips it.",
        )
        parser.add_argument("--mapping", default="", help="Use a mapping saved under this name.")
        parser.add_argument("--save-mapping", default="", metavar="NAME", help="Save the mapping.")
        parser.add_argument(
            "--dry-run", action="store_true", help="Check every row, write nothing."
        )
        parser.add_argument("--resume", type=int, metavar="JOB", help="Continue a stopped import.")
        parser.add_argument(
            "--errors", type=Path, metavar="FILE", help="Write the rejected rows as CSV."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        actor = command_actor(options["workspace"], options["actor"], doing="import candidates")
        errors_path: Path | None = options["errors"]
        if errors_path is not None:
            try:  # find out now, not after the import has run
                errors_path.open("w").close()
            except OSError as error:
                raise CommandError(f"Cannot write {errors_path}: {error.strerror}.") from None
        try:
            job = self._job(actor, options)
            job = services.start_now(actor=actor, job=job, dry_run=options["dry_run"])
            with tqdm(
                total=job.total_rows, initial=job.processed_rows, unit="rows", disable=None
            ) as bar:
                job = services.run_job(job, actor, progress=lambda _job, rows: bar.update(rows))
        except TalentloopError as error:
            where = f" ({error.field})" if error.field else ""
            raise CommandError(f"{error.message}{where}") from None
        self._report(job, dry_run=options["dry_run"], errors_path=errors_path)

    def _job(self, actor: Actor, options: dict[str, Any]) -> ImportJob:
        if options["resume"] is not None:
            return selectors.access_import(actor, options["resume"])
        if options["path"] is None:
            raise CommandError("Name the file or folder to import (or --resume JOB).")
        job = services.create_job(
            actor=actor, path=options["path"], tags=options["tags"], source=options["source"]
        )
        column_mapping = dict(job.mapping)
        if options["mapping"]:
            saved = ImportMapping.objects.filter(
                workspace=actor.workspace, name=options["mapping"]
            ).first()
            if saved is None:
                raise CommandError(f"No saved mapping {options['mapping']!r}.")
            column_mapping.update({h: t for h, t in saved.mapping.items() if h in job.headers})
        for item in options["maps"]:
            header, sep, target = item.partition("=")
            if not sep:
                raise CommandError(f"--map takes HEADER=FIELD, not {item!r}.")
            column_mapping[header.strip()] = target.strip()
        self.stdout.write(
            "Columns: " + ", ".join(f"{h} → {t or '(skipped)'}" for h, t in column_mapping.items())
        )
        return services.set_mapping(
            actor=actor, job=job, column_mapping=column_mapping, save_as=options["save_mapping"]
        )

    def _report(self, job: ImportJob, *, dry_run: bool, errors_path: Path | None) -> None:
        if job.status == ImportJob.Status.CANCELLED:
            self.stdout.write(f"Import {job.pk} was cancelled after {job.processed_rows:,} rows.")
            return
        rate = f"{job.rows_per_second:,.0f} rows/s"
        if dry_run:
            c = job.checked
            self.stdout.write(
                f"Dry run of {job.name} (import {job.pk}): {c.get('created', 0):,} would be "
                f"created, {c.get('updated', 0):,} updated, {c.get('merged', 0):,} merged into "
                f"an earlier row, {c.get('rejected', 0):,} rejected ({rate}). Nothing was written."
            )
        else:
            self.stdout.write(
                f"Imported {job.name} (import {job.pk}): {job.created:,} created, "
                f"{job.updated:,} updated, {job.merged:,} merged into an earlier row, "
                f"{job.rejected:,} rejected ({rate})."
            )
        if errors_path is not None:
            with errors_path.open("w", encoding="utf-8", newline="") as stream:
                services.write_error_report(job, stream, dry_run=dry_run)
            self.stdout.write(f"Wrote the rejected rows to {errors_path}.")
            return
        problems = selectors.row_errors(job, dry_run=dry_run)
        for problem in problems[:SHOWN_PROBLEMS]:
            where = f"row {problem.row}" + (f", {problem.field}" if problem.field else "")
            self.stderr.write(f"  {where}: {problem.reason}")
        hidden = problems.count() - SHOWN_PROBLEMS
        if hidden > 0:
            self.stderr.write(f"  … and {hidden:,} more: use --errors FILE to get them all.")
