"""Boolean search strings as sourcers write them, parsed and compiled for FTS5 and tsquery.

Pure: no Django, no database. The grammar, loosest binding first:

    query   := or
    or      := and ("OR" and)*
    and     := not (["AND"] not)*          two terms side by side mean AND
    not     := ("NOT" | "-") not | atom
    atom    := "(" or ")" | field ":" atom | '"' words '"' | word ["*"]

Operators are case-insensitive; `&&`, `||` and `!` work too. A field applies to the atom that
follows it (`title:(java OR kotlin)`, `company:"acme corp"`). A trailing `*` matches words
starting with the term (`engineer*`). A term that holds several words (`node.js`, `full-stack`)
is a phrase. Words are folded like the index folds them (lower case, no accents), and a few
names that folding would destroy keep a spelling of their own (C++, C#, F#, .NET).

Bad input raises QuerySyntaxError with a message for people and the 0-based character position
where the problem is. Long input is refused before any work: MAX_LENGTH characters, MAX_TERMS
terms, MAX_DEPTH nested parentheses.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from typing import Literal

MAX_LENGTH = 2_000
MAX_TERMS = 200
MAX_DEPTH = 20

# Field name as written -> the index column it searches. Plural and singular both work.
FIELDS: dict[str, str] = {
    "name": "name",
    "title": "title",
    "company": "company",
    "employer": "company",
    "skill": "skills",
    "skills": "skills",
    "location": "location",
    "loc": "location",
    "school": "school",
    "education": "school",
}
FIELD_NAMES = ("name", "title", "company", "skill", "location", "school")
COLUMNS = ("name", "title", "company", "skills", "location", "school", "body", "facets")
# Structured filters as index words in the `facets` column (never a field people type), so
# the full-text index intersects them with the text: see `facet`.
FACETS = "facets"

# Every document's body holds this word, so a query that is only NOT … has something to
# subtract from (FTS5 has no unary NOT).
ALL_WORD = "x0all"


class QuerySyntaxError(ValueError):
    """A malformed search string; `position` is the 0-based offset of the problem."""

    def __init__(self, message: str, position: int) -> None:
        super().__init__(message)
        self.message = message
        self.position = position


# --- words: the one folding both the index and the queries use ---------------------------

_WORD = re.compile(r"[0-9a-z]+")
_UNDECOMPOSABLE = str.maketrans(
    {"ß": "ss", "ø": "o", "ł": "l", "đ": "d", "ð": "d", "ħ": "h", "\u0131": "i", "þ": "th"}
)
_UNDECOMPOSABLE.update(str.maketrans({"æ": "ae", "œ": "oe"}))
# Spelled out before folding, since folding would keep only "c", "f" or "net".
_SPECIAL = re.compile(r"(?<![0-9a-z])(c\+\+|c#|f#|\.net)(?![0-9a-z+#])")
_SPECIAL_WORDS = {"c++": " cplusplus ", "c#": " csharp ", "f#": " fsharp ", ".net": " dotnet "}


def words(text: str) -> list[str]:
    """Lower-case, accent-free words: 'Zoë, C++ & .NET' -> ['zoe', 'cplusplus', 'dotnet']."""
    lowered = text.lower() if text.isascii() else text.casefold().translate(_UNDECOMPOSABLE)
    if "+" in lowered or "#" in lowered or ".net" in lowered:
        lowered = _SPECIAL.sub(lambda m: _SPECIAL_WORDS[m.group(1)], lowered)
    if not lowered.isascii():
        folded = unicodedata.normalize("NFKD", lowered)
        lowered = "".join(ch for ch in folded if not unicodedata.combining(ch))
    return _WORD.findall(lowered)


def facet(kind: str, value: object) -> str:
    """The index word of a structured value: facet("tag", 12) -> "ftag12"."""
    return "f" + kind + "".join(words(str(value)))


def index_text(*parts: str) -> str:
    """What one index column holds: the parts' words, in order, separated by spaces."""
    return " ".join(word for part in parts if part for word in words(part))


# --- the tree ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Term:
    """One word, or a phrase of several; `column` None means any column."""

    words: tuple[str, ...]
    column: str | None = None
    prefix: bool = False


@dataclass(frozen=True)
class Not:
    child: Node


