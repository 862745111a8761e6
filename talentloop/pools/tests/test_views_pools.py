"""The pool pages: list, pool page with stages, members and search, edit, check-in, stages."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from talentloop.candidates.models import Activity, Candidate
from talentloop.core.actor import Actor
from talentloop.pools import services
from talentloop.pools.models import Pool, PoolMembership, PoolStage


def test_list_shows_pools_and_creates_one(alice_client: Client, pool: Pool) -> None:
    page = alice_client.get(reverse("pools:list"))
    assert page.status_code == 200
    assert "Backend engineers" in page.content.decode()

    response = alice_client.post(
        reverse("pools:list"), {"name": "Designers", "visibility": "team", "kind": "standard"}
    )

    created = Pool.objects.get(name="Designers")
    assert response.status_code == 302
    assert response["Location"] == reverse("pools:detail", args=[created.pk])


def test_create_shows_form_errors(alice_client: Client) -> None:
    response = alice_client.post(
        reverse("pools:list"), {"name": "", "visibility": "team", "kind": "standard"}
    )

    assert response.status_code == 422
    assert response.context["form"].errors["name"] == ["This field is required."]
    assert Pool.objects.exists() is False


def test_pool_page_groups_members_by_stage(
    alice_client: Client,
    alice_actor: Actor,
    pool: Pool,
    candidate: Candidate,
    stages: dict[str, PoolStage],
) -> None:
    membership, _ = services.add_to_pool(actor=alice_actor, pool=pool, candidate=candidate)
    services.move_stage(actor=alice_actor, membership=membership, stage=stages["engaged"])

    response = alice_client.get(reverse("pools:detail", args=[pool.pk]))

    assert response.status_code == 200
    counts = {c["name"]: c["count"] for c in response.context["counts"]}
    assert counts == {"New": 0, "Contacted": 0, "Engaged": 1, "Interested": 0, "Applied": 0}
    engaged = next(g for g in response.context["groups"] if g["stage"].name == "Engaged")
    assert [m["full_name"] for m in engaged["members"]] == ["Grace Hopper"]
    assert '<progress max="1" value="1" aria-label="Engaged: 1">' in response.content.decode()


def test_search_as_you_type_returns_the_results_fragment(
    alice_client: Client, pool: Pool, candidate: Candidate
) -> None:
    response = alice_client.get(
        reverse("pools:detail", args=[pool.pk]), {"find": "grace", "partial": "find"}
    )

    body = response.content.decode()
    assert response.status_code == 200
    assert "Grace Hopper" in body
    assert "<h1>" not in body  # only the fragment


def test_adds_moves_and_removes_through_the_page(
    alice_client: Client, pool: Pool, candidate: Candidate, stages: dict[str, PoolStage]
) -> None:
    alice_client.post(reverse("pools:member_add", args=[pool.pk]), {"candidate_id": candidate.pk})
    alice_client.post(
        reverse("pools:member_move", args=[pool.pk, candidate.pk]),
        {"stage_id": stages["applied"].pk},
    )
    assert PoolMembership.objects.get().stage == stages["applied"]
    assert Activity.objects.filter(candidate=candidate, type="pool_stage_changed").count() == 1

    alice_client.post(reverse("pools:member_remove", args=[pool.pk, candidate.pk]))
    assert PoolMembership.objects.exists() is False


def test_other_workspace_gets_404_everywhere(
    charlie_client: Client, pool: Pool, event_pool: Pool, candidate: Candidate
) -> None:
    for name, args in (
        ("pools:detail", [pool.pk]),
        ("pools:edit", [pool.pk]),
        ("pools:check_in", [event_pool.pk]),
    ):
        assert charlie_client.get(reverse(name, args=args)).status_code == 404
    for name, args in (
        ("pools:delete", [pool.pk]),
        ("pools:member_add", [pool.pk]),
        ("pools:member_remove", [pool.pk, candidate.pk]),
        ("pools:check_in_add", [event_pool.pk]),
    ):
        assert charlie_client.post(reverse(name, args=args), {"candidate_id": 1}).status_code == 404
    assert Pool.objects.count() == 2


def test_a_private_pool_is_404_for_a_teammate(
    bob_client: Client, pool_factory: Callable[..., Pool]
) -> None:
    private = pool_factory(name="Alice's", visibility="private")

    assert bob_client.get(reverse("pools:detail", args=[private.pk])).status_code == 404


def test_edit_is_for_owner_or_admin(alice_client: Client, bob_client: Client, pool: Pool) -> None:
    refused = bob_client.post(
        reverse("pools:edit", args=[pool.pk]), {"name": "Bob's now", "visibility": "team"}
    )
    saved = alice_client.post(
        reverse("pools:edit", args=[pool.pk]), {"name": "Renamed", "visibility": "private"}
    )

    pool.refresh_from_db()
    assert (refused.status_code, saved.status_code) == (403, 302)
    assert (pool.name, pool.visibility) == ("Renamed", "private")


def test_check_in_page_checks_people_in_and_imports_a_list(
    alice_client: Client, event_pool: Pool, candidate: Candidate
) -> None:
    page = alice_client.get(reverse("pools:check_in", args=[event_pool.pk]))
    assert page.status_code == 200

    alice_client.post(
        reverse("pools:check_in_add", args=[event_pool.pk]), {"candidate_id": candidate.pk}
    )
    imported = alice_client.post(
        reverse("pools:check_in", args=[event_pool.pk]),
        {"text": "Ada Byron,ada@x.test\nbroken line", "check_in": "on"},
    )

    assert imported.status_code == 200
    report = imported.context["report"]
    assert (report.created, report.checked_in) == (1, 1)
    assert report.errors == [{"row": 2, "message": "Give a name and an e-mail."}]
    assert PoolMembership.objects.filter(checked_in_at__isnull=False).count() == 2


def test_check_in_page_needs_an_event_pool(alice_client: Client, pool: Pool) -> None:
    assert alice_client.get(reverse("pools:check_in", args=[pool.pk])).status_code == 404


def test_empty_attendee_form_is_a_form_error(alice_client: Client, event_pool: Pool) -> None:
    response = alice_client.post(reverse("pools:check_in", args=[event_pool.pk]), {"text": " "})

    assert response.status_code == 422
    assert response.context["form"].non_field_errors() == ["Paste some lines or choose a file."]


def test_admin_edits_stages_and_a_recruiter_cannot(
    alice_client: Client, bob_client: Client, stages: dict[str, PoolStage]
) -> None:
    assert alice_client.get(reverse("pools:stages")).status_code == 200
    alice_client.post(reverse("pools:stages"), {"action": "add", "name": "Hired"})
    alice_client.post(reverse("pools:stages"), {"action": "up", "stage_id": stages["applied"].pk})
    refused = bob_client.post(reverse("pools:stages"), {"action": "add", "name": "Nope"})

    names = list(PoolStage.objects.order_by("position").values_list("name", flat=True))
    assert names == ["New", "Contacted", "Engaged", "Applied", "Interested", "Hired"]
    assert refused.status_code == 403


def test_stage_errors_show_on_the_page(alice_client: Client, stages: dict[str, PoolStage]) -> None:
    response = alice_client.post(reverse("pools:stages"), {"action": "add", "name": "new"})

    assert response.status_code == 422
    assert response.context["form"].errors["name"] == ["A stage named 'new' exists already."]


@pytest.mark.parametrize("members", [1, 6])
def test_pool_page_queries_do_not_grow_with_members(
    alice_client: Client,
    alice_actor: Actor,
    pool: Pool,
    candidate_factory: Callable[..., Candidate],
    members: int,
    django_assert_num_queries: Any,
) -> None:
    for _ in range(members):
        services.add_to_pool(actor=alice_actor, pool=pool, candidate=candidate_factory())
    services.ensure_default_stages(alice_actor.workspace)

    # session, user, membership, pool, counts + stages, members (3), stages, bulk form (3:
    # pools, stages and the sequences to enrol in)
    with django_assert_num_queries(13):
        response = alice_client.get(reverse("pools:detail", args=[pool.pk]))

    assert response.status_code == 200


def test_pool_events_show_on_the_candidate_timeline(
    alice_client: Client, alice_actor: Actor, pool: Pool, candidate: Candidate
) -> None:
    services.add_to_pool(actor=alice_actor, pool=pool, candidate=candidate)

    response = alice_client.get(reverse("candidates:detail", args=[candidate.pk]))

    assert response.status_code == 200
    assert "Added to pool Backend engineers at New" in response.content.decode()


def test_a_hiring_manager_sees_only_their_own_candidates_in_a_pool(
    member_factory: Any,
    acme: Any,
    alice_actor: Actor,
    pool: Pool,
    candidate_factory: Callable[..., Candidate],
) -> None:
    harry = member_factory("harry@acme.test", acme, "hiring_manager")
    own = candidate_factory(first_name="Own", owner_id=harry.pk)
    other = candidate_factory(first_name="Other")
    for person in (own, other):
        services.add_to_pool(actor=alice_actor, pool=pool, candidate=person)
    client = Client()
    client.force_login(harry)

    response = client.get(reverse("pools:detail", args=[pool.pk]))

    assert response.status_code == 200
    shown = [m["first_name"] for g in response.context["groups"] for m in g["members"]]
    assert shown == ["Own"]
    assert response.context["total"] == 1
    assert response.context["can_edit_pools"] is False
