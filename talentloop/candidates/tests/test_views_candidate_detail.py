"""The profile page: details, contacts, consent and the timeline; every view is audited."""

from __future__ import annotations

import re
from collections.abc import Callable
from http import HTTPStatus
from typing import Any

import pytest
from django.test import Client

from talentloop.accounts.models import User, Workspace
from talentloop.accounts.roles import Role
from talentloop.candidates.models import Candidate
from talentloop.candidates.services import add_note, delete_candidate
from talentloop.compliance.models import AuditEvent
from talentloop.core.actor import Actor


def _url(candidate_id: int) -> str:
    return f"/candidates/{candidate_id}/"


def _without_csrf(html: str) -> str:
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", html)


def _views() -> list[tuple[str, int | None, str | None]]:
    return list(
        AuditEvent.objects.filter(action="candidate.viewed")
        .order_by("id")
        .values_list("actor__email", "target_id", "ip")
    )


def test_anonymous_is_sent_to_sign_in(client: Client, candidate: Candidate) -> None:
    response = client.get(_url(candidate.pk))

    assert response.status_code == HTTPStatus.FOUND
    assert response["Location"] == f"/accounts/login/?next=/candidates/{candidate.pk}/"
    assert _views() == []


def test_shows_the_profile(alice_client: Client, candidate: Candidate) -> None:
    response = alice_client.get(_url(candidate.pk))

    assert response.status_code == HTTPStatus.OK
    html = response.content.decode()
    assert "<h1>Grace Hopper</h1>" in html
    assert '<a href="mailto:grace@navy.test">grace@navy.test</a>' in html
    assert '<a href="tel:+14155552671">+14155552671</a>' in html
    assert '<a class="tag" href="/candidates/?tag=cobol">cobol</a>' in html
    assert "<dt>Company</dt><dd>US Navy</dd>" in html
    assert "<dt>Owner</dt><dd>Alice Admin</dd>" in html
    assert response.context["consent_grid"] == [
        ("E-mail", ["none", "none"]),
        ("SMS", ["none", "none"]),
        ("Phone", ["none", "none"]),
    ]
    assert [a.summary for a in response.context["activities"]] == [
        "Added by alice@acme.test (source: Sourced)"
    ]


def test_every_view_writes_an_audit_row_with_the_ip(
    alice_client: Client, bob_client: Client, candidate: Candidate
) -> None:
    alice_client.get(_url(candidate.pk))
    alice_client.get(_url(candidate.pk), REMOTE_ADDR="203.0.113.9")
    bob_client.get(_url(candidate.pk))

    assert _views() == [
        ("alice@acme.test", candidate.pk, "127.0.0.1"),
        ("alice@acme.test", candidate.pk, "203.0.113.9"),
        ("bob@acme.test", candidate.pk, "127.0.0.1"),
    ]


def test_forwarded_for_counts_only_behind_a_trusted_proxy(
    alice_client: Client, candidate: Candidate, settings: Any
) -> None:
    url = _url(candidate.pk)
    alice_client.get(url, HTTP_X_FORWARDED_FOR="198.51.100.1", REMOTE_ADDR="10.0.0.2")
    settings.TRUSTED_PROXIES = 1
    alice_client.get(url, HTTP_X_FORWARDED_FOR="198.51.100.1", REMOTE_ADDR="10.0.0.2")

    assert [ip for _, _, ip in _views()] == ["10.0.0.2", "198.51.100.1"]


def test_other_workspace_gets_the_same_404_as_a_missing_id(
    charlie_client: Client, candidate: Candidate
) -> None:
    missing_id = candidate.pk + 1000

    foreign = charlie_client.get(_url(candidate.pk))
    missing = charlie_client.get(_url(missing_id))

    assert foreign.status_code == missing.status_code == HTTPStatus.NOT_FOUND
    assert _without_csrf(foreign.content.decode()) == _without_csrf(missing.content.decode())
    assert "Grace" not in foreign.content.decode()
    assert _views() == []


def test_deleted_candidate_is_a_404(
    alice_client: Client, alice_actor: Actor, candidate: Candidate
) -> None:
    delete_candidate(actor=alice_actor, candidate=candidate)

    response = alice_client.get(_url(candidate.pk))

    assert response.status_code == HTTPStatus.NOT_FOUND
    assert _views() == []


