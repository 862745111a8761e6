"""Segment builder and pages, the bulk action pages and the referral form."""

from __future__ import annotations

import html
import json
import re
from collections.abc import Callable
from typing import Any

from django.test import Client
from django.urls import reverse

from talentloop.candidates.models import Candidate, CandidateTag
from talentloop.compliance.models import AuditEvent
from talentloop.core.actor import Actor
from talentloop.pools import services
from talentloop.pools.models import BulkAction, Pool, PoolMembership, Segment

BERLIN = {"all": [{"field": "city", "op": "eq", "value": "Berlin"}]}


def test_builder_renders_with_its_options(alice_client: Client) -> None:
    response = alice_client.get(reverse("pools:segment_create"))

    body = response.content.decode()
    assert response.status_code == 200
    assert 'id="builder-options"' in body
    assert "pools/segment_builder.js" in body
    assert response.context["builder"]["fields"]["tag"] == [
        "has",
        "has_not",
        "has_any",
        "has_all",
        "has_none",
    ]


def test_preview_counts_without_saving(
    alice_client: Client, candidate_factory: Callable[..., Candidate]
) -> None:
    candidate_factory(city="Berlin")

    response = alice_client.post(
        reverse("pools:segment_create"),
        {"name": "B", "rules": json.dumps(BERLIN), "action": "preview"},
    )

    assert response.status_code == 200
    assert response.context["preview"][0] == 1
    assert Segment.objects.exists() is False


def test_saves_and_shows_a_segment(
    alice_client: Client, candidate_factory: Callable[..., Candidate]
) -> None:
    candidate_factory(first_name="Berta", city="Berlin")

    response = alice_client.post(
        reverse("pools:segment_create"),
        {"name": "B", "rules": json.dumps(BERLIN), "action": "save"},
    )
    segment = Segment.objects.get()
    page = alice_client.get(reverse("pools:segment_detail", args=[segment.pk]))
    listing = alice_client.get(reverse("pools:segments"))

    assert response["Location"] == reverse("pools:segment_detail", args=[segment.pk])
    assert (page.status_code, page.context["size"]) == (200, 1)
    assert [r["first_name"] for r in page.context["rows"]] == ["Berta"]
    assert listing.context["segments"] == [(segment, 1)]


def test_bad_rules_are_form_errors(alice_client: Client) -> None:
    bad_json = alice_client.post(
        reverse("pools:segment_create"), {"name": "B", "rules": "{nope", "action": "save"}
    )
    bad_rule = alice_client.post(
        reverse("pools:segment_create"),
        {"name": "B", "rules": '{"all": [{"field": "city", "op": "~"}]}', "action": "save"},
    )

    too_deep = alice_client.post(
        reverse("pools:segment_create"),
        {"name": "B", "rules": "[" * 100_000 + "]" * 100_000, "action": "save"},
    )

    assert bad_json.status_code == bad_rule.status_code == too_deep.status_code == 422
    assert bad_json.context["form"].errors["rules"][0].startswith("This is not JSON:")
    assert too_deep.context["form"].errors["rules"] == ["It nests deeper than 32 levels."]
    assert bad_rule.context["form"].errors["rules"] == [
        'rules.all[0].op: unknown operator "~" for city (use one of: eq, ne, contains, '
        "not_contains, starts_with, in, not_in, is_empty, is_not_empty)"
    ]
    assert Segment.objects.exists() is False


def test_edit_and_delete_a_segment(alice_client: Client, alice_actor: Actor) -> None:
    segment = services.create_segment(actor=alice_actor, data={"name": "B", "rules": BERLIN})

    assert alice_client.get(reverse("pools:segment_edit", args=[segment.pk])).status_code == 200
    alice_client.post(
        reverse("pools:segment_edit", args=[segment.pk]),
        {"name": "Renamed", "rules": json.dumps(BERLIN), "action": "save"},
    )
    segment.refresh_from_db()
    assert segment.name == "Renamed"

    alice_client.post(reverse("pools:segment_delete", args=[segment.pk]))
    assert Segment.objects.exists() is False


def test_segment_pages_are_404_for_another_workspace(
    charlie_client: Client, alice_actor: Actor
) -> None:
    segment = services.create_segment(actor=alice_actor, data={"name": "B", "rules": BERLIN})

    for name in ("pools:segment_detail", "pools:segment_edit"):
        assert charlie_client.get(reverse(name, args=[segment.pk])).status_code == 404
    assert (
        charlie_client.post(reverse("pools:segment_delete", args=[segment.pk])).status_code == 404
    )
    assert Segment.objects.count() == 1


