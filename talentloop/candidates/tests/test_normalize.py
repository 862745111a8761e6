"""Plain unit tests of the pure normalization module: no database."""

from __future__ import annotations

import phonenumbers
import pytest

from talentloop.candidates.normalize import (
    NormalizationError,
    build_search_text,
    link_kind,
    normalize_country,
    normalize_email,
    normalize_phone,
    normalize_timezone,
    normalize_url,
    search_words,
)

# --- e-mails -------------------------------------------------------------------------------


def test_email_is_trimmed_and_lower_cased() -> None:
    assert normalize_email("  Ada.Lovelace@Example.COM \n") == "ada.lovelace@example.com"


@pytest.mark.parametrize(
    "value",
    ["", "   ", "ada", "ada@", "@example.com", "ada@@example.com", "ada lovelace@example.com"],
)
def test_rejects_invalid_email(value: str) -> None:
    with pytest.raises(NormalizationError):
        normalize_email(value)


def test_invalid_email_message_quotes_the_trimmed_value() -> None:
    with pytest.raises(NormalizationError) as error:
        normalize_email("  not-an-email ")

    assert str(error.value) == "'not-an-email' is not a valid e-mail address."


def test_empty_email_says_so() -> None:
    with pytest.raises(NormalizationError, match=r"^E-mail is empty\.$"):
        normalize_email(" ")


# --- phones --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "region", "expected"),
    [
        ("(415) 555-2671", "US", "+14155552671"),
        ("415.555.2671", "us", "+14155552671"),
        ("+1 415 555 2671", "GB", "+14155552671"),  # an explicit +CC beats the default
        ("020 7946 0958", "GB", "+442079460958"),
        ("+44 (0)20 7946 0958", "US", "+442079460958"),
        ("030 901820", "DE", "+4930901820"),
        ("+1 415 555 2671", "", "+14155552671"),
    ],
)
def test_phone_becomes_e164(value: str, region: str, expected: str) -> None:
    number = normalize_phone(value, default_region=region)

    assert number == expected
    assert phonenumbers.is_valid_number(phonenumbers.parse(number)) is True


def test_national_number_uses_the_default_region_only() -> None:
    # The same digits are a London number for a UK workspace and nothing valid in the US.
    assert normalize_phone("020 7946 0958", default_region="GB") == "+442079460958"
    with pytest.raises(NormalizationError, match="is not a valid phone number"):
        normalize_phone("020 7946 0958", default_region="US")


def test_national_number_without_any_region_is_rejected() -> None:
    with pytest.raises(NormalizationError) as error:
        normalize_phone("415 555 2671", default_region="")

    assert str(error.value) == "'415 555 2671' is not a phone number."


@pytest.mark.parametrize("value", ["", "call me", "12", "+1 555 0100 0000 0000"])
def test_rejects_what_is_not_a_phone_number(value: str) -> None:
    with pytest.raises(NormalizationError):
        normalize_phone(value, default_region="US")


# --- links ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        # Profile URLs: https, no www, lower-case path, no query/fragment/trailing slash.
        (
            "https://www.LinkedIn.com/in/Ada-Lovelace/?trk=public_profile#about",
            "https://linkedin.com/in/ada-lovelace",
        ),
        ("linkedin.com/in/ada", "https://linkedin.com/in/ada"),
        ("http://de.linkedin.com/in/Ada/", "https://de.linkedin.com/in/ada"),
        ("http://github.com/AdaL/", "https://github.com/adal"),
        ("https://www.github.com/AdaL?tab=repositories", "https://github.com/adal"),
        # Other sites keep scheme, path case and query; only the host is lower-cased.
        (
            "https://Ada.Example.com/Portfolio/?page=2#top",
            "https://ada.example.com/Portfolio?page=2",
        ),
        ("http://example.org/", "http://example.org"),
        ("  example.org/me  ", "https://example.org/me"),
    ],
)
def test_url_is_canonical(value: str, expected: str) -> None:
    assert normalize_url(value) == expected


def test_two_spellings_of_one_linkedin_profile_compare_equal() -> None:
    assert normalize_url("https://www.linkedin.com/in/ADA/") == normalize_url(
        "linkedin.com/in/ada?utm_source=share"
    )


@pytest.mark.parametrize(
    "value", ["", "  ", "not a link", "ftp://example.org/file", "javascript:alert(1)", "https://"]
)
def test_rejects_invalid_url(value: str) -> None:
    with pytest.raises(NormalizationError):
        normalize_url(value)


@pytest.mark.parametrize(
    ("url", "kind"),
    [
        ("https://linkedin.com/in/ada", "linkedin"),
        ("https://uk.linkedin.com/in/ada", "linkedin"),
        ("https://www.linkedin.com/in/ada", "linkedin"),
        ("https://github.com/ada", "github"),
        ("https://gist.github.com/ada", "website"),
        ("https://ada.dev", "website"),
    ],
)
def test_link_kind_follows_the_host(url: str, kind: str) -> None:
    assert link_kind(url) == kind


# --- countries and time zones --------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"), [(" de ", "DE"), ("us", "US"), ("", ""), ("  ", "")]
)
def test_country_is_an_upper_case_alpha2_code(value: str, expected: str) -> None:
    assert normalize_country(value) == expected


@pytest.mark.parametrize("value", ["DEU", "Germany", "D", "1A", "É"])
def test_rejects_what_is_not_a_two_letter_country(value: str) -> None:
    with pytest.raises(NormalizationError, match="is not a two-letter country code"):
        normalize_country(value)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("Europe/Berlin", "Europe/Berlin"),
        (" America/New_York ", "America/New_York"),
        ("UTC", "UTC"),
        ("", ""),
    ],
)
def test_time_zone_is_an_iana_name(value: str, expected: str) -> None:
    assert normalize_timezone(value) == expected


@pytest.mark.parametrize("value", ["europe/berlin", "Mars/Olympus_Mons", "CEST+2", "Berlin"])
def test_rejects_unknown_time_zone(value: str) -> None:
    with pytest.raises(NormalizationError, match="is not a time zone name"):
        normalize_timezone(value)


# --- search text ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("Zoë O'Brien", ["zoe", "o", "brien"]),
        ("JOSÉ Núñez-García", ["jose", "nunez", "garcia"]),
        ("Ångström Dvořák", ["angstrom", "dvorak"]),
        ("Straße", ["strasse"]),
        # Letters with a stroke or ligatures have no decomposition: they are folded by name.
        ("Łukasz Søren Đorđe", ["lukasz", "soren", "dorde"]),
        ("Æsir Œuvre Þór", ["aesir", "oeuvre", "thor"]),
        ("ada@example.com", ["ada", "example", "com"]),
        ("C++ / Go, 10 yrs", ["c", "go", "10", "yrs"]),
        ("", []),
        ("— … !", []),
    ],
)
def test_search_words_are_lower_case_and_accent_free(text: str, words: list[str]) -> None:
    assert search_words(text) == words


def test_search_text_keeps_each_word_once_in_first_seen_order() -> None:
    text = build_search_text("Zoë", "Zoe-Ann", "zoe@Zoë.example.com", "Data Scientist", "")

    assert text == "zoe ann example com data scientist"


def test_search_text_of_nothing_is_empty() -> None:
    assert build_search_text() == ""
    assert build_search_text("", "  ") == ""
