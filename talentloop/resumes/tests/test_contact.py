import time

import pytest

from talentloop.resumes.contact import (
    find_emails,
    find_links,
    find_location,
    find_name,
    find_phones,
    profile_links,
)
from talentloop.resumes.fields import parse_text


@pytest.mark.parametrize(
    ("lines", "expected"),
    [
        (["Orla Vantreece", "orla@example.org"], "Orla Vantreece"),
        (["CURRICULUM VITAE", "Name: Bastian Quill", "Phone: 555"], "Bastian Quill"),
        (["Sample Resume Template", "Ines Marwood-Day"], "Ines Marwood-Day"),
        (["Tobin Ashgrove 14 Larch Road", "Springfield, IL 62704"], "Tobin Ashgrove"),
        (["Maren Holt, PhD", "Research Scientist"], "Maren Holt"),
        (["JOHN QUILLAN", "Data Engineer"], "JOHN QUILLAN"),
        (["Senior Software Engineer", "Priya Venkatesan"], "Priya Venkatesan"),
        (["Wren Calloway Data Engineer - Larkspur Labs"], "Wren Calloway"),
        (
            [
                "tavi ronsard",
                "Pune, Maharashtra - Email me on Indeed: indeed.com/r/tavi-ronsard/a1b2",
            ],
            "tavi ronsard",
        ),
        (["PERSONAL DETAILS", "Name:  Date of Birth:", "Odile Perrault"], "Odile Perrault"),
        (["RESUME OF Caspian Mordue", "LOS ANGELES"], "Caspian Mordue"),
        (["Hollis Brandt, MS (CS), CSM", "12 Elm Ave, Toronto"], "Hollis Brandt"),
        (
            ["Ysolde Amaral Quennell Darrow Feliks Onwuka", "12 Elm Ave"],
            "Ysolde Amaral Quennell Darrow Feliks Onwuka",
        ),
    ],
)
def test_finds_the_name(lines, expected):
    name, confidence = find_name(lines)

    assert name == expected
    assert confidence > 0.5


@pytest.mark.parametrize(
    "lines",
    [
        ["SAMPLE TEACHING RESUME", "Magna Cum Laude", "Expected Graduation May 2020"],
        ["Objective", "To join a growing team.", "Springfield, IL 62704"],
    ],
)
def test_finds_no_name_in_a_header_without_one(lines):
    assert find_name(lines) == ("", 0.0)


def test_a_lowercase_line_needs_its_handle():
    assert find_name(["tavi ronsard", "Pune, Maharashtra"]) == ("", 0.0)


def test_emails_are_validated_lowercased_and_distinct():
    text = "Mail: Orla.Vantreece@Example.org, orla.vantreece@example.org; not@valid, x@y.z"

    assert find_emails(text) == ["orla.vantreece@example.org"]


def test_phones_are_e164_and_skip_dates_and_zip_codes():
    text = (
        "Mobile: +91 98450 12345 | Home: (312) 555-0187\n"
        "Pin code: 560001 | 2015 - 2018 | 06/2012 to 07/2014"
    )

    assert find_phones(text, "US") == ["+919845012345", "+13125550187"]


def test_phones_without_a_region_keep_written_country_codes_only_as_parsed():
    assert find_phones("Tel: +44 20 7946 0958") == ["+442079460958"]


def test_links_are_normalised():
    text = (
        "linkedin.com/in/orla-vantreece | https://github.com/ovantreece/ | "
        "www.orla.dev | orla@orla-mail.com"
    )

    assert find_links(text) == [
        "https://linkedin.com/in/orla-vantreece",
        "https://github.com/ovantreece",
        "https://orla.dev",
    ]


@pytest.mark.parametrize(
    ("lines", "expected"),
    [
        (["Orla Vantreece", "Location: Lisbon, Portugal"], "Lisbon, Portugal"),
        (["Ravi Menon", "Bengaluru, Karnataka - Email me on Indeed: x"], "Bengaluru, Karnataka"),
        (["Tobin Ashgrove", "14 Larch Road", "Springfield, IL 62704"], "Springfield, IL 62704"),
    ],
)
def test_finds_the_location(lines, expected):
    assert find_location(lines)[0] == expected


def test_phone_candidates_are_those_of_the_full_text_scan():
    from talentloop.resumes.contact import _PHONE_CANDIDATE_RE, _phone_candidates

    text = (
        "Jane Roe\n+1 (555) 010-0199 | 2015 - 2019\nno digits here\n"
        "Zip 560001, ph 98450 12345\n12/03/2019 - 14/05/2021\n555-0100 x 4455 666 7777"
    )
    expected = [m.span() for m in _PHONE_CANDIDATE_RE.finditer(text)]
    assert [m.span() for m in _phone_candidates(text)] == expected
    assert expected


def test_a_big_city_or_a_two_word_country_is_a_location() -> None:
    for line in ("Bengaluru, Karnataka", "London, United Kingdom", "Dubai, United Arab Emirates"):
        assert find_location(["Ada Quill", "Engineer", line]) == (line, 0.8)
    assert find_location(["Ada Quill", "Software Engineer, Texas"]) == ("", 0.0)


def test_a_long_run_of_spaces_costs_linear_time() -> None:
    # The credential pattern once backtracked over every space of such a run: 20,000 spaces
    # took about a minute.
    started = time.perf_counter()

    name, _ = find_name(["Ada Lovelace" + " " * 20_000 + ", PhD", "x"])

    assert time.perf_counter() - started < 3
    assert name == "Ada Lovelace"


def test_profiles_among_hyperlink_targets_are_links() -> None:
    hyperlinks = [
        "https://www.linkedin.com/in/ada-example/",
        "https://uk.linkedin.com/in/ada-example-2?trk=x",
        "https://github.com/ada-example",
        "https://github.com/acme/build-tool",  # a project, maybe the employer's
        "https://stackoverflow.com/users/4242/ada-example",
        "https://medium.com/@ada/why-we-migrated",
        "https://www.linkedin.com/company/acme",
        "https://www.python.org/",
        "mailto:ada@example.test",
    ]

    assert profile_links(hyperlinks, ["https://linkedin.com/in/ada-example"]) == [
        "https://linkedin.com/in/ada-example-2",
        "https://github.com/ada-example",
        "https://stackoverflow.com/users/4242",
        "https://medium.com/@ada",
    ]


def test_a_resume_showing_only_linkedin_gets_the_profile_it_links_to() -> None:
    parsed = parse_text(
        "Ada Example\nada@example.test | LinkedIn\nEXPERIENCE\nAnalyst, Acme\n2019 - 2021\n",
        hyperlinks=["https://www.linkedin.com/in/ada-example/"],
    )

    assert parsed.links == ["https://linkedin.com/in/ada-example"]
    assert parsed.confidence["links"] > 0
