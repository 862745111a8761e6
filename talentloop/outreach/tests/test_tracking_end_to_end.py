"""A campaign sent by the engine to a real SMTP server, then opened, clicked, answered and
unsubscribed from through the links and headers of the mail that arrived."""

from __future__ import annotations

import email
import email.policy
import re
from email.message import EmailMessage
from typing import Any
from urllib.parse import urlsplit

import pytest
from django.test import Client
from django.utils import timezone

from talentloop.accounts.models import User
from talentloop.candidates.models import Activity, Candidate
from talentloop.compliance.selectors import consent_status
from talentloop.compliance.services import record_consent
from talentloop.core.actor import Actor
from talentloop.core.smtp_sink import SmtpSink
from talentloop.outreach import engine, events, inbound
from talentloop.outreach.models import Campaign, CampaignDrop, Message, Template
from talentloop.outreach.tests.tracking_fixtures import make_mail
from talentloop.pools.models import Pool, PoolMembership, PoolStage

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.urls("talentloop.outreach.tests.urls_public_test"),
]


@pytest.fixture
def sink(sink: SmtpSink, settings: Any) -> SmtpSink:
    """The shared SMTP server, with replies routed to a reply domain."""
    settings.TALENTLOOP_REPLY_DOMAIN = "replies.acme.test"
    return sink


def _send_campaign(alice: User, acme: Any, alice_actor: Actor, person: Candidate) -> None:
    record_consent(
        actor=alice_actor,
        candidate=person,
        channel="email",
        purpose="marketing",
        status="granted",
        source="form",
    )
    template = Template.objects.create(
        workspace=acme,
        name="News",
        subject="News for {{ candidate.first_name }}",
        body=(
            '<p>Hi {{ candidate.first_name }}, see <a href="https://acme.test/jobs?a=1&amp;b=2">'
            'our jobs</a> or <a href="mailto:alice@acme.test">write</a>.</p>'
            '<p><a href="{{ unsubscribe_url }}">Unsubscribe</a></p>'
        ),
    )
    stage = PoolStage.objects.create(workspace=acme, name="New", name_key="new")
    pool = Pool.objects.create(workspace=acme, name="Readers", owner=alice)
    PoolMembership.objects.create(pool=pool, candidate=person, stage=stage)
    campaign = Campaign.objects.create(
        workspace=acme, name="News", pool=pool, sender=alice, status=Campaign.Status.RUNNING
    )
    CampaignDrop.objects.create(
        campaign=campaign, position=0, template=template, send_at=timezone.now()
    )
    assert engine.run().sent == 1


def _path(url: str) -> str:
    return urlsplit(url).path


def test_a_sent_message_is_tracked_answered_and_unsubscribed_from(
    sink: SmtpSink,
    alice: User,
    acme: Any,
    alice_actor: Actor,
    candidate_factory: Any,
) -> None:
    person = candidate_factory(first_name="Ada", emails=["ada@engine.test"])
    _send_campaign(alice, acme, alice_actor, person)
    (received,) = sink.messages
    mail = email.message_from_bytes(received.data, policy=email.policy.default)
    assert isinstance(mail, EmailMessage)
    html_part = mail.get_body(("html",))
    assert html_part is not None
    html = html_part.get_content()
    message = Message.objects.get()
    client = Client()

    # The pixel and the click, as the person's mail client would fetch them.
    pixel = re.search(r'<img src="([^"]+/t/o/[^"]+)"', html)
    clicks = re.findall(r'href="([^"]+/t/c/[^"]+)"', html)
    assert pixel is not None and len(clicks) == 1
    assert 'href="mailto:alice@acme.test"' in html
    assert client.get(_path(pixel.group(1))).status_code == 200
    response = client.get(_path(clicks[0]))
    assert (response.status_code, response["Location"]) == (302, "https://acme.test/jobs?a=1&b=2")
    events.process_events()
    message.refresh_from_db()
    assert message.opened_at is not None and message.clicked_at is not None

    # The reply goes to the Reply-To the engine set, and is matched by its token.
    result = inbound.handle_inbound(
        make_mail(sender="ada@engine.test", to=str(mail["Reply-To"]), text="Tell me more.\n")
    )
    assert (result.message_id, result.matched_by) == (message.pk, "token")
    events.process_events()

    # RFC 8058: the mail provider POSTs to the List-Unsubscribe URL.
    unsubscribe = re.fullmatch(r"<([^>]+)>", str(mail["List-Unsubscribe"]))
    assert unsubscribe is not None
    assert f'href="{unsubscribe.group(1)}"' in html  # the link in the body is not rewritten
    response = client.post(
        _path(unsubscribe.group(1)),
        "List-Unsubscribe=One-Click",
        content_type="application/x-www-form-urlencoded",
    )
    assert response.status_code == 200
    assert consent_status(person)[("email", "marketing")] == "withdrawn"

    timeline = list(
        Activity.objects.filter(candidate=person)
        .exclude(type__in=["created", "consent_change"])
        .order_by("id")
        .values_list("type", flat=True)
    )
    assert timeline == ["email_sent", "email_opened", "email_clicked", "email_replied"]
