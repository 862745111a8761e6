"""Field-level accuracy of resume parsing against annotated data sets (no Django).

Two layouts are read, detected from what a folder holds:

* **dotin-like**: zip(s) of XML files (and/or loose ``*.xml``), one ``<cv>`` per file with the
  plain text and inline ``<label type="...">span</label>`` tags; ``__MACOSX/`` is skipped.
  Some texts (the Kaggle-derived ones) hold UTF-8 bytes written as literal ``\\xe2\\x80\\xa2``
  escapes; those runs are decoded, in the text and in the gold alike, so the parser sees the
  characters a real document would hold.
* **DataTurks-like**: JSON Lines ``{"content", "annotation": [{"label": [...], "points":
  [{"start", "end" (inclusive), "text"}]}]}`` in ``data.zip`` (any ``*.json`` member) or in
  loose ``*.json`` files. Lines are deduplicated by content; where one text has several
  annotation versions the gold is the **union** of their values (``Dataset.notes`` says how
  many). Labels with fewer than 30 occurrences are ignored, and ``Email Address`` is left out:
  it labels the Indeed profile handle, not an e-mail address.

Fields and what is predicted for them from a `ParsedResume` (`predict`):

* name: ``name``; email: ``emails``.
* location: ``location`` plus every ``work[].location`` — both sets label every place written
  in the resume (the candidate's, each employer's), not only the candidate's.
* companies: ``work[].company``; titles: ``work[].title`` plus ``headline`` (the sets label
  the designation written under the name too).
* degrees: ``education[].degree`` (with " in <field of study>" when there is one);
  institutions: ``education[].institution``.
* graduation_year: ``str(end_year or start_year)`` of each education period.
* years_of_experience: the period of each job as written (``work[].period.raw``): most gold
  spans are such ranges ("2009 - 2012", "Aug 2012 - present"); the computed
  ``years_experience`` total is not predicted, since the gold only holds "N years" where the
  resume writes it.
* skills: one predicted item per skill hit, matched when either its written name or its
  canonical name matches a gold value (so precision counts each hit once), and one per spoken
  language, which dotin's annotators label as a (soft) skill ("English"). In the dotin set
  the gold is the union of Tech Tools, Job Specific Skills and Soft Skills, also reported
  separately as ``skills:tech_tools``, ``skills:job_specific``, ``skills:soft`` (recall is the
  meaningful figure there: every hit is a prediction for each part).

Scoring is set-based per document: values are normalised and deduplicated, then matched one to
one (greedily, best pairs first). **Exact**: lower-cased, whitespace collapsed, surrounding
punctuation stripped, equal. **Lenient**: also accents folded (anyascii), punctuation dropped
(dots vanish inside words so "B.E." == "BE"; ``+`` and ``#`` kept for skills), legal suffixes
("pvt ltd", "inc", ...) dropped for companies; a pair matches when one side's tokens contain
the other's or their token Jaccard is at least 0.5. Precision, recall and F1 are micro averages
(TP, FP and FN summed over documents).

Two figures put the scores beside what the labels allow: `agreement` scores a second set's
annotators of the same resumes against this set's labels, and `consistency` how often this set
labels a skill phrase where another of its resumes writes it, and what its labels reach as a
dictionary, each resume left out of its own.

CLI: ``python -m talentloop.resumes.evaluation PATH [--field F] [--show N] [--exact]
[--parser module:function] [--limit N] [--json]``.
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import importlib
import json
import re
import sys
import time
import xml.etree.ElementTree as ET
import zipfile
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from anyascii import anyascii

from talentloop.resumes.parsed import ParsedResume

FIELDS: tuple[str, ...] = (
    "name",
    "email",
    "location",
    "companies",
    "titles",
    "degrees",
    "institutions",
    "graduation_year",
    "years_of_experience",
    "skills",
)
SKILL_PARTS: dict[str, str] = {
    "Tech Tools": "skills:tech_tools",
    "Job Specific Skills": "skills:job_specific",
    "Soft Skills": "skills:soft",
}
DOTIN_LABELS: dict[str, str] = {
    "Name": "name",
    "Email Address": "email",
    "Location": "location",
    "Companies worked at": "companies",
    "Designation": "titles",
    "Degree": "degrees",
    "College Name": "institutions",
    "College": "institutions",
    "Graduation Year": "graduation_year",
    "Years of Experience": "years_of_experience",
}
DATATURKS_LABELS: dict[str, str] = {
    **{k: v for k, v in DOTIN_LABELS.items() if k != "Email Address"},
    "Skills": "skills",
}
DATATURKS_MIN_LABEL_COUNT = 30

# Lenient F1 targets of the issue, per layout.
TARGETS: dict[str, dict[str, float]] = {
    "dotin": {
        "name": 0.95,
        "email": 0.95,
        "companies": 0.75,
        "titles": 0.75,
        "institutions": 0.75,
        "degrees": 0.75,
        "skills": 0.70,
    },
    "dataturks": {
        "name": 0.95,
        "companies": 0.75,
        "titles": 0.75,
        "institutions": 0.75,
        "degrees": 0.75,
    },
}


@dataclass(slots=True)
class Document:
    id: str
    text: str
    gold: dict[str, list[str]] = field(default_factory=dict)
    versions: int = 1  # annotation versions merged into `gold` (DataTurks duplicates)


@dataclass(slots=True)
class Dataset:
    name: str
    layout: str  # "dotin" or "dataturks"
    path: Path
    documents: list[Document]
    fields: tuple[str, ...]  # the main fields the set labels, in FIELDS order
    extra_fields: tuple[str, ...] = ()  # reported in the table only (skills:tech_tools, ...)
    notes: list[str] = field(default_factory=list)

    @property
    def targets(self) -> dict[str, float]:
        return {k: v for k, v in TARGETS.get(self.layout, {}).items() if k in self.fields}


class DatasetError(ValueError):
    pass


# --------------------------------------------------------------------------- reading


_BYTE_ESCAPES = re.compile(r"(?:\\x[0-9a-fA-F]{2})+")


def _decode_escapes(text: str) -> str:
    """Literal ``\\xe2\\x80\\xa2`` runs (bytes written as Python escapes) -> the characters."""
    if "\\x" not in text:
        return text
    return _BYTE_ESCAPES.sub(
        lambda m: bytes.fromhex(m.group(0).replace("\\x", "")).decode("utf-8", "replace"), text
    )


def read_dataset(path: str | Path, *, limit: int | None = None) -> Dataset:
    """The documents of a dataset folder (or a single zip/xml/json file), layout detected."""
    root = Path(path)
    if not root.exists():
        raise DatasetError(f"{root}: no such file or folder")
    files = sorted(p for p in ([root] if root.is_file() else root.rglob("*")) if p.is_file())
    xml_sources, json_sources = [], []
    for file in files:
        suffix = file.suffix.lower()
        if suffix == ".xml" and not _skipped_member(file.name):
            xml_sources.append(file)
        elif suffix == ".json" and not file.name.endswith(".gold.json"):
            json_sources.append(file)
        elif suffix == ".zip":
            with zipfile.ZipFile(file) as archive:
                names = [n for n in archive.namelist() if not _skipped_member(n)]
            if any(n.lower().endswith(".xml") for n in names):
                xml_sources.append(file)
            elif any(n.lower().endswith(".json") for n in names):
                json_sources.append(file)
    if xml_sources:
        dataset = _read_dotin(root, xml_sources)
    elif json_sources:
        dataset = _read_dataturks(root, json_sources)
    else:
        raise DatasetError(f"{root}: no dotin-like XML nor DataTurks-like JSON found")
    if limit is not None:
        dataset.documents = dataset.documents[:limit]
    return dataset


def _skipped_member(name: str) -> bool:
    return name.startswith("__MACOSX/") or "/__MACOSX/" in name or Path(name).name.startswith("._")


def _relative(root: Path, file: Path) -> str:
    return file.name if root.is_file() else str(file.relative_to(root))


def _xml_members(root: Path, sources: list[Path]) -> Iterator[tuple[str, bytes]]:
    for source in sources:
        if source.suffix.lower() == ".zip":
            with zipfile.ZipFile(source) as archive:
                for name in archive.namelist():
                    if name.lower().endswith(".xml") and not _skipped_member(name):
                        yield f"{_relative(root, source)}:{name}", archive.read(name)
        else:
            yield _relative(root, source), source.read_bytes()


def _read_dotin(root: Path, sources: list[Path]) -> Dataset:
    documents: list[Document] = []
    labelled: Counter[str] = Counter()
    notes: list[str] = []
    skipped = 0
    for doc_id, data in _xml_members(root, sources):
        try:
            element = ET.fromstring(data)  # noqa: S314 - annotated data sets, not uploads
        except ET.ParseError as error:
            skipped += 1
            notes.append(f"{doc_id}: not read ({error})")
            continue
        text = _decode_escapes("".join(element.itertext()))
        gold: dict[str, list[str]] = {}
        for label in element.iter("label"):
            kind = (label.get("type") or "").strip()
            value = _decode_escapes("".join(label.itertext())).strip()
            if not value:
                continue
            targets = []
            if kind in DOTIN_LABELS:
                targets.append(DOTIN_LABELS[kind])
            elif kind in SKILL_PARTS:
                targets += ["skills", SKILL_PARTS[kind]]
            for name in targets:
                gold.setdefault(name, []).append(value)
                labelled[name] += 1
        documents.append(Document(doc_id, text, gold))
    fields = tuple(f for f in FIELDS if labelled[f])
    extra = tuple(f for f in SKILL_PARTS.values() if labelled[f])
    if skipped:
        notes.insert(0, f"{skipped} XML files could not be parsed and are left out")
    return Dataset(root.name, "dotin", root, documents, fields, extra, notes)


def _json_lines(root: Path, sources: list[Path]) -> Iterator[tuple[str, dict[str, Any]]]:
    for source in sources:
        if source.suffix.lower() == ".zip":
            with zipfile.ZipFile(source) as archive:
                for name in archive.namelist():
                    if name.lower().endswith(".json") and not _skipped_member(name):
                        text = archive.read(name).decode("utf-8")
                        yield from _records(f"{_relative(root, source)}:{name}", text)
        else:
            yield from _records(_relative(root, source), source.read_text("utf-8"))


def _records(where: str, text: str) -> Iterator[tuple[str, dict[str, Any]]]:
    stripped = text.lstrip()
    if stripped.startswith("["):  # a JSON array rather than JSON Lines
        for number, record in enumerate(json.loads(stripped), 1):
            if isinstance(record, dict) and isinstance(record.get("content"), str):
                yield f"{where}:{number}", record
        return
    for number, line in enumerate(text.splitlines(), 1):
        if line.strip():
            record = json.loads(line)
            if isinstance(record, dict) and isinstance(record.get("content"), str):
                yield f"{where}:{number}", record


def _span_text(content: str, point: dict[str, Any]) -> tuple[str, bool]:
    """A point's text, widened to whole words where the annotation cut one ("shish Dubey" ->
    "Ashish Dubey": some spans are shifted by a character or two); and whether it was."""
    text, start = point.get("text"), point.get("start")
    if not isinstance(start, int):
        return (text if isinstance(text, str) else ""), False
    if not isinstance(text, str):
        end = point.get("end")
        text = content[start : end + 1] if isinstance(end, int) else ""
    text = text.strip()
    if not text:
        return "", False
    at = content.find(text, max(0, start - 10))
    if at < 0 or at > start + 10:
        return text, False
    left, right = at, at + len(text)
    if text[0].isalnum():
        while left > 0 and content[left - 1].isalnum():
            left -= 1
    if text[-1].isalnum():
        while right < len(content) and content[right].isalnum():
            right += 1
    return content[left:right], (left, right) != (at, at + len(text))


def _read_dataturks(root: Path, sources: list[Path]) -> Dataset:
    by_content: dict[str, Document] = {}
    label_counts: Counter[str] = Counter()
    spans: list[tuple[Document, str, str]] = []
    lines = snapped_spans = 0
    for where, record in _json_lines(root, sources):
        lines += 1
        content: str = record["content"]
        document = by_content.get(content)
        if document is None:
            sha = hashlib.sha1(content.encode(), usedforsecurity=False).hexdigest()[:12]
            document = by_content[content] = Document(f"{where} ({sha})", content, versions=0)
        document.versions += 1
        for annotation in record.get("annotation") or []:
            labels = annotation.get("label") or []
            if isinstance(labels, str):
                labels = [labels]
            for point in annotation.get("points") or []:
                value, snapped = _span_text(content, point)
                snapped_spans += snapped
                for label in labels:
                    label_counts[label] += 1
                    if value.strip():
                        spans.append((document, label, value.strip()))
    ignored = sorted(
        label
        for label, count in label_counts.items()
        if count < DATATURKS_MIN_LABEL_COUNT or label not in DATATURKS_LABELS
    )
    labelled: Counter[str] = Counter()
    for document, label, value in spans:
        if label_counts[label] < DATATURKS_MIN_LABEL_COUNT or label not in DATATURKS_LABELS:
            continue
        name = DATATURKS_LABELS[label]
        values = document.gold.setdefault(name, [])
        if value not in values:  # the union of the annotation versions
            values.append(value)
        labelled[name] += 1
    documents = list(by_content.values())
    merged = sum(1 for d in documents if d.versions > 1)
    notes = [
        f"{lines} lines, {len(documents)} distinct texts; {merged} texts annotated more than "
        "once: their gold is the union of the versions' values",
        "Email Address left out (it labels the Indeed profile handle)",
        f"{snapped_spans} spans that cut a word were widened to the whole word",
    ]
    if ignored:
        notes.append("labels ignored: " + ", ".join(f"{x} ({label_counts[x]})" for x in ignored))
    fields = tuple(f for f in FIELDS if labelled[f])
    return Dataset(root.name, "dataturks", root, documents, fields, (), notes)


# --------------------------------------------------------------------------- predictions

# One predicted item: its alternative spellings (a skill's written and canonical names).
Item = tuple[str, ...]


def predict(parsed: ParsedResume) -> dict[str, list[Item]]:
    """What the parser says for each field (see the module docstring for the mapping)."""
    work, education = parsed.work, parsed.education
    years = [
        str(school.period.end_year or school.period.start_year)
        for school in education
        if school.period and (school.period.end_year or school.period.start_year)
    ]
    skills: list[Item] = [
        tuple(x for x in (hit.name, hit.canonical) if x) for hit in parsed.skills if hit.name
    ]
    skills += [(language,) for language in parsed.languages]

    def items(values: Iterable[str]) -> list[Item]:
        return [(value,) for value in values if value and value.strip()]

    predicted = {
        "name": items([parsed.name]),
        "email": items(parsed.emails),
        "location": items([parsed.location, *(job.location for job in work)]),
        "companies": items(job.company for job in work),
        "titles": items([*(job.title for job in work), parsed.headline]),
        # As a resume writes it, and as annotators mark it: "B.Sc. in Computer Science".
        "degrees": items(
            f"{school.degree} in {school.field_of_study}"
            if school.degree and school.field_of_study
            else school.degree
            for school in education
        ),
        "institutions": items(school.institution for school in education),
        "graduation_year": items(years),
        "years_of_experience": items(job.period.raw for job in work if job.period),
        "skills": skills,
    }
    for part in SKILL_PARTS.values():
        predicted[part] = skills
    return predicted


# --------------------------------------------------------------------------- scoring

_SPACE = re.compile(r"\s+")
_EDGE_PUNCT = re.compile(r"^[\W_]+|[\W_]+$")
_LEGAL = {
    "pvt",
    "private",
    "ltd",
    "limited",
    "inc",
    "incorporated",
    "llc",
    "llp",
    "plc",
    "corp",
    "corporation",
    "co",
    "company",
    "gmbh",
    "ag",
    "sa",
    "bv",
    "pte",
    "pty",
    "p",
}


def exact_key(value: str) -> str:
    """Lower-cased, whitespace collapsed, surrounding punctuation stripped."""
    return _EDGE_PUNCT.sub("", _SPACE.sub(" ", value.lower()).strip())


def lenient_tokens(value: str, field_name: str = "") -> tuple[str, ...]:
    """The tokens compared by lenient matching (see the module docstring)."""
    text = anyascii(value).lower()
    text = re.sub(r"(?<=\w)[.'](?=\w)", "", text)  # B.E. -> BE, O'Neil -> ONeil
    keep = "+#" if field_name.startswith("skills") else ""
    text = re.sub(rf"[^\w{re.escape(keep)}]+|_", " ", text)
    tokens = text.split()
    if field_name == "companies":
        while len(tokens) > 1 and tokens[-1] in _LEGAL:
            tokens.pop()
    return tuple(tokens)


def _similarity(a: tuple[str, ...], b: tuple[str, ...]) -> float:
    """1.0 equal; 0.5..1 a token-containment or Jaccard match; 0.0 no match."""
    if a == b:
        return 1.0
    sa, sb = set(a), set(b)
    if not sa or not sb:
        return 0.0
    jaccard = len(sa & sb) / len(sa | sb)
    if sa <= sb or sb <= sa:
        return max(jaccard, 0.5) + 0.001  # a containment beats an equal-Jaccard overlap
    return jaccard if jaccard >= 0.5 else 0.0


@dataclass(slots=True)
class Counts:
    tp: int = 0
    fp: int = 0
    fn: int = 0

    def add(self, other: Counts) -> None:
        self.tp += other.tp
        self.fp += other.fp
        self.fn += other.fn

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 0.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 0.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    def as_dict(self) -> dict[str, float]:
        return {
            "precision": round(self.precision, 4),
            "recall": round(self.recall, 4),
            "f1": round(self.f1, 4),
        }


def match(
    gold: Sequence[str], predicted: Sequence[Item], field_name: str = "", *, lenient: bool = True
) -> tuple[Counts, list[tuple[str, str]]]:
    """One-to-one matching of one document's field; the counts and the matched (gold, pred)."""
    gold_keys: dict[Any, str] = {}
    for value in gold:
        key = lenient_tokens(value, field_name) if lenient else exact_key(value)
        if key:
            gold_keys.setdefault(key, value)
    pred_items: dict[tuple[Any, ...], tuple[list[Any], str]] = {}
    for item in predicted:
        keys = [lenient_tokens(x, field_name) if lenient else exact_key(x) for x in item]
        keys = [k for k in keys if k]
        if keys:
            pred_items.setdefault(tuple(keys), (keys, item[0]))
    pairs: list[tuple[float, int, int]] = []
    gold_list = list(gold_keys)
    pred_list = list(pred_items.values())
    for gi, gkey in enumerate(gold_list):
        for pi, (pkeys, _) in enumerate(pred_list):
            if lenient:
                score = max(_similarity(gkey, pkey) for pkey in pkeys)
            else:
                score = 1.0 if gkey in pkeys else 0.0
            if score > 0:
                pairs.append((score, gi, pi))
    pairs.sort(key=lambda p: (-p[0], p[1], p[2]))
    used_gold: set[int] = set()
    used_pred: set[int] = set()
    matched: list[tuple[str, str]] = []
    for _, gi, pi in pairs:
        if gi in used_gold or pi in used_pred:
            continue
        used_gold.add(gi)
        used_pred.add(pi)
        matched.append((gold_keys[gold_list[gi]], pred_list[pi][1]))
    tp = len(matched)
    return Counts(tp, len(pred_list) - tp, len(gold_list) - tp), matched


