"""Automations as data: sequences and campaigns as versioned JSON documents, and dry-runs.

A document carries everything another workspace needs to rebuild the automation: templates and
snippets by content (referred to by name), teammates by e-mail, segments by name and rules, pools
and jobs by name. Nothing in it is an id of this database, so it imports anywhere.

A dry-run answers "who would get what, and when; who would be skipped, and why" for an audience,
through the same rules the engine applies (policy.blockers, timing.next_send_at), without writing
a row. It reads the audience in batches so a 10,000-person segment takes a few seconds.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import asdict, dataclass, field
from functools import wraps
from itertools import batched
from typing import Any, NoReturn

from django.db import transaction
from django.utils import timezone

from talentloop.accounts.models import Membership, User, Workspace
from talentloop.accounts.roles import Capability
from talentloop.candidates.freshness import REASONS as STALE_LABELS
from talentloop.candidates.freshness import stale_reasons
from talentloop.candidates.models import Candidate, CandidateEmail, CandidatePhone
from talentloop.candidates.selectors import visible_candidates
from talentloop.core.actor import Actor
from talentloop.core.errors import Conflict, Forbidden, InvalidInput, TalentloopError
from talentloop.outreach import policy, rendering, services, template_services, timing
from talentloop.outreach.engine import ENDS_ENROLLMENT, TASK_CHANNELS
from talentloop.outreach.models import (
    Campaign,
    CampaignDrop,
    OutreachSettings,
    Purpose,
    Sequence,
    SequenceStep,
    Snippet,
    StepChannel,
    StopCondition,
    Template,
)
from talentloop.pools import services as pool_services
from talentloop.pools.models import Pool, PoolMembership, PoolStage, Segment
from talentloop.pools.rules import RuleError
from talentloop.pools.selectors import matching_candidates

FORMAT = 1
KINDS = ("sequence", "campaign")

# Limits of a document, so a pasted file cannot make the importer loop for long.
MAX_STEPS = services.MAX_STEPS
MAX_DROPS = services.MAX_DROPS
MAX_TEMPLATES = 100
MAX_SNIPPETS = 100
MAX_TEXT = 200_000


def _require_read(actor: Actor) -> None:
    if not (actor.can(Capability.OUTREACH) or actor.can(Capability.VIEW_ALL_CANDIDATES)):
        raise Forbidden("Your role does not allow reading outreach.")


def _require_write(actor: Actor) -> None:
    if not actor.can(Capability.OUTREACH):
        raise Forbidden("Your role does not allow outreach.")


def _iso(moment: dt.datetime) -> str:
    return moment.astimezone(dt.UTC).isoformat().replace("+00:00", "Z")


def _clock(value: dt.time | None) -> str | None:
    if value is None:
        return None
    return value.isoformat(timespec="minutes" if not value.second else "seconds")


def document_json(document: Mapping[str, Any]) -> str:
    """The document as a file: sorted keys and a fixed layout, so one automation always gives
    the same bytes (apart from `exported_at`) and two exports diff cleanly."""
    return json.dumps(document, sort_keys=True, indent=2, ensure_ascii=False) + "\n"


# --- export ---------------------------------------------------------------------------------


def _templates_section(templates: Iterable[Template]) -> dict[str, Any]:
    return {
        t.name: {"kind": t.kind, "subject": t.subject, "body": t.body, "text_body": t.text_body}
        for t in templates
    }


def _snippets_section(workspace: Workspace, templates: Iterable[Template]) -> dict[str, Any]:
    """The workspace's snippets the templates include, by name."""
    wanted: set[str] = set()
    for t in templates:
        wanted |= rendering.snippet_names(t.subject, t.body, t.text_body)
    found = Snippet.objects.filter(workspace=workspace, name__in=sorted(wanted))
    return {s.name: {"body": s.body} for s in found}


def _envelope(kind: str, workspace: Workspace, templates: list[Template]) -> dict[str, Any]:
    unique = list({t.pk: t for t in templates}.values())
    return {
        "talentloop": kind,
        "format": FORMAT,
        "exported_at": _iso(timezone.now().replace(microsecond=0)),
        "templates": _templates_section(unique),
        "snippets": _snippets_section(workspace, unique),
    }


def export_sequence(*, actor: Actor, sequence: Sequence) -> dict[str, Any]:
    """The sequence as a document (see the module docstring). `sequence` comes from an access
    selector; Forbidden for roles that may not read outreach."""
    _require_read(actor)
    steps = list(
        SequenceStep.objects.filter(sequence=sequence)
        .select_related("template", "sender_user")
        .order_by("position")
    )
    job = None
    if sequence.job_id is not None:
        from talentloop.jobs.models import Job

        title = Job.objects.filter(pk=sequence.job_id).values_list("title", flat=True).first()
        job = {"title": title} if title is not None else None
    document = _envelope("sequence", actor.workspace, [s.template for s in steps if s.template])
    document["sequence"] = {
        "name": sequence.name,
        "description": sequence.description,
        "purpose": sequence.purpose,
        "stop_on": [c for c in StopCondition.values if c in set(sequence.stop_on or [])],
        "reentry": sequence.reentry,
        "reentry_days": sequence.reentry_days,
        "version": sequence.version,
        "job": job,
        "steps": [
            {
                "channel": step.channel,
                "delay_days": step.delay_days,
                "business_days": step.business_days,
                "window_start": _clock(step.window_start),
                "window_end": _clock(step.window_end),
                "template": step.template.name if step.template else None,
                "instructions": step.instructions,
                "sender": step.sender,
                "sender_email": step.sender_user.email if step.sender_user else None,
            }
            for step in steps
        ],
    }
    return document


def export_campaign(*, actor: Actor, campaign: Campaign) -> dict[str, Any]:
    """The campaign as a document: its drops, its audience (segment by name and rules, or pool
    by name) and its sender by e-mail."""
    _require_read(actor)
    drops = list(
        CampaignDrop.objects.filter(campaign=campaign)
        .select_related("template")
        .order_by("position")
    )
    segment = None
    if campaign.segment_id is not None:
        found = Segment.objects.get(pk=campaign.segment_id)
        segment = {
            "name": found.name,
            "description": found.description,
            "rules": portable_rules(actor.workspace, found.rules),
        }
    pool = None
    if campaign.pool_id is not None:
        pool = {"name": Pool.objects.values_list("name", flat=True).get(pk=campaign.pool_id)}
    sender = None
    if campaign.sender_id is not None:
        sender = User.objects.values_list("email", flat=True).get(pk=campaign.sender_id)
    document = _envelope("campaign", actor.workspace, [d.template for d in drops])
    document["campaign"] = {
        "name": campaign.name,
        "purpose": campaign.purpose,
        "segment": segment,
        "pool": pool,
        "sender_email": sender,
        "throttle_per_minute": campaign.throttle_per_minute,
        "quiet_days": sorted(set(campaign.quiet_days or [])),
        "version": campaign.version,
        "drops": [{"template": d.template.name, "send_at": _iso(d.send_at)} for d in drops],
    }
    return document


def _walk_rules(rules: Any, convert: Any, path: str = "rules") -> Any:
    """Copy a rule set, passing each rule (dict with "field") and its path through `convert`."""
    if isinstance(rules, dict) and len(rules) == 1 and next(iter(rules)) in ("all", "any"):
        joiner, items = next(iter(rules.items()))
        if isinstance(items, list):
            return {
                joiner: [
                    _walk_rules(item, convert, f"{path}.{joiner}[{index}]")
                    for index, item in enumerate(items)
                ]
            }
    if isinstance(rules, dict) and "field" in rules:
        return convert(dict(rules), path)
    return rules


