"""Is this the same person? Scores with evidence, and blocking keys. No Django.

The score is a Fellegi-Sunter match probability, the model record-linkage tools (Febrl,
splink) use. Each field two records share falls in a comparison level (exact, nickname, typo,
different ...); a level weighs log2(m / u) bits, where m is how often a true duplicate shows
that level and u how often two different people do. The bits add up with a prior (how rare a
duplicate pair is among all pairs of the workspace) to the probability, 0-1. Every field's
bits are its evidence, so a reviewer sees why: "last name: exact, +9.3 bits".

u comes from the workspace itself (`Stats`, built by a scan): a shared surname Smith says less
than a shared surname Brzęczyszczykiewicz, and a name is weighed against how common it is in
the same country, so a large city full of one nationality's names does not turn namesakes into
suggestions. Without statistics the defaults below stand in.

`blocking_keys(person)` gives the keys under which a workspace scan looks for partners: two
records are only compared when they share a key, so a scan costs about O(records x keys).
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any, TypedDict

from anyascii import anyascii
from rapidfuzz import fuzz
from rapidfuzz.distance import DamerauLevenshtein, JaroWinkler

from talentloop.duplicates.nicknames import formal_names


class Evidence(TypedDict):
    field: str
    left: str
    right: str
    how: str
    weight: float  # bits for (positive) or against (negative) one person


@dataclass(frozen=True, slots=True)
class Person:
    first_name: str
    last_name: str = ""
    city: str = ""
    region: str = ""
    country: str = ""
    company: str = ""
    title: str = ""
    # Custom field values as text, (key, value) sorted by key: an employee number or a date
    # of birth two records share is strong evidence; the statistics say how strong.
    custom: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class Match:
    score: float
    evidence: list[Evidence]


# --- the model --------------------------------------------------------------------------------

# m: the share of true duplicate pairs at each level (both values present). Typos and
# nicknames are a few percent of duplicates; people move and change jobs more often than names.
M = {
    "given": {
        "exact": 0.85,
        "nickname": 0.05,
        "initial": 0.03,
        "typo": 0.04,
        "similar": 0.02,
        "different": 0.01,
    },
    "family": {"exact": 0.88, "partial": 0.02, "typo": 0.05, "similar": 0.02, "different": 0.03},
    "city": {"exact": 0.75, "similar": 0.05, "different": 0.15},
    "region": {"exact": 0.8, "similar": 0.05, "different": 0.15},
    "country": {"exact": 0.9, "different": 0.1},
    "company": {"exact": 0.65, "similar": 0.1, "different": 0.15},
    "title": {"exact": 0.5, "similar": 0.15, "different": 0.35},
    "custom": {"exact": 0.8, "close": 0.08, "different": 0.12},
}
# u when the workspace has no statistics yet: how often two different people agree.
DEFAULT_U = {
    "given": {
        "exact": 1 / 300,
        "nickname": 0.0005,
        "initial": 0.002,
        "typo": 0.001,
        "similar": 0.01,
        "different": 0.98,
    },
    "family": {
        "exact": 1 / 3000,
        "partial": 0.0005,
        "typo": 0.0005,
        "similar": 0.01,
        "different": 0.99,
    },
    "city": {"exact": 1 / 50, "similar": 0.005, "different": 0.97},
    "region": {"exact": 1 / 20, "similar": 0.005, "different": 0.94},
    "country": {"exact": 1 / 5, "different": 0.8},
    "company": {"exact": 1 / 1000, "similar": 0.002, "different": 0.997},
    "title": {"exact": 1 / 200, "similar": 0.02, "different": 0.97},
    "custom": {"exact": 1 / 100, "close": 0.01, "different": 0.98},
}
MAX_BITS = 16.0  # one field can never say more than this, for or against
SWAP_BITS = -1.0  # first and last name swapped on one side: a little less sure
# Share of records that have a duplicate: gives the prior odds that a random pair is one person.
DUPLICATE_RATE = 0.05
MIN_RECORDS = 1_000  # below this the prior stays as for 1,000 records (small data, thin stats)
PSEUDO_RECORDS = 1_000  # default-u pseudo-counts mixed into observed frequencies

PLACE_FIELDS = ("city", "region", "country", "company", "title")


def prior_bits(records: int) -> float:
    pairs = max(records, MIN_RECORDS)
    chance = 2 * DUPLICATE_RATE / pairs  # duplicate pairs / all pairs, about
    return math.log2(chance / (1 - chance))


def probability(bits: float) -> float:
    return 1.0 / (1.0 + math.pow(2.0, -max(-1000.0, min(1000.0, bits))))


def bits_for(probability_: float) -> float:
    return math.log2(probability_ / (1 - probability_))


# --- normalization ----------------------------------------------------------------------------

_NOT_WORD = re.compile(r"[^a-z0-9]+")
# German spells an umlaut out as a following e ("Müller" is also "Mueller"); anyascii drops it.
_UMLAUTS = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss"})
_COMPANY_SUFFIXES = frozenset(
    [
        "inc",
        "incorporated",
        "ltd",
        "limited",
        "llc",
        "llp",
        "gmbh",
        "ag",
        "sa",
        "sas",
        "sarl",
        "bv",
        "nv",
        "plc",
        "corp",
        "corporation",
        "co",
        "company",
        "group",
        "holding",
        "holdings",
        "oy",
        "ab",
        "as",
        "spa",
        "srl",
        "kk",
        "pty",
    ]
)


@lru_cache(maxsize=200_000)
def words(text: str) -> list[str]:
    """Lower-case ASCII words of any script: 'Zoë O'Brien' -> ['zoe', 'o', 'brien']."""
    return _NOT_WORD.sub(" ", anyascii(text).casefold()).split()