@dataclass(slots=True)
class DocumentResult:
    id: str
    gold: dict[str, list[str]]
    predicted: dict[str, list[Item]]
    exact: dict[str, Counts]
    lenient: dict[str, Counts]
    seconds: float = 0.0
    error: str = ""

    def score(self, fields: Iterable[str]) -> float:
        """Mean lenient F1 over the given fields this document labels (1.0 when none)."""
        f1s = [self.lenient[f].f1 for f in fields if self.gold.get(f)]
        return sum(f1s) / len(f1s) if f1s else 1.0

    def failed(self, fields: Iterable[str]) -> list[str]:
        return [f for f in fields if self.gold.get(f) and self.lenient[f].f1 < 0.5]


@dataclass(slots=True)
class Report:
    dataset: Dataset
    documents: list[DocumentResult]
    exact: dict[str, Counts]
    lenient: dict[str, Counts]
    seconds: float  # parsing time summed over documents

    @property
    def resumes_per_s(self) -> float:
        return round(len(self.documents) / self.seconds, 1) if self.seconds else 0.0

    def score_fields(self) -> tuple[str, ...]:
        """What ranks documents: the target fields, else every labelled field."""
        return tuple(self.dataset.targets) or self.dataset.fields

    def worst(self, count: int = 10, field_name: str | None = None) -> list[DocumentResult]:
        fields = (field_name,) if field_name else self.score_fields()
        ranked = [d for d in self.documents if any(d.gold.get(f) for f in fields)]
        ranked.sort(key=lambda d: (d.score(fields), d.id))
        return ranked[:count]

    def as_json(self) -> dict[str, Any]:
        return {
            "dataset": self.dataset.name,
            "documents": len(self.documents),
            "fields": {f: self.lenient[f].as_dict() for f in self.dataset.fields},
            "resumes_per_s": self.resumes_per_s,
        }


