"""A per-process set whose members leave after a while, for plan decisions worth remembering.

The candidate list decides how to filter by a tag or a search text by first counting its
matches. Where the answer was "many", the same filter asked again within a minute takes the
"many" way without counting: both ways give the same rows, so an answer that went stale only
costs a slower query for a while.
"""

from __future__ import annotations

from collections.abc import Hashable
from time import monotonic


class ExpiringSet:
    def __init__(self, seconds: float, *, max_size: int = 1024) -> None:
        self.seconds = seconds
        self.max_size = max_size
        self._until: dict[Hashable, float] = {}

    def add(self, key: Hashable) -> None:
        if len(self._until) >= self.max_size:
            self._until.clear()  # simpler than evicting, and a full set is rare
        self._until[key] = monotonic() + self.seconds

    def __contains__(self, key: Hashable) -> bool:
        return self._until.get(key, 0.0) > monotonic()

    def clear(self) -> None:
        self._until.clear()
