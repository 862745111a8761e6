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
        self._outreach()
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

    def _outreach(self) -> None:
        """A signature, three templates, an active sequence with the first ten people (the worker
        sends their first e-mail inside their send window, to DATA_DIR/mail) and a draft
        newsletter campaign, all made through the services."""
        from talentloop.outreach import services as outreach
        from talentloop.outreach import template_services
        from talentloop.outreach.models import Sequence
        from talentloop.pools import services as pool_services

        workspace = Workspace.objects.get(slug="acme")
        if Sequence.objects.filter(workspace=workspace).exists():
            return
        actor = member_actor(User.objects.get(email="bob@acme.test"), workspace)
        template_services.create_snippet(
            actor=actor,
            data={"name": "signature", "body": "<p>Best,<br>{{ sender.full_name }}</p>"},
        )
        intro = template_services.create_template(
            actor=actor,
            data={
                "name": "Backend role: first note",
                "subject": "{{ candidate.first_name|default:'Hi' }}, a backend role at Acme",
                "body": (
                    '<p>Hi {{ candidate.first_name|default:"there" }},</p><p>I came across '
                    'your work as {{ candidate.current_title|default:"an engineer" }} and '
                    'think our <a href="https://careers.acme.test/jobs/backend">backend '
                    "engineer</a> role could interest you. Would a short call next week "
                    'work?</p>{% snippet "signature" %}'
                ),
            },
        )
        follow_up = template_services.create_template(
            actor=actor,
            data={
                "name": "Backend role: follow-up",
                "subject": "Re: a backend role at Acme",
                "body": (
                    '<p>Hi {{ candidate.first_name|default:"there" }}, just bringing this '
                    "back to the top of your inbox. Happy to share more about the team.</p>"
                    '{% snippet "signature" %}'
                ),
            },
        )
        newsletter = template_services.create_template(
            actor=actor,
            data={
                "name": "Talent community: monthly news",
                "subject": "What is new at Acme engineering",
                "body": (
                    '<h1>Hello {{ candidate.first_name|default:"there" }}</h1><p>Three '
                    'new roles opened this month: <a href="https://careers.acme.test/jobs">'
                    "see them</a>.</p>"
                ),
            },
        )
        sequence = outreach.create_sequence(
            actor=actor,
            data={
                "name": "Backend engineers: intro",
                "purpose": "recruiting",
                "stop_on": ["reply", "application", "hire"],
                "steps": [
                    {"channel": "email", "delay_days": 0, "template_id": intro.pk},
                    {"channel": "email", "delay_days": 3, "template_id": follow_up.pk},
                    {
                        "channel": "call_task",
                        "delay_days": 2,
                        "instructions": "Call if there was no answer to either e-mail.",
                    },
                ],
            },
        )
        outreach.set_sequence_status(actor=actor, sequence=sequence, status="active")
        people = list(
            Candidate.objects.filter(workspace=workspace, emails__isnull=False)
            .order_by("id")
            .values_list("id", flat=True)[:10]
        )
        outreach.enroll(actor=actor, sequence=sequence, candidate_ids=people)
        pool = pool_services.create_pool(
            actor=actor, data={"name": "Talent community", "visibility": "team"}
        )
        for candidate in Candidate.objects.filter(workspace=workspace).order_by("id")[10:40]:
            pool_services.add_to_pool(actor=actor, pool=pool, candidate=candidate)
        outreach.create_campaign(
            actor=actor,
            data={
                "name": "Talent community: monthly news",
                "purpose": "marketing",
                "pool_id": pool.pk,
                "throttle_per_minute": 60,
                "quiet_days": [5, 6],
                "drops": [
                    {
                        "template_id": newsletter.pk,
                        "send_at": (timezone.now() + dt.timedelta(days=7)).isoformat(),
                    }
                ],
            },
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
