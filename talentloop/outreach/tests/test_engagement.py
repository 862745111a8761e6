"""The engagement score from timeline entries (pure)."""

from __future__ import annotations

import datetime as dt

import pytest

from talentloop.candidates.models import Activity
from talentloop.outreach.engagement import engagement

NOW = dt.datetime(2026, 11, 26, 12, 0, tzinfo=dt.UTC)
T = Activity.Type


def days_ago(days: float) -> dt.datetime:
    return NOW - dt.timedelta(days=days)


def test_nothing_done_scores_zero() -> None:
    found = engagement([], now=NOW)
    assert (found.score, found.counts, found.last_at) == (0.0, {}, None)


@pytest.mark.parametrize(
    ("entries", "score"),
    [
        ([(T.EMAIL_REPLIED, days_ago(0))], 55.1),  # 8 points
        ([(T.EMAIL_REPLIED, days_ago(30))], 33.0),  # halved: 4 points
        ([(T.EMAIL_OPENED, days_ago(0))], 9.5),  # 1 point
        ([(T.EMAIL_REPLIED, days_ago(0)), (T.EMAIL_CLICKED, days_ago(0))] * 2, 88.9),  # 22 points
    ],
)
def test_points_decay_and_saturate(entries: list[tuple[str, dt.datetime]], score: float) -> None:
    assert engagement(entries, now=NOW).score == score


def test_what_we_sent_old_and_future_entries_do_not_count() -> None:
    found = engagement(
        [
            (T.EMAIL_SENT, days_ago(1)),  # our own action
            (T.NOTE, days_ago(1)),
            (T.EMAIL_CLICKED, days_ago(400)),  # past the one-year window
            (T.EMAIL_CLICKED, NOW + dt.timedelta(days=1)),  # a clock in the future
            (T.PAGE_VISIT, days_ago(2)),
        ],
        now=NOW,
    )
    assert found.counts == {T.PAGE_VISIT: 1}
    assert found.last_at == days_ago(2)
    assert 0 < found.score < 20


def test_more_activity_never_lowers_the_score_and_it_stays_under_100() -> None:
    entries: list[tuple[str, dt.datetime]] = []
    last = 0.0
    for day in range(60):
        entries.append((T.EMAIL_REPLIED, days_ago(day)))
        score = engagement(entries, now=NOW).score
        assert last <= score <= 100
        last = score
    assert last == 100.0
