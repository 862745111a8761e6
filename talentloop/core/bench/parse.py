"""`talentloop bench parse`: how well and how fast resumes are parsed.

* **Accuracy** (always): every document of an annotated set (a folder laid out like
  ``dotin-resume-ner`` or ``dataturks-resume-ner-*``) is parsed from its plain text with
  ``fields.parse_text`` and scored field by field (`talentloop.resumes.evaluation`). Each lenient
  F1 is printed beside its target, and beside a trivial baseline from the same run (first line
  as the name, every e-mail-shaped string as an e-mail). ``resumes_per_s`` is the rate of
  ``parse_text`` (fields and skills) on those plain texts, one process.
* **Format coverage** (``--formats``): every file of the given folders is extracted and parsed
  (``pipeline.parse_document`` in a ``sandbox.Sandbox`` child, as uploads are); a file must
  give text and a name, or a clear ``ExtractionError``. Within each resume family of a folder
  (files of one stem; every file on its own in folders of different people), the formats must
  agree on name, e-mails, phones, employers, titles and schools; a ``.md``/``.txt``/``.markdown``
  source also gives the token recall of the other formats' text. ``*.gold.json`` files
  (OpenResume's) are checked field by field against the file of their stem.
* **Throughput** (``--throughput``): end-to-end resumes/s of PDFs and DOCX files in this
  process (``pipeline.parse_document``: extract, fields and skills; no sandbox, no database),
  p50/p95 ms per resume, beside a baseline measured in the same run on the same files: the bare
  text extraction (pypdfium2's text layer, python-docx's paragraphs), so the ratio is the cost
  of everything the parser adds. With database writes: `_with_database`.
"""

from __future__ import annotations

import contextlib
import functools
import importlib
import json
import re
import shutil
import statistics
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import Any

from anyascii import anyascii

from talentloop.core.bench import imports
from talentloop.core.bench.api import Target
from talentloop.core.bench.imports import _env, _talentloop
from talentloop.resumes import evaluation
from talentloop.resumes.parsed import Extracted, ParsedResume

DEFAULT_PARSER = "talentloop.resumes.fields:parse_text"
PG_DATABASE = "talentloop_bench_parse"
# Folders of resume-format-samples whose files are different people (SOURCE.md says so).
DIFFERENT_PEOPLE = frozenset({"perminder-klair-resume-parser"})
NOT_RESUMES = re.compile(
    r"^(SOURCE\.md|README.*|UPSTREAM_.*|LICENSE.*|manifest\.csv|splits\.csv|.*\.gold\.json"
    r"|sample_output.*|annotation.*|.*\.csv|.*\.jsonl(\.gz)?)$",
    re.IGNORECASE,
)
SOURCE_SUFFIXES = (".md", ".markdown", ".txt")
CONSISTENCY_FIELDS = ("name", "email", "phones", "links", "companies", "titles", "institutions")

Log = Callable[[str], None]
# (bytes, file name) -> the extracted text and the parse; raises ExtractionError.
ParseFile = Callable[[bytes, str], tuple[Extracted, ParsedResume]]


# --------------------------------------------------------------------------- accuracy


