"""automation.import_automation: strict reading, names matched in the new workspace, all or
nothing, and a round trip that gives the same document back."""

from __future__ import annotations

import copy
import datetime as dt
import json
from collections.abc import Callable
from typing import Any

import pytest
import time_machine

from talentloop.accounts.models import Membership, User, Workspace
from talentloop.accounts.roles import Role
from talentloop.core.actor import Actor
from talentloop.core.errors import Forbidden, InvalidInput
from talentloop.core.tests.api_helpers import stored_state
from talentloop.core.tests.fixtures import actor_for
from talentloop.jobs.models import Job
from talentloop.outreach.automation import (
    Placed,
    document_json,
    export_campaign,
    export_sequence,
    import_automation,
)
from talentloop.outreach.models import Campaign, Sequence, Snippet, StepChannel, Template
from talentloop.outreach.tests.test_automation_support import (
    MONDAY,
    email_step,
    make_campaign,
    make_sequence,
    make_snippet,
    make_template,
)
from talentloop.pools import services as pool_services
from talentloop.pools.models import Pool, PoolStage, Segment

SIGNATURE = "<p>Best, {{ sender.full_name }}</p>"
INTRO_BODY = '<p>Hello {{ candidate.first_name }}</p>{% snippet "signature" %}'


@pytest.fixture
def sequence(alice_actor: Actor, bob: User) -> Sequence:
    job = Job.objects.create(
        workspace=alice_actor.workspace, title="Staff Engineer", hiring_manager=bob
    )
    make_snippet(alice_actor, "signature", SIGNATURE)
    intro = make_template(alice_actor, "Intro", body=INTRO_BODY)
    follow_up = make_template(alice_actor, "Follow-up", subject="Still keen?", body="<p>Ping</p>")
    steps = [
        email_step(intro),
        {
            "channel": StepChannel.LINKEDIN_TASK,
            "delay_days": 1,
            "instructions": "Connect on LinkedIn",
            "sender": "user",
            "sender_user_id": bob.pk,
        },
        email_step(follow_up, 3, window_start="10:00", window_end="16:30", sender="hiring_manager"),
    ]
    return make_sequence(
        alice_actor, steps, description="For the platform team", job_id=job.pk, stop_on=["reply"]
    )


@pytest.fixture
def document(alice_actor: Actor, sequence: Sequence) -> dict[str, Any]:
    # Through the file format, as a download and an upload would.
    return dict(json.loads(document_json(export_sequence(actor=alice_actor, sequence=sequence))))


def _without_time(document: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in document.items() if k != "exported_at"}


def test_a_sequence_round_trips_into_another_workspace(
    document: dict[str, Any], charlie_actor: Actor, globex: Workspace, bob: User, charlie: User
) -> None:
    # Bob works for both teams; Globex has its own job of the same title.
    Membership.objects.create(user=bob, workspace=globex, role=Role.RECRUITER)
    Job.objects.create(workspace=globex, title="Staff Engineer", hiring_manager=charlie)

    result = import_automation(actor=charlie_actor, document=document)

    imported = result.object
    assert isinstance(imported, Sequence)
    assert (imported.workspace_id, imported.owner_id, result.created) == (
        globex.pk,
        charlie.pk,
        True,
    )
    assert result.warnings == []
    assert result.placed == [
        Placed("snippet", "signature", "signature", "created"),
        Placed("template", "Follow-up", "Follow-up", "created"),
        Placed("template", "Intro", "Intro", "created"),
    ]
    again = export_sequence(actor=charlie_actor, sequence=imported)
    assert _without_time(again) == _without_time(document)


