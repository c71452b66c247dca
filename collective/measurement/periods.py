"""Reporting periods: canonical codes (2026-W45, 2026-11, 2026-Q3, 2026), dates and arithmetic.

Every period has an ordinal (`index`) so that next/previous, ranges and distances are integer
arithmetic. Imports may give a date instead of a code: `normalize` maps it to the period of the
indicator's frequency that contains it. Parsing is cached because imports call it per row.
"""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass
from functools import lru_cache

from .choices import Frequency

WEEK, MONTH, QUARTER, YEAR = Frequency.WEEK, Frequency.MONTH, Frequency.QUARTER, Frequency.YEAR

_RE_WEEK = re.compile(r"^(\d{4})-?W(\d{1,2})$", re.IGNORECASE)
_RE_MONTH = re.compile(r"^(\d{4})-(\d{1,2})$")
_RE_QUARTER = re.compile(r"^(\d{4})-?Q([1-4])$", re.IGNORECASE)
_RE_YEAR = re.compile(r"^(\d{4})$")
_RE_DATE = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})(?:[T ][\d:.]+(?:Z|[+-]\d\d:?\d\d)?)?$")
_RE_DMY = re.compile(r"^(\d{1,2})[./](\d{1,2})[./](\d{4})$")

MIN_YEAR, MAX_YEAR = 1900, 2200

EXAMPLES = {WEEK: "2026-W45", MONTH: "2026-11", QUARTER: "2026-Q3", YEAR: "2026"}
NOUNS = {WEEK: "week", MONTH: "month", QUARTER: "quarter", YEAR: "year"}


class PeriodError(ValueError):
    """A period code or date that cannot be read, or does not fit the frequency."""


@dataclass(frozen=True)
class Period:
    frequency: str
    index: int  # ordinal: consecutive periods of one frequency differ by 1
    code: str
    start: datetime.date
    end: datetime.date

    def __str__(self) -> str:
        return self.code

    def shift(self, n: int) -> Period:
        return from_index(self.frequency, self.index + n)

    @property
    def label(self) -> str:
        """A human label: 'Nov 2026', 'Q3 2026', 'Week 45, 2026', '2026'."""
        if self.frequency == MONTH:
            return self.start.strftime("%b %Y")
        if self.frequency == QUARTER:
            return f"Q{self.code[-1]} {self.code[:4]}"
        if self.frequency == WEEK:
            return f"Week {int(self.code[6:])}, {self.code[:4]}"
        return self.code


def _check_year(year: int) -> None:
    if not MIN_YEAR <= year <= MAX_YEAR:
        raise PeriodError(f"The year {year} is out of range ({MIN_YEAR}–{MAX_YEAR}).")


def _weeks_in_year(year: int) -> int:
    return datetime.date(year, 12, 28).isocalendar()[1]


@lru_cache(maxsize=65536)
def from_index(frequency: str, index: int) -> Period:
    if frequency == MONTH:
        year, month0 = divmod(index, 12)
        _check_year(year)
        start = datetime.date(year, month0 + 1, 1)
        end = (
            datetime.date(year + 1, 1, 1) if month0 == 11 else datetime.date(year, month0 + 2, 1)
        ) - datetime.timedelta(days=1)
        return Period(MONTH, index, f"{year:04d}-{month0 + 1:02d}", start, end)
    if frequency == QUARTER:
        year, q0 = divmod(index, 4)
        _check_year(year)
        start = datetime.date(year, q0 * 3 + 1, 1)
        end = (
            datetime.date(year + 1, 1, 1) if q0 == 3 else datetime.date(year, q0 * 3 + 4, 1)
        ) - datetime.timedelta(days=1)
        return Period(QUARTER, index, f"{year:04d}-Q{q0 + 1}", start, end)
    if frequency == YEAR:
        _check_year(index)
        return Period(
            YEAR, index, f"{index:04d}", datetime.date(index, 1, 1), datetime.date(index, 12, 31)
        )
    if frequency == WEEK:
        # Index = proleptic ordinal of the week's Monday divided by 7 (Monday ordinals are 7k+1).
        start = datetime.date.fromordinal(index * 7 + 1)
        iso_year, iso_week, _ = start.isocalendar()
        _check_year(iso_year)
        return Period(
            WEEK,
            index,
            f"{iso_year:04d}-W{iso_week:02d}",
            start,
            start + datetime.timedelta(days=6),
        )
    raise PeriodError(f"Unknown frequency '{frequency}'.")


