"""Column mapping: suggestions, checks, turning rows into candidate data, dates."""

from __future__ import annotations

import datetime as dt

import pytest

from talentloop.imports.mapping import (
    NAME_OR_EMAIL,
    TARGETS,
    apply_mapping,
    check_mapping,
    compile_mapping,
    parse_date,
    split_full_name,
    split_location,
    suggest_mapping,
)

# --- suggest_mapping --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("header", "target"),
    [
        ("E-mail Address", "emails"),
        ("Email 1", "emails"),
        ("Work Email", "emails"),
        ("Secondary e-mail", "emails"),
        ("Mobile", "phones"),
        ("Cell", "phones"),
        ("Phone Number", "phones"),
        ("Tel", "phones"),
        ("LinkedIn URL", "links"),
        ("Profile", "links"),
        ("Given name", "first_name"),
        ("Forename", "first_name"),
        ("Surname", "last_name"),
        ("Family name", "last_name"),
        ("Name", "full_name"),
        ("Candidate", "full_name"),
        ("Job title", "current_title"),
        ("Position", "current_title"),
        ("Role", "current_title"),
        ("Employer", "current_company"),
        ("Organization", "current_company"),
        ("Skills", "tags"),
        ("Labels", "tags"),
        ("  FIRST_NAME ", "first_name"),
        ("years_experience", "years_experience"),
        ("Time zone", "timezone"),
        ("Location", "location"),
        ("State", "region"),
        ("Email opt-out", ""),
        ("Favourite colour", ""),
    ],
)
def test_suggest_mapping_synonyms(header: str, target: str) -> None:
    assert suggest_mapping([header]) == {header: target}


def test_suggest_mapping_json_resume_headers() -> None:
    headers = [
        "name",
        "label",
        "email",
        "phone",
        "url",
        "location.city",
        "location.region",
        "location.countryCode",
        "profiles.linkedin",
        "profiles.github",
        "profiles.other",
        "work.current.position",
        "work.current.name",
        "skills",
        "summary",
    ]

    assert suggest_mapping(headers) == {
        "name": "full_name",
        "label": "headline",
        "email": "emails",
        "phone": "phones",
        "url": "links",
        "location.city": "city",
        "location.region": "region",
        "location.countryCode": "country",
        "profiles.linkedin": "links",
        "profiles.github": "links",
        "profiles.other": "links",
        "work.current.position": "current_title",
        "work.current.name": "current_company",
        "skills": "tags",
        "summary": "",
    }


def test_suggest_mapping_api_fields_map_to_themselves() -> None:
    fields = [target for target in TARGETS if target and target not in {"full_name", "location"}]

    assert suggest_mapping(fields) == {field: field for field in fields}


def test_one_column_per_target_the_best_match_wins() -> None:
    headers = ["Position", "Role", "current_title", "Email", "Email (2)", "Tags", "Skills"]

    assert suggest_mapping(headers) == {
        "Position": "",
        "Role": "",
        "current_title": "current_title",
        "Email": "emails",
        "Email (2)": "emails",
        "Tags": "tags",
        "Skills": "tags",
    }
    # Equal matches: the first column wins.
    assert suggest_mapping(["Job title", "Title"]) == {"Job title": "current_title", "Title": ""}


def test_full_name_is_left_out_when_first_and_last_names_are_mapped() -> None:
    assert suggest_mapping(["Name", "First name", "Last name"]) == {
        "Name": "",
        "First name": "first_name",
        "Last name": "last_name",
    }
    assert suggest_mapping(["Name", "First name"]) == {
        "Name": "full_name",
        "First name": "first_name",
    }


def test_custom_fields_are_suggested_by_key() -> None:
    headers = ["Salary", "custom_fields.notice_period", "custom_fields.unknown", "Notice Period"]

    assert suggest_mapping(headers, ["salary", "notice_period"]) == {
        "Salary": "custom_fields.salary",
        "custom_fields.notice_period": "custom_fields.notice_period",
        "custom_fields.unknown": "",
        "Notice Period": "custom_fields.notice_period",
    }


# --- check_mapping ----------------------------------------------------------------------------


def test_check_mapping_accepts_a_good_mapping() -> None:
    headers = ["Name", "E-mail", "Salary", "Notes"]
    mapping = {
        "Name": "full_name",
        "E-mail": "emails",
        "Salary": "custom_fields.salary",
        "Notes": "",
    }

    assert check_mapping(mapping, headers, ["salary"]) == []


