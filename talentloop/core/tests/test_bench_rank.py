"""`talentloop bench rank` on tiny fictional folders laid out like each ranking set."""

import csv
import gzip
import json
from pathlib import Path
from typing import Any

import docx
import pytest
from django.core.management import CommandError, call_command

from talentloop.core.bench import rank

COMMON = {
    "dataset", "queries", "ndcg_at_10", "p_at_10", "bm25_ndcg_at_10", "bm25_p_at_10", "ratio",
}  # fmt: skip

RESUMES = [
    ("1", "CHEF", "HEAD CHEF\nSous Chef Jan 2015 - Current\nCompany Name City\n"
     "Prepared sauces, plated dishes, managed the kitchen line and food safety."),
    ("2", "CHEF", "CHEF\nLine Cook Mar 2012 - Dec 2019\nCompany Name City\n"
     "Cooked on the grill line, prepared sauces and kept the kitchen to food safety rules."),
    ("3", "CHEF", "PASTRY CHEF\nPastry Chef 2010 - 2020\nCompany Name City\n"
     "Baked bread and pastries in the kitchen; food safety certified."),
    ("4", "ACCOUNTANT", "ACCOUNTANT\nStaff Accountant Jan 2016 - Current\nCompany Name City\n"
     "Reconciled the general ledger, prepared tax returns and month-end close in QuickBooks."),
    ("5", "ACCOUNTANT", "SENIOR ACCOUNTANT\nSenior Accountant 2011 - 2018\nCompany Name City\n"
     "General ledger, accounts payable, tax returns, audits; Excel and QuickBooks."),
    ("6", "ACCOUNTANT", "ACCOUNTANT\nBookkeeper 2009 - 2014\nCompany Name City\n"
     "Kept the ledger, payroll and accounts receivable in QuickBooks."),
]  # fmt: skip


def _livecareer(root: Path) -> Path:
    folder = root / "livecareer-resumes"
    folder.mkdir()
    with gzip.open(folder / "texts.jsonl.gz", "wt", encoding="utf-8") as out:
        for key, category, text in RESUMES:
            out.write(json.dumps({"id": key, "category": category, "text": text}) + "\n")
    return folder


def _write_csv(path: Path, header: list[str], rows: list[list[Any]]) -> None:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        writer.writerows(rows)


def _ferr(root: Path) -> Path:
    _livecareer(root)
    folder = root / "ferr-hr-relevance"
    notes = folder / "Human Annotation"
    notes.mkdir(parents=True)
    jd = "a" * 32
    _write_csv(
        notes / "label_interaction.csv",
        ["id", "hr_id", "jd_id", "resume_id", "score"],
        [[1, 5, jd, "4", 7], [2, 5, jd, "5", 6], [3, 5, jd, "1", 1], [4, 5, jd, "99", 3]],
    )
    _write_csv(
        notes / "model_recommendation.csv",
        ["id", "hr_id", "jd_id", "resume_id", "rank", "sequence", "model"],
        [[10, 5, jd, "4", 0, 1, 1]],
    )
    _write_csv(
        notes / "recommendation_rationale.csv",
        ["id", "recommendation_id", "skill_jd", "skill_resume"],
        [[1, 10, "general ledger", "tag_1"], [2, 10, "tax returns", "tag_2"],
         [3, 10, "QuickBooks", ""], [4, 10, "general ledger", ""]],
    )  # fmt: skip
    return folder


def _docx(path: Path, lines: list[str]) -> None:
    document = docx.Document()
    for line in lines:
        document.add_paragraph(line)
    document.save(str(path))


def _vacancy(root: Path) -> Path:
    folder = root / "vacancy-resume-matching"
    (folder / "CV").mkdir(parents=True)
    _write_csv(
        folder / "5_vacancies.csv",
        ["id", "job_description", "job_title", "uid"],
        [
            [8, "Build React and TypeScript front ends.", "Frontend Developer", "u1"],
            [37, "Design Java services and PostgreSQL schemas.", "Backend Developer", "u2"],
            [90, "Run Cisco networks, routing and firewalls.", "Network Engineer", "u3"],
        ],
    )
    _docx(folder / "CV" / "1.docx", ["Dana Example", "Frontend Developer", "React, TypeScript"])
    _docx(folder / "CV" / "2.docx", ["Lee Example", "Network Engineer", "Cisco routing"])
    (folder / "annotations-for-the-first-30-vacancies.txt").write_text(
        "ANNOTATOR_1_RANKINGS=[[1,2,3],[3,2,1],None] #1-3\n\n"
        "ANNOTATOR_2_RANKINGS= [[1,3,2],[3,1,1]] #1-2\n\nNOTE: fictional.\n",
        encoding="utf-8",
    )
    return folder


