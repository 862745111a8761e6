"""Each rule operator against real rows (SQLite and PostgreSQL), and AND/OR nesting."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
import time_machine
from django.utils import timezone

from talentloop.candidates.models import Activity, Candidate
from talentloop.candidates.services import define_custom_field, log_touchpoint
from talentloop.core.actor import Actor
from talentloop.pools import services
from talentloop.pools.models import Pool, PoolStage
from talentloop.pools.selectors import matching_candidates


@pytest.fixture
def people(
    candidate_factory: Callable[..., Candidate], alice_actor: Actor, bob: Any
) -> dict[str, Candidate]:
    """Three people who differ in every field the rules read."""
    define_custom_field(actor=alice_actor, key="visa", label="Needs visa", field_type="boolean")
    define_custom_field(actor=alice_actor, key="salary", label="Salary", field_type="number")
    define_custom_field(actor=alice_actor, key="available", label="Available", field_type="date")
    define_custom_field(
        actor=alice_actor, key="level", label="Level", field_type="choice", choices=["L1", "L2"]
    )
    define_custom_field(actor=alice_actor, key="contains", label="Odd key", field_type="text")
    ana = candidate_factory(
        first_name="Ana",
        current_title="Senior Python Engineer",
        current_company="Initech",
        city="Lisbon",
        country="PT",
        seniority="senior",
        years_experience=8,
        source="referral",
        tags=["python", "remote"],
        custom_fields={
            "visa": True,
            "salary": 90000,
            "available": "2026-07-01",
            "level": "L2",
            "contains": "yes",
        },
    )
    ben = candidate_factory(
        first_name="Ben",
        current_title="Data Analyst",
        current_company="Globex",
        city="Berlin",
        country="DE",
        seniority="junior",
        years_experience=2,
        source="sourced",
        tags=["sql"],
        custom_fields={"visa": False, "salary": 50000, "available": "2026-01-15", "level": "L1"},
        owner_id=bob.pk,
    )
    cy = candidate_factory(first_name="Cy", source="event")  # almost everything empty
    return {"ana": ana, "ben": ben, "cy": cy}


def names(actor: Actor, rules: Any) -> list[str]:
    return sorted(c.first_name for c in matching_candidates(actor, rules))


def one(field: str, op: str, value: Any = None, **extra: Any) -> dict[str, Any]:
    rule = {"field": field, "op": op, **extra}
    if value is not None:
        rule["value"] = value
    return {"all": [rule]}


@pytest.mark.parametrize(
    ("field", "op", "value", "expected"),
    [
        ("city", "eq", "lisbon", ["Ana"]),
        ("city", "ne", "Lisbon", ["Ben", "Cy"]),
        ("title", "contains", "python", ["Ana"]),
        ("title", "not_contains", "python", ["Ben", "Cy"]),
        ("company", "starts_with", "glo", ["Ben"]),
        ("city", "in", ["Berlin", "Paris"], ["Ben"]),
        ("city", "not_in", ["Berlin", "Paris"], ["Ana", "Cy"]),
        ("city", "is_empty", None, ["Cy"]),
        ("city", "is_not_empty", None, ["Ana", "Ben"]),
        ("country", "eq", "de", ["Ben"]),
        ("seniority", "eq", "senior", ["Ana"]),
        ("seniority", "ne", "senior", ["Ben", "Cy"]),
        ("seniority", "in", ["senior", "junior"], ["Ana", "Ben"]),
        ("seniority", "not_in", ["senior"], ["Ben", "Cy"]),
        ("seniority", "is_empty", None, ["Cy"]),
        ("source", "eq", "referral", ["Ana"]),
        ("years_experience", "gt", 2, ["Ana"]),
        ("years_experience", "gte", 2, ["Ana", "Ben"]),
        ("years_experience", "lt", "8", ["Ben"]),
        ("years_experience", "lte", 8, ["Ana", "Ben"]),
        ("years_experience", "eq", 8, ["Ana"]),
        ("years_experience", "ne", 8, ["Ben", "Cy"]),  # "not equal" includes empty, as for text
        ("years_experience", "is_empty", None, ["Cy"]),
        ("tag", "has", "Python", ["Ana"]),
        ("tag", "has_not", "python", ["Ben", "Cy"]),
        ("tag", "has_any", ["sql", "remote"], ["Ana", "Ben"]),
        ("tag", "has_all", ["python", "remote"], ["Ana"]),
        ("tag", "has_all", ["python", "sql"], []),
        ("tag", "has_none", ["sql", "remote"], ["Cy"]),
        ("custom.visa", "is_true", None, ["Ana"]),
        ("custom.visa", "is_false", None, ["Ben"]),
        ("custom.visa", "is_empty", None, ["Cy"]),
        ("custom.visa", "is_not_empty", None, ["Ana", "Ben"]),
        ("custom.salary", "gt", 60000, ["Ana"]),
        ("custom.salary", "lte", 50000, ["Ben"]),
        ("custom.salary", "eq", 50000, ["Ben"]),
        ("custom.salary", "ne", 50000, ["Ana", "Cy"]),
        ("custom.available", "before", "2026-03-01", ["Ben"]),
        ("custom.available", "after", "2026-03-01", ["Ana"]),
        ("custom.available", "eq", "2026-07-01", ["Ana"]),
        ("custom.level", "eq", "L1", ["Ben"]),
        ("custom.level", "ne", "L1", ["Ana", "Cy"]),
        ("custom.level", "in", ["L1", "L2"], ["Ana", "Ben"]),
        ("custom.level", "not_in", ["L2"], ["Ben", "Cy"]),
        ("custom.contains", "eq", "YES", ["Ana"]),  # a key named like a lookup is still a key
        ("custom.contains", "contains", "e", ["Ana"]),
        ("custom.contains", "not_contains", "e", ["Ben", "Cy"]),
    ],
)
def test_operator(
    people: dict[str, Candidate],
    alice_actor: Actor,
    field: str,
    op: str,
    value: Any,
    expected: list[str],
) -> None:
    assert names(alice_actor, one(field, op, value)) == expected


def test_owner_operators(people: dict[str, Candidate], alice_actor: Actor, bob: Any) -> None:
    assert names(alice_actor, one("owner", "eq", bob.pk)) == ["Ben"]
    assert names(alice_actor, one("owner", "eq", "me")) == ["Ana", "Cy"]
    assert names(alice_actor, one("owner", "ne", bob.pk)) == ["Ana", "Cy"]
    assert names(alice_actor, one("owner", "in", [bob.pk, "me"])) == ["Ana", "Ben", "Cy"]
    assert names(alice_actor, one("owner", "not_in", ["me"])) == ["Ben"]
    assert names(alice_actor, one("owner", "is_empty")) == []


def test_date_operators_with_relative_periods(
    candidate_factory: Callable[..., Candidate], alice_actor: Actor
) -> None:
    with time_machine.travel(dt.datetime(2026, 1, 1, tzinfo=dt.UTC), tick=False):
        old = candidate_factory(first_name="Old")
    with time_machine.travel(dt.datetime(2026, 5, 20, tzinfo=dt.UTC), tick=False):
        new = candidate_factory(first_name="New")
        log_touchpoint(actor=alice_actor, candidate=new, type="call", summary="Intro call")
    with time_machine.travel(dt.datetime(2026, 6, 1, tzinfo=dt.UTC), tick=False):
        assert names(alice_actor, one("created_at", "older_than", 90)) == ["Old"]
        assert names(alice_actor, one("created_at", "older_than", "3m")) == ["Old"]
        assert names(alice_actor, one("created_at", "newer_than", "2w")) == ["New"]
        assert names(alice_actor, one("created_at", "before", "2026-03-01")) == ["Old"]
        assert names(alice_actor, one("created_at", "after", "2026-03-01T00:00:00Z")) == ["New"]
        assert names(alice_actor, one("last_contacted_at", "is_empty")) == ["Old"]
        assert names(alice_actor, one("last_contacted_at", "newer_than", "30d")) == ["New"]
        # Never contacted is not "contacted more than 90 days ago".
        assert names(alice_actor, one("last_contacted_at", "older_than", 90)) == []
    assert old.pk != new.pk


def test_activity_operators(
    candidate_factory: Callable[..., Candidate], alice_actor: Actor
) -> None:
    with time_machine.travel(dt.datetime(2026, 1, 1, tzinfo=dt.UTC), tick=False):
        caller = candidate_factory(first_name="Caller")
        log_touchpoint(actor=alice_actor, candidate=caller, type="call", summary="Old call")
    quiet = candidate_factory(first_name="Quiet")
    assert quiet.pk
    with time_machine.travel(dt.datetime(2026, 6, 1, tzinfo=dt.UTC), tick=False):
        assert names(alice_actor, one("activity.call", "ever")) == ["Caller"]
        assert names(alice_actor, one("activity.call", "never")) == ["Quiet"]
        assert names(alice_actor, one("activity.call", "within", "30d")) == []
        assert names(alice_actor, one("activity.call", "not_within", "30d")) == ["Caller", "Quiet"]
        assert names(alice_actor, one("activity.call", "within", "1y")) == ["Caller"]
        # Any type: every candidate has "created" on its timeline.
        assert names(alice_actor, one("activity", "ever")) == ["Caller", "Quiet"]


def test_private_notes_do_not_count_as_activity(
    candidate_factory: Callable[..., Candidate], alice_actor: Actor
) -> None:
    from talentloop.candidates.services import add_note

    noted = candidate_factory(first_name="Noted")
    add_note(actor=alice_actor, candidate=noted, body="Mine only", visibility="private")

    assert names(alice_actor, one("activity.note", "ever")) == []
    assert Activity.objects.filter(candidate=noted, type="note").count() == 1


def test_pool_and_stage_operators(
    people: dict[str, Candidate],
    alice_actor: Actor,
    pool: Pool,
    pool_factory: Callable[..., Pool],
    stages: dict[str, PoolStage],
) -> None:
    other = pool_factory(name="Data")
    services.add_to_pool(actor=alice_actor, pool=pool, candidate=people["ana"])
    services.add_to_pool(
        actor=alice_actor, pool=other, candidate=people["ben"], stage=stages["engaged"]
    )

    assert names(alice_actor, one("pool", "in", pool.pk)) == ["Ana"]
    assert names(alice_actor, one("pool", "in", [pool.pk, other.pk])) == ["Ana", "Ben"]
    assert names(alice_actor, one("pool", "not_in", pool.pk)) == ["Ben", "Cy"]
    assert names(alice_actor, one("stage", "eq", "engaged")) == ["Ben"]
    assert names(alice_actor, one("stage", "eq", stages["engaged"].pk)) == ["Ben"]
    assert names(alice_actor, one("stage", "in", [stages["new"].pk, "Engaged"])) == ["Ana", "Ben"]
    assert names(alice_actor, one("stage", "eq", "Engaged", pool=pool.pk)) == []
    assert names(alice_actor, one("stage", "in", ["New", "Engaged"])) == ["Ana", "Ben"]
    assert names(alice_actor, one("stage", "ne", "new")) == ["Ben", "Cy"]
    assert names(alice_actor, one("stage", "not_in", ["new"], pool=other.pk)) == [
        "Ana",
        "Ben",
        "Cy",
    ]


def test_and_or_nesting(people: dict[str, Candidate], alice_actor: Actor) -> None:
    rules: dict[str, Any] = {
        "any": [
            {
                "all": [
                    {"field": "tag", "op": "has", "value": "python"},
                    {"field": "years_experience", "op": "gte", "value": 5},
                ]
            },
            {
                "all": [
                    {"field": "city", "op": "eq", "value": "Berlin"},
                    {"any": [{"field": "seniority", "op": "eq", "value": "senior"}]},
                ]
            },
            {"field": "source", "op": "eq", "value": "event"},
        ]
    }

    assert names(alice_actor, rules) == ["Ana", "Cy"]
    rules["any"][1]["all"][1]["any"].append({"field": "seniority", "op": "eq", "value": "junior"})
    assert names(alice_actor, rules) == ["Ana", "Ben", "Cy"]
    assert names(alice_actor, {"all": rules["any"]}) == []


def test_leaves_out_deleted_archived_and_other_workspaces(
    people: dict[str, Candidate], alice_actor: Actor, charlie_candidate: Candidate
) -> None:
    from talentloop.candidates.services import delete_candidate, update_candidate

    delete_candidate(actor=alice_actor, candidate=people["ana"])
    update_candidate(actor=alice_actor, candidate=people["ben"], data={"is_archived": True})

    assert names(alice_actor, one("first_name", "is_not_empty")) == ["Cy"]


def test_hiring_manager_matches_only_own_candidates(
    people: dict[str, Candidate], member_factory: Any, acme: Any
) -> None:
    from talentloop.core.tests.fixtures import actor_for

    harry = member_factory("harry@acme.test", acme, "hiring_manager")
    Candidate.objects.filter(pk=people["cy"].pk).update(owner=harry, updated_at=timezone.now())

    assert names(actor_for(harry), one("first_name", "is_not_empty")) == ["Cy"]


def test_counts_in_one_query(
    people: dict[str, Candidate], alice_actor: Actor, django_assert_num_queries: Any
) -> None:
    from talentloop.pools.selectors import rule_context

    context = rule_context(alice_actor)
    rules = {
        "any": [
            {"field": "tag", "op": "has_any", "value": ["python", "sql"]},
            {"field": "activity.call", "op": "within", "value": "30d"},
            {"field": "custom.salary", "op": "gt", "value": 1},
        ]
    }
    with django_assert_num_queries(1):
        assert matching_candidates(alice_actor, rules, context).count() == 2