def accuracy(
    path: Path, *, limit: int | None = None, parser: str = DEFAULT_PARSER, log: Log
) -> dict[str, Any]:
    """The issue's JSON keys for one annotated set, and the table, worst documents and
    baseline figures beside them."""
    dataset = evaluation.read_dataset(path, limit=limit)
    log(f"{dataset.name} ({dataset.layout} layout): {len(dataset.documents):,} documents")
    for note in dataset.notes:
        log(f"  note: {note}")
    report = evaluation.evaluate(dataset, evaluation.load_parser(parser))
    baseline = evaluation.evaluate(dataset, evaluation.baseline_parse)
    crashed = [d for d in report.documents if d.error]
    if crashed:
        log(f"  {len(crashed)} documents raised; first: {crashed[0].id}: {crashed[0].error}")
    log(f"  parse_text on plain text: {report.resumes_per_s:,.1f} resumes/s (one process)")
    for line in evaluation.table(report):
        log("  " + line)
    base_fields = [f for f in ("name", "email") if f in dataset.fields]
    if base_fields:
        log(
            "  baseline (first line as name, e-mail regex), lenient F1: "
            + ", ".join(
                f"{f} {baseline.lenient[f].f1:.3f} (parser/baseline "
                f"{_ratio(report.lenient[f].f1, baseline.lenient[f].f1)})"
                for f in base_fields
            )
        )
    log(f"  worst 10 documents (mean lenient F1 over {', '.join(report.score_fields())}):")
    for line in evaluation.worst_lines(report, 10):
        log("  " + line)
    agreement = _agreement(report, log=log)
    consistency = evaluation.consistency(report) if "skills" in dataset.fields else None
    if consistency is not None:
        for line in evaluation.consistency_lines(consistency):
            log("  " + line)
    result = report.as_json()
    fields = report.score_fields()
    result.update(
        {
            "layout": dataset.layout,
            "parser": parser,
            "matching": "lenient",
            "exact_fields": {f: report.exact[f].as_dict() for f in dataset.fields},
            "extra_fields": {f: report.lenient[f].as_dict() for f in dataset.extra_fields},
            "targets": {
                f: {
                    "target": t,
                    "f1": round(report.lenient[f].f1, 4),
                    "met": report.lenient[f].f1 >= t,
                }
                for f, t in dataset.targets.items()
            },
            "baseline": {
                "name": "first non-empty line as the name, e-mail regex",
                "fields": {f: baseline.lenient[f].as_dict() for f in base_fields},
            },
            "errors": len(crashed),
            "agreement": [found.as_json() for found in agreement],
            "consistency": consistency.as_json() if consistency else None,
            "notes": dataset.notes,
            "worst": [
                {"id": d.id, "score": round(d.score(fields), 3), "failed": d.failed(fields)}
                for d in report.worst(10)
            ],
        }
    )
    return result


def _agreement(report: evaluation.Report, *, log: Log) -> list[evaluation.Agreement]:
    """Human agreement beside the parser: each DataTurks set next to a dotin-like one whose
    ``splits.csv`` names the DataTurks texts it re-annotates (see `evaluation.agreement`)."""
    if report.dataset.layout != "dotin" or not report.dataset.path.is_dir():
        return []
    found: list[evaluation.Agreement] = []
    for sibling in sorted(report.dataset.path.resolve().parent.glob("dataturks-resume-ner*")):
        try:
            other = evaluation.read_dataset(sibling)
        except evaluation.DatasetError:
            continue
        agreement = evaluation.agreement(report, other)
        if agreement is not None:
            for line in evaluation.agreement_lines(agreement):
                log("  " + line)
            found.append(agreement)
    return found


def _ratio(value: float, base: float) -> str:
    return f"{value / base:.2f}x" if base else "n/a"


# --------------------------------------------------------------------------- format coverage


def default_parse_file() -> ParseFile:
    """Extraction and parsing in this process, as the sandbox's child runs them."""
    from talentloop.resumes import pipeline

    options = pipeline.Options()

    def parse_file(data: bytes, filename: str) -> tuple[Extracted, ParsedResume]:
        return pipeline.parse_document(data, filename, options)

    return parse_file


def sandboxed_parse_file() -> tuple[ParseFile, Callable[[], None]]:
    """Extraction and parsing in a sandbox child, as uploads are parsed (time and memory
    limits: a hostile file fails alone); and what stops the child."""
    from talentloop.resumes import pipeline, sandbox

    box = sandbox.Sandbox()
    options = pipeline.Options()

    def parse_file(data: bytes, filename: str) -> tuple[Extracted, ParsedResume]:
        call = functools.partial(pipeline.parse_document, filename=filename, options=options)
        return box.run(call, data)

    return parse_file, box.close


def resume_files(folder: Path) -> list[Path]:
    """The resume files under `folder` (data set paperwork left out), sorted."""
    return sorted(
        p
        for p in folder.rglob("*")
        if p.is_file() and not NOT_RESUMES.match(p.name) and not p.name.startswith(".")
    )


