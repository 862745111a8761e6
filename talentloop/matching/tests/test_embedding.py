"""The offline embedding model."""

import math

import pytest

from talentloop.matching import embedding


def test_vectors_are_unit_length_and_the_same_for_the_same_text() -> None:
    first = embedding.embed(["Senior Python developer, Django and PostgreSQL"])
    again = embedding.embed(["Senior Python developer, Django and PostgreSQL", "Pastry chef"])

    assert len(first[0]) == embedding.DIMENSIONS
    assert math.isclose(sum(v * v for v in first[0]), 1.0, rel_tol=1e-6)
    assert again[0] == first[0]


def test_related_texts_are_closer_than_unrelated_ones() -> None:
    python, django, pastry = embedding.embed(
        ["Python backend developer", "Django web developer", "Pastry chef in a bakery"]
    )

    assert embedding.similarity(python, django) > embedding.similarity(python, pastry)


def test_an_empty_text_gets_the_zero_vector() -> None:
    assert embedding.embed(["  "]) == [(0.0,) * embedding.DIMENSIONS]
    assert embedding.embed([]) == []


@pytest.mark.parametrize("texts", ["one string", [b"bytes"], [None]])
def test_refuses_what_is_not_a_list_of_strings(texts: object) -> None:
    with pytest.raises(TypeError):
        embedding.embed(texts)  # type: ignore[arg-type]


def test_refuses_vectors_of_different_sizes() -> None:
    with pytest.raises(ValueError, match="different sizes"):
        embedding.similarity((1.0, 0.0), (1.0,))
