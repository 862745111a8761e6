"""Per-process memories that go stale: values kept with when they were stored.

Two kinds of answer are worth keeping for a little while in each process:

- the candidate list counts a tag's or a search text's matches to decide how to filter; where
  the answer was "many", the same filter asked again within a minute takes the "many" way
  without counting (`ExpiringSet`). Both ways give the same rows, so a stale answer only costs
  a slower query for a while;
- an API key's row, read on every API request (`accounts.selectors.active_api_key`), whose
  age limit is a setting read on each use.

A full store starts over rather than evicting: simpler, and a full store is rare.
"""

from __future__ import annotations

from collections.abc import Hashable
from time import monotonic
from typing import Any


class ExpiringValues:
    """Key -> value, each with the moment it was stored; `get` says how old is too old."""

    def __init__(self, *, max_size: int = 1024) -> None:
        self.max_size = max_size
        self._stored: dict[Hashable, tuple[float, Any]] = {}

    def put(self, key: Hashable, value: Any) -> None:
        if len(self._stored) >= self.max_size:
            self._stored.clear()
        self._stored[key] = (monotonic(), value)

    def get(self, key: Hashable, seconds: float) -> Any | None:
        """The value stored under `key` less than `seconds` ago, else None."""
        found = self._stored.get(key)
        if found is None or monotonic() - found[0] >= seconds:
            return None
        return found[1]

    def forget(self, key: Hashable) -> None:
        self._stored.pop(key, None)

    def clear(self) -> None:
        self._stored.clear()


class ExpiringSet:
    """A set whose members leave `seconds` after they were added."""

    def __init__(self, seconds: float, *, max_size: int = 1024) -> None:
        self.seconds = seconds
        self._values = ExpiringValues(max_size=max_size)

    def add(self, key: Hashable) -> None:
        self._values.put(key, True)

    def __contains__(self, key: Hashable) -> bool:
        return self._values.get(key, self.seconds) is not None

    def clear(self) -> None:
        self._values.clear()