Parser = Callable[[str], ParsedResume]

_EMAIL = re.compile(r"[\w.+'-]+@[\w-]+(?:\.[\w-]+)+")


def baseline_parse(text: str) -> ParsedResume:
    """A trivial parser (``--parser talentloop.resumes.evaluation:baseline_parse``): the first
    non-empty line is the name, and every e-mail-shaped string an e-mail. A floor to compare
    with, and a stand-in while the real parser is being written."""
    lines = (line.strip(" \t\"'") for line in text.splitlines())
    name = next((line for line in lines if line), "")
    return ParsedResume(name=name[:80], emails=list(dict.fromkeys(_EMAIL.findall(text))))


def evaluate(
    dataset: Dataset,
    parser: Parser,
    *,
    clock: Callable[[], float] = time.perf_counter,
) -> Report:
    """Parse every document's text and score it; a parser exception counts as no prediction."""
    names = dataset.fields + dataset.extra_fields
    exact = {f: Counts() for f in names}
    lenient = {f: Counts() for f in names}
    results: list[DocumentResult] = []
    total = 0.0
    for document in dataset.documents:
        error = ""
        start = clock()
        try:
            parsed = parser(document.text)
        except Exception as exc:  # a crash is a miss, and is listed
            parsed, error = ParsedResume(), f"{type(exc).__name__}: {exc}"
        seconds = clock() - start
        total += seconds
        predicted = predict(parsed)
        result = DocumentResult(document.id, document.gold, predicted, {}, {}, seconds, error)
        for name in names:
            gold, pred = document.gold.get(name, []), predicted.get(name, [])
            result.exact[name] = match(gold, pred, name, lenient=False)[0]
            result.lenient[name] = match(gold, pred, name, lenient=True)[0]
            exact[name].add(result.exact[name])
            lenient[name].add(result.lenient[name])
        results.append(result)
    return Report(dataset, results, exact, lenient, total)


