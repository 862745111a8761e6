"""The campaign editor and the campaign page."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
import time_machine
from django.test import Client
from django.urls import reverse

from talentloop.accounts.models import User, Workspace
from talentloop.core.actor import Actor
from talentloop.outreach.models import Campaign, CampaignDrop, Message, Template
from talentloop.pools.models import Pool

pytestmark = pytest.mark.urls("talentloop.outreach.tests.urls_outreach_test")
NOW = dt.datetime(2026, 3, 2, 10, 0, tzinfo=dt.UTC)


@pytest.fixture(autouse=True)
def _frozen() -> Any:
    with time_machine.travel(NOW, tick=False):
        yield


def _post(pool: Pool, template: Template, alice: User, **overrides: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "name": "April newsletter",
        "purpose": "marketing",
        "audience": f"pool:{pool.pk}",
        "sender": str(alice.pk),
        "throttle_per_minute": "300",
        "quiet_days": ["5", "6"],
        "drop_template": [str(template.pk)],
        "drop_send_at": ["2026-04-01T09:30"],
        "op": "save",
    }
    data.update(overrides)
    return data


def test_the_editor_creates_a_campaign_in_the_workspace_timezone(
    alice_client: Client, alice: User, alice_actor: Actor, pool: Pool, email_template: Template
) -> None:
    Workspace.objects.filter(pk=alice_actor.workspace.pk).update(timezone="Europe/Berlin")
    assert alice_client.get(reverse("outreach:campaign_create")).status_code == 200

    response = alice_client.post(
        reverse("outreach:campaign_create"), _post(pool, email_template, alice)
    )

    campaign = Campaign.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("outreach:campaign", args=[campaign.pk])
    assert (campaign.pool, campaign.sender, campaign.throttle_per_minute, campaign.quiet_days) == (
        pool,
        alice,
        300,
        [5, 6],
    )
    # 09:30 in Berlin (summer time from 29 March) is 07:30 UTC.
    assert list(campaign.drops.values_list("send_at", flat=True)) == [
        dt.datetime(2026, 4, 1, 7, 30, tzinfo=dt.UTC)
    ]
    edit = alice_client.get(reverse("outreach:campaign_edit", args=[campaign.pk]))
    assert [row.send_at for row in edit.context["rows"]] == ["2026-04-01T09:30"]


def test_a_drop_error_is_shown_on_its_row(
    alice_client: Client, alice: User, pool: Pool, email_template: Template
) -> None:
    response = alice_client.post(
        reverse("outreach:campaign_create"),
        _post(pool, email_template, alice, drop_send_at=["2026-02-01T09:00"]),
    )

    assert response.status_code == 422
    assert response.context["rows"][0].errors == {
        "send_at": "This time has passed; choose a time to come."
    }
    assert Campaign.objects.exists() is False


def test_add_and_remove_drops_without_javascript(
    alice_client: Client, alice: User, pool: Pool, email_template: Template
) -> None:
    url = reverse("outreach:campaign_create")

    added = alice_client.post(url, _post(pool, email_template, alice, op="add"))
    removed = alice_client.post(url, _post(pool, email_template, alice, op="remove-0"))

    assert len(added.context["rows"]) == 2
    assert removed.context["rows"] == []
    assert Campaign.objects.exists() is False


def test_the_page_offers_the_moves_of_the_table_and_shows_progress(
    alice_client: Client, campaign: Campaign, prospect: Any
) -> None:
    drop = CampaignDrop.objects.get(campaign=campaign)
    Campaign.objects.filter(pk=campaign.pk).update(status="running")
    CampaignDrop.objects.filter(pk=drop.pk).update(status="sending", recipients_total=4)
    Message.objects.create(
        workspace_id=campaign.workspace_id,
        key=f"d{drop.pk}.{prospect.pk}",
        candidate=prospect,
        channel="email",
        purpose="marketing",
        drop=drop,
        status="sent",
        sent_at=NOW,
    )

    response = alice_client.get(reverse("outreach:campaign", args=[campaign.pk]))

    assert response.status_code == 200
    assert response.context["actions"] == [("paused", "Pause"), ("cancelled", "Cancel campaign")]
    assert response.context["progress"] == {"reached": 1, "total": 4, "percent": 25}
    assert [label for label, _ in response.context["links"]] == ["Dry-run", "Export"]
    page = response.content.decode()
    assert "1 of 4 recipients reached (25%)" in page
    assert 'value="paused"' in page and 'value="scheduled"' not in page
    assert "Edit</a>" not in page  # a running campaign cannot change


def test_status_buttons_follow_the_table(alice_client: Client, campaign: Campaign) -> None:
    url = reverse("outreach:campaign_status", args=[campaign.pk])

    alice_client.post(url, {"status": "scheduled"})
    refused = alice_client.post(url, {"status": "finished"}, follow=True)

    campaign.refresh_from_db()
    assert campaign.status == "scheduled"
    assert [str(m) for m in refused.context["messages"]][-1] == (
        "A scheduled campaign cannot become finished; from scheduled it can become draft, "
        "running, paused or cancelled."
    )


def test_other_workspaces_get_404_and_auditors_403(
    charlie_client: Client, auditor_client: Client, campaign: Campaign
) -> None:
    for client, status in ((charlie_client, 404), (auditor_client, 403)):
        assert (
            client.post(
                reverse("outreach:campaign_status", args=[campaign.pk]), {"status": "scheduled"}
            ).status_code
            == status
        )
        assert (
            client.get(reverse("outreach:campaign_edit", args=[campaign.pk])).status_code == status
        )
        assert (
            client.post(reverse("outreach:campaign_delete", args=[campaign.pk])).status_code
            == status
        )
    assert charlie_client.get(reverse("outreach:campaign", args=[campaign.pk])).status_code == 404
    assert auditor_client.get(reverse("outreach:campaign", args=[campaign.pk])).status_code == 200
    campaign.refresh_from_db()
    assert campaign.status == "draft"