@dataclass(frozen=True)
class And:
    children: tuple[Node, ...]


@dataclass(frozen=True)
class Or:
    children: tuple[Node, ...]


Node = Term | Not | And | Or


# --- tokenizer --------------------------------------------------------------------------

TokenKind = Literal["word", "phrase", "field", "and", "or", "not", "minus", "(", ")"]


@dataclass(frozen=True)
class Token:
    kind: TokenKind
    text: str
    position: int
    prefix: bool = False


_OPERATORS: dict[str, TokenKind] = {"and": "and", "or": "or", "not": "not"}
_SYMBOLS: dict[str, TokenKind] = {"&&": "and", "||": "or"}
_FIELD = re.compile(r"([A-Za-z]+):")
_QUOTES = {'"': '"', "\u201c": "\u201d", "\u201d": "\u201d", "\u201e": "\u201c"}
_STOP = set(' \t\r\n()"\u201c\u201d\u201e')


def tokenize(text: str) -> list[Token]:
    if len(text) > MAX_LENGTH:
        raise QuerySyntaxError(
            f"The search is {len(text):,} characters long; the limit is {MAX_LENGTH:,}.",
            MAX_LENGTH,
        )
    tokens: list[Token] = []
    terms = 0
    i, n = 0, len(text)
    while i < n:
        ch = text[i]
        if ch.isspace():
            i += 1
            continue
        if ch in "()":
            tokens.append(Token(ch, ch, i))  # type: ignore[arg-type]
            i += 1
            continue
        if ch in _QUOTES:
            close = _QUOTES[ch]
            end = text.find(close, i + 1)
            if end < 0 and close != '"':
                end = text.find('"', i + 1)
            if end < 0:
                raise QuerySyntaxError("This quote is never closed.", i)
            inner = text[i + 1 : end]
            if not inner.strip():
                raise QuerySyntaxError("Empty quotes: put a word or phrase between them.", i)
            prefix = end + 1 < n and text[end + 1] == "*"
            tokens.append(Token("phrase", inner, i, prefix=prefix))
            terms += 1
            i = end + (2 if prefix else 1)
        elif text.startswith(("&&", "||"), i):
            tokens.append(Token(_SYMBOLS[text[i : i + 2]], text[i : i + 2], i))
            i += 2
            continue
        elif ch in "-!" and i + 1 < n and not text[i + 1].isspace() and text[i + 1] != ")":
            # "-java" / "!java": NOT the next atom (a hyphen inside a word is part of it).
            tokens.append(Token("minus", ch, i))
            i += 1
            continue
        else:
            field = _FIELD.match(text, i)
            if field:
                tokens.append(Token("field", field.group(1), i))
                i = field.end()
                continue
            start = i
            while i < n and text[i] not in _STOP:
                i += 1
            raw = text[start:i]
            kind = _OPERATORS.get(raw.lower())
            if kind is not None:  # any case: "and", "Or", "NOT" (quote the word to find it)
                tokens.append(Token(kind, raw, start))
                continue
            prefix = raw.endswith("*") and len(raw.rstrip("*")) > 0
            tokens.append(Token("word", raw.rstrip("*"), start, prefix=prefix))
            terms += 1
        if terms > MAX_TERMS:
            raise QuerySyntaxError(f"At most {MAX_TERMS} terms in one search.", tokens[-1].position)
    return tokens


# --- parser -----------------------------------------------------------------------------


