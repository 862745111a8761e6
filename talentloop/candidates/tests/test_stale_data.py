"""Stale-data rules end to end: the queue, the profile warning, marking contacts, confirming a
profile current, and the workspace's setting."""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from talentloop.accounts.models import Workspace
from talentloop.candidates import selectors, services
from talentloop.candidates.models import Activity, Candidate
from talentloop.compliance.models import AuditEvent
from talentloop.core.actor import Actor
from talentloop.core.errors import Forbidden, InvalidInput
from talentloop.core.tests.api_helpers import (
    MISSING_ID,
    assert_like_missing,
    assert_refused,
    call,
    error,
)

MakeCandidate = Callable[..., Candidate]


def _age(candidate: Candidate, days: int) -> Candidate:
    Candidate.objects.filter(pk=candidate.pk).update(
        updated_at=timezone.now() - dt.timedelta(days=days)
    )
    candidate.refresh_from_db()
    return candidate


@pytest.fixture
def people(candidate_factory: MakeCandidate) -> dict[str, Candidate]:
    return {
        "fresh": candidate_factory(first_name="Fresh", emails=["fresh@example.test"]),
        "old": _age(candidate_factory(first_name="Old"), 400),
        "older": _age(candidate_factory(first_name="Older"), 800),
        "bounced": candidate_factory(first_name="Bounce", emails=["b@example.test"]),
        "badphone": candidate_factory(first_name="Phone", phones=[{"number": "+1 415 555 2671"}]),
    }


def test_the_queue_lists_each_rule_oldest_first(
    alice_actor: Actor, people: dict[str, Candidate]
) -> None:
    services.set_email_bounced(
        actor=alice_actor, candidate=people["bounced"], email="B@example.test", bounced=True
    )
    services.set_phone_invalid(
        actor=alice_actor, candidate=people["badphone"], number="(415) 555-2671", invalid=True
    )

    page, cursor = selectors.needs_refresh(alice_actor)
    assert [c.first_name for c in page] == ["Older", "Old", "Bounce", "Phone"]
    assert cursor is None
    assert selectors.refresh_counts(alice_actor) == {
        "not_refreshed": 2,
        "email_bounced": 1,
        "phone_invalid": 1,
    }
    only_old, _ = selectors.needs_refresh(alice_actor, reason="not_refreshed")
    assert [c.first_name for c in only_old] == ["Older", "Old"]


def test_pages_follow_the_cursor(alice_actor: Actor, people: dict[str, Candidate]) -> None:
    first, cursor = selectors.needs_refresh(alice_actor, limit=1)
    assert cursor
    second, last = selectors.needs_refresh(alice_actor, cursor=cursor, limit=1)

    assert [c.first_name for c in first + second] == ["Older", "Old"]
    assert last is None


def test_confirming_takes_a_profile_off_the_queue_with_timeline_and_audit(
    alice_actor: Actor, people: dict[str, Candidate]
) -> None:
    services.confirm_current(actor=alice_actor, candidate=people["old"])

    page, _ = selectors.needs_refresh(alice_actor)
    assert [c.first_name for c in page] == ["Older"]
    activity = Activity.objects.filter(candidate=people["old"]).latest("id")
    assert activity.summary == "Confirmed the profile is up to date"
    assert AuditEvent.objects.filter(
        target_id=people["old"].pk, extra={"confirmed_current": True}
    ).exists()


def test_a_workspace_setting_of_zero_turns_the_age_rule_off(
    alice_actor: Actor, people: dict[str, Candidate]
) -> None:
    from talentloop.accounts.services import update_workspace_settings

    update_workspace_settings(actor=alice_actor, stale_after_months=0)

    assert selectors.needs_refresh(alice_actor)[0] == []
    assert selectors.needs_refresh(alice_actor, reason="not_refreshed")[0] == []
    assert AuditEvent.objects.filter(
        action="workspace.changed", changes={"stale_after_months": [12, 0]}
    ).exists()


def test_marking_is_idempotent_and_reversible(
    alice_actor: Actor, people: dict[str, Candidate]
) -> None:
    candidate = people["bounced"]
    for _ in range(2):
        services.set_email_bounced(
            actor=alice_actor, candidate=candidate, email="b@example.test", bounced=True
        )
    assert Activity.objects.filter(candidate=candidate, type="email_bounced").count() == 1

    services.set_email_bounced(
        actor=alice_actor, candidate=candidate, email="b@example.test", bounced=False
    )
    assert selectors.stale_reasons_for(alice_actor, candidate) == []


def test_bad_contacts_and_roles_are_refused(
    alice_actor: Actor, people: dict[str, Candidate], acme: Workspace, member_factory: Any
) -> None:
    from talentloop.accounts.roles import Role
    from talentloop.core.tests.fixtures import actor_for

    with pytest.raises(InvalidInput, match="not one of this candidate's e-mails"):
        services.set_email_bounced(
            actor=alice_actor, candidate=people["fresh"], email="b@example.test", bounced=True
        )
    with pytest.raises(InvalidInput) as raised:
        services.set_phone_invalid(
            actor=alice_actor, candidate=people["fresh"], number="not a phone", invalid=True
        )
    assert raised.value.field == "number"
    coordinator = actor_for(member_factory("co@acme.test", acme, Role.COORDINATOR))
    with pytest.raises(Forbidden):
        services.confirm_current(actor=coordinator, candidate=people["old"])
    with pytest.raises(Forbidden):
        from talentloop.accounts.services import update_workspace_settings

        update_workspace_settings(
            actor=actor_for(member_factory("r@acme.test", acme, Role.RECRUITER)),
            stale_after_months=3,
        )


