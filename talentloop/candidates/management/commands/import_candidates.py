"""`talentloop import FILE`: candidates from CSV, JSON or JSON Lines (candidates/importing.py)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from tqdm import tqdm

from talentloop.accounts.models import User, Workspace
from talentloop.accounts.roles import Capability
from talentloop.accounts.selectors import member_actor
from talentloop.candidates import importing
from talentloop.candidates.models import Source
from talentloop.core.actor import Actor, system_actor
from talentloop.core.errors import NotFound

SHOWN_PROBLEMS = 20


class Command(BaseCommand):
    help = (
        "Import candidates from a .csv, .json or .jsonl file. CSV columns are the API's field "
        "names (first_name, last_name, emails, phones, links, tags, current_title, ..., and "
        "custom_fields.<key>); separate several values in one cell with ';'. JSON is a list of "
        "API CandidateIn objects; JSON Lines has one per line."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", type=Path, help="The file to import.")
        parser.add_argument("--workspace", default="acme", help="Workspace slug (default acme).")
        parser.add_argument(
            "--actor",
            default="",
            metavar="EMAIL",
            help="The member the import is done as (audit and owner). Default: the system.",
        )
        parser.add_argument(
            "--source",
            default=Source.IMPORT.value,
            choices=Source.values,
            help="Source of rows that name none (default import).",
        )
        parser.add_argument(
            "--tag",
            dest="tags",
            action="extend",
            nargs="+",
            default=[],
            metavar="TAG",
            help="Tag every imported candidate (repeatable).",
        )
        parser.add_argument(
            "--dry-run", action="store_true", help="Check every row and write nothing."
        )
        parser.add_argument(
            "--errors",
            type=Path,
            metavar="FILE",
            help="Write the problems as CSV (row, field, reason).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        actor = self._actor(options["workspace"], options["actor"])
        errors_path: Path | None = options["errors"]
        if errors_path is not None:
            try:  # find out now, not after the import has run
                errors_path.open("w").close()
            except OSError as error:
                raise CommandError(f"Cannot write {errors_path}: {error.strerror}.") from None
        try:
            file = importing.open_import(options["path"])
        except importing.ImportFileError as error:
            raise CommandError(str(error)) from None

        with tqdm(total=file.rows, unit="rows", disable=None) as bar:
            report = importing.import_candidates(
                actor=actor,
                file=file,
                source=options["source"],
                tags=options["tags"],
                dry_run=options["dry_run"],
                progress=bar.update,
            )

        name, workspace = file.path.name, actor.workspace.name
        counts = f"{report.skipped:,} skipped (duplicates), {report.failed:,} failed"
        if options["dry_run"]:
            self.stdout.write(
                f"Dry run of {name} for {workspace}: {report.created:,} would be created, "
                f"{counts}. Nothing was written."
            )
        else:
            self.stdout.write(
                f"Imported {name} into {workspace}: {report.created:,} created, {counts}."
            )
        if errors_path is not None:
            with errors_path.open("w", encoding="utf-8", newline="") as stream:
                importing.write_problems(report, stream)
            self.stdout.write(f"Wrote {len(report.problems):,} problems to {errors_path}.")
        else:
            self._show_problems(report)

    def _actor(self, slug: str, email: str) -> Actor:
        workspace = Workspace.objects.filter(slug=slug).first()
        if workspace is None:
            known = ", ".join(Workspace.objects.order_by("slug").values_list("slug", flat=True))
            raise CommandError(f"No workspace {slug!r}. Workspaces: {known or 'none yet'}.")
        if not email:
            return system_actor(workspace)
        not_member = CommandError(f"{email} is not a member of {workspace.name}.")
        user = User.objects.filter(email=email.strip().lower()).first()
        if user is None:
            raise not_member
        try:
            actor = member_actor(user, workspace)
        except NotFound:
            raise not_member from None
        if not actor.can(Capability.EDIT_CANDIDATES):
            raise CommandError(
                f"{email} has the {actor.role.label.lower()} role in {workspace.name} and "
                "cannot create candidates."
            )
        return actor

    def _show_problems(self, report: importing.ImportReport) -> None:
        for problem in report.problems[:SHOWN_PROBLEMS]:
            where = f"row {problem.row}" + (f", {problem.field}" if problem.field else "")
            self.stderr.write(f"  {where}: {problem.reason}")
        hidden = len(report.problems) - SHOWN_PROBLEMS
        if hidden > 0:
            self.stderr.write(f"  … and {hidden:,} more: use --errors FILE to get them all.")
