"""The parsing evaluation: readers of both data set layouts (on tiny synthetic folders), the
mapping of a ParsedResume to fields, and the scores (exact numbers)."""

import hashlib
import json
import zipfile
from pathlib import Path

import pytest

from talentloop.resumes import evaluation
from talentloop.resumes.evaluation import Counts, lenient_tokens, match, predict, read_dataset
from talentloop.resumes.parsed import Job, ParsedResume, Period, School, SkillHit

CV_1 = (
    '<?xml version="1.0" encoding="UTF-8"?>\n<cv>\n<label type="Name">Ada Lovelace</label>\n'
    '<label type="Email Address">ada@example.org</label> '
    '<label type="Location">London, UK</label>\n'
    '<label type="Designation">Analyst</label> at <label type="Companies worked at">'
    'Babbage Pvt. Ltd.</label> <label type="Years of Experience">2015 - 2018</label>\n'
    'Skills: <label type="Tech Tools">Python</label>, <label type="Soft Skills">'
    'teamwork</label>, <label type="Job Specific Skills">Data analysis</label> \\xe2\\x80\\xa2 x\n'
    '<label type="Degree">B.E.</label> <label type="College Name">Univ\\xc3\\xa9rsity of '
    'London</label> <label type="Graduation Year">2014</label>\n</cv>\n'
)
CV_2 = (
    '<?xml version="1.0" encoding="UTF-8"?>\n<cv><label type="Name">Grace Hopper</label>'
    " admiral</cv>\n"
)


def _dotin(tmp_path: Path) -> Path:
    folder = tmp_path / "dotin-like"
    folder.mkdir()
    with zipfile.ZipFile(folder / "cvs.zip", "w") as archive:
        archive.writestr("cvs/", "")
        archive.writestr("cvs/1.xml", CV_1)
        archive.writestr("__MACOSX/cvs/._1.xml", b"\x00\x05junk")
    loose = folder / "more"
    loose.mkdir()
    (loose / "2.xml").write_text(CV_2)
    (folder / "SOURCE.md").write_text("not data")
    return folder


def _line(content: str, spans: list[tuple[str, str]]) -> str:
    annotation = []
    for label, text in spans:
        start = content.index(text)
        annotation.append(
            {
                "label": [label],
                "points": [{"start": start, "end": start + len(text) - 1, "text": text}],
            }
        )
    return json.dumps({"content": content, "annotation": annotation})


def _dataturks(tmp_path: Path, *, rare: int = 30) -> Path:
    folder = tmp_path / "dataturks-like"
    folder.mkdir()
    one = "Ashish Dubey\nDeveloper - Acme Inc\nindeed.com/r/Ashish-Dubey/1"
    two = "Mary Major\nB.Tech from IIT Delhi"
    lines = [
        # "shish Dubey": a span cut by one character, widened back to the word.
        _line(one, [("Name", "shish Dubey"), ("Email Address", "indeed.com/r/Ashish-Dubey/1")]),
        _line(one, [("Name", "Ashish Dubey"), ("Designation", "Developer")]),
        _line(two, [("Name", "Mary Major"), ("Degree", "B.Tech"), ("College Name", "IIT Delhi")]),
        json.dumps({"content": two, "annotation": None}),
    ]
    # Enough of each label to be kept, none of "Rare".
    filler = [
        _line(
            f"Filler {i}\nDeveloper\nBSc, Some College",
            [
                ("Name", f"Filler {i}"),
                ("Designation", "Developer"),
                ("Degree", "BSc"),
                ("College Name", "Some College"),
            ],
        )
        for i in range(rare)
    ]
    filler.append(_line("Rare\nx", [("Rare", "x")]))
    with zipfile.ZipFile(folder / "data.zip", "w") as archive:
        archive.writestr("data.json", "\n".join(lines + filler) + "\n")
    return folder


def test_reads_a_dotin_like_folder(tmp_path: Path) -> None:
    dataset = read_dataset(_dotin(tmp_path))

    assert dataset.layout == "dotin"
    assert [d.id for d in dataset.documents] == ["cvs.zip:cvs/1.xml", "more/2.xml"]
    first = dataset.documents[0]
    assert "\u2022 x" in first.text and "<label" not in first.text
    assert first.text.startswith("\nAda Lovelace\nada@example.org London, UK\n")
    assert first.gold == {
        "name": ["Ada Lovelace"],
        "email": ["ada@example.org"],
        "location": ["London, UK"],
        "titles": ["Analyst"],
        "companies": ["Babbage Pvt. Ltd."],
        "years_of_experience": ["2015 - 2018"],
        "skills": ["Python", "teamwork", "Data analysis"],
        "skills:tech_tools": ["Python"],
        "skills:soft": ["teamwork"],
        "skills:job_specific": ["Data analysis"],
        "degrees": ["B.E."],
        "institutions": ["Univérsity of London"],
        "graduation_year": ["2014"],
    }
    assert dataset.fields == evaluation.FIELDS
    assert dataset.extra_fields == ("skills:tech_tools", "skills:job_specific", "skills:soft")
    assert dataset.documents[1].gold == {"name": ["Grace Hopper"]}


