"""Is this the same person? Fuzzy scores with evidence, and blocking keys. No Django.

`compare(left, right)` scores two people 0-1 from their names (nicknames, transliteration,
initials, typos, first and last name swapped) and what else both records say (location,
current company, current title), and lists the evidence. `blocking_keys(person)` gives the
keys under which a workspace scan looks for partners: two records are only compared when they
share a key, so a scan costs about O(records x keys) instead of O(records^2).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import TypedDict

from anyascii import anyascii
from rapidfuzz import fuzz
from rapidfuzz.distance import DamerauLevenshtein, JaroWinkler

from talentloop.duplicates.nicknames import formal_names

# The name decides most of the score; the other fields confirm or contradict it.
NAME_WEIGHT = 0.65
GIVEN_SHARE, FAMILY_SHARE = 0.45, 0.55
FIELD_WEIGHTS = {"city": 0.12, "region": 0.04, "country": 0.04, "company": 0.10, "title": 0.05}
# Below this name similarity, the other fields cannot lift a pair: a shared employer and city
# do not make two differently named people one.
NAME_FLOOR = 0.7
# A field that only one record has neither confirms nor contradicts.
NEUTRAL = 0.5
SWAP_PENALTY = 0.95
# Both city and employer named on each side and different: the score is scaled by this.
CONTRADICTION_FACTOR = 0.85
DIFFERENT_BELOW = 0.5  # a city or employer similarity under this counts as different


class Evidence(TypedDict):
    field: str
    left: str
    right: str
    how: str
    weight: float


@dataclass(frozen=True)
class Person:
    first_name: str
    last_name: str = ""
    city: str = ""
    region: str = ""
    country: str = ""
    company: str = ""
    title: str = ""


@dataclass(frozen=True)
class Match:
    score: float
    evidence: list[Evidence]


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


def words(text: str) -> list[str]:
    """Lower-case ASCII words of any script: 'Zoë O'Brien' -> ['zoe', 'o', 'brien']."""
    return _NOT_WORD.sub(" ", anyascii(text).casefold()).split()


def fold(text: str) -> str:
    return " ".join(words(text))


def _forms(text: str) -> set[str]:
    """The ways `text` may be written in ASCII, without spaces: 'Müller' -> muller, mueller."""
    return {"".join(words(text)), "".join(words(text.casefold().translate(_UMLAUTS)))} - {""}


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


# --- name comparison --------------------------------------------------------------------------


def _typo(a: str, b: str) -> tuple[float, str]:
    """Similarity of two spellings that are not equal: keyboard slips score high."""
    distance = DamerauLevenshtein.distance(a, b)
    longest = max(len(a), len(b))
    if distance == 1 and longest >= 4:
        return 0.9, "typo"
    if distance == 2 and longest >= 7:
        return 0.8, "typo"
    similarity = JaroWinkler.normalized_similarity(a, b)
    if similarity >= 0.92:
        return 0.8, "similar"
    # 0.6 Jaro-Winkler is what unrelated names of this length reach by chance.
    return max(0.0, (similarity - 0.6) / 0.4) * 0.6, "different"


def _same_spelling(a: str, b: str) -> tuple[float, str] | None:
    """Exact, transliterated or missing (neutral); None for two different spellings."""
    if not words(a) or not words(b):
        return NEUTRAL, "missing"
    if a.casefold() == b.casefold():
        return 1.0, "exact"
    if _forms(a) & _forms(b):
        return 1.0, "transliteration"
    return None


def given_similarity(a: str, b: str) -> tuple[float, str]:
    """How alike two given names are, and why: exact, nickname, initial, typo ..."""
    same = _same_spelling(a, b)
    if same:
        return same
    left, right = "".join(words(a)), "".join(words(b))
    if len(left) == 1 or len(right) == 1:
        return (0.8, "initial") if left[0] == right[0] else (0.0, "different")
    if any(formal_names(x) & formal_names(y) for x in _forms(a) for y in _forms(b)):
        return 0.95, "nickname"
    if min(len(left), len(right)) >= 3 and (left.startswith(right) or right.startswith(left)):
        return 0.85, "prefix"
    return _typo(left, right)


def family_similarity(a: str, b: str) -> tuple[float, str]:
    """How alike two family names are: exact, transliteration, double-barrelled part, typo."""
    same = _same_spelling(a, b)
    if same:
        return same
    left_words, right_words = set(words(a)), set(words(b))
    if left_words <= right_words or right_words <= left_words:
        return 0.85, "partial"  # "García" and "García López"
    return _typo("".join(words(a)), "".join(words(b)))


def name_similarity(left: Person, right: Person) -> tuple[float, list[Evidence]]:
    """The name score 0-1 and its evidence; first and last name swapped on one side count."""
    left_given, left_family = split_name(left)
    right_given, right_family = split_name(right)

    def score(g: tuple[float, str], f: tuple[float, str], factor: float) -> float:
        return (GIVEN_SHARE * g[0] + FAMILY_SHARE * f[0]) * factor

    given, family = (
        given_similarity(left_given, right_given),
        family_similarity(left_family, right_family),
    )
    best = score(given, family, 1.0)
    right_first, right_last = right_given, right_family
    prefix = ""
    if right_family:
        swapped_given = given_similarity(left_given, right_family)
        swapped_family = family_similarity(left_family, right_given)
        swapped = score(swapped_given, swapped_family, SWAP_PENALTY)
        if swapped > best:
            best, given, family = swapped, swapped_given, swapped_family
            right_first, right_last, prefix = right_family, right_given, "swapped first/last, "
    evidence: list[Evidence] = [
        {
            "field": "first_name",
            "left": left_given,
            "right": right_first,
            "how": prefix + given[1],
            "weight": round(NAME_WEIGHT * GIVEN_SHARE * given[0], 3),
        },
        {
            "field": "last_name",
            "left": left_family,
            "right": right_last,
            "how": prefix + family[1],
            "weight": round(NAME_WEIGHT * FAMILY_SHARE * family[0], 3),
        },
    ]
    return best, evidence