def _json(folder: Path, *extra: str) -> tuple[dict[str, Any], str]:
    out = _Out()
    call_command("bench", "rank", "--dataset", str(folder), "--json", *extra, stdout=out)
    return json.loads(out.lines[-1]), "\n".join(out.lines)


class _Out:
    def __init__(self) -> None:
        self.lines: list[str] = []

    def write(self, text: str) -> None:
        self.lines.extend(text.rstrip("\n").split("\n"))

    def flush(self) -> None:
        pass


def test_ranks_resumes_by_example_against_bm25(tmp_path: Path) -> None:
    report, printed = _json(_livecareer(tmp_path))

    assert report.keys() >= COMMON
    assert report["dataset"] == "livecareer-resumes"
    assert report["queries"] == 6
    # The trades are plain to tell apart: nearly every query finds its two colleagues first.
    assert report["ndcg_at_10"] > 0.95
    # Every other resume is in the top 10, two of the five relevant.
    assert report["p_at_10"] == pytest.approx(0.2)
    assert report["bm25_ndcg_at_10"] > 0
    assert report["ratio"] == pytest.approx(
        report["ndcg_at_10"] / report["bm25_ndcg_at_10"], abs=2e-3
    )
    assert "only title" in report["ablation"]
    assert "x BM25" in printed


def test_the_limit_takes_the_first_queries(tmp_path: Path) -> None:
    report, _ = _json(_livecareer(tmp_path), "--limit", "2")

    assert report["queries"] == 2


def test_ranks_judged_resumes_for_keyword_jobs(tmp_path: Path) -> None:
    report, _ = _json(_ferr(tmp_path))

    assert report.keys() >= COMMON
    assert report["queries"] == 1
    assert report["documents"] == 3  # resume 99 is not in the resume texts
    # The two accountants (grades 7 and 6) before the chef (grade 1), in either order.
    assert report["ndcg_all"] > 0.95
    assert report["pairwise_accuracy"] >= 2 / 3
    assert {"ndcg_at_5", "bm25_ndcg_at_5", "bm25_ndcg_all"} <= report.keys()


def test_ranks_vacancies_per_cv_against_human_rankings(tmp_path: Path) -> None:
    report, printed = _json(_vacancy(tmp_path))

    assert report.keys() >= COMMON
    # CV 1 by both annotators, CV 2 by the first (the second's [3,1,1] repeats a vacancy).
    assert report["queries"] == 3
    assert -1.0 <= report["spearman"] <= 1.0
    assert report["annotator_agreement_spearman"] == pytest.approx(0.5)
    assert "annotators' agreement" in printed


def test_reads_the_annotation_arrays_and_drops_invalid_ones(tmp_path: Path) -> None:
    folder = _vacancy(tmp_path)

    annotators = rank.read_annotations(folder / "annotations-for-the-first-30-vacancies.txt")

    assert annotators == {1: [[1, 2, 3], [3, 2, 1], None], 2: [[1, 3, 2], None]}


def test_spearman_and_ndcg() -> None:
    assert rank.spearman([1, 2, 3], [1, 2, 3]) == 1.0
    assert rank.spearman([1, 2, 3], [3, 2, 1]) == -1.0
    assert rank.ndcg([0.0, 1.0], [1.0, 0.0], 2) == pytest.approx(1 / 1.584962500721156)


@pytest.mark.parametrize(
    ("files", "message"),
    [
        ({}, "laid out like no ranking set"),
        ({"texts.jsonl.gz": b"not gzip"}, "Cannot read"),
    ],
)
def test_refuses_a_folder_of_another_layout(
    tmp_path: Path, files: dict[str, bytes], message: str
) -> None:
    for name, data in files.items():
        (tmp_path / name).write_bytes(data)

    with pytest.raises(CommandError, match=message):
        call_command("bench", "rank", "--dataset", str(tmp_path))


def test_refuses_a_missing_folder_and_a_bad_limit(tmp_path: Path) -> None:
    with pytest.raises(CommandError, match="Not a folder"):
        call_command("bench", "rank", "--dataset", str(tmp_path / "nowhere"))
    with pytest.raises(CommandError, match="--limit"):
        call_command("bench", "rank", "--dataset", str(tmp_path), "--limit", "0")
