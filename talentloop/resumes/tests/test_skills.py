"""The skills catalogue and finder (pure Python, no database)."""

import time

import pytest

from talentloop.resumes.skills import (
    KNOWLEDGE,
    LANGUAGE,
    SOFT,
    TECHNOLOGY,
    Catalogue,
    Skill,
    default_catalogue,
    find_skills,
    normalize_skill,
)


@pytest.fixture(scope="module")
def catalogue() -> Catalogue:
    return default_catalogue()


def test_catalogue_is_a_real_taxonomy(catalogue):
    sources = {skill.source for skill in catalogue.skills}
    assert {"esco", "pygments", "simple-icons", "supplement"} <= sources
    assert len(catalogue) > 5000
    assert catalogue.lookup("SQL Server Integration Services").category == TECHNOLOGY
    assert catalogue.lookup("project management").category == KNOWLEDGE
    assert catalogue.lookup("French").category == LANGUAGE


@pytest.mark.parametrize("written", ["JS", "javascript", "JavaScript", "Java Script"])
def test_aliases_normalize(written):
    assert normalize_skill(written) == "JavaScript"


def test_normalize_keeps_unknown_names_tidy():
    assert normalize_skill("k8s") == "Kubernetes"
    assert normalize_skill("  Quantum   basket weaving ") == "Quantum basket weaving"


def test_esco_names_and_acronyms(catalogue):
    assert catalogue.lookup("Python (computer programming)") is None  # the name is "Python"
    assert catalogue.lookup("python").name == "Python"
    assert catalogue.lookup("SSIS").name == "SQL Server Integration Services"


def test_hits_carry_canonical_category_and_section():
    hits = find_skills("Skills: javascript, PostgreSQL, k8s", sections=[("skills", "JS, k8s")])
    assert [(h.name, h.canonical, h.category, h.section) for h in hits] == [
        ("JS", "JavaScript", TECHNOLOGY, "skills"),
        ("k8s", "Kubernetes", TECHNOLOGY, "skills"),
    ]


def test_short_ambiguous_names_need_a_skills_context():
    prose = "I can go to the office. C is for cookie. Access to R and D was granted."
    assert find_skills(prose) == []
    hits = find_skills("", sections=[("skills", "Languages: C, R, Go, Java")])
    assert [h.canonical for h in hits] == ["C", "R", "Go", "Java"]


def test_common_words_match_only_as_names():
    hits = find_skills("Built reports in Excel and Word; wrote a word of thanks.")
    assert {h.canonical for h in hits} >= {"Microsoft Excel", "Microsoft Word"}
    assert [h.name for h in hits if h.canonical == "Microsoft Word"] == ["Word"]
    assert find_skills("Access to the building was restricted.") == []


def test_longest_match_and_versions():
    hits = find_skills(
        "Skills: SQL Server 2008, Windows XP", sections=[("skills", "SQL Server 2008, Windows XP")]
    )
    names = {h.canonical: h.name for h in hits}
    assert names["Microsoft SQL Server"] == "SQL Server 2008"
    assert names["Windows"] == "Windows XP"


def test_unknown_phrases_in_skills_sections_are_kept():
    text = "Salesforce, Dealer Incentives | Car Leasing • Widget Frobnication\nexperience: 5 years"
    hits = find_skills(text, sections=[("skills", text)])
    unknown = [h for h in hits if not h.canonical]
    assert [h.name for h in unknown] == ["Dealer Incentives", "Car Leasing", "Widget Frobnication"]
    assert all(h.confidence < hits[0].confidence for h in unknown)
    # Free text keeps no unknown phrases.
    assert all(h.canonical for h in find_skills(text, sections=[("work", text)]))


def test_confidence_by_place():
    skills = find_skills("", sections=[("skills", "Kubernetes")])[0]
    work = find_skills("", sections=[("work", "Deployed it on Kubernetes at scale.")])[0]
    assert skills.confidence > work.confidence > 0


def test_dedupe_by_canonical_keeps_first_written_form():
    hits = find_skills("Used JS daily. Skills: JavaScript, javascript, ECMAScript")
    assert [h.name for h in hits if h.canonical == "JavaScript"] == ["JS"]


def test_human_languages_are_not_skills():
    text = "English, French, Python"
    hits = find_skills(text, sections=[("skills", text)])
    assert [h.canonical for h in hits] == ["Python"]


def test_soft_skills_drop_the_word_skills():
    hits = find_skills("Excellent communication skills and a team player.")
    assert [(h.name, h.category) for h in hits] == [("communication", SOFT), ("team player", SOFT)]


def test_workspace_entries_win(catalogue):
    extra = catalogue.with_extra(
        [Skill("Frobnicator", ("frob",), TECHNOLOGY), Skill("JS Guild", ("JS",), KNOWLEDGE), "Go"]
    )
    hits = find_skills("We frob things with JS and Go daily.", catalogue=extra)
    assert [(h.name, h.canonical) for h in hits] == [
        ("frob", "Frobnicator"),
        ("JS", "JS Guild"),
        ("Go", "Go"),
    ]
    assert default_catalogue().lookup("frob") is None


def test_speed(catalogue):
    para = (
        "Senior engineer with 8 years in Python, Django, PostgreSQL and AWS. Led a team of five, "
        "ran Scrum ceremonies and mentored juniors; built CI/CD with Jenkins and Docker.\n"
    )
    text = para * 40  # about 1,000 words
    sections = [
        ("summary", para),
        ("skills", "Python, Django, Kubernetes, Terraform"),
        ("work", text),
    ]
    find_skills(text, sections=sections, catalogue=catalogue)
    start = time.perf_counter()
    for _ in range(20):
        find_skills(text, sections=sections, catalogue=catalogue)
    assert (time.perf_counter() - start) / 20 < 0.05  # generous; about 3 ms on a dev machine
