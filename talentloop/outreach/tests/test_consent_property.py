"""Property: the engine never sends to someone it must not, and sends to everyone it may.

Hypothesis builds workspaces of people with random consent histories, do-not-contact flags,
suppressed, bounced or missing addresses, archived profiles and earlier marketing messages,
then runs a marketing campaign (two drops) and a recruiting sequence through the real engine
into a real SMTP server. Every message that arrives must be allowed by the rules, and every
person the rules allow must get what the cap leaves room for.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from typing import Any

import pytest
from django.db import transaction
from django.utils import timezone
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from talentloop.accounts.models import User, Workspace
from talentloop.candidates.models import Candidate, CandidateEmail
from talentloop.compliance.models import ConsentRecord
from talentloop.core.smtp_sink import SmtpSink
from talentloop.outreach import engine
from talentloop.outreach.models import (
    Campaign,
    CampaignDrop,
    Enrollment,
    Message,
    OutreachSettings,
    Sequence,
    SequenceStep,
    Suppression,
    Template,
)
from talentloop.pools.models import Pool, PoolMembership, PoolStage

pytestmark = pytest.mark.django_db

CAP = 2  # marketing messages per 7 days

consent_event = st.tuples(
    st.sampled_from(["marketing", "recruiting"]), st.sampled_from(["granted", "withdrawn"])
)
person = st.fixed_dictionaries(
    {
        "consents": st.lists(consent_event, max_size=4),
        "do_not_contact": st.booleans(),
        "archived": st.booleans(),
        "address": st.sampled_from(["ok", "ok", "ok", "missing", "suppressed", "bounced"]),
        "earlier_marketing": st.integers(min_value=0, max_value=3),
    }
)
world = st.fixed_dictionaries(
    {
        "people": st.lists(person, min_size=1, max_size=6),
        "require_recruiting_consent": st.booleans(),
    }
)


class _Rollback(Exception):
    pass


def _latest(consents: list[tuple[str, str]], purpose: str) -> str | None:
    found = None
    for event_purpose, status in consents:
        if event_purpose == purpose:
            found = status
    return found


def _may_contact(spec: dict[str, Any], purpose: str, require_recruiting: bool) -> bool:
    """The rules, written out independently of policy.py."""
    if spec["do_not_contact"] or spec["archived"] or spec["address"] != "ok":
        return False
    latest = _latest(spec["consents"], purpose)
    if latest == "withdrawn":
        return False
    needs_grant = purpose == "marketing" or require_recruiting
    return not (needs_grant and latest != "granted")


def _build(workspace: Workspace, alice: User, specs: list[dict[str, Any]]) -> list[Candidate]:
    now = timezone.now()
    people = []
    stage = PoolStage.objects.create(workspace=workspace, name="New", name_key="new")
    pool = Pool.objects.create(workspace=workspace, name="All", owner=alice)
    for n, spec in enumerate(specs):
        candidate = Candidate.objects.create(
            workspace=workspace,
            first_name=f"P{n}",
            is_do_not_contact=spec["do_not_contact"],
            is_archived=spec["archived"],
        )
        address = f"p{n}@people.test"
        if spec["address"] != "missing":
            CandidateEmail.objects.create(
                candidate=candidate,
                workspace=workspace,
                email=address,
                is_primary=True,
                bounced_at=now if spec["address"] == "bounced" else None,
            )
        if spec["address"] == "suppressed":
            Suppression.objects.create(workspace=workspace, email=address, reason="unsubscribe")
        for m, (purpose, status) in enumerate(spec["consents"]):
            ConsentRecord.objects.create(
                workspace=workspace,
                candidate=candidate,
                channel="email",
                purpose=purpose,
                status=status,
                source="form",
                occurred_at=now - dt.timedelta(days=30) + dt.timedelta(minutes=m),
            )
        for m in range(spec["earlier_marketing"]):
            Message.objects.create(
                workspace=workspace,
                key=f"earlier.{n}.{m}",
                candidate=candidate,
                channel="email",
                purpose="marketing",
                status=Message.Status.SENT,
                sent_at=now - dt.timedelta(days=1),
            )
        PoolMembership.objects.create(pool=pool, candidate=candidate, stage=stage)
        people.append(candidate)
    template = Template.objects.create(
        workspace=workspace, name="News", subject="Hi {{ candidate.first_name }}", body="<p>Hi</p>"
    )
    campaign = Campaign.objects.create(
        workspace=workspace, name="News", pool=pool, sender=alice, status=Campaign.Status.RUNNING
    )
    for position in (0, 1):
        CampaignDrop.objects.create(
            campaign=campaign, position=position, template=template, send_at=now
        )
    sequence = Sequence.objects.create(
        workspace=workspace, name="Intro", owner=alice, status=Sequence.Status.ACTIVE
    )
    SequenceStep.objects.create(
        sequence=sequence,
        position=0,
        template=template,
        business_days=False,
        window_start=dt.time(0),
        window_end=dt.time(0),
    )
    for candidate in people:
        Enrollment.objects.create(
            workspace=workspace, sequence=sequence, candidate=candidate, next_step_at=now
        )
    return people


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
# One earlier newsletter leaves room for one of the campaign's two drops.
@example(
    case={
        "people": [
            {
                "consents": [("marketing", "granted")],
                "do_not_contact": False,
                "archived": False,
                "address": "ok",
                "earlier_marketing": 1,
            }
        ],
        "require_recruiting_consent": False,
    }
)
@given(case=world)
def test_never_sends_without_consent_after_unsubscribe_to_suppressed_or_over_the_cap(
    case: dict[str, Any], sink: SmtpSink, acme: Workspace, alice: User
) -> None:
    sink.handler.messages.clear()
    try:
        with transaction.atomic():
            acme.require_recruiting_consent = case["require_recruiting_consent"]
            acme.save(update_fields=["require_recruiting_consent"])
            OutreachSettings.objects.update_or_create(
                workspace=acme, defaults={"cap_messages": CAP, "cap_days": 7}
            )
            people = _build(acme, alice, case["people"])
            engine.run()

            received = Counter(r.recipients[0] for r in sink.messages)
            purposes = dict(
                Message.objects.filter(status=Message.Status.SENT)
                .exclude(key__startswith="earlier.")
                .values_list("message_id", "purpose")
            )
            sent_by_purpose: Counter[tuple[str, str]] = Counter()
            for message in sink.messages:
                sent_by_purpose[(message.recipients[0], purposes[message.message_id])] += 1
            for n, (spec, candidate) in enumerate(zip(case["people"], people, strict=True)):
                address = f"p{n}@people.test"
                recruiting = sent_by_purpose[(address, "recruiting")]
                marketing = sent_by_purpose[(address, "marketing")]
                may_recruit = _may_contact(spec, "recruiting", case["require_recruiting_consent"])
                may_market = _may_contact(spec, "marketing", case["require_recruiting_consent"])
                room = max(0, CAP - spec["earlier_marketing"])
                # Never to someone the rules forbid, never over the cap …
                assert recruiting == (1 if may_recruit else 0), (spec, candidate.pk)
                assert marketing == (min(2, room) if may_market else 0), (spec, candidate.pk)
                assert received[address] == recruiting + marketing
            raise _Rollback
    except _Rollback:
        pass
