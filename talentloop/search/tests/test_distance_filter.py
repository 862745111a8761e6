"""The "within N km of a place" filter: the index's map points, the service, API and page."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

from talentloop.candidates.models import Candidate
from talentloop.candidates.services import delete_candidate, update_candidate
from talentloop.core.actor import Actor
from talentloop.core.errors import InvalidInput
from talentloop.duplicates.services import merge_candidates
from talentloop.search import selectors, services
from talentloop.search.models import GeoPoint, SavedSearch
from talentloop.search.selectors import parse_filters

URL = "/api/v1/search"


@pytest.fixture
def people(candidate_factory: Callable[..., Candidate]) -> dict[str, Candidate]:
    """Berlin; Potsdam, 27.2 km from Berlin's centre; Hamburg, 255 km; Berlin, Connecticut."""
    return {
        "berta": candidate_factory(first_name="Berta", current_title="Engineer", city="Berlin",
                                   country="DE"),
        "paul": candidate_factory(first_name="Paul", current_title="Engineer", city="Potsdam",
                                  country="DE"),
        "hanna": candidate_factory(first_name="Hanna", current_title="Engineer", city="Hamburg",
                                   country="DE"),
        "nomad": candidate_factory(first_name="Nomad", current_title="Engineer", country="DE"),
    }  # fmt: skip


def near(actor: Actor, place: str, km: Any = None, query: str = "", **more: Any) -> list[str]:
    raw = {"near": place, **more}
    if km is not None:
        raw["radius_km"] = km
    page = selectors.search(actor, query=query, filters=parse_filters(raw), snippet=False)
    return sorted(row["first_name"] for row in page.rows)


def test_a_candidate_27_km_away_is_in_at_50_and_out_at_20(
    people: dict[str, Candidate], alice_actor: Actor
) -> None:
    assert near(alice_actor, "Berlin", 50) == ["Berta", "Paul"]
    assert near(alice_actor, "Berlin", 20) == ["Berta"]
    # The exact distance decides, not the bounding box: 27.2 km is in at 27.3, out at 27.1.
    assert near(alice_actor, "Berlin", 27.3) == ["Berta", "Paul"]
    assert near(alice_actor, "Berlin", 27.1) == ["Berta"]
    assert near(alice_actor, "Berlin", 300) == ["Berta", "Hanna", "Paul"]
    assert near(alice_actor, "Berlin") == ["Berta", "Paul"]  # 50 km by default


@pytest.mark.parametrize("drive_from_points", [20_000, 0])
def test_both_ways_of_reading_give_the_same_pages(
    people: dict[str, Candidate],
    alice_actor: Actor,
    monkeypatch: pytest.MonkeyPatch,
    drive_from_points: int,
) -> None:
    """Few points are read from the points; many walk the candidates (the threshold is 0
    here, so the second run walks)."""
    monkeypatch.setattr(selectors, "DRIVE_FROM_POINTS", drive_from_points)
    filters = parse_filters({"near": "Berlin", "radius_km": 300})
    first = selectors.search(alice_actor, query="", filters=filters, limit=2, snippet=False)
    assert [r["first_name"] for r in first.rows] == ["Hanna", "Paul"]
    assert (first.count, first.next_cursor is not None) == (3, True)
    second = selectors.search(
        alice_actor, query="", filters=filters, limit=2, cursor=first.next_cursor or ""
    )
    assert [r["first_name"] for r in second.rows] == ["Berta"]
    assert second.next_cursor is None


def test_combines_with_text_and_other_filters(
    people: dict[str, Candidate], alice_actor: Actor
) -> None:
    update_candidate(actor=alice_actor, candidate=people["paul"], data={"seniority": "senior"})
    assert near(alice_actor, "Potsdam", 50, query="engineer") == ["Berta", "Paul"]
    assert near(alice_actor, "Potsdam", 50, query="engineer", seniority="senior") == ["Paul"]
    assert near(alice_actor, "Potsdam", 50, query="nobody") == []
    assert near(alice_actor, "52.52, 13.40", 5, country="DE") == ["Berta"]


def test_results_carry_their_distance(people: dict[str, Candidate], alice_actor: Actor) -> None:
    filters = parse_filters({"near": "Berlin", "radius_km": 300})
    page = selectors.search(alice_actor, query="", filters=filters, snippet=False)
    distances = {row["first_name"]: row["distance_km"] for row in page.rows}
    assert distances == {"Berta": 0.0, "Paul": 27.2, "Hanna": 255.4}
    plain = selectors.search(alice_actor, query="engineer", filters=parse_filters({}))
    assert {row["distance_km"] for row in plain.rows} == {None}


