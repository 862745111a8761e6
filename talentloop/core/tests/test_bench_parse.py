"""`talentloop bench parse`: the command on tiny synthetic data sets of both layouts, and the
format coverage and throughput parts with a stand-in parser."""

import io
import json
import zipfile
from pathlib import Path
from typing import Any

import docx
import pytest
from django.core.management import CommandError, call_command

from talentloop.core.bench import parse
from talentloop.resumes.parsed import Extracted, Job, ParsedResume

BASELINE = "talentloop.resumes.evaluation:baseline_parse"
KEYS = {"dataset", "documents", "fields", "resumes_per_s"}


def _dotin(tmp_path: Path) -> Path:
    folder = tmp_path / "dotin-like"
    folder.mkdir()
    cvs = [
        '<cv><label type="Name">Ada Lovelace</label>\n<label type="Email Address">'
        'ada@example.org</label>\n<label type="Companies worked at">Babbage Ltd</label>\n'
        '<label type="Tech Tools">Python</label></cv>',
        # The first line is not the name: the baseline gets it wrong.
        '<cv>Resume\n<label type="Name">Grace Hopper</label> <label type="Email Address">'
        "grace@example.org</label></cv>",
    ]
    with zipfile.ZipFile(folder / "cvs.zip", "w") as archive:
        for number, cv in enumerate(cvs, 1):
            archive.writestr(f"cvs/{number}.xml", f'<?xml version="1.0"?>\n{cv}')
    return folder


def _dataturks(tmp_path: Path) -> Path:
    folder = tmp_path / "dataturks-like"
    folder.mkdir()
    lines = []
    for number in range(30):
        content = f"Person Number{number}\nperson{number}@example.org"
        lines.append(
            json.dumps(
                {
                    "content": content,
                    "annotation": [
                        {
                            "label": ["Name"],
                            "points": [{"start": 0, "end": content.index("\n") - 1}],
                        }
                    ],
                }
            )
        )
    (folder / "traindata.json").write_text("\n".join(lines) + "\n")
    return folder


def _bench(*args: str) -> tuple[list[str], dict[str, Any]]:
    out = io.StringIO()
    call_command("bench", "parse", *args, "--parser", BASELINE, "--json", stdout=out)
    lines = out.getvalue().strip().splitlines()
    return lines, json.loads(lines[-1])


def test_dotin_like_set_ends_with_the_issue_json(tmp_path: Path) -> None:
    lines, report = _bench("--dataset", str(_dotin(tmp_path)))

    assert set(report) >= KEYS
    assert report["dataset"] == "dotin-like" and report["documents"] == 2
    assert list(report["fields"]) == ["name", "email", "companies", "skills"]
    assert report["fields"]["name"] == {"precision": 0.5, "recall": 0.5, "f1": 0.5}
    assert report["fields"]["email"] == {"precision": 1.0, "recall": 1.0, "f1": 1.0}
    assert report["fields"]["companies"] == {"precision": 0.0, "recall": 0.0, "f1": 0.0}
    assert report["targets"]["name"] == {"target": 0.95, "f1": 0.5, "met": False}
    assert report["resumes_per_s"] > 0
    assert report["worst"][0]["id"] == "cvs.zip:cvs/1.xml"
    assert report["consistency"] is None  # one resume labels skills: nothing to compare
    text = "\n".join(lines)
    assert "UNMET" in text and "skills:tech_tools" in text and "worst 10 documents" in text


def test_dataturks_like_set(tmp_path: Path) -> None:
    _, report = _bench("--dataset", str(_dataturks(tmp_path)), "--limit", "10")

    assert report["dataset"] == "dataturks-like" and report["documents"] == 10
    assert report["fields"] == {"name": {"precision": 1.0, "recall": 1.0, "f1": 1.0}}
    assert "email" not in report["targets"]


def test_a_folder_without_data_is_a_command_error(tmp_path: Path) -> None:
    with pytest.raises(CommandError, match="no dotin-like XML"):
        call_command("bench", "parse", "--dataset", str(tmp_path), stdout=io.StringIO())
    with pytest.raises(CommandError, match="Not a folder"):
        call_command(
            "bench",
            "parse",
            "--dataset",
            str(_dotin(tmp_path)),
            "--formats",
            str(tmp_path / "missing"),
            stdout=io.StringIO(),
        )


def _fake_parse(data: bytes, filename: str) -> tuple[Extracted, ParsedResume]:
    """Text files parse their own lines, a DOCX its paragraphs; a .bin is unsupported."""
    if filename.endswith(".bin"):
        raise parse_error("unsupported", "not a resume format")
    if filename.endswith(".docx"):
        text = "\n".join(p.text for p in docx.Document(io.BytesIO(data)).paragraphs)
    else:
        text = data.decode()
    lines = text.splitlines()
    return Extracted(text, filename.rsplit(".", 1)[-1]), ParsedResume(
        name=lines[0] if lines else "",
        phones=[line for line in lines if line.startswith("+")],
        work=[Job(company=line) for line in lines if line.endswith("Ltd")],
    )


