"""ExpiringSet: members leave after their time; a full set starts over."""

from __future__ import annotations

import pytest

from talentloop.core import expiring
from talentloop.core.expiring import ExpiringSet


def test_a_member_leaves_after_its_seconds(monkeypatch: pytest.MonkeyPatch) -> None:
    now = [100.0]
    monkeypatch.setattr(expiring, "monotonic", lambda: now[0])
    members = ExpiringSet(60.0)
    members.add("python")

    now[0] = 159.9
    assert "python" in members and "go" not in members
    now[0] = 160.1
    assert "python" not in members


def test_a_full_set_starts_over_and_clear_empties_it() -> None:
    members = ExpiringSet(60.0, max_size=2)
    members.add(1)
    members.add(2)
    members.add(3)

    assert (1 in members, 2 in members, 3 in members) == (False, False, True)
    members.clear()
    assert 3 not in members
