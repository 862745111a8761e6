"""For `talentloop bench send`: the parts that run on the bench database, one per action.

setup: a workspace with N consenting recipients in a pool, a personalized tracked template and
campaigns; start/status: campaign status; work: one sending worker until the campaign is done;
report: the ledger's figures; events: open and click hits through the tracking endpoints.
Each prints one JSON line.
"""

from __future__ import annotations

import json
import multiprocessing
import random
import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connections
from django.db.models import Count, Max, Min
from django.test import Client
from django.utils import timezone

from talentloop.accounts.models import Membership, User, Workspace
from talentloop.accounts.roles import Role
from talentloop.candidates.models import Candidate, CandidateEmail
from talentloop.compliance.models import ConsentRecord
from talentloop.core.bench.send import TEMPLATE_BODY, TEMPLATE_SUBJECT
from talentloop.outreach import engine, tracking
from talentloop.outreach.models import (
    Campaign,
    CampaignDrop,
    Message,
    MessageEvent,
    OutreachSettings,
    Template,
)
from talentloop.pools.models import Pool, PoolMembership, PoolStage

FIRST = ["Ada", "Grace", "Zoë", "Linus", "Margaret", "Chidi", "Mei", "José", "Ana", "Omar"]
LAST = ["Lovelace", "Hopper", "Müller", "Okafor", "Tanaka", "García", "Nguyen", "Smith"]


def _hit(paths: list[str], start: Any) -> None:
    """One web worker's share of the tracking hits (a child process)."""
    client = Client()
    client.get(paths[0])  # connect and warm up before the clock starts
    start.wait()
    for path in paths[1:]:
        response = client.get(path)
        if response.status_code not in (200, 302):
            raise SystemExit(f"{path} answered {response.status_code}")
    connections.close_all()


