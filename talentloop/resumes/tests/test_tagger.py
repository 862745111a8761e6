"""The trained entity tagger and how it is merged into a parsed resume (no database).

Training data here is synthetic: resumes written from templates in this file.
"""

from __future__ import annotations

import itertools
import time
import xml.etree.ElementTree as ET
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from talentloop.resumes import tagger
from talentloop.resumes.combine import apply_tagger
from talentloop.resumes.parsed import Job, ParsedResume, SkillHit
from talentloop.resumes.tagger import (
    Annotated,
    Model,
    gold_tags,
    read_annotated,
    tag_entities,
    tokenize,
    train,
)

FIRST = ["Avery", "Blake", "Casey", "Devon", "Emery", "Finley", "Harper", "Jordan"]
LAST = ["Quill", "Marsh", "Thorne", "Vale", "Brook", "Stone", "Lark", "Frost"]
COMPANIES = ["Zentrix Labs", "Orbital Widgets Inc", "Northwind Traders", "Acme Systems Ltd"]
TITLES = ["Software Engineer", "Data Analyst", "Project Manager", "QA Engineer"]
SKILLS = ["Python", "SQL", "Excel", "Java", "Docker", "Linux"]
CITIES = ["Springfield", "Riverton", "Lakeside", "Fairview"]


def _resume(i: int) -> tuple[str, list[tuple[str, str]]]:
    """A synthetic resume as (text with {n} placeholders filled, [(type, value)])."""
    name = f"{FIRST[i % 8]} {LAST[(i * 3) % 8]}"
    company, title = COMPANIES[i % 4], TITLES[(i + 1) % 4]
    skills = [SKILLS[i % 6], SKILLS[(i + 2) % 6]]
    city = CITIES[i % 4]
    pieces = [
        (name, "Name"),
        ("\n", ""),
        (city, "Location"),
        ("\nEXPERIENCE\n", ""),
        (title, "Designation"),
        ("\n", ""),
        (company, "Companies worked at"),
        (" - January 2019 to Present\nSKILLS\n", ""),
        (skills[0], "Tech Tools"),
        (", ", ""),
        (skills[1], "Tech Tools"),
        ("\n", ""),
    ]
    xml = "".join(f'<label type="{kind}">{text}</label>' if kind else text for text, kind in pieces)
    return f"<cv>{xml}</cv>", [(kind, text) for text, kind in pieces if kind]


def _documents(count: int) -> Iterator[Annotated]:
    for i in range(count):
        xml, _ = _resume(i)
        element = ET.fromstring(xml)  # noqa: S314 - our own synthetic text
        text, spans = tagger._label_spans(element, lambda s: s)
        yield Annotated(f"doc{i}", text, spans)


