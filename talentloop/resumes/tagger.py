"""A small trained sequence tagger for resume entities (pure Python at run time).

Greedy left-to-right averaged perceptron over BIO tags, the kind of tagger described by
Collins (2002) and popularised by Honnibal's "A good part-of-speech tagger in about 200 lines
of Python". Entity types are the evaluation's field names: ``name``, ``companies``,
``titles``, ``skills``, ``degrees``, ``institutions``, ``location``.

Features of a token: its lower-cased word, shape, prefixes and suffixes, case flags and
gazetteer flags (title, company-suffix, degree, institution and date words); the same (a
subset) for the two words on each side; where it stands in its text segment (a line, or a run
of text between two wide gaps: many resumes lost their line breaks), the segment's place in
the document and the section it is in (`talentloop.resumes.sections.heading_kind`, when that
module imports); whether a skills-catalogue phrase (`talentloop.resumes.skills`) covers it;
and the two previous predicted tags. Training keeps only features seen in at least
`MIN_DOC_FREQ` different training documents, so no person's name, e-mail or employer that
appears in only one or two resumes is remembered by the model.

Speed: the weights of every word-derived feature group are summed once per distinct token
text and offset and cached, so tagging costs a few list additions per token (a few ms for a
typical resume).

The model (``tagger_model.json.gz`` beside this module) is trained on the dotin resume NER
annotations (CC0) only:

    python -m talentloop.resumes.tagger train DATASET_PATH --out FILE
    python -m talentloop.resumes.tagger cv DATASET_PATH [--folds 5]

Training needs numpy (a development dependency); predicting does not.
"""

from __future__ import annotations

import argparse
import gzip
import json
import math
import random
import re
import sys
import time
import xml.etree.ElementTree as ET
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

MODEL_PATH = Path(__file__).with_name("tagger_model.json.gz")
MODEL_FORMAT = 1
MIN_DOC_FREQ = 3
SEED = 20260101
EPOCHS = 8
PRUNE = 0.02  # drop averaged weights smaller than this (in absolute value)

TYPES: tuple[str, ...] = (
    "name",
    "companies",
    "titles",
    "skills",
    "degrees",
    "institutions",
    "location",
)
# dotin label -> entity type (the three skill labels merged).
DOTIN_TYPES: dict[str, str] = {
    "Name": "name",
    "Companies worked at": "companies",
    "Designation": "titles",
    "Tech Tools": "skills",
    "Job Specific Skills": "skills",
    "Soft Skills": "skills",
    "Degree": "degrees",
    "College Name": "institutions",
    "College": "institutions",
    "Location": "location",
}

Entities = dict[str, list[tuple[str, float]]]

# --------------------------------------------------------------------------- tokens

_TOKEN_RE = re.compile(
    r"(?:Sr|Jr|Pvt|Ltd|Inc|Co|Corp|Dept|Engg|Govt|Intl|Mgr|Asst|Assoc|St|Dr|Mr|Ms|Mrs)\.(?!\w)"
    r"|[^\W_]+(?:[.'\u2019&+#/-][^\W_]+)*[+#]*|[^\w\s]|_"
)
# A segment ends at a line break, a tab or a run of two or more spaces.
_BREAK_RE = re.compile(r"\n|\t|\r|[ \u00a0]{2,}")
_ESCAPES_RE = re.compile(r"(?:\\x[0-9a-fA-F]{2})+")


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


_TITLE_WORDS = _words(
    "engineer engineers developer developers manager managers analyst analysts consultant "
    "consultants architect lead leader head director officer executive specialist associate "
    "administrator admin intern trainee designer tester programmer scientist coordinator "
    "supervisor assistant president vp ceo cto cfo coo founder co-founder partner owner "
    "representative agent advisor adviser technician operator accountant auditor clerk "
    "teacher lecturer professor instructor tutor researcher fellow member staff officer "
    "sr sr. senior junior jr principal chief staff deputy general trainer recruiter editor "
    "writer sme dba devops qa sde swe mts expert incharge in-charge controller planner "
    "superintendent foreman secretary receptionist nurse doctor physician pharmacist "
    "attorney lawyer counsel paralegal chef cashier salesman sales marketing hr"
)
_COMPANY_WORDS = _words(
    "ltd ltd. limited inc inc. llc llp plc pvt pvt. private corp corp. corporation company co "
    "co. gmbh ag sa bv pte pty group technologies technology tech solutions services systems "
    "software consulting consultancy consultants infotech infosystems labs industries "
    "enterprises international global holdings bank networks communications pharma "
    "pharmaceuticals motors bros associates agency airlines telecom infra ventures"
)
_DEGREE_WORDS = _words(
    "be btech b.tech b.e b.e. me mtech m.tech m.e bsc b.sc msc m.sc bca mca mba bba bcom b.com "
    "mcom m.com phd ph.d diploma bachelor bachelors bachelor's master masters master's degree "
    "ba ma bs ms b.s m.s b.a m.a pgdm pgdbm pg ssc hsc sslc hssc cbse icse intermediate "
    "matriculation matric 10th 12th xii x graduation graduate postgraduate post-graduate "
    "associate doctorate llb llm bds mbbs bpharm b.pharm mpharm m.pharm aissce aisse puc"
)
_INSTITUTION_WORDS = _words(
    "university universities college institute institution school academy vidyalaya "
    "vidyapeeth polytechnic iit nit iiit iim board universidad université universität "
    "mahavidyalaya campus"
)
_MONTH_WORDS = _words(
    "jan january feb february mar march apr april may jun june jul july aug august sep sept "
    "september oct october nov november dec december present current till date now"
)
_LOCATION_WORDS = _words(
    "india usa us uk city state street road nagar bangalore bengaluru mumbai delhi pune "
    "hyderabad chennai kolkata noida gurgaon gurugram ahmedabad new york california texas"
)