# --------------------------------------------------------------------------- agreement

# Fields both sets label with one meaning. Not names (dotin replaced them with fake ones), nor
# skills (DataTurks labels a whole skills block as one span) or years of experience (DataTurks
# labels the total, dotin every period too).
AGREEMENT_FIELDS = ("companies", "titles", "degrees", "institutions", "graduation_year")
_SHARED_KEY_KIND = "dataturks_content_sha1"


@dataclass(slots=True)
class Agreement:
    """Another set's human labels of the same resumes, scored against this set's labels as if
    they were a parser's output: how far two groups of annotators agree, a ceiling to read
    the parser's figures against. Beside it, the parser on the same documents."""

    other: str  # the other set's name
    documents: int
    annotators: dict[str, Counts]
    parser: dict[str, Counts]

    def as_json(self) -> dict[str, Any]:
        return {
            "with": self.other,
            "documents": self.documents,
            "fields": {
                f: {
                    "annotators": self.annotators[f].as_dict(),
                    "parser": self.parser[f].as_dict(),
                }
                for f in self.annotators
            },
        }


def shared_documents(primary: Dataset, other: Dataset) -> list[tuple[Document, Document]]:
    """(primary, other) pairs of one resume annotated in both sets. The primary's
    ``splits.csv`` names the other set's text by the SHA-1 of its UTF-8 content
    (``key_kind`` ``dataturks_content_sha1``, as dotin's does); no such file, no pairs."""
    splits = primary.path / "splits.csv"
    if not splits.is_file():
        return []
    keys: dict[str, str] = {}
    try:
        with splits.open(encoding="utf-8", newline="") as handle:
            for row in csv.DictReader(handle):
                if row.get("key_kind") == _SHARED_KEY_KIND and row.get("key_sha1"):
                    keys[f"{row.get('zip', '')}:{row.get('member', '')}"] = row["key_sha1"]
    except (OSError, UnicodeDecodeError, csv.Error):
        return []
    by_sha = {hashlib.sha1(d.text.encode()).hexdigest(): d for d in other.documents}  # noqa: S324
    return [
        (document, by_sha[keys[document.id]])
        for document in primary.documents
        if keys.get(document.id) in by_sha
    ]


