"""Education, languages and certifications from plain text (fictional resumes)."""

from __future__ import annotations

import pytest

from talentloop.resumes.education import find_certifications, find_languages, parse_education

INDEED_STYLE = """\
MBA in Finance

Northfield Institute of Management -  Lakeview, Karnataka

2014 to 2016

B.Tech in Electronics and Communication

Riverbank University -  Hilltown, Kerala

September 2010 to June 2014

Class XII

Greenfield Public School -  Hilltown, Kerala

2010
"""

ONE_LINE_STYLE = (
    "2005  2007: MBA, Brookside State University  "
    "1999  2003: BA Commercial Arts, Elmwood College of Art, Springfield, OH"
)


def test_indeed_style_entries_degree_institution_and_years() -> None:
    schools = parse_education(INDEED_STYLE, "")

    assert [(s.degree, s.field_of_study, s.institution) for s in schools] == [
        ("MBA", "Finance", "Northfield Institute of Management"),
        ("B.Tech", "Electronics and Communication", "Riverbank University"),
    ]
    assert schools[0].period is not None
    assert (schools[0].period.start_year, schools[0].period.end_year) == (2014, 2016)
    assert schools[1].period is not None
    assert (schools[1].period.end_year, schools[1].period.end_month) == (2014, 6)
    assert all(0.9 <= s.confidence <= 1.0 for s in schools)


def test_secondary_school_is_kept_when_it_is_all_there_is() -> None:
    schools = parse_education("High School Diploma\n\nLakeside High School\n\n2012", "")

    assert [(s.degree, s.institution) for s in schools] == [
        ("High School Diploma", "Lakeside High School")
    ]


def test_dates_first_layout_and_double_space_ranges() -> None:
    schools = parse_education(ONE_LINE_STYLE, "")

    assert [(s.degree, s.institution) for s in schools] == [
        ("MBA", "Brookside State University"),
        ("BA", "Elmwood College of Art"),
    ]
    assert [(s.period.start_year, s.period.end_year) for s in schools if s.period] == [
        (2005, 2007),
        (1999, 2003),
    ]


def test_institution_first_with_comma_parts() -> None:
    text = (
        "Harborview University, Portsmouth, NH\n"
        "Bachelor of Science in Computer Science (June 2001)\n"
        "Ph.D., Political Science, University of Westmarch, 1984"
    )

    schools = parse_education(text, "")

    assert [(s.degree, s.field_of_study, s.institution) for s in schools] == [
        ("Bachelor of Science", "Computer Science", "Harborview University"),
        ("Ph.D.", "Political Science", "University of Westmarch"),
    ]
    assert [s.period.end_year for s in schools if s.period] == [2001, 1984]


def test_the_town_after_a_dash_is_not_part_of_the_institution() -> None:
    text = (
        "December 2009\nBachelor of Science, Kestrel State University - Kent , OH\n"
        "May 2004\nAssociate of Arts, Quillmark Community College \u2013 Dayton, OH\n"
    )

    schools = parse_education(text, "")

    assert [s.institution for s in schools] == [
        "Kestrel State University",
        "Quillmark Community College",
    ]


def test_a_field_written_again_after_the_place_is_the_field() -> None:
    # A resume builder's layout: the field after the degree's colon and again at the end.
    text = (
        "January 2014\nMaster's : Business Administration Kestrel State University - Kent , OH "
        "Business Administration\n"
        "December 2009\nBachelor of Science : Accounting Quillmark College - Dayton , OH "
        "Accounting\n"
    )

    schools = parse_education(text, "")

    assert [(s.degree, s.field_of_study, s.institution) for s in schools] == [
        ("Master's", "Business Administration", "Kestrel State University"),
        ("Bachelor of Science", "Accounting", "Quillmark College"),
    ]


def test_european_degrees() -> None:
    text = (
        "Licence en Informatique, Université de Valbonne, 2015\n"
        "Diplom-Ingenieur Maschinenbau, Technische Hochschule Nordstadt, 2012\n"
        "Licenciatura en Economía, Universidad de Sierra Alta"
    )

    schools = parse_education(text, "")

    assert [(s.degree, s.institution) for s in schools] == [
        ("Licence", "Université de Valbonne"),
        ("Diplom-Ingenieur", "Technische Hochschule Nordstadt"),
        ("Licenciatura", "Universidad de Sierra Alta"),
    ]