def test_recruiter_sees_edit_and_delete(bob_client: Client, candidate: Candidate) -> None:
    html = bob_client.get(_url(candidate.pk)).content.decode()

    assert f'href="/candidates/{candidate.pk}/edit"' in html
    assert f'action="/candidates/{candidate.pk}/delete"' in html
    assert f'action="/candidates/{candidate.pk}/notes"' in html
    assert f'action="/candidates/{candidate.pk}/consent"' in html


def test_coordinator_sees_no_edit_or_consent_controls(
    client: Client, acme: Workspace, member_factory: Callable[..., User], candidate: Candidate
) -> None:
    client.force_login(member_factory("cora@acme.test", acme, Role.COORDINATOR))

    html = client.get(_url(candidate.pk)).content.decode()

    assert f'href="/candidates/{candidate.pk}/edit"' not in html
    assert f'action="/candidates/{candidate.pk}/delete"' not in html
    assert f'action="/candidates/{candidate.pk}/consent"' not in html
    assert f'action="/candidates/{candidate.pk}/notes"' in html


def test_hiring_manager_gets_404_for_someone_elses_candidate(
    client: Client, acme: Workspace, member_factory: Callable[..., User], candidate: Candidate
) -> None:
    client.force_login(member_factory("hank@acme.test", acme, Role.HIRING_MANAGER))

    assert client.get(_url(candidate.pk)).status_code == HTTPStatus.NOT_FOUND
    assert _views() == []


def test_timeline_hides_private_notes_of_others(
    alice_client: Client,
    bob_client: Client,
    alice_actor: Actor,
    bob_actor: Actor,
    candidate: Candidate,
) -> None:
    add_note(actor=bob_actor, candidate=candidate, body="Bob's secret", visibility="private")
    add_note(actor=alice_actor, candidate=candidate, body="For the team")

    alice_page = alice_client.get(_url(candidate.pk))
    bob_page = bob_client.get(_url(candidate.pk))

    assert [a.summary for a in alice_page.context["activities"]] == [
        "For the team",
        "Added by alice@acme.test (source: Sourced)",
    ]
    assert "secret" not in alice_page.content.decode()
    assert [a.summary for a in bob_page.context["activities"]] == [
        "For the team",
        "Bob's secret",
        "Added by alice@acme.test (source: Sourced)",
    ]
    assert "<strong>private</strong>" in bob_page.content.decode()


def test_older_entries_link_pages_the_timeline(
    alice_client: Client, alice_actor: Actor, candidate: Candidate
) -> None:
    for i in range(25):
        add_note(actor=alice_actor, candidate=candidate, body=f"Note {i}")

    first = alice_client.get(_url(candidate.pk))
    (older,) = re.findall(
        r'<a href="(\?before=[^"#]+)#timeline-title">Older entries', first.content.decode()
    )
    second = alice_client.get(_url(candidate.pk) + older)

    assert [a.summary for a in first.context["activities"]][:2] == ["Note 24", "Note 23"]
    assert len(first.context["activities"]) == 25
    assert [a.summary for a in second.context["activities"]] == [
        "Added by alice@acme.test (source: Sourced)"
    ]
    assert second.context["older_cursor"] is None


@pytest.mark.parametrize("before", ["zz", "WyIyMDI2LTEzLTQ1VDAwOjAwOjAwIiwxXQ", "WzFd"])
def test_bad_timeline_cursor_shows_an_error_not_a_500(
    alice_client: Client, candidate: Candidate, before: str
) -> None:
    response = alice_client.get(_url(candidate.pk), {"before": before})

    assert response.status_code == HTTPStatus.OK
    assert '<div class="alert" role="alert">This cursor is not valid.</div>' in (
        response.content.decode()
    )
    assert [a.summary for a in response.context["activities"]] == [
        "Added by alice@acme.test (source: Sourced)"
    ]


