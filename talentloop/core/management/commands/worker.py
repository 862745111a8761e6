from __future__ import annotations

import threading
import time
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser
from django.db import close_old_connections

from talentloop.core import scheduler


class Command(BaseCommand):
    help = "Run background tasks (django-tasks-db) and the periodic schedule."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--queue-name", default="default")
        parser.add_argument("--batch", action="store_true", help="Drain the queue, then exit.")
        parser.add_argument("--no-scheduler", action="store_true")

    def handle(self, *args: Any, **options: Any) -> None:
        if not options["no_scheduler"] and not options["batch"]:
            threading.Thread(target=self._schedule_forever, daemon=True, name="scheduler").start()
        # No autoreload, even in debug mode: the reloader re-runs this command in a child
        # process, which started a second scheduler and delayed the first task by seconds.
        worker_options: dict[str, Any] = {"queue_name": options["queue_name"], "reload": False}
        if options["batch"]:
            scheduler.tick()
            worker_options["batch"] = True
        call_command("db_worker", **worker_options)

    def _schedule_forever(self) -> None:
        while True:
            try:
                scheduler.tick()
            except Exception:
                self.stderr.write("scheduler tick failed; retrying")
            finally:
                close_old_connections()
            time.sleep(settings.SCHEDULER_TICK_SECONDS)