def agreement(report: Report, other: Dataset) -> Agreement | None:
    """The other set's annotators against this set's labels, and the parser, on the resumes
    both sets annotate; None when they share none."""
    pairs = shared_documents(report.dataset, other)
    if not pairs:
        return None
    fields = [f for f in AGREEMENT_FIELDS if f in report.dataset.fields and f in other.fields]
    results = {result.id: result for result in report.documents}
    annotators = {f: Counts() for f in fields}
    parser = {f: Counts() for f in fields}
    for document, twin in pairs:
        for name in fields:
            labelled = [(value,) for value in twin.gold.get(name, [])]
            annotators[name].add(match(document.gold.get(name, []), labelled, name)[0])
            if document.id in results:
                parser[name].add(results[document.id].lenient[name])
    return Agreement(other.name, len(pairs), annotators, parser)


def agreement_lines(found: Agreement) -> list[str]:
    lines = [
        f"{found.other}'s annotators on the same {found.documents} resumes, scored against "
        "these labels (lenient P / R / F1), beside the parser on those resumes:"
    ]
    for name, counts in found.annotators.items():
        ours = found.parser[name]
        lines.append(
            f"  {name:<16} annotators {counts.precision:.3f} / {counts.recall:.3f} / "
            f"{counts.f1:.3f}   parser {ours.precision:.3f} / {ours.recall:.3f} / {ours.f1:.3f}"
        )
    return lines


