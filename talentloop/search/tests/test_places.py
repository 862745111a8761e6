"""The offline gazetteer and the distance arithmetic, as plain functions."""

from __future__ import annotations

import math

import pytest

from talentloop.search import places


def test_distance_is_great_circle() -> None:
    # Berlin to Paris, centre to centre: 877.5 km by the haversine on the mean radius.
    assert places.distance_km(52.52, 13.405, 48.8566, 2.3522) == pytest.approx(877.46, abs=0.01)
    # A quarter of the equator.
    assert places.distance_km(0, 0, 0, 90) == pytest.approx(math.pi * places.EARTH_RADIUS_KM / 2)


def test_unit_vectors_agree_with_the_haversine() -> None:
    a, b = places.unit_vector(52.52, 13.41), places.unit_vector(52.40, 13.07)
    dot = sum(p * q for p, q in zip(a, b, strict=True))
    assert places.distance_km(52.52, 13.41, 52.40, 13.07) == pytest.approx(
        math.acos(dot) * places.EARTH_RADIUS_KM, abs=1e-6
    )
    assert places.min_dot(0) == 1.0
    assert places.min_dot(10**6) == -1.0  # past the antipode: everywhere


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Berlin", ("Berlin", "DE", "")),
        ("berlin, de", ("Berlin", "DE", "")),  # DE: Germany, not Delaware
        ("Springfield, IL", ("Springfield", "US", "IL")),  # IL: Illinois, not Israel
        ("Springfield", ("Springfield", "US", "MO")),  # the most populous Springfield
        ("Paris", ("Paris", "FR", "")),
        ("Paris, US", ("Paris", "US", "TX")),
        ("Portland, Maine", ("Portland", "US", "ME")),
        ("Tbilisi, Georgia", ("Tbilisi", "GE", "")),  # the country
        ("Athens, Georgia", ("Athens", "US", "GA")),  # the state
        ("London, CA", ("London", "CA", "")),
        ("Bangalore", ("Bengaluru", "IN", "")),  # an alternate name
        ("München", ("Munich", "DE", "")),
        ("  KÖLN ", ("Köln", "DE", "")),
    ],
)
def test_resolves_names(text: str, expected: tuple[str, str, str]) -> None:
    place = places.resolve(text)
    assert place is not None
    name, country, state = expected
    assert (place.name, place.country) == (name, country)
    if state:
        assert place.admin1 == state


@pytest.mark.parametrize("text", ["Nowhereville", "", ",", "Berlin, Zz-land-9", "Paris, JP"])
def test_unknown_places(text: str) -> None:
    if text == "Berlin, Zz-land-9":  # an unknown region is ignored, the city still counts
        assert places.resolve(text) is not None
        return
    assert places.resolve(text) is None


def test_coordinates() -> None:
    place = places.resolve("52.52, 13.40")
    assert place is not None and (place.latitude, place.longitude) == (52.52, 13.40)
    assert places.resolve("-33.9 18.4") is not None
    assert places.resolve("95, 10") is None  # no such latitude


def test_locate_prefers_the_candidates_country_and_state() -> None:
    boston_us = places.locate("Boston", "Massachusetts", "US")
    boston_gb = places.locate("Boston", "", "GB")
    assert boston_us is not None and boston_us.admin1 == "MA"
    assert boston_gb is not None and boston_gb.country == "GB"
    # A country without that city: no point rather than one on another continent.
    assert places.locate("Paris", "", "JP") is None
    assert places.locate("", "Bavaria", "DE") is None


def test_bounding_box_holds_the_circle() -> None:
    box = places.bounding_box(52.5, 13.4, 50)
    assert box.south == pytest.approx(52.05, abs=0.01) and box.north == pytest.approx(
        52.95, abs=0.01
    )
    ((west, east),) = box.lon_ranges
    # The circle's widest point east and west lies inside the box, just.
    widest = places.distance_km(52.5, 13.4, 52.5, east)
    assert widest > 50 and west < 13.4 - 0.7


def test_bounding_box_across_the_antimeridian_and_a_pole() -> None:
    box = places.bounding_box(0, 179.9, 50)
    assert len(box.lon_ranges) == 2
    assert box.lon_ranges[0][1] == 180.0 and box.lon_ranges[1][0] == -180.0
    assert places.bounding_box(89.9, 0, 50).lon_ranges == ()
