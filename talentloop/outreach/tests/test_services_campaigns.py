"""Campaigns: validation naming the field, the status table, and what may change when."""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Callable
from typing import Any

import pytest
import time_machine
from django.utils import timezone

from talentloop.accounts.models import User
from talentloop.core.actor import Actor
from talentloop.core.errors import Conflict, Forbidden, InvalidInput
from talentloop.outreach import services
from talentloop.outreach.models import Campaign, CampaignDrop, Template
from talentloop.pools.models import Pool, Segment

UTC = dt.UTC
NOW = dt.datetime(2026, 3, 2, 10, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def _frozen() -> Any:
    with time_machine.travel(NOW, tick=False):
        yield


def _drop(template: Template, at: str = "2026-03-09T09:00:00+01:00") -> dict[str, Any]:
    return {"template_id": template.pk, "send_at": at}


def test_creates_a_draft_with_drops_in_time_order(
    alice_actor: Actor, alice: User, pool: Pool, email_template: Template
) -> None:
    later = Template.objects.create(workspace=alice_actor.workspace, name="Follow-up")

    campaign = services.create_campaign(
        actor=alice_actor,
        data={
            "name": "Spring newsletter",
            "purpose": "marketing",
            "pool_id": pool.pk,
            "throttle_per_minute": 600,
            "quiet_days": [6, 5, 6],
            "drops": [_drop(later, "2026-03-16T08:00:00Z"), _drop(email_template)],
        },
    )

    assert (campaign.name, campaign.status, campaign.pool, campaign.segment) == (
        "Spring newsletter",
        "draft",
        pool,
        None,
    )
    assert (campaign.sender, campaign.created_by, campaign.version) == (alice, alice, 1)
    assert (campaign.throttle_per_minute, campaign.quiet_days) == (600, [5, 6])
    assert [
        (d.position, d.template_id, d.send_at, d.status)
        for d in campaign.drops.order_by("position")
    ] == [
        (0, email_template.pk, dt.datetime(2026, 3, 9, 8, 0, tzinfo=UTC), "pending"),
        (1, later.pk, dt.datetime(2026, 3, 16, 8, 0, tzinfo=UTC), "pending"),
    ]


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"name": ""}, "name", "Give a value."),
        ({"throttle_per_minute": 0}, "throttle_per_minute", "A whole number from 1 to 100000."),
        (
            {"throttle_per_minute": 100_001},
            "throttle_per_minute",
            "A whole number from 1 to 100000.",
        ),
        ({"quiet_days": [1, 7]}, "quiet_days[1]", "A whole number from 0 to 6."),
        ({"quiet_days": list(range(7))}, "quiet_days", "Leave at least one day to send on."),
        ({"quiet_days": "weekend"}, "quiet_days", "A list of weekdays, 0 (Monday) to 6 (Sunday)."),
        ({"purpose": "spam"}, "purpose", "One of: recruiting, marketing."),
        ({"pool_id": 987654321}, "pool_id", "No such pool."),
        ({"segment_id": 987654321}, "segment_id", "No such segment."),
        ({"sender_id": 987654321}, "sender_id", "Choose a member of this workspace."),
        (
            {"drops": [{"send_at": "2026-03-09T09:00:00Z"}]},
            "drops[0].template_id",
            "Choose the e-mail template to send.",
        ),
        (
            {"drops": [{"template_id": 987654321, "send_at": "2026-03-09T09:00:00Z"}]},
            "drops[0].template_id",
            "No such template.",
        ),
        (
            {"drops": "T:tomorrow"},
            "drops[0].send_at",
            "A date and time, e.g. 2026-03-02T09:00:00+01:00.",
        ),
        (
            {"drops": "T:2026-03-09T09:00:00"},
            "drops[0].send_at",
            "Give the time zone too, e.g. 2026-03-02T09:00:00+01:00 or …Z.",
        ),
        (
            {"drops": "T:2026-03-01T09:00:00Z"},
            "drops[0].send_at",
            "This time has passed; choose a time to come.",
        ),
        ({"drops": "T:2029-03-01T09:00:00Z"}, "drops[0].send_at", "At most two years ahead."),
        ({"drops": [{}] * 21}, "drops", "At most 20 drops."),
    ],
)
def test_refuses_bad_campaign_fields(
    alice_actor: Actor,
    email_template: Template,
    data: dict[str, Any],
    field: str,
    message: str,
) -> None:
    data = {"name": "Newsletter", **data}
    if isinstance(data.get("drops"), str):
        data["drops"] = [_drop(email_template, data["drops"][2:])]

    with pytest.raises(InvalidInput) as caught:
        services.create_campaign(actor=alice_actor, data=data)

    assert (caught.value.field, caught.value.message) == (field, message)
    assert Campaign.objects.exists() is False