def test_bulk_on_selected_ids_from_the_pool_page(
    alice_client: Client,
    alice_actor: Actor,
    pool: Pool,
    candidate_factory: Callable[..., Candidate],
) -> None:
    people = [candidate_factory() for _ in range(2)]

    response = alice_client.post(
        reverse("pools:bulk"),
        {"select": "ids", "ids": [p.pk for p in people], "kind": "tag", "tag": "shortlist"},
    )

    action = BulkAction.objects.get()
    assert response["Location"] == reverse("pools:bulk_action", args=[action.pk])
    assert CandidateTag.objects.filter(tag__name="shortlist").count() == 2
    page = alice_client.get(response["Location"])
    assert page.status_code == 200
    status = alice_client.get(reverse("pools:bulk_action_status", args=[action.pk])).json()
    assert (status["status"], status["percent"]) == ("done", 100)


def test_bulk_on_a_candidate_search(
    alice_client: Client, pool: Pool, candidate_factory: Callable[..., Candidate]
) -> None:
    berliners = [candidate_factory(first_name="Kurt", city="Berlin") for _ in range(2)]
    candidate_factory(first_name="Other")

    form = alice_client.get(reverse("pools:bulk"), {"q": "kurt"})
    assert form.context["selection"]["label"] == "every candidate matching the search"
    alice_client.post(reverse("pools:bulk"), {"q": "kurt", "kind": "add_to_pool", "pool": pool.pk})

    assert sorted(PoolMembership.objects.values_list("candidate_id", flat=True)) == [
        p.pk for p in berliners
    ]


def test_bulk_export_downloads_after_auditing(
    alice_client: Client, bob_client: Client, candidate: Candidate
) -> None:
    alice_client.post(
        reverse("pools:bulk"), {"select": "ids", "ids": [candidate.pk], "kind": "export"}
    )
    action = BulkAction.objects.get()

    download = alice_client.get(reverse("pools:bulk_download", args=[action.pk]))

    assert download.status_code == 200
    assert "Grace" in download.content.decode()
    assert AuditEvent.objects.filter(action="candidate.exported", target_id=candidate.pk).exists()
    assert bob_client.get(reverse("pools:bulk_download", args=[action.pk])).status_code == 404


def test_bulk_form_errors(alice_client: Client, candidate: Candidate) -> None:
    no_pool = alice_client.post(
        reverse("pools:bulk"), {"select": "ids", "ids": [candidate.pk], "kind": "add_to_pool"}
    )
    bad_ids = alice_client.get(reverse("pools:bulk"), {"select": "ids", "ids": "x"})
    # The pool page's form with nothing ticked must not fall back to "every candidate".
    none_ticked = alice_client.post(reverse("pools:bulk"), {"select": "ids", "kind": "export"})

    assert no_pool.status_code == 422
    assert no_pool.context["form"].errors["pool"] == ["Choose a pool."]
    assert (bad_ids.status_code, bad_ids.context["error"]) == (
        422,
        "Candidate ids are whole numbers.",
    )
    assert (none_ticked.status_code, none_ticked.context["error"]) == (
        422,
        "Select at least one candidate.",
    )
    assert BulkAction.objects.exists() is False


def test_a_hiring_manager_refers_through_the_form(
    member_factory: Any, acme: Any, pool: Pool
) -> None:
    client = Client()
    client.force_login(member_factory("harry@acme.test", acme, "hiring_manager"))
    assert client.get(reverse("pools:referral")).status_code == 200

    response = client.post(
        reverse("pools:referral"),
        {"first_name": "Rosa", "email": "rosa@x.test", "note": "Great", "pool": pool.pk},
    )

    assert response.status_code == 302
    candidate = Candidate.objects.get()
    assert (candidate.source, candidate.first_name) == ("referral", "Rosa")
    assert PoolMembership.objects.filter(candidate=candidate, pool=pool).exists()


def test_referral_errors_show_on_their_fields(alice_client: Client) -> None:
    response = alice_client.post(
        reverse("pools:referral"), {"first_name": "Rosa", "email": "not-mail"}
    )

    assert response.status_code == 422
    assert response.context["form"].errors["email"] == ["'not-mail' is not a valid e-mail address."]
    assert Candidate.objects.exists() is False


