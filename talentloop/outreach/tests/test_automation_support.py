"""Builders shared by the automation tests: templates, sequences, campaigns, and the people a
dry-run must tell apart (one per reason a message would not go)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from django.utils import timezone

from talentloop.candidates.models import Candidate, CandidateEmail
from talentloop.candidates.services import log_touchpoint
from talentloop.compliance.services import record_consent
from talentloop.core.actor import Actor
from talentloop.outreach import services, template_services
from talentloop.outreach.models import (
    Campaign,
    Message,
    Purpose,
    Sequence,
    Snippet,
    StepChannel,
    Suppression,
    Template,
)

# Monday 2 March 2026, 07:00 UTC: 08:00 in Berlin, before the 09:00 window opens.
MONDAY = dt.datetime(2026, 3, 2, 7, 0, tzinfo=dt.UTC)


def make_template(actor: Actor, name: str = "Intro", **fields: Any) -> Template:
    """A template stored through the template service (compiled and sanitized)."""
    fields.setdefault("subject", 'Hi {{ candidate.first_name|default:"there" }}')
    fields.setdefault(
        "body", "<p>Hello {{ candidate.first_name }}, from {{ sender.full_name }}.</p>"
    )
    return template_services.create_template(actor=actor, data={"name": name, **fields})


def make_snippet(actor: Actor, name: str, body: str) -> Snippet:
    return template_services.create_snippet(actor=actor, data={"name": name, "body": body})


def email_step(template: Template, delay: int = 0, **fields: Any) -> dict[str, Any]:
    return {"channel": StepChannel.EMAIL, "delay_days": delay, "template_id": template.pk, **fields}


def make_sequence(
    actor: Actor, steps: list[dict[str, Any]], *, purpose: str = Purpose.RECRUITING, **data: Any
) -> Sequence:
    data.setdefault("name", "Backend outreach")
    return services.create_sequence(actor=actor, data={"purpose": purpose, "steps": steps, **data})


def make_campaign(actor: Actor, drops: list[tuple[Template, dt.datetime]], **data: Any) -> Campaign:
    data.setdefault("name", "Spring newsletter")
    data.setdefault("purpose", Purpose.MARKETING)
    data["drops"] = [{"template_id": t.pk, "send_at": at.isoformat()} for t, at in drops]
    return services.create_campaign(actor=actor, data=data)


def grant(actor: Actor, candidate: Candidate, purpose: str = Purpose.MARKETING, **kw: Any) -> None:
    record_consent(
        actor=actor,
        candidate=candidate,
        channel=kw.pop("channel", "email"),
        purpose=purpose,
        status=kw.pop("status", "granted"),
        source="recruiter",
    )


def sent_marketing(actor: Actor, candidate: Candidate, *, ago: dt.timedelta, n: int = 1) -> None:
    """Ledger rows of marketing e-mails this person got `ago` (what the frequency cap counts)."""
    at = timezone.now() - ago
    for index in range(n):
        Message.objects.create(
            workspace=actor.workspace,
            key=f"test.{candidate.pk}.{index}.{at.timestamp()}",
            candidate=candidate,
            channel=StepChannel.EMAIL,
            purpose=Purpose.MARKETING,
            status=Message.Status.SENT,
            sent_at=at,
        )


def cast_of_blockers(
    actor: Actor, teammate: Actor, candidate_factory: Callable[..., Candidate]
) -> dict[str, Candidate]:
    """One person per outcome of a marketing e-mail, by the reason they would be skipped
    ("ok" would get it). `teammate` is who contacted the "collision" person lately."""

    def person(key: str, consent: bool = True, **data: Any) -> Candidate:
        data.setdefault("emails", [f"{key}@example.test"])
        candidate = candidate_factory(first_name=key.title(), last_name="Test", **data)
        if consent:
            grant(actor, candidate)
        return candidate

    people = {
        "ok": person("ok"),
        "do_not_contact": person("dnc", is_do_not_contact=True),
        "no_consent": person("noconsent", consent=False),
        "withdrawn": person("withdrawn"),
        "no_address": person("noaddress", emails=[]),
        "suppressed": person("suppressed"),
        "bounced": person("bounced"),
        "cap": person("capped"),
        "collision": person("collision"),
    }
    grant(actor, people["withdrawn"], status="withdrawn")
    Suppression.objects.create(
        workspace=actor.workspace, email="suppressed@example.test", reason="unsubscribe"
    )
    CandidateEmail.objects.filter(email="bounced@example.test").update(bounced_at=timezone.now())
    sent_marketing(actor, people["cap"], ago=dt.timedelta(days=1), n=2)
    log_touchpoint(
        actor=teammate,
        candidate=people["collision"],
        type="call",
        summary="Talked about the platform team",
        occurred_at=timezone.now() - dt.timedelta(hours=5),
    )
    return people