def _error_code(error: Exception) -> str | None:
    """The code of a clear, typed extraction error; None for anything else (a crash)."""
    if type(error).__name__ == "ExtractionError":
        return str(getattr(error, "code", "") or "error")
    return None


def format_coverage(folders: Sequence[Path], parse_file: ParseFile, *, log: Log) -> dict[str, Any]:
    """Every file gives text and a name or a clear error; formats of one resume agree."""
    outcomes: list[dict[str, Any]] = []
    parsed_by_file: dict[Path, tuple[Extracted, ParsedResume]] = {}
    for folder in folders:
        files = resume_files(folder)
        log(f"format coverage: {folder} ({len(files):,} files) …")
        for file in files:
            outcome: dict[str, Any] = {
                "file": str(file.relative_to(folder.parent)),
                "format": file.suffix.lower().lstrip("."),
            }
            started = time.perf_counter()
            try:
                extracted, parsed = parse_file(file.read_bytes(), file.name)
            except Exception as error:
                code = _error_code(error)
                outcome.update(
                    {"error": code or "crash", "message": f"{type(error).__name__}: {error}"[:300]}
                )
            else:
                parsed_by_file[file] = (extracted, parsed)
                outcome.update(
                    {
                        "text": bool(extracted.text.strip()),
                        "name": parsed.name,
                        "ocr": extracted.ocr,
                        "pages": extracted.pages,
                    }
                )
            outcome["ms"] = round((time.perf_counter() - started) * 1000, 1)
            outcomes.append(outcome)
    summary = _coverage_summary(outcomes)
    per_folder = {}
    for folder in folders:
        prefix = folder.name + "/"
        mine = [o for o in outcomes if o["file"].startswith(prefix)]
        per_folder[folder.name] = _coverage_summary(mine)
        log(f"  {folder.name}: " + _coverage_line(per_folder[folder.name]))
    if len(folders) > 1:
        log("  all: " + _coverage_line(summary))
    for o in [o for o in outcomes if o.get("error")][:20]:
        log(f"    {o['error']}: {o['file']}: {o['message']}")
    no_name = [o for o in outcomes if "error" not in o and not (o.get("text") and o.get("name"))]
    for o in no_name[:10]:
        log(f"    no name: {o['file']}" + ("" if o.get("text") else " (no text)"))
    if len(no_name) > 10:
        log(f"    … and {len(no_name) - 10} more without a name (LiveCareer's are anonymised)")
    families = consistency(parsed_by_file, log=log)
    gold = gold_checks(folders, parsed_by_file, log=log)
    return {
        **summary,
        "folders": per_folder,
        "without_name": [o["file"] for o in no_name],
        "failures": [o for o in outcomes if o.get("error") or o in no_name],
        "families": families,
        "gold": gold,
    }


def _coverage_summary(outcomes: list[dict[str, Any]]) -> dict[str, Any]:
    errors = Counter(o["error"] for o in outcomes if o.get("error") and o["error"] != "crash")
    return {
        "files": len(outcomes),
        "text": sum(1 for o in outcomes if o.get("text")),
        "text_and_name": sum(1 for o in outcomes if o.get("text") and o.get("name")),
        "errors": dict(errors),
        "crashes": sum(1 for o in outcomes if o.get("error") == "crash"),
    }


def _coverage_line(summary: dict[str, Any]) -> str:
    errors = summary["errors"]
    return (
        f"{summary['text']:,} of {summary['files']:,} files gave text, "
        f"{summary['text_and_name']:,} text and a name; clear errors: "
        + (", ".join(f"{code} {n}" for code, n in sorted(errors.items())) or "none")
        + f"; crashes {summary['crashes']}"
    )


def _family_key(file: Path) -> tuple[str, str]:
    folder = file.parent.name
    if folder in DIFFERENT_PEOPLE:
        return folder, file.name
    return folder, file.stem


def field_values(parsed: ParsedResume, name: str) -> frozenset[tuple[str, ...]]:
    """A field's normalized values, for comparing one resume across formats."""
    if name == "phones":
        return frozenset((re.sub(r"\D", "", p)[-10:],) for p in parsed.phones if p)
    if name == "links":
        return frozenset((link.lower(),) for link in parsed.links)
    items = evaluation.predict(parsed)[name]
    tokens = (evaluation.lenient_tokens(item[0], name) for item in items)
    return frozenset(t for t in tokens if t)


