"""What the services write is what the engine sends: an enrolment's first step (the engine
woken on commit sends it; tests run tasks at once), a paused sequence holding, and a started
campaign's drop when it falls due. Real commits and a real SMTP sink."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import pytest
import time_machine

from talentloop.candidates.models import Candidate
from talentloop.core.actor import Actor
from talentloop.core.smtp_sink import SmtpSink
from talentloop.outreach import engine, services
from talentloop.outreach.models import Campaign, Enrollment, Message, Sequence, Template
from talentloop.pools.models import Pool
from talentloop.pools.services import add_to_pool

pytestmark = pytest.mark.django_db(transaction=True)
MONDAY = dt.datetime(2026, 3, 2, 10, 0, tzinfo=dt.UTC)


def test_an_enrolment_is_sent_by_the_engine_and_a_paused_sequence_holds(
    sink: SmtpSink,
    alice_actor: Actor,
    sequence_factory: Callable[..., Sequence],
    email_template: Template,
    prospect_factory: Callable[..., Candidate],
) -> None:
    first, second = prospect_factory(), prospect_factory()
    step = {"channel": "email", "template_id": email_template.pk, "business_days": False}
    with time_machine.travel(MONDAY, tick=True):
        sequence = sequence_factory(steps=[step], status="active")
        services.enroll(actor=alice_actor, sequence=sequence, candidate_ids=[first.pk])

        # Sent on commit by the woken engine, so a run now finds nothing left.
        assert len(sink.messages) == 1
        assert engine.run().sent == 0
        enrolled = Enrollment.objects.get(candidate=first)
        assert (enrolled.status, enrolled.next_step) == ("finished", 1)

        sequence = services.pause_sequence(actor=alice_actor, sequence=sequence)
        services.enroll(actor=alice_actor, sequence=sequence, candidate_ids=[second.pk])
        assert engine.run().sent == 0
        assert len(sink.messages) == 1
        services.resume_sequence(actor=alice_actor, sequence=sequence)
        assert len(sink.messages) == 2

    assert sorted(m.recipients[0] for m in sink.messages) == sorted(
        [first.emails.get().email, second.emails.get().email]
    )


def test_a_started_campaign_sends_its_drop_when_due(
    sink: SmtpSink,
    alice_actor: Actor,
    pool: Pool,
    email_template: Template,
    prospect: Candidate,
) -> None:
    add_to_pool(actor=alice_actor, pool=pool, candidate=prospect)
    with time_machine.travel(MONDAY, tick=True):
        campaign = services.create_campaign(
            actor=alice_actor,
            data={
                "name": "Launch",
                "pool_id": pool.pk,
                "drops": [{"template_id": email_template.pk, "send_at": "2026-03-02T12:00:00Z"}],
            },
        )
        services.schedule_campaign(actor=alice_actor, campaign=campaign)
        services.start_campaign(actor=alice_actor, campaign=campaign)
        assert engine.run().sent == 0  # not due yet
    with time_machine.travel(MONDAY + dt.timedelta(hours=3), tick=True):
        assert engine.run().sent == 1

    campaign.refresh_from_db()
    assert campaign.status == Campaign.Status.FINISHED
    assert [m.recipients[0] for m in sink.messages] == [prospect.emails.get().email]
    assert Message.objects.get().drop is not None
