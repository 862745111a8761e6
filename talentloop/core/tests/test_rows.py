"""core.rows builds the same instances the ORM would, from hand-written SQL."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest

from talentloop.accounts.models import ApiKey, Workspace
from talentloop.candidates.models import Candidate
from talentloop.core import rows


def _select_candidate(candidate_id: int) -> tuple[object, ...] | None:
    sql = (
        f"SELECT {rows.columns(Candidate, 'c')}, c.id * 2 "  # noqa: S608 - test, our names
        f"FROM {Candidate._meta.db_table} c WHERE c.id = %s"
    )
    return rows.fetch_one(sql, [candidate_id], Candidate, extra=1)


CONTACTED = dt.datetime(2026, 3, 4, 5, 6, 7, 891011, tzinfo=dt.UTC)


def _give_typed_values(candidate: Candidate) -> None:
    """Values that need the ORM's converters: a decimal, JSON and a microsecond time."""
    Candidate.objects.filter(pk=candidate.pk).update(
        years_experience=Decimal("7.5"),
        custom_fields={"visa": True, "level": 3},
        last_contacted_at=CONTACTED,
    )


@pytest.mark.django_db
def test_a_candidate_equals_the_orm_one_field_by_field(candidate: Candidate) -> None:
    _give_typed_values(candidate)
    expected = Candidate.objects.get(pk=candidate.pk)

    found = _select_candidate(candidate.pk)

    assert found is not None
    loaded, doubled = found
    assert isinstance(loaded, Candidate)
    assert doubled == candidate.pk * 2
    for field in Candidate._meta.concrete_fields:
        assert getattr(loaded, field.attname) == getattr(expected, field.attname), field.name
    assert loaded.years_experience == Decimal("7.5")
    assert loaded.last_contacted_at == CONTACTED
    assert loaded._state.adding is False
    assert loaded._state.db == "default"


@pytest.mark.django_db
def test_no_row_is_none() -> None:
    assert _select_candidate(987654321) is None


@pytest.mark.django_db
def test_two_models_from_one_row(alice_actor: object) -> None:
    from talentloop.accounts.selectors import active_api_key
    from talentloop.accounts.services import _hash, create_api_key, revoke_api_key
    from talentloop.core.actor import Actor

    assert isinstance(alice_actor, Actor)
    key, secret = create_api_key(actor=alice_actor, name="Sync", scope="read")

    found = active_api_key(_hash(secret))

    assert isinstance(found, ApiKey)
    assert found.pk == key.pk and found.scope == "read" and found.created_at == key.created_at
    assert isinstance(found.workspace, Workspace)
    assert found.workspace.pk == alice_actor.workspace.pk
    assert found.workspace.name == alice_actor.workspace.name
    revoke_api_key(actor=alice_actor, key=key)
    assert active_api_key(_hash(secret)) is None


VALUE_NAMES = ("id", "first_name", "years_experience", "custom_fields", "last_contacted_at")


def _select_values(candidate_id: int) -> tuple[Any, ...] | None:
    sql = (
        f"SELECT {rows.value_columns(Candidate, 'c', VALUE_NAMES)}, c.id * 2 "  # noqa: S608
        f"FROM {Candidate._meta.db_table} c WHERE c.id = %s"
    )
    return rows.fetch_values(sql, [candidate_id], Candidate, VALUE_NAMES, extra=1)


@pytest.mark.django_db
def test_values_equal_the_orm_values(candidate: Candidate) -> None:
    _give_typed_values(candidate)
    expected = Candidate.objects.filter(pk=candidate.pk).values(*VALUE_NAMES).get()

    found = _select_values(candidate.pk)

    assert found is not None
    values, doubled = found
    assert values == expected
    assert list(values) == list(VALUE_NAMES)
    assert values["custom_fields"] == {"visa": True, "level": 3}
    assert values["last_contacted_at"] == CONTACTED
    assert doubled == candidate.pk * 2
    assert _select_values(987654321) is None


@pytest.mark.django_db
def test_every_rows_values_equal_the_orm_values(
    candidate: Candidate, candidate_factory: Callable[..., Candidate]
) -> None:
    _give_typed_values(candidate)
    other = candidate_factory(first_name="Alan", years_experience=None)
    sql = (
        f"SELECT {rows.value_columns(Candidate, 'c', VALUE_NAMES)} "  # noqa: S608
        f"FROM {Candidate._meta.db_table} c ORDER BY c.id"
    )

    found = rows.fetch_all_values(sql, [], Candidate, VALUE_NAMES)

    expected = list(Candidate.objects.order_by("id").values(*VALUE_NAMES))
    assert found == expected
    assert [values["id"] for values in found] == [candidate.pk, other.pk]
