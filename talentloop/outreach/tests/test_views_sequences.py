"""The outreach home, the sequence builder and the sequence page."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from talentloop.candidates.models import Candidate
from talentloop.core.actor import Actor
from talentloop.core.tests.api_helpers import MISSING_ID
from talentloop.outreach import services
from talentloop.outreach.models import Enrollment, Message, Sequence, Template

pytestmark = pytest.mark.urls("talentloop.outreach.tests.urls_outreach_test")


def _builder_post(template: Template, **overrides: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "name": "Data engineers",
        "description": "",
        "purpose": "recruiting",
        "job": "",
        "stop_on": ["reply"],
        "reentry": "never",
        "reentry_days": "",
        "step_channel": ["email", "linkedin_task"],
        "step_delay_days": ["0", "3"],
        "step_business_days": ["1", "0"],
        "step_window_start": ["08:00", ""],
        "step_window_end": ["12:00", ""],
        "step_template": [str(template.pk), ""],
        "step_instructions": ["", "Connect and say hi."],
        "step_sender": ["owner", "owner"],
        "step_sender_user": ["", ""],
        "op": "save",
    }
    data.update(overrides)
    return data


def test_home_lists_sequences_and_campaigns_with_key_numbers(
    alice_client: Client,
    alice_actor: Actor,
    sequence: Sequence,
    campaign: Any,
    prospect: Candidate,
) -> None:
    services.enroll(actor=alice_actor, sequence=sequence, candidate_ids=[prospect.pk])

    response = alice_client.get(reverse("outreach:home"))

    assert response.status_code == 200
    (row,) = response.context["sequences"]
    assert (row.sequence, row.steps, row.active) == (sequence, 2, 1)
    assert [r.campaign for r in response.context["campaigns"]] == [campaign]
    page = response.content.decode()
    assert "Backend outreach" in page and "Spring newsletter" in page
    assert 'href="/outreach/sequences/new"' in page


def test_the_builder_creates_a_sequence_with_its_steps(
    alice_client: Client, email_template: Template
) -> None:
    assert alice_client.get(reverse("outreach:sequence_create")).status_code == 200

    response = alice_client.post(reverse("outreach:sequence_create"), _builder_post(email_template))

    sequence = Sequence.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("outreach:sequence", args=[sequence.pk])
    assert [
        (s.channel, s.delay_days, s.business_days, s.window_start, s.template_id, s.instructions)
        for s in sequence.steps.order_by("position")
    ] == [
        ("email", 0, True, dt.time(8, 0), email_template.pk, ""),
        ("linkedin_task", 3, False, None, None, "Connect and say hi."),
    ]


def test_builder_buttons_work_without_javascript(
    alice_client: Client, email_template: Template
) -> None:
    url = reverse("outreach:sequence_create")

    added = alice_client.post(url, _builder_post(email_template, op="add"))
    moved = alice_client.post(url, _builder_post(email_template, op="down-0"))
    removed = alice_client.post(url, _builder_post(email_template, op="remove-0"))

    assert [r.channel for r in added.context["rows"]] == ["email", "linkedin_task", "email"]
    assert [r.channel for r in moved.context["rows"]] == ["linkedin_task", "email"]
    assert [r.channel for r in removed.context["rows"]] == ["linkedin_task"]
    assert added.status_code == moved.status_code == removed.status_code == 200
    assert Sequence.objects.exists() is False


def test_a_step_error_is_shown_on_its_row(
    alice_client: Client, email_template: Template, sms_template: Template
) -> None:
    response = alice_client.post(
        reverse("outreach:sequence_create"),
        _builder_post(email_template, step_template=[str(sms_template.pk), ""]),
    )

    assert response.status_code == 422
    rows = response.context["rows"]
    assert rows[0].errors == {
        "template": "Text nudge is an SMS template; an e-mail step needs an e-mail template."
    }
    assert rows[1].errors == {}
    assert "an e-mail step needs an e-mail template" in response.content.decode()
    assert Sequence.objects.exists() is False


def test_a_settings_error_is_shown_on_its_field(
    alice_client: Client, email_template: Template
) -> None:
    response = alice_client.post(
        reverse("outreach:sequence_create"),
        _builder_post(email_template, reentry="after_days"),
    )

    assert response.status_code == 422
    assert response.context["form"].errors["reentry_days"] == [
        "Say after how many days someone may enter again."
    ]


def test_the_builder_edits_a_sequence(
    alice_client: Client, sequence_factory: Callable[..., Sequence], email_template: Template
) -> None:
    sequence = sequence_factory()
    url = reverse("outreach:sequence_edit", args=[sequence.pk])
    page = alice_client.get(url)
    assert [r.channel for r in page.context["rows"]] == ["email", "linkedin_task"]

    response = alice_client.post(url, _builder_post(email_template, name="Renamed"))

    sequence.refresh_from_db()
    assert response.status_code == 302
    assert (sequence.name, sequence.version) == ("Renamed", 2)


def test_the_sequence_page_shows_steps_funnel_and_enrolments(
    alice_client: Client,
    alice_actor: Actor,
    sequence: Sequence,
    prospect_factory: Callable[..., Candidate],
) -> None:
    first, second = prospect_factory(), prospect_factory()
    services.enroll(actor=alice_actor, sequence=sequence, candidate_ids=[first.pk, second.pk])
    services.stop_enrollment(actor=alice_actor, enrollment=Enrollment.objects.get(candidate=second))
    step = sequence.steps.get(position=0)
    Message.objects.create(
        workspace=alice_actor.workspace,
        key="test-1",
        candidate=first,
        channel="email",
        purpose="recruiting",
        enrollment=Enrollment.objects.get(candidate=first),
        step=step,
        status="sent",
        sent_at=timezone.now(),
        opened_at=timezone.now(),
    )

    response = alice_client.get(reverse("outreach:sequence", args=[sequence.pk]))

    assert response.status_code == 200
    assert [(r.full_name, r.status, r.stop_label) for r in response.context["enrollments"]] == [
        (second.full_name, "stopped", "Stopped by a teammate"),
        (first.full_name, "active", ""),
    ]
    funnel = response.context["funnel"]
    assert [(row.counts["sent"], row.counts["opened"]) for row in funnel] == [(1, 1), (0, 0)]
    page = response.content.decode()
    assert 'aria-label="Step 1 · E-mail' in page and ", opened: 1" in page
    assert '<meter min="0" max="1" value="1"' in page
    assert response.context["actions"] == [("paused", "Pause"), ("archived", "Archive")]
    assert response.context["links"] == [
        ("Dry-run", f"/outreach/automations/sequences/{sequence.pk}/dry-run"),
        ("Export", f"/outreach/automations/sequences/{sequence.pk}/export"),
    ]

    stopped = alice_client.get(reverse("outreach:sequence", args=[sequence.pk]) + "?status=stopped")
    assert [r.full_name for r in stopped.context["enrollments"]] == [second.full_name]


def test_status_buttons_move_the_sequence(alice_client: Client, sequence: Sequence) -> None:
    url = reverse("outreach:sequence_status", args=[sequence.pk])

    paused = alice_client.post(url, {"status": "paused"})
    illegal = alice_client.post(url, {"status": "draft"}, follow=True)

    sequence.refresh_from_db()
    assert paused.status_code == 302
    assert sequence.status == "paused"
    assert [str(m) for m in illegal.context["messages"]] == [
        "Backend outreach is paused.",
        "A paused sequence cannot become draft; from paused it can become active or archived.",
    ]


def test_enrolment_buttons_pause_resume_and_stop(
    alice_client: Client, alice_actor: Actor, sequence: Sequence, prospect: Candidate
) -> None:
    services.enroll(actor=alice_actor, sequence=sequence, candidate_ids=[prospect.pk])
    enrollment = Enrollment.objects.get()

    for action, status in (("pause", "paused"), ("resume", "active"), ("stop", "stopped")):
        url = reverse("outreach:enrollment_action", args=[enrollment.pk, action])
        assert alice_client.post(url).status_code == 302
        enrollment.refresh_from_db()
        assert enrollment.status == status
    assert (
        alice_client.post(
            reverse("outreach:enrollment_action", args=[enrollment.pk, "explode"])
        ).status_code
        == 404
    )


def test_delete_refuses_a_sequence_with_history(
    alice_client: Client, alice_actor: Actor, sequence: Sequence, prospect: Candidate
) -> None:
    services.enroll(actor=alice_actor, sequence=sequence, candidate_ids=[prospect.pk])

    response = alice_client.post(
        reverse("outreach:sequence_delete", args=[sequence.pk]), follow=True
    )

    assert Sequence.objects.filter(pk=sequence.pk).exists()
    assert "archive it instead" in str(next(iter(response.context["messages"])))


def test_other_workspaces_get_404(
    charlie_client: Client, sequence: Sequence, alice_actor: Actor, prospect: Candidate
) -> None:
    services.enroll(actor=alice_actor, sequence=sequence, candidate_ids=[prospect.pk])
    enrollment = Enrollment.objects.get()

    for url in (
        reverse("outreach:sequence", args=[sequence.pk]),
        reverse("outreach:sequence_edit", args=[sequence.pk]),
        reverse("outreach:enroll", args=[sequence.pk]),
        reverse("outreach:sequence", args=[MISSING_ID]),
    ):
        assert charlie_client.get(url).status_code == 404
    for url in (
        reverse("outreach:sequence_status", args=[sequence.pk]),
        reverse("outreach:sequence_delete", args=[sequence.pk]),
        reverse("outreach:enrollment_action", args=[enrollment.pk, "stop"]),
    ):
        assert charlie_client.post(url, {"status": "paused"}).status_code == 404
    sequence.refresh_from_db()
    enrollment.refresh_from_db()
    assert (sequence.status, enrollment.status) == ("active", "active")


def test_auditors_see_pages_without_write_buttons_and_cannot_write(
    auditor_client: Client, sequence: Sequence, email_template: Template
) -> None:
    page = auditor_client.get(reverse("outreach:sequence", args=[sequence.pk]))
    home = auditor_client.get(reverse("outreach:home"))

    assert page.status_code == home.status_code == 200
    assert "Enrol people" not in page.content.decode()
    assert "New sequence" not in home.content.decode()
    assert auditor_client.get(reverse("outreach:sequence_create")).status_code == 403
    assert (
        auditor_client.post(
            reverse("outreach:sequence_create"), _builder_post(email_template)
        ).status_code
        == 403
    )
    assert (
        auditor_client.post(
            reverse("outreach:sequence_status", args=[sequence.pk]), {"status": "paused"}
        ).status_code
        == 403
    )
    assert Sequence.objects.count() == 1
    sequence.refresh_from_db()
    assert sequence.status == "active"


def test_hiring_managers_cannot_open_outreach(
    hiring_manager_client: Client, sequence: Sequence
) -> None:
    assert hiring_manager_client.get(reverse("outreach:home")).status_code == 403
    assert (
        hiring_manager_client.get(reverse("outreach:sequence", args=[sequence.pk])).status_code
        == 403
    )


def test_the_builder_script_is_served(alice_client: Client) -> None:
    page = alice_client.get(reverse("outreach:sequence_create")).content.decode()

    assert '<script src="/static/outreach/sequence-builder.js" defer></script>' in page
    assert '<template id="step-row-template">' in page
    assert 'value="up-__i__"' in page


def test_list_pages_cost_the_same_number_of_queries_for_more_rows(
    alice_client: Client,
    alice_actor: Actor,
    sequence_factory: Callable[..., Sequence],
    campaign_factory: Callable[..., Any],
    prospect_factory: Callable[..., Candidate],
    django_assert_num_queries: Any,
) -> None:
    busy = sequence_factory(name="Busy", status="active")
    people = [prospect_factory() for _ in range(3)]
    services.enroll(actor=alice_actor, sequence=busy, candidate_ids=[p.pk for p in people])
    campaign_factory()
    home, detail = reverse("outreach:home"), reverse("outreach:sequence", args=[busy.pk])
    alice_client.get(home)

    with django_assert_num_queries(HOME_QUERIES):
        alice_client.get(home)
    with django_assert_num_queries(DETAIL_QUERIES):
        alice_client.get(detail)
    for _ in range(3):
        sequence_factory()
        campaign_factory()
    more = [prospect_factory() for _ in range(3)]
    services.enroll(actor=alice_actor, sequence=busy, candidate_ids=[p.pk for p in more])
    with django_assert_num_queries(HOME_QUERIES):
        alice_client.get(home)
    with django_assert_num_queries(DETAIL_QUERIES):
        alice_client.get(detail)


# Session, user and membership, then a fixed set of the page's own reads: on the home page
# three for the sequences and three for the campaigns (with the outreach settings); on the
# sequence page its steps, a page of enrolments, the funnel's one aggregate and the counts.
HOME_QUERIES = 10
DETAIL_QUERIES = 10
