from __future__ import annotations

import json
import os
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

if TYPE_CHECKING:
    from talentloop.core.bench.api import Target


class Command(BaseCommand):
    help = (
        "Benchmarks. `bench api`: list, filtered list and profile latency at N candidates; "
        "`bench import`: import rows/s; `bench dedupe`: duplicate scan precision and recall; "
        "`bench parse`: resume parsing accuracy, format coverage and throughput; "
        "`bench rank`: match score ranking quality against BM25; `bench search`: search, "
        "match and rediscovery latency at N candidates; `bench send`: campaign messages/s into "
        "a local SMTP server against raw sending, throttle accuracy, tracking events/s, and "
        "with --chaos the crash test."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="bench", required=True)
        api = sub.add_parser("api", help="API and page latency/throughput at N candidates.")
        api.add_argument("--candidates", type=int, default=100_000)
        api.add_argument("--concurrency", type=int, default=8)
        api.add_argument("--seconds", type=float, default=10.0, help="Per endpoint.")
        _common(
            api,
            data_dir="Where the SQLite bench databases live (reused between runs).",
            server="postgres",
        )

        imp = sub.add_parser("import", help="Import rows/s and peak memory against bulk_create.")
        imp.add_argument("--rows", type=int, default=1_000_000)
        _common(imp, data_dir="Where the CSV files and the SQLite database live.")

        dedupe = sub.add_parser(
            "dedupe", help="Precision, recall and time of the duplicate scan on known duplicates."
        )
        dedupe.add_argument(
            "--dataset",
            choices=["febrl1", "febrl2", "febrl3", "febrl4", "generated"],
            default="febrl4",
        )
        dedupe.add_argument(
            "--rows", type=int, default=None, help="For --dataset generated (default 1,000,000)."
        )
        _common(dedupe, data_dir="Where the import files and the SQLite databases live.")

        parse = sub.add_parser(
            "parse",
            help="Resume parsing: field precision/recall/F1 on an annotated set, format "
            "coverage and end-to-end throughput.",
        )
        parse.add_argument(
            "--dataset",
            default=str(settings.DATASETS_DIR / "dotin-resume-ner"),
            help="An annotated set folder laid out like ../shared/datasets/dotin-resume-ner "
            "(zips of XML) or dataturks-resume-ner-701 (JSON lines).",
        )
        parse.add_argument("--limit", type=int, default=None, help="The first N documents/files.")
        parse.add_argument(
            "--formats",
            nargs="*",
            default=None,
            metavar="FOLDER",
            help="Format coverage on these folders of files (none given: resume-format-samples "
            "and livecareer-resumes/pdfs beside the dataset).",
        )
        parse.add_argument(
            "--throughput",
            nargs="*",
            default=None,
            metavar="FOLDER",
            help="End-to-end resumes/s on the PDF/DOCX files of these folders (none given: "
            "livecareer-resumes/pdfs and vacancy-resume-matching/CV beside the dataset).",
        )
        parse.add_argument(
            "--parser",
            default="talentloop.resumes.fields:parse_text",
            help="module:function parsing a text into a ParsedResume.",
        )
        parse.add_argument(
            "--bad-input",
            type=int,
            nargs="?",
            const=200,
            default=None,
            metavar="N",
            help="Parse N (200) mutated files through a real worker: crashes, errors, losses.",
        )
        _common(parse, data_dir="Where the SQLite database of the ingestion timing lives.")

        rank = sub.add_parser(
            "rank", help="Match score ranking quality (nDCG, P@10, Spearman) against plain BM25."
        )
        rank.add_argument(
            "--dataset",
            default=str(settings.DATASETS_DIR / "livecareer-resumes"),
            help="A folder laid out like ../shared/datasets/livecareer-resumes, "
            "ferr-hr-relevance or vacancy-resume-matching.",
        )
        rank.add_argument("--limit", type=int, default=None, help="The first N queries only.")
        rank.add_argument("--json", action="store_true", help="End with one JSON line.")

        search = sub.add_parser(
            "search",
            help="Keyword, boolean and filtered search, a job's top 50 matches and one "
            "rediscovery at N candidates, and embeddings per second.",
        )
        search.add_argument("--candidates", type=int, default=100_000)
        search.add_argument("--repeat", type=int, default=20, help="Runs of each query.")
        _common(
            search,
            data_dir="Where the SQLite bench databases live (shared with bench api).",
            server="postgres",
        )

        send = sub.add_parser(
            "send",
            help="Campaign messages/s into a local SMTP server against the raw rate, throttle "
            "accuracy and tracking events/s; --chaos: kill -9 workers during a send.",
        )
        send.add_argument(
            "--recipients", type=int, default=None, help="20,000 (5,000 with --chaos)."
        )
        send.add_argument("--workers", type=int, default=2, help="Sending worker processes.")
        send.add_argument("--throttle", type=int, default=6_000, help="Messages per minute.")
        send.add_argument("--chaos", action="store_true", help="The crash test.")
        send.add_argument("--kills", type=int, default=20, help="With --chaos.")
        send.add_argument(
            "--chaos-seconds",
            type=int,
            default=60,
            help="With --chaos: the campaign is throttled to last about this long.",
        )
        _common(send, data_dir="Where the SQLite database and the SMTP server's log live.")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["bench"] == "send":
            self._send(options)
        elif options["bench"] == "api":
            self._api(options)
        elif options["bench"] == "import":
            self._import(options)
        elif options["bench"] == "dedupe":
            self._dedupe(options)
        elif options["bench"] == "parse":
            self._parse(options)
        elif options["bench"] == "rank":
            self._rank(options)
        elif options["bench"] == "search":
            self._search(options)

    def _send(self, options: dict[str, Any]) -> None:
        from talentloop.core.bench import api, dedupe, send

        chaos = options["chaos"]
        recipients = options["recipients"] or (5_000 if chaos else 20_000)
        if recipients < 10:
            raise CommandError("--recipients must be at least 10.")
        if options["workers"] < 1 or options["kills"] < 1:
            raise CommandError("--workers and --kills must be at least 1.")
        if options["throttle"] < 60:
            raise CommandError("--throttle must be at least 60 messages per minute.")
        data_dir = Path(options["data_dir"])
        name = "bench-send-chaos" if chaos else "bench-send"
        target: api.Target = _target(
            options,
            lambda: dedupe.sqlite_target(name, recipients, data_dir, fresh=True),
            lambda: dedupe.postgres_target(name, recipients, options["postgres_url"], fresh=True),
        )
        report = send.run(
            target,
            data_dir,
            recipients=recipients,
            workers=options["workers"],
            chaos=chaos,
            kills=options["kills"],
            throttle=options["throttle"],
            log=self.stdout.write,
            chaos_seconds=max(5, options["chaos_seconds"]),
        )
        for line in send.lines(report):
            self.stdout.write(line)
        if options["json"]:
            self.stdout.write(json.dumps(report, separators=(",", ":")))

    def _search(self, options: dict[str, Any]) -> None:
        from talentloop.core.bench import api, search

        if options["candidates"] < 10:
            raise CommandError("--candidates must be at least 10.")
        if options["repeat"] < 1:
            raise CommandError("--repeat must be at least 1.")
        target = _target(
            options,
            lambda: api.sqlite_target(options["candidates"], Path(options["data_dir"])),
            lambda: api.postgres_target(options["candidates"], options["postgres_url"]),
        )
        report = search.run(target, repeat=options["repeat"], log=self.stdout.write)
        if options["json"]:
            self.stdout.write(json.dumps(report, separators=(",", ":")))

    def _rank(self, options: dict[str, Any]) -> None:
        from talentloop.core.bench import rank
        from talentloop.matching.embedding import EmbeddingUnavailable

        if options["limit"] is not None and options["limit"] < 1:
            raise CommandError("--limit must be at least 1.")
        try:
            report = rank.run(
                Path(options["dataset"]), limit=options["limit"], log=self.stdout.write
            )
        except (rank.DatasetError, EmbeddingUnavailable) as error:
            raise CommandError(str(error)) from None
        if options["json"]:
            self.stdout.write(json.dumps(report, separators=(",", ":")))

    def _parse(self, options: dict[str, Any]) -> None:
        from talentloop.core.bench import parse
        from talentloop.resumes.evaluation import DatasetError

        dataset = Path(options["dataset"])
        if options["limit"] is not None and options["limit"] < 1:
            raise CommandError("--limit must be at least 1.")
        beside = dataset.resolve().parent

        def folders(given: list[str] | None, defaults: list[str]) -> list[Path]:
            if given is None:
                return []
            paths = [Path(p) for p in given] or [beside / d for d in defaults]
            missing = [str(p) for p in paths if not p.is_dir()]
            if missing:
                raise CommandError(f"Not a folder: {', '.join(missing)}")
            return paths

        formats = folders(options["formats"], ["resume-format-samples", "livecareer-resumes/pdfs"])
        throughput = folders(
            options["throughput"], ["livecareer-resumes/pdfs", "vacancy-resume-matching/CV"]
        )
        database = None
        if throughput or options["bad_input"]:
            database = _target(
                options,
                lambda: parse.database_target("sqlite", Path(options["data_dir"]), ""),
                lambda: parse.database_target(
                    "postgresql", Path(options["data_dir"]), options["postgres_url"]
                ),
            )
        try:
            report = parse.run(
                dataset,
                database=database,
                limit=options["limit"],
                parser=options["parser"],
                formats=formats,
                throughput_folders=throughput,
                log=self.stdout.write,
            )
        except (DatasetError, ImportError) as error:
            raise CommandError(str(error)) from None
        if options["bad_input"] and database is not None:
            if options["bad_input"] < 1:
                raise CommandError("--bad-input must be at least 1.")
            report["bad_input"] = parse.bad_input(
                database,
                beside / "resume-format-samples",
                count=options["bad_input"],
                log=self.stdout.write,
            )
        if options["json"]:
            self.stdout.write(json.dumps(report, separators=(",", ":")))

    def _dedupe(self, options: dict[str, Any]) -> None:
        from talentloop.core.bench import dedupe

        dataset, rows = options["dataset"], options["rows"]
        if dataset != "generated" and rows is not None:
            raise CommandError("--rows is for --dataset generated (a FEBRL set is used whole).")
        rows = 1_000_000 if rows is None else rows
        if rows < 2:
            raise CommandError("--rows must be at least 2.")
        data_dir = Path(options["data_dir"])
        data_dir.mkdir(parents=True, exist_ok=True)
        server = options["postgres_url"]

        def make_target(name: str, rows: int, *, fresh: bool) -> Target:
            return _target(
                options,
                lambda: dedupe.sqlite_target(name, rows, data_dir, fresh=fresh),
                lambda: dedupe.postgres_target(name, rows, server, fresh=fresh),
            )

        try:
            report = dedupe.run(dataset, rows, data_dir, make_target, log=self.stdout.write)
        except FileNotFoundError as error:
            raise CommandError(str(error)) from None
        base = report["baseline"]
        self.stdout.write(
            f"  {report['dataset']} on {report['database']}: {report['records']:,} records "
            f"({report['rejected']:,} rows rejected by the import, {report['merged']:,} merged)\n"
            f"  scan: {report['seconds']:.1f} s ({report['records_per_s'] or 0:,.0f} records/s), "
            f"threshold {report['threshold']}\n"
            f"  precision {report['precision']:.3f}, recall {report['recall']:.3f}, "
            f"F1 {report['f1']:.3f} ({report['true_positives']:,} of {report['suggested_pairs']:,} "
            f"suggested pairs true; {report['true_pairs']:,} true pairs among the records, "
            f"{report['true_pairs_in_file']:,} in the file)\n"
            f"  baseline ({base['name']}): precision {base['precision']:.3f}, recall "
            f"{base['recall']:.3f}, F1 {base['f1']:.3f} ({base['suggested']:,} pairs)"
        )
        if options["json"]:
            self.stdout.write(json.dumps(report, separators=(",", ":")))

    def _import(self, options: dict[str, Any]) -> None:
        from talentloop.core.bench import imports

        if options["rows"] < 1:
            raise CommandError("--rows must be at least 1.")
        data_dir = Path(options["data_dir"])
        data_dir.mkdir(parents=True, exist_ok=True)
        target = _target(
            options,
            lambda: imports.sqlite_target(options["rows"], data_dir),
            lambda: imports.postgres_target(options["rows"], options["postgres_url"]),
        )
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
        target = _target(
            options,
            lambda: api.sqlite_target(options["candidates"], Path(options["data_dir"])),
            lambda: api.postgres_target(options["candidates"], options["postgres_url"]),
        )
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


def _common(parser: CommandParser, *, data_dir: str, server: str = "talentloop") -> None:
    """--database, --data-dir, --postgres-url and --json, which every benchmark takes."""
    parser.add_argument("--database", choices=["sqlite", "postgresql"], default="sqlite")
    parser.add_argument("--data-dir", default=str(settings.DATA_DIR / "bench"), help=data_dir)
    parser.add_argument(
        "--postgres-url",
        default=os.environ.get(
            "TALENTLOOP_BENCH_POSTGRES_URL",
            f"postgresql://talentloop:talentloop@127.0.0.1:5432/{server}",
        ),
        help="A PostgreSQL server where the bench databases may be created.",
    )
    parser.add_argument("--json", action="store_true", help="End with one JSON line.")


def _target(
    options: dict[str, Any], sqlite: Callable[[], Target], postgres: Callable[[], Target]
) -> Target:
    """The benchmark's database; an unreachable PostgreSQL server is a clear CLI error."""
    if options["database"] == "sqlite":
        return sqlite()
    try:
        return postgres()
    except Exception as error:
        raise CommandError(
            f"Cannot reach PostgreSQL at {options['postgres_url']}: {error}"
        ) from None
