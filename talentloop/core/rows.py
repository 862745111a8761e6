"""Model instances from hand-written SQL, for the few per-request reads where compiling an ORM
query costs more than running it (API key, session member, one candidate: each measured about
0.5 ms to compile and 0.05 ms to run on a 1M-candidate database).

    sql = f"SELECT {columns(ApiKey, 'k')}, {columns(Workspace, 'w')} FROM … WHERE …"
    key, workspace = fetch_one(sql, params, ApiKey, Workspace)

Values pass through the same converters the ORM applies (dates on SQLite, JSON, decimals), and
instances are built with `Model.from_db`, so they behave exactly like ORM-loaded ones. Use the
ORM everywhere else.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from functools import cache
from typing import Any

from django.db import connections, models

Converter = Callable[[Any, Any, Any], Any]


@cache
def columns(model: type[models.Model], alias: str) -> str:
    """The model's columns, in `from_db` order, as a SELECT list on table alias `alias`."""
    return ", ".join(f'{alias}."{field.column}"' for field in model._meta.concrete_fields)


@cache
def _converters(
    model: type[models.Model], using: str
) -> tuple[tuple[int, Any, tuple[Converter, ...]], ...]:
    """The converters of every concrete field, in `columns()` order."""
    return _value_converters(model, tuple(_attnames(model)), using)


@cache
def value_columns(model: type[models.Model], alias: str, names: tuple[str, ...]) -> str:
    """The columns of the model's fields `names` (attribute names, `owner_id` for a foreign
    key), in that order, as a SELECT list on table alias `alias`: for `fetch_values`."""
    return ", ".join(f'{alias}."{field(model, name).column}"' for name in names)


def field(model: type[models.Model], name: str) -> models.Field[Any, Any]:
    """The model's concrete field `name` (an attribute name; `owner_id` for a foreign key)."""
    found = model._meta.get_field(name)
    assert isinstance(found, models.Field)
    return found


@cache
def _value_converters(
    model: type[models.Model], names: tuple[str, ...], using: str
) -> tuple[tuple[int, Any, tuple[Converter, ...]], ...]:
    """(position, column, converters) of the fields `names` that need converting, as the ORM
    would convert them."""
    connection = connections[using]
    found = []
    for position, name in enumerate(names):
        column = field(model, name).get_col(model._meta.db_table)
        converters = connection.ops.get_db_converters(column) + column.get_db_converters(connection)
        if converters:
            found.append((position, column, tuple(converters)))
    return tuple(found)


def fetch_values(
    sql: str,
    params: Sequence[Any],
    model: type[models.Model],
    names: tuple[str, ...],
    *,
    extra: int = 0,
    using: str = "default",
) -> tuple[Any, ...] | None:
    """Run `sql` and return the first row's `value_columns(model, …, names)` as a dict of
    `names`, converted as the ORM's `.values(*names)` would, followed by the row's last `extra`
    values as they are; None when no row matched. No model instance is built."""
    with connections[using].cursor() as cursor:
        cursor.execute(sql, params)
        row = cursor.fetchone()
    if row is None:
        return None
    values = _values(row, model, names, using)
    return (values, *row[len(names) : len(names) + extra])


def fetch_all_values(
    sql: str,
    params: Sequence[Any],
    model: type[models.Model],
    names: tuple[str, ...],
    *,
    using: str = "default",
) -> list[dict[str, Any]]:
    """Like `fetch_values`, for every row (and no extra values)."""
    with connections[using].cursor() as cursor:
        cursor.execute(sql, params)
        found = cursor.fetchall()
    return [_values(row, model, names, using) for row in found]


def _values(
    row: Sequence[Any], model: type[models.Model], names: tuple[str, ...], using: str
) -> dict[str, Any]:
    values = list(row[: len(names)])
    connection = connections[using]
    for position, column, converters in _value_converters(model, names, using):
        value = values[position]
        for converter in converters:
            value = converter(value, column, connection)
        values[position] = value
    return dict(zip(names, values, strict=True))


@cache
def _attnames(model: type[models.Model]) -> list[str]:
    return [field.attname for field in model._meta.concrete_fields]


def _instance[M: models.Model](model: type[M], values: Sequence[Any], using: str) -> M:
    row = list(values)
    connection = connections[using]
    for position, column, converters in _converters(model, using):
        value = row[position]
        for converter in converters:
            value = converter(value, column, connection)
        row[position] = value
    return model.from_db(using, _attnames(model), row)


def _split(
    row: Sequence[Any], models_: Sequence[type[models.Model]], extra: int, using: str
) -> tuple[Any, ...]:
    """One instance of each model from the row's columns, in order (None where the model's
    primary key is NULL: the far side of a LEFT JOIN that found nothing), then the row's last
    `extra` values as they are."""
    found: list[Any] = []
    start = 0
    for model in models_:
        values = row[start : start + len(model._meta.concrete_fields)]
        found.append(None if values[0] is None else _instance(model, values, using))
        start += len(values)
    found.extend(row[start : start + extra])
    return tuple(found)


def fetch_all(
    sql: str, params: Sequence[Any], *models_: type[models.Model], using: str = "default"
) -> list[tuple[Any, ...]]:
    """Like `fetch_one`, for every row."""
    with connections[using].cursor() as cursor:
        cursor.execute(sql, params)
        found = cursor.fetchall()
    return [_split(row, models_, 0, using) for row in found]


def fetch_one(
    sql: str,
    params: Sequence[Any],
    *models_: type[models.Model],
    extra: int = 0,
    using: str = "default",
) -> tuple[Any, ...] | None:
    """Run `sql` and build one instance of each model from the first row, in order, followed by
    the row's last `extra` values as they are; None when no row matched. The row holds each
    model's `columns()` one after the other, then the extra values."""
    row = fetch_row(sql, params, using=using)
    return None if row is None else _split(row, models_, extra, using)


def fetch_row(sql: str, params: Sequence[Any], *, using: str = "default") -> tuple[Any, ...] | None:
    """The first row of `sql` as the database returned it, for `split` later; None if none."""
    with connections[using].cursor() as cursor:
        cursor.execute(sql, params)
        row: tuple[Any, ...] | None = cursor.fetchone()
    return row


def split(
    row: Sequence[Any], *models_: type[models.Model], extra: int = 0, using: str = "default"
) -> tuple[Any, ...]:
    """`fetch_one`'s instances from a row `fetch_row` read (kept to be split again, so each
    caller gets instances of its own)."""
    return _split(row, models_, extra, using)