def test_a_campaign_round_trips_with_its_segment_rules(
    alice_actor: Actor,
    bob: User,
    pool: Pool,
    stages: dict[str, PoolStage],
    charlie_actor: Actor,
    globex: Workspace,
) -> None:
    Membership.objects.create(user=bob, workspace=globex, role=Role.RECRUITER)
    rules = {
        "all": [
            {"field": "owner", "op": "eq", "value": bob.pk},
            {"field": "stage", "op": "in", "value": [stages["engaged"].pk], "pool": pool.pk},
        ]
    }
    segment = pool_services.create_segment(actor=alice_actor, data={"name": "Warm", "rules": rules})
    news = make_template(alice_actor, "News")
    with time_machine.travel(MONDAY, tick=False):
        campaign = make_campaign(
            alice_actor,
            [(news, MONDAY + dt.timedelta(days=2))],
            segment_id=segment.pk,
            sender_id=bob.pk,
            quiet_days=[6],
        )
        document = export_campaign(actor=alice_actor, campaign=campaign)

        result = import_automation(actor=charlie_actor, document=document)
        again = export_campaign(actor=charlie_actor, campaign=result.object)  # type: ignore[arg-type]

    assert _without_time(again) == _without_time(document)
    # The pool the rules name was made (empty) in Globex, and the rules point at it.
    made = Pool.objects.get(workspace=globex)
    made_segment = Segment.objects.get(workspace=globex)
    assert made_segment.rules["all"][1]["pool"] == made.pk
    assert made_segment.rules["all"][0]["value"] == bob.pk
    assert result.warnings == [
        "Created the empty pool “Backend engineers”: add its members before sending."
    ]


def test_identical_templates_are_reused_and_the_copy_gets_a_free_name(
    alice_actor: Actor, document: dict[str, Any], sequence: Sequence
) -> None:
    result = import_automation(actor=alice_actor, document=document)

    assert [p.action for p in result.placed] == ["reused", "reused", "reused"]
    assert result.object.name == "Backend outreach (imported 2)"
    assert Template.objects.filter(workspace=alice_actor.workspace).count() == 2
    assert Sequence.objects.filter(workspace=alice_actor.workspace).count() == 2


def test_a_different_template_of_the_same_name_is_imported_as_a_copy_once(
    alice_actor: Actor, document: dict[str, Any]
) -> None:
    document["templates"]["Intro"]["subject"] = "Hello again"

    first = import_automation(actor=alice_actor, document=document)
    second = import_automation(actor=alice_actor, document=document)

    assert Placed("template", "Intro", "Intro (imported 2)", "created") in first.placed
    assert Placed("template", "Intro", "Intro (imported 2)", "reused") in second.placed
    steps = first.object.steps.order_by("position")  # type: ignore[union-attr]
    assert steps[0].template.subject == "Hello again"  # type: ignore[union-attr]
    assert Template.objects.get(name="Intro").subject.startswith("Hi ")


def test_a_different_snippet_is_copied_and_the_template_includes_the_copy(
    alice_actor: Actor, document: dict[str, Any]
) -> None:
    document["snippets"]["signature"]["body"] = "<p>Cheers</p>"

    result = import_automation(actor=alice_actor, document=document)

    assert Placed("snippet", "signature", "signature-imported-2", "created") in result.placed
    copy_ = Template.objects.get(name="Intro (imported 2)")
    assert (
        copy_.body == '<p>Hello {{ candidate.first_name }}</p>{% snippet "signature-imported-2" %}'
    )
    assert Snippet.objects.get(name="signature").body == SIGNATURE


def test_update_mode_updates_the_templates_and_the_sequence_of_the_same_name(
    alice_actor: Actor, document: dict[str, Any], sequence: Sequence
) -> None:
    document["templates"]["Intro"]["subject"] = "Hello again"
    document["snippets"]["signature"]["body"] = "<p>Cheers</p>"
    document["sequence"]["steps"][0]["delay_days"] = 2

    result = import_automation(actor=alice_actor, document=document, mode="update")

    assert (result.object.pk, result.created) == (sequence.pk, False)
    assert Placed("template", "Intro", "Intro", "updated") in result.placed
    assert Placed("snippet", "signature", "signature", "updated") in result.placed
    sequence.refresh_from_db()
    assert sequence.version == 2
    assert sequence.steps.get(position=0).delay_days == 2
    assert Template.objects.get(name="Intro").subject == "Hello again"
    assert Template.objects.filter(workspace=alice_actor.workspace).count() == 2


def test_unknown_senders_and_jobs_fall_back_to_the_owner_with_warnings(
    document: dict[str, Any], charlie_actor: Actor
) -> None:
    result = import_automation(actor=charlie_actor, document=document)

    steps = list(result.object.steps.order_by("position"))  # type: ignore[union-attr]
    assert [(s.sender, s.sender_user_id) for s in steps] == [("owner", None)] * 3
    assert result.object.job_id is None  # type: ignore[union-attr]
    assert result.warnings == [
        "No job titled “Staff Engineer” here: the sequence has no job.",
        "Step 2: bob@acme.test is not a member here; the sequence's owner sends it.",
        "Step 3: no job with a hiring manager here; the sequence's owner sends it.",
    ]