def _is_id(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def portable_rules(workspace: Workspace, rules: Any) -> Any:
    """Segment rules with this workspace's ids replaced by names: owners by {"user": e-mail},
    pools by {"pool": name}, stages by their name. An id that no longer exists stays as is
    (the rule did not work here either, and importing it names the problem)."""
    users = dict(
        Membership.objects.filter(workspace=workspace).values_list("user_id", "user__email")
    )
    pools = dict(Pool.objects.filter(workspace=workspace).values_list("pk", "name"))
    stages = dict(PoolStage.objects.filter(workspace=workspace).values_list("pk", "name"))

    def name(value: Any, names: Mapping[int, str], key: str | None) -> Any:
        if _is_id(value) and value in names:
            return {key: names[value]} if key else names[value]
        return value

    tables: dict[str, tuple[Mapping[int, str], str | None]] = {
        "owner": (users, "user"),
        "pool": (pools, "pool"),
        "stage": (stages, None),
    }

    def convert(rule: dict[str, Any], path: str) -> dict[str, Any]:
        table = tables.get(str(rule.get("field")))
        if table is not None and "value" in rule:
            value = rule["value"]
            if isinstance(value, list):
                rule["value"] = [name(v, *table) for v in value]
            else:
                rule["value"] = name(value, *table)
        if rule.get("field") == "stage" and "pool" in rule:
            rule["pool"] = name(rule["pool"], pools, "pool")
        return rule

    return _walk_rules(rules, convert)


# --- reading a document ---------------------------------------------------------------------


@dataclass(frozen=True)
class TemplateDoc:
    name: str
    kind: str
    subject: str
    body: str
    text_body: str


@dataclass(frozen=True)
class StepDoc:
    channel: str
    delay_days: int
    business_days: bool
    window_start: str | None
    window_end: str | None
    template: str | None
    instructions: str
    sender: str
    sender_email: str | None


@dataclass(frozen=True)
class SequenceDoc:
    name: str
    description: str
    purpose: str
    stop_on: list[str]
    reentry: str
    reentry_days: int
    version: int
    job_title: str | None
    steps: list[StepDoc]


@dataclass(frozen=True)
class SegmentDoc:
    name: str
    description: str
    rules: Any


@dataclass(frozen=True)
class DropDoc:
    template: str
    send_at: dt.datetime


@dataclass(frozen=True)
class CampaignDoc:
    name: str
    purpose: str
    segment: SegmentDoc | None
    pool_name: str | None
    sender_email: str | None
    throttle_per_minute: int | None
    quiet_days: list[int]
    version: int
    drops: list[DropDoc]


@dataclass(frozen=True)
class Document:
    kind: str
    templates: dict[str, TemplateDoc]
    snippets: dict[str, str]
    sequence: SequenceDoc | None = None
    campaign: CampaignDoc | None = None


def _fail(path: str, message: str) -> NoReturn:
    raise InvalidInput(f"{path}: {message}", field=path)


def _key(path: str, key: str) -> str:
    if re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", key):
        return f"{path}.{key}" if path else key
    return f"{path}[{json.dumps(key, ensure_ascii=False)}]"


def _object(value: Any, path: str, keys: Iterable[str]) -> dict[str, Any]:
    """`value` as an object with exactly `keys`: a missing or unknown key names its path."""
    if not isinstance(value, dict):
        _fail(path or "document", "expected an object")
    wanted = list(keys)
    for key in wanted:
        if key not in value:
            _fail(_key(path, key), "missing")
    for key in value:
        if key not in wanted:
            _fail(_key(path, str(key)), "unknown key")
    return value


def _text(value: Any, path: str, *, max_length: int, blank: bool = True) -> str:
    if not isinstance(value, str):
        _fail(path, "expected text")
    if len(value) > max_length or "\x00" in value:
        _fail(path, f"at most {max_length} characters, without NUL")
    if not blank and not value.strip():
        _fail(path, "must not be blank")
    return value


def _name(value: Any, path: str, *, max_length: int = 120) -> str:
    return " ".join(_text(value, path, max_length=max_length, blank=False).split())


def _optional_text(value: Any, path: str, *, max_length: int) -> str | None:
    return None if value is None else _text(value, path, max_length=max_length, blank=False)


def _integer(value: Any, path: str, *, low: int, high: int, null: bool = False) -> Any:
    if value is None and null:
        return None
    if not _is_id(value) or not low <= value <= high:
        _fail(path, f"expected a whole number from {low} to {high}")
    return value


def _boolean(value: Any, path: str) -> bool:
    if not isinstance(value, bool):
        _fail(path, "expected true or false")
    return value


def _choice(value: Any, path: str, choices: Iterable[str]) -> str:
    options = list(choices)
    if not isinstance(value, str) or value not in options:
        _fail(path, f"expected one of: {', '.join(options)}")
    return value


def _list(value: Any, path: str, *, max_length: int, min_length: int = 0) -> list[Any]:
    if not isinstance(value, list):
        _fail(path, "expected a list")
    if not min_length <= len(value) <= max_length:
        _fail(path, f"expected {min_length} to {max_length} items")
    return value


def _clock_value(value: Any, path: str) -> str | None:
    if value is None:
        return None
    if isinstance(value, str) and re.fullmatch(r"\d\d:\d\d(:\d\d)?", value):
        try:
            return _clock(dt.time.fromisoformat(value))
        except ValueError:
            pass
    _fail(path, 'expected a time such as "09:00", or null')


def _moment(value: Any, path: str) -> dt.datetime:
    if isinstance(value, str):
        try:
            moment = dt.datetime.fromisoformat(value)
        except ValueError:
            pass
        else:
            if moment.tzinfo is not None:
                return moment.astimezone(dt.UTC)
    _fail(path, 'expected an ISO date-time with its offset, such as "2026-03-02T09:00:00Z"')


def parse_document(document: Any) -> Document:
    """Check a document strictly and return it typed.

    Raises InvalidInput whose `field` is the JSON path of the first problem, such as
    ``sequence.steps[1].delay_days``: an unknown `format`, a missing or unknown key, a wrong
    type, a value out of range, a template or snippet named but not included.
    """
    if not isinstance(document, dict):
        _fail("document", "expected a JSON object")
    kind = document.get("talentloop")
    if kind not in KINDS:
        _fail("talentloop", 'expected "sequence" or "campaign" (is this a Talentloop export?)')
    version = document.get("format")
    if version != FORMAT or not _is_id(version):
        shown = json.dumps(version) if "format" in document else "missing"
        _fail("format", f"this Talentloop reads format {FORMAT}, not {shown}")
    top = _object(
        document, "", ["talentloop", "format", "exported_at", kind, "templates", "snippets"]
    )
    _text(top["exported_at"], "exported_at", max_length=64)
    snippets = _snippets(top["snippets"])
    templates = _templates(top["templates"])
    if kind == "sequence":
        sequence = _sequence(top["sequence"], templates)
        used = {s.template for s in sequence.steps if s.template}
        parsed = Document(kind, templates, snippets, sequence=sequence)
    else:
        campaign = _campaign(top["campaign"], templates)
        used = {d.template for d in campaign.drops}
        parsed = Document(kind, templates, snippets, campaign=campaign)
    for name in sorted(set(templates) - used):
        _fail(_key("templates", name), "not used by any step or drop")
    for name in sorted(set(snippets) - _included_snippets(parsed)):
        _fail(_key("snippets", name), "not included by any template")
    return parsed


def _included_snippets(document: Document) -> set[str]:
    found: set[str] = set()
    for t in document.templates.values():
        found |= rendering.snippet_names(t.subject, t.body, t.text_body)
    return found


def _snippets(value: Any) -> dict[str, str]:
    if not isinstance(value, dict):
        _fail("snippets", "expected an object of snippets by name")
    if len(value) > MAX_SNIPPETS:
        _fail("snippets", f"at most {MAX_SNIPPETS} snippets")
    found = {}
    for name, item in value.items():
        path = _key("snippets", name)
        if not rendering.SNIPPET_NAME.match(name):
            _fail(path, "a snippet name is 1 to 60 lower-case letters, digits, - or _")
        entry = _object(item, path, ["body"])
        found[name] = _text(entry["body"], f"{path}.body", max_length=MAX_TEXT)
    return found


def _templates(value: Any) -> dict[str, TemplateDoc]:
    if not isinstance(value, dict):
        _fail("templates", "expected an object of templates by name")
    if len(value) > MAX_TEMPLATES:
        _fail("templates", f"at most {MAX_TEMPLATES} templates")
    found = {}
    for name, item in value.items():
        path = _key("templates", name)
        if _name(name, path) != name:
            _fail(path, "a template name is 1 to 120 characters without extra spaces")
        entry = _object(item, path, ["kind", "subject", "body", "text_body"])
        found[name] = TemplateDoc(
            name=name,
            kind=_choice(entry["kind"], f"{path}.kind", Template.Kind.values),
            subject=_text(entry["subject"], f"{path}.subject", max_length=300),
            body=_text(entry["body"], f"{path}.body", max_length=MAX_TEXT),
            text_body=_text(entry["text_body"], f"{path}.text_body", max_length=MAX_TEXT),
        )
    return found


def _template_ref(value: Any, path: str, templates: Mapping[str, TemplateDoc]) -> str | None:
    name = _optional_text(value, path, max_length=120)
    if name is not None and name not in templates:
        _fail(path, f'no template named "{name}" in "templates"')
    return name


STEP_KEYS = (
    "channel",
    "delay_days",
    "business_days",
    "window_start",
    "window_end",
    "template",
    "instructions",
    "sender",
    "sender_email",
)


def _sequence(value: Any, templates: Mapping[str, TemplateDoc]) -> SequenceDoc:
    keys = [
        "name",
        "description",
        "purpose",
        "stop_on",
        "reentry",
        "reentry_days",
        "version",
        "job",
        "steps",
    ]
    data = _object(value, "sequence", keys)
    stop_on = _list(data["stop_on"], "sequence.stop_on", max_length=len(StopCondition.values))
    job = data["job"]
    if job is not None:
        job = _name(
            _object(job, "sequence.job", ["title"])["title"], "sequence.job.title", max_length=200
        )
    steps = []
    raw_steps = _list(data["steps"], "sequence.steps", max_length=MAX_STEPS, min_length=1)
    for index, raw in enumerate(raw_steps):
        path = f"sequence.steps[{index}]"
        step = _object(raw, path, STEP_KEYS)
        channel = _choice(step["channel"], f"{path}.channel", StepChannel.values)
        template = _template_ref(step["template"], f"{path}.template", templates)
        if channel in (StepChannel.EMAIL, StepChannel.SMS):
            if template is None:
                _fail(f"{path}.template", f"a {channel} step needs a template")
            wanted_kind = Template.Kind.EMAIL if channel == StepChannel.EMAIL else Template.Kind.SMS
            if templates[template].kind != wanted_kind:
                _fail(f"{path}.template", f'"{template}" is not an {wanted_kind} template')
        sender = _choice(step["sender"], f"{path}.sender", SequenceStep.Sender.values)
        sender_email = _optional_text(step["sender_email"], f"{path}.sender_email", max_length=254)
        if sender == SequenceStep.Sender.USER and sender_email is None:
            _fail(f"{path}.sender_email", 'a "user" sender needs an e-mail address')
        steps.append(
            StepDoc(
                channel=channel,
                delay_days=_integer(step["delay_days"], f"{path}.delay_days", low=0, high=365),
                business_days=_boolean(step["business_days"], f"{path}.business_days"),
                window_start=_clock_value(step["window_start"], f"{path}.window_start"),
                window_end=_clock_value(step["window_end"], f"{path}.window_end"),
                template=template,
                instructions=_text(step["instructions"], f"{path}.instructions", max_length=5000),
                sender=sender,
                sender_email=sender_email,
            )
        )
    return SequenceDoc(
        name=_name(data["name"], "sequence.name"),
        description=_text(data["description"], "sequence.description", max_length=5000),
        purpose=_choice(data["purpose"], "sequence.purpose", Purpose.values),
        stop_on=[
            _choice(item, f"sequence.stop_on[{i}]", StopCondition.values)
            for i, item in enumerate(stop_on)
        ],
        reentry=_choice(data["reentry"], "sequence.reentry", Sequence.Reentry.values),
        reentry_days=_integer(data["reentry_days"], "sequence.reentry_days", low=0, high=3650),
        version=_integer(data["version"], "sequence.version", low=1, high=2**31 - 1),
        job_title=job,
        steps=steps,
    )


def _campaign(value: Any, templates: Mapping[str, TemplateDoc]) -> CampaignDoc:
    keys = [
        "name",
        "purpose",
        "segment",
        "pool",
        "sender_email",
        "throttle_per_minute",
        "quiet_days",
        "version",
        "drops",
    ]
    data = _object(value, "campaign", keys)
    segment = None
    if data["segment"] is not None:
        raw = _object(data["segment"], "campaign.segment", ["name", "description", "rules"])
        if not isinstance(raw["rules"], dict):
            _fail("campaign.segment.rules", 'expected a rule group such as {"all": [...]}')
        segment = SegmentDoc(
            name=_name(raw["name"], "campaign.segment.name"),
            description=_text(raw["description"], "campaign.segment.description", max_length=5000),
            rules=raw["rules"],
        )
    pool_name = None
    if data["pool"] is not None:
        pool_name = _name(
            _object(data["pool"], "campaign.pool", ["name"])["name"], "campaign.pool.name"
        )
    if (segment is None) == (pool_name is None):
        _fail("campaign.segment", "a campaign goes to a segment or a pool (one of the two)")
    quiet = _list(data["quiet_days"], "campaign.quiet_days", max_length=6)
    quiet_days = [
        _integer(day, f"campaign.quiet_days[{i}]", low=0, high=6) for i, day in enumerate(quiet)
    ]
    if len(set(quiet_days)) != len(quiet_days):
        _fail("campaign.quiet_days", "a day is listed twice")
    drops = []
    raw_drops = _list(data["drops"], "campaign.drops", max_length=MAX_DROPS, min_length=1)
    for index, raw in enumerate(raw_drops):
        path = f"campaign.drops[{index}]"
        drop = _object(raw, path, ["template", "send_at"])
        template = _template_ref(drop["template"], f"{path}.template", templates)
        if template is None:
            _fail(f"{path}.template", "a drop needs a template")
        drops.append(
            DropDoc(template=template, send_at=_moment(drop["send_at"], f"{path}.send_at"))
        )
    return CampaignDoc(
        name=_name(data["name"], "campaign.name"),
        purpose=_choice(data["purpose"], "campaign.purpose", Purpose.values),
        segment=segment,
        pool_name=pool_name,
        sender_email=_optional_text(data["sender_email"], "campaign.sender_email", max_length=254),
        throttle_per_minute=_integer(
            data["throttle_per_minute"],
            "campaign.throttle_per_minute",
            low=1,
            high=1_000_000,
            null=True,
        ),
        quiet_days=sorted(quiet_days),
        version=_integer(data["version"], "campaign.version", low=1, high=2**31 - 1),
        drops=drops,
    )


# --- dry-run --------------------------------------------------------------------------------

# Candidates per round of policy queries: one round is about ten queries whatever its size.
BATCH = 1000
DEFAULT_LIMIT = 50
MAX_LIMIT = 500
# Messages rendered for the preview; rendering all 10,000 would be the send, not a dry-run.
PREVIEW = 20
MAX_IDS = 10_000
MAX_AUDIENCE = 100_000

SCHEDULED = "scheduled"
PARTIAL = "partial"
NOT_FOUND = "not_found"
# Outcomes in the order the totals show them.
OUTCOME_LABELS = {
    SCHEDULED: "Gets every message",
    PARTIAL: "Misses some messages",
    "do_not_contact": "Do not contact",
    "no_consent": "No consent",
    "withdrawn": "Consent withdrawn",
    "no_address": "No address",
    "suppressed": "Suppressed address",
    "bounced": "Bounced e-mail",
    "invalid_phone": "Invalid phone",
    "cap": "Frequency cap",
    "collision": "Recent teammate contact",
    "inactive": "Archived or deleted",
    NOT_FOUND: "Not found",
    "stopped": "Enrolment stopped earlier",
}
SENDING = (StepChannel.EMAIL, StepChannel.SMS)
OWN_CAP = policy.Blocker(
    "cap", "The frequency cap would be reached by this automation's own earlier messages."
)
NOT_FOUND_BLOCKER = policy.Blocker(NOT_FOUND, "No such candidate.")
STOPPED = policy.Blocker("stopped", "The enrolment would have stopped at an earlier step.")
# What enrolling refuses: the first step could not be sent, or a teammate is in touch.
REFUSED_AT_ENROLMENT = ENDS_ENROLLMENT | {"collision"}


@dataclass
class PlannedMessage:
    """One step or drop as one person would get it, or why they would not."""

    position: int
    channel: str
    at: dt.datetime
    template: str
    subject: str = ""  # rendered for the first PREVIEW recipients only
    skipped: str = ""
    skipped_message: str = ""


@dataclass
class Recipient:
    candidate_id: int
    name: str
    timezone: str
    outcome: str
    messages: list[PlannedMessage]
    address: str = ""
    warnings: list[str] = field(default_factory=list)


@dataclass
class Skipped:
    candidate_id: int
    name: str
    reason: str
    message: str


@dataclass
class StepTotal:
    """How many people one step or drop reaches, and why the others would be skipped."""

    position: int
    channel: str
    template: str
    at: dt.datetime | None  # a drop's time; a step's time depends on each person's timezone
    sending: int = 0
    skipped: dict[str, int] = field(default_factory=dict)


@dataclass
class DryRun:
    """The answer of a dry-run. Totals cover the whole audience; `recipients` and `skipped`
    list the first `limit` of each in candidate id order (the order the engine sends in)."""

    kind: str
    name: str
    audience: str
    audience_size: int
    start: dt.datetime
    limit: int
    totals: dict[str, int] = field(default_factory=dict)
    steps: list[StepTotal] = field(default_factory=list)
    recipients: list[Recipient] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)
    warnings: dict[str, int] = field(default_factory=dict)  # stale-profile codes
    problems: list[str] = field(default_factory=list)
    elapsed_ms: float = 0.0

    def bars(self) -> list[dict[str, Any]]:
        """The totals as rows for a bar chart: code, label, count and percent of the top."""
        top = max(self.totals.values(), default=0) or 1
        return [
            {
                "code": code,
                "label": OUTCOME_LABELS.get(code, code),
                "count": count,
                "percent": round(count * 100 / top, 1),
            }
            for code, count in self.totals.items()
        ]

    def as_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["bars"] = self.bars()
        data["warning_labels"] = {code: STALE_LABELS.get(code, code) for code in self.warnings}
        return data


