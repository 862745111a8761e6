import pytest

from talentloop.resumes.sections import heading_kind, normalize_text, split_sections


@pytest.mark.parametrize(
    ("line", "kind"),
    [
        ("WORK EXPERIENCE", "work"),
        ("Professional Experience:", "work"),
        ("Employment History", "work"),
        ("Career", "work"),
        ("Where I've worked", "work"),
        ("Academic Background", "education"),
        ("Qualifications", "education"),
        ("Technical Skills", "skills"),
        ("Core Competencies", "skills"),
        ("Key Skills:", "skills"),
        ("Programming Languages", "skills"),
        ("Languages", "languages"),
        ("Certifications", "certifications"),
        ("Projects", "projects"),
        ("Career Objective", "summary"),
        ("About", "summary"),
        ("Personal details", "other"),
        ("Additional Information", "other"),
        ("References", "other"),
        ("Expérience professionnelle", "work"),
        ("Formation", "education"),
        ("Compétences", "skills"),
        ("Berufserfahrung", "work"),
        ("Ausbildung", "education"),
        ("Experiencia laboral", "work"),
        ("TECHNICAL SKILLSET", "skills"),
        # Letters a PDF spaced apart.
        ("E xp er ie nc e", "work"),
        ("Ke y S ki ll s", "skills"),
        ("E D U CAT IO N", "education"),
        ("PROFE SSI ONAL EXPER IENCE", "work"),
        # A field of work before "experience".
        ("CAREER SERVICES EXPERIENCE", "work"),
        ("Retail Sales Experience", "work"),
        ("ACADEMIA", "education"),
        ("COMMUNITY INVOLVEMENT", "other"),
        ("Areas of Interest", "other"),
        ("ACTIVITIES / ORGANIZATIONS", "other"),
    ],
)
def test_recognises_headings(line, kind):
    found = heading_kind(line)

    assert found is not None
    assert found[0] == kind


@pytest.mark.parametrize(
    "line",
    [
        "Senior Software Engineer",
        "Experience Design Lead at Larkspur Studio",
        "Worked on the payments team.",
        "2015 - 2018",
        "",
        "the project.",
        "Ex pe rt in g",
        "Project 1:",
        "Customer service experience",
        "Sales experience: ten years",
        "Deep Learning Experience Lab Manager",
    ],
)
def test_ignores_ordinary_lines(line):
    assert heading_kind(line) is None


def test_inline_heading_keeps_its_content():
    assert heading_kind("Objective: A backend role in a small team") == (
        "summary",
        "A backend role in a small team",
    )


def test_splits_a_resume_into_sections():
    text = "\n".join(
        [
            "Mirela Quaystone",
            "mirela@example.org",
            "SUMMARY",
            "Backend developer.",
            "Work Experience",
            "Developer",
            "Fernhollow Labs - 2019 - present",
            "Achievements:",
            "Shipped the billing service.",
            "EDUCATION",
            "BSc Computer Science, 2018",
        ]
    )

    sections = split_sections(text)

    assert [(s.heading, s.kind) for s in sections] == [
        ("", "header"),
        ("SUMMARY", "summary"),
        ("Work Experience", "work"),
        ("EDUCATION", "education"),
    ]
    assert sections[0].lines == ["Mirela Quaystone", "mirela@example.org"]
    assert "Achievements:" in sections[2].text  # a job's sub-heading stays with the job


def test_a_heading_broken_over_lines_is_one_heading():
    text = "\n".join(
        [
            "Ines Marchbank",
            "PROFESSIONAL",
            "LEGAL",
            "EXPERIENCE:",
            "Paralegal, Quillmark & Co",
            "PROFESSIONAL",
            "NVQ in Marketing",
            "EDUCATION",
            "BA Law, 2012",
        ]
    )

    sections = split_sections(text)

    assert [(s.heading, s.kind, s.start_line) for s in sections] == [
        ("", "header", 0),
        ("PROFESSIONAL LEGAL EXPERIENCE:", "work", 4),
        ("EDUCATION", "education", 8),
    ]
    # Lines that make no heading together stay as they were.
    assert sections[1].lines == ["Paralegal, Quillmark & Co", "PROFESSIONAL", "NVQ in Marketing"]


