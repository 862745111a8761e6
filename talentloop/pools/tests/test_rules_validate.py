"""The rule grammar's checks: pure functions, no database."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from talentloop.pools.rules import RuleContext, RuleError, compile_rules, fields_in_use

NOW = dt.datetime(2026, 6, 1, 12, 0, tzinfo=dt.UTC)
CONTEXT = RuleContext(
    now=NOW,
    me=7,
    custom_fields={"visa": ("boolean", ()), "level": ("choice", ("L1", "L2"))},
    pool_ids=frozenset({3}),
    stages={"new": 1, "engaged": 3},
)


def error_of(rules: Any) -> str:
    with pytest.raises(RuleError) as info:
        compile_rules(rules, CONTEXT)
    return info.value.message


@pytest.mark.parametrize(
    ("rules", "message"),
    [
        ([], 'rules: expected a group such as {"all": [...]} or {"any": [...]}'),
        ({"both": []}, 'rules: a group has exactly one key, "all" or "any" (found both)'),
        (
            {"all": [], "any": []},
            'rules: a group has exactly one key, "all" or "any" (found all, any)',
        ),
        ({"all": []}, "rules.all: add at least one rule"),
        ({"all": "city"}, "rules.all: expected a list of rules"),
        (
            {
                "all": [
                    {"field": "city", "op": "eq", "value": "Paris"},
                    {"field": "city", "op": "~"},
                ]
            },
            'rules.all[1].op: unknown operator "~" for city (use one of: eq, ne, contains, '
            "not_contains, starts_with, in, not_in, is_empty, is_not_empty)",
        ),
        (
            {"any": [{"field": "shoe_size", "op": "eq", "value": 4}]},
            'rules.any[0].field: unknown field "shoe_size"',
        ),
        ({"any": [{"op": "eq", "value": 4}]}, "rules.any[0].field: name a field"),
        ({"any": [{"field": "city", "value": 4}]}, "rules.any[0].op: name an operator"),
        ({"any": [{"field": "city", "op": "eq"}]}, "rules.any[0].value: give a value"),
        (
            {"any": [{"field": "city", "op": "eq", "value": 4}]},
            "rules.any[0].value: expected some text",
        ),
        (
            {"any": [{"field": "city", "op": "is_empty", "value": "x"}]},
            'rules.any[0].value: "is_empty" takes no value',
        ),
        (
            {"any": [{"field": "city", "op": "eq", "value": "x", "colour": 1}]},
            'rules.any[0]: unknown key "colour"',
        ),
        (
            {"any": ["city"]},
            'rules.any[0]: expected a rule such as {"field": "city", "op": "eq", ...}',
        ),
        (
            {"all": [{"any": [{"field": "seniority", "op": "in", "value": ["senior", "guru"]}]}]},
            'rules.all[0].any[0].value[1]: "guru" is not one of: intern, junior, mid, senior, '
            "lead, principal, manager, director, executive",
        ),
        (
            {"all": [{"field": "years_experience", "op": "gt", "value": "many"}]},
            "rules.all[0].value: expected a number",
        ),
        (
            {"all": [{"field": "years_experience", "op": "gt", "value": True}]},
            "rules.all[0].value: expected a number",
        ),
        (
            {"all": [{"field": "last_contacted_at", "op": "older_than", "value": "soon"}]},
            'rules.all[0].value: expected a period such as 90 (days), "12w", "6m" or "1y"',
        ),
        (
            {"all": [{"field": "created_at", "op": "before", "value": "2026-02-30"}]},
            "rules.all[0].value: expected a date as YYYY-MM-DD or an ISO date-time",
        ),
        (
            {"all": [{"field": "pool", "op": "in", "value": 4}]},
            "rules.all[0].value: no such pool 4",
        ),
        (
            {"all": [{"field": "pool", "op": "in", "value": [3, 9]}]},
            "rules.all[0].value[1]: no such pool 9",
        ),
        (
            {"all": [{"field": "pool", "op": "in", "value": "3"}]},
            "rules.all[0].value: expected an id (a positive whole number)",
        ),
        (
            {"all": [{"field": "stage", "op": "eq", "value": "Hired"}]},
            'rules.all[0].value: no stage "Hired" (stages: engaged, new)',
        ),
        (
            {"all": [{"field": "stage", "op": "eq", "value": "New", "pool": 8}]},
            "rules.all[0].pool: no such pool 8",
        ),
        ({"all": [{"field": "stage", "op": "eq", "value": 2}]}, "rules.all[0].value: no stage 2"),
        (
            {"all": [{"field": "stage", "op": "in", "value": ["new", 9]}]},
            "rules.all[0].value[1]: no stage 9",
        ),
        (
            {"all": [{"field": "stage", "op": "in", "value": "new"}]},
            "rules.all[0].value: expected a list of 1 to 100 stages",
        ),
        (
            {"all": [{"field": "stage", "op": "eq", "value": ["new"]}]},
            "rules.all[0].value: expected a stage name or id",
        ),
        (
            {"all": [{"field": "city", "op": "eq", "value": "x", "pool": 3}]},
            'rules.all[0].pool: only a "stage" rule names a pool',
        ),
        (
            {"all": [{"field": "activity.dance", "op": "ever"}]},
            'rules.all[0].field: unknown activity type "dance"',
        ),
        (
            {"all": [{"field": "custom.height", "op": "eq", "value": 1}]},
            'rules.all[0].field: unknown custom field "height"',
        ),
        (
            {"all": [{"field": "custom.visa", "op": "gt", "value": 1}]},
            'rules.all[0].op: unknown operator "gt" for custom.visa '
            "(use one of: is_true, is_false, is_empty, is_not_empty)",
        ),
        (
            {"all": [{"field": "custom.level", "op": "eq", "value": "L9"}]},
            'rules.all[0].value: "L9" is not one of: L1, L2',
        ),
        (
            {"all": [{"field": "owner", "op": "eq", "value": [1, 2]}]},
            'rules.all[0].value: "eq" takes one user id or "me"',
        ),
        (
            {"all": [{"field": "tag", "op": "has_any", "value": []}]},
            "rules.all[0].value: expected a list of texts",
        ),
        (
            {
                "all": [
                    {
                        "all": [
                            {
                                "all": [
                                    {
                                        "all": [
                                            {"all": [{"field": "city", "op": "eq", "value": "x"}]}
                                        ]
                                    }
                                ]
                            }
                        ]
                    }
                ]
            },
            "rules.all[0].all[0].all[0].all[0]: groups nest at most 4 deep",
        ),
    ],
)
def test_names_the_path_of_the_bad_part(rules: Any, message: str) -> None:
    assert error_of(rules) == message


def test_error_field_is_the_path() -> None:
    with pytest.raises(RuleError) as info:
        compile_rules({"all": [{"field": "city", "op": "~", "value": "x"}]}, CONTEXT)

    assert info.value.field == "rules.all[0].op"
    assert info.value.status == 422


def test_limits_the_number_of_rules() -> None:
    rules = {"any": [{"field": "city", "op": "eq", "value": str(n)} for n in range(51)]}

    assert error_of(rules) == "rules.any[50]: at most 50 rules in a segment"


def test_me_needs_a_person() -> None:
    context = RuleContext(now=NOW, me=None)

    with pytest.raises(RuleError, match='"me" needs a signed-in person'):
        compile_rules({"all": [{"field": "owner", "op": "eq", "value": "me"}]}, context)


def test_fields_in_use_lists_nested_fields() -> None:
    rules = {
        "all": [
            {"field": "city", "op": "eq", "value": "Paris"},
            {"any": [{"field": "tag", "op": "has", "value": "python"}]},
        ]
    }

    assert fields_in_use(rules) == ["city", "tag"]
