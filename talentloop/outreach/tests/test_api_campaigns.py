"""/api/v1/outreach/campaigns: drops, status moves through the table, progress and funnels."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from functools import partial
from typing import Any

import pytest
import time_machine
from django.test import Client

from talentloop.candidates.models import Candidate
from talentloop.core.actor import Actor
from talentloop.core.tests.api_helpers import (
    API,
    MISSING_ID,
    assert_like_missing,
    assert_refused,
    call,
    error,
)
from talentloop.outreach.models import Campaign, CampaignDrop, Message, Template
from talentloop.pools.models import Pool

pytestmark = pytest.mark.urls("talentloop.outreach.tests.urls_outreach_test")
NOW = dt.datetime(2026, 3, 2, 10, 0, tzinfo=dt.UTC)
NO_SUCH_CAMPAIGN = error("not_found", "No such campaign.")


@pytest.fixture(autouse=True)
def _frozen() -> Any:
    with time_machine.travel(NOW, tick=False):
        yield


def test_creates_reads_and_lists_a_campaign(
    alice_client: Client, alice: Any, pool: Pool, email_template: Template
) -> None:
    response = call(
        alice_client,
        "post",
        "/outreach/campaigns",
        {
            "name": "March newsletter",
            "pool_id": pool.pk,
            "throttle_per_minute": 120,
            "quiet_days": [5, 6],
            "drops": [{"template_id": email_template.pk, "send_at": "2026-03-09T09:00:00+01:00"}],
        },
    )

    assert response.status_code == 201
    campaign = Campaign.objects.get()
    body = response.json()
    assert {
        k: body[k]
        for k in (
            "id",
            "status",
            "next_statuses",
            "purpose",
            "pool_id",
            "segment_id",
            "sender_id",
            "quiet_days",
            "throttle_per_minute",
        )
    } == {
        "id": campaign.pk,
        "status": "draft",
        "next_statuses": ["scheduled", "cancelled"],
        "purpose": "marketing",
        "pool_id": pool.pk,
        "segment_id": None,
        "sender_id": alice.pk,
        "quiet_days": [5, 6],
        "throttle_per_minute": 120,
    }
    assert body["drops"] == [
        {
            "position": 0,
            "template_id": email_template.pk,
            "send_at": "2026-03-09T08:00:00Z",
            "status": "pending",
            "recipients_total": None,
            "last_candidate_id": 0,
            "started_at": None,
            "finished_at": None,
        }
    ]
    assert alice_client.get(f"{API}/outreach/campaigns/{campaign.pk}").json() == body
    (row,) = alice_client.get(f"{API}/outreach/campaigns").json()
    assert (row["name"], row["drops"], row["next_send_at"], row["percent"]) == (
        "March newsletter",
        1,
        "2026-03-09T08:00:00Z",
        0,
    )


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"throttle_per_minute": 0}, "throttle_per_minute", "A whole number from 1 to 100000."),
        ({"quiet_days": [0, 1, 2, 3, 4, 5, 6]}, "quiet_days", "Leave at least one day to send on."),
        (
            {"drops": [{"template_id": None, "send_at": "2026-03-09T09:00:00Z"}]},
            "drops[0].template_id",
            "Choose the e-mail template to send.",
        ),
        (
            {"drops": [{"template_id": MISSING_ID, "send_at": "2026-03-09T09:00:00Z"}]},
            "drops[0].template_id",
            "No such template.",
        ),
        ({"segment_id": MISSING_ID}, "segment_id", "No such segment."),
    ],
)
def test_bad_input_is_a_422_naming_the_field(
    alice_client: Client, data: dict[str, Any], field: str, message: str
) -> None:
    assert_refused(
        alice_client,
        "post",
        "/outreach/campaigns",
        {"name": "X", **data},
        status=422,
        body=error("invalid", message, field),
    )


def test_a_naive_send_time_is_refused(alice_client: Client, email_template: Template) -> None:
    assert_refused(
        alice_client,
        "post",
        "/outreach/campaigns",
        {"name": "X", "drops": [{"template_id": email_template.pk, "send_at": "2026-03-09 09:00"}]},
        status=422,
        body=error(
            "invalid",
            "Give the time zone too, e.g. 2026-03-02T09:00:00+01:00 or …Z.",
            "drops[0].send_at",
        ),
    )


def test_status_moves_follow_the_table(alice_client: Client, campaign: Campaign) -> None:
    path = f"/outreach/campaigns/{campaign.pk}/status"

    scheduled = call(alice_client, "post", path, {"status": "scheduled"}).json()
    assert (scheduled["status"], scheduled["next_statuses"]) == (
        "scheduled",
        ["draft", "running", "paused", "cancelled"],
    )
    assert call(alice_client, "post", path, {"status": "running"}).json()["status"] == "running"
    assert call(alice_client, "post", path, {"status": "paused"}).json()["status"] == "paused"
    assert_refused(
        alice_client,
        "post",
        path,
        {"status": "scheduled"},
        status=409,
        body=error(
            "illegal_transition",
            "A paused campaign cannot become scheduled; from paused it can become running or "
            "cancelled.",
            "status",
        ),
    )
    assert call(alice_client, "post", path, {"status": "cancelled"}).json()["status"] == (
        "cancelled"
    )
    assert_refused(
        alice_client,
        "post",
        path,
        {"status": "running"},
        status=409,
        body=error(
            "illegal_transition",
            "A cancelled campaign cannot become running; it cannot change status any more.",
            "status",
        ),
    )


def test_scheduling_without_an_audience_names_the_field(
    alice_client: Client, alice_actor: Actor, email_template: Template
) -> None:
    response = call(
        alice_client,
        "post",
        "/outreach/campaigns",
        {
            "name": "X",
            "drops": [{"template_id": email_template.pk, "send_at": "2026-03-09T09:00Z"}],
        },
    )
    campaign_id = response.json()["id"]

    assert_refused(
        alice_client,
        "post",
        f"/outreach/campaigns/{campaign_id}/status",
        {"status": "scheduled"},
        status=422,
        body=error("invalid", "Choose a segment or a pool to send to.", "segment_id"),
    )


def test_a_running_campaign_cannot_be_edited(alice_client: Client, campaign: Campaign) -> None:
    Campaign.objects.filter(pk=campaign.pk).update(status="running")

    assert_refused(
        alice_client,
        "patch",
        f"/outreach/campaigns/{campaign.pk}",
        {"name": "Changed"},
        status=409,
        body=error("conflict", "A running campaign cannot change (pause it first).", "status"),
    )


def test_put_drops_replaces_them(
    alice_client: Client, campaign: Campaign, email_template: Template
) -> None:
    body = call(
        alice_client,
        "put",
        f"/outreach/campaigns/{campaign.pk}/drops",
        {
            "drops": [
                {"template_id": email_template.pk, "send_at": "2026-03-20T09:00:00Z"},
                {"template_id": email_template.pk, "send_at": "2026-03-10T09:00:00Z"},
            ]
        },
    ).json()

    assert [(d["position"], d["send_at"]) for d in body["drops"]] == [
        (0, "2026-03-10T09:00:00Z"),
        (1, "2026-03-20T09:00:00Z"),
    ]
    assert body["version"] == 2


def test_funnel_and_progress_per_drop(
    alice_client: Client,
    campaign: Campaign,
    prospect_factory: Callable[..., Candidate],
) -> None:
    drop = CampaignDrop.objects.get(campaign=campaign)
    CampaignDrop.objects.filter(pk=drop.pk).update(status="sending", recipients_total=4)
    Campaign.objects.filter(pk=campaign.pk).update(status="running")
    people = [prospect_factory() for _ in range(3)]
    for index, person in enumerate(people):
        Message.objects.create(
            workspace_id=campaign.workspace_id,
            key=f"d{drop.pk}.{person.pk}",
            candidate=person,
            channel="email",
            purpose="marketing",
            drop=drop,
            status="sent" if index < 2 else "skipped",
            sent_at=NOW if index < 2 else None,
            opened_at=NOW if index == 0 else None,
            unsubscribed_at=NOW if index == 1 else None,
        )

    body = alice_client.get(f"{API}/outreach/campaigns/{campaign.pk}/funnel").json()

    assert body["progress"] == {"reached": 3, "total": 4, "percent": 75}
    (row,) = body["drops"]
    assert {
        k: row[k]
        for k in ("position", "status", "recipients_total", "reached", "percent", "sent", "opened")
    } == {
        "position": 0,
        "status": "sending",
        "recipients_total": 4,
        "reached": 3,
        "percent": 75,
        "sent": 2,
        "opened": 1,
    }
    assert (row["unsubscribed"], row["skipped"], row["rates"]["opened"]) == (1, 1, 50.0)
    listed = alice_client.get(f"{API}/outreach/campaigns").json()[0]
    assert (listed["reached"], listed["recipients_total"], listed["percent"]) == (3, 4, 75)


def test_another_workspace_gets_404_like_a_missing_campaign(
    charlie_client: Client, campaign: Campaign
) -> None:
    for method, suffix, data in (
        ("get", "", None),
        ("patch", "", {"name": "Mine"}),
        ("delete", "", None),
        ("post", "/status", {"status": "scheduled"}),
        ("put", "/drops", {"drops": []}),
        ("get", "/funnel", None),
    ):
        assert_like_missing(
            partial(
                call, charlie_client, method, f"/outreach/campaigns/{campaign.pk}{suffix}", data
            ),
            partial(
                call, charlie_client, method, f"/outreach/campaigns/{MISSING_ID}{suffix}", data
            ),
            body=NO_SUCH_CAMPAIGN,
        )


def test_auditors_read_and_hiring_managers_do_not(
    auditor_client: Client, hiring_manager_client: Client, campaign: Campaign
) -> None:
    assert auditor_client.get(f"{API}/outreach/campaigns/{campaign.pk}").status_code == 200
    assert_refused(
        auditor_client,
        "post",
        f"/outreach/campaigns/{campaign.pk}/status",
        {"status": "scheduled"},
        status=403,
        body=error("forbidden", "Your role does not allow outreach."),
    )
    assert_refused(
        hiring_manager_client,
        "get",
        "/outreach/campaigns",
        status=403,
        body=error("forbidden", "Your role does not allow reading outreach."),
    )
