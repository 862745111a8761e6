"""Forms of the sequence builder, the campaign editor and the enrol page.

Steps and drops are repeated rows posted as parallel lists (step_channel, step_delay_days, …
in page order), so the builder's script can add, remove and reorder rows by moving elements,
and the page works without it. Rows are turned into the services' dict shape here; the
services validate them and name the field ("steps[2].template_id"), which the page shows on
that row.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from typing import Any

from django import forms
from django.http import QueryDict

from talentloop.outreach import timing
from talentloop.outreach.models import (
    Campaign,
    CampaignDrop,
    Purpose,
    Sequence,
    SequenceStep,
    StepChannel,
    StopCondition,
)

WEEKDAYS = [
    (0, "Monday"),
    (1, "Tuesday"),
    (2, "Wednesday"),
    (3, "Thursday"),
    (4, "Friday"),
    (5, "Saturday"),
    (6, "Sunday"),
]
# Stop conditions a person chooses; unsubscribe, bounce and manual always apply.
CHOSEN_STOPS = [
    (c.value, c.label)
    for c in StopCondition
    if c not in (StopCondition.UNSUBSCRIBE, StopCondition.BOUNCE, StopCondition.MANUAL)
]


class ServiceErrorsMixin(forms.Form):
    # Service field names that differ from the form's.
    field_names: dict[str, str] = {}

    def add_service_error(self, name: str | None, message: str) -> None:
        """Show a service's error on its field when the form has one, else above the form."""
        if name:
            name = self.field_names.get(name.split("[")[0], name.split("[")[0])
        self.add_error(name if name in self.fields else None, message)


def _digits(value: str) -> int | None:
    value = value.strip()
    return int(value) if value.isascii() and value.isdigit() and len(value) < 19 else None


def _number(value: str) -> int | str:
    """A whole number, or the text as typed (the service then names the field)."""
    number = _digits(value)
    return number if number is not None else value


# --- sequences ------------------------------------------------------------------------------


