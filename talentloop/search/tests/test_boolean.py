"""The boolean parser and its two compilers, as plain functions."""

from __future__ import annotations

import time

import pytest

from talentloop.search import boolean
from talentloop.search.boolean import And, Not, Or, QuerySyntaxError, Term, parse


def test_precedence_not_and_or() -> None:
    assert parse("a OR b AND c") == Or((Term(("a",)), And((Term(("b",)), Term(("c",))))))
    assert parse("a b OR c") == Or((And((Term(("a",)), Term(("b",)))), Term(("c",))))
    assert parse("NOT a b") == And((Not(Term(("a",))), Term(("b",))))
    assert parse("(a OR b) c") == And((Or((Term(("a",)), Term(("b",)))), Term(("c",))))
    assert parse("a and b or not c") == parse("a AND b OR NOT c")
    assert parse("a && b || !c") == parse("a AND b OR NOT c")
    assert parse("NOT NOT a") == Term(("a",))


def test_terms_phrases_prefix_and_fields() -> None:
    assert parse('"Machine  Learning"') == Term(("machine", "learning"))
    assert parse("node.js") == Term(("node", "js"))
    assert parse("full-stack") == Term(("full", "stack"))
    assert parse("-java") == Not(Term(("java",)))
    assert parse("engineer*") == Term(("engineer",), prefix=True)
    assert parse('"data eng"*') == Term(("data", "eng"), prefix=True)
    assert parse("Title:Zoë") == Term(("zoe",), "title")
    assert parse("skills:C++ skill:C# skill:.NET") == And(
        (
            Term(("cplusplus",), "skills"),
            Term(("csharp",), "skills"),
            Term(("dotnet",), "skills"),
        )
    )
    assert parse("title:(lead OR -junior)") == Or(
        (Term(("lead",), "title"), Not(Term(("junior",), "title")))
    )
    assert parse('company:"Acme Corp"') == Term(("acme", "corp"), "company")
    assert parse("\u201cdata science\u201d") == Term(("data", "science"))


@pytest.mark.parametrize(
    ("query", "position", "fragment"),
    [
        ("", 0, "Type something"),
        ("   ", 0, "Type something"),
        ("(java", 0, "never closed"),
        ("java)", 4, "closes nothing"),
        ("(a OR b))", 8, "closes nothing"),
        ("()", 1, "Empty parentheses"),
        ("AND java", 0, "before it"),
        ("java OR", 5, "after it"),
        ("java AND OR python", 5, "after it"),
        ("java NOT", 5, "after it"),
        ("-", 0, "no letters"),
        ('""', 0, "Empty quotes"),
        ('"  "', 0, "Empty quotes"),
        ('say "hello', 4, "never closed"),
        ("colour:red", 0, "Unknown field 'colour:'"),
        ("java http://x.test", 5, "Unknown field 'http:'"),
        ("title: java", 0, "no space"),
        ("title:", 0, "no space"),
        ("title:(company:x)", 7, "inside another field"),
        ("+++ java", 0, "no letters or digits"),
        ("*", 0, "no letters or digits"),
        ("(" * 25 + "a" + ")" * 25, 20, "nested"),
    ],
)
def test_malformed(query: str, position: int, fragment: str) -> None:
    with pytest.raises(QuerySyntaxError) as caught:
        parse(query)
    assert fragment in caught.value.message
    assert caught.value.position == position


def test_limits_fail_fast() -> None:
    started = time.perf_counter()
    with pytest.raises(QuerySyntaxError) as caught:
        parse(" OR ".join(f"term{i}" for i in range(10_000)))
    assert "limit is 2,000" in caught.value.message
    with pytest.raises(QuerySyntaxError) as caught:
        parse(" ".join("ab" for _ in range(boolean.MAX_TERMS + 1)))
    assert f"At most {boolean.MAX_TERMS} terms" in caught.value.message
    assert time.perf_counter() - started < 0.1
    assert isinstance(parse(" ".join("ab" for _ in range(boolean.MAX_TERMS))), And)


def test_fts5_quotes_every_word_and_handles_not() -> None:
    node = parse('title:"senior dev" (python OR go*) -php -"c#"')
    assert boolean.to_fts5(node) == (
        '((({title} : "senior dev" AND ("python" OR "go" *)) NOT "php") NOT "csharp")'
    )
    assert boolean.to_fts5(parse("NOT java")) == '("x0all" NOT "java")'
    assert boolean.to_fts5(parse("-a -b")) == '((("x0all") NOT "a") NOT "b")'
    assert boolean.to_fts5(parse("(NOT a) OR b")) == '(("x0all" NOT "a") OR "b")'
    # FTS5 syntax in the user's text is only ever words.
    assert boolean.to_fts5(parse('NEAR(a b) "x* OR y" ^z')) == (
        '("near" AND ("a" AND "b") AND "x or y" AND "z")'
    )


def test_tsquery_groups_by_vector_and_weights_fields() -> None:
    query = boolean.to_pg(parse("title:lead company:acme* skill:go -java"))
    assert query.sql == "d.doc @@ %s::tsquery"
    assert query.params == ("(lead:A & acme:*B & go:C & !java)",)
    query = boolean.to_pg(parse('name:"ann lee" OR location:paris school:mit'))
    assert query.sql == "d.meta @@ %s::tsquery"
    assert query.params == ("((ann:A <-> lee:A) | (paris:B & mit:C))",)
    mixed = boolean.to_pg(parse("engineer (name:ann OR -location:paris)"))
    assert mixed.sql == "(d.doc @@ %s::tsquery AND d.meta @@ %s::tsquery)"
    assert mixed.params == ("engineer", "(ann:A | !paris:B)")
    mixed = boolean.to_pg(parse("engineer OR -(name:ann title:lead)"))
    assert mixed.sql == (
        "(d.doc @@ %s::tsquery OR NOT ((d.meta @@ %s::tsquery AND d.doc @@ %s::tsquery)))"
    )
    assert mixed.params == ("engineer", "ann:A", "lead:A")


def test_words_fold_like_the_index() -> None:
    assert boolean.words("Zoë O'Brien, Straße") == ["zoe", "o", "brien", "strasse"]
    assert boolean.words("C++/C#, .NET and F#") == [
        "cplusplus",
        "csharp",
        "dotnet",
        "and",
        "fsharp",
    ]
    assert boolean.words("abc++") == ["abc"]
    assert boolean.describe(parse("a OR b c -d")) == "(a OR (b AND c AND NOT d))"
    assert boolean.positive_terms(parse("a -(b OR -c)")) == [Term(("a",)), Term(("c",))]