def _set(document: dict[str, Any], path: list[Any], value: Any) -> dict[str, Any]:
    changed = copy.deepcopy(document)
    target = changed
    for key in path[:-1]:
        target = target[key]
    if value is KeyError:
        del target[path[-1]]
    else:
        target[path[-1]] = value
    return changed


@pytest.mark.parametrize(
    ("path", "value", "field", "message"),
    [
        (["format"], 2, "format", "this Talentloop reads format 1, not 2"),
        (["format"], True, "format", "this Talentloop reads format 1, not true"),
        (["format"], KeyError, "format", "this Talentloop reads format 1, not missing"),
        (["talentloop"], "recipe", "talentloop", 'expected "sequence" or "campaign"'),
        (["sequence", "colour"], "blue", "sequence.colour", "unknown key"),
        (
            ["sequence", "steps", 1, "delay_days"],
            KeyError,
            "sequence.steps[1].delay_days",
            "missing",
        ),
        (
            ["sequence", "steps", 1, "delay_days"],
            "3",
            "sequence.steps[1].delay_days",
            "expected a whole number from 0 to 365",
        ),
        (
            ["sequence", "steps", 1, "delay_days"],
            True,
            "sequence.steps[1].delay_days",
            "expected a whole number from 0 to 365",
        ),
        (
            ["sequence", "steps", 0, "business_days"],
            1,
            "sequence.steps[0].business_days",
            "expected true or false",
        ),
        (
            ["sequence", "steps", 2, "window_start"],
            "9am",
            "sequence.steps[2].window_start",
            'expected a time such as "09:00", or null',
        ),
        (
            ["sequence", "steps", 0, "channel"],
            "fax",
            "sequence.steps[0].channel",
            "expected one of: email, sms, linkedin_task, call_task",
        ),
        (
            ["sequence", "steps", 0, "template"],
            "Nope",
            "sequence.steps[0].template",
            'no template named "Nope" in "templates"',
        ),
        (
            ["sequence", "steps", 0, "template"],
            None,
            "sequence.steps[0].template",
            "a email step needs a template",
        ),
        (["sequence", "steps"], [], "sequence.steps", "expected 1 to 20 items"),
        (
            ["sequence", "stop_on", 0],
            "rain",
            "sequence.stop_on[0]",
            "expected one of: reply, application, unsubscribe, bounce, hire, manual",
        ),
        (
            ["sequence", "purpose"],
            None,
            "sequence.purpose",
            "expected one of: recruiting, marketing",
        ),
        (
            ["templates", "Spare"],
            {"kind": "email", "subject": "x", "body": "<p>x</p>", "text_body": ""},
            "templates.Spare",
            "not used by any step or drop",
        ),
        (
            ["templates", "Follow-up", "kind"],
            "fax",
            'templates["Follow-up"].kind',
            "expected one of: email, sms",
        ),
        (["snippets", "spare"], {"body": "x"}, "snippets.spare", "not included by any template"),
        (
            ["snippets", "Signature"],
            {"body": "x"},
            "snippets.Signature",
            "a snippet name is 1 to 60 lower-case letters, digits, - or _",
        ),
        # What the services behind the import find is named by its path in the document too.
        (
            ["sequence", "steps", 2, "window_end"],
            None,
            "sequence.steps[2].window_end",
            "Give both ends of the send window, or neither for the workspace's.",
        ),
        (
            ["templates", "Intro", "subject"],
            "Hi {{ candidate.frist_name }}",
            "templates.Intro.subject",
            "Line 1: unknown token candidate.frist_name. Did you mean candidate.first_name?",
        ),
        (
            ["sequence", "steps", 1, "instructions"],
            "",
            "sequence.steps[1].instructions",
            "Give instructions: what should the person do.",
        ),
    ],
)
def test_bad_documents_name_the_json_path_and_change_nothing(
    charlie_actor: Actor,
    document: dict[str, Any],
    path: list[Any],
    value: Any,
    field: str,
    message: str,
) -> None:
    bad = _set(document, path, value)
    before = stored_state()

    with pytest.raises(InvalidInput) as raised:
        import_automation(actor=charlie_actor, document=bad)

    assert raised.value.field == field
    assert raised.value.message.startswith(f"{field}: {message}")
    assert stored_state() == before