@pytest.fixture(autouse=True)
def _no_catalogue(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(tagger, "USE_CATALOGUE", False)


@pytest.fixture(scope="module")
def model() -> Model:
    saved = tagger.USE_CATALOGUE
    tagger.USE_CATALOGUE = False
    try:
        return train(list(_documents(24)), epochs=5)
    finally:
        tagger.USE_CATALOGUE = saved


def test_tokens_keep_abbreviations_and_segments() -> None:
    tokens = tokenize("Sr. Engineer  Acme Pvt. Ltd\nB.E. 2015")
    assert tokens.words == ["Sr.", "Engineer", "Acme", "Pvt.", "Ltd", "B.E", ".", "2015"]
    # Two spaces and a line break end segments.
    assert tokens.segments == [0, 0, 1, 1, 1, 2, 2, 2]


def test_gold_tags_follow_label_offsets() -> None:
    document = next(_documents(1))
    tokens = tokenize(document.text)
    tags = gold_tags(document, tokens)
    assert tags[:3] == ["name", "name", "location"]
    assert [w for w, t in zip(tokens.words, tags, strict=True) if t == "skills"] == [
        "Python",
        "Excel",
    ]


def test_train_then_tag_round_trip(model: Model, tmp_path: Path) -> None:
    text = (
        "Morgan Reed\nFairview\nEXPERIENCE\nData Analyst\nNorthwind Traders - March 2020 "
        "to Present\nSKILLS\nDocker, SQL\n"
    )
    path = tmp_path / "model.json.gz"
    model.save(path)
    loaded = Model.load(path)
    found = tag_entities(text, loaded)
    values = {kind: [v for v, _ in pairs] for kind, pairs in found.items()}
    assert values["titles"] == ["Data Analyst"]
    assert values["companies"] == ["Northwind Traders"]
    assert values["skills"] == ["Docker", "SQL"]
    assert values["location"] == ["Fairview"]
    assert all(0.0 <= c <= 1.0 for pairs in found.values() for _, c in pairs)
    assert loaded.entities(text) == model.entities(text)


def test_training_is_deterministic_and_forgets_rare_words() -> None:
    documents = list(_documents(12))
    first = train(documents, epochs=3).to_json()
    assert first == train(documents, epochs=3).to_json()
    # "Avery Quill" is one resume's name only: no feature remembers the word.
    assert not any("w=quill" in feature for feature in first["weights"])


def test_read_annotated_reads_a_dotin_like_zip(tmp_path: Path) -> None:
    archive = tmp_path / "set.zip"
    with zipfile.ZipFile(archive, "w") as out:
        for i in range(2):
            out.writestr(f"cvs/{i}.xml", '<?xml version="1.0"?>\n' + _resume(i)[0])
        out.writestr("__MACOSX/cvs/._0.xml", "junk")
    documents = read_annotated(tmp_path)
    assert len(documents) == 2
    first = documents[0]
    kinds = {kind for _, _, kind in first.spans}
    assert kinds == {"name", "location", "titles", "companies", "skills"}
    values = [(kind, first.text[start:end]) for start, end, kind in first.spans]
    assert values[:2] == [("name", "Avery Quill"), ("location", "Springfield")]


def test_apply_tagger_fills_gaps_and_adds_per_field() -> None:
    parsed = ParsedResume(
        work=[Job(company="Zentrix Labs", title="")],
        skills=[SkillHit(name="Python", canonical="Python")],
    )
    entities = {
        "name": [("Morgan Reed", 0.9)],
        "companies": [("Zentrix Labs Inc", 0.9), ("Northwind Traders", 0.8)],
        "titles": [("Data Analyst", 0.9), ("Intern", 0.2)],
        "skills": [("python", 0.9), ("Tableau", 0.7)],
        "degrees": [("B.Sc.", 0.9)],
    }
    apply_tagger(parsed, "", entities=entities)
    assert parsed.name == "Morgan Reed"
    assert [(j.company, j.title) for j in parsed.work] == [
        ("Zentrix Labs", "Data Analyst"),
        ("Northwind Traders", ""),
    ]
    assert [h.name for h in parsed.skills] == ["Python", "Tableau"]
    assert parsed.skills[1].section == "tagger"
    assert parsed.education == []  # degrees: the rules alone


def test_apply_tagger_keeps_what_the_rules_found() -> None:
    parsed = ParsedResume(name="Avery Quill", location="Riverton")
    apply_tagger(
        parsed, "", entities={"name": [("Other Person", 1.0)], "location": [("Lakeside", 1.0)]}
    )
    assert (parsed.name, parsed.location) == ("Avery Quill", "Riverton")


def test_packaged_model_is_fast_enough() -> None:
    model = tagger.default_model()
    assert model is not None
    lines = itertools.cycle(
        [
            "Senior Software Engineer  Zentrix Labs, Springfield  Jan 2018 - Present",
            "Built data pipelines in Python and SQL for reporting; led a team of four.",
            "B.Tech in Computer Science, Riverton Institute of Technology, 2014",
        ]
    )
    text = "Avery Quill\n" + "\n".join(next(lines) for _ in range(60))
    assert 600 < len(tokenize(text)) < 1000
    model.entities(text)  # warm the caches
    started = time.perf_counter()
    for _ in range(5):
        found = model.entities(text)
    assert (time.perf_counter() - started) / 5 < 0.05  # ~5 ms here; generous for slow CI
    assert "titles" in found