# --------------------------------------------------------------------------- consistency

_MAX_PHRASE = 6  # tokens; longer labelled phrases are not looked for in other resumes
THRESHOLDS = (0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9)


@dataclass(slots=True)
class Consistency:
    """How consistently a set labels one field's phrases across its resumes, and what its own
    labels reach as a dictionary: a ceiling for a parser that must agree with them.

    * ``written``: (phrase, resume) pairs where a phrase labelled in another resume is written
      in this one (as whole tokens); ``labelled``: of those, the ones labelled here too (inside
      any of this resume's labels, so "Java" counts as labelled within "Core Java").
    * ``dictionary``: every phrase labelled in the *other* resumes, predicted in each resume
      that writes it when the other resumes label it at least ``threshold`` of the times they
      write it (leave one resume out); the best threshold of `THRESHOLDS`."""

    field: str
    written: int
    labelled: int
    threshold: float
    dictionary: Counts
    parser: Counts

    def as_json(self) -> dict[str, Any]:
        return {
            "field": self.field,
            "written": self.written,
            "labelled": self.labelled,
            "labelled_share": round(self.labelled / self.written, 4) if self.written else 0.0,
            "dictionary": {"threshold": self.threshold, **self.dictionary.as_dict()},
            "parser": self.parser.as_dict(),
        }