def fold(text: str) -> str:
    return " ".join(words(text))


def _forms(text: str) -> frozenset[str]:
    """The ways `text` may be written in ASCII, without spaces: 'Müller' -> muller, mueller."""
    return frozenset(
        {"".join(words(text)), "".join(words(text.casefold().translate(_UMLAUTS)))} - {""}
    )


def split_name(person: Person) -> tuple[str, str]:
    """(given, family) as written: the first word of the first name, and the last name.

    A full name typed into the first-name field ("John Smith") is split at its first space.
    """
    first = person.first_name.strip()
    last = person.last_name.strip()
    if not last and " " in first:
        first, last = first.split(None, 1)
    given = first.split()[0] if first.split() else ""
    return given, last


def company_key(company: str) -> str:
    return " ".join(w for w in words(company) if w not in _COMPANY_SUFFIXES)


@dataclass(frozen=True, slots=True)
class Name:
    """One name part, folded once: its spelling, ASCII forms and (given names) formal forms."""

    raw: str
    plain: str  # ASCII, no spaces
    forms: frozenset[str]
    words: frozenset[str]
    formal: frozenset[str]


@lru_cache(maxsize=200_000)
def _name(raw: str) -> Name:
    plain = "".join(words(raw))
    forms = _forms(raw)
    formal = frozenset(f for form in forms for f in formal_names(form)) if len(plain) > 1 else forms
    return Name(raw, plain, forms, frozenset(words(raw)), formal)


@lru_cache(maxsize=200_000)
def _custom_value(value: str) -> str:
    return "".join(words(value))


@dataclass(frozen=True, slots=True)
class Prepared:
    """A Person with every comparable value folded once, for comparing it many times."""

    person: Person
    given: Name
    family: Name
    values: dict[str, str]  # city, region, country, company, title: folded
    custom: dict[str, str] = field(default_factory=dict)


def prepare(person: Person) -> Prepared:
    given, family = split_name(person)
    return Prepared(
        person=person,
        given=_name(given),
        family=_name(family),
        values={
            "city": fold(person.city),
            "region": fold(person.region),
            "country": person.country.upper(),
            "company": company_key(person.company),
            "title": fold(person.title),
        },
        custom={k: v for k, raw in person.custom if (v := _custom_value(raw))},
    )