def test_shows_every_contact_kind_the_owner_and_the_timeline_entries(
    alice_client: Client, alice_actor: Actor, candidate: Candidate
) -> None:
    import datetime as dt

    from talentloop.candidates.models import CandidateEmail
    from talentloop.candidates.services import log_touchpoint, update_candidate

    update_candidate(
        actor=alice_actor,
        candidate=candidate,
        data={
            "emails": ["grace@navy.test", "g.hopper@yale.test"],
            "phones": [{"number": "+14155552671"}],
            "links": [{"url": "https://github.com/ghopper"}],
        },
    )
    bounced = dt.datetime.now(dt.UTC)
    CandidateEmail.objects.filter(email="g.hopper@yale.test").update(bounced_at=bounced)
    User.objects.filter(email="alice@acme.test").update(full_name="")
    log_touchpoint(
        actor=alice_actor,
        candidate=candidate,
        type="call",
        summary="Said <yes> & more",
        direction="inbound",
        occurred_at=dt.datetime(2026, 5, 4, 13, 7, tzinfo=dt.UTC),
    )
    add_note(
        actor=alice_actor,
        candidate=candidate,
        body="Call back <b>soon</b>",
        remind_at=dt.datetime(2030, 1, 2, 9, 30, tzinfo=dt.UTC),
    )

    html = alice_client.get(_url(candidate.pk)).content.decode()

    assert '<dt>E-mail ★</dt><dd><a href="mailto:grace@navy.test">grace@navy.test</a>' in html
    assert (
        '<dd><a href="mailto:g.hopper@yale.test">g.hopper@yale.test</a> '
        '<span class="flag">bounced</span>'
    ) in html
    # Editors can flag each address; the bounced one offers to undo it.
    assert html.count(">Mark bounced</button>") == 1
    assert html.count(">Works again</button>") == 1
    assert "<dt>Mobile ★</dt>" in html
    assert '<dt>GitHub</dt><dd><a href="https://github.com/ghopper"' in html
    assert "<dt>Owner</dt><dd>alice</dd>" in html  # display_name: the e-mail's local part
    assert (
        '<li class="t-call"><div class="meta">Call (inbound) · '
        '<time datetime="2026-05-04T13:07:00+00:00">4 May 2026, 13:07</time> · alice</div>'
        '<div class="body">Said &lt;yes&gt; &amp; more</div></li>'
    ) in html
    assert '<div class="body">Call back &lt;b&gt;soon&lt;/b&gt;</div>' in html
    assert '<div class="meta">Reminder 2 Jan 2030, 09:30</div>' in html


def test_a_candidate_without_touchpoints_or_owner_says_so(
    alice_client: Client, alice_actor: Actor, candidate: Candidate
) -> None:
    from talentloop.candidates.models import Activity

    Activity.objects.filter(candidate=candidate).delete()
    Candidate.objects.filter(pk=candidate.pk).update(owner=None)

    html = alice_client.get(_url(candidate.pk)).content.decode()

    assert '<li class="muted">No touchpoints yet.</li>' in html
    assert "<dt>Owner</dt><dd>—</dd>" in html


def test_shows_custom_fields_in_their_order_and_the_ledger_with_who_recorded_it(
    alice_client: Client, alice_actor: Actor, bob: User, candidate_factory: Callable[..., Candidate]
) -> None:
    from talentloop.candidates.services import define_custom_field
    from talentloop.compliance.services import record_consent
    from talentloop.core.tests.fixtures import actor_for

    define_custom_field(actor=alice_actor, key="visa", label="Needs visa", field_type="boolean")
    define_custom_field(actor=alice_actor, key="level", label="Level", field_type="number")
    define_custom_field(actor=alice_actor, key="unused", label="Unused", field_type="text")
    person = candidate_factory(custom_fields={"level": 3, "visa": True})
    for actor, status in ((alice_actor, "granted"), (actor_for(bob), "withdrawn")):
        record_consent(
            actor=actor,
            candidate=person,
            channel="email",
            purpose="marketing",
            status=status,
            source="verbal",
        )

    response = alice_client.get(_url(person.pk))

    assert response.context["custom_fields"] == [("Needs visa", True), ("Level", 3)]
    html = response.content.decode()
    assert "<dt>Needs visa</dt><dd>Yes</dd><dt>Level</dt><dd>3</dd>" in html
    ledger = response.context["consent_ledger"]
    assert [(r.status, r.recorded_by.email) for r in ledger] == [
        ("withdrawn", "bob@acme.test"),
        ("granted", "alice@acme.test"),
    ]
    assert "email/marketing withdrawn via Told a recruiter by Bob Recruiter" in html
    assert response.context["consent_grid"][0] == ("E-mail", ["withdrawn", "none"])