@dataclass
class _Tally:
    """Running counts of a dry-run, and the first `limit` rows of each list."""

    run: DryRun

    def person(self, recipient: Recipient) -> None:
        totals = self.run.totals
        totals[recipient.outcome] = totals.get(recipient.outcome, 0) + 1
        if len(self.run.recipients) < self.run.limit:
            self.run.recipients.append(recipient)

    def skip(self, candidate_id: int, name: str, blocker: policy.Blocker) -> None:
        totals = self.run.totals
        totals[blocker.reason] = totals.get(blocker.reason, 0) + 1
        if len(self.run.skipped) < self.run.limit:
            self.run.skipped.append(Skipped(candidate_id, name, blocker.reason, blocker.message))

    def message(self, index: int, blocker: policy.Blocker | None) -> None:
        step = self.run.steps[index]
        if blocker is None:
            step.sending += 1
        else:
            step.skipped[blocker.reason] = step.skipped.get(blocker.reason, 0) + 1

    def warn(self, codes: Iterable[str]) -> None:
        for code in codes:
            self.run.warnings[code] = self.run.warnings.get(code, 0) + 1

    def finish(self, started: float) -> DryRun:
        order = list(OUTCOME_LABELS)
        self.run.totals = dict(
            sorted(
                self.run.totals.items(), key=lambda kv: order.index(kv[0]) if kv[0] in order else 99
            )
        )
        self.run.elapsed_ms = round((time.perf_counter() - started) * 1000, 1)
        return self.run