# --- comparison levels ------------------------------------------------------------------------


def _typo_level(a: str, b: str) -> str:
    """'typo' for a keyboard slip, 'similar' for a near spelling, else 'different'."""
    distance = DamerauLevenshtein.distance(a, b, score_cutoff=2)
    longest = max(len(a), len(b))
    if (distance == 1 and longest >= 4) or (distance == 2 and longest >= 7):
        return "typo"
    # Two slips in a short name: two copies of one name, each with its own typo.
    if (distance == 2 and longest >= 5) or JaroWinkler.normalized_similarity(a, b) >= 0.92:
        return "similar"
    return "different"


def _same_spelling(a: Name, b: Name) -> str:
    """exact, transliteration (the same once in ASCII), or "" for two spellings."""
    if a.raw.casefold() == b.raw.casefold():
        return "exact"
    if a.plain == b.plain or a.forms & b.forms:
        return "transliteration"
    return ""


def given_level(a: Name, b: Name) -> str:
    """exact, transliteration, nickname, initial, prefix, typo, similar or different."""
    if same := _same_spelling(a, b):
        return same
    if len(a.plain) == 1 or len(b.plain) == 1:
        return "initial" if a.plain[0] == b.plain[0] else "different"
    if a.formal & b.formal:
        return "nickname"
    if min(len(a.plain), len(b.plain)) >= 3 and (
        a.plain.startswith(b.plain) or b.plain.startswith(a.plain)
    ):
        return "prefix"
    return _typo_level(a.plain, b.plain)


def family_level(a: Name, b: Name) -> str:
    """exact, transliteration, partial (one part of a double name), typo, similar, different."""
    if same := _same_spelling(a, b):
        return same
    if a.words <= b.words or b.words <= a.words:
        return "partial"  # "García" and "García López"
    return _typo_level(a.plain, b.plain)


# The model's level for each way a name may agree.
_GIVEN_MODEL = {"transliteration": "exact", "prefix": "similar"}
_FAMILY_MODEL = {"transliteration": "exact"}


def place_level(a: str, b: str) -> str:
    if a == b:
        return "exact"
    return "similar" if JaroWinkler.normalized_similarity(a, b) >= 0.9 else "different"


def text_level(a: str, b: str) -> str:
    """exact; similar for the same words reordered or one a part of the other ("Data
    Scientist" in "Senior Data Scientist"), or a near spelling; else different."""
    if a == b:
        return "exact"
    if fuzz.token_sort_ratio(a, b) >= 90:
        return "similar"
    shorter, longer = sorted((set(a.split()), set(b.split())), key=len)
    if len(shorter) >= 2 and shorter <= longer:
        return "similar"
    return "different"


def custom_level(a: str, b: str) -> str:
    """exact; close for one slip in a value of 4+ characters (two in 8+); else different."""
    if a == b:
        return "exact"
    longest = max(len(a), len(b))
    if longest >= 4:
        distance = DamerauLevenshtein.distance(a, b, score_cutoff=2)
        if distance == 1 or (distance == 2 and longest >= 8):
            return "close"
    return "different"


# Scans compare the same few thousand names, places and titles over and over: each level
# function is cached on the pair of spellings.
_CACHE = 500_000


@lru_cache(maxsize=_CACHE)
def _given_pair(a: str, b: str) -> str:
    return given_level(_name(a), _name(b))


@lru_cache(maxsize=_CACHE)
def _family_pair(a: str, b: str) -> str:
    return family_level(_name(a), _name(b))


_PLACE_LEVELS: dict[str, Callable[[str, str], str]] = {
    "city": lru_cache(maxsize=_CACHE)(place_level),
    "region": lru_cache(maxsize=_CACHE)(place_level),
    "country": lambda a, b: "exact" if a == b else "different",
    "company": lru_cache(maxsize=_CACHE)(text_level),
    "title": lru_cache(maxsize=_CACHE)(text_level),
}


# --- statistics -------------------------------------------------------------------------------


