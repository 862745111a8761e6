"""Bulk "Enrol in sequence": the selection is handed to outreach's own enrolment check."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from django.test import Client
from django.urls import reverse

from talentloop.accounts.roles import Role
from talentloop.candidates.models import Candidate
from talentloop.core.actor import Actor
from talentloop.outreach.models import Enrollment, Sequence
from talentloop.pools import services, views
from talentloop.pools.models import BulkAction, Pool

BULK = "/pools/bulk/"


@pytest.fixture
def people(
    prospect_factory: Callable[..., Candidate], candidate_factory: Callable[..., Candidate]
) -> list[Candidate]:
    """Two who agreed to e-mail, and one with no address (skipped by the check)."""
    return [
        prospect_factory(first_name="Kay", current_title="Welder"),
        prospect_factory(first_name="Lee", current_title="Welder"),
        candidate_factory(first_name="Mo", current_title="Welder"),
    ]


def enroll(client: Client, sequence: Sequence | int, **selection: Any) -> Any:
    sequence_id = sequence if isinstance(sequence, int) else sequence.pk
    return client.post(BULK, {**selection, "kind": "enroll", "sequence": sequence_id})


def audience(response: Any) -> dict[str, list[str]]:
    return parse_qs(urlsplit(response["Location"]).query)


def test_ticked_people_go_to_the_enrolment_check_then_get_enrolled(
    alice_client: Client, sequence: Sequence, people: list[Candidate]
) -> None:
    response = enroll(alice_client, sequence, select="ids", ids=[p.pk for p in people])

    assert response.status_code == 302
    assert urlsplit(response["Location"]).path == reverse("outreach:enroll", args=[sequence.pk])
    assert audience(response) == {"candidate": [str(p.pk) for p in people]}
    check = alice_client.get(response["Location"])
    assert check.status_code == 200
    report = check.context["report"]
    assert (report.dry_run, report.counts["enrolled"], report.counts["skipped"]) == (True, 2, 1)
    assert "Will be enrolled" in check.content.decode() and "Skipped" in check.content.decode()
    assert not Enrollment.objects.exists()  # the check writes nothing

    done = alice_client.post(response["Location"].split("?")[0], audience(response))
    assert done.status_code == 302
    assert sorted(Enrollment.objects.values_list("candidate__first_name", flat=True)) == [
        "Kay",
        "Lee",
    ]
    assert not BulkAction.objects.exists()


def test_a_segment_or_a_whole_pool_passes_as_itself(
    alice_client: Client,
    alice_actor: Actor,
    sequence: Sequence,
    people: list[Candidate],
    pool: Pool,
) -> None:
    segment = services.create_segment(
        actor=alice_actor,
        data={"name": "Welders", "rules": {"all": [{"field": "title", "op": "contains",
                                                     "value": "welder"}]}},
    )  # fmt: skip
    response = enroll(alice_client, sequence, select="segment", segment=segment.pk)
    assert audience(response) == {"segment": [str(segment.pk)]}

    response = enroll(alice_client, sequence, select="pool", in_pool=pool.pk)
    assert audience(response) == {"pool": [str(pool.pk)]}


def test_a_candidate_search_passes_its_visible_matches(
    alice_client: Client,
    sequence: Sequence,
    people: list[Candidate],
    charlie_actor: Actor,
    candidate_factory: Callable[..., Candidate],
) -> None:
    candidate_factory(actor=charlie_actor, first_name="Kay", current_title="Welder")
    response = enroll(alice_client, sequence, q="Kay")
    assert audience(response) == {"candidate": [str(people[0].pk)]}


def test_a_talent_search_passes_its_visible_matches(
    alice_client: Client,
    sequence: Sequence,
    people: list[Candidate],
    charlie_actor: Actor,
    candidate_factory: Callable[..., Candidate],
) -> None:
    candidate_factory(actor=charlie_actor, first_name="Kay", current_title="Welder")
    response = enroll(alice_client, sequence, select="search", search="q=title%3Awelder")
    assert audience(response) == {"candidate": [str(pk) for pk in sorted(p.pk for p in people)]}


def test_needs_a_sequence_of_ones_own_workspace(
    alice_client: Client,
    charlie_client: Client,
    sequence: Sequence,
    people: list[Candidate],
) -> None:
    ids = [p.pk for p in people]
    missing = alice_client.post(BULK, {"select": "ids", "ids": ids, "kind": "enroll"})
    assert missing.status_code == 422
    assert missing.context["form"].errors["sequence"] == ["Choose a sequence."]

    # Charlie (another workspace) can name neither Acme's sequence nor Acme's people.
    other = enroll(charlie_client, sequence, select="ids", ids=ids)
    assert other.status_code == 422
    assert "Select a valid choice" in other.context["form"].errors["sequence"][0]
    assert not Enrollment.objects.exists()


def test_charlie_cannot_enrol_acmes_people_in_his_sequence(
    charlie_client: Client,
    charlie_actor: Actor,
    sequence_factory: Callable[..., Sequence],
    people: list[Candidate],
) -> None:
    theirs = sequence_factory(actor=charlie_actor, name="Globex", status="active")
    response = enroll(charlie_client, theirs, select="ids", ids=[p.pk for p in people])
    assert response.status_code == 422
    assert response.context["form"].errors["kind"] == ["None of these candidates can be enrolled."]


def test_roles_without_outreach_are_not_offered_it(
    member_factory: Callable[..., Any],
    acme: Any,
    sequence: Sequence,
    people: list[Candidate],
) -> None:
    client = Client()
    client.force_login(member_factory("cora@acme.test", acme, Role.COORDINATOR))
    page = client.get(BULK, {"select": "ids", "ids": str(people[0].pk)})
    assert page.status_code == 200 and "Enrol in sequence" not in page.content.decode()
    response = enroll(client, sequence, select="ids", ids=[people[0].pk])
    assert response.status_code == 422
    assert "kind" in response.context["form"].errors
    assert not Enrollment.objects.exists()


def test_too_many_hand_picked_people_ask_for_a_pool(
    alice_client: Client,
    sequence: Sequence,
    people: list[Candidate],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(views, "ENROLL_BY_IDS", 2)
    response = enroll(alice_client, sequence, select="ids", ids=[p.pk for p in people])
    assert response.status_code == 422
    assert "Add them to a pool first" in response.context["form"].errors["kind"][0]


def test_the_bulk_page_offers_it_with_the_sequences(
    alice_client: Client, sequence: Sequence, people: list[Candidate]
) -> None:
    page = alice_client.get(BULK, {"select": "ids", "ids": str(people[0].pk)})
    html = page.content.decode()
    assert 'value="enroll"' in html and "Backend outreach" in html