def test_the_index_keeps_points_in_step(people: dict[str, Candidate], alice_actor: Actor) -> None:
    paul, nomad = people["paul"], people["nomad"]
    assert GeoPoint.objects.get(candidate_id=paul.pk).place == "Potsdam, DE"
    assert not GeoPoint.objects.filter(candidate_id=nomad.pk).exists()  # no city, no point

    update_candidate(actor=alice_actor, candidate=paul, data={"city": "Hamburg"})
    assert near(alice_actor, "Berlin", 50) == ["Berta"]
    update_candidate(actor=alice_actor, candidate=nomad, data={"city": "Bernau bei Berlin"})
    assert near(alice_actor, "Berlin", 50) == ["Berta", "Nomad"]
    update_candidate(actor=alice_actor, candidate=nomad, data={"city": "Nowhereville"})
    assert not GeoPoint.objects.filter(candidate_id=nomad.pk).exists()

    delete_candidate(actor=alice_actor, candidate=people["berta"])
    assert near(alice_actor, "Berlin", 50) == []
    services.sweep_changed()
    assert not GeoPoint.objects.filter(candidate_id=people["berta"].pk).exists()


def test_a_merge_moves_the_point_with_the_sweep(
    people: dict[str, Candidate], alice_actor: Actor
) -> None:
    services.sweep_changed()
    survivor, other = people["nomad"], people["paul"]
    merge_candidates(actor=alice_actor, survivor=survivor, other=other)
    services.sweep_changed()
    assert near(alice_actor, "Berlin", 50) == ["Berta", "Nomad"]
    assert set(GeoPoint.objects.values_list("candidate_id", flat=True)) == {
        people["berta"].pk,
        people["hanna"].pk,
        survivor.pk,
    }


def test_rebuild_and_points_only_backfill(people: dict[str, Candidate], alice_actor: Actor) -> None:
    GeoPoint.objects.all().delete()
    assert near(alice_actor, "Berlin", 50) == []
    assert services.geocode_all() == 3
    assert near(alice_actor, "Berlin", 50) == ["Berta", "Paul"]
    GeoPoint.objects.all().delete()
    services.reindex_all()
    assert GeoPoint.objects.count() == 3


def test_same_country_wins_for_ambiguous_cities(
    candidate_factory: Callable[..., Candidate], alice_actor: Actor
) -> None:
    us = candidate_factory(first_name="Tex", city="Paris", country="US")
    fr = candidate_factory(first_name="Remy", city="Paris")
    assert GeoPoint.objects.get(candidate_id=us.pk).place == "Paris, US"
    assert GeoPoint.objects.get(candidate_id=fr.pk).place == "Paris, FR"
    assert near(alice_actor, "Paris, TX", 10) == ["Tex"]
    assert near(alice_actor, "Paris", 10) == ["Remy"]


def test_other_workspaces_are_never_near(
    people: dict[str, Candidate], charlie_actor: Actor, candidate_factory: Callable[..., Candidate]
) -> None:
    theirs = candidate_factory(actor=charlie_actor, first_name="Gus", city="Berlin", country="DE")
    assert near(charlie_actor, "Berlin", 50) == ["Gus"]
    assert theirs.pk not in [c.pk for c in people.values()]


@pytest.mark.parametrize(
    ("raw", "field", "message"),
    [
        ({"near": "Nowhereville"}, "near", "Unknown place 'Nowhereville'"),
        ({"near": "x" * 201}, "near", "at most 200"),
        ({"near": ["Berlin"]}, "near", "A place"),
        ({"radius_km": 10}, "near", "Give a place"),
        ({"near": "Berlin", "radius_km": "far"}, "radius_km", "A distance in km"),
        ({"near": "Berlin", "radius_km": 0}, "radius_km", "above 0"),
        ({"near": "Berlin", "radius_km": "nan"}, "radius_km", "A distance"),
        ({"near": "Berlin", "radius_km": "1e309"}, "radius_km", "A distance"),
        ({"near": "Berlin", "radius_km": 20_001}, "radius_km", "at most 20,000"),
    ],
)
def test_bad_input_names_the_field(raw: dict[str, Any], field: str, message: str) -> None:
    with pytest.raises(InvalidInput) as caught:
        parse_filters(raw)
    assert caught.value.field == field
    assert message in caught.value.message


