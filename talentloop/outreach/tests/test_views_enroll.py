"""Enrolling from the pages: choose a sequence, check (collisions shown, nothing written),
then confirm."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from talentloop.candidates.models import Activity, Candidate
from talentloop.candidates.services import log_touchpoint
from talentloop.core.actor import Actor
from talentloop.outreach import services
from talentloop.outreach.models import Enrollment, Sequence
from talentloop.pools.models import Pool
from talentloop.pools.services import add_to_pool

pytestmark = pytest.mark.urls("talentloop.outreach.tests.urls_outreach_test")


def test_from_a_candidate_choose_a_sequence_then_check(
    alice_client: Client,
    alice_actor: Actor,
    sequence: Sequence,
    prospect: Candidate,
    sequence_factory: Callable[..., Sequence],
) -> None:
    other = sequence_factory(name="Old one", status="active")
    services.enroll(actor=alice_actor, sequence=other, candidate_ids=[prospect.pk])
    start = reverse("outreach:enroll_start") + f"?candidate={prospect.pk}"

    page = alice_client.get(start)
    chosen = alice_client.get(start + f"&sequence={sequence.pk}")

    assert page.status_code == 200
    assert [s.name for s in page.context["sequences"]] == ["Backend outreach", "Old one"]
    assert [e.sequence for e in page.context["current"]] == [other]
    assert chosen.status_code == 302
    assert chosen["Location"] == (
        reverse("outreach:enroll", args=[sequence.pk]) + f"?candidate={prospect.pk}"
    )


def test_the_check_shows_collisions_and_writes_nothing(
    alice_client: Client,
    bob_actor: Actor,
    sequence: Sequence,
    prospect_factory: Callable[..., Candidate],
) -> None:
    ok, called = prospect_factory(), prospect_factory(first_name="Cal", last_name="Called")
    log_touchpoint(actor=bob_actor, candidate=called, type="call", summary="Intro call")
    url = (
        reverse("outreach:enroll", args=[sequence.pk]) + f"?candidate={ok.pk}&candidate={called.pk}"
    )

    response = alice_client.get(url)

    assert response.status_code == 200
    assert response.context["report"].counts["enrolled"] == 1
    collisions = next(g for g in response.context["groups"] if g["outcome"] == "collision")
    assert [o.candidate_id for o in collisions["items"]] == [called.pk]
    page = response.content.decode()
    assert "Contacted recently by a teammate" in page
    assert "<strong>Call</strong> by Bob Recruiter" in page
    assert 'name="allow_collisions"' in page
    assert Enrollment.objects.exists() is False


def test_confirming_enrols_and_leaves_collisions_out_unless_ticked(
    alice_client: Client,
    bob_actor: Actor,
    sequence: Sequence,
    prospect_factory: Callable[..., Candidate],
) -> None:
    ok, called = prospect_factory(), prospect_factory()
    log_touchpoint(actor=bob_actor, candidate=called, type="call", summary="Intro call")
    url = reverse("outreach:enroll", args=[sequence.pk])

    response = alice_client.post(url, {"candidate": [ok.pk, called.pk]}, follow=True)

    assert list(Enrollment.objects.values_list("candidate_id", flat=True)) == [ok.pk]
    assert [str(m) for m in response.context["messages"]] == [
        "Enrolled 1; 1 left out for a teammate's recent contact."
    ]
    alice_client.post(url, {"candidate": [ok.pk, called.pk], "allow_collisions": "1"})
    assert Enrollment.objects.filter(candidate=called).count() == 1
    assert Activity.objects.filter(type="sequence_enrolled").count() == 2


def test_enrols_a_pool_from_the_form(
    alice_client: Client,
    alice_actor: Actor,
    sequence: Sequence,
    pool: Pool,
    prospect_factory: Callable[..., Candidate],
) -> None:
    members = [prospect_factory(), prospect_factory()]
    for member in members:
        add_to_pool(actor=alice_actor, pool=pool, candidate=member)
    url = reverse("outreach:enroll", args=[sequence.pk])

    chooser = alice_client.get(url)
    check = alice_client.get(url, {"pool": pool.pk})
    alice_client.post(url, {"pool": pool.pk})

    assert chooser.context["form"] is not None
    assert check.context["audience"]["label"] == "the members of the pool Backend engineers"
    assert Enrollment.objects.filter(sequence=sequence).count() == 2


def test_someone_else_s_candidate_or_pool_is_not_found(
    alice_client: Client,
    sequence: Sequence,
    charlie_candidate: Candidate,
    charlie_actor: Actor,
    pool_factory: Callable[..., Pool],
) -> None:
    theirs = pool_factory(actor=charlie_actor, name="Globex")
    url = reverse("outreach:enroll", args=[sequence.pk])

    assert alice_client.get(url, {"candidate": charlie_candidate.pk}).status_code == 404
    assert alice_client.get(url, {"pool": theirs.pk}).status_code == 404
    assert alice_client.post(url, {"candidate": charlie_candidate.pk}).status_code == 404
    assert alice_client.get(url, {"candidate": "x"}).status_code == 404
    assert Enrollment.objects.exists() is False


def test_many_ids_are_checked_in_one_query_and_one_hidden_id_is_not_found(
    alice_client: Client,
    sequence: Sequence,
    prospect_factory: Callable[..., Candidate],
    charlie_candidate: Candidate,
    django_assert_max_num_queries: Any,
) -> None:
    url = reverse("outreach:enroll", args=[sequence.pk])
    few = [prospect_factory(first_name=f"P{i}").pk for i in range(2)]
    many = few + [prospect_factory(first_name=f"Q{i}").pk for i in range(20)]
    with CaptureQueriesContext(connection) as two:
        assert alice_client.get(url, {"candidate": few}).status_code == 200

    with django_assert_max_num_queries(len(two.captured_queries)):
        page = alice_client.get(url, {"candidate": many})

    assert page.status_code == 200
    assert page.context["audience"]["candidate_ids"] == many
    assert alice_client.get(url, {"candidate": [*many, charlie_candidate.pk]}).status_code == 404


def test_an_archived_sequence_shows_the_reason(
    alice_client: Client, alice_actor: Actor, sequence: Sequence, prospect: Candidate
) -> None:
    services.archive_sequence(actor=alice_actor, sequence=sequence)

    response = alice_client.get(
        reverse("outreach:enroll", args=[sequence.pk]), {"candidate": prospect.pk}
    )

    assert response.status_code == 422
    assert response.context["error"] == "This sequence is archived; nobody can be enrolled."


def test_auditors_cannot_enrol(
    auditor_client: Client, sequence: Sequence, prospect: Candidate
) -> None:
    url = reverse("outreach:enroll", args=[sequence.pk])

    assert auditor_client.get(url, {"candidate": prospect.pk}).status_code == 403
    assert auditor_client.post(url, {"candidate": prospect.pk}).status_code == 403
    assert (
        auditor_client.get(reverse("outreach:enroll_start"), {"candidate": prospect.pk}).status_code
        == 403
    )
    assert Enrollment.objects.exists() is False