# --- API -------------------------------------------------------------------------------------


def test_api_queue_freshness_and_marks(alice_client: Client, people: dict[str, Candidate]) -> None:
    old = people["old"]
    reasons = call(alice_client, "get", f"/candidates/{old.pk}/freshness").json()["reasons"]
    assert [r["code"] for r in reasons] == ["not_refreshed"]

    marked = call(
        alice_client,
        "post",
        f"/candidates/{people['fresh'].pk}/email-status",
        {"email": "fresh@example.test", "bounced": True},
    ).json()
    assert marked["reasons"] == [
        {"code": "email_bounced", "message": "E-mail to fresh@example.test bounced."}
    ]

    queue = call(alice_client, "get", "/candidate-refresh-queue?reason=email_bounced").json()
    assert [i["full_name"] for i in queue["items"]] == [people["fresh"].full_name]
    assert queue["counts"]["not_refreshed"] == 2

    confirmed = call(alice_client, "post", f"/candidates/{old.pk}/confirm-current").json()
    assert confirmed["reasons"] == []


def test_api_bad_input(alice_client: Client, people: dict[str, Candidate]) -> None:
    assert_refused(
        alice_client,
        "get",
        "/candidate-refresh-queue?reason=ancient",
        status=422,
        body=error(
            "invalid", "Reason is one of: not_refreshed, email_bounced, phone_invalid.", "reason"
        ),
    )
    assert_refused(
        alice_client,
        "get",
        "/candidate-refresh-queue?cursor=garbage",
        status=422,
        body=error("invalid", "This cursor is not valid.", "cursor"),
    )
    assert_refused(
        alice_client,
        "post",
        f"/candidates/{people['fresh'].pk}/phone-status",
        {"number": "+1 415 555 2671", "invalid": True},
        status=422,
        body=error("invalid", "+14155552671 is not one of this candidate's numbers.", "number"),
    )
    assert_refused(
        alice_client,
        "patch",
        "/workspace",
        {"stale_after_months": 500},
        status=422,
        body=error(
            "invalid", "Must be a whole number of months from 0 to 120.", "stale_after_months"
        ),
    )


def test_api_other_workspaces_candidates_look_missing(
    charlie_client: Client, people: dict[str, Candidate]
) -> None:
    old = people["old"]
    for method, path, data in (
        ("get", "freshness", None),
        ("post", "confirm-current", None),
        ("post", "email-status", {"email": "x@example.test", "bounced": True}),
    ):
        assert_like_missing(
            functools.partial(call, charlie_client, method, f"/candidates/{old.pk}/{path}", data),
            functools.partial(
                call, charlie_client, method, f"/candidates/{MISSING_ID}/{path}", data
            ),
            body=error("not_found", "No such candidate."),
        )
    assert call(charlie_client, "get", "/candidate-refresh-queue").json()["items"] == []


# --- pages -----------------------------------------------------------------------------------


def test_the_profile_warns_and_offers_to_confirm(
    alice_client: Client, people: dict[str, Candidate]
) -> None:
    old = people["old"]
    page = alice_client.get(f"/candidates/{old.pk}/")
    assert b"Needs refresh before outreach." in page.content

    alice_client.post(f"/candidates/{old.pk}/confirm-current")

    assert (
        b"Needs refresh before outreach." not in alice_client.get(f"/candidates/{old.pk}/").content
    )


def test_the_profile_marks_a_phone_invalid(
    alice_client: Client, people: dict[str, Candidate]
) -> None:
    candidate = people["badphone"]
    response = alice_client.post(
        f"/candidates/{candidate.pk}/contact-status", {"number": "+14155552671", "flag": "on"}
    )

    assert response.status_code == 302
    page = alice_client.get(f"/candidates/{candidate.pk}/").content
    assert b"+14155552671 was marked invalid." in page
    assert b"Works again" in page


def test_the_queue_page(alice_client: Client, people: dict[str, Candidate]) -> None:
    page = alice_client.get("/candidates/refresh/")
    assert page.status_code == 200
    assert b"Older" in page.content and b"Fresh" not in page.content
    assert alice_client.get("/candidates/refresh/?cursor=nonsense").status_code == 422

    alice_client.post("/candidates/refresh/settings", {"stale_after_months": "24"})
    page = alice_client.get("/candidates/refresh/")
    assert f'/candidates/{people["older"].pk}/"'.encode() in page.content  # 800 days
    assert f'/candidates/{people["old"].pk}/"'.encode() not in page.content  # 400 days


def test_the_queue_page_setting_rejects_nonsense(alice_client: Client, acme: Workspace) -> None:
    alice_client.post("/candidates/refresh/settings", {"stale_after_months": "-3"})
    acme.refresh_from_db()
    assert acme.stale_after_months == 12