# --- other fields -----------------------------------------------------------------------------


def _place_similarity(a: str, b: str) -> tuple[float, str]:
    left, right = fold(a), fold(b)
    if left == right:
        return 1.0, "same"
    similarity = JaroWinkler.normalized_similarity(left, right)
    return (similarity, "similar") if similarity >= 0.9 else (0.0, "different")


def _text_similarity(a: str, b: str) -> tuple[float, str]:
    ratio = fuzz.token_set_ratio(a, b) / 100
    if ratio == 1:
        return 1.0, "same"
    if ratio >= 0.8:
        return ratio, "similar"
    return (ratio if ratio >= 0.6 else 0.0), "different"


def _field_values(person: Person) -> dict[str, str]:
    return {
        "city": person.city,
        "region": person.region,
        "country": person.country.upper(),
        "company": company_key(person.company),
        "title": fold(person.title),
    }


def compare(left: Person, right: Person) -> Match:
    """Score how likely `left` and `right` are one person (0-1), with the evidence for it."""
    name, evidence = name_similarity(left, right)
    if name < NAME_FLOOR:
        return Match(round(NAME_WEIGHT * name, 3), evidence)
    total = NAME_WEIGHT * name
    left_values, right_values = _field_values(left), _field_values(right)
    raw = {
        "city": (left.city, right.city),
        "region": (left.region, right.region),
        "country": (left.country, right.country),
        "company": (left.company, right.company),
        "title": (left.title, right.title),
    }
    for field, weight in FIELD_WEIGHTS.items():
        a, b = left_values[field], right_values[field]
        if not a or not b:
            total += weight * NEUTRAL
            continue
        if field == "country":
            similarity, how = (1.0, "same") if a == b else (0.0, "different")
        elif field in {"city", "region"}:
            similarity, how = _place_similarity(a, b)
        else:
            similarity, how = _text_similarity(a, b)
        total += weight * similarity
        evidence.append(
            {
                "field": field,
                "left": raw[field][0],
                "right": raw[field][1],
                "how": how,
                "weight": round(weight * similarity, 3),
            }
        )
    # Two records that name a city and an employer, and differ on both, describe two lives:
    # a common name alone must not put them in the review queue (a million generated people
    # from small name pools gave 180,000 such pairs at 0.75-0.85).
    if _differs(left_values, right_values, "city") and _differs(
        left_values, right_values, "company"
    ):
        total *= CONTRADICTION_FACTOR
        evidence.append(
            {
                "field": "city+company",
                "left": f"{left.city} / {left.company}",
                "right": f"{right.city} / {right.company}",
                "how": "both differ",
                "weight": round(CONTRADICTION_FACTOR - 1, 3),
            }
        )
    return Match(round(min(total, 1.0), 3), evidence)


def _differs(left: Mapping[str, str], right: Mapping[str, str], field: str) -> bool:
    a, b = left[field], right[field]
    if not a or not b:
        return False
    similar = _place_similarity(a, b) if field == "city" else _text_similarity(a, b)
    return similar[0] < DIFFERENT_BELOW


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


def blocking_keys(person: Person, emails: Iterable[str] = ()) -> set[str]:
    """The keys under which a scan compares `person` with others.

    Surname sound + given-name initial (the given name's formal forms, so Bob meets Robert),
    the same with first and last name swapped, given name + city, given name + company, and
    each e-mail's mailbox name.
    """
    raw_given, raw_family = split_name(person)
    given = "".join(words(raw_given))
    family = "".join(words(raw_family))
    keys: set[str] = set()
    formal = sorted(formal_names(given)) if len(given) > 1 else [given] if given else []
    family_code = soundex(family)
    for name in formal:
        if family_code:
            keys.add(f"n:{family_code}:{name[0]}")
        city = "".join(words(person.city))[:6]
        if city and len(name) > 1:
            keys.add(f"l:{soundex(name)}:{city}")
        company = company_key(person.company).replace(" ", "")[:30]
        if company and len(name) > 1:
            keys.add(f"c:{company}:{name}")
    if given and family:
        keys.add(f"n:{soundex(given)}:{family[0]}")  # meets the swapped spelling's first key
    for email in emails:
        mailbox = email_mailbox(email)
        if len(mailbox) >= 4 and mailbox not in _SHARED_MAILBOXES:
            keys.add(f"e:{mailbox}"[:MAX_KEY])
    return {key[:MAX_KEY] for key in keys}


def sort_text(person: Person) -> str:
    """A cheap comparable form of the name (formal given name first) for pre-filtering."""
    given, family = split_name(person)
    folded = "".join(words(given))
    formal = min(formal_names(folded)) if len(folded) > 1 else folded
    return f"{formal} {fold(family)}".strip()
