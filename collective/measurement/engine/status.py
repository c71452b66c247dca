"""Status and forecast of an indicator: on track / at risk / off track / no data, and why.

The trend is a least-squares line through the most recent points (at most `TREND_POINTS`),
with the period ordinal as x. The forecast extends it to the target period. The status compares
the forecast (or, once the target period is reached, the actual value) with the target in the
indicator's direction; without a target the direction of the trend decides. The baseline
forecast ("turn the curve") is the trend of the points up to the baseline period, projected
forward: where things were heading before the partners acted.

`refresh` stores the result in IndicatorStatus for the given (indicator, scope) pairs; pages
read it and never recompute.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal

from django.utils import timezone

from collective.core.numbers import format_value

from .. import periods
from ..choices import Direction, Status
from ..store import sql
from ..store import statuses as store
from .cells import q6

TREND_POINTS = 6
SPARK_POINTS = 12
MAINTAIN_TOLERANCE = Decimal("0.05")  # within 5% of the target counts as kept


def _d(value) -> Decimal:
    """Decimal from a database value (SQLite returns floats for decimal columns)."""
    return Decimal(repr(value)) if isinstance(value, float) else Decimal(value)


@dataclass
class Assessment:
    status: str = Status.NO_DATA
    reason: str = "No values reported yet."
    latest_period: str = ""
    latest_value: Decimal | None = None
    target_period: str = ""
    target_value: Decimal | None = None
    forecast_value: Decimal | None = None
    sparkline: list = field(default_factory=list)


def trend(points: list[tuple[int, Decimal]]) -> tuple[Decimal, Decimal] | None:
    """(slope, intercept) of the least-squares line through (x, y) points; None if < 2 points.

    Float arithmetic (it runs for every scope on every write); the result is a Decimal line.
    """
    pts = points[-TREND_POINTS:]
    n = len(pts)
    if n < 2:
        return None
    xs = [float(x) for x, _ in pts]
    ys = [float(y) for _, y in pts]
    mean_x = sum(xs) / n
    mean_y = sum(ys) / n
    sxx = sum((x - mean_x) ** 2 for x in xs)
    if sxx == 0:
        return None
    slope = sum((x - mean_x) * (y - mean_y) for x, y in zip(xs, ys, strict=True)) / sxx
    return Decimal(repr(round(slope, 9))), Decimal(repr(round(mean_y - slope * mean_x, 9)))


def project(line: tuple[Decimal, Decimal], x: int) -> Decimal:
    slope, intercept = line
    return slope * x + intercept


def _better(direction: str, a: Decimal, b: Decimal) -> bool:
    """Is `a` at least as good as `b` in this direction?"""
    return a <= b if direction == Direction.DECREASE else a >= b


def _close(value: Decimal, target: Decimal, factor: Decimal) -> bool:
    return abs(value - target) <= abs(target) * factor


def assess(
    points: list[tuple[str, Decimal]],
    targets: list[tuple[str, Decimal]],
    *,
    direction: str,
    decimals: int = 1,
    unit: str = "",
) -> Assessment:
    """Judge a series of (period code, value) against its targets. Points are in time order."""
    points = [(p, v) for p, v in points if v is not None]
    result = Assessment(
        sparkline=[{"period": p, "value": float(v)} for p, v in points[-SPARK_POINTS:]]
    )
    if not points:
        return result
    # Values stay as the database gave them (floats on SQLite): the trend works in floats and
    # only the few figures that are stored or compared become Decimals.
    f = lambda v: format_value(v, decimals=decimals, unit=unit)  # noqa: E731
    latest_code, latest = points[-1][0], _d(points[-1][1])
    latest_p = periods.parse(latest_code)
    result.latest_period, result.latest_value = latest_code, latest
    xy = [(periods.parse(p).index, v) for p, v in points[-TREND_POINTS:]]
    line = trend(xy)
    targets = sorted(
        ((periods.parse(p), _d(v)) for p, v in targets if v is not None),
        key=lambda t: t[0].index,
    )
    upcoming = [t for t in targets if t[0].index >= latest_p.index]
    target = upcoming[0] if upcoming else (targets[-1] if targets else None)

    noun = periods.NOUNS.get(latest_p.frequency, "period")
    if target is None:
        return _without_target(result, line, latest, direction, f, decimals, unit, noun)

    tp, tv = target
    result.target_period, result.target_value = tp.code, tv
    when = tp.label
    if tp.index <= latest_p.index:
        # The target period is reached: judge the actual value.
        value = (
            latest
            if tp.index == latest_p.index
            else _d(
                next((v for p, v in reversed(points) if periods.parse(p).index <= tp.index), latest)
            )
        )
        result.forecast_value = value
        if direction == Direction.MAINTAIN:
            ok, near = (
                _close(value, tv, MAINTAIN_TOLERANCE),
                _close(value, tv, 2 * MAINTAIN_TOLERANCE),
            )
        else:
            ok = _better(direction, value, tv)
            near = _close(value, tv, Decimal("0.10"))
        if ok:
            result.status = Status.ON_TRACK
            result.reason = f"Reached {f(value)} in {when}, meeting the target of {f(tv)}."
        elif near:
            result.status = Status.AT_RISK
            result.reason = f"Reached {f(value)} in {when}, just short of the target of {f(tv)}."
        else:
            result.status = Status.OFF_TRACK
            result.reason = f"Reached {f(value)} in {when}, missing the target of {f(tv)}."
        return result

    ahead = tp.index - latest_p.index
    forecast = project(line, tp.index) if line else latest
    result.forecast_value = forecast
    if direction == Direction.MAINTAIN:
        if _close(forecast, tv, MAINTAIN_TOLERANCE):
            result.status = Status.ON_TRACK
            result.reason = (
                f"Holding near the target of {f(tv)} (forecast {f(forecast)} by {when})."
            )
        elif _close(forecast, tv, 2 * MAINTAIN_TOLERANCE):
            result.status = Status.AT_RISK
            result.reason = (
                f"Drifting from the target of {f(tv)}: forecast {f(forecast)} by {when}."
            )
        else:
            result.status = Status.OFF_TRACK
            result.reason = f"Forecast {f(forecast)} by {when}, far from the target of {f(tv)}."
        return result
    if line is None:
        if _better(direction, latest, tv):
            result.status = Status.ON_TRACK
            result.reason = f"Already at {f(latest)}, meeting the target of {f(tv)} for {when}."
        else:
            result.status = Status.AT_RISK
            result.reason = (
                f"Only one value so far ({f(latest)}): too early for a trend; "
                f"the target is {f(tv)} by {when}."
            )
        return result
    if _better(direction, forecast, tv):
        result.status = Status.ON_TRACK
        if _better(direction, latest, tv):
            result.reason = f"Already at {f(latest)}, meeting the target of {f(tv)} for {when}."
        else:
            result.reason = (
                f"At the current trend it reaches {f(forecast)} by {when}, "
                f"meeting the target of {f(tv)}."
            )
        return result
    gap = tv - latest
    progress = forecast - latest
    share = progress / gap if gap else Decimal(0)
    periods_word = noun if ahead == 1 else f"{noun}s"
    if share >= Decimal("0.5"):
        result.status = Status.AT_RISK
        result.reason = (
            f"Improving, but the trend reaches only {f(forecast)} by {when} "
            f"against a target of {f(tv)} ({ahead} {periods_word} left)."
        )
    else:
        result.status = Status.OFF_TRACK
        moving = "moving away from" if share < 0 else "far too slow for"
        result.reason = (
            f"The trend is {moving} the target: forecast {f(forecast)} by {when} against {f(tv)}."
        )
    return result


def _step(slope: Decimal, decimals: int, unit: str) -> str:
    """A per-period change in words, with enough digits not to read as 0."""
    places = decimals if slope >= 1 else max(decimals, 1 if slope >= Decimal("0.1") else 2)
    return format_value(round(slope, places), decimals=places, unit=unit)


def _without_target(result, line, latest, direction, f, decimals, unit, noun) -> Assessment:
    if line is None:
        result.reason = f"One value so far ({f(latest)}) and no target: too early to judge."
        return result
    slope = line[0]
    flat = abs(slope) <= max(abs(latest) * Decimal("0.005"), Decimal("0.000001"))
    step = _step(abs(slope), decimals, unit)
    if direction == Direction.MAINTAIN:
        if flat:
            result.status, result.reason = Status.ON_TRACK, f"Stable at {f(latest)}; no target set."
        else:
            result.status = Status.AT_RISK
            result.reason = f"Changing by {step} per {noun} where it should hold; no target set."
        return result
    if flat:
        result.status = Status.AT_RISK
        result.reason = f"Flat at about {f(latest)}; no target set."
    elif (slope > 0) == (direction == Direction.INCREASE):
        result.status = Status.ON_TRACK
        result.reason = f"Improving by {step} per {noun}; no target set."
    else:
        result.status = Status.OFF_TRACK
        result.reason = f"Getting worse by {step} per {noun}; no target set."
    return result


def forecast_line(points: list[tuple[str, Decimal]], until: str) -> list[tuple[str, Decimal]]:
    """The trend from the latest point to `until` (inclusive), one point per period."""
    points = [(p, _d(v)) for p, v in points if v is not None]
    if len(points) < 2:
        return []
    line = trend([(periods.parse(p).index, v) for p, v in points])
    if line is None:
        return []
    last = periods.parse(points[-1][0])
    end = periods.parse(until)
    if end.index <= last.index:
        return []
    out = [(last.code, points[-1][1])]
    out += [
        (last.shift(i).code, project(line, last.index + i))
        for i in range(1, end.index - last.index + 1)
    ]
    return out


def baseline_line(
    points: list[tuple[str, Decimal]],
    baseline_period: str,
    baseline_value: Decimal | None,
    until: str,
) -> list[tuple[str, Decimal]]:
    """Where the curve was heading at the baseline: its trend then, projected to `until`."""
    if not baseline_period or not until:
        return []
    try:
        base = periods.parse(baseline_period)
        end = periods.parse(until)
    except periods.PeriodError:
        return []
    if end.frequency != base.frequency or end.index <= base.index:
        return []
    before = [
        (periods.parse(p).index, _d(v))
        for p, v in points
        if v is not None and periods.parse(p).index <= base.index
    ]
    line = trend(before)
    if line is None:
        start = (
            baseline_value if baseline_value is not None else (before[-1][1] if before else None)
        )
        if start is None:
            return []
        line = (Decimal(0), Decimal(start))
    else:
        # Anchor the projection at the baseline value when one is recorded.
        if baseline_value is not None:
            line = (line[0], Decimal(baseline_value) - line[0] * base.index)
    return [
        (base.shift(i).code, project(line, base.index + i))
        for i in range(end.index - base.index + 1)
    ]


# --- Storage -------------------------------------------------------------------------------


def _row(initiative_id: int, ind: int, sid: int | None, a: Assessment, now) -> dict:
    return {
        "initiative": initiative_id, "indicator": ind, "scope": sid, "status": a.status,
        "reason": a.reason[:300], "latest_period": a.latest_period,
        "latest_value": _q(a.latest_value), "target_period": a.target_period,
        "target_value": _q(a.target_value), "forecast_value": _q(a.forecast_value),
        "sparkline": a.sparkline, "updated_at": now,
    }  # fmt: skip


def refresh(initiative, pairs: Iterable[tuple[int, int | None]], *, shrink: bool = True) -> None:
    """Recompute and store IndicatorStatus for the (indicator id, scope id) pairs.

    Every indicator × scope combination of the pairs is recomputed. Pairs without any roll-up
    get no row, except the collective, which always has one. With `shrink` false (values were
    only added or changed, so no scope lost its data) rows are upserted; otherwise the rows of
    the combinations are replaced. Plain SQL: this runs on every write.
    """
    by_indicator: dict[int, set] = defaultdict(set)
    for ind, sid in pairs:
        by_indicator[ind].add(sid)
    if not by_indicator:
        return
    ind_ids = sorted(by_indicator)
    scope_ids = sorted({s for sids in by_indicator.values() for s in sids if s is not None})
    series: dict[tuple, list] = defaultdict(list)
    targets: dict[tuple, list] = defaultdict(list)
    info = store.readings(ind_ids)
    for kind, ind, sid, period, _start, value in store.series_and_targets(ind_ids, scope_ids):
        (series if kind == "r" else targets)[(ind, sid)].append((period, value))
    now = timezone.now()
    all_scopes = [None, *scope_ids]
    rows = []
    for ind in ind_ids:
        if ind not in info:
            continue
        direction, decimals, unit = info[ind]
        for sid in all_scopes:
            points = series.get((ind, sid), [])
            if sid is not None and not points:
                continue
            a = assess(
                points, targets.get((ind, sid), []), direction=direction,
                decimals=decimals, unit=unit,
            )  # fmt: skip
            rows.append(_row(initiative.pk, ind, sid, a, now))
    store.store(rows, ind_ids, scope_ids, replace=shrink)


def refresh_series(initiative, ind: int, info: tuple, moved) -> None:
    """Store the statuses of one indicator from series already in memory (one value written).

    `info`: the indicator's (direction, decimals, unit); `moved`: what `delta.apply_change`
    returned — {scope id: {period: value}} for the collective (None) and the partner scopes of
    the chain, their targets and the ids of their status rows. The same rows `refresh` stores
    after the write, without reading anything: a scope whose series is empty loses its status
    row, the collective always has one; existing rows are updated by id. The roll-ups' writes
    (`moved.pending`) and these go to the database together (one round trip on PostgreSQL)."""
    targets: dict[int | None, list] = defaultdict(list)
    for sid, period, value in moved.targets:
        targets[sid].append((period, value))
    now = timezone.now()
    direction, decimals, unit = info
    new_rows, updates, emptied = [], [], []
    for sid, values in moved.series.items():
        status_id = moved.status_ids.get(sid)
        if sid is not None and not values:
            if status_id is not None:
                emptied.append(status_id)
            continue
        points = sorted(values.items(), key=lambda pv: periods.parse(pv[0]).index)
        a = assess(points, targets.get(sid, []), direction=direction, decimals=decimals, unit=unit)
        row = _row(initiative.pk, ind, sid, a, now)
        if status_id is None:
            new_rows.append(row)
        else:
            updates.append({**row, "id": status_id})
    # The roll-ups' writes first (like the bulk path's, so concurrent writers lock in order).
    sql.run([*moved.pending, *store.statements(new_rows, updates, emptied)])


def _q(value: Decimal | None) -> Decimal | None:
    if value is None:
        return None
    if abs(value) >= Decimal(10) ** 17:
        return None
    return q6(Decimal(value))