def _tokens(text: str) -> Counter[str]:
    return Counter(re.findall(r"[a-z0-9]+", anyascii(text).lower()))


def consistency(
    parsed_by_file: dict[Path, tuple[Extracted, ParsedResume]], *, log: Log
) -> list[dict[str, Any]]:
    """Per family of two or more parsed files: which fields every format agrees on.

    Where the family has a text source (.md, .markdown, .txt), a file whose text holds under
    half of the source's tokens is another document (it happens: a folder's PDF of someone
    else's resume) and is left out of the comparison, and said so. The source is compared
    field by field too: a Markdown or AsciiDoc text is read as the page it renders."""
    groups: dict[tuple[str, str], list[Path]] = {}
    for file in sorted(parsed_by_file):
        if file.parent.parent.name == "pdfs":  # LiveCareer: one file per resume
            continue
        groups.setdefault(_family_key(file), []).append(file)
    families = []
    agreed_total = compared_total = 0
    for (folder, stem), files in sorted(groups.items()):
        if len(files) < 2:
            continue
        family: dict[str, Any] = {"family": f"{folder}/{stem}"}
        sources = [f for f in files if f.suffix.lower() in SOURCE_SUFFIXES]
        recall: dict[str, float] = {}
        if sources:
            source = _tokens(parsed_by_file[sources[0]][0].text)
            size = sum(source.values()) or 1
            recall = {
                f.name: round(sum((source & _tokens(parsed_by_file[f][0].text)).values()) / size, 3)
                for f in files
                if f != sources[0]
            }
            family["token_recall_vs_source"] = {"source": sources[0].name, **recall}
            others = [name for name, value in recall.items() if value < 0.5]
            if others:
                family["other_documents"] = others
                files = [f for f in files if f.name not in others]
        family["formats"] = [f.suffix.lstrip(".") for f in files]
        fields: dict[str, Any] = {}
        for name in CONSISTENCY_FIELDS:
            values = {f.suffix.lstrip("."): field_values(parsed_by_file[f][1], name) for f in files}
            if len(values) < 2 or not any(values.values()):
                continue
            majority, _ = Counter(values.values()).most_common(1)[0]
            differing = {
                fmt: sorted(" ".join(v) for v in value)
                for fmt, value in values.items()
                if value != majority
            }
            fields[name] = {
                "agree": not differing,
                "majority": sorted(" ".join(v) for v in majority),
                "differing": differing,
            }
            compared_total += 1
            agreed_total += not differing
        family["fields"] = fields
        families.append(family)
        disagree = [n for n, v in fields.items() if not v["agree"]]
        log(
            f"  {family['family']} ({', '.join(family['formats'])}): "
            + ("all fields agree" if not disagree else "differ on " + ", ".join(disagree))
            + (
                f"; text token recall vs {sources[0].name}: "
                + ", ".join(f"{k} {v:.2f}" for k, v in recall.items())
                if recall
                else ""
            )
            + (
                f"; left out as another document: {', '.join(family['other_documents'])}"
                if "other_documents" in family
                else ""
            )
        )
        for name in disagree:
            shown = "; ".join(
                f"{fmt}: {', '.join(v) or '-'}"[:80] for fmt, v in fields[name]["differing"].items()
            )
            log(f"    {name}: most formats {', '.join(fields[name]['majority']) or '-'}"[:110])
            log(f"      others {shown}")
    if compared_total:
        log(
            f"  cross-format agreement: {agreed_total} of {compared_total} (family, field) pairs "
            f"({agreed_total / compared_total:.0%})"
        )
    return families


