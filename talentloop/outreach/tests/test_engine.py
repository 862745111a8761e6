"""The sending engine against a real SMTP server (aiosmtpd): exactly once, checkpoints, pauses."""

from __future__ import annotations

import datetime as dt
import email
import email.policy
import threading
from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection
from django.utils import timezone

from talentloop.accounts.models import User
from talentloop.candidates.models import Activity, Candidate, CandidateEmail
from talentloop.compliance.services import record_consent
from talentloop.core.actor import Actor
from talentloop.core.smtp_sink import SmtpSink
from talentloop.outreach import engine
from talentloop.outreach.channels.base import Outgoing
from talentloop.outreach.channels.email import EmailChannel, build_mime
from talentloop.outreach.models import (
    Campaign,
    CampaignDrop,
    Enrollment,
    Message,
    Sequence,
    SequenceStep,
    Suppression,
    Template,
)
from talentloop.pools.models import Pool, PoolMembership, PoolStage

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def template(alice: User, acme: Any) -> Template:
    return Template.objects.create(
        workspace=acme,
        name="Hello",
        subject="Hi {{ candidate.first_name|default:'there' }}",
        body='<p>Hello {{ candidate.first_name }}, see <a href="https://acme.test/jobs">jobs</a>.</p>',
    )


@pytest.fixture
def people(
    candidate_factory: Callable[..., Candidate], alice_actor: Actor
) -> Callable[..., list[Candidate]]:
    numbers = iter(range(1000))

    def make(count: int, *, consent: bool = True, purpose: str = "marketing") -> list[Candidate]:
        made = []
        for n in (next(numbers) for _ in range(count)):
            person = candidate_factory(first_name=f"P{n}", emails=[f"p{n}@people.test"])
            if consent:
                record_consent(
                    actor=alice_actor,
                    candidate=person,
                    channel="email",
                    purpose=purpose,
                    status="granted",
                    source="form",
                )
            made.append(person)
        return made

    return make


def _campaign(
    alice: User, acme: Any, template: Template, people: list[Candidate], **extra: Any
) -> Campaign:
    stage = PoolStage.objects.create(workspace=acme, name="New", name_key="new")
    pool = Pool.objects.create(workspace=acme, name="Newsletter", owner=alice)
    PoolMembership.objects.bulk_create(
        PoolMembership(pool=pool, candidate=p, stage=stage) for p in people
    )
    campaign = Campaign.objects.create(
        workspace=acme,
        name="November news",
        pool=pool,
        sender=alice,
        status=Campaign.Status.RUNNING,
        **extra,
    )
    CampaignDrop.objects.create(
        campaign=campaign, position=0, template=template, send_at=timezone.now()
    )
    return campaign


