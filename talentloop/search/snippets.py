"""Where a search matched, as escaped HTML with <mark> around the matching words.

Pure: the text shown is the original (case, accents, punctuation kept); each of its words is
folded like the index folds it and compared with the query's terms, so what is marked is what
the index matched. Run only over the page of results shown.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from html import escape
from typing import Any

from talentloop.search.boolean import Term, words

# A word as people write it, with the spellings folding would destroy (C++, C#, .NET).
_TOKEN = re.compile(r"\.?\w+(?:\+\+|#)?")
SNIPPET_WORDS = 30
_LEAD = 8  # words shown before the first match


def _spans(text: str) -> list[tuple[int, int, str]]:
    """(start, end, folded word) for each folded word of `text`; a word may fold to several."""
    return [
        (match.start(), match.end(), word)
        for match in _TOKEN.finditer(text)
        for word in words(match.group())
    ]


def _applies(term: Term, column: str | None) -> bool:
    return term.column is None or term.column == column


def _matched(
    spans: list[tuple[int, int, str]], terms: Iterable[Term], column: str | None
) -> set[int]:
    """Indexes into `spans` of the words some term matches (a phrase: all of its words)."""
    hits: set[int] = set()
    folded = [word for _, _, word in spans]
    for term in terms:
        if not _applies(term, column):
            continue
        size = len(term.words)
        for i in range(len(folded) - size + 1):
            ok = all(folded[i + k] == term.words[k] for k in range(size - 1))
            last = folded[i + size - 1]
            if ok and (last.startswith(term.words[-1]) if term.prefix else last == term.words[-1]):
                hits.update(range(i, i + size))
    return hits


def _render(text: str, spans: list[tuple[int, int, str]], hits: set[int], lo: int, hi: int) -> str:
    """text[lo:hi] escaped, marked spans wrapped in <mark>."""
    out: list[str] = []
    at = lo
    marked = sorted({(spans[i][0], spans[i][1]) for i in hits if lo <= spans[i][0] < hi})
    for start, end in marked:
        if start < at:
            continue
        out.append(escape(text[at:start]))
        out.append(f"<mark>{escape(text[start:end])}</mark>")
        at = end
    out.append(escape(text[at:hi]))
    return "".join(out)


def mark(text: str, terms: Iterable[Term], column: str | None = None) -> str:
    """All of a short `text` (a title, a company), with matches marked."""
    if not text:
        return ""
    spans = _spans(text)
    return _render(text, spans, _matched(spans, list(terms), column), 0, len(text))


def fragment(text: str, terms: Iterable[Term], column: str | None = None) -> str:
    """About SNIPPET_WORDS words of `text` around its first match ("" when nothing matches)."""
    if not text:
        return ""
    spans = _spans(text)
    hits = _matched(spans, list(terms), column)
    if not hits:
        return ""
    first = min(hits)
    begin = max(0, first - _LEAD)
    end = min(len(spans), begin + SNIPPET_WORDS)
    lo = spans[begin][0] if begin else 0
    hi = spans[end - 1][1] if end < len(spans) else len(text)
    body = _render(text, spans, hits, lo, hi)
    body = " ".join(body.split())  # resume text keeps its line breaks; a snippet is one line
    return ("… " if lo else "") + body + (" …" if hi < len(text) else "")


def best_fragment(texts: Iterable[str], terms: Iterable[Term]) -> str:
    """The fragment of the first text with a match (headline, summary, resume text, in order)."""
    terms = [t for t in terms if t.column is None]
    for text in texts:
        found = fragment(text, terms)
        if found:
            return found
    return ""


def skill_names(resume: Any) -> list[str]:
    """The skill names of a JSON Resume, as written."""
    skills = resume.get("skills") if isinstance(resume, dict) else None
    if not isinstance(skills, list):
        return []
    return [s["name"] for s in skills if isinstance(s, dict) and isinstance(s.get("name"), str)]