def test_normalize_repairs_escapes_and_flattened_lines():
    flat = "Tobin Ashgrove  12 Elm Row  Springfield, IL  " + "  ".join(["x" * 40] * 5)
    text = normalize_text('"' + flat + " \\xe2\\x80\\xa2 end" + '"')

    assert text.split("\n")[:3] == ["Tobin Ashgrove", "12 Elm Row", "Springfield, IL"]
    assert text.endswith("• end")


@pytest.mark.parametrize(
    ("damaged", "repaired"),
    [
        ("\u00e2\u20ac\u00a2 Built pipelines", "\u2022 Built pipelines"),
        ("2010 \u00e2\u20ac\u201c 2014", "2010 \u2013 2014"),
        ("the team\u00e2\u20ac\u2122s release", "the team\u2019s release"),
        ("Caf\u00c3\u00a9 manager", "Caf\u00e9 manager"),
        ("Skills: SQL \u00c2\u00b7 Excel", "Skills: SQL \u00b7 Excel"),
        # The byte cp1252 leaves undefined was lost: a closing quote, a hyphen inside a word,
        # a full-width hyphen between words.
        ("Won \u00e2\u20ac\u0153Top Seller\u00e2\u20ac award", "Won \u201cTop Seller\u201d award"),
        ("multi\u00e2\u20acchannel", "multi-channel"),
        ("Analyst Fernhollow Labs \u00ef\u00bc Kent , OH", "Analyst Fernhollow Labs - Kent , OH"),
        ("Cut the answer time.\u00c2\nLed the team\u00c2", "Cut the answer time.\nLed the team"),
        # Text that only looks like it stays as written.
        ("S\u00e3o Paulo, n\u00e3o, caf\u00e9\u2019s, \u00c2NGELA, \u00dcber", None),
        ("cr\u00e8me \u00e0 la carte \u00c3", None),
    ],
)
def test_normalize_repairs_utf8_read_as_windows_1252(damaged: str, repaired: str | None):
    assert normalize_text(damaged) == (damaged if repaired is None else repaired)


def test_normalize_drops_page_footers():
    text = "Sales Director\nPage 3 of 3\nPAGE 2\n- 4 -\n05/2013\nPage Designer\n2 of 3 offices"

    assert normalize_text(text).splitlines() == [
        "Sales Director",
        "05/2013",
        "Page Designer",
        "2 of 3 offices",
    ]


def test_normalize_puts_a_heading_glued_to_a_sentence_on_its_own_line():
    text = (
        "Led the drill team. I learned to handle hard situations. Work Experience\n"
        "Customer Advocate Dec 2014 to Nov 2015\n"
        "Ten years in the mortgage banking industry. Expertise\n"
        "includes cold calling and underwriting.\n"  # a sentence wrapped: no heading
        "Worked at Pine Street Bank. Teller\n"  # no heading word
        "The effect of resubmission on test grades. Information\n"  # a title carried on below
        "Systems Education Journal, 2011\n"
        "Mathematical Thinking by Stanford University. Statement of\n"
        "Accomplishment"
    )

    assert normalize_text(text).splitlines() == [
        "Led the drill team. I learned to handle hard situations.",
        "Work Experience",
        "Customer Advocate Dec 2014 to Nov 2015",
        "Ten years in the mortgage banking industry. Expertise",
        "includes cold calling and underwriting.",
        "Worked at Pine Street Bank. Teller",
        "The effect of resubmission on test grades. Information",
        "Systems Education Journal, 2011",
        "Mathematical Thinking by Stanford University. Statement of",
        "Accomplishment",
    ]
    assert [s.kind for s in split_sections(normalize_text(text))] == ["header", "work"]


def test_normalize_joins_spaced_small_capitals():
    assert normalize_text("P ROFESSIONAL E XPERIENCE") == "PROFESSIONAL EXPERIENCE"


def test_normalize_cuts_lines_over_1000_characters_at_a_space():
    long = " ".join(["word"] * 600)  # 2,999 characters
    glued = "x" * 2_500

    lines = normalize_text(f"Ada Lovelace\n{long}\n{glued}").split("\n")

    assert lines[0] == "Ada Lovelace"
    assert max(len(line) for line in lines) <= 1000
    assert " ".join(lines[1:4]) == long  # cut at spaces, nothing lost
    assert "".join(lines[4:]) == glued  # no space: cut at the limit