def test_check_mapping_reports_every_problem() -> None:
    headers = ["First", "Given", "Mail", "Phone", "Phone 2", "Salary", "Hobby"]
    mapping = {
        "First": "last_name",
        "Given": "last_name",
        "Phone": "phones",
        "Phone 2": "phones",
        "Salary": "custom_fields.salary",
        "Hobby": "hobby",
        "Missing": "city",
    }

    assert check_mapping(mapping, headers) == [
        ("Given", "Last name is already filled from the column 'First'."),
        ("Salary", "There is no custom field 'salary'."),
        ("Hobby", "Unknown field 'hobby'."),
        ("Missing", "The file has no column named 'Missing'."),
        ("", NAME_OR_EMAIL),
    ]
    assert NAME_OR_EMAIL == "Map a first name, a full name, or an e-mail."


@pytest.mark.parametrize("target", ["first_name", "full_name", "emails"])
def test_a_first_name_full_name_or_email_is_enough(target: str) -> None:
    assert check_mapping({"A": target}, ["A"]) == []


# --- apply_mapping ----------------------------------------------------------------------------


def test_apply_mapping_builds_candidate_data() -> None:
    mapping = {
        "First": "first_name",
        "Last": "last_name",
        "Mail": "emails",
        "Work mail": "emails",
        "Mobile": "phones",
        "Web": "links",
        "Title": "current_title",
        "Company": "current_company",
        "Skills": "tags",
        "Years": "years_experience",
        "Country": "country",
        "Salary": "custom_fields.salary",
        "Notes": "",
    }
    cells = {
        "First": "  ADA ",
        "Last": "lovelace",
        "Mail": "ada@example.com; ada@home.example, ADA@example.com",
        "Work mail": "ada@work.example ada@example.com",
        "Mobile": "+44 20 7946 0000; 020 7946 0001",
        "Web": "https://linkedin.com/in/ada https://ada.example.com",
        "Title": "  '=Analyst ",
        "Company": "",
        "Skills": "math; poetry ,math,",
        "Years": "5+ years",
        "Country": "United Kingdom",
        "Salary": "'+100",
        "Notes": "ignored",
    }

    assert apply_mapping(cells, mapping) == {
        "first_name": "Ada",
        "last_name": "Lovelace",
        "emails": ["ada@example.com", "ada@home.example", "ADA@example.com", "ada@work.example"],
        "phones": [{"number": "+44 20 7946 0000"}, {"number": "020 7946 0001"}],
        "links": [{"url": "https://linkedin.com/in/ada"}, {"url": "https://ada.example.com"}],
        "current_title": "=Analyst",
        "tags": ["math", "poetry", "math"],
        "years_experience": 5.0,
        "country": "GB",
        "custom_fields": {"salary": "+100"},
    }


def test_apply_mapping_leaves_out_empty_cells_and_missing_columns() -> None:
    mapping = {"Name": "full_name", "Mail": "emails", "City": "city", "Tags": "tags"}

    assert apply_mapping({"Name": "Ada", "Mail": "  ", "City": ""}, mapping) == {
        "first_name": "Ada"
    }


def test_apply_mapping_keeps_json_lists_and_objects() -> None:
    mapping = {
        "emails": "emails",
        "phones": "phones",
        "profiles.other": "links",
        "skills": "tags",
        "first_name": "first_name",
        "years_experience": "years_experience",
        "custom_fields.salary": "custom_fields.salary",
    }
    cells = {
        "first_name": "Ada",
        "emails": ["ada@example.com", {"email": "ada@work.example"}],
        "phones": [{"number": "+14155550123", "kind": "work"}, "+14155550100"],
        "profiles.other": ["https://mastodon.example/@ada"],
        "skills": ["Mathematics", "Poetry"],
        "years_experience": 7,
        "custom_fields.salary": 100000.0,
    }

    assert apply_mapping(cells, mapping) == {
        "first_name": "Ada",
        "emails": ["ada@example.com", "ada@work.example"],
        "phones": [{"number": "+14155550123", "kind": "work"}, {"number": "+14155550100"}],
        "links": [{"url": "https://mastodon.example/@ada"}],
        "tags": ["Mathematics", "Poetry"],
        "years_experience": 7.0,
        "custom_fields": {"salary": "100000"},
    }


@pytest.mark.parametrize(
    ("full", "first", "last"),
    [
        ("Ada Lovelace", "Ada", "Lovelace"),
        ("Lovelace, Ada", "Ada", "Lovelace"),
        ("Ada", "Ada", ""),
        ("  ada   king  lovelace ", "Ada King", "Lovelace"),
        ("ADA LOVELACE", "Ada", "Lovelace"),
        ("MCDONALD, RONALD", "Ronald", "Mcdonald"),
        ("conan o'brien", "Conan", "O'Brien"),
        ("Ludwig van Beethoven", "Ludwig", "van Beethoven"),
        ("ANNA VAN DER BERG", "Anna", "van der Berg"),
        ("van der berg, anna", "Anna", "van der Berg"),
        ("Dr. Martin Luther King, Jr.", "Martin Luther", "King Jr."),
        ("Grace Hopper, PhD", "Grace", "Hopper"),
        ("Jean-luc Picard", "Jean-luc", "Picard"),
    ],
)
def test_full_name_is_split(full: str, first: str, last: str) -> None:
    assert split_full_name(full) == (first, last)
    expected = {"first_name": first, "last_name": last} if last else {"first_name": first}
    assert apply_mapping({"Name": full}, {"Name": "full_name"}) == expected


