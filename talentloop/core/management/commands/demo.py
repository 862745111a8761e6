from __future__ import annotations

import datetime as dt
import os
import signal
import subprocess
import sys
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser
from django.utils import timezone

from talentloop.accounts.models import User, Workspace
from talentloop.accounts.selectors import member_actor
from talentloop.candidates.models import Candidate, Note
from talentloop.candidates.services import add_note
from talentloop.core import demo_resumes, seeding
from talentloop.resumes import services as resume_services
from talentloop.resumes.models import ParseBatch


class Command(BaseCommand):
    help = "Migrate, seed a demo workspace, and run the web server and the task worker."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--candidates", type=int, default=500)
        parser.add_argument(
            "--port", type=int, default=int(os.environ.get("TALENTLOOP_PORT", "8000"))
        )
        parser.add_argument(
            "--no-serve",
            action="store_true",
            help="Prepare the data only; do not start the processes.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        call_command("migrate", verbosity=0)
        call_command("seed", candidates=options["candidates"])
        self._reminders_for_alice()
        self._sample_resumes()
        if options["no_serve"]:
            return
        url = f"http://127.0.0.1:{options['port']}/"
        worker = subprocess.Popen([sys.executable, "-m", "talentloop", "worker"])
        web = subprocess.Popen(  # noqa: S603
            [sys.executable, "-m", "talentloop", "serve", "--port", str(options["port"])]
        )
        self.stdout.write(
            self.style.SUCCESS(
                f"\nTalentloop is running at {url}\n"
                f"  Sign in as alice@acme.test (admin) or bob@acme.test (recruiter), "
                f"password {seeding.DEMO_PASSWORD}\n"
                f"  API docs: {url}api/v1/docs\n"
                f"  E-mails Talentloop sends are written to {settings.DATA_DIR / 'mail'}\n"
                "  Press Ctrl-C to stop.\n"
            )
        )
        signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
        try:
            web.wait()
        except KeyboardInterrupt:
            pass
        finally:
            for process in (web, worker):
                process.terminate()
            for process in (web, worker):
                process.wait(timeout=20)

    def _sample_resumes(self) -> None:
        """A first batch of fictional resumes (PDF, DOCX, text), parsed by the worker once it
        starts, so the Resumes pages and the review screen have something to show."""
        workspace = Workspace.objects.get(slug="acme")
        if ParseBatch.objects.filter(workspace=workspace).exists():
            return
        actor = member_actor(User.objects.get(email="alice@acme.test"), workspace)
        resume_services.create_batch(
            actor=actor,
            uploads=[
                resume_services.Upload(name=name, data=data, size=len(data))
                for name, data in demo_resumes.demo_files()
            ],
            name="Demo resumes",
            tags=["demo-resumes"],
        )

    def _reminders_for_alice(self) -> None:
        """Give alice's home page something to show: reminders made through the service."""
        alice = User.objects.get(email="alice@acme.test")
        actor = member_actor(alice, Workspace.objects.get(slug="acme"))
        now = timezone.now()
        texts = [
            ("Follow up after her conference talk.", -1),
            ("Re-engage: said to check back this quarter.", 2),
            ("Send the staff engineer role once it opens.", 5),
        ]
        candidates = Candidate.objects.filter(workspace=actor.workspace).order_by("id")[:3]
        for candidate, (text, days) in zip(candidates, texts, strict=False):
            if Note.objects.filter(author=alice, body=text).exists():
                continue  # a second `talentloop demo` keeps the first run's reminders
            add_note(
                actor=actor, candidate=candidate, body=text, remind_at=now + dt.timedelta(days=days)
            )