def test_no_section_falls_back_to_degree_lines_in_the_whole_text() -> None:
    full = (
        "Jordan Example\nSenior Analyst\n\nEXPERIENCE\nAnalyst at Acme Corp, 2016 - present\n"
        "Used MS Office daily.\n\nMaster of Science in Statistics, 2015\n"
        "Westbrook University, Boston, MA\n"
    )

    schools = parse_education("", full)

    assert [(s.degree, s.institution) for s in schools] == [
        ("Master of Science", "Westbrook University")
    ]
    assert schools[0].confidence < 0.9  # found without a heading


def test_ms_office_and_place_names_are_not_degrees() -> None:
    text = "Completed training in MS Office\nBoston, MA"

    assert parse_education(text, "") == []


def test_languages_with_levels_and_without_programming_languages() -> None:
    section = "English (fluent)\nGerman B2\nHindi - native"
    full = "Programming Languages: Python, Java\nLanguages known: Tamil, Telugu\n"

    assert find_languages(section, full) == ["English", "German", "Hindi", "Tamil", "Telugu"]
    assert find_languages("", "Skills: Python, Go, Swift") == []
    assert find_languages("", "Bilingual: Español y Français") == ["Spanish", "French"]


def test_certifications_from_section_and_whole_text() -> None:
    section = (
        "AWS Certified Solutions Architect - Associate (2021)\n• PMP\nOracle Certified Professional"
    )
    full = "Network engineer, CCNA certified since 2015. Certified ScrumMaster (CSM)."

    found = find_certifications(section, full)

    assert found[:3] == [
        "AWS Certified Solutions Architect - Associate",
        "PMP",
        "Oracle Certified Professional",
    ]
    assert "CCNA" in found
    assert "Certified ScrumMaster (CSM)" in found


def test_certification_scan_matches_a_plain_regex_scan() -> None:
    from talentloop.resumes.education import _CERT_RE, _cert_matches

    text = (
        "PMP certified; AWS Certified Solutions Architect - Associate, xPMP, PMP-ish, "
        "Certified Scrum Master (CSM) and CompTIA Security+.\nITIL v3 Foundation, RN, BLS"
    )
    assert [m.span() for m in _cert_matches(text)] == [m.span() for m in _CERT_RE.finditer(text)]
    assert _cert_matches("") == []


def test_languages_when_lower_case_changes_the_text_length() -> None:
    # "İ" lower-cases to two characters: the scan falls back to the original text.
    assert find_languages("Languages: German, French (İstanbul)", "") == ["German", "French"]
    assert find_languages("Languages: German, French", "") == ["German", "French"]


NO_HEADING_RESUME = """\
Jordan Example
Sales lead with ten years in retail.

Store Manager, Brightside Stores
2015 - 2020

Member of College Debating and Art Society

Northfield University,
BA (Hons)
Business Studies
2008 - 2011
Lakeview Central College
Diploma in Retail Management
2006 - 2008
"""


def test_no_section_keeps_bare_degrees_and_school_name_lines() -> None:
    schools = parse_education("", NO_HEADING_RESUME)

    assert [(s.degree, s.institution) for s in schools] == [
        ("BA (Hons)", "Northfield University"),
        ("Diploma", "Lakeview Central College"),
    ]


def test_school_offices_and_sentences_around_a_school_name() -> None:
    section = (
        "Bachelor of Science in Biology, 2014\n"
        "Riverside University, Springfield\n"
        "Riverside University Alumni Relations Association\n"
        "Spent one year in University of Eastmoor\n"
    )
    institutions = [s.institution for s in parse_education(section, section)]

    assert "Riverside University" in institutions
    assert "University of Eastmoor" in institutions
    assert not any("Association" in i or "Spent" in i for i in institutions)