def test_reads_a_dataturks_like_folder(tmp_path: Path) -> None:
    dataset = read_dataset(_dataturks(tmp_path))

    assert dataset.layout == "dataturks"
    assert len(dataset.documents) == 30 + 3
    one, two = dataset.documents[:2]
    assert one.versions == 2 and two.versions == 2
    # The union of both versions, the cut name widened; Email Address left out.
    assert one.gold == {"name": ["Ashish Dubey"], "titles": ["Developer"]}
    assert two.gold == {
        "name": ["Mary Major"],
        "degrees": ["B.Tech"],
        "institutions": ["IIT Delhi"],
    }
    assert dataset.fields == ("name", "titles", "degrees", "institutions")
    assert "email" not in dataset.targets
    notes = " / ".join(dataset.notes)
    assert "2 texts annotated more than once" in notes and "Rare (1)" in notes
    assert "1 spans that cut a word" in notes


def test_dataturks_labels_under_30_occurrences_are_ignored(tmp_path: Path) -> None:
    dataset = read_dataset(_dataturks(tmp_path, rare=10))

    # Name 13, Designation 11, Degree 11, College Name 11: all below 30.
    assert dataset.fields == ()


def test_reads_loose_json_lines(tmp_path: Path) -> None:
    lines = [_line(f"Person {i}\nDeveloper", [("Name", f"Person {i}")]) for i in range(30)]
    (tmp_path / "traindata.json").write_text("\n".join(lines[:20]))
    (tmp_path / "testdata.json").write_text("\n".join(lines[20:]))

    dataset = read_dataset(tmp_path, limit=5)

    assert dataset.layout == "dataturks" and len(dataset.documents) == 5
    assert dataset.fields == ("name",)


def test_an_empty_folder_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(evaluation.DatasetError, match="no dotin-like XML"):
        read_dataset(tmp_path)


def test_predict_maps_a_parsed_resume_to_fields() -> None:
    parsed = ParsedResume(
        name="Ada Lovelace",
        emails=["ada@example.org"],
        location="London",
        headline="Analyst",
        work=[Job("Babbage", "Engineer", "Paris", Period("2015 - 2018", 2015, None, 2018))],
        education=[School("UCL", "BE", "", Period("2010-2014", 2010, None, 2014))],
        skills=[SkillHit("python3", "Python"), SkillHit("teamwork")],
        languages=["Spanish"],
    )

    predicted = predict(parsed)

    assert predicted["name"] == [("Ada Lovelace",)]
    assert predicted["location"] == [("London",), ("Paris",)]
    assert predicted["titles"] == [("Engineer",), ("Analyst",)]
    assert predicted["graduation_year"] == [("2014",)]
    assert predicted["years_of_experience"] == [("2015 - 2018",)]
    # The sets label spoken languages as (soft) skills.
    assert predicted["skills"] == [("python3", "Python"), ("teamwork",), ("Spanish",)]


def test_lenient_tokens() -> None:
    assert lenient_tokens("B.E.", "degrees") == lenient_tokens("BE", "degrees") == ("be",)
    assert lenient_tokens("Tata Consultancy Services Pvt. Ltd.", "companies") == (
        "tata",
        "consultancy",
        "services",
    )
    assert lenient_tokens("Université", "institutions") == ("universite",)
    assert lenient_tokens("C++", "skills") == ("c++",)
    assert lenient_tokens("C++", "titles") == ("c",)


def test_exact_and_lenient_matching_counts() -> None:
    gold = ["Infosys Ltd.", "Tata Consultancy Services", "Wipro"]
    predicted = [("infosys ltd",), ("Tata Consultancy",), ("IBM",)]

    exact, _ = match(gold, predicted, "companies", lenient=False)
    lenient, matched = match(gold, predicted, "companies", lenient=True)

    assert (exact.tp, exact.fp, exact.fn) == (1, 2, 2)
    assert (lenient.tp, lenient.fp, lenient.fn) == (2, 1, 1)
    assert matched == [
        ("Infosys Ltd.", "infosys ltd"),
        ("Tata Consultancy Services", "Tata Consultancy"),
    ]
    assert lenient.precision == pytest.approx(2 / 3)
    assert lenient.f1 == pytest.approx(2 / 3)


