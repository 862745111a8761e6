"""How deep a JSON value nests (pure Python, no Django), for inputs that must not make a
recursive reader run out of stack: API bodies, JSON import files."""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

# Far more than any input needs (a segment's rules, the deepest, take about ten), and few
# enough that no recursive validator can run out of stack.
MAX_JSON_DEPTH = 32


def nests_deeper(value: Any, limit: int = MAX_JSON_DEPTH) -> bool:
    """Whether the objects and arrays of a JSON value nest deeper than `limit` (no recursion:
    the value may be deeper than the interpreter's stack)."""
    stack: list[tuple[Any, int]] = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, dict):
            children: Iterable[Any] = item.values()
        elif isinstance(item, list):
            children = item
        else:
            continue
        if depth > limit:
            return True
        stack.extend((child, depth + 1) for child in children)
    return False


class NestingError(ValueError):
    """JSON nested deeper than it may be; the message says so."""


def loads(text: str | bytes, limit: int = MAX_JSON_DEPTH) -> Any:
    """`json.loads`, refusing a value nested deeper than `limit` with NestingError (the
    decoder's own RecursionError, some thousands deep, included); JSONDecodeError as ever."""
    message = f"It nests deeper than {limit} levels."
    try:
        value = json.loads(text)
    except RecursionError:
        raise NestingError(message) from None
    if nests_deeper(value, limit):
        raise NestingError(message)
    return value