class _Parser:
    def __init__(self, text: str) -> None:
        self.text = text
        self.tokens = tokenize(text)
        self.at = 0
        self.depth = 0

    def peek(self) -> Token | None:
        return self.tokens[self.at] if self.at < len(self.tokens) else None

    def take(self) -> Token:
        token = self.tokens[self.at]
        self.at += 1
        return token

    def end_position(self) -> int:
        return len(self.text)

    def parse(self) -> Node:
        if not self.tokens:
            raise QuerySyntaxError("Type something to search for.", 0)
        node = self.parse_or(None)
        token = self.peek()
        if token is not None:  # only a stray ")" can stop the loops early
            raise QuerySyntaxError("This parenthesis closes nothing.", token.position)
        return node

    def parse_or(self, column: str | None) -> Node:
        children = [self.parse_and(column)]
        while (token := self.peek()) is not None and token.kind == "or":
            self.take()
            if self.peek() is None or self.peek().kind in ("or", "and", ")"):  # type: ignore[union-attr]
                raise QuerySyntaxError(f"{token.text} needs a term after it.", token.position)
            children.append(self.parse_and(column))
        return children[0] if len(children) == 1 else Or(tuple(children))

    def parse_and(self, column: str | None) -> Node:
        children = [self.parse_not(column)]
        while (token := self.peek()) is not None and token.kind not in ("or", ")"):
            if token.kind == "and":
                self.take()
                following = self.peek()
                if following is None or following.kind in ("or", "and", ")"):
                    raise QuerySyntaxError(f"{token.text} needs a term after it.", token.position)
            children.append(self.parse_not(column))
        return children[0] if len(children) == 1 else And(tuple(children))

    def parse_not(self, column: str | None) -> Node:
        token = self.peek()
        if token is not None and token.kind in ("not", "minus"):
            self.take()
            if self.peek() is None or self.peek().kind in ("or", "and", ")"):  # type: ignore[union-attr]
                raise QuerySyntaxError(f"{token.text} needs a term after it.", token.position)
            child = self.parse_not(column)
            return child.child if isinstance(child, Not) else Not(child)
        return self.parse_atom(column)

    def parse_atom(self, column: str | None) -> Node:
        token = self.peek()
        if token is None:
            raise QuerySyntaxError("The search ends where a term was expected.", len(self.text))
        if token.kind in ("and", "or"):
            raise QuerySyntaxError(f"{token.text} needs a term before it.", token.position)
        if token.kind == ")":
            raise QuerySyntaxError("Empty parentheses or a stray ')'.", token.position)
        self.take()
        if token.kind == "(":
            self.depth += 1
            if self.depth > MAX_DEPTH:
                raise QuerySyntaxError(f"At most {MAX_DEPTH} nested parentheses.", token.position)
            if self.peek() is None:
                raise QuerySyntaxError("This parenthesis is never closed.", token.position)
            node = self.parse_or(column)
            closing = self.peek()
            if closing is None or closing.kind != ")":
                raise QuerySyntaxError("This parenthesis is never closed.", token.position)
            self.take()
            self.depth -= 1
            return node
        if token.kind == "field":
            name = token.text.lower()
            if name not in FIELDS:
                raise QuerySyntaxError(
                    f"Unknown field '{token.text}:'. Fields: {', '.join(FIELD_NAMES)} "
                    "(put the text in quotes to search for it as it is).",
                    token.position,
                )
            following = self.peek()
            if (
                following is None
                or following.kind in (")", "and", "or")
                or (following.position > token.position + len(token.text) + 1)
            ):
                raise QuerySyntaxError(
                    f"Put a term right after '{token.text}:' (no space).", token.position
                )
            if column is not None and FIELDS[name] != column:
                raise QuerySyntaxError("A field inside another field.", token.position)
            return self.parse_not(FIELDS[name])
        found = words(token.text)
        if not found:
            raise QuerySyntaxError(
                f"'{token.text}' has no letters or digits to search for.", token.position
            )
        return Term(tuple(found), column, token.prefix)


def parse(text: str) -> Node:
    """The tree of `text`, or QuerySyntaxError."""
    return _Parser(text).parse()


# --- what a tree asks for -----------------------------------------------------------------


def positive_terms(node: Node, negated: bool = False) -> list[Term]:
    """The terms a match may contain (those not under a NOT): what snippets highlight."""
    if isinstance(node, Term):
        return [] if negated else [node]
    if isinstance(node, Not):
        return positive_terms(node.child, not negated)
    return [term for child in node.children for term in positive_terms(child, negated)]


def describe(node: Node) -> str:
    """The tree as fully parenthesized text: how the search was understood."""
    if isinstance(node, Term):
        body = " ".join(node.words)
        body = f'"{body}"' if len(node.words) > 1 else body
        body += "*" if node.prefix else ""
        return f"{node.column}:{body}" if node.column else body
    if isinstance(node, Not):
        return f"NOT {describe(node.child)}"
    joiner = " AND " if isinstance(node, And) else " OR "
    return "(" + joiner.join(describe(child) for child in node.children) + ")"