def test_matching_is_one_to_one_and_prefers_the_best_pair() -> None:
    # "Senior Developer" could match both golds; it takes the equal one, so "Developer" is
    # left to match the other.
    gold = ["Developer", "Senior Developer"]
    counts, matched = match(gold, [("Senior Developer",), ("Developer",)], "titles")
    assert (counts.tp, counts.fp, counts.fn) == (2, 0, 0)
    assert sorted(matched) == [("Developer", "Developer"), ("Senior Developer", "Senior Developer")]

    counts, _ = match(gold, [("developer",)], "titles")
    assert (counts.tp, counts.fp, counts.fn) == (1, 0, 1)


def test_a_skill_hit_is_one_prediction_matched_by_either_name() -> None:
    counts, _ = match(["JavaScript", "js"], [("js", "JavaScript")], "skills")
    assert (counts.tp, counts.fp, counts.fn) == (1, 0, 1)

    counts, _ = match(["Python"], [("python3", "Python"), ("Java",)], "skills")
    assert (counts.tp, counts.fp, counts.fn) == (1, 1, 0)


def test_counts_micro_average() -> None:
    total = Counts()
    total.add(Counts(tp=3, fp=1, fn=0))
    total.add(Counts(tp=1, fp=0, fn=3))
    assert total.as_dict() == {"precision": 0.8, "recall": 0.5714, "f1": 0.6667}
    assert Counts().as_dict() == {"precision": 0.0, "recall": 0.0, "f1": 0.0}


def _parse(text: str) -> ParsedResume:
    if "Grace" in text:
        raise ValueError("boom")
    return ParsedResume(
        name="Ada Lovelace",
        emails=["ada@example.org", "other@example.org"],
        work=[Job("Babbage Ltd", "Analyst")],
        skills=[SkillHit("python", "Python"), SkillHit("Excel", "Microsoft Excel")],
    )


def test_evaluate_scores_and_ranks_documents(tmp_path: Path) -> None:
    dataset = read_dataset(_dotin(tmp_path))
    ticks = iter([0.0, 0.25, 1.0, 1.25])

    report = evaluation.evaluate(dataset, _parse, clock=lambda: next(ticks))

    result = report.as_json()
    assert result["dataset"] == "dotin-like" and result["documents"] == 2
    assert result["resumes_per_s"] == 4.0
    fields = result["fields"]
    assert list(fields) == list(evaluation.FIELDS)
    # Name: Ada matched, Grace missed (the parser raised).
    assert fields["name"] == {"precision": 1.0, "recall": 0.5, "f1": 0.6667}
    assert fields["email"] == {"precision": 0.5, "recall": 1.0, "f1": 0.6667}
    assert fields["companies"] == {"precision": 1.0, "recall": 1.0, "f1": 1.0}
    assert fields["skills"] == {"precision": 0.5, "recall": 0.3333, "f1": 0.4}
    assert report.exact["companies"].tp == 0  # "Babbage Pvt. Ltd." is only a lenient match
    assert report.lenient["skills:tech_tools"].tp == 1
    worst = report.worst()
    assert [d.id for d in worst] == ["more/2.xml", "cvs.zip:cvs/1.xml"]
    assert worst[0].error == "ValueError: boom" and worst[0].failed(("name",)) == ["name"]
    table = "\n".join(evaluation.table(report))
    assert "name" in table and "UNMET" in table
    shown = "\n".join(evaluation.show_lines(report, "email", 1))
    assert "ok    'ada@example.org'" in shown and "extra 'other@example.org'" in shown


