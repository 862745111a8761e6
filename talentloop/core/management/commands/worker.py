from __future__ import annotations

import logging
import multiprocessing
import os
import signal
import time
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser
from django.db import close_old_connections, connections

from talentloop.core import scheduler

logger = logging.getLogger(__name__)


class Command(BaseCommand):
    help = "Run background tasks (django-tasks-db) and the periodic schedule."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--queue-name", default="default")
        parser.add_argument("--batch", action="store_true", help="Drain the queue, then exit.")
        parser.add_argument("--no-scheduler", action="store_true")

    def handle(self, *args: Any, **options: Any) -> None:
        if not options["no_scheduler"] and not options["batch"]:
            start_scheduler()
        # No autoreload, even in debug mode: the reloader re-runs this command in a child
        # process, which started a second scheduler and delayed the first task by seconds.
        worker_options: dict[str, Any] = {"queue_name": options["queue_name"], "reload": False}
        if options["batch"]:
            scheduler.tick()
            worker_options["batch"] = True
        call_command("db_worker", **worker_options)


def start_scheduler() -> multiprocessing.process.BaseProcess:
    """The periodic schedule in a process of its own, forked now, while this one runs no other
    thread. The tasks this process runs fork too (an import's validation workers), and a fork
    beside a running thread copies any lock that thread held at that moment, which can hang
    the child; a scheduler thread here would be that thread."""
    connections.close_all()  # the child opens its own
    process = multiprocessing.get_context("fork").Process(
        target=schedule_forever, args=(os.getpid(),), name="talentloop-scheduler", daemon=True
    )
    process.start()
    return process


def schedule_forever(parent: int) -> None:
    """Tick every TALENTLOOP_SCHEDULER_TICK_SECONDS while the worker that started this process
    lives: it stops this process when it exits, and a worker killed outright leaves it
    orphaned, which it notices within a second."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is for the worker, which stops us
    while os.getppid() == parent:
        try:
            scheduler.tick()
        except Exception:
            logger.exception("scheduler tick failed; retrying")
        finally:
            close_old_connections()
        deadline = time.monotonic() + settings.SCHEDULER_TICK_SECONDS
        while os.getppid() == parent and time.monotonic() < deadline:
            time.sleep(min(1.0, settings.SCHEDULER_TICK_SECONDS))