def _gold_lists(resume: dict[str, Any]) -> dict[str, list[str]]:
    """OpenResume's builder data as evaluation fields."""
    profile = resume.get("profile", {})
    work = resume.get("workExperiences", [])
    schools = resume.get("educations", [])
    skills = resume.get("skills", {})
    skill_names: list[str] = list(skills.get("descriptions", []))
    skill_names += [
        item["skill"]
        for item in skills.get("featuredSkills", [])
        if isinstance(item, dict) and item.get("skill")
    ]
    return {
        "name": [profile.get("name", "")],
        "email": [profile.get("email", "")],
        "phones": [profile.get("phone", "")],
        "location": [profile.get("location", "")],
        "companies": [w.get("company", "") for w in work],
        "titles": [w.get("jobTitle", "") for w in work],
        "institutions": [s.get("school", "") for s in schools],
        "degrees": [s.get("degree", "") for s in schools],
        "skills": skill_names,
    }


def gold_checks(
    folders: Sequence[Path],
    parsed_by_file: dict[Path, tuple[Extracted, ParsedResume]],
    *,
    log: Log,
) -> list[dict[str, Any]]:
    """``X.gold.json`` beside ``X.pdf`` (OpenResume's shape): each field's lenient P/R/F1."""
    import json

    checks = []
    for folder in folders:
        for gold_file in sorted(folder.rglob("*.gold.json")):
            stem = gold_file.name.removesuffix(".gold.json")
            parsed_files = [p for p in parsed_by_file if p.parent == gold_file.parent]
            matches = [p for p in parsed_files if p.stem == stem]
            if not matches:
                continue
            gold = _gold_lists(json.loads(gold_file.read_text("utf-8")).get("resume", {}))
            parsed = parsed_by_file[matches[0]][1]
            predicted = evaluation.predict(parsed)
            predicted["phones"] = [(re.sub(r"\D", "", p)[-10:],) for p in parsed.phones]
            gold["phones"] = [re.sub(r"\D", "", p)[-10:] for p in gold["phones"]]
            fields = {}
            for name, values in gold.items():
                values = [v for v in values if v]
                if values:
                    counts, _ = evaluation.match(values, predicted.get(name, []), name)
                    fields[name] = {**counts.as_dict(), "tp": counts.tp, "fp": counts.fp}
            checks.append({"file": matches[0].name, "fields": fields})
            log(
                f"  gold {gold_file.name} vs {matches[0].name}, lenient F1: "
                + ", ".join(f"{k} {v['f1']:.2f}" for k, v in fields.items())
            )
    return checks


# --------------------------------------------------------------------------- throughput


def baseline_text(data: bytes, filename: str) -> str:
    """The bare text of a PDF (pypdfium2's text layer) or a DOCX (python-docx's paragraphs and
    table cells): what throughput is compared with."""
    suffix = Path(filename).suffix.lower()
    if suffix == ".pdf":
        pdfium: Any = importlib.import_module("pypdfium2")  # no type information

        pdf = pdfium.PdfDocument(data)
        try:
            parts = []
            for page in pdf:
                textpage = page.get_textpage()
                parts.append(textpage.get_text_range())
                textpage.close()
                page.close()
            return "\n".join(parts)
        finally:
            pdf.close()
    if suffix == ".docx":
        import io

        import docx

        document = docx.Document(io.BytesIO(data))
        parts = [p.text for p in document.paragraphs]
        for table in document.tables:
            parts += [cell.text for row in table.rows for cell in row.cells]
        return "\n".join(parts)
    return data.decode("utf-8", "replace")


def _percentile(values: Sequence[float], q: float) -> float:
    if not values:
        return 0.0
    if len(values) == 1:
        return values[0]
    return statistics.quantiles(values, n=100, method="inclusive")[round(q * 100) - 1]


def throughput_files(folder: Path) -> list[Path]:
    return [p for p in resume_files(folder) if p.suffix.lower() in (".pdf", ".docx")]


