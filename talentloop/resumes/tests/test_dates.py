import datetime

import pytest

from talentloop.resumes.dates import duration_years, parse_period, years_of_experience
from talentloop.resumes.parsed import Period


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("03/2019", (2019, 3, None, None, False)),
        ("Mar 2019 \u2013 present", (2019, 3, None, None, True)),
        ("March 2019 to Current", (2019, 3, None, None, True)),
        ("2017\u201319", (2017, None, 2019, None, False)),
        ("2015 - 2018", (2015, None, 2018, None, False)),
        ("Sept. 2016 - till date", (2016, 9, None, None, True)),
        ("September 2017 onwards", (2017, 9, None, None, True)),
        ("Jan '18", (2018, 1, None, None, False)),
        ("2019-03", (2019, 3, None, None, False)),
        ("Summer 2015", (2015, 6, None, None, False)),
        ("06/2012 to 07/2014", (2012, 6, 2014, 7, False)),
        ("09/14-Present", (2014, 9, None, None, True)),
        ("May 4, 2014 - June 2015", (2014, 5, 2015, 6, False)),
        ("Janvier 2015 - Décembre 2017", (2015, 1, 2017, 12, False)),
        ("January 2008\nPresent", (2008, 1, None, None, True)),
        ("Jun 06 - Jul 11", (2006, 6, 2011, 7, False)),
        ("(Sept 13 Till Date)", (2013, 9, None, None, True)),
        ("Aug 99  Sept 01", (1999, 8, 2001, 9, False)),
    ],
)
def test_parses_common_shapes(text, expected):
    period = parse_period(text)

    assert period is not None
    assert (
        period.start_year,
        period.start_month,
        period.end_year,
        period.end_month,
        period.current,
    ) == expected


def test_prefers_a_range_over_a_lone_date():
    period = parse_period("Joined 2012; Analyst, 2014 - 2016")

    assert period is not None
    assert (period.start_year, period.end_year) == (2014, 2016)


def test_ignores_text_without_dates():
    assert parse_period("Senior Data Analyst") is None


def test_a_month_and_two_digits_alone_is_a_day_not_a_year():
    assert parse_period("Met the board on June 12 and again on July 15") is None
    assert parse_period("page 1/2") is None


def test_reads_durations():
    assert duration_years("(3 years)") == 3.0
    assert duration_years("2 yrs 6 months") == 2.5
    assert duration_years("8 months") == 0.67


def test_years_of_experience_merges_overlaps_and_ends_current_jobs_today():
    today = datetime.date(2020, 1, 15)
    periods = [
        Period(raw="", start_year=2015, start_month=1, end_year=2017, end_month=12),
        Period(raw="", start_year=2017, start_month=1, end_year=2018, end_month=12),
        Period(raw="", start_year=2019, start_month=1, current=True),
    ]

    assert years_of_experience(periods, today) == 5.1


def test_years_of_experience_of_nothing_is_zero():
    assert years_of_experience([], datetime.date(2020, 1, 1)) == 0.0


def test_month_tree_matches_every_month_name_longest_first():
    import re

    from talentloop.resumes.dates import _MONTH, MONTHS

    flat = "|".join(sorted((re.escape(name) for name in MONTHS), key=len, reverse=True))
    for name in MONTHS:
        for text in (name, name.upper(), f"{name}. 2019", f"{name}uary"):
            tree = re.match(_MONTH, text, re.IGNORECASE)
            plain = re.match(rf"(?:{flat})\.?", text, re.IGNORECASE)
            assert tree is not None and plain is not None
            assert tree.group() == plain.group()
