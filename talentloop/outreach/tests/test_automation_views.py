"""Pages under /outreach/automations/: import, export downloads, and dry-runs."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from talentloop.accounts.models import User
from talentloop.accounts.roles import Role
from talentloop.candidates.models import Candidate
from talentloop.core.actor import Actor
from talentloop.core.tests.api_helpers import stored_state
from talentloop.outreach.automation import document_json, export_sequence
from talentloop.outreach.models import Campaign, Purpose, Sequence
from talentloop.outreach.tests.test_automation_support import (
    cast_of_blockers,
    email_step,
    grant,
    make_campaign,
    make_sequence,
    make_template,
)
from talentloop.pools import services as pool_services
from talentloop.pools.models import Pool, Segment

pytestmark = pytest.mark.urls("talentloop.outreach.tests.urls_automation_test")

IMPORT = "outreach_automation:import"


@pytest.fixture
def sequence(alice_actor: Actor) -> Sequence:
    return make_sequence(
        alice_actor, [email_step(make_template(alice_actor))], purpose=Purpose.MARKETING
    )


@pytest.fixture
def document(alice_actor: Actor, sequence: Sequence) -> str:
    return document_json(export_sequence(actor=alice_actor, sequence=sequence))


@pytest.fixture
def segment(alice_actor: Actor) -> Segment:
    rules = {"all": [{"field": "last_name", "op": "eq", "value": "Test"}]}
    return pool_services.create_segment(actor=alice_actor, data={"name": "Tests", "rules": rules})


def _member(member_factory: Callable[..., User], workspace: Any, role: str) -> Client:
    client = Client()
    client.force_login(member_factory(f"{role}@acme.test", workspace, role))
    return client


def test_pasting_a_document_imports_it_and_opens_its_dry_run(
    charlie_client: Client, document: str
) -> None:
    response = charlie_client.post(
        reverse(IMPORT), {"text": document, "mode": "create"}, follow=True
    )

    imported = Sequence.objects.exclude(workspace__slug="acme").get()
    assert response.redirect_chain == [
        (reverse("outreach_automation:sequence_dry_run", args=[imported.pk]), 302)
    ]
    page = response.content.decode()
    assert "Imported the sequence “Backend outreach”. Templates: 1 created." in page
    assert "Dry-run: Backend outreach" in page


def test_uploading_a_file_imports_it(alice_client: Client, document: str) -> None:
    upload = SimpleUploadedFile("sequence.json", document.encode(), "application/json")

    response = alice_client.post(reverse(IMPORT), {"file": upload, "mode": "create"})

    assert response.status_code == 302
    assert Sequence.objects.filter(name="Backend outreach (imported 2)").exists()


@pytest.mark.parametrize(
    ("text", "shown"),
    [
        (
            "{oops",
            "Not valid JSON (line 1, column 2): Expecting property name enclosed in double quotes.",
        ),
        ("", "Upload a file or paste the document."),
        (
            '{"talentloop": "sequence", "format": 2}',
            "format: this Talentloop reads format 1, not 2",
        ),
        # Once a 500: the decoder, or a reader of the rules, ran out of stack.
        ("[" * 100_000 + "]" * 100_000, "It nests deeper than 32 levels."),
        ('{"talentloop": "sequence", "x": ' + "[" * 900 + "]" * 900 + "}", "It nests deeper"),
    ],
)
def test_a_bad_document_is_shown_with_its_problem_and_stores_nothing(
    alice_client: Client, text: str, shown: str
) -> None:
    before = stored_state()

    response = alice_client.post(reverse(IMPORT), {"text": text, "mode": "create"})

    assert response.status_code == 422
    assert shown in response.content.decode()
    assert stored_state() == before


def test_a_problem_deep_in_the_document_names_its_path(alice_client: Client, document: str) -> None:
    data = json.loads(document)
    data["sequence"]["steps"][0]["delay_days"] = "soon"

    response = alice_client.post(reverse(IMPORT), {"text": json.dumps(data), "mode": "create"})

    assert response.status_code == 422
    assert (
        "sequence.steps[0].delay_days: expected a whole number from 0 to 365"
        in response.content.decode()
    )


@pytest.mark.parametrize("role", [Role.HIRING_MANAGER, Role.AUDITOR])
def test_roles_without_outreach_cannot_open_the_import_page(
    alice_actor: Actor, member_factory: Callable[..., User], document: str, role: str
) -> None:
    client = _member(member_factory, alice_actor.workspace, role)
    before = stored_state()

    page = client.get(reverse(IMPORT))
    post = client.post(reverse(IMPORT), {"text": document, "mode": "create"})

    assert (page.status_code, post.status_code) == (403, 403)
    assert stored_state() == before


def test_the_export_link_downloads_the_document(
    alice_client: Client, sequence: Sequence, document: str
) -> None:
    response = alice_client.get(reverse("outreach_automation:sequence_export", args=[sequence.pk]))

    assert response.status_code == 200
    assert (
        response["Content-Disposition"] == 'attachment; filename="sequence-backend-outreach.json"'
    )
    exported = json.loads(response.content)
    assert {k: v for k, v in exported.items() if k != "exported_at"} == {
        k: v for k, v in json.loads(document).items() if k != "exported_at"
    }


def test_the_dry_run_page_shows_totals_recipients_and_skipped_people(
    alice_client: Client,
    alice_actor: Actor,
    bob_actor: Actor,
    candidate_factory: Callable[..., Candidate],
    sequence: Sequence,
    segment: Segment,
) -> None:
    people = cast_of_blockers(alice_actor, bob_actor, candidate_factory)
    url = reverse("outreach_automation:sequence_dry_run", args=[sequence.pk])
    before = stored_state()

    empty = alice_client.get(url)
    response = alice_client.get(url, {"audience": "segment", "segment": str(segment.pk)})

    assert empty.status_code == 200
    assert "Gets every message" not in empty.content.decode()
    assert response.status_code == 200
    page = response.content.decode()
    assert "Segment “Tests”: 9 people" in page
    for label in ("Gets every message", "Do not contact", "Suppressed address", "Frequency cap"):
        assert label in page
    assert "width: 100.0%" in page  # the longest bar; the others are a share of it
    assert f'href="/candidates/{people["ok"].pk}/"' in page
    assert "Hi Ok" in page  # the rendered subject
    assert "The address is on the suppression list" in page
    assert stored_state() == before


def test_the_dry_run_page_reads_the_start_in_the_workspaces_timezone(
    alice_client: Client,
    alice_actor: Actor,
    candidate_factory: Callable[..., Candidate],
    sequence: Sequence,
) -> None:
    person = candidate_factory(first_name="Tia", emails=["tia@example.test"], timezone="Asia/Tokyo")
    grant(alice_actor, person)
    url = reverse("outreach_automation:sequence_dry_run", args=[sequence.pk])

    # Saturday 10:00 in UTC (the workspace's zone): Monday 09:00 in Tokyo.
    response = alice_client.get(
        url, {"audience": "ids", "ids": str(person.pk), "start": "2030-03-02T10:00"}
    )

    assert response.status_code == 200
    page = response.content.decode()
    assert 'datetime="2030-03-04T00:00:00+00:00"' in page
    assert "Mon 4 Mar 09:00" in page
    assert "Asia/Tokyo" in page


@pytest.mark.parametrize(
    ("query", "shown"),
    [
        ({"audience": "segment"}, "Choose a segment."),
        ({"audience": "ids", "ids": "1, two"}, "Candidate ids are whole numbers."),
        ({"audience": "segment", "segment": "999999"}, "Select a valid choice."),
    ],
)
def test_a_bad_audience_is_a_form_error(
    alice_client: Client, sequence: Sequence, query: dict[str, str], shown: str
) -> None:
    url = reverse("outreach_automation:sequence_dry_run", args=[sequence.pk])

    response = alice_client.get(url, query)

    assert response.status_code == 422
    assert shown in response.content.decode()


def test_another_workspaces_pages_are_404(
    charlie_client: Client, sequence: Sequence, alice_actor: Actor, pool: Pool
) -> None:
    news = make_template(alice_actor, "News")
    campaign = make_campaign(
        alice_actor, [(news, timezone.now() + dt.timedelta(days=1))], pool_id=pool.pk
    )
    urls = [
        reverse("outreach_automation:sequence_dry_run", args=[sequence.pk]),
        reverse("outreach_automation:sequence_export", args=[sequence.pk]),
        reverse("outreach_automation:campaign_dry_run", args=[campaign.pk]),
        reverse("outreach_automation:campaign_export", args=[campaign.pk]),
    ]

    assert [charlie_client.get(url).status_code for url in urls] == [404] * 4


def test_the_campaign_dry_run_page_shows_each_drop(
    alice_client: Client,
    alice_actor: Actor,
    candidate_factory: Callable[..., Candidate],
    pool: Pool,
) -> None:
    person = candidate_factory(first_name="Pat", emails=["pat@example.test"])
    grant(alice_actor, person)
    pool_services.add_to_pool(actor=alice_actor, pool=pool, candidate=person)
    news = make_template(alice_actor, "News", subject="News for {{ candidate.first_name }}")
    campaign: Campaign = make_campaign(
        alice_actor, [(news, timezone.now() + dt.timedelta(days=1))], pool_id=pool.pk
    )

    response = alice_client.get(reverse("outreach_automation:campaign_dry_run", args=[campaign.pk]))

    assert response.status_code == 200
    page = response.content.decode()
    assert "Pool “Backend engineers”: 1 person" in page
    assert "News for Pat" in page
    assert "Drops" in page


def test_the_dry_run_page_links_back_to_the_sequence(
    alice_client: Client, sequence: Sequence
) -> None:
    response = alice_client.get(reverse("outreach_automation:sequence_dry_run", args=[sequence.pk]))

    back = reverse("outreach:sequence", args=[sequence.pk])
    assert f'<a class="button secondary" href="{back}">Back to the sequence</a>' in (
        response.content.decode()
    )
