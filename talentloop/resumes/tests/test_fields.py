import datetime
import time

import pytest

from talentloop.resumes import pipeline
from talentloop.resumes.fields import parse_text

RESUME = """Orla Vantreece
Data Engineer - Fernhollow Labs
Lisbon, Portugal
orla.vantreece@example.org | +351 912 345 678 | linkedin.com/in/orla-vantreece

SUMMARY
Data engineer who builds batch and streaming pipelines.

WORK EXPERIENCE
Data Engineer
Fernhollow Labs - Lisbon
March 2019 to Present
• Designed the event pipeline on Kafka and Spark for the analytics team.

Software Developer
Quillmark Systems Ltd
Jan 2016 - Feb 2019
• Maintained the billing service.

EDUCATION
BSc Computer Science, University of Lisbon, 2015

SKILLS
Python, SQL, Kafka
"""


def test_parses_all_fields():
    parsed = parse_text(RESUME, default_region="PT", today=datetime.date(2021, 3, 1))

    assert parsed.name == "Orla Vantreece"
    assert parsed.emails == ["orla.vantreece@example.org"]
    assert parsed.phones == ["+351912345678"]
    assert parsed.links == ["https://linkedin.com/in/orla-vantreece"]
    assert parsed.location == "Lisbon, Portugal"
    assert parsed.headline == "Data Engineer"
    assert parsed.summary.startswith("Data engineer who builds")
    assert [(job.title, job.company) for job in parsed.work] == [
        ("Data Engineer", "Fernhollow Labs"),
        ("Software Developer", "Quillmark Systems Ltd"),
    ]
    assert parsed.years_experience == 5.2
    assert parsed.sections == [
        ("SUMMARY", "summary"),
        ("WORK EXPERIENCE", "work"),
        ("EDUCATION", "education"),
        ("SKILLS", "skills"),
    ]
    assert parsed.confidence["name"] == 0.95
    assert 0 < parsed.confidence["work"] <= 1


def test_empty_fields_have_zero_confidence():
    parsed = parse_text("just some words", today=datetime.date(2021, 3, 1))

    assert parsed.name == ""
    assert parsed.work == []
    assert parsed.years_experience is None
    assert parsed.confidence["name"] == 0.0
    assert parsed.confidence["work"] == 0.0


def test_work_falls_back_to_the_headline():
    text = "Ravi Menon\nTeam Lead - Ambervale Technologies\nBengaluru, Karnataka\n"

    parsed = parse_text(text, today=datetime.date(2021, 3, 1))

    assert [(job.title, job.company) for job in parsed.work] == [
        ("Team Lead", "Ambervale Technologies")
    ]


def test_a_resume_titled_for_a_role_has_that_role_as_headline():
    text = "Sales Engineer Resume Template\nJillian Quarrington\n12 Rose Street\n"

    parsed = parse_text(text, today=datetime.date(2021, 3, 1))

    assert parsed.name == "Jillian Quarrington"
    assert parsed.headline == "Sales Engineer"


def test_jobs_filed_under_a_skills_heading_are_found():
    text = """Tamsin Okafor
tamsin.okafor@example.org

SKILLS
Python, SQL, Kafka

SUMMARY OF QUALIFICATIONS
Fifteen years of building machines and shops.
2011 to Present
Quarrystone Fabrication, Santa Rosa, CA
Shop Supervisor
Set up the machine shop and trained its staff.

EDUCATION
BSc Mechanical Engineering, Elmwood University, 2008 - 2011

WORK EXPERIENCE
Machinist
Copperleaf Tooling Ltd
2008 - 2011
Ran the lathes.
"""

    parsed = parse_text(text, today=datetime.date(2024, 1, 1))

    assert [(job.title, job.company) for job in parsed.work] == [
        ("Shop Supervisor", "Quarrystone Fabrication"),
        ("Machinist", "Copperleaf Tooling Ltd"),
    ]


def test_degrees_in_education_are_not_stray_jobs():
    text = """Tamsin Okafor

EDUCATION
Graduate Teaching Assistant
Elmwood University, Boston, MA
2008 - 2011

WORK EXPERIENCE
Machinist
Copperleaf Tooling Ltd
2012 - 2015
"""

    parsed = parse_text(text, today=datetime.date(2024, 1, 1))

    assert [job.company for job in parsed.work] == ["Copperleaf Tooling Ltd"]


def test_the_candidates_own_name_over_a_job_is_no_title():
    text = (
        "Gareth Quill\ngareth.quill@example.org\n\nEXPERIENCE\n"
        "Gareth Quill\nResearch Analyst, Fernhollow Labs\n2015 - 2018\nCounted things.\n"
    )

    parsed = parse_text(text, today=datetime.date(2021, 3, 1))

    assert [(job.title, job.company) for job in parsed.work] == [
        ("Research Analyst", "Fernhollow Labs")
    ]


def test_a_resume_without_a_name_gives_none():
    # An anonymised export: the target role over the body, a skills list in the first lines.
    text = (
        "PLANT FULFILLMENT LEADER\nSummary\nLeads plant schedules.\nHighlights\n"
        "Strategic Planning\nSite Safety\nSix Sigma 2015 - 2016\nExperience\n"
        "Plant Fulfillment Leader 11/2015 to Current\nCompany Name - City , State\nRan plants.\n"
    )

    parsed = parse_text(text, today=datetime.date(2021, 3, 1))

    assert parsed.name == ""
    # The role over the body is no name, so it stays the job's title.
    assert [job.title for job in parsed.work] == ["Plant Fulfillment Leader"]