def _rolled_back[**P, R](function: Callable[P, R]) -> Callable[P, R]:
    """Roll back whatever a dry-run's helpers write on their way (policy.settings_for makes a
    workspace's settings row on first use): a dry-run leaves the database as it found it."""

    @wraps(function)
    def run(*args: P.args, **kwargs: P.kwargs) -> R:
        with transaction.atomic():
            result = function(*args, **kwargs)
            transaction.set_rollback(True)
        return result

    return run


def _check_limit(limit: int) -> int:
    if not _is_id(limit) or not 1 <= limit <= MAX_LIMIT:
        raise InvalidInput(f"Limit is 1 to {MAX_LIMIT}.", field="limit")
    return limit


def _audience(
    actor: Actor,
    *,
    candidate_ids: Iterable[int] | None,
    pool: Pool | None,
    segment: Segment | None,
    live: bool = False,
) -> tuple[list[int], list[int], str]:
    """The audience's visible candidate ids in id order, the chosen ids that are not (missing,
    another workspace's, or not visible to the actor: they look the same), and a description."""
    if sum(x is not None for x in (candidate_ids, pool, segment)) != 1:
        raise InvalidInput(
            "Choose the audience: candidate ids, a pool or a segment (one of them).",
            field="audience",
        )
    if candidate_ids is not None:
        chosen = list(dict.fromkeys(candidate_ids))
        if not 1 <= len(chosen) <= MAX_IDS:
            raise InvalidInput(f"Choose 1 to {MAX_IDS} candidates.", field="candidate_ids")
        for index, value in enumerate(chosen):
            if not _is_id(value) or not 0 < value < 2**63:
                raise InvalidInput("Expected a candidate id.", field=f"candidate_ids[{index}]")
        visible: set[int] = set()
        for batch in batched(chosen, BATCH):
            rows = visible_candidates(actor).filter(pk__in=batch).values_list("pk", flat=True)
            visible.update(rows)
        missing = [i for i in chosen if i not in visible]
        count = len(chosen)
        return sorted(visible), missing, f"{count} chosen candidate{'s' if count != 1 else ''}"
    if pool is not None:
        ids = list(
            PoolMembership.objects.filter(pool=pool, candidate__in=visible_candidates(actor))
            .filter(**({"candidate__is_archived": False} if live else {}))
            .order_by("candidate_id")
            .values_list("candidate_id", flat=True)
        )
        description = f"Pool “{pool.name}”"
    else:
        assert segment is not None
        try:
            matching = matching_candidates(actor, segment.rules)
        except RuleError as error:
            raise InvalidInput(
                f"The segment's rules no longer work: {error.message}", field="segment_id"
            ) from None
        ids = list(matching.order_by("pk").values_list("pk", flat=True)[: MAX_AUDIENCE + 1])
        description = f"Segment “{segment.name}”"
    if len(ids) > MAX_AUDIENCE:
        raise InvalidInput(
            f"The audience is over {MAX_AUDIENCE:,} people; dry-run a narrower one.",
            field="audience",
        )
    return ids, [], description


@dataclass(frozen=True)
class _Person:
    name: str
    timezone: str
    stale: list[str]  # freshness codes
    stale_messages: list[str]


