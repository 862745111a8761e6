"""Tokens, corpus statistics and BM25."""

import pytest

from talentloop.matching import text


def test_tokenize_keeps_tool_names_whole() -> None:
    assert text.tokenize("Node.js, C++ and C# (ASP.NET)") == [
        "node.js",
        "c++",
        "and",
        "c#",
        "asp.net",
    ]


def test_terms_drop_function_words_and_fold_plurals() -> None:
    assert text.terms("Head of Companies and Skills") == ["head", "company", "skill"]


def test_adding_then_removing_a_document_restores_the_statistics() -> None:
    first, second = text.counts("python developer"), text.counts("python python chef")
    corpus = text.Corpus.of([first])
    corpus.add(second)
    corpus.remove(second)

    assert corpus == text.Corpus.of([first])
    assert corpus.document_frequency == {"python": 1, "developer": 1}


def test_refuses_to_remove_a_document_never_added() -> None:
    corpus = text.Corpus.of([text.counts("python developer")])

    with pytest.raises(ValueError, match="not added"):
        corpus.remove(text.counts("pastry chef"))
    assert corpus.documents == 1


def test_bm25_prefers_the_document_with_the_rare_query_term() -> None:
    docs = [text.counts(t) for t in ("kotlin android developer", "java developer", "chef")]
    corpus = text.Corpus.of(docs)
    query = text.counts("kotlin developer")
    scores = [text.bm25(query, corpus.weights(d)) for d in docs]

    assert scores[0] > scores[1] > scores[2] == 0.0


def test_lexical_similarity_is_one_for_a_text_against_itself() -> None:
    doc = text.counts("kotlin android developer")
    corpus = text.Corpus.of([doc, text.counts("chef")])
    own = text.bm25(doc, corpus.weights(doc))

    assert text.lexical_similarity(own, own, own) == 1.0
    assert text.lexical_similarity(0.0, own, own) == 0.0


def test_tfidf_vectors_are_unit_length_and_cosine_of_disjoint_is_zero() -> None:
    corpus = text.Corpus.of([{"chef": 1}, {"data": 1, "engineer": 1}])
    a = text.tfidf_vector(["data", "engineer"], corpus)

    assert sum(v * v for v in a.values()) == pytest.approx(1.0)
    assert text.cosine(a, text.tfidf_vector(["chef"], corpus)) == 0.0
