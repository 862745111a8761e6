"""Opaque keyset cursors: the last row's sort values, so a page costs the same at row 10 or 10^6."""

from __future__ import annotations

import base64
import json
from datetime import datetime
from typing import Any

from talentloop.core import nesting
from talentloop.core.errors import InvalidInput


def encode(values: list[Any]) -> str:
    plain = [v.isoformat() if isinstance(v, datetime) else v for v in values]
    raw = json.dumps(plain, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode(cursor: str, *, size: int) -> list[Any]:
    """Return the values in `cursor`; raise InvalidInput(field="cursor") if it is not ours."""
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        values = nesting.loads(base64.urlsafe_b64decode(padded.encode()))
    except (ValueError, TypeError):
        raise InvalidInput("This cursor is not valid.", field="cursor") from None
    if not isinstance(values, list) or len(values) != size:
        raise InvalidInput("This cursor is not valid.", field="cursor")
    return values