def _ngrams(tokens: tuple[str, ...]) -> set[tuple[str, ...]]:
    return {
        tokens[i : i + n] for n in range(1, _MAX_PHRASE + 1) for i in range(len(tokens) - n + 1)
    }


def consistency(report: Report, field_name: str = "skills") -> Consistency | None:
    """`Consistency` of `field_name`'s labels over the report's documents (the parser's
    figures are the report's own); None when fewer than two documents label it."""
    documents = report.dataset.documents
    if sum(1 for d in documents if d.gold.get(field_name)) < 2:
        return None
    written_in = [_ngrams(lenient_tokens(d.text, field_name)) for d in documents]
    labels = [
        [key for value in d.gold.get(field_name, []) if (key := lenient_tokens(value, field_name))]
        for d in documents
    ]
    inside = [set().union(*(_ngrams(key) for key in keys)) for keys in labels]
    phrases = {key for keys in labels for key in keys if len(key) <= _MAX_PHRASE}
    writes = {p: {i for i, grams in enumerate(written_in) if p in grams} for p in phrases}
    labels_it = {p: {i for i in writes[p] if p in inside[i]} for p in phrases}
    own = [set(keys) for keys in labels]
    written = labelled = 0
    for p in phrases:
        for i in writes[p]:
            if any(p in own[j] for j in labels_it[p] if j != i):
                written += 1
                labelled += i in labels_it[p]
    best: tuple[float, float, Counts] = (-1.0, 0.0, Counts())
    for threshold in THRESHOLDS:
        counts = Counts()
        for i, document in enumerate(documents):
            predicted: list[Item] = []
            for p in phrases:
                if i not in writes[p]:
                    continue
                others = len(writes[p]) - 1
                agreeing = len(labels_it[p] - {i})
                if others and agreeing and agreeing / others >= threshold:
                    predicted.append((" ".join(p),))
            counts.add(match(document.gold.get(field_name, []), predicted, field_name)[0])
        if counts.f1 > best[0]:
            best = (counts.f1, threshold, counts)
    parser = report.lenient.get(field_name, Counts())
    return Consistency(field_name, written, labelled, best[1], best[2], parser)


def consistency_lines(found: Consistency) -> list[str]:
    share = found.labelled / found.written if found.written else 0.0
    d, p = found.dictionary, found.parser
    return [
        f"consistency of the {found.field} labels: a phrase labelled in one resume and written "
        f"in another is labelled there {found.labelled:,} of {found.written:,} times "
        f"({share:.0%}).",
        f"  these labels as a dictionary (leave one resume out, threshold {found.threshold:.1f}): "
        f"{d.precision:.3f} / {d.recall:.3f} / {d.f1:.3f}   parser {p.precision:.3f} / "
        f"{p.recall:.3f} / {p.f1:.3f} (lenient P / R / F1)",
    ]


# --------------------------------------------------------------------------- printing


def table(report: Report, *, field_name: str | None = None) -> list[str]:
    """The per-field table: exact and lenient P/R/F1, lenient counts, target and met."""
    targets = report.dataset.targets
    names = report.dataset.fields + report.dataset.extra_fields
    if field_name:
        names = tuple(n for n in names if n == field_name)
    lines = [
        f"{'field':<22} {'exact P':>7} {'R':>6} {'F1':>6} | {'len. P':>7} {'R':>6} {'F1':>6} "
        f"{'TP':>6} {'FP':>6} {'FN':>6} | target"
    ]
    for name in names:
        e, x = report.exact[name], report.lenient[name]
        target = targets.get(name)
        verdict = ""
        if target is not None:
            verdict = f"{target:.2f} {'met' if x.f1 >= target else 'UNMET'} ({x.f1 / target:.2f}x)"
        lines.append(
            f"{name:<22} {e.precision:>7.3f} {e.recall:>6.3f} {e.f1:>6.3f} | "
            f"{x.precision:>7.3f} {x.recall:>6.3f} {x.f1:>6.3f} {x.tp:>6} {x.fp:>6} {x.fn:>6} | "
            f"{verdict}"
        )
    return lines


