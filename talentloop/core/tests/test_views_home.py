"""The home page: my reminders (with the due flag) and the team's recent activity."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from http import HTTPStatus
from typing import Any

import pytest
import time_machine
from django.test import Client

from talentloop.accounts.models import User
from talentloop.candidates.models import Candidate, Note
from talentloop.candidates.services import add_note, complete_reminder
from talentloop.core.actor import Actor

NOW = dt.datetime(2026, 3, 10, 12, 0, tzinfo=dt.UTC)


@pytest.fixture(autouse=True)
def _frozen() -> Iterator[None]:
    with time_machine.travel(NOW, tick=False):
        yield


def _reminder(actor: Actor, candidate: Candidate, body: str, delta: dt.timedelta) -> Note:
    return add_note(actor=actor, candidate=candidate, body=body, remind_at=NOW + delta)


def _section(html: str, start_id: str, end_id: str) -> str:
    return html[html.index(f'id="{start_id}"') : html.index(f'id="{end_id}"')]


def test_anonymous_is_sent_to_sign_in(client: Client) -> None:
    response = client.get("/")

    assert response.status_code == HTTPStatus.FOUND
    assert response["Location"] == "/accounts/login/?next=/"


def test_lists_only_my_open_reminders_of_the_next_7_days_with_due_flag(
    alice_client: Client, alice_actor: Actor, bob_actor: Actor, candidate: Candidate
) -> None:
    _reminder(alice_actor, candidate, "Call back in 3 days", dt.timedelta(days=3))
    _reminder(alice_actor, candidate, "Overdue follow-up", -dt.timedelta(hours=2))
    _reminder(alice_actor, candidate, "Next month", dt.timedelta(days=30))
    done = _reminder(alice_actor, candidate, "Already done", -dt.timedelta(days=1))
    complete_reminder(actor=alice_actor, note=done)
    _reminder(bob_actor, candidate, "Bob's own reminder", dt.timedelta(days=1))

    response = alice_client.get("/")

    assert response.status_code == HTTPStatus.OK
    assert [(note.body, is_due) for note, is_due in response.context["reminders"]] == [
        ("Overdue follow-up", True),
        ("Call back in 3 days", False),
    ]
    reminders_html = _section(response.content.decode(), "reminders-title", "recent-title")
    assert reminders_html.count('<span class="flag">Due</span>') == 1
    assert "Overdue follow-up" in reminders_html
    assert "Bob&#x27;s own reminder" not in reminders_html
    assert "Next month" not in reminders_html


def test_reminder_due_exactly_now_is_flagged_due(
    alice_client: Client, alice_actor: Actor, candidate: Candidate
) -> None:
    _reminder(alice_actor, candidate, "Right now", dt.timedelta(0))

    response = alice_client.get("/")

    assert [(n.body, due) for n, due in response.context["reminders"]] == [("Right now", True)]


def test_bob_sees_his_reminders_not_alices(
    bob_client: Client, alice_actor: Actor, bob_actor: Actor, candidate: Candidate
) -> None:
    _reminder(alice_actor, candidate, "Alice's reminder", dt.timedelta(days=1))
    _reminder(bob_actor, candidate, "Bob's reminder", dt.timedelta(days=2))

    response = bob_client.get("/")

    assert [(n.body, due) for n, due in response.context["reminders"]] == [
        ("Bob's reminder", False)
    ]


def test_recent_activity_hides_private_notes_of_others(
    alice_client: Client,
    bob_client: Client,
    alice_actor: Actor,
    bob_actor: Actor,
    candidate: Candidate,
) -> None:
    add_note(actor=bob_actor, candidate=candidate, body="Bob private", visibility="private")
    add_note(actor=alice_actor, candidate=candidate, body="Alice private", visibility="private")
    add_note(actor=bob_actor, candidate=candidate, body="Team note from Bob")

    alice_home = alice_client.get("/")
    bob_home = bob_client.get("/")

    assert [a.summary for a in alice_home.context["activities"]] == [
        "Team note from Bob",
        "Alice private",
        "Added by alice@acme.test (source: Sourced)",
    ]
    assert [a.summary for a in bob_home.context["activities"]] == [
        "Team note from Bob",
        "Bob private",
        "Added by alice@acme.test (source: Sourced)",
    ]
    assert "Bob private" not in alice_home.content.decode()


def test_charlie_sees_nothing_of_acme(
    charlie_client: Client,
    alice_actor: Actor,
    candidate: Candidate,
    charlie_candidate: Candidate,
) -> None:
    _reminder(alice_actor, candidate, "Acme reminder", dt.timedelta(days=1))

    response = charlie_client.get("/")

    assert response.context["reminders"] == []
    assert [a.candidate_id for a in response.context["activities"]] == [charlie_candidate.pk]
    assert "Grace Hopper" not in response.content.decode()


def test_signed_in_user_without_workspace_gets_explanation(
    client: Client,
    db: None,
) -> None:
    loner = User.objects.create_user("loner@example.test", "pw-loner-12345")
    client.force_login(loner)

    response = client.get("/")

    assert response.status_code == HTTPStatus.FORBIDDEN
    assert "No workspace yet" in response.content.decode()


def test_the_navigation_links_every_section(alice_client: Client) -> None:
    from django.urls import reverse

    response = alice_client.get("/candidates/")

    html = response.content.decode()
    assert response.status_code == HTTPStatus.OK
    for view in ("core:home", "candidates:list", "search:search", "pools:list", "jobs:list"):
        assert f'href="{reverse(view)}"' in html, view
    assert 'href="/candidates/" aria-current="page">Candidates' in html
    assert f'action="{reverse("accounts:logout")}"' in html
    assert f'href="{reverse("accounts:api_keys")}"' in html  # alice is an admin


def test_the_navigation_follows_the_site_prefix(rf: Any) -> None:
    """Behind a proxy that mounts the site under a path, the links carry it."""
    from django.urls import set_script_prefix

    from talentloop.accounts.context_processors import workspace

    try:
        set_script_prefix("/talent/")
        mounted = workspace(rf.get("/"))["nav"]
    finally:
        set_script_prefix("/")
    plain = workspace(rf.get("/"))["nav"]

    assert (mounted["home"], mounted["candidates"]) == ("/talent/", "/talent/candidates/")
    assert (plain["home"], plain["candidates"]) == ("/", "/candidates/")


@pytest.mark.parametrize(("role", "offered"), [("recruiter", True), ("auditor", False)])
def test_an_empty_feed_offers_adding_a_candidate_only_to_who_may(
    client: Client, acme: Any, member_factory: Any, role: str, offered: bool
) -> None:
    client.force_login(member_factory("dana@acme.test", acme, role))

    response = client.get("/")

    assert response.status_code == HTTPStatus.OK
    assert ('href="/candidates/new"' in response.content.decode()) is offered