@lru_cache(maxsize=65536)
def parse(code: str) -> Period:
    """Parse a canonical period code (any frequency). Raises PeriodError."""
    text = str(code).strip()
    if m := _RE_MONTH.match(text):
        year, month = int(m[1]), int(m[2])
        if not 1 <= month <= 12:
            raise PeriodError(f"'{text}': there is no month {month}.")
        _check_year(year)
        return from_index(MONTH, year * 12 + month - 1)
    if m := _RE_QUARTER.match(text):
        year = int(m[1])
        _check_year(year)
        return from_index(QUARTER, year * 4 + int(m[2]) - 1)
    if m := _RE_YEAR.match(text):
        year = int(m[1])
        _check_year(year)
        return from_index(YEAR, year)
    if m := _RE_WEEK.match(text):
        year, week = int(m[1]), int(m[2])
        _check_year(year)
        if not 1 <= week <= _weeks_in_year(year):
            raise PeriodError(f"'{text}': {year} has no ISO week {week}.")
        monday = datetime.date.fromisocalendar(year, week, 1)
        return from_index(WEEK, (monday.toordinal() - 1) // 7)
    raise PeriodError(
        f"'{text}' is not a period. Use a code like 2026-W45, 2026-11, 2026-Q3 or 2026, or a date."
    )


def for_date(frequency: str, day: datetime.date) -> Period:
    """The period of the given frequency that contains the day."""
    if isinstance(day, datetime.datetime):
        day = day.date()
    if frequency == MONTH:
        return from_index(MONTH, day.year * 12 + day.month - 1)
    if frequency == QUARTER:
        return from_index(QUARTER, day.year * 4 + (day.month - 1) // 3)
    if frequency == YEAR:
        return from_index(YEAR, day.year)
    if frequency == WEEK:
        monday = day - datetime.timedelta(days=day.weekday())
        return from_index(WEEK, (monday.toordinal() - 1) // 7)
    raise PeriodError(f"Unknown frequency '{frequency}'.")


def _as_date(text: str) -> datetime.date | None:
    if m := _RE_DATE.match(text):
        try:
            return datetime.date(int(m[1]), int(m[2]), int(m[3]))
        except ValueError as exc:
            raise PeriodError(f"'{text}' is not a valid date.") from exc
    if m := _RE_DMY.match(text):
        try:
            return datetime.date(int(m[3]), int(m[2]), int(m[1]))
        except ValueError as exc:
            raise PeriodError(f"'{text}' is not a valid date (day/month/year).") from exc
    return None


@lru_cache(maxsize=65536)
def _normalize_text(text: str, frequency: str) -> Period:
    day = _as_date(text)
    if day is not None:
        _check_year(day.year)
        return for_date(frequency, day)
    period = parse(text)
    if period.frequency != frequency:
        raise PeriodError(
            f"'{text}' is a {NOUNS[period.frequency]}, but this indicator is reported per "
            f"{NOUNS[frequency]} (e.g. {EXAMPLES[frequency]})."
        )
    return period


def normalize(value, frequency: str) -> Period:
    """A period of `frequency` from a code, an ISO date text, a date or a datetime."""
    if isinstance(value, datetime.date):
        _check_year(value.year)
        return for_date(frequency, value)
    if isinstance(value, int | float) and not isinstance(value, bool):
        if float(value).is_integer():
            value = str(int(value))
        else:
            raise PeriodError(f"'{value}' is not a period.")
    text = str(value or "").strip()
    if not text:
        raise PeriodError("The period is missing.")
    return _normalize_text(text, frequency)


def is_code(text: str) -> bool:
    try:
        parse(text)
    except PeriodError:
        return False
    return True


def looks_like_period(value) -> bool:
    """True for a period code or a date: used to find period columns in wide spreadsheets."""
    if isinstance(value, datetime.date):
        return True
    text = str(value or "").strip()
    if not text:
        return False
    try:
        return _as_date(text) is not None or is_code(text)
    except PeriodError:
        return False


def frequency_of(code: str) -> str:
    return parse(code).frequency


def next_period(code: str) -> str:
    return parse(code).shift(1).code


def previous_period(code: str) -> str:
    return parse(code).shift(-1).code


def distance(a: str, b: str) -> int:
    """How many periods from a to b (b later = positive); both must have one frequency."""
    pa, pb = parse(a), parse(b)
    if pa.frequency != pb.frequency:
        raise PeriodError(f"{a} and {b} are periods of different lengths.")
    return pb.index - pa.index


def period_range(first: str, last: str) -> list[Period]:
    """All periods from first to last inclusive (empty when last is before first)."""
    pa, pb = parse(first), parse(last)
    if pa.frequency != pb.frequency:
        raise PeriodError(f"{first} and {last} are periods of different lengths.")
    return [from_index(pa.frequency, i) for i in range(pa.index, pb.index + 1)]


def current(frequency: str, today: datetime.date | None = None) -> Period:
    from django.utils import timezone

    return for_date(frequency, today or timezone.localdate())


def last_complete(frequency: str, today: datetime.date | None = None) -> Period:
    """The most recent period that has ended."""
    return current(frequency, today).shift(-1)


def due_date(code: str, due_days: int) -> datetime.date:
    return parse(code).end + datetime.timedelta(days=due_days)


def label(code: str) -> str:
    try:
        return parse(code).label
    except PeriodError:
        return code