def worst_lines(report: Report, count: int = 10, field_name: str | None = None) -> list[str]:
    fields = (field_name,) if field_name else report.score_fields()
    lines = []
    for result in report.worst(count, field_name):
        failed = ", ".join(result.failed(fields)) or "-"
        error = f"  [{result.error}]" if result.error else ""
        lines.append(f"  {result.score(fields):.2f}  {result.id}  failed: {failed}{error}")
    return lines


def show_lines(report: Report, field_name: str, count: int, *, lenient: bool = True) -> list[str]:
    """Gold against predicted values of `field_name` for the `count` worst documents on it."""
    lines = []
    for result in report.worst(count, field_name):
        gold = result.gold.get(field_name, [])
        predicted = result.predicted.get(field_name, [])
        counts, matched = match(gold, predicted, field_name, lenient=lenient)
        lines.append(
            f"--- {result.id}  F1 {counts.f1:.2f} (TP {counts.tp}, FP {counts.fp}, "
            f"FN {counts.fn})" + (f"  [{result.error}]" if result.error else "")
        )
        matched_gold = {g for g, _ in matched}
        matched_pred = {p for _, p in matched}
        lines += [f"    ok    {g!r} ~ {p!r}" for g, p in matched]
        lines += [f"    miss  {g!r}" for g in dict.fromkeys(gold) if g not in matched_gold]
        lines += [
            f"    extra {' | '.join(item)!r}"
            for item in dict.fromkeys(predicted)
            if item[0] not in matched_pred
        ]
    return lines


def load_parser(spec: str) -> Parser:
    """``module:function`` -> the function, imported now."""
    module_name, _, attribute = spec.partition(":")
    try:
        function: Parser = getattr(importlib.import_module(module_name), attribute or "parse_text")
    except Exception as error:  # a module being written may not import yet: say which
        raise ImportError(
            f"cannot load the parser {spec}: {type(error).__name__}: {error}"
        ) from error
    return function


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m talentloop.resumes.evaluation",
        description="Field-level precision/recall/F1 of resume parsing on an annotated set.",
    )
    parser.add_argument("path", help="A dataset folder (dotin-like or DataTurks-like).")
    parser.add_argument("--field", help="Only this field in the table; --show uses it.")
    parser.add_argument("--show", type=int, default=0, help="Gold vs predicted, N worst docs.")
    parser.add_argument("--exact", action="store_true", help="--show with exact matching.")
    parser.add_argument("--limit", type=int, default=None, help="The first N documents.")
    parser.add_argument(
        "--parser",
        default="talentloop.resumes.fields:parse_text",
        help="module:function taking the text, returning a ParsedResume.",
    )
    parser.add_argument("--json", action="store_true", help="End with one JSON line.")
    args = parser.parse_args(argv)
    try:
        dataset = read_dataset(args.path, limit=args.limit)
    except DatasetError as error:
        parser.error(str(error))
    try:
        function = load_parser(args.parser)
    except ImportError as error:
        parser.error(str(error))
    report = evaluate(dataset, function)
    out = sys.stdout.write
    out(
        f"{dataset.name} ({dataset.layout}): {len(report.documents)} documents, "
        f"{report.resumes_per_s:,.1f} resumes/s parsing plain text ({args.parser})\n"
    )
    for note in dataset.notes:
        out(f"  note: {note}\n")
    crashed = [d for d in report.documents if d.error]
    if crashed:
        out(f"  {len(crashed)} documents raised; first: {crashed[0].id}: {crashed[0].error}\n")
    out("\n".join(table(report, field_name=args.field)) + "\n")
    out(f"worst 10 documents (mean lenient F1 over {', '.join(report.score_fields())}):\n")
    out("\n".join(worst_lines(report, 10)) + "\n")
    if "skills" in dataset.fields and (found := consistency(report)) is not None:
        out("\n".join(consistency_lines(found)) + "\n")
    if args.show:
        field_name = args.field or "name"
        out(f"\n{field_name}: gold vs predicted, {args.show} worst documents\n")
        out("\n".join(show_lines(report, field_name, args.show, lenient=not args.exact)) + "\n")
    if args.json:
        out(json.dumps(report.as_json(), separators=(",", ":")) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
