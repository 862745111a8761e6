"""Pure normalization of contact data and search text. No database; plain-function tests."""

from __future__ import annotations

import functools
import re
import unicodedata
from urllib.parse import urlsplit, urlunsplit
from zoneinfo import available_timezones

import phonenumbers
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator, validate_email


class NormalizationError(ValueError):
    """A value that cannot be made valid; the message says why, for people."""


def normalize_email(value: str) -> str:
    email = value.strip().lower()
    if not email:
        raise NormalizationError("E-mail is empty.")
    try:
        validate_email(email)
    except ValidationError:
        raise NormalizationError(f"{value.strip()!r} is not a valid e-mail address.") from None
    return email


def normalize_phone(value: str, *, default_region: str) -> str:
    """Return the number in E.164 (+14155550123); a number without +CC uses `default_region`."""
    try:
        parsed = phonenumbers.parse(value, default_region.upper() or None)
    except phonenumbers.NumberParseException:
        raise NormalizationError(f"{value.strip()!r} is not a phone number.") from None
    if not phonenumbers.is_valid_number(parsed):
        raise NormalizationError(f"{value.strip()!r} is not a valid phone number.")
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)


_url_validator = URLValidator(schemes=["http", "https"])


def normalize_url(value: str) -> str:
    """Return an https URL without tracking query strings or a trailing slash."""
    url = value.strip()
    if not url:
        raise NormalizationError("Link is empty.")
    if "://" not in url:
        url = "https://" + url
    try:
        _url_validator(url)
    except ValidationError:
        raise NormalizationError(f"{value.strip()!r} is not a valid link.") from None
    parts = urlsplit(url)
    host = parts.netloc.lower().removeprefix("www.")
    if host.endswith("linkedin.com") or host == "github.com":
        # Profile URLs identify people: drop query, fragment and case noise so they compare.
        return urlunsplit(("https", host, parts.path.rstrip("/").lower(), "", ""))
    return urlunsplit((parts.scheme, parts.netloc.lower(), parts.path.rstrip("/"), parts.query, ""))


def link_kind(url: str) -> str:
    host = urlsplit(url).netloc.lower().removeprefix("www.")
    if host.endswith("linkedin.com"):
        return "linkedin"
    if host == "github.com":
        return "github"
    return "website"


def normalize_country(value: str) -> str:
    country = value.strip().upper()
    if country and not re.fullmatch(r"[A-Z]{2}", country):
        raise NormalizationError(f"{value!r} is not a two-letter country code (ISO 3166).")
    return country


_TIMEZONES: frozenset[str] | None = None


def normalize_timezone(value: str) -> str:
    global _TIMEZONES
    if _TIMEZONES is None:
        _TIMEZONES = frozenset(available_timezones())
    name = value.strip()
    if name and name not in _TIMEZONES:
        raise NormalizationError(f"{value!r} is not a time zone name such as Europe/Berlin.")
    return name


_WORD = re.compile(r"[0-9a-z]+")
# Latin letters that Unicode does not decompose into a base letter plus accent (so NFKD keeps
# them whole): without this, "Łukasz" would index as "ukasz" and "Søren" as "s ren".
_UNDECOMPOSABLE = str.maketrans(
    {
        "ł": "l",
        "ø": "o",
        "đ": "d",
        "ð": "d",
        "ħ": "h",
        "\u0131": "i",
        "ŧ": "t",
        "þ": "th",
        "æ": "ae",
        "œ": "oe",
    }  # \u0131 is the Turkish dotless i
)


def search_words(text: str) -> list[str]:
    """Lower-case, accent-free words: 'Zoë O'Brien' -> ['zoe', 'o', 'brien']."""
    if text.isascii():  # most text: nothing to fold beyond the case (10x faster)
        return _WORD.findall(text.lower())
    folded = unicodedata.normalize("NFKD", text.casefold().translate(_UNDECOMPOSABLE))
    plain = "".join(ch for ch in folded if not unicodedata.combining(ch))
    return _WORD.findall(plain)


@functools.lru_cache(maxsize=65_536)
def _part_words(part: str) -> tuple[str, ...]:
    # Names, titles and companies repeat across a workspace: an import of a million rows
    # folds each distinct one once.
    return tuple(search_words(part))


def build_search_text(*parts: str) -> str:
    """The text the search index holds: every part's words, each once, in order."""
    seen: dict[str, None] = {}
    for part in parts:
        for word in _part_words(part):
            seen.setdefault(word, None)
    return " ".join(seen)
