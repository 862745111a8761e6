"""Segment rules: a small JSON grammar, checked and compiled to one Django `Q`.

A rule set is a group, ``{"all": [...]}`` (AND) or ``{"any": [...]}`` (OR), whose items are
rules or nested groups. A rule is ``{"field": ..., "op": ..., "value": ...}``; a stage rule may
name a ``"pool"`` too. Compiling touches no database: everything it must know about the
workspace (custom field types, usable pools, stage names, "now", who "me" is) comes in a
`RuleContext`, so the grammar is tested as plain functions. Every error names the path of the
bad part, such as ``rules.all[2].op: unknown operator "~"``.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db.models import Exists, OuterRef, Q

from talentloop.candidates.models import Activity, CandidateTag, Seniority, Source
from talentloop.core.errors import InvalidInput
from talentloop.pools.models import PoolMembership

MAX_DEPTH = 4
MAX_RULES = 50
MAX_LIST = 100


class RuleError(InvalidInput):
    """A rule set is malformed; `field` is the path of the bad part (``rules.all[0].op``)."""

    def __init__(self, path: str, message: str) -> None:
        super().__init__(f"{path}: {message}", field=path)


@dataclass(frozen=True)
class RuleContext:
    """What compiling needs to know about the workspace and the reader."""

    now: dt.datetime
    me: int | None = None
    custom_fields: Mapping[str, tuple[str, tuple[str, ...]]] = field(default_factory=dict)
    pool_ids: frozenset[int] = frozenset()
    stages: Mapping[str, int] = field(default_factory=dict)  # case-folded name -> id


# Candidate columns by rule field name.
TEXT_FIELDS = {
    "first_name": "first_name",
    "last_name": "last_name",
    "headline": "headline",
    "title": "current_title",
    "company": "current_company",
    "city": "city",
    "region": "region",
    "country": "country",
    "source_detail": "source_detail",
}
CHOICE_FIELDS: dict[str, tuple[str, tuple[str, ...]]] = {
    "seniority": ("seniority", tuple(Seniority.values)),
    "source": ("source", tuple(Source.values)),
}
NUMBER_FIELDS = {"years_experience": "years_experience"}
DATE_FIELDS = {
    "created_at": "created_at",
    "updated_at": "updated_at",
    "last_contacted_at": "last_contacted_at",
}

TEXT_OPS = ("eq", "ne", "contains", "not_contains", "starts_with", "in", "not_in")
EMPTY_OPS = ("is_empty", "is_not_empty")
CHOICE_OPS = ("eq", "ne", "in", "not_in")
NUMBER_OPS = ("eq", "ne", "gt", "gte", "lt", "lte")
DATE_OPS = ("before", "after", "older_than", "newer_than")
OWNER_OPS = ("eq", "ne", "in", "not_in")
TAG_OPS = ("has", "has_not", "has_any", "has_all", "has_none")
POOL_OPS = ("in", "not_in")
STAGE_OPS = ("eq", "ne", "in", "not_in")
ACTIVITY_OPS = ("ever", "never", "within", "not_within")
BOOLEAN_OPS = ("is_true", "is_false")
CUSTOM_OPS: dict[str, tuple[str, ...]] = {
    "text": ("eq", "ne", "contains", "not_contains", *EMPTY_OPS),
    "url": ("eq", "ne", "contains", "not_contains", *EMPTY_OPS),
    "number": (*NUMBER_OPS, *EMPTY_OPS),
    "date": ("eq", *DATE_OPS, *EMPTY_OPS),
    "boolean": (*BOOLEAN_OPS, *EMPTY_OPS),
    "choice": (*CHOICE_OPS, *EMPTY_OPS),
}
# Ops that take no value.
NO_VALUE_OPS = frozenset({*EMPTY_OPS, *BOOLEAN_OPS, "ever", "never"})

PERIOD = re.compile(r"^\s*(\d{1,5})\s*([dwmy]?)\s*$")
PERIOD_DAYS = {"": 1, "d": 1, "w": 7, "m": 30, "y": 365}


def compile_rules(rules: Any, context: RuleContext) -> Q:
    """Check `rules` and return the Q that selects matching candidates.

    Raises RuleError (an InvalidInput) naming the path of the first bad part.
    """
    counter = [0]
    return _group(rules, "rules", context, depth=1, counter=counter)


def validate_rules(rules: Any, context: RuleContext) -> None:
    """Raise RuleError if `rules` would not compile."""
    compile_rules(rules, context)


def fields_in_use(rules: Mapping[str, Any]) -> list[str]:
    """The field names a (valid) rule set reads, for describing it."""
    found: list[str] = []
    for item in next(iter(rules.values()), []):
        if "field" in item:
            found.append(str(item["field"]))
        else:
            found.extend(fields_in_use(item))
    return found


def _group(node: Any, path: str, context: RuleContext, *, depth: int, counter: list[int]) -> Q:
    if not isinstance(node, dict):
        raise RuleError(path, 'expected a group such as {"all": [...]} or {"any": [...]}')
    if len(node) != 1 or next(iter(node)) not in ("all", "any"):
        keys = ", ".join(sorted(map(str, node))) or "nothing"
        raise RuleError(path, f'a group has exactly one key, "all" or "any" (found {keys})')
    if depth > MAX_DEPTH:
        raise RuleError(path, f"groups nest at most {MAX_DEPTH} deep")
    joiner = next(iter(node))
    items = node[joiner]
    path = f"{path}.{joiner}"
    if not isinstance(items, list):
        raise RuleError(path, "expected a list of rules")
    if not items:
        raise RuleError(path, "add at least one rule")
    parts: list[Q] = []
    for index, item in enumerate(items):
        item_path = f"{path}[{index}]"
        if isinstance(item, dict) and "field" not in item and len(item) == 1:
            q = _group(item, item_path, context, depth=depth + 1, counter=counter)
        else:
            counter[0] += 1
            if counter[0] > MAX_RULES:
                raise RuleError(item_path, f"at most {MAX_RULES} rules in a segment")
            q = _rule(item, item_path, context)
        parts.append(q)
    combined = parts[0]
    for q in parts[1:]:
        combined = combined & q if joiner == "all" else combined | q
    return combined


def _rule(node: Any, path: str, context: RuleContext) -> Q:
    if not isinstance(node, dict):
        raise RuleError(path, 'expected a rule such as {"field": "city", "op": "eq", ...}')
    unknown = set(node) - {"field", "op", "value", "pool"}
    if unknown:
        raise RuleError(path, f'unknown key "{sorted(map(str, unknown))[0]}"')
    name = node.get("field")
    if not isinstance(name, str) or not name:
        raise RuleError(f"{path}.field", "name a field")
    op = node.get("op")
    if not isinstance(op, str):
        raise RuleError(f"{path}.op", "name an operator")
    if "pool" in node and name != "stage":
        raise RuleError(f"{path}.pool", 'only a "stage" rule names a pool')
    has_value = "value" in node
    value = node.get("value")
    rule = _Rule(path=path, op=op, value=value)

    compiler: Callable[[_Rule, RuleContext], Q]
    ops: Sequence[str]
    if name in TEXT_FIELDS:
        ops, compiler = (*TEXT_OPS, *EMPTY_OPS), _text(TEXT_FIELDS[name])
    elif name in CHOICE_FIELDS:
        column, choices = CHOICE_FIELDS[name]
        ops, compiler = (*CHOICE_OPS, *EMPTY_OPS), _choice(column, choices)
    elif name in NUMBER_FIELDS:
        ops, compiler = (*NUMBER_OPS, *EMPTY_OPS), _number(NUMBER_FIELDS[name])
    elif name in DATE_FIELDS:
        ops, compiler = (*DATE_OPS, *EMPTY_OPS), _date(DATE_FIELDS[name])
    elif name == "owner":
        ops, compiler = (*OWNER_OPS, *EMPTY_OPS), _owner
    elif name == "tag":
        ops, compiler = TAG_OPS, _tag
    elif name == "pool":
        ops, compiler = POOL_OPS, _pool
    elif name == "stage":
        ops, compiler = STAGE_OPS, _stage(node.get("pool"))
    elif name == "activity" or name.startswith("activity."):
        kind = name.partition(".")[2]
        if kind and kind not in Activity.Type.values:
            raise RuleError(f"{path}.field", f'unknown activity type "{kind}"')
        ops, compiler = ACTIVITY_OPS, _activity(kind)
    elif name.startswith("custom."):
        key = name.partition(".")[2]
        if key not in context.custom_fields:
            raise RuleError(f"{path}.field", f'unknown custom field "{key}"')
        if "__" in key:  # would read as a nested key path
            raise RuleError(f"{path}.field", f'custom field "{key}" cannot be used in rules')
        field_type, choices = context.custom_fields[key]
        ops, compiler = CUSTOM_OPS.get(field_type, EMPTY_OPS), _custom(key, field_type, choices)
    else:
        raise RuleError(f"{path}.field", f'unknown field "{name}"')

    if op not in ops:
        raise RuleError(
            f"{path}.op", f'unknown operator "{op}" for {name} (use one of: {", ".join(ops)})'
        )
    if op in NO_VALUE_OPS:
        if has_value and value not in (None, ""):
            raise RuleError(f"{path}.value", f'"{op}" takes no value')
    elif not has_value:
        raise RuleError(f"{path}.value", "give a value")
    return compiler(rule, context)


@dataclass(frozen=True)
class _Rule:
    path: str
    op: str
    value: Any

    @property
    def value_path(self) -> str:
        return f"{self.path}.value"

    def text(self, *, max_length: int = 200) -> str:
        if not isinstance(self.value, str) or not self.value.strip():
            raise RuleError(self.value_path, "expected some text")
        if len(self.value) > max_length or "\x00" in self.value:
            raise RuleError(self.value_path, f"at most {max_length} characters of text")
        return self.value.strip()

    def texts(self) -> list[str]:
        if not isinstance(self.value, list) or not self.value:
            raise RuleError(self.value_path, "expected a list of texts")
        if len(self.value) > MAX_LIST:
            raise RuleError(self.value_path, f"at most {MAX_LIST} values")
        found = []
        for index, item in enumerate(self.value):
            item_rule = _Rule(path=f"{self.path}.value[{index}]", op=self.op, value=item)
            found.append(item_rule.text())
        return found

    def integer(self, value: Any = None, path: str | None = None) -> int:
        value = self.value if value is None else value
        if isinstance(value, bool) or not isinstance(value, int) or not 0 < value < 2**63:
            raise RuleError(path or self.value_path, "expected an id (a positive whole number)")
        return value

    def integers(self) -> list[int]:
        values = self.value if isinstance(self.value, list) else [self.value]
        if not values or len(values) > MAX_LIST:
            raise RuleError(self.value_path, f"expected 1 to {MAX_LIST} ids")
        return [
            self.integer(
                item, f"{self.value_path}[{index}]" if isinstance(self.value, list) else None
            )
            for index, item in enumerate(values)
        ]

    def number(self) -> Decimal:
        if isinstance(self.value, bool) or not isinstance(self.value, int | float | str):
            raise RuleError(self.value_path, "expected a number")
        try:
            number = Decimal(str(self.value))
        except InvalidOperation:
            raise RuleError(self.value_path, "expected a number") from None
        if not number.is_finite():
            raise RuleError(self.value_path, "expected a number")
        return number

    def period(self) -> dt.timedelta:
        """A length of time: a number of days, or text such as "90d", "12w", "6m", "1y"."""
        value = self.value
        if isinstance(value, int) and not isinstance(value, bool):
            value = str(value)
        match = PERIOD.match(value) if isinstance(value, str) else None
        if match is None:
            raise RuleError(
                self.value_path, 'expected a period such as 90 (days), "12w", "6m" or "1y"'
            )
        return dt.timedelta(days=int(match[1]) * PERIOD_DAYS[match[2]])

    def moment(self) -> dt.datetime:
        """An ISO date (midnight UTC) or date-time."""
        if isinstance(self.value, str):
            try:
                if len(self.value.strip()) == 10:
                    day = dt.date.fromisoformat(self.value.strip())
                    return dt.datetime.combine(day, dt.time.min, tzinfo=dt.UTC)
                moment = dt.datetime.fromisoformat(self.value.strip())
            except ValueError:
                pass
            else:
                return moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)
        raise RuleError(self.value_path, "expected a date as YYYY-MM-DD or an ISO date-time")


def _empty(column: str, *, blank: bool, op: str) -> Q:
    q = Q(**{f"{column}__isnull": True})
    if blank:
        q |= Q(**{column: ""})
    return q if op == "is_empty" else ~q


def _text(column: str) -> Callable[[_Rule, RuleContext], Q]:
    def compile_(rule: _Rule, context: RuleContext) -> Q:
        op = rule.op
        if op in EMPTY_OPS:
            return _empty(column, blank=True, op=op)
        if op in ("in", "not_in"):
            values = rule.texts()
            q = Q()
            for value in values:
                q |= Q(**{f"{column}__iexact": value})
            return q if op == "in" else ~q
        value = rule.text()
        lookup = {"eq": "iexact", "ne": "iexact", "contains": "icontains"}.get(op, "")
        lookup = lookup or {"not_contains": "icontains", "starts_with": "istartswith"}[op]
        q = Q(**{f"{column}__{lookup}": value})
        return ~q if op in ("ne", "not_contains") else q

    return compile_


def _choice(column: str, choices: tuple[str, ...]) -> Callable[[_Rule, RuleContext], Q]:
    def compile_(rule: _Rule, context: RuleContext) -> Q:
        if rule.op in EMPTY_OPS:
            return _empty(column, blank=True, op=rule.op)
        values = rule.texts() if rule.op in ("in", "not_in") else [rule.text()]
        for index, value in enumerate(values):
            if value not in choices:
                where = rule.value_path + (f"[{index}]" if isinstance(rule.value, list) else "")
                raise RuleError(where, f'"{value}" is not one of: {", ".join(choices)}')
        q = Q(**{f"{column}__in": values})
        return q if rule.op in ("eq", "in") else ~q

    return compile_


NUMBER_LOOKUPS = {"eq": "exact", "ne": "exact", "gt": "gt", "gte": "gte", "lt": "lt", "lte": "lte"}


def _number(column: str) -> Callable[[_Rule, RuleContext], Q]:
    def compile_(rule: _Rule, context: RuleContext) -> Q:
        if rule.op in EMPTY_OPS:
            return _empty(column, blank=False, op=rule.op)
        q = Q(**{f"{column}__{NUMBER_LOOKUPS[rule.op]}": rule.number()})
        return ~q if rule.op == "ne" else q

    return compile_


def _date(column: str) -> Callable[[_Rule, RuleContext], Q]:
    def compile_(rule: _Rule, context: RuleContext) -> Q:
        op = rule.op
        if op in EMPTY_OPS:
            return _empty(column, blank=False, op=op)
        if op in ("before", "after"):
            moment = rule.moment()
            return Q(**{f"{column}__{'lt' if op == 'before' else 'gte'}": moment})
        # "older than 90 days": before now - 90 days. An empty date is neither older nor newer.
        cutoff = context.now - rule.period()
        return Q(**{f"{column}__{'lt' if op == 'older_than' else 'gte'}": cutoff})

    return compile_


def _owner(rule: _Rule, context: RuleContext) -> Q:
    if rule.op in EMPTY_OPS:
        return _empty("owner_id", blank=False, op=rule.op)
    values = rule.value if isinstance(rule.value, list) else [rule.value]
    if rule.op in ("eq", "ne") and isinstance(rule.value, list):
        raise RuleError(rule.value_path, f'"{rule.op}" takes one user id or "me"')
    ids = []
    for index, value in enumerate(values):
        if value == "me":
            if context.me is None:
                raise RuleError(rule.value_path, '"me" needs a signed-in person')
            ids.append(context.me)
        else:
            where = f"{rule.value_path}[{index}]" if isinstance(rule.value, list) else None
            ids.append(rule.integer(value, where))
    if not ids or len(ids) > MAX_LIST:
        raise RuleError(rule.value_path, f"expected 1 to {MAX_LIST} user ids")
    q = Q(owner_id__in=ids)
    # NOT IN would drop unowned candidates (NULL): "not owned by Bob" includes them.
    return q if rule.op in ("eq", "in") else ~q | Q(owner_id__isnull=True)


def _tag(rule: _Rule, context: RuleContext) -> Q:
    def tagged(names: list[str]) -> Exists:
        return Exists(
            CandidateTag.objects.filter(
                candidate_id=OuterRef("pk"), tag__name_key__in=[n.casefold() for n in names]
            )
        )

    if rule.op in ("has", "has_not"):
        q = Q(tagged([rule.text(max_length=50)]))
        return q if rule.op == "has" else ~q
    names = rule.texts()
    if rule.op == "has_all":
        q = Q()
        for name in names:
            q &= Q(tagged([name]))
        return q
    q = Q(tagged(names))
    return q if rule.op == "has_any" else ~q


def _pool(rule: _Rule, context: RuleContext) -> Q:
    ids = rule.integers()
    _check_pools(rule, ids, context)
    q = Q(Exists(PoolMembership.objects.filter(candidate_id=OuterRef("pk"), pool_id__in=ids)))
    return q if rule.op == "in" else ~q


def _check_pools(rule: _Rule, ids: list[int], context: RuleContext, path: str = "") -> None:
    for index, pool_id in enumerate(ids):
        if pool_id not in context.pool_ids:
            where = path or (
                f"{rule.value_path}[{index}]" if isinstance(rule.value, list) else rule.value_path
            )
            raise RuleError(where, f"no such pool {pool_id}")


def _stage(pool: Any) -> Callable[[_Rule, RuleContext], Q]:
    def compile_(rule: _Rule, context: RuleContext) -> Q:
        # A stage is named, or given by id (an id survives renaming the stage).
        many = rule.op in ("in", "not_in")
        values = rule.value if many and isinstance(rule.value, list) else [rule.value]
        if many and (not isinstance(rule.value, list) or not 0 < len(values) <= MAX_LIST):
            raise RuleError(rule.value_path, f"expected a list of 1 to {MAX_LIST} stages")
        known_ids = set(context.stages.values())
        stage_ids = []
        for index, value in enumerate(values):
            where = rule.value_path + (f"[{index}]" if many else "")
            if isinstance(value, int) and not isinstance(value, bool):
                if value not in known_ids:
                    raise RuleError(where, f"no stage {value}")
                stage_ids.append(value)
                continue
            if not isinstance(value, str) or not value.strip() or len(value) > 50:
                raise RuleError(where, "expected a stage name or id")
            stage_id = context.stages.get(value.strip().casefold())
            if stage_id is None:
                known = ", ".join(sorted(context.stages)) or "none"
                raise RuleError(where, f'no stage "{value.strip()}" (stages: {known})')
            stage_ids.append(stage_id)
        memberships = PoolMembership.objects.filter(
            candidate_id=OuterRef("pk"), stage_id__in=stage_ids
        )
        if pool is not None:
            pool_id = rule.integer(pool, f"{rule.path}.pool")
            _check_pools(rule, [pool_id], context, path=f"{rule.path}.pool")
            memberships = memberships.filter(pool_id=pool_id)
        else:
            # Any pool the reader may see: a private pool of someone else does not count.
            memberships = memberships.filter(pool_id__in=sorted(context.pool_ids))
        q = Q(Exists(memberships))
        return q if rule.op in ("eq", "in") else ~q

    return compile_


def _activity(kind: str) -> Callable[[_Rule, RuleContext], Q]:
    def compile_(rule: _Rule, context: RuleContext) -> Q:
        # Private notes are someone's own: they never decide who is in a segment.
        activities = Activity.objects.filter(candidate_id=OuterRef("pk"), private_to__isnull=True)
        if kind:
            activities = activities.filter(type=kind)
        if rule.op in ("within", "not_within"):
            activities = activities.filter(occurred_at__gte=context.now - rule.period())
        q = Q(Exists(activities))
        return q if rule.op in ("ever", "within") else ~q

    return compile_


def _custom(
    key: str, field_type: str, choices: tuple[str, ...]
) -> Callable[[_Rule, RuleContext], Q]:
    # Values live in Candidate.custom_fields[key]. The lookup is always spelled out, so a key
    # named like a lookup ("contains") still reads as a key.
    def lookup(name: str, value: Any) -> Q:
        return Q(**{f"custom_fields__{key}__{name}": value})

    def compile_(rule: _Rule, context: RuleContext) -> Q:
        op = rule.op
        present = Q(custom_fields__has_key=key)
        if op in EMPTY_OPS:
            return ~present if op == "is_empty" else present
        if field_type in ("text", "url"):
            value = rule.text(max_length=1000)
            q = lookup("icontains" if "contains" in op else "iexact", value)
            return q if op in ("eq", "contains") else ~q | ~present
        if field_type == "number":
            q = lookup(NUMBER_LOOKUPS[op], float(rule.number()))
            return ~q | ~present if op == "ne" else q
        if field_type == "boolean":
            return lookup("exact", op == "is_true")
        if field_type == "choice":
            values = rule.texts() if op in ("in", "not_in") else [rule.text()]
            for value in values:
                if value not in choices:
                    raise RuleError(
                        rule.value_path, f'"{value}" is not one of: {", ".join(choices)}'
                    )
            q = Q()
            for value in values:
                q |= lookup("exact", value)
            return q if op in ("eq", "in") else ~q | ~present
        # Dates are stored as YYYY-MM-DD text, which sorts as the dates do.
        if op in ("older_than", "newer_than"):
            day = (context.now - rule.period()).date().isoformat()
            return lookup("lt" if op == "older_than" else "gte", day)
        day = rule.moment().date().isoformat()
        return lookup({"eq": "exact", "before": "lt", "after": "gte"}[op], day)

    return compile_
