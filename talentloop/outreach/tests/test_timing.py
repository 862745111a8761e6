import datetime as dt

import pytest

from talentloop.outreach.timing import next_send_at

NINE, FIVE = dt.time(9), dt.time(17)


def at(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text)


def send(
    after: str,
    delay: int = 0,
    *,
    business: bool = True,
    tz: str = "UTC",
    window_start: dt.time = NINE,
    window_end: dt.time = FIVE,
    quiet_days: tuple[int, ...] | list[int] = (),
) -> dt.datetime:
    return next_send_at(
        after=at(after),
        delay_days=delay,
        business_days=business,
        tz=tz,
        window_start=window_start,
        window_end=window_end,
        quiet_days=quiet_days,
    )


def test_inside_the_window_goes_now():
    assert send("2026-11-25T10:30:00+00:00") == at("2026-11-25T10:30:00+00:00")  # Wednesday


def test_before_the_window_waits_for_its_start():
    assert send("2026-11-25T06:00:00+00:00") == at("2026-11-25T09:00:00+00:00")


def test_after_the_window_goes_next_business_morning():
    assert send("2026-11-27T18:00:00+00:00") == at("2026-11-30T09:00:00+00:00")  # Fri → Mon


def test_business_days_skip_the_weekend():
    # Thursday + 2 business days = Monday, same time of day.
    assert send("2026-11-26T11:00:00+00:00", 2) == at("2026-11-30T11:00:00+00:00")


def test_calendar_days_count_the_weekend_but_respect_quiet_days():
    assert send("2026-11-26T11:00:00+00:00", 2, business=False) == at("2026-11-28T11:00:00+00:00")
    assert send("2026-11-26T11:00:00+00:00", 2, business=False, quiet_days=[5, 6]) == at(
        "2026-11-30T09:00:00+00:00"
    )


def test_window_is_read_in_the_candidates_timezone():
    # 06:00 UTC is 15:00 in Tokyo (inside 9 to 17); 10:00 UTC is 19:00 there (next morning).
    assert send("2026-11-25T06:00:00+00:00", tz="Asia/Tokyo") == at("2026-11-25T06:00:00+00:00")
    assert send("2026-11-25T10:00:00+00:00", tz="Asia/Tokyo") == at("2026-11-26T00:00:00+00:00")


def test_daylight_saving_keeps_the_local_hour():
    # Berlin leaves summer time on 2026-10-25: 09:00 local is 07:00 UTC before, 08:00 after.
    assert send("2026-10-23T05:00:00+00:00", 1, tz="Europe/Berlin") == at(
        "2026-10-26T08:00:00+00:00"
    )


def test_unknown_timezone_falls_back_to_utc():
    assert send("2026-11-25T06:00:00+00:00", tz="Mars/Olympus") == at("2026-11-25T09:00:00+00:00")


def test_an_empty_window_means_the_whole_day():
    assert send("2026-11-25T23:30:00+00:00", window_start=NINE, window_end=NINE) == at(
        "2026-11-25T23:30:00+00:00"
    )


def test_a_week_without_sending_days_is_refused():
    with pytest.raises(ValueError, match="Every day"):
        send("2026-11-25T10:00:00+00:00", quiet_days=[0, 1, 2, 3, 4])


def test_naive_datetimes_are_refused():
    with pytest.raises(ValueError, match="timezone-aware"):
        next_send_at(
            after=dt.datetime(2026, 11, 25, 10),  # noqa: DTZ001 - the point of the test
            delay_days=0,
            business_days=True,
            window_start=NINE,
            window_end=FIVE,
            tz="UTC",
        )