def test_an_sms_template_cannot_be_a_drop(alice_actor: Actor, sms_template: Template) -> None:
    with pytest.raises(InvalidInput) as caught:
        services.create_campaign(
            actor=alice_actor, data={"name": "X", "drops": [_drop(sms_template)]}
        )

    assert (caught.value.field, caught.value.message) == (
        "drops[0].template_id",
        "Text nudge is not an e-mail template; campaigns send e-mail.",
    )


def test_a_campaign_goes_to_a_segment_or_a_pool_not_both(alice_actor: Actor, pool: Pool) -> None:
    segment = Segment.objects.create(workspace=alice_actor.workspace, name="All", rules={"all": []})

    with pytest.raises(InvalidInput) as caught:
        services.create_campaign(
            actor=alice_actor, data={"name": "X", "pool_id": pool.pk, "segment_id": segment.pk}
        )

    assert (caught.value.field, caught.value.message) == (
        "pool_id",
        "Send to a segment or a pool, not both.",
    )


def test_another_workspaces_pool_and_sender_are_refused(
    alice_actor: Actor, charlie_actor: Actor, charlie: User, pool_factory: Any
) -> None:
    theirs = pool_factory(actor=charlie_actor, name="Globex people")

    with pytest.raises(InvalidInput) as caught:
        services.create_campaign(actor=alice_actor, data={"name": "X", "pool_id": theirs.pk})
    assert (caught.value.field, caught.value.message) == ("pool_id", "No such pool.")

    with pytest.raises(InvalidInput) as caught:
        services.create_campaign(actor=alice_actor, data={"name": "X", "sender_id": charlie.pk})
    assert caught.value.field == "sender_id"


LEGAL = {
    ("draft", "scheduled"),
    ("draft", "cancelled"),
    ("scheduled", "running"),
    ("scheduled", "paused"),
    ("scheduled", "cancelled"),
    ("scheduled", "draft"),
    ("running", "paused"),
    ("running", "cancelled"),
    ("running", "finished"),
    ("paused", "running"),
    ("paused", "cancelled"),
}
STATUSES = ["draft", "scheduled", "running", "paused", "finished", "cancelled"]


def test_the_transition_table_is_listmonks() -> None:
    table = {(a, b) for a, targets in services.CAMPAIGN_TRANSITIONS.items() for b in targets}
    assert table == LEGAL


@pytest.mark.parametrize(("current", "wanted"), list(itertools.product(STATUSES, STATUSES)))
def test_each_status_move_is_allowed_or_a_409_naming_both(
    alice_actor: Actor, campaign: Campaign, current: str, wanted: str
) -> None:
    Campaign.objects.filter(pk=campaign.pk).update(status=current)

    if (current, wanted) in LEGAL:
        moved = services.set_campaign_status(actor=alice_actor, campaign=campaign, status=wanted)
        assert (moved.status, moved.version) == (wanted, 2)
        return
    with pytest.raises(Conflict) as caught:
        services.set_campaign_status(actor=alice_actor, campaign=campaign, status=wanted)
    assert (caught.value.status, caught.value.code, caught.value.field) == (
        409,
        "illegal_transition",
        "status",
    )
    assert f"cannot become {wanted}" in caught.value.message
    assert caught.value.message.lower().startswith(f"a {current} campaign") or (
        caught.value.message.lower().startswith(f"an {current} campaign")
    )
    campaign.refresh_from_db()
    assert (campaign.status, campaign.version) == (current, 1)


def test_an_illegal_move_says_where_it_could_go(alice_actor: Actor, campaign: Campaign) -> None:
    with pytest.raises(Conflict) as caught:
        services.start_campaign(actor=alice_actor, campaign=campaign)

    assert caught.value.message == (
        "A draft campaign cannot become running; from draft it can become scheduled or cancelled."
    )


def test_an_unknown_status_is_bad_input(alice_actor: Actor, campaign: Campaign) -> None:
    with pytest.raises(InvalidInput) as caught:
        services.set_campaign_status(actor=alice_actor, campaign=campaign, status="launched")

    assert caught.value.field == "status"


def test_scheduling_needs_a_drop_and_an_audience(
    alice_actor: Actor, pool: Pool, email_template: Template
) -> None:
    no_drops = services.create_campaign(actor=alice_actor, data={"name": "A", "pool_id": pool.pk})
    no_audience = services.create_campaign(
        actor=alice_actor, data={"name": "B", "drops": [_drop(email_template)]}
    )

    with pytest.raises(InvalidInput) as caught:
        services.schedule_campaign(actor=alice_actor, campaign=no_drops)
    assert (caught.value.field, caught.value.message) == (
        "drops",
        "Add at least one drop before scheduling.",
    )
    with pytest.raises(InvalidInput) as caught:
        services.schedule_campaign(actor=alice_actor, campaign=no_audience)
    assert (caught.value.field, caught.value.message) == (
        "segment_id",
        "Choose a segment or a pool to send to.",
    )
    assert set(Campaign.objects.values_list("status", flat=True)) == {"draft"}


