import time

from talentloop.resumes.extract import extract_text
from talentloop.resumes.fields import parse_text
from talentloop.resumes.markup import looks_marked_up, to_plain

MARKDOWN = """\
# [Dana Quillmark](https://www.linkedin.com/in/dana-quillmark/)

**Phone:** 555-0100 &#124; **E-mail:** <dana@quillmark.example>

Experience
----------

### **Data Engineer** at [Fernhollow Labs](https://fernhollow.example)

*June 2019 - Present* (4 years)

* Built the \\*nightly\\* loads in `Airflow` for the finance team.

### **Analyst** at [Kestrel Bank][kestrel]

_March 2016 - May 2019_

[kestrel]: https://kestrel.example/about
"""

ASCIIDOC = """\
[[dana-quillmark]]
Dana Quillmark
--------------

* Email: mailto://dana@quillmark.example[dana@quillmark.example]
* Github: http://github.com/danaq[danaq]

[[experience]]
Experience
~~~~~~~~~~

*Data Engineer* at http://fernhollow.example[Fernhollow
Labs]
^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^

_June 2019 - Present_
"""


def test_markdown_loses_its_markers_and_keeps_its_link_targets() -> None:
    plain, links = to_plain(MARKDOWN)

    lines = [line for line in plain.splitlines() if line.strip()]
    assert lines[:5] == [
        "Dana Quillmark",
        "Phone: 555-0100 | E-mail: dana@quillmark.example",
        "Experience",
        "Data Engineer at Fernhollow Labs",
        "June 2019 - Present (4 years)",
    ]
    assert "* Built the *nightly* loads in Airflow for the finance team." in lines
    assert "Analyst at Kestrel Bank" in lines
    assert "Experience\n\nData Engineer" in plain  # the underline leaves one empty line
    assert "March 2016 - May 2019" in lines
    assert links == [
        "https://www.linkedin.com/in/dana-quillmark/",
        "https://fernhollow.example",
        "https://kestrel.example/about",
    ]


def test_asciidoc_links_anchors_and_underlines() -> None:
    plain, links = to_plain(ASCIIDOC)

    lines = [line for line in plain.splitlines() if line.strip()]
    assert lines == [
        "Dana Quillmark",
        "* Email: dana@quillmark.example",
        "* Github: danaq",
        "Experience",
        "Data Engineer at Fernhollow Labs",
        "June 2019 - Present",
    ]
    assert links == ["http://github.com/danaq", "http://fernhollow.example"]


def test_a_marked_up_text_file_parses_like_the_document_it_renders() -> None:
    extracted = extract_text(MARKDOWN.encode(), filename="resume.md")
    parsed = parse_text(extracted.text)

    assert extracted.links[0] == "https://www.linkedin.com/in/dana-quillmark/"
    assert parsed.name == "Dana Quillmark"
    assert [(j.title, j.company, j.period.raw if j.period else "") for j in parsed.work] == [
        ("Data Engineer", "Fernhollow Labs", "June 2019 - Present"),
        ("Analyst", "Kestrel Bank", "March 2016 - May 2019"),
    ]


def test_paragraphs_wrapped_at_a_fixed_width_are_joined_again() -> None:
    prose = (
        "Built landing pages and banners for clients such as Coke, Home\n"
        "Depot and Verizon, and led the web marketing campaigns of the team.\n"
    )
    text = "Dana Quillmark\n==============\n\n" + prose * 6 + "\n**Data Engineer**\nAcme Corp\n"

    plain, _ = to_plain(text)

    assert "such as Coke, Home Depot and Verizon" in plain
    assert "**" not in plain
    assert "Data Engineer\nAcme Corp" in plain  # short lines are not a wrapped paragraph


def test_a_plain_text_with_underlined_headings_keeps_its_lines() -> None:
    header = "Senior Data Engineer, Fernhollow Labs, Boston, MA    2015 - 2019"
    duty = "Led the team of five engineers that rebuilt the nightly billing loads."
    text = (
        "Dana Quillmark\n==============\n\nEXPERIENCE\n----------\n"
        + f"{header}\n{duty}\n" * 6
        + "\nEDUCATION\n---------\nBSc Physics, Kestrel University, 2011\n"
    )

    assert looks_marked_up(text)
    plain, _ = to_plain(text)
    assert f"{header}\n{duty}" in plain
    assert "---" not in plain


def test_ordinary_text_is_not_taken_for_markup() -> None:
    text = (
        "Dana Quillmark\nData_Engineer at Fernhollow Labs, 2019 - 2023\n"
        "* Loaded 5*3 tables; wrote my_loader.py\nSkills: C++, C#, SQL\n"
    )

    assert not looks_marked_up(text)
    assert extract_text(text.encode(), filename="cv.txt").text == text.strip()


def test_hostile_markup_is_read_in_linear_time() -> None:
    started = time.perf_counter()
    hostile = (
        "[" * 200_000,
        "http:" * 40_000,
        "[a\n" * 50_000,
        ("<" * 1900 + "\n") * 500,
        ("![a](" * 300 + "\n") * 500,
        ("http:" * 300 + "\n") * 500,
        (" *a" * 600 + "\n") * 500,
        (" _a" * 600 + "\n") * 500,
    )
    for text in hostile:
        to_plain("# Heading\n**bold**\n[a](https://a.example)\n" + text)
    # Each about 0.3 s at most here; with backtracking some took 4 to 14 s.
    assert time.perf_counter() - started < 6