class SequenceForm(ServiceErrorsMixin):
    field_names = {"job_id": "job"}

    name = forms.CharField(max_length=120)
    description = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 2}), required=False, max_length=5000
    )
    purpose = forms.ChoiceField(choices=Purpose.choices, initial=Purpose.RECRUITING)
    job = forms.TypedChoiceField(
        coerce=int,
        required=False,
        empty_value=None,
        help_text="Its hiring manager can be a step's sender.",
    )
    stop_on = forms.MultipleChoiceField(
        choices=CHOSEN_STOPS,
        widget=forms.CheckboxSelectMultiple,
        required=False,
        label="Stop when",
        help_text="Unsubscribes, bounces and a teammate's stop always end the sequence.",
    )
    reentry = forms.ChoiceField(
        choices=Sequence.Reentry.choices, initial=Sequence.Reentry.NEVER, label="Re-entry"
    )
    reentry_days = forms.IntegerField(
        required=False, min_value=0, max_value=3650, label="Re-entry after days"
    )

    def __init__(self, *args: Any, jobs: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        job_field = self.fields["job"]
        assert isinstance(job_field, forms.TypedChoiceField)
        job_field.choices = [("", "No job"), *jobs]

    def to_data(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "name": data["name"],
            "description": data["description"],
            "purpose": data["purpose"],
            "job_id": data["job"],
            "stop_on": list(data["stop_on"]),
            "reentry": data["reentry"],
            "reentry_days": data["reentry_days"] or 0,
        }

    @staticmethod
    def initial_from(sequence: Sequence) -> dict[str, Any]:
        return {
            "name": sequence.name,
            "description": sequence.description,
            "purpose": sequence.purpose,
            "job": sequence.job_id,
            "stop_on": [c for c in sequence.stop_on if c in dict(CHOSEN_STOPS)],
            "reentry": sequence.reentry,
            "reentry_days": sequence.reentry_days,
        }


@dataclass
class StepRow:
    """One step as the builder shows it; values are strings as posted."""

    channel: str = StepChannel.EMAIL
    delay_days: str = "0"
    business_days: str = "1"
    window_start: str = ""
    window_end: str = ""
    template: str = ""
    instructions: str = ""
    sender: str = SequenceStep.Sender.OWNER
    sender_user: str = ""
    errors: dict[str, str] = field(default_factory=dict)

    @property
    def is_task(self) -> bool:
        return self.channel in (StepChannel.LINKEDIN_TASK, StepChannel.CALL_TASK)

    def to_data(self) -> dict[str, Any]:
        return {
            "channel": self.channel,
            "delay_days": _number(self.delay_days),
            "business_days": self.business_days != "0",
            "window_start": self.window_start.strip() or None,
            "window_end": self.window_end.strip() or None,
            "template_id": None if self.is_task else _digits(self.template),
            "instructions": self.instructions if self.is_task else "",
            "sender": self.sender,
            "sender_user_id": _digits(self.sender_user)
            if self.sender == SequenceStep.Sender.USER
            else None,
        }

    @staticmethod
    def from_step(step: SequenceStep) -> StepRow:
        return StepRow(
            channel=step.channel,
            delay_days=str(step.delay_days),
            business_days="1" if step.business_days else "0",
            window_start=step.window_start.strftime("%H:%M") if step.window_start else "",
            window_end=step.window_end.strftime("%H:%M") if step.window_end else "",
            template=str(step.template_id or ""),
            instructions=step.instructions,
            sender=step.sender,
            sender_user=str(step.sender_user_id or ""),
        )


STEP_FIELDS = (
    "channel",
    "delay_days",
    "business_days",
    "window_start",
    "window_end",
    "template",
    "instructions",
    "sender",
    "sender_user",
)
# Service names of a row's fields, for its errors.
ROW_ERROR_FIELDS = {"template_id": "template", "sender_user_id": "sender_user"}


def step_rows(data: QueryDict) -> list[StepRow]:
    """The posted steps in page order; a missing value takes the row's default."""
    columns = {name: data.getlist(f"step_{name}") for name in STEP_FIELDS}
    count = len(columns["channel"])
    rows = []
    for index in range(count):
        row = StepRow()
        for name, column in columns.items():
            if index < len(column):
                setattr(row, name, column[index])
        rows.append(row)
    return rows


def apply_row_op(rows: list[Any], op: str, blank: Any) -> bool:
    """Do a builder button's edit without JavaScript: "add", "remove-2", "up-1", "down-0".
    Returns False for anything else (the form is then saved)."""
    if op == "add":
        rows.append(blank)
        return True
    verb, _, number = op.partition("-")
    index = _digits(number)
    if verb not in ("remove", "up", "down") or index is None or index >= len(rows):
        return False
    if verb == "remove":
        rows.pop(index)
    else:
        other = index - 1 if verb == "up" else index + 1
        if 0 <= other < len(rows):
            rows[index], rows[other] = rows[other], rows[index]
    return True


ROW_ERROR = re.compile(r"^(?:steps|drops)\[(\d+)\](?:\.(\w+))?$")


def place_row_error(rows: list[Any], name: str, message: str) -> bool:
    """Put an error named like "steps[2].template_id" on that row; False if it names none."""
    match = ROW_ERROR.match(name or "")
    if match is None or int(match[1]) >= len(rows):
        return False
    field_name = match[2] or "row"
    rows[int(match[1])].errors[ROW_ERROR_FIELDS.get(field_name, field_name)] = message
    return True


# --- campaigns ------------------------------------------------------------------------------


class CampaignForm(ServiceErrorsMixin):
    field_names = {"segment_id": "audience", "pool_id": "audience", "sender_id": "sender"}

    name = forms.CharField(max_length=120)
    purpose = forms.ChoiceField(choices=Purpose.choices, initial=Purpose.MARKETING)
    audience = forms.ChoiceField(required=False, help_text="A segment or a pool")
    sender = forms.TypedChoiceField(coerce=int, required=False, empty_value=None, label="Send as")
    throttle_per_minute = forms.IntegerField(
        required=False,
        min_value=1,
        max_value=100_000,
        label="Messages per minute",
        help_text="Blank: as fast as the workers go",
    )
    quiet_days = forms.TypedMultipleChoiceField(
        choices=WEEKDAYS,
        coerce=int,
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text="Nothing is sent on these days; a drop waits for the next allowed day.",
    )

    def __init__(
        self,
        *args: Any,
        segments: list[tuple[int, str]],
        pools: list[tuple[int, str]],
        senders: list[tuple[int, str]],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        audience = self.fields["audience"]
        assert isinstance(audience, forms.ChoiceField)
        audience.choices = [
            ("", "Choose later"),
            ("Segments", [(f"segment:{pk}", name) for pk, name in segments]),
            ("Pools", [(f"pool:{pk}", name) for pk, name in pools]),
        ]
        sender = self.fields["sender"]
        assert isinstance(sender, forms.TypedChoiceField)
        sender.choices = [("", "Nobody yet"), *senders]

    def to_data(self) -> dict[str, Any]:
        data = self.cleaned_data
        kind, _, pk = (data["audience"] or "").partition(":")
        return {
            "name": data["name"],
            "purpose": data["purpose"],
            "segment_id": _digits(pk) if kind == "segment" else None,
            "pool_id": _digits(pk) if kind == "pool" else None,
            "sender_id": data["sender"],
            "throttle_per_minute": data["throttle_per_minute"],
            "quiet_days": list(data["quiet_days"]),
        }

    @staticmethod
    def initial_from(campaign: Campaign) -> dict[str, Any]:
        audience = ""
        if campaign.segment_id:
            audience = f"segment:{campaign.segment_id}"
        elif campaign.pool_id:
            audience = f"pool:{campaign.pool_id}"
        return {
            "name": campaign.name,
            "purpose": campaign.purpose,
            "audience": audience,
            "sender": campaign.sender_id,
            "throttle_per_minute": campaign.throttle_per_minute,
            "quiet_days": campaign.quiet_days,
        }


@dataclass
class DropRow:
    """One drop as the editor shows it: a template and a local date-time (datetime-local)."""

    template: str = ""
    send_at: str = ""
    errors: dict[str, str] = field(default_factory=dict)

    def to_data(self, tz: str) -> dict[str, Any]:
        """The service's shape; the local time is read in the workspace's timezone `tz`."""
        text = self.send_at.strip()
        try:
            local = dt.datetime.fromisoformat(text) if text else None
        except ValueError:
            local = None
        send_at: str = text
        if local is not None and local.tzinfo is None:
            send_at = local.replace(tzinfo=timing.zone(tz)).isoformat()
        return {"template_id": _digits(self.template), "send_at": send_at}

    @staticmethod
    def from_drop(drop: CampaignDrop, tz: str) -> DropRow:
        local = drop.send_at.astimezone(timing.zone(tz))
        return DropRow(template=str(drop.template_id), send_at=local.strftime("%Y-%m-%dT%H:%M"))


def drop_rows(data: QueryDict) -> list[DropRow]:
    templates, times = data.getlist("drop_template"), data.getlist("drop_send_at")
    return [
        DropRow(template=templates[i], send_at=times[i] if i < len(times) else "")
        for i in range(len(templates))
    ]


# --- enrolment ------------------------------------------------------------------------------


class EnrollAudienceForm(forms.Form):
    """Whom to enrol when the page was not opened from a candidate, pool or segment."""

    pool = forms.TypedChoiceField(coerce=int, required=False, empty_value=None)
    segment = forms.TypedChoiceField(coerce=int, required=False, empty_value=None)

    def __init__(
        self, *args: Any, pools: list[tuple[int, str]], segments: list[tuple[int, str]], **kw: Any
    ) -> None:
        super().__init__(*args, **kw)
        pool, segment = self.fields["pool"], self.fields["segment"]
        assert isinstance(pool, forms.TypedChoiceField)
        assert isinstance(segment, forms.TypedChoiceField)
        pool.choices = [("", "—"), *pools]
        segment.choices = [("", "—"), *segments]