def test_scheduling_wakes_the_engine_after_commit(
    alice_actor: Actor,
    campaign: Campaign,
    django_capture_on_commit_callbacks: Any,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    woken: list[bool] = []
    monkeypatch.setattr(services, "wake_engine", lambda: woken.append(True))

    with django_capture_on_commit_callbacks(execute=True):
        services.schedule_campaign(actor=alice_actor, campaign=campaign)
        assert woken == []

    assert woken == [True]


def test_update_bumps_the_version_and_replaces_drops(
    alice_actor: Actor, campaign: Campaign, email_template: Template
) -> None:
    updated = services.update_campaign(
        actor=alice_actor,
        campaign=campaign,
        data={"name": "Summer", "drops": [_drop(email_template, "2026-04-01T09:00:00Z")]},
    )

    assert (updated.name, updated.version) == ("Summer", 2)
    assert list(updated.drops.values_list("template_id", "send_at")) == [
        (email_template.pk, dt.datetime(2026, 4, 1, 9, 0, tzinfo=UTC))
    ]


def test_a_running_campaign_cannot_change(alice_actor: Actor, campaign: Campaign) -> None:
    Campaign.objects.filter(pk=campaign.pk).update(status="running")

    with pytest.raises(Conflict) as caught:
        services.update_campaign(actor=alice_actor, campaign=campaign, data={"name": "New"})

    assert caught.value.message == "A running campaign cannot change (pause it first)."
    campaign.refresh_from_db()
    assert campaign.name == "Spring newsletter"


def test_after_a_drop_started_only_pacing_may_change(
    alice_actor: Actor, campaign: Campaign, email_template: Template
) -> None:
    Campaign.objects.filter(pk=campaign.pk).update(status="paused")
    CampaignDrop.objects.filter(campaign=campaign).update(
        status="sending", started_at=timezone.now()
    )

    with pytest.raises(Conflict) as caught:
        services.update_campaign(
            actor=alice_actor, campaign=campaign, data={"drops": [_drop(email_template)]}
        )
    assert caught.value.field == "drops"

    paced = services.update_campaign(
        actor=alice_actor, campaign=campaign, data={"throttle_per_minute": 60, "quiet_days": [0]}
    )
    assert (paced.throttle_per_minute, paced.quiet_days, paced.version) == (60, [0], 2)


def test_a_campaign_that_sent_is_cancelled_not_deleted(
    alice_actor: Actor, campaign_factory: Callable[..., Campaign], campaign: Campaign
) -> None:
    CampaignDrop.objects.filter(campaign=campaign).update(status="done")
    unsent = campaign_factory()

    with pytest.raises(Conflict):
        services.delete_campaign(actor=alice_actor, campaign=campaign)
    services.delete_campaign(actor=alice_actor, campaign=unsent)

    assert list(Campaign.objects.values_list("pk", flat=True)) == [campaign.pk]


@pytest.mark.parametrize("who", ["hiring_manager_actor", "auditor_actor"])
def test_roles_without_outreach_cannot_write_campaigns(
    request: pytest.FixtureRequest, who: str, campaign: Campaign
) -> None:
    actor: Actor = request.getfixturevalue(who)

    with pytest.raises(Forbidden):
        services.create_campaign(actor=actor, data={"name": "Mine"})
    with pytest.raises(Forbidden):
        services.update_campaign(actor=actor, campaign=campaign, data={"name": "Mine"})
    with pytest.raises(Forbidden):
        services.schedule_campaign(actor=actor, campaign=campaign)
    with pytest.raises(Forbidden):
        services.delete_campaign(actor=actor, campaign=campaign)

    campaign.refresh_from_db()
    assert (Campaign.objects.count(), campaign.name, campaign.status) == (
        1,
        "Spring newsletter",
        "draft",
    )


def test_buttons_follow_the_table() -> None:
    assert services.campaign_actions("draft") == [
        ("scheduled", "Schedule"),
        ("cancelled", "Cancel campaign"),
    ]
    assert services.campaign_actions("scheduled") == [
        ("running", "Start now"),
        ("paused", "Pause"),
        ("cancelled", "Cancel campaign"),
        ("draft", "Back to draft"),
    ]
    assert services.campaign_actions("paused") == [
        ("running", "Resume"),
        ("cancelled", "Cancel campaign"),
    ]
    assert services.campaign_actions("finished") == []
