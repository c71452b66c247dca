"""Period codes: parsing, formatting, dates, arithmetic (property-based with hypothesis)."""

from __future__ import annotations

import datetime
import itertools

import pytest
from hypothesis import given
from hypothesis import strategies as st

from collective.measurement import periods
from collective.measurement.periods import PeriodError

FREQUENCIES = ["week", "month", "quarter", "year"]
days = st.dates(min_value=datetime.date(1950, 1, 1), max_value=datetime.date(2150, 12, 31))
frequencies = st.sampled_from(FREQUENCIES)


@given(frequencies, days)
def test_the_period_of_a_day_contains_it_and_its_code_round_trips(frequency, day):
    p = periods.for_date(frequency, day)
    assert p.start <= day <= p.end
    assert periods.parse(p.code) == p
    assert periods.normalize(day.isoformat(), frequency) == p
    assert periods.normalize(day, frequency) == p


@given(frequencies, days, st.integers(min_value=-45, max_value=45))
def test_consecutive_periods_tile_time(frequency, day, n):
    p = periods.for_date(frequency, day)
    q = p.shift(n)
    assert periods.distance(p.code, q.code) == n
    nxt = p.shift(1)
    assert nxt.start == p.end + datetime.timedelta(days=1)
    assert periods.previous_period(nxt.code) == p.code
    assert periods.next_period(p.code) == nxt.code


@given(frequencies, days, st.integers(min_value=0, max_value=40))
def test_ranges_are_inclusive_and_ordered(frequency, day, length):
    first = periods.for_date(frequency, day)
    last = first.shift(length)
    codes = periods.period_range(first.code, last.code)
    assert len(codes) == length + 1
    assert codes[0] == first and codes[-1] == last
    assert all(a.end < b.start for a, b in itertools.pairwise(codes))


@pytest.mark.parametrize(
    ("code", "frequency", "start", "end"),
    [
        ("2026-W45", "week", "2026-11-02", "2026-11-08"),
        ("2020-W53", "week", "2020-12-28", "2021-01-03"),
        ("2026-11", "month", "2026-11-01", "2026-11-30"),
        ("2024-02", "month", "2024-02-01", "2024-02-29"),
        ("2026-Q3", "quarter", "2026-07-01", "2026-09-30"),
        ("2026", "year", "2026-01-01", "2026-12-31"),
    ],
)
def test_canonical_codes(code, frequency, start, end):
    p = periods.parse(code)
    assert (p.frequency, p.start.isoformat(), p.end.isoformat()) == (frequency, start, end)
    assert p.code == code


@pytest.mark.parametrize(
    ("text", "frequency", "code"),
    [
        ("2026q3", "quarter", "2026-Q3"),
        ("2026-3", "month", "2026-03"),
        ("2026W5", "week", "2026-W05"),
        ("15/03/2026", "month", "2026-03"),
        ("2026-03-15T10:00:00", "quarter", "2026-Q1"),
        (2026, "year", "2026"),
        (2026.0, "year", "2026"),
        (datetime.datetime(2026, 12, 31, 23, 0), "week", "2026-W53"),  # noqa: DTZ001
    ],
)
def test_accepted_spellings(text, frequency, code):
    assert periods.normalize(text, frequency).code == code


@pytest.mark.parametrize(
    ("text", "frequency", "message"),
    [
        ("2026-Q3", "month", "is a quarter"),
        ("2026-13", "month", "no month 13"),
        ("2021-W53", "week", "no ISO week 53"),
        ("next year", "year", "is not a period"),
        ("", "month", "missing"),
        ("2026-02-30", "month", "not a valid date"),
        ("1066", "year", "out of range"),
    ],
)
def test_refusals_explain_themselves(text, frequency, message):
    with pytest.raises(PeriodError, match=message):
        periods.normalize(text, frequency)


def test_labels_and_due_dates():
    assert periods.label("2026-11") == "Nov 2026"
    assert periods.label("2026-Q3") == "Q3 2026"
    assert periods.label("2026-W05") == "Week 5, 2026"
    assert periods.due_date("2026-Q3", 15) == datetime.date(2026, 10, 15)
    assert periods.looks_like_period("2026-Q1") and periods.looks_like_period("2026-01-31")
    assert not periods.looks_like_period("Value")