def _shape(word: str) -> str:
    out: list[str] = []
    for char in word[:12]:
        kind = "X" if char.isupper() else "x" if char.isalpha() else "d" if char.isdigit() else char
        if not out or out[-1] != kind or len(out) < 2 or out[-2] != kind:
            out.append(kind)
    return "".join(out)


@lru_cache(maxsize=65536)
def _short_shape(word: str) -> str:
    out: list[str] = []
    for char in word:
        kind = "X" if char.isupper() else "x" if char.isalpha() else "d" if char.isdigit() else char
        if not out or out[-1] != kind:
            out.append(kind)
    return "".join(out)[:5]


def _gazetteer(lower: str) -> list[str]:
    flags: list[str] = []
    bare = lower.rstrip(".")
    if lower in _TITLE_WORDS or bare in _TITLE_WORDS:
        flags.append("gT")
    if lower in _COMPANY_WORDS or bare in _COMPANY_WORDS:
        flags.append("gC")
    if lower in _DEGREE_WORDS or bare in _DEGREE_WORDS or bare.replace(".", "") in _DEGREE_WORDS:
        flags.append("gD")
    if bare in _INSTITUTION_WORDS:
        flags.append("gI")
    if bare in _MONTH_WORDS:
        flags.append("gM")
    if bare in _LOCATION_WORDS:
        flags.append("gL")
    if len(lower) == 4 and lower.isdigit() and lower[:2] in ("19", "20"):
        flags.append("gY")
    return flags