def _people(actor: Actor, batch: list[int], now: dt.datetime) -> dict[int, _Person]:
    """Names, timezones and stale-profile reasons of a batch (three queries)."""
    bounced: dict[int, list[str]] = {}
    for cid, email in CandidateEmail.objects.filter(
        candidate_id__in=batch, bounced_at__isnull=False
    ).values_list("candidate_id", "email"):
        bounced.setdefault(cid, []).append(email)
    invalid: dict[int, list[str]] = {}
    for cid, number in CandidatePhone.objects.filter(
        candidate_id__in=batch, invalid_at__isnull=False
    ).values_list("candidate_id", "number"):
        invalid.setdefault(cid, []).append(number)
    months = actor.workspace.stale_after_months
    people = {}
    rows = Candidate.objects.filter(pk__in=batch).values_list(
        "pk", "first_name", "last_name", "timezone", "updated_at"
    )
    for cid, first, last, tz, updated_at in rows:
        reasons = stale_reasons(
            updated_at=updated_at,
            months=months,
            now=now,
            bounced_emails=bounced.get(cid, ()),
            invalid_phones=invalid.get(cid, ()),
        )
        people[cid] = _Person(
            name=f"{first} {last}".strip(),
            timezone=tz,
            stale=[r.code for r in reasons],
            stale_messages=[r.message for r in reasons],
        )
    return people


def _own_cap(
    times: list[dt.datetime],
    sent: list[bool],
    index: int,
    *,
    base: int,
    rules: OutreachSettings,
) -> bool:
    """Whether message `index` would break the cap, counting the earlier messages of this
    automation that go within `cap_days` before it on top of the ledger's `base` count."""
    since = times[index] - dt.timedelta(days=rules.cap_days)
    own = sum(1 for j in range(index) if sent[j] and times[j] > since)
    return own > 0 and base + own >= rules.cap_messages


def _finish_person(
    tally: _Tally,
    cid: int,
    person: _Person | None,
    messages: list[PlannedMessage],
    blockers: list[policy.Blocker | None],
    default_tz: str,
) -> None:
    name = person.name if person else ""
    for index, blocker in enumerate(blockers):
        tally.message(index, blocker)
    if all(blockers):
        # Nothing would reach this person: the first message's reason is theirs.
        first = blockers[0]
        assert first is not None
        tally.skip(cid, name, first)
        return
    outcome = PARTIAL if any(blockers) else SCHEDULED
    stale = person.stale if person else []
    tally.warn(stale)
    tally.person(
        Recipient(
            candidate_id=cid,
            name=name,
            # The zone the schedule was worked out in: theirs, or the workspace's default.
            timezone=(person.timezone if person else "") or default_tz,
            outcome=outcome,
            messages=messages,
            warnings=list(person.stale_messages) if person else [],
        )
    )


def _aware(start: dt.datetime | None, now: dt.datetime) -> dt.datetime:
    if start is None:
        return now
    if not isinstance(start, dt.datetime) or start.tzinfo is None:
        raise InvalidInput("Give the start as a date-time with its timezone.", field="start")
    return start.astimezone(dt.UTC)


@_rolled_back
def dry_run_sequence(
    *,
    actor: Actor,
    sequence: Sequence,
    candidate_ids: Iterable[int] | None = None,
    pool: Pool | None = None,
    segment: Segment | None = None,
    start: dt.datetime | None = None,
    limit: int = DEFAULT_LIMIT,
) -> DryRun:
    """What enrolling the audience at `start` (default now) would do: each person's steps with
    their send times in the person's timezone, or why they would be skipped. Writes nothing.

    The audience is exactly one of `candidate_ids`, `pool` or `segment` (already reached
    through their access selectors). A person is skipped when none of the steps could reach
    them; a step that alone could not (a channel without consent, the frequency cap reached by
    the sequence's own earlier steps) is marked skipped in their schedule.
    """
    _require_read(actor)
    started = time.perf_counter()
    limit = _check_limit(limit)
    now = timezone.now()
    start = _aware(start, now)
    steps = list(
        SequenceStep.objects.filter(sequence=sequence)
        .select_related("template")
        .order_by("position")
    )
    if not steps:
        raise InvalidInput("The sequence has no steps yet.", field="steps")
    ids, missing, description = _audience(
        actor, candidate_ids=candidate_ids, pool=pool, segment=segment
    )
    rules = policy.settings_for(actor.workspace)
    run = DryRun(
        kind="sequence",
        name=sequence.name,
        audience=description,
        audience_size=len(ids) + len(missing),
        start=start,
        limit=limit,
        steps=[
            StepTotal(s.position, s.channel, s.template.name if s.template else "", None)
            for s in steps
        ],
    )
    run.problems = [
        f"Step {s.position + 1} ({s.get_channel_display()}) has no template."
        for s in steps
        if s.channel in SENDING and s.template is None
    ]
    tally = _Tally(run)
    for cid in missing:
        tally.skip(cid, "", NOT_FOUND_BLOCKER)

    schedules: dict[str, list[dt.datetime]] = {}

    def schedule(tz: str) -> list[dt.datetime]:
        # Every person starts at `start`, so a schedule depends only on the timezone.
        if tz not in schedules:
            times, after = [], start
            for step in steps:
                after = timing.step_send_at(step, rules, tz, after)
                times.append(after)
            schedules[tz] = times
        return schedules[tz]

    check_at = max(start, now)
    first_channel = steps[0].channel
    channels = list(dict.fromkeys(s.channel for s in steps))
    capped = sequence.purpose == Purpose.MARKETING and rules.cap_messages > 0
    sender_id = sequence.owner_id or actor.user_id
    for chunk in batched(ids, BATCH):
        batch = list(chunk)
        # Collisions are judged once, at enrolment (as enroll() does); the engine checks the
        # rest again before each step, without collisions.
        found = {
            channel: policy.blockers(
                workspace=actor.workspace,
                candidate_ids=batch,
                channel=channel,
                purpose=sequence.purpose,
                sender_id=sender_id,
                now=check_at,
                check_collisions=channel == first_channel,
            )
            for channel in channels
        }
        base = {}
        if capped:
            since = check_at - dt.timedelta(days=rules.cap_days)
            base = policy.recent_marketing_counts(batch, since=since)
        people = _people(actor, batch, now)
        for cid in batch:
            person = people.get(cid)
            refused = found[first_channel].get(cid)
            if refused is not None and (
                refused.reason in REFUSED_AT_ENROLMENT or first_channel in TASK_CHANNELS
            ):
                tally.skip(cid, person.name if person else "", refused)
                continue
            times = schedule(person.timezone if person else "")
            messages: list[PlannedMessage] = []
            blockers: list[policy.Blocker | None] = []
            sent: list[bool] = []
            ended = False
            for index, step in enumerate(steps):
                blocker = STOPPED if ended else found[step.channel].get(cid)
                if blocker is not None and blocker.reason == "collision":
                    blocker = None
                if (
                    blocker is None
                    and capped
                    and step.channel in SENDING
                    and _own_cap(times, sent, index, base=base.get(cid, 0), rules=rules)
                ):
                    blocker = OWN_CAP
                if blocker is not None and (
                    blocker.reason in ENDS_ENROLLMENT or step.channel in TASK_CHANNELS
                ):
                    # The engine stops the enrolment here: later steps never come.
                    ended = True
                blockers.append(blocker)
                sent.append(blocker is None and step.channel in SENDING)
                messages.append(
                    PlannedMessage(
                        position=step.position,
                        channel=step.channel,
                        at=times[index],
                        template=step.template.name if step.template else "",
                        skipped=blocker.reason if blocker else "",
                        skipped_message=blocker.message if blocker else "",
                    )
                )
            _finish_person(tally, cid, person, messages, blockers, rules.default_timezone)
    _addresses(run, [s.channel for s in steps])
    job = sequence.job
    _preview(
        actor,
        run,
        {s.position: (s.template, _step_sender_id(sequence, s, job)) for s in steps},
        job=job,
    )
    return tally.finish(started)


