from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser


class Command(BaseCommand):
    help = "Benchmarks. `bench api`: list, filtered list and profile latency at N candidates."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="bench", required=True)
        api = sub.add_parser("api", help="API and page latency/throughput at N candidates.")
        api.add_argument("--database", choices=["sqlite", "postgresql"], default="sqlite")
        api.add_argument("--candidates", type=int, default=100_000)
        api.add_argument("--concurrency", type=int, default=8)
        api.add_argument("--seconds", type=float, default=10.0, help="Per endpoint.")
        api.add_argument(
            "--data-dir",
            default=str(settings.DATA_DIR / "bench"),
            help="Where the SQLite bench databases live (reused between runs).",
        )
        api.add_argument(
            "--postgres-url",
            default=os.environ.get(
                "TALENTLOOP_BENCH_POSTGRES_URL",
                "postgresql://talentloop:talentloop@127.0.0.1:5432/postgres",
            ),
            help="A PostgreSQL server where database talentloop_bench_<N> may be created.",
        )
        api.add_argument("--json", action="store_true", help="End with one JSON line.")

        imp = sub.add_parser("import", help="Import rows/s and peak memory against bulk_create.")
        imp.add_argument("--database", choices=["sqlite", "postgresql"], default="sqlite")
        imp.add_argument("--rows", type=int, default=1_000_000)
        imp.add_argument(
            "--data-dir",
            default=str(settings.DATA_DIR / "bench"),
            help="Where the CSV files and the SQLite database live.",
        )
        imp.add_argument(
            "--postgres-url",
            default=os.environ.get(
                "TALENTLOOP_BENCH_POSTGRES_URL",
                "postgresql://talentloop:talentloop@127.0.0.1:5432/talentloop",
            ),
        )
        imp.add_argument("--json", action="store_true", help="End with one JSON line.")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["bench"] == "api":
            self._api(options)
        elif options["bench"] == "import":
            self._import(options)

    def _import(self, options: dict[str, Any]) -> None:
        from talentloop.core.bench import imports

        if options["rows"] < 1:
            raise CommandError("--rows must be at least 1.")
        data_dir = Path(options["data_dir"])
        data_dir.mkdir(parents=True, exist_ok=True)
        if options["database"] == "sqlite":
            target = imports.sqlite_target(options["rows"], data_dir)
        else:
            try:
                target = imports.postgres_target(options["rows"], options["postgres_url"])
            except Exception as error:
                raise CommandError(
                    f"Cannot reach PostgreSQL at {options['postgres_url']}: {error}"
                ) from None
        path = imports.csv_file(options["rows"], data_dir, self.stdout.write)
        report = imports.run(target, path, log=self.stdout.write)
        base = report["baseline"]
        self.stdout.write(
            f"  import: {report['rows_per_second']:,.0f} rows/s ({report['rows']:,} rows in "
            f"{report['seconds']:.1f} s; {report['created']:,} created, {report['updated']:,} "
            f"updated, {report['merged']:,} merged, {report['rejected']:,} rejected), peak "
            f"memory {report['peak_memory_mb']:,.0f} MB\n"
            f"  baseline ({base['name']}): {base['rows_per_second']:,.0f} rows/s; "
            f"ratio {report['ratio_to_baseline']}"
        )
        if options["json"]:
            self.stdout.write(json.dumps(report, separators=(",", ":")))

    def _api(self, options: dict[str, Any]) -> None:
        from talentloop.core.bench import api

        if options["candidates"] < 10:
            raise CommandError("--candidates must be at least 10.")
        if options["concurrency"] < 1 or options["seconds"] <= 0:
            raise CommandError("--concurrency and --seconds must be positive.")
        if options["database"] == "sqlite":
            target = api.sqlite_target(options["candidates"], Path(options["data_dir"]))
        else:
            try:
                target = api.postgres_target(options["candidates"], options["postgres_url"])
            except Exception as error:
                raise CommandError(
                    f"Cannot reach PostgreSQL at {options['postgres_url']}: {error}"
                ) from None
        self.stdout.write(
            f"bench api: {target.database}, {target.candidates:,} candidates, "
            f"{options['concurrency']} concurrent clients, {options['seconds']:.0f} s per endpoint"
        )
        report = api.run(
            target,
            concurrency=options["concurrency"],
            seconds=options["seconds"],
            log=self.stdout.write,
        )
        base = report["baseline"]
        self.stdout.write(
            f"  baseline ({base['name']}): {base['rps']:.0f} req/s; ratios to it: "
            + ", ".join(f"{k} {v:.2f}" for k, v in report["ratio_to_baseline_rps"].items())
        )
        if options["json"]:
            self.stdout.write(json.dumps(report, separators=(",", ":")))
