"""ExpiringValues and ExpiringSet: entries go stale after their time; a full store starts over."""

from __future__ import annotations

import pytest

from talentloop.core import expiring
from talentloop.core.expiring import ExpiringSet, ExpiringValues


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


def test_a_value_is_returned_only_while_younger_than_the_age_asked(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    now = [100.0]
    monkeypatch.setattr(expiring, "monotonic", lambda: now[0])
    values = ExpiringValues()
    values.put("key", ("row",))

    now[0] = 101.5
    assert values.get("key", 2) == ("row",)
    assert values.get("key", 1) is None  # the age limit is the reader's
    assert values.get("key", 0) is None
    assert values.get("other", 2) is None
    now[0] = 102.0
    assert values.get("key", 2) is None


def test_forget_drops_one_value_and_a_full_store_starts_over() -> None:
    values = ExpiringValues(max_size=2)
    values.put("a", 1)
    values.put("b", 2)
    values.forget("a")
    values.put("c", 3)
    values.put("d", 4)  # full at two: starts over

    assert [values.get(key, 60) for key in "abcd"] == [None, None, None, 4]