@pytest.mark.parametrize("document", [None, [], "sequence", 3])
def test_a_document_that_is_not_an_object_is_refused(alice_actor: Actor, document: Any) -> None:
    with pytest.raises(InvalidInput) as raised:
        import_automation(actor=alice_actor, document=document)

    assert (raised.value.field, raised.value.message) == (
        "document",
        "document: expected a JSON object",
    )


def test_a_campaign_naming_an_unknown_owner_in_its_rules_is_refused_with_the_rule_path(
    alice_actor: Actor, bob: User, charlie_actor: Actor
) -> None:
    segment = pool_services.create_segment(
        actor=alice_actor,
        data={
            "name": "Bob's",
            "rules": {"all": [{"field": "owner", "op": "in", "value": [bob.pk]}]},
        },
    )
    news = make_template(alice_actor, "News")
    campaign = make_campaign(
        alice_actor, [(news, dt.datetime.now(dt.UTC) + dt.timedelta(days=2))], segment_id=segment.pk
    )
    document = export_campaign(actor=alice_actor, campaign=campaign)
    before = stored_state()

    with pytest.raises(InvalidInput) as raised:
        import_automation(actor=charlie_actor, document=document)

    field = "campaign.segment.rules.all[0].value[0]"
    assert (raised.value.field, raised.value.message) == (
        field,
        f"{field}: bob@acme.test is not a member of this workspace",
    )
    assert stored_state() == before


def test_a_drop_in_the_past_is_refused_with_its_path(
    alice_actor: Actor, pool: Pool, charlie_actor: Actor
) -> None:
    news = make_template(alice_actor, "News")
    with time_machine.travel(MONDAY, tick=False):
        campaign = make_campaign(
            alice_actor, [(news, MONDAY + dt.timedelta(days=1))], pool_id=pool.pk
        )
        document = export_campaign(actor=alice_actor, campaign=campaign)
    before = stored_state()

    with pytest.raises(InvalidInput) as raised:
        import_automation(actor=charlie_actor, document=document)

    assert raised.value.field == "campaign.drops[0].send_at"
    assert stored_state() == before


@pytest.mark.parametrize("role", [Role.HIRING_MANAGER, Role.AUDITOR, Role.COORDINATOR])
def test_roles_without_outreach_cannot_import(
    alice_actor: Actor, member_factory: Callable[..., User], document: dict[str, Any], role: str
) -> None:
    actor = actor_for(member_factory("someone@acme.test", alice_actor.workspace, role))
    before = stored_state()

    with pytest.raises(Forbidden):
        import_automation(actor=actor, document=document)

    assert stored_state() == before


def test_an_unknown_mode_is_refused(alice_actor: Actor, document: dict[str, Any]) -> None:
    with pytest.raises(InvalidInput) as raised:
        import_automation(actor=alice_actor, document=document, mode="merge")

    assert raised.value.field == "mode"


def test_update_mode_leaves_a_running_campaign_alone_and_creates_one(
    alice_actor: Actor, pool: Pool
) -> None:
    news = make_template(alice_actor, "News")
    campaign = make_campaign(
        alice_actor, [(news, dt.datetime.now(dt.UTC) + dt.timedelta(days=2))], pool_id=pool.pk
    )
    Campaign.objects.filter(pk=campaign.pk).update(status=Campaign.Status.RUNNING)
    document = export_campaign(actor=alice_actor, campaign=campaign)

    result = import_automation(actor=alice_actor, document=document, mode="update")

    assert result.created is True
    assert result.object.name == "Spring newsletter (imported 2)"
    assert Placed("pool", "Backend engineers", "Backend engineers", "reused") in result.placed


def test_content_that_the_template_service_would_store_the_same_is_reused(
    alice_actor: Actor, document: dict[str, Any]
) -> None:
    intro = document["templates"]["Intro"]
    # A hand-edited file: Windows line ends, trailing blank lines, doubled spaces in the
    # subject, and an onclick the sanitizer removes.
    intro["body"] = intro["body"].replace("<p>", '<p onclick="x()">', 1) + "\r\n\r\n  "
    intro["subject"] = intro["subject"].replace(" ", "  ")
    document["snippets"]["signature"]["body"] += "\n\n"

    result = import_automation(actor=alice_actor, document=document)

    assert Placed("template", "Intro", "Intro", "reused") in result.placed
    assert Placed("snippet", "signature", "signature", "reused") in result.placed