def throughput(
    folder: Path,
    parse_file: ParseFile,
    *,
    limit: int | None = None,
    database: Target | None = None,
    log: Log,
    clock: Callable[[], float] = time.perf_counter,
) -> dict[str, Any]:
    """End-to-end resumes/s (one process) of the PDFs and DOCX files under `folder`, beside the
    bare text extraction of the same files in the same run."""
    files = throughput_files(folder)[:limit]
    log(f"throughput: {folder} ({len(files):,} PDF/DOCX files) …")
    blobs = [(f.name, f.read_bytes()) for f in files]
    if blobs:  # warm-up: imports, catalogue loading and caches are not per-resume costs
        _safe(parse_file, blobs[0][1], blobs[0][0])
        with contextlib.suppress(Exception):
            baseline_text(blobs[0][1], blobs[0][0])
    base_s: list[float] = []
    for name, data in blobs:
        started = clock()
        with contextlib.suppress(Exception):  # a broken file costs what it cost
            baseline_text(data, name)
        base_s.append(clock() - started)
    cpu_started = time.process_time()
    e2e_s: list[float] = []
    failed = 0
    for name, data in blobs:
        started = clock()
        failed += not _safe(parse_file, data, name)
        e2e_s.append(clock() - started)
    cpu = time.process_time() - cpu_started
    total, base_total = sum(e2e_s), sum(base_s)
    rps = len(e2e_s) / total if total else 0.0
    base_rps = len(base_s) / base_total if base_total else 0.0
    result: dict[str, Any] = {
        "folder": str(folder),
        "files": len(blobs),
        "failed": failed,
        "resumes_per_s": round(rps, 1),
        "resumes_per_cpu_s": round(len(e2e_s) / cpu, 1) if cpu else 0.0,
        "p50_ms": round(_percentile(sorted(e2e_s), 0.5) * 1000, 1),
        "p95_ms": round(_percentile(sorted(e2e_s), 0.95) * 1000, 1),
        "baseline": {
            "name": "bare text extraction (pypdfium2 text layer / python-docx paragraphs)",
            "resumes_per_s": round(base_rps, 1),
            "p50_ms": round(_percentile(sorted(base_s), 0.5) * 1000, 1),
        },
        "ratio_to_baseline": round(rps / base_rps, 3) if base_rps else None,
        "target_resumes_per_s": 50,
        "database": _with_database(folder, limit, database, log=log),
    }
    log(
        f"  end to end (extract + fields + skills, no database): {rps:,.1f} resumes/s per core "
        f"(target 50: {'met' if rps >= 50 else 'UNMET'}, {rps / 50:.2f}x), p50 "
        f"{result['p50_ms']} ms, p95 {result['p95_ms']} ms, {failed} failed\n"
        f"  baseline (bare text extraction): {base_rps:,.1f} resumes/s, p50 "
        f"{result['baseline']['p50_ms']} ms; ratio {result['ratio_to_baseline']}"
    )
    return result


def _safe(parse_file: ParseFile, data: bytes, name: str) -> bool:
    try:
        parse_file(data, name)
    except Exception:
        return False
    return True


def database_target(kind: str, data_dir: Path, postgres_url: str) -> Target:
    """A fresh database for the ingestion timing: `bench-parse.sqlite3` in `data_dir`, or
    `talentloop_bench_parse` on the PostgreSQL server of `postgres_url` (dropped first)."""
    target = (
        imports.sqlite_target(0, data_dir, name="bench-parse")
        if kind == "sqlite"
        else imports.postgres_target(0, postgres_url, database=PG_DATABASE)
    )
    # The stored originals go to a folder of the bench's own, emptied before each run.
    target.env["TALENTLOOP_DATA_DIR"] = str((data_dir / "parse-data").resolve())
    return target


