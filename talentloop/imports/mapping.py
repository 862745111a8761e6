"""Map a file's columns to candidate fields, and turn each row into API-shaped candidate data.

No Django here: plain functions, tested as such. `suggest_mapping` guesses a mapping from the
headers, `check_mapping` says what is wrong with one a person chose, and `apply_mapping` (or the
function `compile_mapping` returns, for a whole file) turns one row's cells into a dict shaped like
`CandidateIn`: names split and tidied, lists split, locations split into city, region and
country, spreadsheet formula guards taken off. Values are not validated or normalized here
(e-mails, phones, URLs, countries): the services do that and report what is wrong per field.

A mapping is {header: target}; a target is a key of TARGETS, "custom_fields.<key>" for a custom
field, or "" to leave the column out.

Speed, measured with a script on this machine (2 cores, shared with a benchmark) over 200,000
typical 10-column rows (names, e-mail, phone, city, country, title, company, tags, source): the
function `compile_mapping` returns runs at 230,000 rows/s; `apply_mapping`, which looks the
compiled mapping up by the mapping's items on every call, at 185,000 rows/s. Compile once per
file.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
import unicodedata
from collections.abc import Callable, Mapping, Sequence
from typing import Any

CUSTOM_PREFIX = "custom_fields."

TARGETS: dict[str, str] = {
    "": "Leave out",
    "first_name": "First name",
    "last_name": "Last name",
    "full_name": "Full name (split into first and last)",
    "emails": "E-mails",
    "phones": "Phones",
    "links": "Links (LinkedIn, GitHub, websites)",
    "headline": "Headline",
    "city": "City",
    "region": "Region or state",
    "country": "Country",
    "location": "Location (split into city, region and country)",
    "timezone": "Time zone",
    "current_title": "Current title",
    "current_company": "Current company",
    "seniority": "Seniority",
    "years_experience": "Years of experience",
    "source_detail": "Source detail",
    "tags": "Tags",
}
# Targets that several columns may fill; every other one takes one column.
MULTI_TARGETS = frozenset({"emails", "phones", "links", "tags"})
NAME_OR_EMAIL = "Map a first name, a full name, or an e-mail."

# --- suggesting -------------------------------------------------------------------------------

# Headers as `_compact` writes them: lower-case ASCII letters and digits only.
_SYNONYMS: dict[str, tuple[str, ...]] = {
    "first_name": (
        "first",
        "fname",
        "givenname",
        "given",
        "forename",
        "forenames",
        "firstnames",
        "prenom",
        "vorname",
        "nombre",
    ),
    "last_name": (
        "last",
        "lname",
        "surname",
        "familyname",
        "family",
        "nachname",
        "apellido",
        "apellidos",
        "nomdefamille",
    ),
    "full_name": (
        "name",
        "candidate",
        "candidatename",
        "contact",
        "contactname",
        "person",
        "personname",
        "displayname",
        "nom",
    ),
    "emails": (
        "email",
        "mail",
        "emailaddress",
        "emailaddresses",
        "mailaddress",
        "workemail",
        "personalemail",
        "privateemail",
        "homeemail",
        "businessemail",
        "primaryemail",
        "otheremail",
        "emailid",
    ),
    "phones": (
        "phone",
        "phonenumber",
        "phonenumbers",
        "phoneno",
        "mobile",
        "mobilephone",
        "mobilenumber",
        "mobileno",
        "cell",
        "cellphone",
        "cellular",
        "tel",
        "telephone",
        "telephonenumber",
        "workphone",
        "homephone",
        "businessphone",
        "contactnumber",
        "handy",
        "telefon",
    ),
    "links": (
        "link",
        "url",
        "urls",
        "website",
        "web",
        "homepage",
        "profile",
        "profileurl",
        "profilelink",
        "linkedin",
        "linkedinurl",
        "linkedinprofile",
        "github",
        "githuburl",
        "githubprofile",
        "portfolio",
        "blog",
        "twitter",
        "xing",
        "profileslinkedin",
        "profilesgithub",
        "profilesother",
    ),
    "headline": ("label", "tagline", "professionalheadline"),
    "city": ("town", "locationcity", "locality"),
    "region": ("state", "province", "county", "stateprovince", "locationregion"),
    "country": ("countrycode", "locationcountrycode", "nation", "countryname"),
    "location": ("address", "basedin", "currentlocation", "area", "place"),
    "timezone": ("tz", "timezonename", "zone"),
    "current_title": (
        "title",
        "jobtitle",
        "position",
        "role",
        "currentposition",
        "currentrole",
        "currentjobtitle",
        "occupation",
        "designation",
        "worktitle",
        "workcurrentposition",
    ),
    "current_company": (
        "company",
        "employer",
        "organization",
        "organisation",
        "companyname",
        "currentemployer",
        "org",
        "firm",
        "workcurrentname",
    ),
    "seniority": ("level", "senioritylevel", "grade"),
    "years_experience": (
        "experience",
        "yearsofexperience",
        "experienceyears",
        "yoe",
        "years",
        "totalexperience",
    ),
    "source_detail": ("source", "leadsource", "origin", "referredby", "referral"),
    "tags": (
        "tag",
        "skills",
        "skill",
        "labels",
        "keywords",
        "categories",
        "skillset",
        "keyskills",
    ),
}
# "Secondary e-mail", "Other phone", "Twitter URL": a header ending like this fills the target.
_ENDINGS: tuple[tuple[str, str], ...] = (
    ("emailaddress", "emails"),
    ("email", "emails"),
    ("phonenumber", "phones"),
    ("phone", "phones"),
    ("mobile", "phones"),
    ("url", "links"),
    ("linkedin", "links"),
    ("github", "links"),
)
_EXACT, _CUSTOM, _SYNONYM, _NUMBERED, _ENDING = 100, 95, 90, 80, 60


def _compact(text: str) -> str:
    folded = unicodedata.normalize("NFKD", text.casefold())
    return re.sub(r"[^a-z0-9]", "", folded)


def _build_lookup() -> dict[str, tuple[str, int]]:
    lookup: dict[str, tuple[str, int]] = {}
    for target, synonyms in _SYNONYMS.items():
        for synonym in synonyms:
            lookup[synonym] = (target, _SYNONYM)
    for target in TARGETS:
        if target:
            lookup[_compact(target)] = (target, _EXACT)
    return lookup


_LOOKUP = _build_lookup()


def _guess(header: str, custom: Mapping[str, str]) -> tuple[str, int]:
    """(target, score) for one header; ("", 0) when nothing fits."""
    stripped = header.strip()
    if stripped.lower().startswith(CUSTOM_PREFIX):
        key = stripped[len(CUSTOM_PREFIX) :]
        found = custom.get(_compact(key))
        return (f"{CUSTOM_PREFIX}{found}", _EXACT) if found else ("", 0)
    compact = _compact(stripped)
    if not compact:
        return "", 0
    exact = _LOOKUP.get(compact)
    if exact and exact[1] == _EXACT:
        return exact
    if compact in custom:
        return f"{CUSTOM_PREFIX}{custom[compact]}", _CUSTOM
    if exact:
        return exact
    # "Email 2", "Phone (2)" (a repeated header), "Tags1"
    numbered = _LOOKUP.get(compact.rstrip("0123456789"))
    if numbered:
        return numbered[0], _NUMBERED
    for ending, target in _ENDINGS:
        if compact.endswith(ending):
            return target, _ENDING
    return "", 0


def _custom_index(custom_field_keys: Sequence[str]) -> dict[str, str]:
    return {_compact(key): key for key in custom_field_keys}


def suggest_mapping(headers: list[str], custom_field_keys: Sequence[str] = ()) -> dict[str, str]:
    """{header: target or ""} for every header: the likeliest field for each column.

    Matching ignores case, spacing and punctuation and knows common synonyms. A target that takes
    one column goes to the best-matching header (the first of equals); the others are left out.
    A full name is left out when both a first and a last name are mapped.
    """
    custom = _custom_index(custom_field_keys)
    guesses = [(header, *_guess(header, custom)) for header in headers]
    best: dict[str, tuple[int, int]] = {}  # target -> (score, -position) of its best header
    for position, (_, target, score) in enumerate(guesses):
        if target and target not in MULTI_TARGETS and not target.startswith(CUSTOM_PREFIX):
            best[target] = max(best.get(target, (0, 1)), (score, -position))
    mapping: dict[str, str] = {}
    for position, (header, target, score) in enumerate(guesses):
        if target in best and best[target] != (score, -position):
            target = ""
        mapping[header] = target
    if "first_name" in best and "last_name" in best:
        mapping = {
            header: "" if target == "full_name" else target for header, target in mapping.items()
        }
    return mapping


def check_mapping(
    mapping: Mapping[str, str], headers: Sequence[str], custom_field_keys: Sequence[str] = ()
) -> list[tuple[str, str]]:
    """[(header, reason)] for each problem with `mapping`; empty when it can be used.

    Problems: a header the file does not have, a target that does not exist, a one-column target
    given several columns, and no column for a first name, full name or e-mail (header "").
    """
    problems: list[tuple[str, str]] = []
    known_headers = set(headers)
    known_custom = set(custom_field_keys)
    used: dict[str, str] = {}  # target -> the first header mapped to it
    for header, target in mapping.items():
        if header not in known_headers:
            problems.append((header, f"The file has no column named {header!r}."))
            continue
        if target.startswith(CUSTOM_PREFIX):
            key = target[len(CUSTOM_PREFIX) :]
            if key not in known_custom:
                problems.append((header, f"There is no custom field {key!r}."))
            continue
        if target not in TARGETS:
            problems.append((header, f"Unknown field {target!r}."))
            continue
        if not target or target in MULTI_TARGETS:
            continue
        if target in used:
            problems.append(
                (header, f"{TARGETS[target]} is already filled from the column {used[target]!r}.")
            )
            continue
        used[target] = header
    mapped = {target for header, target in mapping.items() if header in known_headers}
    if not mapped & {"first_name", "full_name", "emails"}:
        problems.append(("", NAME_OR_EMAIL))
    return problems


# --- applying ---------------------------------------------------------------------------------

_FORMULA_GUARDED = ("'=", "'+", "'-", "'@")
_SPACES = re.compile(r"\s+")
_EMAIL_SPLIT = re.compile(r"[;,\s]+")
_PHONE_SPLIT = re.compile(r"[;,|\n]+")
_PHONE_SEPARATORS = frozenset(";,|\n")
_LINK_SPLIT = re.compile(r"[;,|\s]+")
_TAG_SPLIT = re.compile(r"[;,]")
_NUMBER = re.compile(r"\d+(?:[.,]\d+)?")

# Lower-case words that join a family name ("Ludwig van Beethoven", "Ada de la Cruz").
PARTICLES = frozenset(
    {"van", "von", "der", "den", "de", "del", "della", "di", "da", "dos", "das", "du", "la", "le"}
    | {"ter", "ten", "bin", "binti", "al", "y", "zu"}
)
_GENERATIONS = frozenset({"jr", "sr", "ii", "iii", "iv"})
_CREDENTIALS = frozenset({"phd", "md", "mba", "msc", "bsc", "ma", "ba", "cpa", "pe", "esq"})
_HONORIFICS = frozenset({"mr", "mrs", "ms", "miss", "mx", "dr", "prof", "sir"})


def _text(value: Any) -> str:
    """A cell as stripped text; formula guards ("'=1+1") lose their quote."""
    if value.__class__ is str:
        text: str = value.strip()
    elif value is None or isinstance(value, dict):
        return ""
    elif isinstance(value, bool):
        text = "true" if value else "false"
    elif isinstance(value, float) and value.is_integer():
        text = str(int(value))
    elif isinstance(value, list):
        text = ", ".join(part for part in (_text(item) for item in value) if part)
    else:
        text = str(value).strip()
    if text[:1] == "'" and text.startswith(_FORMULA_GUARDED):
        return text[1:]
    return text


def _items(value: Any, split: re.Pattern[str]) -> list[Any]:
    """A cell's values: a JSON list's items, or the text split on `split`."""
    if isinstance(value, list):
        return [item for item in value if item is not None]
    return split.split(_text(value))


def _tidy_word(word: str, particle: bool) -> str:
    lower = word.lower()
    if particle and lower in PARTICLES:
        return lower
    # "o'brien" -> "O'Brien", "jean-luc" -> "Jean-Luc"
    return re.sub(r"[^\W\d_]+", lambda match: match.group(0).capitalize(), lower)


def tidy_name(value: str, *, family: bool = False) -> str:
    """Whitespace collapsed; ALL-CAPS or all-lower names title-cased, particles kept lower.

    "ADA" -> "Ada", "o'brien" -> "O'Brien", "ada van der berg" -> "Ada van der Berg"; a family
    name keeps a leading particle lower too ("VAN DER BERG" -> "van der Berg"). Mixed case is
    kept as typed ("McDonald").
    """
    name = " ".join(value.split())
    if not name.isupper() and not name.islower():
        return name
    words = name.split(" ")
    last = len(words) - 1
    return " ".join(
        _tidy_word(word, index < last and (family or index > 0)) for index, word in enumerate(words)
    )


def _plain(word: str) -> str:
    return word.lower().replace(".", "")


def split_full_name(value: str) -> tuple[str, str]:
    """("Ada", "Lovelace") for "Ada Lovelace", "Lovelace, Ada" or "Dr. Ada Lovelace, PhD"."""
    name = _SPACES.sub(" ", value).strip()
    parts = [part.strip() for part in name.split(",") if part.strip()]
    while len(parts) > 1 and _plain(parts[-1]) in _CREDENTIALS | _GENERATIONS:
        suffix = parts.pop()
        if _plain(suffix) in _GENERATIONS:
            parts[0] = f"{parts[0]} {suffix}"  # the family name, first in "King, Martin"
    if len(parts) == 2:
        return tidy_name(parts[1]), tidy_name(parts[0], family=True)  # "Lovelace, Ada"
    words = " ".join(parts).split(" ")
    while len(words) > 1 and _plain(words[0]) in _HONORIFICS:
        words.pop(0)
    while len(words) > 2 and _plain(words[-1]) in _CREDENTIALS:
        words.pop()
    if len(words) == 1:
        return tidy_name(words[0]), ""
    cut = len(words) - 1
    if len(words) > 2 and _plain(words[-1]) in _GENERATIONS:
        cut -= 1  # "Martin Luther King Jr."
    for index in range(1, cut):
        if words[index].lower() in PARTICLES:
            cut = index  # "Ludwig van Beethoven"
            break
    return tidy_name(" ".join(words[:cut])), tidy_name(" ".join(words[cut:]), family=True)


# A country's English (and common local) names -> ISO 3166-1 alpha-2. Compact keys.
_COUNTRY_NAMES = """
AE uae unitedarabemirates|AR argentina|AT austria osterreich|AU australia|BE belgium belgique
BG bulgaria|BR brazil brasil|CA canada|CH switzerland schweiz suisse|CL chile|CN china
CO colombia|CZ czechia czechrepublic|DE germany deutschland|DK denmark danmark|EE estonia
EG egypt|ES spain espana|FI finland suomi|FR france|GB unitedkingdom uk greatbritain britain
GB england scotland wales northernireland|GR greece|HK hongkong|HR croatia|HU hungary|ID indonesia
IE ireland|IL israel|IN india|IT italy italia|JP japan|KE kenya|KR southkorea korea|LT lithuania
LU luxembourg|LV latvia|MX mexico|MY malaysia|NG nigeria|NL netherlands thenetherlands holland
NO norway norge|NZ newzealand|PE peru|PH philippines|PK pakistan|PL poland polska|PT portugal
RO romania|RS serbia|RU russia russianfederation|SA saudiarabia|SE sweden sverige|SG singapore
SI slovenia|SK slovakia|TH thailand|TR turkey turkiye|TW taiwan|UA ukraine|US unitedstates
US usa us unitedstatesofamerica america|VN vietnam|ZA southafrica
"""
_COUNTRIES = {
    name: line.split()[0]
    for line in _COUNTRY_NAMES.replace("|", "\n").strip().splitlines()
    for name in line.split()[1:]
}
_US_STATES = "|".join(
    (
        "AL alabama|AK alaska|AZ arizona|AR arkansas|CA california|CO colorado|CT connecticut",
        "DE delaware|FL florida|GA georgia|HI hawaii|ID idaho|IL illinois|IN indiana|IA iowa",
        "KS kansas|KY kentucky|LA louisiana|ME maine|MD maryland|MA massachusetts|MI michigan",
        "MN minnesota|MS mississippi|MO missouri|MT montana|NE nebraska|NV nevada",
        "NH newhampshire|NJ newjersey|NM newmexico|NY newyork|NC northcarolina|ND northdakota",
        "OH ohio|OK oklahoma|OR oregon|PA pennsylvania|RI rhodeisland|SC southcarolina",
        "SD southdakota|TN tennessee|TX texas|UT utah|VT vermont|VA virginia|WA washington",
        "WV westvirginia|WI wisconsin|WY wyoming|DC districtofcolumbia",
    )
)
_CA_PROVINCES = "|".join(
    (
        "AB alberta|BC britishcolumbia|MB manitoba|NB newbrunswick|NL newfoundland",
        "NS novascotia|ON ontario|PE princeedwardisland|QC quebec|SK saskatchewan|YT yukon",
    )
)


def _regions(lines: str, country: str) -> dict[str, str]:
    regions = {}
    for entry in lines.split("|"):
        code, name = entry.split()
        regions[code.lower()] = regions[name] = country
    return regions


_REGION_COUNTRY = {**_regions(_US_STATES, "US"), **_regions(_CA_PROVINCES, "CA")}


@functools.lru_cache(maxsize=4096)
def country_code(value: str) -> str:
    """ "DE" for "Germany", "DE" or "deutschland"; "" when the name is not known."""
    text = value.strip()
    named = _COUNTRIES.get(_compact(text))
    if named:
        return named
    if len(text) == 2 and text.isalpha() and text.isupper():
        return text
    return ""


def split_location(value: Any) -> dict[str, str]:
    """{"city", "region", "country"} parts of a free-text location, where recognisable.

    "Berlin, Germany" -> Berlin / DE; "San Francisco, CA" -> San Francisco / CA / US; "Austin,
    Texas, USA" -> Austin / Texas / US. A lone word is a country if it names one, else a city.
    """
    parts = [part.strip() for part in _text(value).split(",") if part.strip()]
    if not parts:
        return {}
    if len(parts) == 1:
        country = country_code(parts[0])
        return {"country": country} if country else {"city": parts[0]}
    location = {"city": parts[-3] if len(parts) > 2 else parts[0]}
    last = parts[-1]
    country = country_code(last)
    if len(parts) == 2:
        region_country = _REGION_COUNTRY.get(_compact(last))
        if region_country and (last.isupper() or not country):  # "CA" is California here
            return {**location, "region": last, "country": region_country}
        return {**location, "country": country} if country else {**location, "region": last}
    if country:
        return {**location, "region": parts[-2], "country": country}
    return {**location, "region": parts[-2]}


@functools.lru_cache(maxsize=4096)
def _split_text_location(value: str) -> dict[str, str]:
    return split_location(value)


def _years(value: Any) -> Any:
    if isinstance(value, int | float) and not isinstance(value, bool):
        return float(value)
    text = _text(value)
    match = _NUMBER.search(text)
    return float(match.group(0).replace(",", ".")) if match else text


def _unique(items: list[Any]) -> list[Any]:
    if len(items) < 2:
        return items
    if all(item.__class__ is str for item in items):
        return list(dict.fromkeys(items))
    seen: list[Any] = []
    for item in items:
        if item not in seen:
            seen.append(item)
    return seen


def _emails(value: Any) -> list[str]:
    if value.__class__ is str and "'" not in value and ":" not in value:
        text = value.strip()
        if text and " " not in text and "," not in text and ";" not in text and "\t" not in text:
            return [text]  # one address: most cells
        return [part for part in _EMAIL_SPLIT.split(value) if part]
    found: list[str] = []
    for item in _items(value, _EMAIL_SPLIT):
        text = _text(item.get("email") if isinstance(item, dict) else item)
        if text.lower().startswith("mailto:"):
            text = text[len("mailto:") :]
        found.extend(part for part in _EMAIL_SPLIT.split(text) if part)
    return found


def _entries(value: Any, split: re.Pattern[str], key: str) -> list[dict[str, str]]:
    """[{key: text}] for each value; JSON objects ({"number": …, "kind": …}) keep their kind."""
    found = []
    for item in _items(value, split):
        if isinstance(item, dict):
            if text := _text(item.get(key)):
                entry = {key: text}
                if kind := _text(item.get("kind")):
                    entry["kind"] = kind
                found.append(entry)
        else:
            found.extend({key: text} for part in split.split(_text(item)) if (text := part.strip()))
    return found


def _phones(value: Any) -> list[dict[str, str]]:
    if value.__class__ is str and "'" not in value and _PHONE_SEPARATORS.isdisjoint(value):
        return [{"number": number}] if (number := value.strip()) else []  # one number: most cells
    return _entries(value, _PHONE_SPLIT, "number")


def _links(value: Any) -> list[dict[str, str]]:
    if value.__class__ is str and "'" not in value:
        return [{"url": url} for url in _LINK_SPLIT.split(value) if url]
    return _entries(value, _LINK_SPLIT, "url")


def _tags(value: Any) -> list[str]:
    if value.__class__ is str and "'" not in value:
        return [tag for part in _TAG_SPLIT.split(value) if (tag := part.strip())]
    found: list[str] = []
    for item in _items(value, _TAG_SPLIT):
        found.extend(tag for tag in (_text(part) for part in _TAG_SPLIT.split(_text(item))) if tag)
    return found


_LIST_READERS: dict[str, Callable[[Any], list[Any]]] = {
    "emails": _emails,
    "phones": _phones,
    "links": _links,
    "tags": _tags,
}


def compile_mapping(mapping: Mapping[str, str]) -> Callable[[Mapping[str, Any]], dict[str, Any]]:
    """A function that applies `mapping` to one row's cells; build it once per file."""
    plain: list[tuple[str, str]] = []  # (header, field) copied as stripped text
    names: list[tuple[str, str, bool]] = []  # (header, first_name | last_name, family)
    full_names: list[str] = []
    locations: list[str] = []
    countries: list[str] = []
    years: list[str] = []
    lists: list[tuple[str, str, Callable[[Any], list[Any]]]] = []
    custom: list[tuple[str, str]] = []
    for header, target in mapping.items():
        if not target:
            continue
        if target.startswith(CUSTOM_PREFIX):
            custom.append((header, target[len(CUSTOM_PREFIX) :]))
        elif target in _LIST_READERS:
            lists.append((header, target, _LIST_READERS[target]))
        elif target in {"first_name", "last_name"}:
            names.append((header, target, target == "last_name"))
        elif target == "full_name":
            full_names.append(header)
        elif target == "location":
            locations.append(header)
        elif target == "country":
            countries.append(header)
        elif target == "years_experience":
            years.append(header)
        elif target in TARGETS:
            plain.append((header, target))

    def apply(cells: Mapping[str, Any]) -> dict[str, Any]:
        data: dict[str, Any] = {}
        get = cells.get
        for header, field in plain:
            value = get(header)
            if value.__class__ is str:
                text = value.strip()
                if text and text[0] != "'":  # the common case, without a call
                    data[field] = text
                    continue
            if value is not None and value != "" and (text := _text(value)):
                data[field] = text
        for header, field, family in names:
            value = get(header)
            if value.__class__ is str:
                text = value.strip()
                if text and text[0] != "'" and not text.isupper() and not text.islower():
                    data[field] = " ".join(text.split())  # mixed case: as typed
                    continue
            if value and (text := tidy_name(_text(value), family=family)):
                data[field] = text
        for header in full_names:
            value = get(header)
            if value and (text := _text(value)):
                first, last = split_full_name(text)
                data.setdefault("first_name", first)
                if last:
                    data.setdefault("last_name", last)
        for header in countries:
            value = get(header)
            if value and (text := _text(value)):
                data["country"] = country_code(text) or text
        for header in locations:
            value = get(header)
            if value:
                parts = _split_text_location(value) if value.__class__ is str else None
                for field, part in (parts or split_location(value)).items():
                    data.setdefault(field, part)
        for header in years:
            value = get(header)
            if value is not None and value != "":
                data["years_experience"] = _years(value)
        for header, field, read in lists:
            value = get(header)
            if value and (found := read(value)):
                earlier = data.get(field)
                data[field] = _unique(earlier + found) if earlier else found
        if custom:
            values = {}
            for header, key in custom:
                value = get(header)
                if value is not None and value != "" and (text := _text(value)):
                    values[key] = text
            if values:
                data["custom_fields"] = values
        return data

    return apply