class Command(BaseCommand):
    help = "Internal to `talentloop bench send`."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "action", choices=["setup", "start", "status", "work", "report", "events"]
        )
        parser.add_argument("--recipients", type=int, default=20_000)
        parser.add_argument("--throttle-recipients", type=int, default=0)
        parser.add_argument("--throttle", type=int, default=6_000, help="Messages per minute.")
        parser.add_argument(
            "--campaign-throttle", type=int, default=None, help="Of the main campaign (--chaos)."
        )
        parser.add_argument("--campaign", type=int)
        parser.add_argument("--to", choices=["running", "paused"])
        parser.add_argument("--count", type=int, default=20_000)
        parser.add_argument("--processes", type=int, default=2)

    def handle(self, *args: Any, **options: Any) -> None:
        action = options["action"]
        if action != "setup" and action != "events" and not options["campaign"]:
            raise CommandError("--campaign is required.")
        result = getattr(self, f"_{action}")(options)
        self.stdout.write(json.dumps(result, separators=(",", ":")))

    def _setup(self, options: dict[str, Any]) -> dict[str, Any]:
        workspace, _ = Workspace.objects.get_or_create(slug="bench-send", defaults={"name": "Acme"})
        sender, _ = User.objects.get_or_create(
            email="bob@acme.test", defaults={"full_name": "Bob Recruiter"}
        )
        Membership.objects.get_or_create(user=sender, workspace=workspace, role=Role.RECRUITER)
        # The bench measures sending, not the default cap of 2 a week.
        OutreachSettings.objects.update_or_create(workspace=workspace, defaults={"cap_messages": 0})
        template = Template.objects.create(
            workspace=workspace,
            name=f"Bench {timezone.now():%H%M%S%f}",
            subject=TEMPLATE_SUBJECT,
            body=TEMPLATE_BODY,
            created_by=sender,
        )
        stage = PoolStage.objects.create(
            workspace=workspace, name=f"s{time.time_ns()}", name_key=f"s{time.time_ns()}"
        )
        main = self._recipients(workspace, sender, stage, options["recipients"], "main")
        campaigns = {
            "campaign": self._campaign(
                workspace, sender, template, main, options["campaign_throttle"]
            )
        }
        if options["throttle_recipients"]:
            throttled = self._recipients(
                workspace, sender, stage, options["throttle_recipients"], "throttle"
            )
            campaigns["throttle_campaign"] = self._campaign(
                workspace, sender, template, throttled, options["throttle"]
            )
        return campaigns

    def _recipients(
        self, workspace: Workspace, sender: User, stage: PoolStage, count: int, label: str
    ) -> Pool:
        rng = random.Random(count)  # noqa: S311 - made-up names
        start = Candidate.objects.count()
        people = Candidate.objects.bulk_create(
            Candidate(
                workspace=workspace,
                first_name=rng.choice(FIRST),
                last_name=rng.choice(LAST),
                current_title="Engineer",
                current_company="Initech",
                timezone="Europe/Berlin",
            )
            for _ in range(count)
        )
        CandidateEmail.objects.bulk_create(
            CandidateEmail(
                candidate=person,
                workspace=workspace,
                email=f"{label}{start + n}@people.test",
                is_primary=True,
            )
            for n, person in enumerate(people)
        )
        ConsentRecord.objects.bulk_create(
            ConsentRecord(
                workspace=workspace,
                candidate=person,
                channel="email",
                purpose="marketing",
                status="granted",
                source="form",
                recorded_by=sender,
            )
            for person in people
        )
        pool = Pool.objects.create(workspace=workspace, name=f"Bench {label}", owner=sender)
        PoolMembership.objects.bulk_create(
            PoolMembership(pool=pool, candidate=person, stage=stage) for person in people
        )
        return pool

    def _campaign(
        self,
        workspace: Workspace,
        sender: User,
        template: Template,
        pool: Pool,
        throttle: int | None,
    ) -> int:
        campaign = Campaign.objects.create(
            workspace=workspace,
            name=pool.name,
            pool=pool,
            sender=sender,
            throttle_per_minute=throttle,
        )
        CampaignDrop.objects.create(
            campaign=campaign, position=0, template=template, send_at=timezone.now()
        )
        return campaign.pk

    def _start(self, options: dict[str, Any]) -> dict[str, Any]:
        return self._status({**options, "to": "running"})

    def _status(self, options: dict[str, Any]) -> dict[str, Any]:
        to = options["to"]
        if to is None:
            raise CommandError("--to is required.")
        # Resuming restarts the throttle's clock, as the service does.
        Campaign.objects.filter(pk=options["campaign"]).update(
            status=to, throttle_since=None, throttle_taken=0
        )
        return {"status": to}

    def _work(self, options: dict[str, Any]) -> dict[str, Any]:
        campaign = options["campaign"]

        def finished() -> bool:
            status = Campaign.objects.values_list("status", flat=True).get(pk=campaign)
            return status == Campaign.Status.FINISHED

        stats = engine.Engine().run(until_idle=False, should_stop=finished, idle_sleep=0.05)
        return {"sent": stats.sent, "retried": stats.retried, "skipped": stats.skipped}

    def _report(self, options: dict[str, Any]) -> dict[str, Any]:
        ledger = Message.objects.filter(drop__campaign_id=options["campaign"])
        sent = ledger.filter(status=Message.Status.SENT).aggregate(
            n=Count("id"), first=Min("sent_at"), last=Max("sent_at")
        )
        statuses = dict(ledger.values_list("status").annotate(n=Count("id")))
        drop = CampaignDrop.objects.get(campaign_id=options["campaign"])
        campaign = Campaign.objects.get(pk=options["campaign"])
        span = (sent["last"] - sent["first"]).total_seconds() if sent["n"] > 1 else 0.0
        return {
            "status": campaign.status,
            "drop": drop.pk,
            "recipients": drop.recipients_total,
            "sent": sent["n"],
            "statuses": statuses,
            "span_s": span,
            "throttle_per_minute": campaign.throttle_per_minute,
        }

    def _events(self, options: dict[str, Any]) -> dict[str, Any]:
        """Open and click hits through the real tracking endpoints (Django's WSGI handler,
        no network), then the batch that turns them into timeline entries."""
        from talentloop.outreach import events

        ids = list(
            Message.objects.filter(status=Message.Status.SENT)
            .order_by("pk")
            .values_list("pk", flat=True)[: options["count"]]
        )
        if not ids:
            raise CommandError("No sent messages to track.")
        urls = []
        for n in range(options["count"]):
            message_id = ids[n % len(ids)]
            if n % 2:
                urls.append(tracking.open_pixel_url(message_id))
            else:
                urls.append(tracking.click_url(message_id, "https://acme.test/jobs/backend"))
        paths = ["/" + url.split("://", 1)[1].split("/", 1)[1] for url in urls]
        before = MessageEvent.objects.count()
        # As many processes as `talentloop serve` runs web workers, each its own connection.
        processes = options["processes"]
        connections.close_all()
        context = multiprocessing.get_context("fork")
        start = context.Event()
        children = [
            context.Process(target=_hit, args=(paths[n::processes], start))
            for n in range(processes)
        ]
        for child in children:
            child.start()
        time.sleep(1.0)
        started = time.perf_counter()
        start.set()
        for child in children:
            child.join()
        took = time.perf_counter() - started
        if any(child.exitcode for child in children):
            raise CommandError("A tracking request failed (see above).")
        recorded = MessageEvent.objects.count() - before
        started = time.perf_counter()
        processed = 0
        while True:
            done = events.process_events(limit=1000)
            processed += done
            if not done:
                break
        process_took = time.perf_counter() - started
        return {
            "events": recorded,
            "processes": processes,
            "events_per_s": recorded / took,
            "processed": processed,
            "processed_per_s": processed / process_took if process_took else 0.0,
        }