# --- API ---------------------------------------------------------------------------------


def test_api_get_and_post(alice_client: Client, people: dict[str, Candidate]) -> None:
    response = alice_client.get(URL, {"q": "engineer", "near": "Berlin", "radius_km": "30"})
    assert response.status_code == 200
    body = response.json()
    assert [(i["first_name"], i["distance_km"]) for i in body["items"]] == [
        ("Paul", 27.2),
        ("Berta", 0.0),
    ]
    assert body["count"] == 2
    response = alice_client.post(
        URL,
        json.dumps({"filters": {"near": "Berlin", "radius_km": 20}}),
        content_type="application/json",
    )
    assert [i["first_name"] for i in response.json()["items"]] == ["Berta"]


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"near": "Nowhereville"}, "near"),
        ({"near": "Berlin", "radius_km": "-5"}, "radius_km"),
        ({"radius_km": "5"}, "near"),
    ],
)
def test_api_bad_places_are_422_naming_the_field(
    alice_client: Client, params: dict[str, str], field: str
) -> None:
    response = alice_client.get(URL, params)
    assert response.status_code == 422
    assert response.json()["error"]["field"] == field
    assert response.json()["error"]["code"] == "invalid"


def test_api_charlie_never_sees_acmes_candidates(
    charlie_client: Client, people: dict[str, Candidate]
) -> None:
    response = charlie_client.get(URL, {"near": "Berlin", "radius_km": "500"})
    assert response.status_code == 200
    assert response.json()["items"] == [] and response.json()["count"] == 0


def test_saved_search_keeps_the_distance(
    alice_client: Client, alice_actor: Actor, people: dict[str, Candidate]
) -> None:
    response = alice_client.post(
        "/api/v1/saved-searches",
        json.dumps({"name": "Near Berlin", "filters": {"near": "Berlin", "radius_km": 30}}),
        content_type="application/json",
    )
    assert response.status_code == 201
    assert response.json()["filters"] == {"near": "Berlin", "radius_km": 30.0}
    saved = SavedSearch.objects.get()
    assert near(alice_actor, place=saved.filters["near"], km=saved.filters["radius_km"]) == [
        "Berta",
        "Paul",
    ]
    bad = alice_client.post(
        "/api/v1/saved-searches",
        json.dumps({"name": "Lost", "filters": {"near": "Nowhereville"}}),
        content_type="application/json",
    )
    assert bad.status_code == 422 and bad.json()["error"]["field"] == "near"


def test_saved_search_alerts_only_for_new_people_nearby(
    alice_actor: Actor, people: dict[str, Candidate], candidate_factory: Callable[..., Candidate]
) -> None:
    saved = services.create_saved_search(
        actor=alice_actor, data={"name": "Potsdam", "filters": {"near": "Potsdam", "radius_km": 10}}
    )
    candidate_factory(first_name="Far", city="Hamburg", country="DE")
    near_one = candidate_factory(first_name="Close", city="Potsdam", country="DE")
    alert = services.check_saved_search(saved)
    assert alert is not None and alert.candidate_ids == [near_one.pk]


# --- the page ----------------------------------------------------------------------------


def test_page_shows_distances(alice_client: Client, people: dict[str, Candidate]) -> None:
    response = alice_client.get("/search/", {"near": "Berlin", "radius_km": "50"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "27.2 km" in html and "within 50 km of Berlin, DE" in html
    assert "Hanna" not in html


def test_page_names_an_unknown_place_on_its_field(alice_client: Client) -> None:
    response = alice_client.get("/search/", {"near": "Nowhereville", "radius_km": "5"})
    assert response.status_code == 200
    form = response.context["form"]
    assert "Unknown place 'Nowhereville'" in form.errors["near"][0]
    assert response.context["page"] is None


def test_page_saves_a_distance_search(alice_client: Client, people: dict[str, Candidate]) -> None:
    response = alice_client.post(
        "/search/save", {"search": "near=Potsdam&radius_km=40", "name": "Potsdam", "alert": "on"}
    )
    assert response.status_code == 302
    saved = SavedSearch.objects.get()
    assert saved.filters == {"near": "Potsdam", "radius_km": 40.0}
    opened = alice_client.get(f"/search/saved/{saved.pk}/")
    assert opened.status_code == 302 and "near=Potsdam" in opened["Location"]
    assert "radius_km=40" in opened["Location"]
