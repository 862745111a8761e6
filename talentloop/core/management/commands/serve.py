from __future__ import annotations

import os
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.db import connection


class Command(BaseCommand):
    help = "Serve the web app with granian (WSGI, several worker processes)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--host", default=os.environ.get("TALENTLOOP_HOST", "127.0.0.1"))
        parser.add_argument(
            "--port", type=int, default=int(os.environ.get("TALENTLOOP_PORT", "8000"))
        )
        parser.add_argument(
            "--workers", type=int, default=int(os.environ.get("TALENTLOOP_WEB_WORKERS", "2"))
        )
        parser.add_argument(
            "--threads",
            type=int,
            default=int(os.environ.get("TALENTLOOP_WEB_THREADS", "0")) or None,
            help="Threads per worker (default: 1 on SQLite, 2 on PostgreSQL).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        from granian import Granian
        from granian.constants import Interfaces

        self.stdout.write(f"Talentloop on http://{options['host']}:{options['port']}/")
        Granian(
            "talentloop.wsgi:application",
            address=options["host"],
            port=options["port"],
            interface=Interfaces.WSGI,
            workers=options["workers"],
            blocking_threads=options["threads"] or _default_threads(),
            log_access=False,
        ).serve()


def _default_threads() -> int:
    # One thread per process runs Python anyway (the GIL). On SQLite a second thread only
    # added queueing for the one writer (profile API at 1M: 1,110 requests/s with 1 thread,
    # 880 with 2); on PostgreSQL a second one keeps the process busy while it waits for the
    # database (710 against 660 with 1, 600 with 4).
    return 1 if connection.vendor == "sqlite" else 2
