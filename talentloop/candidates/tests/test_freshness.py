"""The stale-data rules, as plain functions."""

from __future__ import annotations

import datetime as dt

import pytest

from talentloop.candidates.freshness import months_before, stale_reasons

UTC = dt.UTC


@pytest.mark.parametrize(
    ("moment", "months", "expected"),
    [
        (dt.datetime(2026, 3, 31, 9, tzinfo=UTC), 1, dt.datetime(2026, 2, 28, 9, tzinfo=UTC)),
        (dt.datetime(2024, 3, 31, 9, tzinfo=UTC), 1, dt.datetime(2024, 2, 29, 9, tzinfo=UTC)),
        (dt.datetime(2026, 1, 15, tzinfo=UTC), 12, dt.datetime(2025, 1, 15, tzinfo=UTC)),
        (dt.datetime(2026, 1, 15, tzinfo=UTC), 13, dt.datetime(2024, 12, 15, tzinfo=UTC)),
        (dt.datetime(2026, 5, 31, tzinfo=UTC), 1, dt.datetime(2026, 4, 30, tzinfo=UTC)),
    ],
)
def test_months_before_is_calendar_months(
    moment: dt.datetime, months: int, expected: dt.datetime
) -> None:
    assert months_before(moment, months) == expected


def test_a_fresh_profile_has_no_reason() -> None:
    now = dt.datetime(2026, 11, 26, tzinfo=UTC)
    assert stale_reasons(updated_at=now - dt.timedelta(days=300), months=12, now=now) == []


def test_every_reason_is_listed() -> None:
    now = dt.datetime(2026, 11, 26, tzinfo=UTC)

    reasons = stale_reasons(
        updated_at=dt.datetime(2025, 11, 25, tzinfo=UTC),
        months=12,
        now=now,
        bounced_emails=["old@example.test"],
        invalid_phones=["+14155550123"],
    )

    assert [(r.code, r.message) for r in reasons] == [
        (
            "not_refreshed",
            "Not changed or confirmed since 25 Nov 2025 (the workspace flags profiles after "
            "12 months).",
        ),
        ("email_bounced", "E-mail to old@example.test bounced."),
        ("phone_invalid", "+14155550123 was marked invalid."),
    ]


def test_zero_months_turns_the_age_rule_off() -> None:
    now = dt.datetime(2026, 11, 26, tzinfo=UTC)
    assert stale_reasons(updated_at=dt.datetime(2000, 1, 1, tzinfo=UTC), months=0, now=now) == []