def test_bulk_on_all_members_of_a_pool(
    alice_client: Client,
    alice_actor: Actor,
    pool: Pool,
    candidate_factory: Callable[..., Candidate],
) -> None:
    members = [candidate_factory() for _ in range(2)]
    outsider = candidate_factory()
    for member in members:
        services.add_to_pool(actor=alice_actor, pool=pool, candidate=member)

    form = alice_client.get(reverse("pools:bulk"), {"select": "pool", "in_pool": str(pool.pk)})
    alice_client.post(
        reverse("pools:bulk"),
        {"select": "pool", "in_pool": pool.pk, "kind": "tag", "tag": "pooled"},
    )

    assert form.context["selection"]["label"] == "every member of the pool Backend engineers"
    tagged = set(
        CandidateTag.objects.filter(tag__name="pooled").values_list("candidate_id", flat=True)
    )
    assert tagged == {m.pk for m in members}
    assert outsider.pk not in tagged


def test_bulk_selection_of_another_workspace_is_404(
    charlie_client: Client, pool: Pool, alice_actor: Actor
) -> None:
    segment = services.create_segment(actor=alice_actor, data={"name": "B", "rules": BERLIN})

    by_pool = charlie_client.get(reverse("pools:bulk"), {"select": "pool", "in_pool": str(pool.pk)})
    by_segment = charlie_client.get(
        reverse("pools:bulk"), {"select": "segment", "segment": str(segment.pk)}
    )

    assert (by_pool.status_code, by_segment.status_code) == (404, 404)


def test_bulk_on_a_talent_search_acts_on_its_matches_only(
    alice_client: Client,
    pool: Pool,
    candidate_factory: Callable[..., Candidate],
    charlie_candidate: Candidate,
) -> None:
    engineers = [
        candidate_factory(first_name=f"Eng{i}", current_title="Data Engineer", country="DE")
        for i in range(3)
    ]
    candidate_factory(first_name="Abroad", current_title="Data Engineer", country="FR")
    candidate_factory(first_name="Designer", current_title="Product Designer", country="DE")
    search = "q=title%3Aengineer&country=DE"

    page = alice_client.get(reverse("search:search") + "?" + search)
    link = re.search(r'href="(/pools/bulk/\?select=search[^"]*)"', page.content.decode())
    assert link is not None
    form = alice_client.get(html.unescape(link.group(1)))  # the page's "Bulk actions" link
    done = alice_client.post(
        reverse("pools:bulk"),
        {"select": "search", "search": search, "kind": "add_to_pool", "pool": pool.pk},
    )

    assert form.status_code == 200
    assert form.context["selection"]["label"] == (
        "every candidate matching the talent search title:engineer"
    )
    assert done.status_code == 302
    action = BulkAction.objects.get()
    assert action.selection == {"talent_search": "title:engineer", "filters": {"country": "DE"}}
    assert sorted(PoolMembership.objects.values_list("candidate_id", flat=True)) == sorted(
        e.pk for e in engineers
    )
    assert charlie_candidate.pk not in action.candidate_ids


def test_a_bad_or_empty_talent_search_is_a_clear_error(alice_client: Client) -> None:
    malformed = alice_client.get(reverse("pools:bulk"), {"select": "search", "search": "q=(java"})
    empty = alice_client.get(reverse("pools:bulk"), {"select": "search", "search": ""})
    unknown_place = alice_client.get(
        reverse("pools:bulk"), {"select": "search", "search": "q=java&near=Nowhereville"}
    )

    assert malformed.status_code == 422
    assert "The search is not valid" in malformed.context["error"]
    assert empty.status_code == 422
    assert empty.context["error"] == "Search for something first."
    assert unknown_place.status_code == 422
    assert "Nowhereville" in unknown_place.context["error"]


def test_the_search_page_offers_bulk_actions_only_to_those_who_may_edit(
    alice_client: Client,
    client: Client,
    acme: Any,
    member_factory: Callable[..., Any],
    candidate_factory: Callable[..., Candidate],
) -> None:
    candidate_factory(first_name="Eng", current_title="Data Engineer")
    client.force_login(member_factory("audit@acme.test", acme, "auditor"))
    url = reverse("search:search") + "?q=engineer"

    auditor_page = client.get(url)

    assert "?select=search&amp;search=" in alice_client.get(url).content.decode()
    assert auditor_page.status_code == 200
    assert len(auditor_page.context["page"].rows) == 1
    assert "?select=search" not in auditor_page.content.decode()