def test_a_headline_that_is_a_jobs_title_is_no_name_without_contact_details():
    text = (
        "AUTOMOBILE TRANSPORTER\nWork Experience\n05/2014 - Current\n"
        "Company Name - City , State Automobile Transporter\nHauled cars.\n"
    )

    parsed = parse_text(text, today=datetime.date(2021, 3, 1))

    assert parsed.name == ""
    assert [job.title for job in parsed.work] == ["Automobile Transporter"]


@pytest.mark.parametrize(
    ("first_line", "name"),
    [
        ("GAME DESIGN", ""),  # ordinary words: the cut-off headline of an anonymised resume
        ("Goal Setting", ""),
        ("Cruz Navarro", "Cruz Navarro"),
        ("Will Smith", "Will Smith"),  # ordinary words, but "Will" is a given name
    ],
)
def test_ordinary_words_are_no_name_without_contact_details(first_line: str, name: str) -> None:
    text = f"{first_line}\nSummary\nDesigns levels.\nExperience\nIntern 2015 - 2016\nAcme\n"

    assert parse_text(text, today=datetime.date(2021, 3, 1)).name == name


def test_a_name_under_a_template_heading_above_the_contact_details():
    text = (
        "Sample Resume\nEducation\nDo not copy this sample.\nKim Lowell\n12 Brown St\n"
        "Ph: 03 5177 7777\nEDUCATION\n2013 - 2016 Bachelor of Arts, Monash University\n"
    )

    assert parse_text(text, today=datetime.date(2021, 3, 1)).name == "Kim Lowell"


def test_a_given_name_before_a_job_word_is_a_person():
    text = "Tim Cook\ntim.cook@example.org\nSummary\nRuns things.\n"

    assert parse_text(text, today=datetime.date(2021, 3, 1)).name == "Tim Cook"


def test_a_long_first_line_of_resume_words_costs_linear_time():
    started = time.perf_counter()

    parse_text("Engineer " + " ".join(["resume CV"] * 3000) + " x", today=datetime.date(2021, 3, 1))

    assert time.perf_counter() - started < 3  # about 10 s before the line length check


def test_a_document_is_parsed_up_to_its_first_150000_characters():
    filler = "Built services for the payments team every week of the year.\n" * 2_600
    text = "Ada Lovelace\nada@example.org\nSKILLS\nPython\nEXPERIENCE\n" + filler
    text += "SKILLS\nHaskell\n"
    options = pipeline.Options(today=datetime.date(2021, 3, 1))

    extracted, parsed = pipeline.parse_document(text.encode(), "cv.txt", options)

    assert len(extracted.text) > pipeline.MAX_TEXT_CHARS  # the whole text is kept
    assert extracted.warnings == [
        f"only the first 150,000 characters of {len(extracted.text):,} were parsed"
    ]
    assert parsed.name == "Ada Lovelace"
    names = [skill.canonical for skill in parsed.skills]
    assert "Python" in names and "Haskell" not in names


def test_a_resume_exported_as_utf8_read_as_windows_1252_parses_as_written() -> None:
    # An en dash came out as "â€“", "•" as "â€¢", "·" as "Â·", and the full-width hyphen of the
    # employer line lost its last byte: "ï¼".
    parsed = parse_text(
        "Dana Whitlow\ndana@example.org\nExperience\n04/2016 \u00e2\u20ac\u201c Current\n"
        "Staff Accountant, Fernhollow Labs \u00ef\u00bc Kent , OH\n"
        "\u00e2\u20ac\u00a2 Reconciled the ledger every month.\n"
        "\u00e2\u20ac\u00a2 Closed the books in three days.\n"
        "Skills\nExcel \u00c2\u00b7 QuickBooks \u00c2\u00b7 SAP\n",
        today=datetime.date(2026, 11, 1),
    )

    [job] = parsed.work
    assert (job.title, job.company, job.location) == (
        "Staff Accountant",
        "Fernhollow Labs",
        "Kent, OH",
    )
    assert job.period is not None and job.period.current and job.period.start_year == 2016
    assert job.description == "Reconciled the ledger every month.\nClosed the books in three days."
    assert [s.name for s in parsed.skills] == ["Excel", "QuickBooks", "SAP"]


def test_a_resume_without_headings_has_its_jobs_read_below_the_contact_lines() -> None:
    parsed = parse_text(
        "Dana Quillmark\n\nHome: (503) 555-0142 | dana@quillmark.example\n\n"
        "7/2022-Present, Security Assessment Manager, State of Oregon\n"
        "Supervise a team of five assessors | Vulnerability Assessment | Risk Analysis | "
        "Governance, Risk, and Compliance | Research | Budget | Leadership\n"
        "• Liaison to the Fusion Center's IT Sector Working Group\n\n"
        "11/2018-7/2022, Security Assessor, Fernhollow Labs Inc.\n"
        "• Ran the yearly assessments of forty agencies and boards across the state.\n"
    )

    assert [(j.title, j.company, j.period.raw if j.period else "") for j in parsed.work] == [
        ("Security Assessment Manager", "State of Oregon", "7/2022-Present"),
        ("Security Assessor", "Fernhollow Labs Inc.", "11/2018-7/2022"),
    ]
