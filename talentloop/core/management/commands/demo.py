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
from talentloop.jobs import services as job_services
from talentloop.jobs.models import Job
from talentloop.matching import services as matching_services
from talentloop.resumes import services as resume_services
from talentloop.resumes.models import ParseBatch
from talentloop.search import services as search_services

DEMO_JOBS = [
    {
        "title": "Senior Data Engineer",
        "department": "Data Platform",
        "description": (
            "Build and run the pipelines behind our analytics.\n\n"
            "Requirements:\n- Python and SQL in production\n- Apache Airflow or dbt\n"
            "- Apache Spark\n\nNice to have:\n- Kafka\n- Terraform on AWS"
        ),
        "city": "Berlin",
        "country": "DE",
        "remote_policy": "hybrid",
        "seniority": "senior",
        "years_min": 5,
    },
    {
        "title": "Frontend Engineer",
        "department": "Product Engineering",
        "description": (
            "Own the candidate-facing web app.\n\nYou have: TypeScript and React, "
            "accessibility in practice.\nFigma is a plus."
        ),
        "remote_policy": "remote",
        "seniority": "mid",
        "years_min": 3,
        "years_max": 8,
    },
    {
        "title": "Account Executive",
        "department": "Sales",
        "description": (
            "Close mid-market SaaS deals.\n\nRequirements: Salesforce, negotiation, "
            "enterprise sales.\nHubSpot experience preferred."
        ),
        "city": "London",
        "country": "GB",
        "remote_policy": "onsite",
        "years_min": 2,
    },
]


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
        self._jobs()
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

    def _jobs(self) -> None:
        """Index and embed the demo candidates, then open three jobs: the worker re-scores
        the database for each as soon as it starts, so the job pages show their matches."""
        workspace = Workspace.objects.get(slug="acme")
        search_services.reindex_all(workspace=workspace)
        matching_services.embed_all(workspace=workspace)
        if Job.objects.filter(workspace=workspace).exists():
            return
        actor = member_actor(User.objects.get(email="alice@acme.test"), workspace)
        hank = User.objects.get(email="hank@acme.test")
        for data in DEMO_JOBS:
            job_services.create_job(actor=actor, data={**data, "hiring_manager_id": hank.pk})

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