_COMPILED: dict[tuple[tuple[str, str], ...], Callable[[Mapping[str, Any]], dict[str, Any]]] = {}


def apply_mapping(cells: Mapping[str, Any], mapping: Mapping[str, str]) -> dict[str, Any]:
    """One row's cells as candidate data shaped like `CandidateIn`; empty cells are left out."""
    key = tuple(mapping.items())
    apply = _COMPILED.get(key)
    if apply is None:
        if len(_COMPILED) > 32:
            _COMPILED.clear()
        apply = _COMPILED[key] = compile_mapping(mapping)
    return apply(cells)


# --- dates ------------------------------------------------------------------------------------

_MONTHS = {
    name: number
    for number, names in enumerate(
        (
            "jan january",
            "feb february",
            "mar march",
            "apr april",
            "may",
            "jun june",
            "jul july",
            "aug august",
            "sep sept september",
            "oct october",
            "nov november",
            "dec december",
        ),
        start=1,
    )
    for name in names.split()
}
_EXCEL_EPOCH = dt.date(1899, 12, 30)  # Excel's day 0, with its 1900 leap-year bug folded in
_DATE_SHAPES = (
    (re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})(?:[t ].*)?"), ("y", "m", "d")),
    (re.compile(r"(\d{4})[-/.](\d{1,2})"), ("y", "m")),
    (re.compile(r"(\d{1,2})[-/.](\d{4})"), ("m", "y")),
    (re.compile(r"(\d{1,2})\.(\d{1,2})\.(\d{4})"), ("d", "m", "y")),
    (re.compile(r"(\d{4})/(\d{1,2})/(\d{1,2})"), ("y", "m", "d")),
    (re.compile(r"(\d{1,2})/(\d{1,2})/(\d{4})"), ("m/d", "d/m", "y")),
    (re.compile(r"([a-z]+)\.? (\d{4})"), ("name", "y")),
    (re.compile(r"(\d{1,2}) ([a-z]+)\.? (\d{4})"), ("d", "name", "y")),
    (re.compile(r"([a-z]+)\.? (\d{1,2}),? (\d{4})"), ("name", "d", "y")),
)


