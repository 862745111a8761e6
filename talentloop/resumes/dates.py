"""Dates and date ranges as resumes write them, parsed with a few regular expressions.

"Mar 2019 \u2013 present", "2017\u201319", "06/2012 to 07/2014", "Sept. 2016 - till date",
"Summer 2015", "Jan '18", "2019-03", "September 2017 onwards". Pure: nothing here reads
the clock; callers pass `today` (dateparser was too slow: 2.8 s on its first call).
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Iterable, Iterator
from typing import Any

from talentloop.resumes.parsed import Period

MONTHS: dict[str, int] = {}
for _number, _names in enumerate(
    [
        "jan january janv janvier januar enero ene",
        "feb february fev fevr fevrier février févr februar febrero",
        "mar march mars marz märz marzo",
        "apr april avr avril abril",
        "may mai mayo",
        "jun june juin juni junio",
        "jul july juil juillet juli julio",
        "aug august aout août agosto ago",
        "sep sept september septembre septiembre set",
        "oct october octobre okt oktober octubre",
        "nov november novembre noviembre",
        "dec december decembre décembre dez dezember diciembre dic",
    ],
    start=1,
):
    for _name in _names.split():
        MONTHS[_name] = _number

SEASONS = {"spring": 3, "summer": 6, "fall": 9, "autumn": 9, "winter": 12}


def _trie(words: list[str]) -> str:
    """An alternation of `words` as a prefix tree ("jan(?:uar(?:y)?|v(?:ier)?)?"): it matches
    what the flat longest-first alternation matches, in the same order (the longer first),
    without trying each word in turn at every position."""
    root: dict[str, dict[str, Any]] = {}
    for word in words:
        node = root
        for char in word:
            node = node.setdefault(char, {})
        node[""] = {}

    def emit(node: dict[str, dict[str, Any]]) -> str:
        kids = [re.escape(char) + emit(sub) for char, sub in sorted(node.items()) if char]
        if not kids:
            return ""
        body = kids[0] if len(kids) == 1 else "(?:" + "|".join(kids) + ")"
        return f"(?:{body})?" if "" in node else body

    return emit(root)


_MONTH = r"(?:" + _trie(list(MONTHS)) + r")\.?"
_SEASON = r"(?:spring|summer|fall|autumn|winter)"
_YEAR = r"(?:19[5-9]\d|20[0-4]\d)"
_YEAR2 = r"(?:['\u2019\u2018`]\s?\d{2})"  # Jan '18
_DAY = r"(?:[0-3]?\d(?:st|nd|rd|th)?\s+)"

# One point in time, most specific shapes first.
_POINT = (
    r"(?:"
    rf"{_MONTH}\s{{0,2}}[0-3]?\d(?:st|nd|rd|th)?,\s?{_YEAR}"  # May 4, 2014
    rf"|{_DAY}?{_MONTH}[\s,\-/]{{0,3}}(?:{_YEAR}|{_YEAR2})"  # 4th May 2014, Jan '18
    rf"|{_MONTH}[\-/]\d{{2}}(?![\d:])"  # Mar-19
    rf"|{_SEASON}[\s,]{{0,3}}(?:{_YEAR}|{_YEAR2})"
    rf"|[0-3]?\d[/.][01]?\d[/.]{_YEAR}"  # 12/03/2019
    rf"|[01]?\d\s?[/.\-]\s?{_YEAR}"  # 03/2019, 3-2019
    rf"|{_YEAR}[/.\-](?:0[1-9]|1[0-2])(?![\d/.\-])"  # 2019-03
    rf"|{_YEAR}"
    r")"
)
_PRESENT = (
    r"(?:till\s+(?:date|now|today)|to\s+date|up\s*to\s+(?:date|now)|present(?:\s+day)?"
    r"|current(?:ly)?|ongoing|continuing|aujourd['\u2019]hui|heute|actualidad|presente|jetzt"
    r"|(?<=[-\u2013\u2014~o]\s)(?:now|today|date))"
)
_SEP = r"(?:-{1,2}|\u2013|\u2014|~|to|till|until|through|thru|au|à|a|bis|hasta)"
_SHORT_POINT = r"(?:[01]?\d/\d{2})"  # 09/14, only inside a range
_MONTH_YY = rf"(?:{_MONTH}\s?\d{{2}}(?!\d))"  # Jun 06, only inside a range (else a day)

_SINCE = r"(?:since|from|depuis|seit|desde)"
# What a match can open with: a digit, a month, a season or "since". A cheap test at each
# word start before the branches below, which would each try the months again.
_OPENING = rf"(?=\d|{_MONTH}|{_SEASON}|{_SINCE})"

RANGE_RE = re.compile(
    rf"(?<![\w/.]){_OPENING}(?:"
    rf"(?P<start>{_POINT})\s{{0,4}}(?:{_SEP}\s{{0,4}})?(?P<end>{_POINT}|{_PRESENT})(?![\w/])"
    rf"|(?P<ystart>{_YEAR})\s?[-\u2013\u2014/]\s?(?P<yend>\d{{2}})(?![\w/.])"
    rf"|(?P<sstart>{_SHORT_POINT})\s?(?:[-\u2013\u2014]|to)\s?(?P<send>{_SHORT_POINT}|{_PRESENT})(?![\w/])"
    rf"|(?P<mstart>{_MONTH_YY})\s{{0,4}}(?:{_SEP}\s{{0,4}})?(?P<mend>{_MONTH_YY}|{_PRESENT})(?![\w/])"
    rf"|{_SINCE}\s+(?P<since>{_POINT})(?![\w/])"
    rf"|(?P<onward>{_POINT})\s*(?:onwards?|on\s?wards|-\s*(?:$|\n))"
    rf"|(?P<single>{_POINT})(?![\w/])"
    r")",
    re.IGNORECASE,
)

_POINT_PARTS = re.compile(
    r"(?:"
    rf"(?P<dmonth2>{_MONTH})\s{{0,2}}[0-3]?\d(?:st|nd|rd|th)?,\s?(?P<dyear2>{_YEAR})"
    rf"|(?:{_DAY})?(?P<month>{_MONTH})[\s,\-/]{{0,3}}(?P<myear>{_YEAR}|{_YEAR2}|\d{{2}})"
    rf"|(?P<season>{_SEASON})[\s,]{{0,3}}(?P<syear>{_YEAR}|{_YEAR2})"
    rf"|[0-3]?\d[/.](?P<dmonth>[01]?\d)[/.](?P<dyear>{_YEAR})"
    rf"|(?P<nmonth>[01]?\d)\s?[/.\-]\s?(?P<nyear>{_YEAR})"
    rf"|(?P<iyear>{_YEAR})[/.\-](?P<imonth>\d\d)"
    rf"|(?P<smonth>[01]?\d)/(?P<syear2>\d{{2}})"
    rf"|(?P<year>{_YEAR})"
    r")",
    re.IGNORECASE,
)
_DIGIT_RE = re.compile(r"\d\d")  # every shape holds a two-digit run (a year at least)
_PRESENT_RE = re.compile(
    r"^(?:till|to|up|present|current|ongoing|continu|aujourd|heute|actual|jetzt|now|today|date)",
    re.IGNORECASE,
)
_DURATION_RE = re.compile(
    r"(?P<years>\d{1,2}(?:\.\d)?)\+?\s*(?:years?|yrs?)(?:\s*(?:and\s*)?(?P<months>\d{1,2})\s*"
    r"(?:months?|mos?))?|(?P<only_months>\d{1,2})\s*(?:months?|mos?)\b",
    re.IGNORECASE,
)


def _two_digit_year(text: str) -> int:
    value = int(text.strip("'\u2019\u2018` "))
    return 2000 + value if value < 50 else 1900 + value


def _point(text: str) -> tuple[int, int | None] | None:
    """(year, month or None) of one point written as `_POINT` allows."""
    match = _POINT_PARTS.fullmatch(text.strip())
    if match is None:
        return None
    groups = match.groupdict()
    if groups["dmonth2"]:
        return int(groups["dyear2"]), MONTHS[groups["dmonth2"].lower().rstrip(".")]
    if groups["month"]:
        month = MONTHS[groups["month"].lower().rstrip(".")]
        year_text = groups["myear"]
        year = int(year_text) if len(year_text) == 4 else _two_digit_year(year_text)
        return year, month
    if groups["season"]:
        year_text = groups["syear"]
        year = int(year_text) if len(year_text) == 4 else _two_digit_year(year_text)
        return year, SEASONS[groups["season"].lower()]
    for month_key, year_key in (
        ("dmonth", "dyear"),
        ("nmonth", "nyear"),
        ("imonth", "iyear"),
        ("smonth", "syear2"),
    ):
        if groups[month_key]:
            month = int(groups[month_key])
            year_text = groups[year_key]
            year = int(year_text) if len(year_text) == 4 else _two_digit_year(year_text)
            if not 1 <= month <= 12:
                return (year, None) if len(year_text) == 4 else None
            return year, month
    return int(groups["year"]), None


def _period(match: re.Match[str]) -> Period | None:
    raw = match.group(0).strip()
    groups = match.groupdict()
    if groups["ystart"]:
        start_year = int(groups["ystart"])
        end_year = start_year // 100 * 100 + int(groups["yend"])
        if end_year < start_year:
            if 1 <= int(groups["yend"]) <= 12:  # 2019-03
                return Period(raw=raw, start_year=start_year, start_month=int(groups["yend"]))
            end_year += 100
        if end_year - start_year > 40:
            return None
        return Period(raw=raw, start_year=start_year, end_year=end_year)
    start_text = groups["start"] or groups["sstart"] or groups["mstart"]
    start_text = start_text or groups["since"] or groups["onward"]
    start_text = start_text or groups["single"]
    start = _point(start_text)
    if start is None:
        return None
    period = Period(raw=raw, start_year=start[0], start_month=start[1])
    end_text = groups["end"] or groups["send"] or groups["mend"]
    if groups["since"] or groups["onward"]:
        period.current = True
    elif end_text:
        if _PRESENT_RE.match(" ".join(end_text.split())):
            period.current = True
        else:
            end = _point(end_text)
            if end is None:
                return None
            period.end_year, period.end_month = end
            if (period.end_year, period.end_month or 12) < (start[0], start[1] or 1):
                return None
    return period


def iter_periods(text: str) -> Iterator[tuple[int, int, Period]]:
    """Every date or date range in `text`, as (start offset, end offset, Period)."""
    if _DIGIT_RE.search(text) is None:  # most lines have no date at all
        return
    for match in RANGE_RE.finditer(text):
        period = _period(match)
        if period is not None:
            yield match.start(), match.end(), period


def parse_period(text: str) -> Period | None:
    """The first date range in `text` (a lone date counts as a range that starts there)."""
    best: Period | None = None
    for _, _, period in iter_periods(text):
        if is_range(period):
            return period
        best = best or period
    return best


def is_range(period: Period) -> bool:
    """True when both ends are known (or the range runs to the present)."""
    return period.current or period.end_year is not None


def duration_years(text: str) -> float | None:
    """A duration written out ("(3 years)", "2 yrs 4 months", "8 months") in years."""
    match = _DURATION_RE.search(text)
    if match is None:
        return None
    if match.group("only_months"):
        return round(int(match.group("only_months")) / 12, 2)
    months = int(match.group("months") or 0)
    return round(float(match.group("years")) + months / 12, 2)


def _month_span(period: Period, today: datetime.date) -> tuple[int, int] | None:
    """[start, end) as month indexes; year-only bounds count from January."""
    if period.start_year is None:
        return None
    start = period.start_year * 12 + (period.start_month or 1) - 1
    if period.current:
        end = today.year * 12 + today.month
    elif period.end_year is not None:
        if period.end_month:
            end = period.end_year * 12 + period.end_month
        else:
            end = period.end_year * 12 + (12 if period.end_year == period.start_year else 0)
    else:
        return None
    end = min(end, today.year * 12 + today.month)
    return (start, end) if end > start else None


def years_of_experience(periods: Iterable[Period], today: datetime.date) -> float:
    """Years covered by `periods` once overlaps are merged; current ones end `today`."""
    spans = sorted(span for p in periods if (span := _month_span(p, today)) is not None)
    total = 0
    current_start, current_end = -1, -1
    for start, end in spans:
        if start > current_end:
            total += current_end - current_start
            current_start, current_end = start, end
        else:
            current_end = max(current_end, end)
    total += current_end - current_start
    return round(total / 12, 1)