def test_a_campaign_reaches_each_recipient_once_with_tracking_and_unsubscribe(
    sink: SmtpSink,
    alice: User,
    acme: Any,
    template: Template,
    people: Callable[..., list[Candidate]],
) -> None:
    recipients = people(5)
    campaign = _campaign(alice, acme, template, recipients)

    stats = engine.run(batch_size=2)

    assert stats.sent == 5
    received = sink.messages
    assert sorted(r.recipients[0] for r in received) == sorted(
        f"p{n}@people.test" for n in range(5)
    )
    first = email.message_from_bytes(received[0].data, policy=email.policy.default)
    assert first["Subject"].startswith("Hi P")
    assert first["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert "/t/" in first["List-Unsubscribe"]
    html_part, text_part = first.get_body(("html",)), first.get_body(("plain",))
    assert html_part is not None and text_part is not None
    html = html_part.get_content()
    assert "https://acme.test/jobs" not in html.split("href=")[1][:40]  # rewritten for clicks
    assert text_part.get_content().strip()
    ledger = Message.objects.filter(drop__campaign=campaign)
    assert ledger.filter(status=Message.Status.SENT).count() == 5
    assert {m.message_id for m in ledger} == {r.message_id for r in received}
    assert Activity.objects.filter(type=Activity.Type.EMAIL_SENT).count() == 5
    campaign.refresh_from_db()
    assert campaign.status == Campaign.Status.FINISHED

    assert engine.run().sent == 0  # nothing left: running again sends nothing
    assert len(sink.messages) == 5


def test_skips_people_without_consent_suppressed_or_bounced(
    sink: SmtpSink,
    alice: User,
    acme: Any,
    template: Template,
    people: Callable[..., list[Candidate]],
) -> None:
    allowed, suppressed, bounced = people(3)
    (unconsented,) = people(1, consent=False)
    Suppression.objects.create(
        workspace=acme, email="p1@people.test", reason=Suppression.Reason.UNSUBSCRIBE
    )
    CandidateEmail.objects.filter(email="p2@people.test").update(bounced_at=timezone.now())
    _campaign(alice, acme, template, [allowed, suppressed, bounced, unconsented])

    stats = engine.run()

    assert [r.recipients for r in sink.messages] == [("p0@people.test",)]
    assert stats.skip_reasons == {"suppressed": 1, "bounced": 1, "no_consent": 1}
    skipped = dict(Message.objects.values_list("candidate_id", "skip_reason"))
    assert skipped[unconsented.pk] == "no_consent"


def test_frequency_cap_counts_every_campaign(
    sink: SmtpSink,
    alice: User,
    acme: Any,
    template: Template,
    people: Callable[..., list[Candidate]],
) -> None:
    (person,) = people(1)
    first = _campaign(alice, acme, template, [person])
    CampaignDrop.objects.create(
        campaign=first, position=1, template=template, send_at=timezone.now()
    )
    CampaignDrop.objects.create(
        campaign=first, position=2, template=template, send_at=timezone.now()
    )

    engine.run()

    # The workspace default is 2 marketing messages per 7 days.
    assert len(sink.messages) == 2
    assert Message.objects.filter(skip_reason="cap").count() == 1


def test_a_paused_campaign_resumes_from_its_checkpoint(
    sink: SmtpSink,
    alice: User,
    acme: Any,
    template: Template,
    people: Callable[..., list[Candidate]],
) -> None:
    campaign = _campaign(alice, acme, template, people(6))
    worker = engine.Engine(batch_size=2)
    worker.step()  # takes two recipients and sends them
    Campaign.objects.filter(pk=campaign.pk).update(status=Campaign.Status.PAUSED)

    assert engine.run().sent == 0
    assert len(sink.messages) == 2

    Campaign.objects.filter(pk=campaign.pk).update(status=Campaign.Status.RUNNING)
    engine.run(batch_size=2)

    assert len(sink.messages) == 6
    assert len({r.recipients for r in sink.messages}) == 6


def test_a_dead_workers_messages_are_taken_over_once(
    sink: SmtpSink,
    settings: Any,
    alice: User,
    acme: Any,
    template: Template,
    people: Callable[..., Any],
) -> None:
    _campaign(alice, acme, template, people(4))
    # A worker claimed the rows and died before sending (it never reached the commit point).
    engine._feed_drops("dead-worker", timezone.now(), 10)
    assert Message.objects.filter(claimed_by="dead-worker").count() == 4

    assert engine.run().sent == 0  # the claims are fresh: nobody may take them yet
    settings.TALENTLOOP_OUTREACH_CLAIM_SECONDS = 0
    stats = engine.run()

    assert stats.sent == stats.retried == 4
    assert len(sink.messages) == 4


def test_a_worker_that_lost_its_claim_abandons_the_smtp_transaction(
    sink: SmtpSink, alice: User, acme: Any, template: Template, people: Callable[..., Any]
) -> None:
    _campaign(alice, acme, template, people(1))
    slow = engine.Engine(worker="slow")
    engine._feed_drops("slow", timezone.now(), 10)
    # Another worker takes the row over while the slow one is mid-way through DATA.
    Message.objects.update(claimed_by="fast")
    row = Message.objects.select_related("workspace", "sender").get()
    batch = slow._load([row])

    assert slow._send_group(slow.channels["email"], [row], batch) is True
    assert sink.messages == []  # the unfinished DATA was thrown away by the server
    assert Message.objects.get().status == Message.Status.QUEUED


def test_two_workers_racing_send_each_message_once(
    sink: SmtpSink, alice: User, acme: Any, template: Template, people: Callable[..., Any]
) -> None:
    if connection.vendor == "sqlite":
        pytest.skip("SQLite in tests is one in-memory connection; bench send --chaos races it")
    _campaign(alice, acme, template, people(30))
    errors: list[BaseException] = []

    def work() -> None:
        try:
            engine.run(batch_size=3)
        except BaseException as error:  # pragma: no cover - reported below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=work) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    recipients = [r.recipients[0] for r in sink.messages]
    assert len(recipients) == len(set(recipients)) == 30


def test_a_refused_recipient_fails_and_is_not_retried(
    sink: SmtpSink, alice: User, acme: Any, template: Template, people: Callable[..., Any]
) -> None:
    sink.refuse("p0@people.test")
    _campaign(alice, acme, template, people(2))

    stats = engine.run()

    assert (stats.sent, stats.failed) == (1, 1)
    failed = Message.objects.get(status=Message.Status.FAILED)
    assert "550" in failed.error
    assert engine.run().sent == 0


def test_a_sequence_sends_its_steps_in_order_and_finishes(
    sink: SmtpSink,
    alice: User,
    acme: Any,
    template: Template,
    people: Callable[..., Any],
    time_machine: Any,
) -> None:
    time_machine.move_to(dt.datetime(2026, 11, 25, 10, tzinfo=dt.UTC), tick=False)  # a Wednesday
    (person,) = people(1, purpose="recruiting")
    sequence = Sequence.objects.create(
        workspace=acme, name="Backend", owner=alice, status=Sequence.Status.ACTIVE
    )
    SequenceStep.objects.create(sequence=sequence, position=0, template=template)
    SequenceStep.objects.create(
        sequence=sequence, position=1, template=template, delay_days=2, business_days=True
    )
    enrollment = Enrollment.objects.create(
        workspace=acme, sequence=sequence, candidate=person, next_step_at=timezone.now()
    )

    engine.run()
    enrollment.refresh_from_db()
    assert len(sink.messages) == 1
    assert enrollment.next_step == 1
    assert enrollment.next_step_at == dt.datetime(2026, 11, 27, 10, tzinfo=dt.UTC)

    assert engine.run().sent == 0  # not due yet
    time_machine.move_to(dt.datetime(2026, 11, 27, 10, 1, tzinfo=dt.UTC), tick=False)
    engine.run()

    enrollment.refresh_from_db()
    assert len(sink.messages) == 2
    assert enrollment.status == Enrollment.Status.FINISHED
    assert [m.key for m in Message.objects.order_by("pk")] == [
        f"e{enrollment.pk}.0",
        f"e{enrollment.pk}.1",
    ]


def test_a_withdrawn_consent_stops_the_sequence(
    sink: SmtpSink,
    alice: User,
    acme: Any,
    alice_actor: Actor,
    template: Template,
    people: Callable[..., Any],
) -> None:
    (person,) = people(1)
    sequence = Sequence.objects.create(
        workspace=acme,
        name="Nurture",
        owner=alice,
        status=Sequence.Status.ACTIVE,
        purpose="marketing",
    )
    SequenceStep.objects.create(sequence=sequence, position=0, template=template)
    enrollment = Enrollment.objects.create(
        workspace=acme,
        sequence=sequence,
        candidate=person,
        next_step_at=timezone.now() - dt.timedelta(minutes=1),
    )
    record_consent(
        actor=alice_actor,
        candidate=person,
        channel="email",
        purpose="marketing",
        status="withdrawn",
        source="email_link",
    )

    engine.run()

    enrollment.refresh_from_db()
    assert sink.messages == []
    assert (enrollment.status, enrollment.stop_reason) == ("stopped", "withdrawn")


def test_stop_enrollments_obeys_each_sequences_stop_conditions(
    alice: User, acme: Any, people: Callable[..., Any]
) -> None:
    (person,) = people(1)
    stops_on_reply = Sequence.objects.create(
        workspace=acme, name="A", owner=alice, stop_on=["reply"]
    )
    keeps_going = Sequence.objects.create(workspace=acme, name="B", owner=alice)
    for sequence in (stops_on_reply, keeps_going):
        Enrollment.objects.create(workspace=acme, sequence=sequence, candidate=person)

    assert engine.stop_enrollments(candidate_ids=[person.pk], condition="reply") == 1
    assert engine.stop_enrollments(candidate_ids=[person.pk], condition="unsubscribe") == 1
    assert set(Enrollment.objects.values_list("status", "stop_reason")) == {
        ("stopped", "reply"),
        ("stopped", "unsubscribe"),
    }


def test_build_mime_encodes_non_ascii_and_quotes_leading_dots() -> None:
    raw = build_mime(
        Outgoing(
            key="d1.2",
            message_id="d1.2.abc@acme.test",
            to="zoe@example.test",
            to_name="Zoë Ünal",
            from_address="bob@acme.test",
            from_name="Bob Müller",
            subject="Grüße, Zoë",
            html="<p>.leading dot</p>",
            text=".leading dot\nline two",
            unsubscribe_url="https://acme.test/t/u/x",
        )
    )
    parsed = email.message_from_bytes(raw, policy=email.policy.default)
    assert parsed["Subject"] == "Grüße, Zoë"
    assert parsed["To"].addresses[0].display_name == "Zoë Ünal"
    assert parsed["Message-ID"] == "<d1.2.abc@acme.test>"
    text = parsed.get_body(("plain",))
    assert text is not None and text.get_content().startswith(".leading dot")
    assert b"\r\n" in raw and b"\n\n" not in raw.replace(b"\r\n", b"")


def test_dkim_signature_verifies(tmp_path: Any, settings: Any) -> None:
    import base64
    import shutil
    import subprocess

    import dkim  # type: ignore[import-untyped]

    key = tmp_path / "dkim.pem"
    openssl = shutil.which("openssl") or pytest.skip("openssl is not installed")
    subprocess.run(  # noqa: S603 - fixed arguments
        [openssl, "genrsa", "-traditional", "-out", str(key), "2048"],
        check=True,
        capture_output=True,
    )
    public = subprocess.run(  # noqa: S603 - fixed arguments
        [openssl, "rsa", "-in", str(key), "-pubout", "-outform", "DER"],
        check=True,
        capture_output=True,
    ).stdout
    settings.TALENTLOOP_DKIM_DOMAIN = "acme.test"
    settings.TALENTLOOP_DKIM_SELECTOR = "tl"
    settings.TALENTLOOP_DKIM_KEY_FILE = str(key)
    record = b"v=DKIM1; k=rsa; p=" + base64.b64encode(public)
    message = Outgoing(
        key="d1.1",
        message_id="m@acme.test",
        to="a@example.test",
        to_name="A",
        from_address="bob@acme.test",
        from_name="Bob",
        subject="Hi",
        html="<p>Hi</p>",
        text="Hi",
    )

    signed = EmailChannel().sign(build_mime(message))

    assert signed.startswith(b"DKIM-Signature:")
    assert dkim.verify(signed, dnsfunc=lambda name, timeout=5: record)