def _preview(
    actor: Actor,
    run: DryRun,
    parts: Mapping[int, tuple[Template | None, int | None]],
    *,
    job: Any,
) -> None:
    """Render what the first PREVIEW recipients would read: the subject of each message (the
    start of the text for SMS). `parts` maps a step or drop position to its template and the
    id of its sender. A template that no longer compiles is reported as a problem."""
    shown = run.recipients[:PREVIEW]
    if not shown:
        return
    snippets = dict(Snippet.objects.filter(workspace=actor.workspace).values_list("name", "body"))
    compiled: dict[int, rendering.CompiledMessage | None] = {}
    for template, _ in parts.values():
        if template is None or template.pk in compiled:
            continue
        try:
            compiled[template.pk] = rendering.compile_message(
                subject=template.subject,
                html=template.body,
                text=template.text_body,
                snippets=snippets,
                kind=template.kind,
            )
        except InvalidInput as error:
            compiled[template.pk] = None
            run.problems.append(f"The template “{template.name}” does not compile: {error.message}")
    senders = {
        user.pk: user
        for user in User.objects.filter(pk__in={s for _, s in parts.values() if s is not None})
    }
    candidates = Candidate.objects.in_bulk([r.candidate_id for r in shown])
    for recipient in shown:
        candidate = candidates.get(recipient.candidate_id)
        if candidate is None:
            continue
        for message in recipient.messages:
            template, sender_id = parts.get(message.position, (None, None))
            found = compiled.get(template.pk) if template is not None else None
            if found is None or message.skipped:
                continue
            context = rendering.message_context(
                candidate=candidate,
                sender=senders.get(sender_id) if sender_id else None,
                job=job,
                workspace=actor.workspace,
            )
            rendered = found.render(context)
            message.subject = rendered.subject or " ".join(rendered.text.split())[:160]


def _step_sender_id(sequence: Sequence, step: SequenceStep, job: Any) -> int | None:
    """Who sends a step, as the engine picks it (engine._step_sender_id)."""
    if step.sender == SequenceStep.Sender.USER and step.sender_user_id:
        return step.sender_user_id
    if step.sender == SequenceStep.Sender.HIRING_MANAGER and job is not None:
        manager_id: int | None = job.hiring_manager_id
        if manager_id:
            return manager_id
    return sequence.owner_id


def _addresses(run: DryRun, channels: list[str]) -> None:
    """The address each listed recipient would be written to (first e-mail or SMS step)."""
    channel = next((c for c in channels if c in SENDING), None)
    if channel is None or not run.recipients:
        return
    found = policy.primary_addresses([r.candidate_id for r in run.recipients], channel)
    for recipient in run.recipients:
        recipient.address = found.get(recipient.candidate_id, "")


@_rolled_back
def dry_run_campaign(*, actor: Actor, campaign: Campaign, limit: int = DEFAULT_LIMIT) -> DryRun:
    """What the campaign's drops still to send would do for its audience, drop by drop.

    Each drop is judged as at its own send time (moved past quiet days), and the frequency cap
    counts the campaign's own earlier drops: a second drop within `cap_days` of the first
    counts the first. Writes nothing.
    """
    _require_read(actor)
    started = time.perf_counter()
    limit = _check_limit(limit)
    now = timezone.now()
    drops = list(
        CampaignDrop.objects.filter(campaign=campaign, status=CampaignDrop.Status.PENDING)
        .select_related("template")
        .order_by("position")
    )
    if not drops:
        raise InvalidInput("The campaign has no drop left to send.", field="drops")
    pool = Pool.objects.get(pk=campaign.pool_id) if campaign.pool_id else None
    segment = Segment.objects.get(pk=campaign.segment_id) if campaign.segment_id else None
    if pool is None and segment is None:
        raise InvalidInput("The campaign has no segment or pool to send to.", field="segment_id")
    # Archived people are not in a campaign's audience at all (engine._audience).
    ids, _, description = _audience(
        actor, candidate_ids=None, pool=pool, segment=segment, live=True
    )
    rules = policy.settings_for(actor.workspace)
    times = []
    for drop in drops:
        try:
            times.append(
                timing.next_send_at(
                    after=max(drop.send_at, now),
                    delay_days=0,
                    business_days=False,
                    # A whole-day window: a drop only waits for quiet days.
                    window_start=dt.time(0, 0),
                    window_end=dt.time(0, 0),
                    tz=rules.default_timezone,
                    quiet_days=campaign.quiet_days or (),
                )
            )
        except ValueError as error:
            raise InvalidInput(str(error), field="quiet_days") from None
    run = DryRun(
        kind="campaign",
        name=campaign.name,
        audience=description,
        audience_size=len(ids),
        start=times[0],
        limit=limit,
        steps=[
            StepTotal(d.position, StepChannel.EMAIL, d.template.name, times[i])
            for i, d in enumerate(drops)
        ],
    )
    tally = _Tally(run)
    capped = campaign.purpose == Purpose.MARKETING and rules.cap_messages > 0
    window = dt.timedelta(days=rules.cap_days)
    for chunk in batched(ids, BATCH):
        batch = list(chunk)
        people = _people(actor, batch, now)
        received: dict[int, list[int]] = {cid: [] for cid in batch}  # drop indexes
        found = []
        for index in range(len(drops)):
            extra = {}
            if capped:
                since = times[index] - window
                for cid, earlier in received.items():
                    own = sum(1 for j in earlier if times[j] > since)
                    if own:
                        extra[cid] = own
            blocked = policy.blockers(
                workspace=actor.workspace,
                candidate_ids=batch,
                channel=StepChannel.EMAIL,
                purpose=campaign.purpose,
                sender_id=campaign.sender_id,
                now=times[index],
                extra_counts=extra,
            )
            for cid in batch:
                if cid not in blocked:
                    received[cid].append(index)
            found.append(blocked)
        for cid in batch:
            blockers = [found[i].get(cid) for i in range(len(drops))]
            messages = [
                PlannedMessage(
                    position=drop.position,
                    channel=StepChannel.EMAIL,
                    at=at,
                    template=drop.template.name,
                    skipped=blocker.reason if blocker else "",
                    skipped_message=blocker.message if blocker else "",
                )
                for drop, at, blocker in zip(drops, times, blockers, strict=True)
            ]
            _finish_person(tally, cid, people.get(cid), messages, blockers, rules.default_timezone)
    _addresses(run, [StepChannel.EMAIL])
    _preview(
        actor,
        run,
        {d.position: (d.template, campaign.sender_id) for d in drops},
        job=None,
    )
    return tally.finish(started)


# --- import ---------------------------------------------------------------------------------

CREATE = "create"
UPDATE = "update"
MODES = (CREATE, UPDATE)
# rendering's own pattern for {% snippet "name" %}, to rename an included snippet.
SNIPPET_USE = re.compile(r"{%\s*snippet\s+(['\"])([^'\"]*)\1\s*%}")


@dataclass(frozen=True)
class Placed:
    """Where one named thing of the document ended up in this workspace."""

    kind: str  # template | snippet | segment | pool
    document_name: str
    name: str  # its name here (a copy gets "… (imported 2)")
    action: str  # created | reused | updated


@dataclass
class ImportResult:
    kind: str
    object: Sequence | Campaign
    created: bool  # False: an existing sequence or campaign of the same name was updated
    placed: list[Placed] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    @property
    def name(self) -> str:
        return self.object.name


def _remap(error: TalentloopError, path: Callable[[str], str]) -> NoReturn:
    """Raise `error` again with its field as a path of the document (permission errors are
    not about the document and pass through as they are)."""
    if isinstance(error, Forbidden):
        raise error
    where = path(error.field or "")
    kind = Conflict if isinstance(error, Conflict) else InvalidInput
    raise kind(f"{where}: {error.message}", field=where, code=error.code) from None