class ParseError(Exception):
    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code


ParseError.__name__ = "ExtractionError"  # what the bench recognises as a clear error


def parse_error(code: str, message: str) -> Exception:
    return ParseError(code, message)


def _docx(path: Path, lines: list[str]) -> None:
    document = docx.Document()
    for line in lines:
        document.add_paragraph(line)
    document.save(str(path))


def test_format_coverage_and_cross_format_consistency(tmp_path: Path) -> None:
    family = tmp_path / "samples" / "someone-resume"
    family.mkdir(parents=True)
    (family / "resume.md").write_text("Ada Lovelace\n+441234567890\nBabbage Ltd\nmore words\n")
    _docx(family / "resume.docx", ["Ada Lovelace", "+441234567890", "Babbage Ltd"])
    (family / "resume.txt").write_text("Ada Lovelace\n+449999999999\nBabbage Ltd\n")
    (family / "resume.bin").write_bytes(b"\x00")
    (family / "empty.txt").write_text("")
    (family / "UPSTREAM_LICENSE").write_text("MIT")
    (family / "resume.gold.json").write_text(
        json.dumps({"resume": {"profile": {"name": "Ada Lovelace", "phone": "+44 1234 567890"}}})
    )
    log: list[str] = []

    result = parse.format_coverage([family.parent], _fake_parse, log=log.append)

    assert result["files"] == 5
    assert result["text_and_name"] == 3
    assert result["errors"] == {"unsupported": 1}
    assert result["crashes"] == 0
    assert result["text"] == 3
    assert result["folders"]["samples"]["text_and_name"] == 3
    assert result["without_name"] == ["samples/someone-resume/empty.txt"]
    [checked] = result["families"]
    assert checked["family"] == "someone-resume/resume"
    # The Markdown source is compared too: it is read as the page it renders.
    assert sorted(checked["formats"]) == ["docx", "md", "txt"]
    assert checked["fields"]["name"]["agree"] is True
    assert checked["fields"]["companies"]["agree"] is True
    assert checked["fields"]["phones"] == {
        "agree": False,
        "majority": ["1234567890"],
        "differing": {"txt": ["9999999999"]},
    }
    # Of the source's 7 tokens.
    assert checked["token_recall_vs_source"] == {
        "source": "resume.md",
        "resume.docx": 0.714,
        "resume.txt": 0.571,
    }
    [gold] = result["gold"]
    assert gold["fields"]["name"]["f1"] == 1.0 and gold["fields"]["phones"]["f1"] == 1.0


def test_different_people_are_not_compared(tmp_path: Path) -> None:
    folder = tmp_path / "samples" / "perminder-klair-resume-parser"
    folder.mkdir(parents=True)
    (folder / "resume.txt").write_text("One Person\n")
    (folder / "resume.md").write_text("Another Person\n")

    result = parse.format_coverage([folder.parent], _fake_parse, log=lambda _: None)

    assert result["families"] == []


def test_throughput_against_bare_extraction(tmp_path: Path) -> None:
    for number in range(3):
        _docx(tmp_path / f"{number}.docx", [f"Person {number}", "Babbage Ltd"])
    (tmp_path / "notes.txt").write_text("not counted")
    log: list[str] = []

    result = parse.throughput(tmp_path, _fake_parse, log=log.append)

    assert result["files"] == 3 and result["failed"] == 0
    assert result["resumes_per_s"] > 0 and result["baseline"]["resumes_per_s"] > 0
    assert result["p50_ms"] <= result["p95_ms"]
    assert result["ratio_to_baseline"] > 0
    assert result["database"] is None
    assert any("baseline (bare text extraction)" in line for line in log)
    assert parse.baseline_text((tmp_path / "1.docx").read_bytes(), "1.docx") == (
        "Person 1\nBabbage Ltd"
    )


def test_a_file_of_another_document_is_left_out_of_the_family(tmp_path: Path) -> None:
    folder = tmp_path / "samples" / "someone-resume"
    folder.mkdir(parents=True)
    (folder / "resume.md").write_text("Ada Lovelace\nBabbage Ltd\nanalytical engine notes\n")
    (folder / "resume.txt").write_text("Ada Lovelace\nBabbage Ltd\nanalytical engine\n")
    (folder / "resume.rtf").write_text("Somebody Else\nOther Ltd\n")

    result = parse.format_coverage([folder.parent], _fake_parse, log=lambda _: None)

    [family] = result["families"]
    assert family["other_documents"] == ["resume.rtf"]
    assert sorted(family["formats"]) == ["md", "txt"]
    assert all(field["agree"] for field in family["fields"].values())


def test_a_parser_that_does_not_import_is_a_command_error(tmp_path: Path) -> None:
    with pytest.raises(CommandError, match="cannot load the parser no_such_module:parse"):
        call_command(
            "bench",
            "parse",
            "--dataset",
            str(_dotin(tmp_path)),
            "--parser",
            "no_such_module:parse",
            stdout=io.StringIO(),
        )
