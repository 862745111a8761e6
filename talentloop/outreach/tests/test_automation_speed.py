"""A dry-run of a 10,000-person segment takes seconds, not minutes, and its query count does not
grow with the audience."""

from __future__ import annotations

import time
from typing import Any

from django.db import connection
from django.test.utils import CaptureQueriesContext

from talentloop.candidates.models import Candidate, CandidateEmail
from talentloop.compliance.models import ConsentRecord
from talentloop.core.actor import Actor
from talentloop.outreach import policy
from talentloop.outreach.automation import BATCH, dry_run_sequence
from talentloop.outreach.models import Purpose
from talentloop.outreach.tests.test_automation_support import (
    email_step,
    make_sequence,
    make_template,
)
from talentloop.pools import services as pool_services

SIZE = 10_000
# Every 10th person has no consent and every 25th is do-not-contact: the skips are counted
# in the same pass as the sends.
ZONES = ("Europe/Berlin", "America/New_York", "Asia/Tokyo", "")


def _people(actor: Actor, size: int, city: str) -> None:
    workspace = actor.workspace
    made = Candidate.objects.bulk_create(
        Candidate(
            workspace=workspace,
            first_name=f"Person{i}",
            last_name="Speed",
            city=city,
            timezone=ZONES[i % len(ZONES)],
            is_do_not_contact=i % 25 == 0,
        )
        for i in range(size)
    )
    CandidateEmail.objects.bulk_create(
        CandidateEmail(
            candidate=c, workspace=workspace, email=f"p{c.pk}@speed.test", is_primary=True
        )
        for c in made
    )
    ConsentRecord.objects.bulk_create(
        ConsentRecord(
            workspace=workspace,
            candidate=c,
            channel="email",
            purpose=Purpose.MARKETING,
            status="granted",
            source="import",
        )
        for i, c in enumerate(made)
        if i % 10
    )


def _run(actor: Actor, sequence: Any, segment: Any) -> tuple[Any, float, int]:
    with CaptureQueriesContext(connection) as queries:
        started = time.perf_counter()
        run = dry_run_sequence(actor=actor, sequence=sequence, segment=segment)
        elapsed = time.perf_counter() - started
    return run, elapsed, len(queries)


def test_a_ten_thousand_person_segment_dry_runs_in_seconds(alice_actor: Actor) -> None:
    _people(alice_actor, SIZE, "Speedville")
    segment = pool_services.create_segment(
        actor=alice_actor,
        data={
            "name": "Speed",
            "rules": {"all": [{"field": "city", "op": "eq", "value": "Speedville"}]},
        },
    )
    intro = make_template(alice_actor)
    follow_up = make_template(alice_actor, "Follow-up", subject="Again, {{ candidate.first_name }}")
    sequence = make_sequence(
        alice_actor,
        [email_step(intro), email_step(follow_up, 3), email_step(follow_up, 7)],
        purpose=Purpose.MARKETING,
    )
    policy.settings_for(alice_actor.workspace)

    run, elapsed, queries = _run(alice_actor, sequence, segment)

    dnc = len(range(0, SIZE, 25))
    no_consent = len([i for i in range(0, SIZE, 10) if i % 25])
    assert run.audience_size == SIZE
    assert run.totals == {
        "scheduled": SIZE - dnc - no_consent,
        "do_not_contact": dnc,
        "no_consent": no_consent,
    }
    assert len(run.recipients) == 50
    assert run.recipients[0].messages[0].subject == "Hi Person1"
    print(f"\ndry-run of {SIZE:,} people: {elapsed:.2f} s, {queries} queries")
    # Generous for a shared CI machine; on an idle laptop it is about a second.
    assert elapsed < 20
    # A handful of queries per batch of BATCH people, not per person.
    assert queries < 20 * (SIZE // BATCH + 1)