def _copy_name(base: str, taken: Callable[[str], bool], *, max_length: int = 120) -> str:
    """`base (imported 2)`, or the next number not taken."""
    number = 2
    while True:
        suffix = f" (imported {number})"
        name = base[: max_length - len(suffix)].rstrip() + suffix
        if not taken(name):
            return name
        number += 1


class _Importer:
    """One import: resolves the document's names against this workspace, then writes."""

    def __init__(self, actor: Actor, document: Document, mode: str) -> None:
        self.actor = actor
        self.doc = document
        self.mode = mode
        self.result_placed: list[Placed] = []
        self.warnings: list[str] = []
        self.members = {
            email.casefold(): uid
            for uid, email in Membership.objects.filter(workspace=actor.workspace).values_list(
                "user_id", "user__email"
            )
        }

    def place(self, kind: str, document_name: str, name: str, action: str) -> None:
        self.result_placed.append(Placed(kind, document_name, name, action))

    def member(self, email: str | None) -> int | None:
        return self.members.get(email.casefold()) if email else None

    # snippets and templates

    def snippets(self, used: set[str]) -> dict[str, str]:
        """Put the document's snippets the templates include in place; returns the name each
        has here. A snippet missing from the document must exist here already."""
        here = dict(
            Snippet.objects.filter(workspace=self.actor.workspace).values_list("name", "pk")
        )
        names: dict[str, str] = {}
        for name in sorted(used):
            body = self.doc.snippets.get(name)
            if body is None:
                if name not in here:
                    _fail(
                        "snippets",
                        f'a template includes the snippet "{name}", which neither the '
                        "document nor this workspace has",
                    )
                self.warnings.append(
                    f"The snippet “{name}” is not in the document; this workspace's own is used."
                )
                names[name] = name
                continue
            names[name] = self.snippet(name, body, here)
        return names

    def snippet(self, name: str, body: str, here: dict[str, int]) -> str:
        path = _key("snippets", name) + ".body"
        existing = Snippet.objects.filter(pk=here[name]).first() if name in here else None
        try:
            if existing is None:
                template_services.create_snippet(
                    actor=self.actor, data={"name": name, "body": body}
                )
                self.place("snippet", name, name, "created")
                return name
            if existing.body == _stored_html(body):
                self.place("snippet", name, name, "reused")
                return name
            if self.mode == UPDATE:
                template_services.update_snippet(
                    actor=self.actor, snippet=existing, data={"body": body}
                )
                self.place("snippet", name, name, "updated")
                return name
            # Snippet names are slugs: the copy is "name-imported-2".
            number = 2
            while f"{name[:45]}-imported-{number}" in here:
                number += 1
            copy = f"{name[:45]}-imported-{number}"
            template_services.create_snippet(actor=self.actor, data={"name": copy, "body": body})
            here[copy] = 0
            self.place("snippet", name, copy, "created")
            return copy
        except TalentloopError as error:
            _remap(error, lambda _: path)

    def templates(self, snippet_names: Mapping[str, str]) -> dict[str, Template]:
        placed = {}
        for name, template in sorted(self.doc.templates.items()):
            placed[name] = self.template(template, snippet_names)
        return placed

    def template(self, doc: TemplateDoc, snippet_names: Mapping[str, str]) -> Template:
        def rename(text: str) -> str:
            def swap(match: re.Match[str]) -> str:
                new = snippet_names.get(match[2], match[2])
                return match[0] if new == match[2] else f'{{% snippet "{new}" %}}'

            return SNIPPET_USE.sub(swap, text)

        data = {
            "kind": doc.kind,
            "subject": rename(doc.subject),
            "body": rename(doc.body),
            "text_body": rename(doc.text_body),
        }
        path = _key("templates", doc.name)

        def where(field_name: str) -> str:
            return f"{path}.{field_name}" if field_name in data else path

        workspace = self.actor.workspace
        try:
            existing = Template.objects.filter(workspace=workspace, name__iexact=doc.name).first()
            if existing is None:
                created = template_services.create_template(
                    actor=self.actor, data={"name": doc.name, **data}
                )
                self.place("template", doc.name, created.name, "created")
                return created
            if _same_template(existing, data):
                self.place("template", doc.name, existing.name, "reused")
                return existing
            if self.mode == UPDATE and existing.kind == doc.kind:
                updated = template_services.update_template(
                    actor=self.actor, template=existing, data=data
                )
                self.place("template", doc.name, updated.name, "updated")
                return updated
            # A copy, unless an earlier import made one with this very content.
            copies = Template.objects.filter(
                workspace=workspace, name__istartswith=f"{doc.name[:100]} (imported "
            )
            for copy in copies.order_by("pk"):
                if _same_template(copy, data):
                    self.place("template", doc.name, copy.name, "reused")
                    return copy

            def taken(name: str) -> bool:
                return Template.objects.filter(workspace=workspace, name__iexact=name).exists()

            created = template_services.create_template(
                actor=self.actor, data={"name": _copy_name(doc.name, taken), **data}
            )
            self.place("template", doc.name, created.name, "created")
            return created
        except TalentloopError as error:
            _remap(error, where)

    # the automation itself

    def existing(self, model: type[Sequence] | type[Campaign], name: str) -> Any:
        """In update mode, the automation of that name to update (the oldest one)."""
        if self.mode != UPDATE:
            return None
        found = model.objects.filter(workspace=self.actor.workspace, name=name)
        if model is Sequence:
            found = found.exclude(status=Sequence.Status.ARCHIVED)
        else:
            found = found.filter(status__in=[Campaign.Status.DRAFT, Campaign.Status.SCHEDULED])
        return found.order_by("pk").first()

    def free_name(self, model: type[Sequence] | type[Campaign], name: str) -> str:
        def taken(candidate: str) -> bool:
            return model.objects.filter(workspace=self.actor.workspace, name=candidate).exists()

        return _copy_name(name, taken) if taken(name) else name

    def sequence(
        self, doc: SequenceDoc, templates: Mapping[str, Template]
    ) -> tuple[Sequence, bool]:
        from talentloop.jobs.models import Job

        job = None
        if doc.job_title is not None:
            jobs = Job.objects.filter(workspace=self.actor.workspace, title=doc.job_title)
            job = jobs.filter(status=Job.Status.OPEN).order_by("-pk").first()
            job = job or jobs.order_by("-pk").first()
            if job is None:
                self.warnings.append(
                    f"No job titled “{doc.job_title}” here: the sequence has no job."
                )
        steps = []
        for index, step in enumerate(doc.steps):
            sender, sender_user_id = step.sender, None
            if sender == SequenceStep.Sender.USER:
                sender_user_id = self.member(step.sender_email)
                if sender_user_id is None:
                    sender = SequenceStep.Sender.OWNER
                    self.warnings.append(
                        f"Step {index + 1}: {step.sender_email} is not a member here; "
                        "the sequence's owner sends it."
                    )
            elif sender == SequenceStep.Sender.HIRING_MANAGER and (
                job is None or job.hiring_manager_id is None
            ):
                sender = SequenceStep.Sender.OWNER
                self.warnings.append(
                    f"Step {index + 1}: no job with a hiring manager here; "
                    "the sequence's owner sends it."
                )
            steps.append(
                {
                    "channel": step.channel,
                    "delay_days": step.delay_days,
                    "business_days": step.business_days,
                    "window_start": step.window_start,
                    "window_end": step.window_end,
                    "template_id": templates[step.template].pk if step.template else None,
                    "instructions": step.instructions,
                    "sender": sender,
                    "sender_user_id": sender_user_id,
                }
            )
        data: dict[str, Any] = {
            "description": doc.description,
            "purpose": doc.purpose,
            "stop_on": doc.stop_on,
            "reentry": doc.reentry,
            "reentry_days": doc.reentry_days,
            "job_id": job.pk if job else None,
            "steps": steps,
        }
        existing = self.existing(Sequence, doc.name)
        try:
            if existing is not None:
                return services.update_sequence(
                    actor=self.actor, sequence=existing, data=data
                ), False
            data["name"] = self.free_name(Sequence, doc.name)
            return services.create_sequence(actor=self.actor, data=data), True
        except TalentloopError as error:
            _remap(error, _sequence_path)

    def pool(self, name: str, path: str) -> Pool:
        from talentloop.pools.selectors import visible_pools

        found = visible_pools(self.actor).filter(name=name).order_by("pk").first()
        if found is not None:
            self.place("pool", name, found.name, "reused")
            return found
        try:
            created = pool_services.create_pool(actor=self.actor, data={"name": name})
        except TalentloopError as error:
            _remap(error, lambda _: path)
        self.place("pool", name, created.name, "created")
        self.warnings.append(f"Created the empty pool “{name}”: add its members before sending.")
        return created

    def local_rules(self, rules: Any) -> Any:
        """The document's portable rules with this workspace's ids (pools by name are created
        empty when missing, so a rule keeps its meaning once the pool is filled)."""
        prefix = "campaign.segment.rules"

        def resolve(value: Any, key: str, path: str) -> Any:
            if not (isinstance(value, dict) and list(value) == [key]):
                return value
            name = value[key]
            if not isinstance(name, str):
                _fail(f"{path}.{key}", "expected text")
            if key == "user":
                user_id = self.member(name)
                if user_id is None:
                    _fail(path, f"{name} is not a member of this workspace")
                return user_id
            return self.pool(name, path).pk

        def convert(rule: dict[str, Any], path: str) -> dict[str, Any]:
            path = prefix + path[len("rules") :]
            key = {"owner": "user", "pool": "pool"}.get(str(rule.get("field")))
            if key is not None and "value" in rule:
                value = rule["value"]
                if isinstance(value, list):
                    rule["value"] = [
                        resolve(v, key, f"{path}.value[{i}]") for i, v in enumerate(value)
                    ]
                else:
                    rule["value"] = resolve(value, key, f"{path}.value")
            if rule.get("field") == "stage" and "pool" in rule:
                rule["pool"] = resolve(rule["pool"], "pool", f"{path}.pool")
            return rule

        return _walk_rules(rules, convert)

    def segment(self, doc: SegmentDoc) -> Segment:
        workspace = self.actor.workspace
        same_name = list(Segment.objects.filter(workspace=workspace, name=doc.name).order_by("pk"))
        copies = Segment.objects.filter(
            workspace=workspace, name__startswith=f"{doc.name[:100]} (imported "
        ).order_by("pk")
        for found in [*same_name, *copies]:
            if portable_rules(workspace, found.rules) == doc.rules:
                self.place("segment", doc.name, found.name, "reused")
                return found
        rules = self.local_rules(doc.rules)

        def taken(name: str) -> bool:
            return Segment.objects.filter(workspace=workspace, name=name).exists()

        name = _copy_name(doc.name, taken) if same_name else doc.name
        try:
            created = pool_services.create_segment(
                actor=self.actor,
                data={"name": name, "description": doc.description, "rules": rules},
            )
        except TalentloopError as error:
            _remap(error, lambda field: _segment_path(field))
        self.place("segment", doc.name, created.name, "created")
        return created

    def campaign(
        self, doc: CampaignDoc, templates: Mapping[str, Template]
    ) -> tuple[Campaign, bool]:
        data: dict[str, Any] = {
            "purpose": doc.purpose,
            "segment_id": self.segment(doc.segment).pk if doc.segment else None,
            "pool_id": self.pool(doc.pool_name, "campaign.pool.name").pk if doc.pool_name else None,
            "throttle_per_minute": doc.throttle_per_minute,
            "quiet_days": doc.quiet_days,
            "drops": [
                {"template_id": templates[d.template].pk, "send_at": d.send_at} for d in doc.drops
            ],
        }
        sender_id = self.member(doc.sender_email)
        if sender_id is not None:
            data["sender_id"] = sender_id
        elif doc.sender_email is not None:
            self.warnings.append(
                f"{doc.sender_email} is not a member here; the campaign is sent as "
                f"{self.actor.label}."
            )
            data["sender_id"] = self.actor.user_id
        existing = self.existing(Campaign, doc.name)
        try:
            if existing is not None:
                return services.update_campaign(
                    actor=self.actor, campaign=existing, data=data
                ), False
            data["name"] = self.free_name(Campaign, doc.name)
            return services.create_campaign(actor=self.actor, data=data), True
        except TalentloopError as error:
            _remap(error, _campaign_path)