def parse_date(value: str) -> dt.date | None:
    """The date a resume or spreadsheet means, or None.

    Shapes: 2019-03-04, 2019-03, 2019/03, 03/2019, 04.03.2019 (day first), 03/04/2019 (month
    first unless the first number is over 12), Mar 2019, March 2019, 4 March 2019, March 4, 2019,
    2017 (January 1st), and Excel serial day numbers such as 43528.
    """
    text = _SPACES.sub(" ", str(value)).strip().lower().rstrip(".")
    if not text:
        return None
    if text.isdigit():
        number = int(text)
        if len(text) == 4 and 1900 <= number <= 2100:
            return dt.date(number, 1, 1)
        if 10_000 <= number <= 100_000:
            return _EXCEL_EPOCH + dt.timedelta(days=number)
        return None
    for pattern, parts in _DATE_SHAPES:
        match = pattern.fullmatch(text)
        if match is None:
            continue
        found = dict(zip(parts, match.groups(), strict=True))
        if "name" in found:
            month = _MONTHS.get(found["name"])
            if month is None:
                return None
            found["m"] = str(month)
        if "m/d" in found:  # month first, as in the US, unless it cannot be a month
            month_first = int(found["m/d"]) <= 12
            found["m"] = found["m/d"] if month_first else found["d/m"]
            found["d"] = found["d/m"] if month_first else found["m/d"]
        try:
            return dt.date(int(found["y"]), int(found["m"]), int(found.get("d", "1")))
        except ValueError:
            return None
    return None
