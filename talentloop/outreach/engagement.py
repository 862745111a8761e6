"""The engagement score: how warm a person is, from what they did, not from what was sent to
them. Pure (no queries): callers pass the person's timeline entries.

Each thing the person did earns points (a reply 8, an event attended or an interview 6, a call
5, a click 3, a visit to the careers pages 2, an open 1: opens are the weakest sign, since mail
clients and scanners open mail too), halved every 30 days since it happened; entries older than
a year count nothing. The score is 100 x (1 - e^(-points / 10)): one fresh reply scores 55, a
fresh reply and two clicks 75, a single open a month ago about 5. It only rises with more
activity and never passes 100.
"""

from __future__ import annotations

import datetime as dt
import math
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass

from talentloop.candidates.models import Activity

POINTS: dict[str, float] = {
    Activity.Type.EMAIL_REPLIED: 8,
    Activity.Type.SMS_RECEIVED: 8,
    Activity.Type.EVENT_ATTENDED: 6,
    Activity.Type.INTERVIEW: 6,
    Activity.Type.CALL: 5,
    Activity.Type.EMAIL_CLICKED: 3,
    Activity.Type.PAGE_VISIT: 2,
    Activity.Type.EMAIL_OPENED: 1,
}
TYPES = tuple(POINTS)
HALF_LIFE = dt.timedelta(days=30)
WINDOW = dt.timedelta(days=365)
SCALE = 10.0


@dataclass(frozen=True)
class Engagement:
    score: float  # 0..100, one decimal
    counts: dict[str, int]  # entries of each type within the window
    last_at: dt.datetime | None


def engagement(entries: Iterable[tuple[str, dt.datetime]], *, now: dt.datetime) -> Engagement:
    """The score of (type, when) timeline entries as of `now`; types not in POINTS, entries in
    the future or older than WINDOW are ignored."""
    points = 0.0
    counts: Counter[str] = Counter()
    last: dt.datetime | None = None
    for kind, at in entries:
        weight = POINTS.get(kind)
        age = now - at
        if weight is None or age < dt.timedelta(0) or age > WINDOW:
            continue
        points += weight * 0.5 ** (age / HALF_LIFE)
        counts[kind] += 1
        last = at if last is None or at > last else last
    score = round(100.0 * (1.0 - math.exp(-points / SCALE)), 1)
    return Engagement(score=score, counts=dict(counts), last_at=last)
