"""When a step may go out: delays in business or calendar days, send windows in the
candidate's timezone, and quiet days. Pure functions (no Django), so they are tested plainly."""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection
from typing import Protocol
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

WEEKEND = frozenset({5, 6})  # Saturday, Sunday (datetime.weekday numbering)


def zone(name: str, default: str = "UTC") -> ZoneInfo:
    """The IANA zone `name`, or `default` when it is blank or unknown."""
    for candidate in (name, default, "UTC"):
        if candidate:
            try:
                return ZoneInfo(candidate)
            except (ZoneInfoNotFoundError, ValueError):
                continue
    return ZoneInfo("UTC")


def _allowed(day: dt.date, *, business_days: bool, quiet_days: Collection[int]) -> bool:
    weekday = day.weekday()
    return weekday not in quiet_days and not (business_days and weekday in WEEKEND)


def next_send_at(
    *,
    after: dt.datetime,
    delay_days: int,
    business_days: bool,
    window_start: dt.time,
    window_end: dt.time,
    tz: str,
    quiet_days: Collection[int] = (),
) -> dt.datetime:
    """The first moment, `delay_days` (business) days after `after`, inside the send window.

    The window is read in the candidate's timezone `tz`; the answer is in UTC. With
    `business_days`, Saturdays and Sundays neither count towards the delay nor get mail;
    `quiet_days` (0 = Monday) never get mail either. A window whose end is not after its
    start is read as the whole day.
    """
    if after.tzinfo is None:
        raise ValueError("`after` must be timezone-aware")
    if len(set(quiet_days) | (WEEKEND if business_days else set())) >= 7:
        raise ValueError("Every day of the week is excluded; nothing could ever be sent.")
    place = zone(tz)
    local = after.astimezone(place)
    day = local.date()
    moment = local.time()
    remaining = delay_days
    while remaining > 0:
        day += dt.timedelta(days=1)
        if not business_days or day.weekday() not in WEEKEND:
            remaining -= 1
    if delay_days > 0:
        # A delayed step keeps its time of day; the window below moves it if need be.
        moment = local.time()
    whole_day = window_end <= window_start
    start = dt.time(0, 0) if whole_day else window_start
    end = dt.time(23, 59, 59, 999999) if whole_day else window_end
    if moment >= end:
        day += dt.timedelta(days=1)
        moment = start
    while not _allowed(day, business_days=business_days, quiet_days=quiet_days):
        day += dt.timedelta(days=1)
        moment = start
    moment = max(moment, start)
    return dt.datetime.combine(day, moment, tzinfo=place).astimezone(dt.UTC)


class StepTiming(Protocol):
    @property
    def delay_days(self) -> int: ...
    @property
    def business_days(self) -> bool: ...
    @property
    def window_start(self) -> dt.time | None: ...
    @property
    def window_end(self) -> dt.time | None: ...


class WindowDefaults(Protocol):
    @property
    def window_start(self) -> dt.time | str: ...
    @property
    def window_end(self) -> dt.time | str: ...
    @property
    def default_timezone(self) -> str: ...


def as_time(value: dt.time | str) -> dt.time:
    # Settings rows made with their string defaults ("09:00") hold strings until re-read.
    return value if isinstance(value, dt.time) else dt.time.fromisoformat(value)


def step_send_at(
    step: StepTiming, rules: WindowDefaults, tz: str, after: dt.datetime, *, delay: bool = True
) -> dt.datetime:
    """When a sequence step is due after `after`: its delay (unless `delay` is False, for a
    step that is already due), inside its send window or the workspace's, in timezone `tz`
    or the workspace's default."""
    return next_send_at(
        after=after,
        delay_days=step.delay_days if delay else 0,
        business_days=step.business_days,
        window_start=step.window_start or as_time(rules.window_start),
        window_end=step.window_end or as_time(rules.window_end),
        tz=tz or rules.default_timezone,
    )