def bad_input(target: Target, sources: Path, *, count: int, log: Log) -> dict[str, Any]:
    """`count` mutated files (truncated, bit-flipped, renamed, empty, encrypted, zip and DOCX
    bombs, 100 MB) uploaded as one batch and parsed by a real `talentloop worker --batch`:
    the worker must exit cleanly, every file must end parsed or failed with a clear error,
    and every stored original and the candidate stored before must be intact."""
    shutil.rmtree(Path(target.env["TALENTLOOP_DATA_DIR"]), ignore_errors=True)
    _talentloop(target, "migrate", "-v", "0")
    _talentloop(target, "seed", "--candidates", "0")
    log(f"bad input: {count} mutated files from {sources} → one batch → talentloop worker …")
    queued = json.loads(
        _talentloop(target, "bench_parse_probe", str(sources), "--bad-input", str(count))
        .strip()
        .splitlines()[-1]
    )
    started = time.perf_counter()
    worker = subprocess.run(
        [sys.executable, "-m", "talentloop", "worker", "--batch"],
        env=_env(target),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        check=False,
    )
    seconds = time.perf_counter() - started
    report: dict[str, Any] = json.loads(
        _talentloop(target, "bench_parse_probe", "--report", str(queued["batch"]))
        .strip()
        .splitlines()[-1]
    )
    report.update(
        mutants=count,
        worker_exit_code=worker.returncode,
        worker_crashes=int(worker.returncode != 0) + report["failed_tasks"],
        seconds=round(seconds, 1),
    )
    clean = (
        report["worker_crashes"] == 0
        and report["not_done"] == 0
        and report["failed_without_message"] == 0
        and report["stored_changed"] == 0
        and report["stored_before_kept"]
    )
    report["met"] = clean
    codes = ", ".join(f"{code} {n}" for code, n in report["error_codes"].items())
    log(
        f"  {report['files']} files (zips expanded): {report['parsed']} parsed, "
        f"{report['failed']} failed with a clear error ({codes}); worker crashes "
        f"{report['worker_crashes']} (exit code {worker.returncode}); stored originals intact "
        f"{report['stored_intact']}, changed {report['stored_changed']}; the candidate stored "
        f"before {'kept' if report['stored_before_kept'] else 'LOST'}; {seconds:.1f} s "
        f"→ {'met' if clean else 'UNMET'}"
    )
    if worker.returncode != 0:
        log(worker.stderr[-2000:])
    return report


def _with_database(
    folder: Path, limit: int | None, target: Target | None, *, log: Log
) -> dict[str, Any] | None:
    """End to end through the real service, one file at a time: sandboxed parse, the original
    stored, the candidate created or updated with its timeline and audit rows, committed."""
    if target is None:
        return None
    shutil.rmtree(Path(target.env["TALENTLOOP_DATA_DIR"]), ignore_errors=True)
    _talentloop(target, "migrate", "-v", "0")
    _talentloop(target, "seed", "--candidates", "0")
    args = ["bench_parse_probe", str(folder)] + (["--limit", str(limit)] if limit else [])
    result: dict[str, Any] = json.loads(_talentloop(target, *args).strip().splitlines()[-1])
    result["database"] = target.database
    result["target_p50_ms"] = 100
    log(
        f"  with database writes ({target.database}): {result['resumes_per_s']:,.1f} resumes/s, "
        f"p50 {result['p50_ms']} ms (target 100: "
        f"{'met' if result['p50_ms'] <= 100 else 'UNMET'}), p95 {result['p95_ms']} ms, "
        f"{result['failed']} failed"
    )
    return result


def _optional(module: str) -> Any:
    try:
        return importlib.import_module(module)
    except Exception:  # missing, or Django not set up (the bench functions run without it)
        return None


# --------------------------------------------------------------------------- all of it


def run(
    dataset: Path,
    *,
    limit: int | None = None,
    parser: str = DEFAULT_PARSER,
    formats: Iterable[Path] = (),
    throughput_folders: Iterable[Path] = (),
    parse_file: ParseFile | None = None,
    database: Target | None = None,
    log: Log,
) -> dict[str, Any]:
    """The report; its first keys are the issue's (`dataset`, `documents`, `fields`,
    `resumes_per_s`)."""
    report = accuracy(dataset, limit=limit, parser=parser, log=log)
    formats, throughput_folders = list(formats), list(throughput_folders)
    if formats:
        if parse_file is None:
            sandboxed, close = sandboxed_parse_file()
            try:
                report["formats"] = format_coverage(formats, sandboxed, log=log)
            finally:
                close()
        else:
            report["formats"] = format_coverage(formats, parse_file, log=log)
    if throughput_folders:
        in_process = parse_file or default_parse_file()
        report["throughput"] = {
            folder.name: throughput(folder, in_process, limit=limit, database=database, log=log)
            for folder in throughput_folders
        }
    return report
