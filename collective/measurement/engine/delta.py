"""One value written: the stored roll-ups moved by the difference it makes.

Writing one value changes one cell (indicator × period, plus its breakdown value) in the scopes
of one partner chain. Rather than re-aggregating the cell for every scope, `apply_change` reads
the stored rows of the chain and moves them by the difference the value makes: sums and ratios
add the change to their sums (and numerators and denominators), means to their sum and count,
running totals to this and every later period of the scope; minima and maxima move when the new
value extends them, 'last' becomes the new value when it is the latest submitted. The count of
reporting partners follows whether the partner counted before and counts now. Cases the
difference cannot settle (the minimum or the latest value withdrawn, rows that do not match)
return None and the caller recomputes the cell with `rollups.refresh`, so the stored rows are
always those a full recomputation gives (the tests compare both).
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.db import connection

from .. import periods
from ..choices import Aggregation
from ..store import rollups as store
from ..store.rollups import Meta
from .cells import dec, q6
from .cells import ratio as ratio_of


@dataclass(frozen=True, slots=True)
class Change:
    """One observation written, as the roll-ups see it.

    `old` and `new`: (value, numerator, denominator) of the observation before and after the
    write, or None when it did not count (it did not exist, or was not approved in an initiative
    that reviews data) or does not count any more."""

    indicator: int
    partner: int
    chain: tuple[int, ...]  # the partner and every partner above it
    period: str
    period_start: datetime.date
    breakdown: str
    observation: int
    submitted_at: object  # as the database adapts it
    old: tuple | None
    new: tuple | None


@dataclass(slots=True)
class _Row:
    id: int | None  # None: a new row
    period: str
    value: Decimal | None
    numerator: Decimal | None
    denominator: Decimal | None
    partners: int
    dirty: bool = False


@dataclass(slots=True)
class Moved:
    """The outcome of `apply_change`, for `status.refresh_series`."""

    series: dict  # {scope id or None: {period: value as stored}}, the '' rows after the change
    targets: list  # (partner id or None, period, value)
    status_ids: dict  # {scope id or None: IndicatorStatus id} of the rows that exist
    pending: list  # the roll-up writes (Statement), sent with the statuses' (`run`)


class NotByDifference(Exception):
    """The change cannot be applied by difference: recompute the cell instead."""


def _moved(meta: Meta, row: _Row | None, change: Change, partners: int, last_ok: bool):
    """(value, numerator, denominator) of a non-cumulative cell after the change."""
    old, new = change.old, change.new
    agg = meta.aggregation
    if agg == Aggregation.RATIO:
        num = (row.numerator if row else Decimal(0)) or Decimal(0)
        den = (row.denominator if row else Decimal(0)) or Decimal(0)
        if row is not None and (row.numerator is None or row.denominator is None):
            raise NotByDifference
        if old:
            num, den = num - old[1], den - old[2]
        if new:
            num, den = num + new[1], den + new[2]
        return ratio_of(num, den, meta.percent), num, den
    if row is not None and row.value is None:
        raise NotByDifference
    if agg == Aggregation.SUM:
        total = row.value if row else Decimal(0)
        if old:
            total -= old[0]
        if new:
            total += new[0]
        return total, None, None
    if agg == Aggregation.MEAN:
        if row is not None and (row.numerator is None or row.denominator is None):
            raise NotByDifference
        total = row.numerator if row else Decimal(0)
        count = row.denominator if row else Decimal(0)
        if old:
            total, count = total - old[0], count - 1
        if new:
            total, count = total + new[0], count + 1
        if count <= 0:
            raise NotByDifference
        return total / count, total, count
    if agg in (Aggregation.MIN, Aggregation.MAX):
        pick = min if agg == Aggregation.MIN else max
        current = row.value if row else None
        if old and current is not None and old[0] == current:
            # The withdrawn value was the extreme: only a value at least as extreme replaces it.
            if new and pick(new[0], old[0]) == new[0]:
                return new[0], None, None
            raise NotByDifference
        if not new:
            return current, None, None
        return (new[0] if current is None else pick(current, new[0])), None, None
    if agg == Aggregation.LAST:
        if new and last_ok:
            return new[0], None, None
        raise NotByDifference
    raise NotByDifference


def apply_change(initiative, meta: Meta, change: Change):
    """Move the stored roll-ups of the chain's scopes by one written value.

    Returns what `status.refresh_series` judges (the '' series of every scope of the chain
    after the change, the targets, the ids of the status rows) and the roll-up writes, still to
    run (`refresh_series` sends them with its own); or None when the change cannot be applied
    by difference (nothing is written then: recompute with `refresh`). Formula indicators are
    left to the caller."""
    for values in (change.old, change.new):
        needed = values and (values[1:] if meta.aggregation == Aggregation.RATIO else values[:1])
        if needed and any(v is None for v in needed):
            return None  # a value without the figures its kind needs: recompute
    read = store.read_change(
        change,
        cumulative=meta.cumulative,
        has_breakdown=meta.has_breakdown,
        last=meta.aggregation == Aggregation.LAST,
        review=initiative.review_observations,
    )
    other, last_ok = read.other, read.last_ok
    rows: dict[tuple, _Row] = {}
    for rid, sid, bd, period, value, num, den, partners in read.rows:
        rows[(sid, bd, period)] = _Row(rid, period, dec(value), dec(num), dec(den), partners)
    series: dict[int | None, dict[str, object]] = {sid: {} for sid in (None, *change.chain)}
    for sid, period, value in read.series:
        if sid in series:
            series[sid][period] = value
    old, new = change.old, change.new
    breakdowns = ["", change.breakdown] if change.breakdown else [""]
    inserts, updates, deletes = [], [], []
    try:
        for sid in (None, *change.chain):
            for bd in breakdowns:
                # The partner counts in the cell once, however many breakdown values it reports.
                alone = not (bd == "" and other)
                partners_delta = (1 if new and alone else 0) - (1 if old and alone else 0)
                row = rows.get((sid, bd, change.period))
                partners = (row.partners if row else 0) + partners_delta
                if (
                    partners < 0
                    or (row is None and old)
                    or (row is not None and partners == 0 and new)
                ):
                    raise NotByDifference
                if meta.cumulative:
                    moved = _move_running(meta, rows, sid, bd, change, row, partners)
                else:
                    moved = []
                    if partners == 0:
                        if row is not None:
                            deletes.append(row.id)
                            row.value = None
                    else:
                        value, num, den = _moved(meta, row, change, partners, last_ok)
                        if row is None:
                            row = _Row(None, change.period, value, num, den, partners)
                            rows[(sid, bd, change.period)] = row
                        else:
                            row.value, row.numerator, row.denominator = value, num, den
                            row.partners = partners
                        moved.append(row)
                for r in moved:
                    if r.partners == 0:
                        continue
                    (updates if r.id is not None else inserts).append((sid, bd, r))
                if meta.cumulative and partners == 0 and row is not None:
                    deletes.append(row.id)
                if bd == "":
                    scope_series = series[sid]
                    if partners == 0:
                        scope_series.pop(change.period, None)
                    for r in moved:
                        if r.partners:
                            scope_series[r.period] = _as_stored(q6(r.value))
    except NotByDifference:
        return None
    pending = store.moved_statements(
        initiative.pk,
        change.indicator,
        [
            (sid, bd, r.period, periods.parse(r.period).start, q6(r.value), q6(r.numerator),
             q6(r.denominator), r.partners)
            for sid, bd, r in inserts
        ],
        [(q6(r.value), q6(r.numerator), q6(r.denominator), r.partners, r.id)
         for _sid, _bd, r in updates],
        deletes,
    )  # fmt: skip
    return Moved(series, read.targets, read.status_ids, pending)


def _move_running(meta, rows, sid, bd, change, row, partners) -> list[_Row]:
    """Running totals: the cell's own row and every later row of the scope move."""
    old, new = change.old, change.new
    ratio = meta.aggregation == Aggregation.RATIO
    if meta.aggregation not in (Aggregation.SUM, Aggregation.RATIO):
        raise NotByDifference
    d_num = d_den = d_value = Decimal(0)
    if ratio:
        if old:
            d_num, d_den = d_num - old[1], d_den - old[2]
        if new:
            d_num, d_den = d_num + new[1], d_den + new[2]
    else:
        if old:
            d_value -= old[0]
        if new:
            d_value += new[0]
    scope_rows = sorted(
        (r for (s, b, _p), r in rows.items() if s == sid and b == bd and r.id is not None),
        key=lambda r: periods.parse(r.period).index,
    )
    index = periods.parse(change.period).index
    moved = []
    if row is None:
        # A new period in this scope: it starts from the running total of the one before.
        before = [r for r in scope_rows if periods.parse(r.period).index < index]
        if before:
            prev = before[-1]
            if ratio and (prev.numerator is None or prev.denominator is None):
                raise NotByDifference
            run_value = prev.value if not ratio else None
            if not ratio and run_value is None:
                raise NotByDifference
            run_num, run_den = prev.numerator, prev.denominator
        else:
            run_value, run_num, run_den = Decimal(0), Decimal(0), Decimal(0)
        if ratio:
            num, den = run_num + d_num, run_den + d_den
            row = _Row(None, change.period, ratio_of(num, den, meta.percent), num, den, 0)
        else:
            row = _Row(None, change.period, run_value + d_value, None, None, 0)
        rows[(sid, bd, change.period)] = row
        row.partners = partners
        moved.append(row)
    else:
        row.partners = partners
        if partners:
            _shift(row, meta, ratio, d_value, d_num, d_den)
            moved.append(row)
    for r in scope_rows:
        if periods.parse(r.period).index > index:
            _shift(r, meta, ratio, d_value, d_num, d_den)
            moved.append(r)
    return moved


def _shift(row: _Row, meta: Meta, ratio: bool, d_value, d_num, d_den) -> None:
    if ratio:
        if row.numerator is None or row.denominator is None:
            raise NotByDifference
        row.numerator += d_num
        row.denominator += d_den
        row.value = ratio_of(row.numerator, row.denominator, meta.percent)
    else:
        if row.value is None:
            raise NotByDifference
        row.value += d_value


def _as_stored(value: Decimal | None):
    """A value as the database returns it (floats on SQLite), so statuses judge the same."""
    if value is None or connection.vendor != "sqlite":
        return value
    return float(value)