# --- FTS5 ---------------------------------------------------------------------------------


def to_fts5(node: Node) -> str:
    """An FTS5 MATCH expression. Every word is double-quoted, so no user text is syntax."""
    if isinstance(node, Not):
        return f'("{ALL_WORD}" NOT {_fts(node.child)})'
    return _fts(node)


def _fts(node: Node) -> str:
    if isinstance(node, Term):
        # Words are [0-9a-z]+ (see `words`), so a double quote can never appear inside.
        phrase = '"' + " ".join(node.words) + '"' + (" *" if node.prefix else "")
        return f"{{{node.column}}} : {phrase}" if node.column else phrase
    if isinstance(node, Not):
        return f'("{ALL_WORD}" NOT {_fts(node.child)})'
    if isinstance(node, Or):
        return "(" + " OR ".join(_fts(child) for child in node.children) + ")"
    positives = [child for child in node.children if not isinstance(child, Not)]
    negatives = [child.child for child in node.children if isinstance(child, Not)]
    if not positives:
        positives_sql = f'"{ALL_WORD}"'
    else:
        positives_sql = " AND ".join(_fts(child) for child in positives)
    # FTS5's NOT is binary: "a AND b NOT c NOT d".
    out = f"({positives_sql})"
    for negative in negatives:
        out = f"({out} NOT {_fts(negative)})"
    return out


# --- PostgreSQL tsquery -----------------------------------------------------------------

# Two tsvectors per document (migrations 0002-0004): `doc` holds every column, weighted
# A title, B company, C skills, D the rest (facets too); `meta` holds name A, location B,
# school C.
PG_WEIGHTS: dict[str, tuple[str, str]] = {
    "title": ("doc", "A"),
    "company": ("doc", "B"),
    "skills": ("doc", "C"),
    "name": ("meta", "A"),
    "location": ("meta", "B"),
    "school": ("meta", "C"),
    # Facet words are unlike any other word, so they need no weight; in `doc`, a filter and
    # the text are one tsquery, one GIN lookup, one estimate (migration 0004).
    "facets": ("doc", ""),
}


@dataclass(frozen=True)
class PgQuery:
    """A condition over the two tsvectors: `sql` with `%s` where each tsquery goes."""

    sql: str
    params: tuple[str, ...]


def _pg_vector(node: Node) -> str | None:
    """The one vector every term of `node` reads, or None when it reads both."""
    if isinstance(node, Term):
        return PG_WEIGHTS[node.column][0] if node.column else "doc"
    child_nodes = (node.child,) if isinstance(node, Not) else node.children
    vectors = {_pg_vector(child) for child in child_nodes}
    return vectors.pop() if len(vectors) == 1 else None


def _tsquery(node: Node) -> str:
    if isinstance(node, Term):
        weight = PG_WEIGHTS[node.column][1] if node.column else ""
        parts = [f"{word}:{weight}" if weight else word for word in node.words]
        if node.prefix:
            parts[-1] = f"{node.words[-1]}:*{weight}"
        return parts[0] if len(parts) == 1 else "(" + " <-> ".join(parts) + ")"
    if isinstance(node, Not):
        return f"!{_tsquery(node.child)}"
    joiner = " & " if isinstance(node, And) else " | "
    return "(" + joiner.join(_tsquery(child) for child in node.children) + ")"


def to_pg(node: Node, alias: str = "d") -> PgQuery:
    """A SQL condition on `alias`.doc / `alias`.meta; each tsquery is a bound parameter.

    A subtree that reads one vector becomes one tsquery (one GIN lookup); only a mix of
    fields splits into several conditions joined by AND / OR / NOT.
    """
    vector = _pg_vector(node)
    if vector is not None:
        return PgQuery(f"{alias}.{vector} @@ %s::tsquery", (_tsquery(node),))
    if isinstance(node, Not):
        inner = to_pg(node.child, alias)
        return PgQuery(f"NOT ({inner.sql})", inner.params)
    assert not isinstance(node, Term)
    parts = [to_pg(child, alias) for child in node.children]
    joiner = " AND " if isinstance(node, And) else " OR "
    return PgQuery(
        "(" + joiner.join(part.sql for part in parts) + ")",
        tuple(param for part in parts for param in part.params),
    )