def _same_template(template: Template, data: Mapping[str, str]) -> bool:
    """Whether the stored template says what `data` says, once `data` is cleaned the way the
    template service cleans what it stores."""
    if template.kind != data["kind"]:
        return False
    text = data["text_body"].replace("\r\n", "\n").strip()
    if template.kind == Template.Kind.SMS:
        return (template.subject, template.body, template.text_body) == ("", "", text)
    subject = " ".join(data["subject"].split())
    stored = (template.subject, template.body, template.text_body)
    return stored == (subject, _stored_html(data["body"]), text)


def _stored_html(html: str) -> str:
    """Author HTML as template_services stores it (sanitized, trimmed)."""
    return rendering.sanitize_html(html.replace("\r\n", "\n").rstrip()).strip()


_FIELD_PATHS = {"template_id": "template", "sender_user_id": "sender_email"}


def _sequence_path(field_name: str) -> str:
    """A services.create_sequence field as a path of the document."""
    if not field_name:
        return "sequence"
    if field_name == "job_id":
        return "sequence.job"
    head, _, last = field_name.rpartition(".")
    if head:
        return f"sequence.{head}.{_FIELD_PATHS.get(last, last)}"
    return f"sequence.{field_name}"


def _campaign_path(field_name: str) -> str:
    if not field_name:
        return "campaign"
    named = {"segment_id": "campaign.segment", "pool_id": "campaign.pool"}
    if field_name in named:
        return named[field_name]
    if field_name == "sender_id":
        return "campaign.sender_email"
    head, _, last = field_name.rpartition(".")
    if head:
        return f"campaign.{head}.{_FIELD_PATHS.get(last, last)}"
    return f"campaign.{field_name}"


def _segment_path(field_name: str) -> str:
    if field_name.startswith("rules"):
        return f"campaign.segment.{field_name}"
    return f"campaign.segment.{field_name}" if field_name else "campaign.segment"


def import_automation(*, actor: Actor, document: Any, mode: str = CREATE) -> ImportResult:
    """Create (or, with mode "update", update) the sequence or campaign a document describes.

    Templates and snippets are matched by name: the same content is reused; other content is
    stored as a copy ("Intro (imported 2)", "footer-imported-2") in create mode, and replaces
    the workspace's in update mode. Teammates are matched by e-mail (an unknown sender becomes
    the owner, with a warning), segments by name and rules (else created), pools by name
    (else created empty, with a warning). Update mode updates the sequence, or the draft or
    scheduled campaign, of the same name, and creates one when there is none.

    All or nothing: any error leaves the workspace as it was. Raises InvalidInput (or Conflict)
    whose field is the JSON path of the problem, and Forbidden for roles without OUTREACH.
    """
    _require_write(actor)
    if mode not in MODES:
        raise InvalidInput("Mode is create or update.", field="mode")
    doc = parse_document(document)
    importer = _Importer(actor, doc, mode)
    with transaction.atomic():
        templates = importer.templates(importer.snippets(_included_snippets(doc)))
        if doc.sequence is not None:
            obj: Sequence | Campaign
            obj, created = importer.sequence(doc.sequence, templates)
        else:
            assert doc.campaign is not None
            obj, created = importer.campaign(doc.campaign, templates)
    return ImportResult(
        kind=doc.kind,
        object=obj,
        created=created,
        placed=importer.result_placed,
        warnings=importer.warnings,
    )