def test_a_high_school_on_the_next_line_is_not_the_same_school() -> None:
    section = (
        "Bachelor of Arts in History\n"
        "Hillcrest University, Lakeview\n"
        "Oakwood High School, Lakeview\n"
    )
    schools = parse_education(section, section)

    assert [(s.degree, s.institution) for s in schools] == [
        ("Bachelor of Arts", "Hillcrest University")
    ]


def test_spaced_dotted_abbreviations_words_and_degree_adjectives() -> None:
    section = (
        "B. E. in Mechanical Engineering\n"
        "Hillcrest University\n"
        "2014 to 2018\n"
        "Masters Research Project: cooling of small engines\n"
        "March of Pennies volunteer\n"
    )
    schools = parse_education(section, section)

    assert [(s.degree, s.field_of_study, s.institution) for s in schools] == [
        ("B. E.", "Mechanical Engineering", "Hillcrest University")
    ]


def test_a_degree_after_a_finished_school_opens_the_next_one() -> None:
    section = (
        "Greenfield Public School\n\n2012\n\nB.Tech in Civil Engineering\n\nRiverbank University\n"
    )
    schools = parse_education(section, section)

    assert [(s.degree, s.institution) for s in schools] == [("B.Tech", "Riverbank University")]


def test_a_line_of_thousands_of_dates_is_read_without_recursion() -> None:
    # Each date once opened one more nested call: 1,000 dates on one line raised
    # RecursionError.
    line = " ".join(["Jan 2019 - Feb 2020"] * 1_500)

    text = f"BSc Computer Science, Fernhollow University\n{line}\n"

    schools = parse_education(text, text)

    assert schools[0].institution == "Fernhollow University"


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("Quillmark University MBA, Finance, 2010 - 2012", ("Quillmark University", "MBA")),
        ("Quillmark University - B.S. in Physics - 2010", ("Quillmark University", "B.S.")),
        ("Fernhollow College BS", ("Fernhollow College", "BS")),
        ("Fernhollow College MS in Physics", ("Fernhollow College", "MS")),
    ],
)
def test_a_degree_written_after_its_school(line: str, expected: tuple[str, str]) -> None:
    schools = parse_education(line, line)

    assert [(s.institution, s.degree) for s in schools] == [expected]


def test_a_state_code_after_a_town_is_no_degree() -> None:
    line = "Associate of Occupational Studies : Quillmark College of Culinary Arts Pasadena CA."

    assert [s.degree for s in parse_education(line, line)] == ["Associate of Occupational Studies"]


def test_current_or_present_alone_is_when_a_school_is_attended() -> None:
    mba = parse_education("MBA : Business Administration Current Bellevue University - City\n", "")
    school = parse_education("N/A, Present Varina High School - Henrico, VA\n", "")

    assert [(s.degree, s.field_of_study, s.institution) for s in mba] == [
        ("MBA", "Business Administration", "Bellevue University")
    ]
    assert mba[0].period is not None and mba[0].period.current
    assert [s.institution for s in school] == ["Varina High School"]
    spaced = parse_education("Feb 2014  Current    Masters of Teaching  Monash University\n", "")
    period = spaced[0].period
    assert period is not None and (period.start_year, period.current) == (2014, True)


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        (
            "MS : Instructional Design Saint Leo University - City , State , US",
            ("MS", "Instructional Design", "Saint Leo University"),
        ),
        (
            "Bachelor of Arts : Criminal Justice Community College of the Air Force City , State",
            ("Bachelor of Arts", "Criminal Justice", "Community College of the Air Force"),
        ),
        (
            "BA : Economics Franklin and Marshall College City , State",
            ("BA", "Economics", "Franklin and Marshall College"),
        ),
        # The school's own name is kept whole.
        (
            "J.D. : Law May 2005 Fordham University School of Law - City , State",
            ("J.D.", "Law", "Fordham University School of Law"),
        ),
        (
            "Associate of Arts : Art Institute of Houston",
            ("Associate of Arts", "", "Art Institute of Houston"),
        ),
    ],
)
def test_a_resume_builders_school_line_with_a_placeholder_place(
    line: str, expected: tuple[str, str, str]
) -> None:
    schools = parse_education(line + "\n", "")

    assert [(s.degree, s.field_of_study, s.institution) for s in schools] == [expected]