@lru_cache(maxsize=65536)
def _word_features(word: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """(features of a token of this text, features of a neighbour of this text)."""
    lower = word.lower()
    short = _short_shape(word)
    gaz = _gazetteer(lower)
    own = [
        "w=" + lower,
        "s=" + _shape(word),
        "ss=" + short,
        "p2=" + lower[:2],
        "p3=" + lower[:3],
        "x2=" + lower[-2:],
        "x3=" + lower[-3:],
        *gaz,
    ]
    if word[:1].isupper():
        own.append("cap")
    if len(word) > 1 and word.isupper():
        own.append("up")
    if len(word) == 1:
        own.append("len1")
    elif len(word) > 12:
        own.append("long")
    near = ["w=" + lower, "ss=" + short, *gaz]
    return tuple(own), tuple(near)


ContextKey = tuple[tuple[int, int, str, bool, bool, bool, bool], int, str, str]


@dataclass(slots=True)
class Tokens:
    """The tokens of one text, as parallel lists."""

    starts: list[int] = field(default_factory=list)
    ends: list[int] = field(default_factory=list)
    words: list[str] = field(default_factory=list)
    segments: list[int] = field(default_factory=list)  # index of the token's text segment
    # (segment facts, place in segment, short shape, catalogue hit): see `_context`.
    contexts: list[ContextKey] = field(default_factory=list)

    def __len__(self) -> int:
        return len(self.words)


def _segments(text: str) -> list[tuple[int, int]]:
    out: list[tuple[int, int]] = []
    pos = 0
    for found in _BREAK_RE.finditer(text):
        if found.start() > pos:
            out.append((pos, found.start()))
        pos = found.end()
    if pos < len(text):
        out.append((pos, len(text)))
    return out


@lru_cache(maxsize=1)
def _heading_kind() -> tuple[Callable[[str], tuple[str, str] | None], frozenset[str]] | None:
    """`sections.heading_kind` and the words a heading needs one of; None without it."""
    try:
        from talentloop.resumes import sections
    except ImportError:  # pragma: no cover - the module is optional
        return None
    keywords = getattr(sections, "_KEYWORDS", None)
    words = frozenset(keywords) if isinstance(keywords, dict) else frozenset()
    return sections.heading_kind, words


@lru_cache(maxsize=1)
def _catalogue_match() -> Callable[[str], list[tuple[int, int, Any, int]]] | None:
    try:
        from talentloop.resumes.skills import default_catalogue
    except ImportError:  # pragma: no cover - the module is optional
        return None
    return default_catalogue().match


USE_CATALOGUE = True  # tests switch the catalogue off to stay fast and self-contained


def _bucket(value: int, edges: Sequence[int]) -> int:
    for i, edge in enumerate(edges):
        if value <= edge:
            return i
    return len(edges)


_YEAR_RE = re.compile(r"\b(?:19|20)\d\d\b")
_HEAD_WORD_RE = re.compile(r"[^\W\d_]+")
_LENGTH_BUCKETS = [_bucket(n, (1, 2, 3, 5, 8, 12, 20)) for n in range(21)]
_SEGMENT_BUCKETS = [_bucket(n, (0, 1, 2, 3, 5, 8, 12, 20, 40)) for n in range(41)]


@lru_cache(maxsize=65536)
def _context(key: ContextKey) -> tuple[str, ...]:
    """The positional features of a context key."""
    segment, place, short, skill = key
    length_bucket, seg_bucket, section, is_heading, has_year, prev_year, next_year = segment
    context = [
        f"sl={length_bucket}",
        f"sg={seg_bucket}",
        f"ix={place}",
        f"ixl={place}|{length_bucket}",
        "sec=" + section,
        f"sec={section}|ss={short}",
        f"sg={seg_bucket}|ss={short}",
    ]
    if is_heading:
        context.append("hd")
    if has_year:
        context.append("yr")
    if prev_year:
        context.append("pyr")
    if next_year:
        context.append("nyr")
    if skill:
        context.append("k=" + skill)
        context.append(f"k={skill[0]}|sec={section}")
    return tuple(context)


def tokenize(text: str) -> Tokens:
    """The tokens of a text with their context keys."""
    heading = _heading_kind()
    match = _catalogue_match() if USE_CATALOGUE else None
    matches: list[tuple[int, int, str]] = []
    if match is not None:
        for start, end, skill, flags in match(text):
            strong = "w" if flags & 2 else "s"
            matches.append((start, end, strong + str(getattr(skill, "category", ""))[:4]))
    matches.append((len(text) + 1, len(text) + 1, ""))
    at = 0
    next_start, next_end, next_kind = matches[0]
    out = Tokens()
    starts, ends, words, segments, contexts = (
        out.starts,
        out.ends,
        out.words,
        out.segments,
        out.contexts,
    )
    section = "header"
    finditer = _TOKEN_RE.finditer
    shape = _short_shape
    spans = _segments(text)
    years = [_YEAR_RE.search(text, a, b) is not None for a, b in spans]
    years.append(False)
    for number, (seg_start, seg_end) in enumerate(spans):
        is_heading = False
        if heading is not None and seg_end - seg_start <= 60:
            raw = text[seg_start:seg_end]
            function, keywords = heading
            lowered = _HEAD_WORD_RE.findall(raw.lower())
            if not keywords or any(w in keywords for w in lowered):
                found = function(raw)
                if found is not None:
                    section, is_heading = found[0], not found[1]
        found_tokens = list(finditer(text, seg_start, seg_end))
        length = len(found_tokens)
        segment_key = (
            _LENGTH_BUCKETS[min(length, 20)],
            _SEGMENT_BUCKETS[min(number, 40)],
            section,
            is_heading,
            years[number],
            years[number - 1] if number else False,
            years[number + 1],
        )
        last = length - 1
        for index, found_token in enumerate(found_tokens):
            word = found_token.group()
            begin, end = found_token.span()
            skill = ""
            if begin >= next_start:
                while begin >= next_end:
                    at += 1
                    next_start, next_end, next_kind = matches[at]
                if begin >= next_start:
                    skill = ("B" if begin == next_start else "I") + next_kind
            starts.append(begin)
            ends.append(end)
            words.append(word)
            segments.append(number)
            place = 9 if index == last else index if index < 3 else 3
            contexts.append((segment_key, place, shape(word), skill))
    return out


def _static_features(tokens: Tokens, i: int) -> list[str]:
    """Every feature of token i except those of the previous tags (training form)."""
    words, segments = tokens.words, tokens.segments
    own, _ = _word_features(words[i])
    feats = ["bias", *("0" + f for f in own)]
    for offset in (-2, -1, 1, 2):
        j = i + offset
        if 0 <= j < len(words):
            if segments[j] != segments[i]:
                feats.append(f"{offset}brk")
                if offset in (-1, 1):
                    feats.extend(f"{offset}{f}" for f in _word_features(words[j])[1])
                continue
            feats.extend(f"{offset}{f}" for f in _word_features(words[j])[1])
        else:
            feats.append(f"{offset}edge")
    feats.extend(_context(tokens.contexts[i]))
    return feats


def _tag_features(prev: str, prev2: str, short: str) -> tuple[str, str, str]:
    return ("t1=" + prev, f"t2={prev2}|{prev}", f"t1={prev}|ss={short}")


def tag_names(types: Sequence[str] = TYPES) -> list[str]:
    """IO tags: "O" and one tag per entity type. Two entities of a type that touch are told
    apart only by a segment break between them (rare: lists are punctuated)."""
    return ["O", *types]


# --------------------------------------------------------------------------- the model


class Model:
    """Averaged weights: feature -> one float per tag. Decoding is greedy, left to right."""

    def __init__(self, tags: Sequence[str], weights: dict[str, list[float]], scale: float = 1.0):
        self.tags = list(tags)
        self.weights = weights
        self.scale = scale  # a typical margin of an entity token: confidence 0.63 there
        self._zero = [0.0] * len(self.tags)
        # Summed weights per word and offset (-2..2), per context key, per previous tags.
        self._words: dict[int, dict[str, list[float]]] = {k: {} for k in (-2, -1, 0, 1, 2)}
        self._contexts: dict[ContextKey, list[float]] = {}
        self._transitions: dict[tuple[int, int, str], list[float]] = {}

    def _sum(self, features: Iterable[str]) -> list[float]:
        total = list(self._zero)
        weights = self.weights
        for feature in features:
            row = weights.get(feature)
            if row is not None:
                total = [a + b for a, b in zip(total, row, strict=True)]
        return total

    def _word_vector(self, offset: int, word: str) -> list[float]:
        cache = self._words[offset]
        vector = cache.get(word)
        if vector is None:
            own, near = _word_features(word)
            if offset == 0:
                vector = self._sum(["bias", *("0" + f for f in own)])
            else:
                vector = self._sum(f"{offset}{f}" for f in near)
            if len(cache) > 100_000:
                cache.clear()
            cache[word] = vector
        return vector

    def _context_vector(self, key: ContextKey) -> list[float]:
        vector = self._contexts.get(key)
        if vector is None:
            if len(self._contexts) > 100_000:
                self._contexts.clear()
            vector = self._contexts[key] = self._sum(_context(key))
        return vector

    def _transition(self, prev2: int, prev: int, short: str) -> list[float]:
        key = (prev2, prev, short)
        vector = self._transitions.get(key)
        if vector is None:
            tags = self.tags
            features = _tag_features(tags[prev], tags[prev2], short)
            vector = self._sum(features)
            if len(self._transitions) > 100_000:
                self._transitions.clear()
            self._transitions[key] = vector
        return vector

    def decode(self, tokens: Tokens) -> list[tuple[int, float]]:
        """(tag index, margin over the runner-up) per token, greedily left to right."""
        words, segments, contexts = tokens.words, tokens.segments, tokens.contexts
        n = len(words)
        word_vector, context_vector = self._word_vector, self._context_vector
        transition = self._transition
        breaks = {k: self.weights.get(f"{k}brk", self._zero) for k in (-2, -1, 1, 2)}
        edges = {k: self.weights.get(f"{k}edge", self._zero) for k in (-2, -1, 1, 2)}
        out: list[tuple[int, float]] = []
        prev2 = prev = 0
        for i in range(n):
            segment = segments[i]
            context = contexts[i]
            parts = [
                word_vector(0, words[i]),
                context_vector(context),
                transition(prev2, prev, context[2]),
            ]
            for offset in (-2, -1, 1, 2):
                j = i + offset
                if 0 <= j < n:
                    if segments[j] != segment:
                        parts.append(breaks[offset])
                        if offset == -1 or offset == 1:
                            parts.append(word_vector(offset, words[j]))
                    else:
                        parts.append(word_vector(offset, words[j]))
                else:
                    parts.append(edges[offset])
            scores = [sum(column) for column in zip(*parts, strict=True)]
            best = max(scores)
            index = scores.index(best)
            scores[index] = -1e30
            out.append((index, best - max(scores)))
            prev2, prev = prev, index
        return out

    def entities(self, text: str) -> Entities:
        """Entity type -> [(span text, confidence)], deduplicated (case-insensitively) with
        the highest confidence kept, in document order."""
        text = _decode_escapes(text)
        tokens = tokenize(text)
        return spans_to_entities(text, tokens, self.decode(tokens), self.tags, self.scale)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Model:
        if data.get("format") != MODEL_FORMAT:
            raise ValueError(f"tagger model format {data.get('format')!r}, not {MODEL_FORMAT}")
        weights: dict[str, list[float]] = {}
        size = len(data["tags"])
        for feature, row in data["weights"].items():
            if isinstance(row, dict):  # sparse: {"tag index": weight}
                dense = [0.0] * size
                for index, value in row.items():
                    dense[int(index)] = float(value)
                weights[feature] = dense
            else:
                weights[feature] = [float(x) for x in row]
        return cls(data["tags"], weights, float(data.get("scale", 1.0)))

    def to_json(self) -> dict[str, Any]:
        rows: dict[str, Any] = {}
        for feature, row in sorted(self.weights.items()):
            nonzero = {str(i): round(w, 3) for i, w in enumerate(row) if round(w, 3)}
            if len(nonzero) * 2 < len(row):
                rows[feature] = nonzero
            else:
                rows[feature] = [round(w, 3) for w in row]
        return {"format": MODEL_FORMAT, "tags": self.tags, "scale": self.scale, "weights": rows}

    def save(self, path: str | Path) -> None:
        payload = json.dumps(self.to_json(), separators=(",", ":"), ensure_ascii=False)
        # No file name nor time in the gzip header: the same weights give the same bytes.
        with (
            open(path, "wb") as raw,
            gzip.GzipFile(filename="", mode="wb", fileobj=raw, compresslevel=9, mtime=0) as out,
        ):
            out.write(payload.encode())

    @classmethod
    def load(cls, path: str | Path) -> Model:
        with gzip.open(path, "rb") as source:
            data: dict[str, Any] = json.loads(source.read().decode())
        return cls.from_json(data)


def _decode_escapes(text: str) -> str:
    """Literal ``\\xe2\\x80\\xa2`` runs (bytes written as escapes) -> the characters, keeping
    the text's other characters where they are."""
    if "\\x" not in text:
        return text
    return _ESCAPES_RE.sub(
        lambda m: bytes.fromhex(m.group(0).replace("\\x", "")).decode("utf-8", "replace"), text
    )


def spans_to_entities(
    text: str,
    tokens: Tokens,
    decoded: Sequence[tuple[int, float]],
    tags: Sequence[str],
    scale: float = 1.0,
) -> Entities:
    """Runs of one entity tag within a segment -> entity spans; confidence from the smallest
    margin of the run's tokens over their runner-up tag (`scale`: a typical margin)."""
    out: Entities = {}
    seen: dict[tuple[str, str], int] = {}

    def close(kind: str, first: int, last: int, margins: list[float]) -> None:
        value = " ".join(text[tokens.starts[first] : tokens.ends[last]].split()).strip(
            " ,;:|-\u2013"
        )
        if not value or not any(c.isalnum() for c in value):
            return
        confidence = round(1 - math.exp(-min(margins) / scale), 3)
        key = (kind, value.lower())
        values = out.setdefault(kind, [])
        if key in seen:
            at = seen[key]
            if confidence > values[at][1]:
                values[at] = (values[at][0], confidence)
            return
        seen[key] = len(values)
        values.append((value, confidence))

    current = 0
    first = 0
    margins: list[float] = []
    segments = tokens.segments
    for i, (index, margin) in enumerate(decoded):
        if index and index == current and segments[i] == segments[i - 1]:
            margins.append(margin)
            continue
        if current:
            close(tags[current], first, i - 1, margins)
        current, first, margins = index, i, [margin]
    if current:
        close(tags[current], first, len(decoded) - 1, margins)
    return out


@lru_cache(maxsize=1)
def default_model() -> Model | None:
    """The packaged model, loaded once; None when the file is missing."""
    if not MODEL_PATH.exists():
        return None
    return Model.load(MODEL_PATH)


def tag_entities(text: str, model: Model | None = None) -> Entities:
    """Entity type (``name``, ``companies``, ``titles``, ``skills``, ``degrees``,
    ``institutions``, ``location``) -> [(span as written, confidence 0..1)]. Empty when no
    model is installed."""
    model = model or default_model()
    if model is None or not text.strip():
        return {}
    return model.entities(text)


# --------------------------------------------------------------------------- training data


@dataclass(slots=True)
class Annotated:
    id: str
    text: str
    spans: list[tuple[int, int, str]]  # (start, end, type), character offsets


def read_annotated(path: str | Path) -> list[Annotated]:
    """The dotin-like documents of a folder (zips of XML ``<cv>`` with inline ``<label>``
    tags) with character offsets of their labels; other labels are dropped."""
    from talentloop.resumes.evaluation import _decode_escapes as decode
    from talentloop.resumes.evaluation import _skipped_member, _xml_members

    root = Path(path)
    files = sorted(p for p in ([root] if root.is_file() else root.rglob("*")) if p.is_file())
    sources = [
        f for f in files if (f.suffix.lower() in (".zip", ".xml")) and not _skipped_member(f.name)
    ]
    documents: list[Annotated] = []
    for doc_id, data in _xml_members(root, sources):
        try:
            element = ET.fromstring(data)  # noqa: S314 - annotated data sets, not uploads
        except ET.ParseError:
            continue
        text, spans = _label_spans(element, decode)
        documents.append(Annotated(doc_id, text, spans))
    return documents


def _label_spans(
    element: ET.Element, decode: Callable[[str], str]
) -> tuple[str, list[tuple[int, int, str]]]:
    """The text of a ``<cv>`` element and the (start, end, type) of its known labels."""
    parts: list[str] = []
    spans: list[tuple[int, int, str]] = []
    size = 0
    for piece, kind in _pieces(element):
        piece = decode(piece)
        start, size = size, size + len(piece)
        parts.append(piece)
        if kind:
            lead = len(piece) - len(piece.lstrip())
            trail = len(piece) - len(piece.rstrip())
            if size - trail > start + lead:
                spans.append((start + lead, size - trail, kind))
    return "".join(parts), spans


def _pieces(element: ET.Element) -> list[tuple[str, str]]:
    """(text, entity type or "") of the element's text, its labels and what follows them."""
    out = [(element.text or "", "")]
    for child in element:
        kind = DOTIN_TYPES.get((child.get("type") or "").strip(), "")
        out.append(("".join(child.itertext()), kind if child.tag == "label" else ""))
        out.append((child.tail or "", ""))
    return [(text, kind) for text, kind in out if text]


def gold_tags(document: Annotated, tokens: Tokens) -> list[str]:
    tags = ["O"] * len(tokens)
    spans = sorted(document.spans)
    j = 0
    for i, (begin, end) in enumerate(zip(tokens.starts, tokens.ends, strict=True)):
        while j < len(spans) and spans[j][1] <= begin:
            j += 1
        if j < len(spans) and spans[j][0] < end and begin < spans[j][1]:
            tags[i] = spans[j][2]
    return tags


# --------------------------------------------------------------------------- training


def train(
    documents: Sequence[Annotated],
    *,
    epochs: int = EPOCHS,
    min_doc_freq: int = MIN_DOC_FREQ,
    prune: float = PRUNE,
    seed: int = SEED,
    log: Callable[[str], None] | None = None,
) -> Model:
    """An averaged perceptron trained on `documents` (numpy speeds this up when installed)."""
    tags = tag_names()
    tag_index = {t: i for i, t in enumerate(tags)}
    prepared: list[tuple[list[str], list[list[str]], list[int]]] = []
    doc_freq: dict[str, int] = {}
    for document in documents:
        tokens = tokenize(document.text)
        feats = [_static_features(tokens, i) for i in range(len(tokens))]
        gold = [tag_index[t] for t in gold_tags(document, tokens)]
        shapes = [key[2] for key in tokens.contexts]
        prepared.append((shapes, feats, gold))
        for feature in {f for row in feats for f in row}:
            doc_freq[feature] = doc_freq.get(feature, 0) + 1
    vocab: dict[str, int] = {}
    for feature, count in sorted(doc_freq.items()):
        if count >= min_doc_freq:
            vocab[feature] = len(vocab)
    known_shapes = sorted({s for shapes, _, _ in prepared for s in shapes})
    for prev in tags:
        for feature in [
            "t1=" + prev,
            *(f"t2={p2}|{prev}" for p2 in tags),
            *(f"t1={prev}|ss={s}" for s in known_shapes),
        ]:
            vocab.setdefault(feature, len(vocab))
    encoded = [
        (shapes, [[vocab[f] for f in row if f in vocab] for row in feats], gold)
        for shapes, feats, gold in prepared
    ]
    if log:
        tokens_count = sum(len(g) for _, _, g in encoded)
        log(f"{len(documents)} documents, {tokens_count} tokens, {len(vocab)} features")
    averaged = _perceptron(encoded, vocab, tags, epochs, seed, log)
    names = list(vocab)
    weights: dict[str, list[float]] = {}
    for index, row in enumerate(averaged):
        if max(abs(w) for w in row) >= prune:
            weights[names[index]] = [round(w, 3) if abs(w) >= prune else 0.0 for w in row]
    model = Model(tags, weights)
    margins = sorted(
        margin
        for document in documents[:50]
        for index, margin in model.decode(tokenize(document.text))
        if index
    )
    if margins:
        model.scale = round(max(margins[len(margins) // 2], 1e-3), 3)
    return model


Encoded = list[tuple[list[str], list[list[int]], list[int]]]


def _perceptron(
    encoded: Encoded,
    vocab: dict[str, int],
    tags: list[str],
    epochs: int,
    seed: int,
    log: Callable[[str], None] | None,
) -> list[list[float]]:
    """Averaged weights per feature id: greedy decoding with the previous predicted tags, an
    update on every wrong token, averaging by the usual timestamp trick."""
    try:
        import numpy as np
    except ImportError:  # pragma: no cover - numpy is a development dependency
        return _perceptron_pure(encoded, vocab, tags, epochs, seed, log)
    size = len(tags)
    weights = np.zeros((len(vocab), size))
    totals = np.zeros((len(vocab), size))  # sum of step * update, for averaging
    arrays = [
        (shapes, [np.array(row, dtype=np.int64) for row in rows], gold)
        for shapes, rows, gold in encoded
    ]
    order = list(range(len(arrays)))
    rng = random.Random(seed)  # noqa: S311 - a reproducible shuffle
    step = 1
    for epoch in range(epochs):
        rng.shuffle(order)
        errors = total = 0
        for d in order:
            shapes, rows, gold = arrays[d]
            prev2 = prev = 0
            for short, row, truth in zip(shapes, rows, gold, strict=True):
                extra = [
                    vocab[f] for f in _tag_features(tags[prev], tags[prev2], short) if f in vocab
                ]
                ids = np.concatenate((row, np.array(extra, dtype=np.int64)))
                scores = weights[ids].sum(axis=0)
                guess = int(scores.argmax())
                if guess != truth:
                    weights[ids, truth] += 1.0
                    weights[ids, guess] -= 1.0
                    totals[ids, truth] += step
                    totals[ids, guess] -= step
                    errors += 1
                total += 1
                step += 1
                prev2, prev = prev, guess
        if log:
            log(f"epoch {epoch + 1}: {errors / max(total, 1):.4f} token errors")
    averaged: list[list[float]] = (weights - totals / step).tolist()
    return averaged


def _perceptron_pure(
    encoded: Encoded,
    vocab: dict[str, int],
    tags: list[str],
    epochs: int,
    seed: int,
    log: Callable[[str], None] | None,
) -> list[list[float]]:
    """The same as `_perceptron` in plain Python (slow: for small sets and tests)."""
    size = len(tags)
    weights = [[0.0] * size for _ in vocab]
    totals = [[0.0] * size for _ in vocab]
    order = list(range(len(encoded)))
    rng = random.Random(seed)  # noqa: S311 - a reproducible shuffle
    step = 1
    for epoch in range(epochs):
        rng.shuffle(order)
        errors = total = 0
        for d in order:
            shapes, rows, gold = encoded[d]
            prev2 = prev = 0
            for short, row, truth in zip(shapes, rows, gold, strict=True):
                extra = [
                    vocab[f] for f in _tag_features(tags[prev], tags[prev2], short) if f in vocab
                ]
                ids = [*row, *extra]
                scores = [0.0] * size
                for i in ids:
                    scores = [a + b for a, b in zip(scores, weights[i], strict=True)]
                guess = scores.index(max(scores))
                if guess != truth:
                    for i in ids:
                        weights[i][truth] += 1.0
                        weights[i][guess] -= 1.0
                        totals[i][truth] += step
                        totals[i][guess] -= step
                    errors += 1
                total += 1
                step += 1
                prev2, prev = prev, guess
        if log:
            log(f"epoch {epoch + 1}: {errors / max(total, 1):.4f} token errors")
    return [
        [w - t / step for w, t in zip(wrow, trow, strict=True)]
        for wrow, trow in zip(weights, totals, strict=True)
    ]


# --------------------------------------------------------------------------- evaluation


def entities_to_parsed(entities: Entities) -> Any:
    """A `ParsedResume` holding only the tagger's entities (for scoring the tagger alone)."""
    from talentloop.resumes.parsed import Job, ParsedResume, School, SkillHit

    parsed = ParsedResume()
    names = entities.get("name", [])
    if names:
        parsed.name = max(names, key=lambda x: x[1])[0]
    locations = [v for v, _ in entities.get("location", [])]
    if locations:
        parsed.location = locations[0]
    parsed.work = [Job(company=v) for v, _ in entities.get("companies", [])]
    parsed.work += [Job(title=v) for v, _ in entities.get("titles", [])]
    parsed.work += [Job(location=v) for v in locations[1:]]
    parsed.education = [School(degree=v) for v, _ in entities.get("degrees", [])]
    parsed.education += [School(institution=v) for v, _ in entities.get("institutions", [])]
    parsed.skills = [SkillHit(name=v, confidence=c) for v, c in entities.get("skills", [])]
    return parsed


def folds(count: int, k: int, seed: int = SEED) -> list[list[int]]:
    order = list(range(count))
    random.Random(seed).shuffle(order)  # noqa: S311 - a reproducible split
    return [sorted(order[i::k]) for i in range(k)]


def cross_validate(
    path: str | Path, k: int = 5, *, log: Callable[[str], None] | None = None
) -> dict[str, dict[str, dict[str, float]]]:
    """k-fold cross-validation over documents, scored by `evaluation` (lenient): the tagger
    alone, the rules (`fields.parse_text`) alone and the rules with the tagger merged in
    (`combine.apply_tagger`). Option -> field -> precision, recall, F1."""
    from talentloop.resumes.evaluation import Counts, evaluate, read_dataset

    dataset = read_dataset(path)
    annotated = read_annotated(path)
    by_id = {a.id: a for a in annotated}
    docs = [d for d in dataset.documents if d.id in by_id]
    names = dataset.fields + dataset.extra_fields
    totals = {option: {f: Counts() for f in names} for option in ("tagger", "rules", "combined")}
    for number, held in enumerate(folds(len(docs), k)):
        held_set = set(held)
        model = train([by_id[d.id] for i, d in enumerate(docs) if i not in held_set], log=log)
        subset = type(dataset)(
            dataset.name,
            dataset.layout,
            dataset.path,
            [docs[i] for i in held],
            dataset.fields,
            dataset.extra_fields,
        )
        for option, parser in _parsers(model).items():
            report = evaluate(subset, parser)
            for name, counts in report.lenient.items():
                totals[option][name].add(counts)
        if log:
            log(f"fold {number + 1}/{k} done")
    return {
        option: {name: counts.as_dict() for name, counts in fields.items()}
        for option, fields in totals.items()
    }


def _parsers(model: Model) -> dict[str, Callable[[str], Any]]:
    from talentloop.resumes.combine import apply_tagger
    from talentloop.resumes.fields import parse_text

    def alone(text: str) -> Any:
        return entities_to_parsed(model.entities(text))

    def combined(text: str) -> Any:
        parsed = parse_text(text)
        apply_tagger(parsed, text, entities=model.entities(text))
        return parsed

    return {"tagger": alone, "rules": parse_text, "combined": combined}


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m talentloop.resumes.tagger")
    commands = parser.add_subparsers(dest="command", required=True)
    train_cmd = commands.add_parser("train", help="Train on a dotin-like data set.")
    train_cmd.add_argument("path")
    train_cmd.add_argument("--out", default=str(MODEL_PATH))
    train_cmd.add_argument("--epochs", type=int, default=EPOCHS)
    cv_cmd = commands.add_parser("cv", help="k-fold cross-validation, lenient P/R/F1.")
    cv_cmd.add_argument("path")
    cv_cmd.add_argument("--folds", type=int, default=5)
    tag_cmd = commands.add_parser("tag", help="Print the entities of a text file.")
    tag_cmd.add_argument("file")
    args = parser.parse_args(argv)

    def log(message: str) -> None:
        sys.stderr.write(message + "\n")

    if args.command == "train":
        started = time.perf_counter()
        model = train(read_annotated(args.path), epochs=args.epochs, log=log)
        model.save(args.out)
        size = Path(args.out).stat().st_size
        log(
            f"{len(model.weights)} features kept, {size / 1e6:.2f} MB, "
            f"{time.perf_counter() - started:.0f} s -> {args.out}"
        )
    elif args.command == "cv":
        results = cross_validate(args.path, args.folds, log=log)
        options = list(results)
        sys.stdout.write(f"{'field':<22}" + "".join(f"{o + ' P/R/F1':>22}" for o in options))
        sys.stdout.write("\n")
        for name in results["rules"]:
            cells = [results[o][name] for o in options]
            sys.stdout.write(
                f"{name:<22}"
                + "".join(f"{c['precision']:>10.3f}/{c['recall']:.3f}/{c['f1']:.3f}" for c in cells)
                + "\n"
            )
    else:
        text = Path(args.file).read_text(encoding="utf-8", errors="replace")
        for kind, found in tag_entities(text).items():
            sys.stdout.write(f"{kind}: " + "; ".join(f"{v} ({c:.2f})" for v, c in found) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