@dataclass
class Stats:
    """How common each value is in a workspace, and how often different people agree at each
    level (sampled pairs). Built by `build_stats`; stored with a scan for single checks."""

    records: int = 0
    # "family" -> value -> count, and "family@US" -> value -> count within one country.
    counts: dict[str, dict[str, int]] = field(default_factory=dict)
    # Records per country (the denominators of the "@country" counts).
    countries: dict[str, int] = field(default_factory=dict)
    # field -> level -> u measured on random pairs (non-exact levels).
    u_levels: dict[str, dict[str, float]] = field(default_factory=dict)
    # Weights already worked out: (field, level, value, country) -> bits. Not data.
    weights: dict[tuple[str, str, str, str], float] = field(
        default_factory=dict, compare=False, repr=False
    )

    def u_exact(self, name: str, value: str, country: str = "") -> float:
        """How likely a random other record has this `value` of field `name`: its frequency in
        the workspace (in the same country when both records name it), smoothed towards the
        default for small data."""
        default = DEFAULT_U.get(name, DEFAULT_U["custom"])["exact"]
        key, total = name, self.records
        if country and self.countries.get(country, 0) >= 100:
            key, total = f"{name}@{country}", self.countries[country]
        seen = self.counts.get(key, {}).get(value)
        if seen is None:
            seen = 1  # rarer than anything kept: this record alone
        others = max(seen - 1, 0)
        return (others + PSEUDO_RECORDS * default) / (total + PSEUDO_RECORDS)

    def u_level(self, name: str, level: str) -> float:
        measured = self.u_levels.get(name, {}).get(level)
        if measured is not None:
            return measured
        return DEFAULT_U.get(name, DEFAULT_U["custom"])[level]

    def to_json(self) -> dict[str, Any]:
        return {
            "records": self.records,
            "counts": self.counts,
            "countries": self.countries,
            "u_levels": self.u_levels,
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Stats:
        return cls(
            records=int(data.get("records", 0)),
            counts=dict(data.get("counts", {})),
            countries=dict(data.get("countries", {})),
            u_levels=dict(data.get("u_levels", {})),
        )


NO_STATS = Stats()
KEEP_COUNTS_FROM = 2  # values seen once are not stored (the default "rare" handles them)
SAMPLE_PAIRS = 100_000


def _place_getter(name: str) -> Callable[[Prepared], str]:
    return lambda record: record.values[name]


def build_stats(records: Sequence[Prepared], *, seed: int = 1) -> Stats:
    """Value frequencies (overall and per country) and sampled u of the fuzzy levels."""
    import random

    # Each field counted once per country (a Swedish surname is common in Stockholm, rare in
    # Madrid); the workspace-wide counts are those summed.
    getters: dict[str, Callable[[Prepared], str]] = {
        "given": lambda r: r.given.plain,
        "family": lambda r: r.family.plain,
    }
    getters.update({name: _place_getter(name) for name in PLACE_FIELDS})
    counts: dict[str, Counter[str]] = {}
    for name, get in getters.items():
        overall = counts[name] = Counter()
        for (country, value), n in Counter((r.values["country"], get(r)) for r in records).items():
            overall[value] += n
            if country and name != "country":
                counts.setdefault(f"{name}@{country}", Counter())[value] = n
    countries = counts["country"].copy()
    for record in records:
        for key, value in record.custom.items():
            counts.setdefault(f"custom.{key}", Counter())[value] += 1
    for counter in counts.values():
        counter.pop("", None)
    countries.pop("", None)
    kept = {
        name: {value: n for value, n in counter.items() if n >= KEEP_COUNTS_FROM}
        for name, counter in counts.items()
    }
    stats = Stats(
        records=len(records),
        counts={name: values for name, values in kept.items() if values},
        countries=dict(countries),
    )
    stats.u_levels = _sample_u(records, random.Random(seed))  # noqa: S311 - sampling, not secrets
    return stats


def _sample_u(records: Sequence[Prepared], rng: Any) -> dict[str, dict[str, float]]:
    """u of each non-exact level, measured on random pairs (almost all different people)."""
    if len(records) < 1_000:
        return {}
    seen: dict[str, Counter[str]] = {}
    samples = min(SAMPLE_PAIRS, len(records) * 20)
    for _ in range(samples):
        left = records[rng.randrange(len(records))]
        right = records[rng.randrange(len(records))]
        if left is right:
            continue
        for name, level in _levels(left, right):
            seen.setdefault(name, Counter())[level] += 1
    u: dict[str, dict[str, float]] = {}
    for name, levels in seen.items():
        total = sum(levels.values())
        model = "custom" if name.startswith("custom.") else name
        for level, default in DEFAULT_U[model].items():
            if level == "exact":
                continue
            # Mixed with the default as pseudo-observations: a level never seen in the
            # sample is rare, not impossible.
            u.setdefault(name, {})[level] = (levels[level] + 50 * default) / (total + 50)
    return u


def _levels(left: Prepared, right: Prepared) -> Iterable[tuple[str, str]]:
    if left.given.plain and right.given.plain:
        level = _given_pair(left.given.raw, right.given.raw)
        yield "given", _GIVEN_MODEL.get(level, level)
    if left.family.plain and right.family.plain:
        level = _family_pair(left.family.raw, right.family.raw)
        yield "family", _FAMILY_MODEL.get(level, level)
    for name in PLACE_FIELDS:
        a, b = left.values[name], right.values[name]
        if a and b:
            yield name, "exact" if a == b else _PLACE_LEVELS[name](a, b)
    for key, a in left.custom.items():
        b = right.custom.get(key, "")
        if b:
            yield f"custom.{key}", custom_level(a, b)


# --- scoring ----------------------------------------------------------------------------------


def _bits(m: float, u: float) -> float:
    return max(-MAX_BITS, min(MAX_BITS, math.log2(m / max(u, 1e-12))))


def _field_bits(stats: Stats, name: str, level: str, value: str, country: str) -> float:
    """The bits of one field at one level (for "exact", of this value in this country)."""
    key = (name, level, value, country) if level == "exact" else (name, level, "", "")
    bits = stats.weights.get(key)
    if bits is None:
        if len(stats.weights) > 1_000_000:  # a long-lived process with ever new values
            stats.weights.clear()
        model = "custom" if name.startswith("custom.") else name
        m = M[model][level]
        u = stats.u_exact(name, value, country) if level == "exact" else stats.u_level(name, level)
        bits = stats.weights[key] = _bits(m, u)
    return bits


def _best_bits(stats: Stats, name: str, value: str, country: str) -> float:
    """The most one field can add for a record with this value (exact or a near level)."""
    key = (name, "best", value, country)
    best = stats.weights.get(key)
    if best is None:
        best = _field_bits(stats, name, "exact", value, country)
        model = "custom" if name.startswith("custom.") else name
        for level in M[model]:
            if level != "exact":
                best = max(best, _field_bits(stats, name, level, "", ""))
        stats.weights[key] = best
    return best


def _name_bits(
    left: Prepared, right: Prepared, stats: Stats, country: str, evidence: list[Evidence] | None
) -> float:
    """Bits of the two name parts, trying first and last name swapped on the right."""

    def parts(given: Name, family: Name, prefix: str, extra: float) -> tuple[float, list[Any]]:
        total = extra
        found: list[Any] = []
        for label, model, a, b, level_of, remap in (
            ("first_name", "given", left.given, given, _given_pair, _GIVEN_MODEL),
            ("last_name", "family", left.family, family, _family_pair, _FAMILY_MODEL),
        ):
            if not a.plain or not b.plain:
                found.append((label, a.raw, b.raw, "missing", 0.0))
                continue
            how = "exact" if a.raw == b.raw else level_of(a.raw, b.raw)
            level = remap.get(how, how)
            bits = _field_bits(stats, model, level, a.plain, country)
            total += bits
            found.append((label, a.raw, b.raw, prefix + how, bits))
        return total, found

    best = parts(right.given, right.family, "", 0.0)
    if right.family.plain and right.given.plain and left.given.plain != right.given.plain:
        swapped = parts(right.family, right.given, "swapped first/last, ", SWAP_BITS)
        if swapped[0] > best[0]:
            best = swapped
    if evidence is not None:
        for label, a_raw, b_raw, how, bits in best[1]:
            evidence.append(
                {
                    "field": label,
                    "left": a_raw,
                    "right": b_raw,
                    "how": how,
                    "weight": round(bits, 1),
                }
            )
    return best[0]


def match_bits(
    left: Prepared,
    right: Prepared,
    stats: Stats,
    evidence: list[Evidence] | None = None,
    *,
    cutoff: float | None = None,
) -> float:
    """The bits for one person, prior included (0 bits is even odds). Appends each field's
    evidence to `evidence` when given; scans leave it out for the pairs they drop.

    With a `cutoff`, a pair whose names leave it short of the cutoff even if every other
    field agreed stops early (the bits returned are then only an upper bound under cutoff).
    """
    lc, rc = left.values["country"], right.values["country"]
    country = lc if lc and lc == rc else ""
    total = _name_bits(left, right, stats, country, evidence) + prior_bits(stats.records)
    if cutoff is not None and evidence is None:
        bound = total
        for name in PLACE_FIELDS:
            a = left.values[name]
            if a and right.values[name]:
                bound += _best_bits(stats, name, a, "" if name == "country" else country)
        for key, a in left.custom.items():
            if key in right.custom:
                bound += _best_bits(stats, f"custom.{key}", a, "")
        if bound < cutoff:
            return bound
    for name in PLACE_FIELDS:
        a, b = left.values[name], right.values[name]
        if not a or not b:
            continue
        level = "exact" if a == b else _PLACE_LEVELS[name](a, b)
        bits = _field_bits(stats, name, level, a, "" if name == "country" else country)
        total += bits
        if evidence is not None:
            evidence.append(
                {
                    "field": name,
                    "left": _raw_place(name, left.person),
                    "right": _raw_place(name, right.person),
                    "how": "same" if level == "exact" else level,
                    "weight": round(bits, 1),
                }
            )
    for key, a in left.custom.items():
        b = right.custom.get(key, "")
        if not b:
            continue
        level = custom_level(a, b)
        bits = _field_bits(stats, f"custom.{key}", level, a, "")
        total += bits
        if evidence is not None:
            evidence.append(
                {
                    "field": f"custom_fields.{key}",
                    "left": dict(left.person.custom).get(key, a),
                    "right": dict(right.person.custom).get(key, b),
                    "how": "same" if level == "exact" else level,
                    "weight": round(bits, 1),
                }
            )
    return total


def compare_prepared(left: Prepared, right: Prepared, stats: Stats = NO_STATS) -> Match:
    """The match probability of two prepared records, with each field's evidence in bits."""
    evidence: list[Evidence] = []
    bits = match_bits(left, right, stats, evidence)
    return Match(round(probability(bits), 3), evidence)


def _raw_place(name: str, person: Person) -> str:
    return {
        "city": person.city,
        "region": person.region,
        "country": person.country,
        "company": person.company,
        "title": person.title,
    }[name]


def compare(left: Person, right: Person, stats: Stats = NO_STATS) -> Match:
    """Score how likely `left` and `right` are one person (0-1), with the evidence for it."""
    return compare_prepared(prepare(left), prepare(right), stats)


# --- blocking ---------------------------------------------------------------------------------

_SOUNDEX = str.maketrans("bfpvcgjkqsxzdtlmnr", "111122222222334556")
# Mailbox names that many people share, so they say nothing about who someone is.
_SHARED_MAILBOXES = frozenset(
    [
        "info",
        "contact",
        "hello",
        "hi",
        "mail",
        "email",
        "admin",
        "office",
        "jobs",
        "job",
        "careers",
        "career",
        "hr",
        "team",
        "sales",
        "support",
        "test",
        "me",
        "work",
        "cv",
        "resume",
    ]
)
MAX_KEY = 80
_IDENTIFIER = re.compile(r"(?=.*\d)[a-z0-9]{5,}")


@lru_cache(maxsize=200_000)
def soundex(word: str) -> str:
    """American Soundex: 'Robert' and 'Rupert' -> R163. Empty for a word without letters."""
    letters = "".join(ch for ch in word.casefold() if "a" <= ch <= "z")
    if not letters:
        return ""
    codes = []
    previous = letters[0].translate(_SOUNDEX)
    for ch in letters[1:]:
        code = ch.translate(_SOUNDEX)
        if code.isdigit() and code != previous:
            codes.append(code)
        if ch not in "hw":  # h and w do not separate two letters of one code
            previous = code
    return (letters[0].upper() + "".join(codes) + "000")[:4]


def email_mailbox(email: str) -> str:
    """The mailbox part of an address without dots or a +tag: 'J.Smith+cv@x' -> 'jsmith'."""
    local = email.split("@", 1)[0].casefold().split("+", 1)[0]
    return local.replace(".", "")


def blocking_keys(person: Person | Prepared, emails: Iterable[str] = ()) -> set[str]:
    """The keys under which a scan compares `person` with others.

    - f: the exact family name + the given name's initial (a typo in the given name);
    - n: the family name's sound + each formal given name (Bob meets Robert; a typo in the
      family name);
    - s: both names in either order (first and last name swapped);
    - c: the employer + the family name's sound (a typo in the family name);
    - e: each e-mail's mailbox name;
    - x: each identifier-like custom value (5+ letters and digits, with a digit: an employee
      number, a date of birth).
    """
    record = person if isinstance(person, Prepared) else prepare(person)
    given, family = record.given, record.family
    keys: set[str] = set()
    family_code = soundex(family.plain)
    company = record.values["company"].replace(" ", "")[:30]
    if family.plain and given.plain:
        keys.add(f"f:{family.plain}:{given.plain[0]}")
        keys.add("s:" + ":".join(sorted((given.plain, family.plain))))
    formal = sorted(given.formal) if len(given.plain) > 1 else []
    for name in formal:
        if family_code:
            keys.add(f"n:{family_code}:{name}")
    if company and family_code:
        keys.add(f"c:{company}:{family_code}")
    for email in emails:
        mailbox = email_mailbox(email)
        if len(mailbox) >= 4 and mailbox not in _SHARED_MAILBOXES:
            keys.add(f"e:{mailbox}")
    for key, value in record.custom.items():
        if _IDENTIFIER.fullmatch(value):
            keys.add(f"x:{key}:{value}")
    return {key[:MAX_KEY] for key in keys}


def close_given_names(a: Name, b: Name) -> bool:
    """Given names that may be one person's: the same, a slip or two apart, an initial, a
    prefix of the other, or nicknames of one formal name."""
    x, y = a.plain, b.plain
    if not x or not y:
        return True  # a missing name rules nothing out
    if x == y or len(x) == 1 or len(y) == 1 or x.startswith(y) or y.startswith(x):
        return True
    if a.formal & b.formal or a.forms & b.forms:
        return True
    return DamerauLevenshtein.distance(x, y, score_cutoff=2) <= 2


def worth_comparing(key: str, left: Prepared, right: Prepared) -> bool:
    """A cheap first look at a pair met under `key`: two records with the same two names meet
    under several keys, and are compared under their s: key only."""
    if key[0] == "s":
        return True
    lg, lf, rg, rf = left.given.plain, left.family.plain, right.given.plain, right.family.plain
    return not (lg and lf and ((lg == rg and lf == rf) or (lg == rf and lf == rg)))


def sort_text(person: Person | Prepared) -> str:
    """A comparable form of the name (family name, then formal given name), for ordering a
    block so that likely duplicates sit side by side."""
    record = person if isinstance(person, Prepared) else prepare(person)
    given = min(record.given.formal) if record.given.formal else record.given.plain
    return f"{record.family.plain} {given}"