def test_cli_prints_the_table_and_ends_with_json(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = _dotin(tmp_path)
    parser = "talentloop.resumes.evaluation:baseline_parse"

    assert evaluation.main([str(folder), "--parser", parser, "--show", "2", "--json"]) == 0

    out = capsys.readouterr().out.splitlines()
    assert any(line.startswith("name ") for line in out)
    assert any("worst 10 documents" in line for line in out)
    last = json.loads(out[-1])
    assert set(last) == {"dataset", "documents", "fields", "resumes_per_s"}
    assert last["fields"]["name"] == {"precision": 1.0, "recall": 1.0, "f1": 1.0}


def test_agreement_scores_another_sets_annotators_on_the_resumes_both_label(
    tmp_path: Path,
) -> None:
    other = read_dataset(_dataturks(tmp_path))
    folder = tmp_path / "dotin-like"
    folder.mkdir()
    cv = (
        '<cv><label type="Name">Mary Major</label>\n<label type="Degree">B.Tech</label> from '
        '<label type="College Name">IIT Delhi</label>, <label type="College Name">St. Xavier'
        "</label></cv>"
    )
    with zipfile.ZipFile(folder / "cvs.zip", "w") as archive:
        archive.writestr("cvs/1.xml", CV_1)
        archive.writestr("cvs/3.xml", cv)
    shared = hashlib.sha1(b"Mary Major\nB.Tech from IIT Delhi").hexdigest()  # noqa: S324
    (folder / "splits.csv").write_text(
        "zip,member,key_kind,key_sha1,split\n"
        "cvs.zip,cvs/1.xml,zip_member_sha1,0000,dev\n"
        f"cvs.zip,cvs/3.xml,dataturks_content_sha1,{shared},dev\n"
    )
    report = evaluation.evaluate(read_dataset(folder), evaluation.baseline_parse)

    found = evaluation.agreement(report, other)

    assert found is not None and found.documents == 1
    # The fields both sets label; the other set labels no companies.
    assert list(found.annotators) == ["titles", "degrees", "institutions"]
    degrees, schools = found.annotators["degrees"], found.annotators["institutions"]
    assert (degrees.tp, degrees.fp, degrees.fn) == (1, 0, 0)
    assert (schools.tp, schools.fp, schools.fn) == (1, 0, 1)
    assert found.parser["degrees"].fn == 1  # the baseline finds no degree
    assert found.as_json()["fields"]["institutions"]["annotators"]["recall"] == 0.5
    assert "annotators 1.000 / 0.500 / 0.667" in "\n".join(evaluation.agreement_lines(found))


def test_no_agreement_without_a_splits_file_naming_the_other_sets_texts(tmp_path: Path) -> None:
    report = evaluation.evaluate(read_dataset(_dotin(tmp_path)), evaluation.baseline_parse)

    assert evaluation.agreement(report, read_dataset(_dataturks(tmp_path))) is None


def _skill_cv(text: str, labelled: tuple[str, ...]) -> str:
    for phrase in labelled:
        text = text.replace(phrase, f'<label type="Tech Tools">{phrase}</label>', 1)
    return f"<cv>{text}</cv>"


def test_consistency_counts_how_often_a_phrase_labelled_elsewhere_is_labelled_here(
    tmp_path: Path,
) -> None:
    folder = tmp_path / "skills-like"
    folder.mkdir()
    with zipfile.ZipFile(folder / "cvs.zip", "w") as archive:
        archive.writestr("cvs/a.xml", _skill_cv("Skills: Java, Python", ("Java", "Python")))
        archive.writestr("cvs/b.xml", _skill_cv("Used Java daily with Python", ("Python",)))
        archive.writestr("cvs/c.xml", _skill_cv("Core Java and Python", ("Core Java",)))
        archive.writestr("cvs/d.xml", "<cv>No skills here</cv>")
    report = evaluation.evaluate(read_dataset(folder), evaluation.baseline_parse)

    found = evaluation.consistency(report)

    assert found is not None
    # "java", a label of a, is written in b (unlabelled) and in c (labelled, inside "Core
    # Java"); "python", a label of a and of b, is labelled in both where the other labels it and
    # unlabelled in c. "core java" is a label nowhere else.
    assert (found.written, found.labelled) == (5, 3)
    # Leave one out: in b, "java" is labelled in both other resumes that write it (a FP); in c,
    # "python" too (a FP), and "java" matches the label "Core Java".
    assert found.threshold == 0.1
    assert (found.dictionary.tp, found.dictionary.fp, found.dictionary.fn) == (4, 2, 0)
    assert found.parser.fn == 4  # the baseline finds no skills
    assert found.as_json()["labelled_share"] == 0.6
    assert "labelled there 3 of 5 times (60%)" in "\n".join(evaluation.consistency_lines(found))


def test_no_consistency_when_fewer_than_two_resumes_label_the_field(tmp_path: Path) -> None:
    report = evaluation.evaluate(read_dataset(_dotin(tmp_path)), evaluation.baseline_parse)

    assert evaluation.consistency(report) is None
