"""Sequences and their steps: validation naming the field, versions, status changes."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
import time_machine

from talentloop.accounts.models import User
from talentloop.candidates.models import Activity, Candidate
from talentloop.core.actor import Actor
from talentloop.core.errors import Conflict, Forbidden, InvalidInput
from talentloop.jobs.models import Job
from talentloop.outreach import services
from talentloop.outreach.models import Enrollment, Sequence, SequenceStep, Template

UTC = dt.UTC


def _step(template: Template | None = None, **overrides: Any) -> dict[str, Any]:
    step: dict[str, Any] = {"channel": "email", "delay_days": 2}
    if template is not None:
        step["template_id"] = template.pk
    step.update(overrides)
    return step


def test_creates_a_draft_with_its_steps_in_order(
    alice_actor: Actor, alice: User, email_template: Template
) -> None:
    sequence = services.create_sequence(
        actor=alice_actor,
        data={
            "name": "  Senior   backend ",
            "description": "For the platform team",
            "purpose": "recruiting",
            "stop_on": ["reply", "application"],
            "reentry": "after_days",
            "reentry_days": 90,
            "steps": [
                _step(email_template, delay_days=0, window_start="08:30", window_end="11:00"),
                {"channel": "call_task", "delay_days": 2, "instructions": "Call them."},
            ],
        },
    )

    assert (sequence.name, sequence.status, sequence.owner, sequence.version) == (
        "Senior backend",
        "draft",
        alice,
        1,
    )
    # Unsubscribe, bounce and manual stops always apply.
    assert sequence.stop_on == ["reply", "application", "unsubscribe", "bounce", "manual"]
    steps = list(sequence.steps.order_by("position"))
    assert [(s.position, s.channel, s.delay_days, s.template_id) for s in steps] == [
        (0, "email", 0, email_template.pk),
        (1, "call_task", 2, None),
    ]
    assert (steps[0].window_start, steps[0].window_end) == (dt.time(8, 30), dt.time(11, 0))
    assert (steps[1].window_start, steps[1].instructions) == (None, "Call them.")


T = "the e-mail template"  # replaced by its id in the test


@pytest.mark.parametrize(
    ("step", "field", "message"),
    [
        ({}, "steps[1].template_id", "Choose the e-mail template this step sends."),
        ({"template_id": 987654321}, "steps[1].template_id", "No such template."),
        ({"template_id": "7"}, "steps[1].template_id", "No such template."),
        ({"channel": "fax"}, "steps[1].channel", "One of: email, sms, linkedin_task, call_task."),
        (
            {"channel": "linkedin_task", "instructions": "  "},
            "steps[1].instructions",
            "Give instructions: what should the person do.",
        ),
        (
            {"template_id": T, "delay_days": -1},
            "steps[1].delay_days",
            "A whole number from 0 to 365.",
        ),
        (
            {"template_id": T, "delay_days": True},
            "steps[1].delay_days",
            "A whole number from 0 to 365.",
        ),
        ({"template_id": T, "business_days": "yes"}, "steps[1].business_days", "True or false."),
        (
            {"template_id": T, "window_start": "17:00", "window_end": "09:00"},
            "steps[1].window_end",
            "The send window must end after it starts.",
        ),
        (
            {"template_id": T, "window_start": "09:00"},
            "steps[1].window_end",
            "Give both ends of the send window, or neither for the workspace's.",
        ),
        (
            {"template_id": T, "window_start": "9am", "window_end": "17:00"},
            "steps[1].window_start",
            "A time of day as HH:MM, e.g. 09:00.",
        ),
        (
            {"template_id": T, "sender": "hiring_manager"},
            "steps[1].sender",
            "Sending as the hiring manager needs a job on the sequence.",
        ),
        (
            {"template_id": T, "sender": "user"},
            "steps[1].sender_user_id",
            "Choose a member of this workspace.",
        ),
        (
            {"template_id": T, "sender": "robot"},
            "steps[1].sender",
            "One of: owner, hiring_manager, user.",
        ),
    ],
)
def test_refuses_a_bad_step_naming_its_field(
    alice_actor: Actor,
    email_template: Template,
    step: dict[str, Any],
    field: str,
    message: str,
) -> None:
    step = {"channel": "email", **step}
    if step.get("template_id") == T:
        step["template_id"] = email_template.pk
    steps = [_step(email_template), step]

    with pytest.raises(InvalidInput) as caught:
        services.create_sequence(actor=alice_actor, data={"name": "Bad", "steps": steps})

    assert (caught.value.field, caught.value.message) == (field, message)
    assert Sequence.objects.exists() is False


def test_an_email_step_needs_an_email_template(alice_actor: Actor, sms_template: Template) -> None:
    with pytest.raises(InvalidInput) as caught:
        services.create_sequence(
            actor=alice_actor, data={"name": "X", "steps": [_step(sms_template)]}
        )

    assert caught.value.field == "steps[0].template_id"
    assert caught.value.message == (
        "Text nudge is an SMS template; an e-mail step needs an e-mail template."
    )


def test_another_workspaces_template_is_no_such_template(
    alice_actor: Actor, charlie_actor: Actor, template_factory: Callable[..., Template]
) -> None:
    theirs = template_factory(actor=charlie_actor, name="Globex hello")

    with pytest.raises(InvalidInput) as caught:
        services.create_sequence(actor=alice_actor, data={"name": "X", "steps": [_step(theirs)]})

    assert (caught.value.field, caught.value.message) == (
        "steps[0].template_id",
        "No such template.",
    )


def test_sender_user_must_be_a_member(
    alice_actor: Actor, bob: User, charlie: User, email_template: Template
) -> None:
    with pytest.raises(InvalidInput) as caught:
        services.create_sequence(
            actor=alice_actor,
            data={
                "name": "X",
                "steps": [_step(email_template, sender="user", sender_user_id=charlie.pk)],
            },
        )
    assert caught.value.field == "steps[0].sender_user_id"

    sequence = services.create_sequence(
        actor=alice_actor,
        data={"name": "X", "steps": [_step(email_template, sender="user", sender_user_id=bob.pk)]},
    )
    assert sequence.steps.get().sender_user == bob


def test_hiring_manager_sender_needs_a_job_with_one(
    alice_actor: Actor, alice: User, bob: User, email_template: Template
) -> None:
    job = Job.objects.create(workspace=alice_actor.workspace, title="Platform engineer")
    step = _step(email_template, sender="hiring_manager")

    with pytest.raises(InvalidInput) as caught:
        services.create_sequence(
            actor=alice_actor, data={"name": "X", "job_id": job.pk, "steps": [step]}
        )
    assert (caught.value.field, caught.value.message) == (
        "steps[0].sender",
        "Sending as the hiring manager needs the sequence's job to have one.",
    )

    Job.objects.filter(pk=job.pk).update(hiring_manager=bob)
    sequence = services.create_sequence(
        actor=alice_actor, data={"name": "X", "job_id": job.pk, "steps": [step]}
    )
    assert (sequence.job, sequence.steps.get().sender) == (job, "hiring_manager")

    # Moving the sequence to a job without a hiring manager would orphan that step.
    other = Job.objects.create(workspace=alice_actor.workspace, title="Designer")
    with pytest.raises(InvalidInput) as caught:
        services.update_sequence(actor=alice_actor, sequence=sequence, data={"job_id": other.pk})
    assert (caught.value.field, caught.value.message) == (
        "job_id",
        "Step 1 is sent as the hiring manager; this job has none.",
    )


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"name": "   "}, "name", "Give a value."),
        ({"name": "x" * 121}, "name", "A sequence name is 1 to 120 characters."),
        ({"name": "X", "purpose": "spam"}, "purpose", "One of: recruiting, marketing."),
        (
            {"name": "X", "stop_on": ["reply", "moon"]},
            "stop_on[1]",
            "One of: reply, application, unsubscribe, bounce, hire, manual.",
        ),
        (
            {"name": "X", "reentry": "after_days"},
            "reentry_days",
            "Say after how many days someone may enter again.",
        ),
        ({"name": "X", "reentry_days": 4000}, "reentry_days", "A whole number from 0 to 3650."),
        ({"name": "X", "job_id": 987654321}, "job_id", "No such job."),
        ({"name": "X", "steps": "one"}, "steps", "Steps are a list."),
        ({"name": "X", "steps": [{}] * 21}, "steps", "At most 20 steps."),
    ],
)
def test_refuses_bad_sequence_fields(
    alice_actor: Actor, data: dict[str, Any], field: str, message: str
) -> None:
    with pytest.raises(InvalidInput) as caught:
        services.create_sequence(actor=alice_actor, data=data)

    assert (caught.value.field, caught.value.message) == (field, message)
    assert Sequence.objects.exists() is False


def test_another_workspaces_job_is_no_such_job(alice_actor: Actor, charlie_actor: Actor) -> None:
    job = Job.objects.create(workspace=charlie_actor.workspace, title="Globex role")

    with pytest.raises(InvalidInput) as caught:
        services.create_sequence(actor=alice_actor, data={"name": "X", "job_id": job.pk})

    assert caught.value.field == "job_id"


def test_update_bumps_the_version_and_keeps_step_rows_by_position(
    alice_actor: Actor, sequence_factory: Callable[..., Sequence], email_template: Template
) -> None:
    sequence = sequence_factory()
    first, second = sequence.steps.order_by("position")

    updated = services.update_sequence(
        actor=alice_actor,
        sequence=sequence,
        data={"name": "Renamed", "steps": [_step(email_template, delay_days=5)]},
    )

    assert (updated.name, updated.version) == ("Renamed", 2)
    (only,) = updated.steps.all()
    # The step at position 0 keeps its row (and so its ledger rows and funnel).
    assert (only.pk, only.delay_days, only.template_id) == (first.pk, 5, email_template.pk)
    assert SequenceStep.objects.filter(pk=second.pk).exists() is False
    services.update_sequence(actor=alice_actor, sequence=updated, data={"description": "x"})
    updated.refresh_from_db()
    assert updated.version == 3


def test_a_refused_update_changes_nothing(
    alice_actor: Actor, sequence_factory: Callable[..., Sequence], sms_template: Template
) -> None:
    sequence = sequence_factory()
    before = list(sequence.steps.values())

    with pytest.raises(InvalidInput):
        services.update_sequence(
            actor=alice_actor,
            sequence=sequence,
            data={"name": "New name", "steps": [_step(sms_template)]},
        )

    sequence.refresh_from_db()
    assert (sequence.name, sequence.version) == ("Backend outreach 1", 1)
    assert list(sequence.steps.values()) == before


@pytest.mark.parametrize("who", ["hiring_manager_actor", "auditor_actor"])
def test_roles_without_outreach_cannot_write(
    request: pytest.FixtureRequest,
    who: str,
    sequence_factory: Callable[..., Sequence],
    email_template: Template,
) -> None:
    actor: Actor = request.getfixturevalue(who)
    sequence = sequence_factory()

    with pytest.raises(Forbidden):
        services.create_sequence(actor=actor, data={"name": "Mine"})
    with pytest.raises(Forbidden):
        services.update_sequence(actor=actor, sequence=sequence, data={"name": "Mine"})
    with pytest.raises(Forbidden):
        services.set_sequence_status(actor=actor, sequence=sequence, status="active")
    with pytest.raises(Forbidden):
        services.delete_sequence(actor=actor, sequence=sequence)

    sequence.refresh_from_db()
    assert (Sequence.objects.count(), sequence.name, sequence.status) == (
        1,
        "Backend outreach 1",
        "draft",
    )


def test_status_moves_follow_the_table(
    alice_actor: Actor, sequence_factory: Callable[..., Sequence]
) -> None:
    sequence = sequence_factory()

    sequence = services.activate_sequence(actor=alice_actor, sequence=sequence)
    assert (sequence.status, sequence.version) == ("active", 2)
    sequence = services.pause_sequence(actor=alice_actor, sequence=sequence)
    assert sequence.status == "paused"
    sequence = services.resume_sequence(actor=alice_actor, sequence=sequence)
    assert sequence.status == "active"
    sequence = services.archive_sequence(actor=alice_actor, sequence=sequence)
    assert sequence.status == "archived"

    with pytest.raises(Conflict) as caught:
        services.activate_sequence(actor=alice_actor, sequence=sequence)
    assert (caught.value.status, caught.value.code, caught.value.message) == (
        409,
        "illegal_transition",
        "An archived sequence cannot become active; it cannot change status any more.",
    )


def test_a_draft_cannot_be_paused_or_resumed(
    alice_actor: Actor, sequence_factory: Callable[..., Sequence]
) -> None:
    sequence = sequence_factory()

    with pytest.raises(Conflict) as caught:
        services.pause_sequence(actor=alice_actor, sequence=sequence)
    assert caught.value.message == (
        "A draft sequence cannot become paused; from draft it can become active or archived."
    )
    with pytest.raises(Conflict):
        services.resume_sequence(actor=alice_actor, sequence=sequence)
    sequence.refresh_from_db()
    assert (sequence.status, sequence.version) == ("draft", 1)


def test_activation_needs_a_step(alice_actor: Actor) -> None:
    sequence = services.create_sequence(actor=alice_actor, data={"name": "Empty"})

    with pytest.raises(InvalidInput) as caught:
        services.activate_sequence(actor=alice_actor, sequence=sequence)

    assert (caught.value.field, caught.value.message) == (
        "steps",
        "Add a step before activating the sequence.",
    )
    sequence.refresh_from_db()
    assert sequence.status == "draft"


def test_resuming_moves_overdue_steps_into_the_send_window(
    alice_actor: Actor, sequence: Sequence, prospect_factory: Callable[..., Candidate]
) -> None:
    tokyo = prospect_factory(timezone="Asia/Tokyo")
    # Monday 2 March 2026, 10:00 UTC = 19:00 in Tokyo (after the 09:00-17:00 window).
    with time_machine.travel(dt.datetime(2026, 3, 2, 10, 0, tzinfo=UTC), tick=False):
        services.enroll(actor=alice_actor, sequence=sequence, candidate_ids=[tokyo.pk])
        services.pause_sequence(actor=alice_actor, sequence=sequence)
    enrollment = Enrollment.objects.get(candidate=tokyo)
    # Tuesday 09:00 in Tokyo.
    assert enrollment.next_step_at == dt.datetime(2026, 3, 3, 0, 0, tzinfo=UTC)

    # Resumed on Friday 6 March at 07:00 UTC = 16:00 in Tokyo: the step goes out then, in
    # the window, and not on the Tuesday it was due.
    with time_machine.travel(dt.datetime(2026, 3, 6, 7, 0, tzinfo=UTC), tick=False):
        services.resume_sequence(actor=alice_actor, sequence=sequence)
    enrollment.refresh_from_db()
    assert (enrollment.status, enrollment.next_step) == ("active", 0)
    assert enrollment.next_step_at == dt.datetime(2026, 3, 6, 7, 0, tzinfo=UTC)


def test_archiving_stops_live_enrolments_on_the_timeline(
    alice_actor: Actor, sequence: Sequence, prospect: Candidate
) -> None:
    services.enroll(actor=alice_actor, sequence=sequence, candidate_ids=[prospect.pk])

    services.archive_sequence(actor=alice_actor, sequence=sequence)

    enrollment = Enrollment.objects.get()
    assert (enrollment.status, enrollment.stop_reason) == ("stopped", "archived")
    assert enrollment.ended_at is not None
    entry = Activity.objects.filter(candidate=prospect, type="sequence_stopped").get()
    assert entry.summary == "Outreach stopped: the sequence Backend outreach was archived"


def test_deleting_keeps_a_sequence_with_history(
    alice_actor: Actor, sequence: Sequence, prospect: Candidate, sequence_factory: Any
) -> None:
    services.enroll(actor=alice_actor, sequence=sequence, candidate_ids=[prospect.pk])

    with pytest.raises(Conflict) as caught:
        services.delete_sequence(actor=alice_actor, sequence=sequence)

    assert caught.value.message == (
        "People were enrolled in this sequence, so it keeps its history: archive it instead."
    )
    assert Sequence.objects.filter(pk=sequence.pk).exists()
    unused = sequence_factory()
    services.delete_sequence(actor=alice_actor, sequence=unused)
    assert Sequence.objects.filter(pk=unused.pk).exists() is False


def test_archived_sequences_cannot_change(alice_actor: Actor, sequence: Sequence) -> None:
    services.archive_sequence(actor=alice_actor, sequence=sequence)

    with pytest.raises(Conflict):
        services.update_sequence(actor=alice_actor, sequence=sequence, data={"name": "Again"})
