"""Tokens and BM25 for match scoring. Pure Python, no Django.

`Corpus` holds the statistics BM25 needs (document count, total length, document frequency per
term). It is updated one document at a time (`add`/`remove`) so a workspace's statistics follow
its candidates without a rebuild; removing takes the same term counts that were added, so the
corpus never keeps the documents themselves.

Two scorings over the same statistics:

* `bm25` is plain Okapi BM25 (k1 1.2, b 0.75; every occurrence of a query term counts, as the
  usual implementations do). It is the baseline the ranking bench compares against.
* `lexical_similarity` is what the match score uses: the BM25 score divided by the geometric mean
  of both texts' BM25 scores against themselves, then square-rooted. Plain BM25 grows with the
  query's length, so a long query (a whole job description or a resume, "similar candidates")
  is dominated by its repeated words; dividing by the self-scores makes it a symmetric 0..1
  similarity that can sit beside the other criteria, and the square root spreads the low values
  where most pairs fall (measured: lexical scores of unrelated resumes sit near 0.05).
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

K1 = 1.2
B = 0.75

# Words and the "+"/"#" of "c++"/"c#"; dots join only inside a word ("node.js", "asp.net").
_WORD = re.compile(r"[a-z0-9][a-z0-9+#]*(?:\.[a-z0-9]+)*")

# Function words: they carry no evidence, and a long query repeats them hundreds of times.
_STOPWORDS = (
    "a an and as at by for from in into of on or the to with without via per its their your our "
    "my his her is are be was were this that these those it i me we you he she they them than "
    "then there here also such not no all any each both other which who whom what when where how "
    "can will may must should would could has have had do does did been being am so very more "
    "most well within over under up out about after before through during between while"
)
STOPWORDS = frozenset(_STOPWORDS.split())


def tokenize(text: str) -> list[str]:
    """Lower-case words in text order, every one kept (the baseline's view of a text)."""
    return _WORD.findall(text.lower())


def _stem(word: str) -> str:
    # Plural "-s"/"-ies" only: enough for "skills"/"skill", "companies"/"company", and safe for
    # names of tools ("pandas" keeps its "s" only by luck, which costs nothing here).
    if len(word) > 4 and word.endswith("ies"):
        return word[:-3] + "y"
    if len(word) > 3 and word.endswith("s") and not word.endswith(("ss", "us", "is")):
        return word[:-1]
    return word


def terms(text: str) -> list[str]:
    """Content words of `text`, plurals folded: what titles are compared on."""
    return [_stem(w) for w in tokenize(text) if w not in STOPWORDS and len(w) > 1]


def counts(text: str) -> Counter[str]:
    """Term counts of `text` for BM25 (the plain tokens)."""
    return Counter(tokenize(text))


@dataclass(slots=True)
class Corpus:
    """Document statistics for BM25 and idf, updated one document at a time."""

    documents: int = 0
    total_length: int = 0
    document_frequency: Counter[str] = field(default_factory=Counter)

    @classmethod
    def of(cls, documents: Iterable[Mapping[str, int]]) -> Corpus:
        corpus = cls()
        for document in documents:
            corpus.add(document)
        return corpus

    def add(self, document: Mapping[str, int]) -> None:
        """Count one document (its term counts) in."""
        self.documents += 1
        self.total_length += sum(document.values())
        self.document_frequency.update(document.keys())

    def remove(self, document: Mapping[str, int]) -> None:
        """Take out a document added before, given the same term counts.

        Raises ValueError when the counts were never added (the statistics would go negative).
        """
        if self.documents < 1 or any(self.document_frequency[t] < 1 for t in document):
            raise ValueError("This document was not added to the corpus.")
        self.documents -= 1
        self.total_length -= sum(document.values())
        for term in document:
            self.document_frequency[term] -= 1
            if not self.document_frequency[term]:
                del self.document_frequency[term]

    @property
    def average_length(self) -> float:
        return self.total_length / self.documents if self.documents else 0.0

    def idf(self, term: str) -> float:
        """BM25's idf, always positive (the "+1" variant), so a common word never subtracts."""
        df = self.document_frequency.get(term, 0)
        return math.log(1.0 + (self.documents - df + 0.5) / (df + 0.5))

    def weights(self, document: Mapping[str, int]) -> dict[str, float]:
        """The BM25 weight of each term of a document (saturated tf times idf).

        Precomputing it once per document makes scoring a query a sum over shared terms.
        """
        length = sum(document.values())
        norm = K1 * (1.0 - B + B * length / (self.average_length or 1.0))
        return {t: self.idf(t) * tf * (K1 + 1.0) / (tf + norm) for t, tf in document.items()}


def bm25(query: Mapping[str, int], document_weights: Mapping[str, float]) -> float:
    """Plain BM25 of a query (term counts, repeats count) against a document's `weights`."""
    shared = query.keys() & document_weights.keys()
    return sum(query[t] * document_weights[t] for t in shared)


def lexical_similarity(cross: float, query_self: float, document_self: float) -> float:
    """Symmetric 0..1 similarity from BM25 scores (see the module docstring): `cross` is the
    query's score against the document, the others each text's score against itself."""
    own = query_self * document_self
    if cross <= 0.0 or own <= 0.0:
        return 0.0
    return min(1.0, math.sqrt(cross / math.sqrt(own)))


def shared_terms(
    query: Mapping[str, int], document_weights: Mapping[str, float], limit: int = 8
) -> list[str]:
    """The query terms that add most to the BM25 score, best first: the lexical evidence."""
    scored = [
        (query[t] * w, t) for t, w in document_weights.items() if t in query and t not in STOPWORDS
    ]
    scored.sort(key=lambda pair: (-pair[0], pair[1]))
    return [t for _, t in scored[:limit]]


def tfidf_vector(words: Iterable[str], corpus: Corpus) -> dict[str, float]:
    """A unit-length vector of log-tf times idf: for short fields such as titles."""
    tf = Counter(words)
    vector = {t: (1.0 + math.log(n)) * corpus.idf(t) for t, n in tf.items()}
    norm = math.sqrt(sum(v * v for v in vector.values()))
    return {t: v / norm for t, v in vector.items()} if norm else {}


def cosine(a: Mapping[str, float], b: Mapping[str, float]) -> float:
    """Dot product of two unit-length sparse vectors."""
    if len(a) > len(b):
        a, b = b, a
    return sum(v * b[t] for t, v in a.items() if t in b)