def test_names_from_their_own_columns_win_over_a_full_name() -> None:
    mapping = {"Full": "full_name", "First": "first_name", "Last": "last_name"}

    assert apply_mapping({"Full": "Ada Lovelace", "First": "Augusta", "Last": ""}, mapping) == {
        "first_name": "Augusta",
        "last_name": "Lovelace",
    }


@pytest.mark.parametrize(
    ("name", "tidy"),
    [
        ("MCDONALD", "Mcdonald"),
        ("McDonald", "McDonald"),
        ("o'brien", "O'Brien"),
        ("O'Brien", "O'Brien"),
        ("VAN DER BERG", "van der Berg"),
        ("van der Berg", "van der Berg"),
        ("  Ada \t  Lovelace ", "Ada Lovelace"),
        ("ZOË", "Zoë"),
    ],
)
def test_last_names_are_tidied(name: str, tidy: str) -> None:
    assert apply_mapping({"Last": name}, {"Last": "last_name"}) == {"last_name": tidy}


@pytest.mark.parametrize(
    ("location", "parts"),
    [
        ("Berlin, Germany", {"city": "Berlin", "country": "DE"}),
        ("San Francisco, CA", {"city": "San Francisco", "region": "CA", "country": "US"}),
        ("Austin, Texas, USA", {"city": "Austin", "region": "Texas", "country": "US"}),
        ("Toronto, ON, Canada", {"city": "Toronto", "region": "ON", "country": "CA"}),
        ("Portland, Oregon", {"city": "Portland", "region": "Oregon", "country": "US"}),
        ("Paris, FR", {"city": "Paris", "country": "FR"}),
        ("London, UK", {"city": "London", "country": "GB"}),
        ("Germany", {"country": "DE"}),
        ("Remote", {"city": "Remote"}),
        ("Bavaria, Somewhere", {"city": "Bavaria", "region": "Somewhere"}),
        ("", {}),
    ],
)
def test_location_is_split(location: str, parts: dict[str, str]) -> None:
    assert split_location(location) == parts
    assert apply_mapping({"Where": location}, {"Where": "location"}) == parts


def test_location_does_not_override_its_own_columns() -> None:
    mapping = {"Where": "location", "City": "city"}

    assert apply_mapping({"Where": "Berlin, Germany", "City": "Potsdam"}, mapping) == {
        "city": "Potsdam",
        "country": "DE",
    }


def test_compiled_mapping_equals_apply_mapping() -> None:
    mapping = {"Name": "full_name", "Mail": "emails", "Where": "location", "Skills": "tags"}
    cells = {"Name": "Ada Lovelace", "Mail": "ada@example.com", "Where": "Berlin, DE"}

    assert compile_mapping(mapping)(cells) == apply_mapping(cells, mapping)
    assert apply_mapping(cells, mapping) == {
        "first_name": "Ada",
        "last_name": "Lovelace",
        "emails": ["ada@example.com"],
        "city": "Berlin",
        "region": "DE",  # "City, ST" is read the US way: Delaware
        "country": "US",
    }


# --- parse_date -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "date"),
    [
        ("2019-03-04", dt.date(2019, 3, 4)),
        ("2019-03-04T10:30:00Z", dt.date(2019, 3, 4)),
        ("2019-03", dt.date(2019, 3, 1)),
        ("03/2019", dt.date(2019, 3, 1)),
        ("2019/03", dt.date(2019, 3, 1)),
        ("2019/03/04", dt.date(2019, 3, 4)),
        ("Mar 2019", dt.date(2019, 3, 1)),
        ("March 2019", dt.date(2019, 3, 1)),
        ("Sept. 2019", dt.date(2019, 9, 1)),
        ("4 March 2019", dt.date(2019, 3, 4)),
        ("March 4, 2019", dt.date(2019, 3, 4)),
        ("04.03.2019", dt.date(2019, 3, 4)),
        ("03/04/2019", dt.date(2019, 3, 4)),
        ("13/04/2019", dt.date(2019, 4, 13)),
        ("2017", dt.date(2017, 1, 1)),
        ("43528", dt.date(2019, 3, 4)),
        (" 2017 ", dt.date(2017, 1, 1)),
    ],
)
def test_parse_date_shapes(text: str, date: dt.date) -> None:
    assert parse_date(text) == date


@pytest.mark.parametrize("text", ["", "soon", "2019-02-30", "13/2019", "Foo 2019", "123", "1700"])
def test_parse_date_returns_none_when_unparseable(text: str) -> None:
    assert parse_date(text) is None
