"""The series of an indicator: per period its value, target and status, for pages and the API.

Three small indexed queries over roll-ups and targets, whatever the number of observations.
"""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal

from collective.core.models import Partner

from .. import periods
from ..choices import Direction, Status
from ..engine.status import MAINTAIN_TOLERANCE, baseline_line, forecast_line
from ..models import Indicator, IndicatorStatus, Rollup, Target


def _f(value) -> float | None:
    return None if value is None else float(value)


def _period_status(direction: str, value, target) -> str | None:
    if value is None or target is None:
        return None
    value, target = Decimal(value), Decimal(target)
    if direction == Direction.MAINTAIN:
        if abs(value - target) <= abs(target) * MAINTAIN_TOLERANCE:
            return Status.ON_TRACK
        if abs(value - target) <= abs(target) * 2 * MAINTAIN_TOLERANCE:
            return Status.AT_RISK
        return Status.OFF_TRACK
    met = value <= target if direction == Direction.DECREASE else value >= target
    if met:
        return Status.ON_TRACK
    if abs(value - target) <= abs(target) * Decimal("0.10"):
        return Status.AT_RISK
    return Status.OFF_TRACK


MAX_PARTNER_COLUMNS = 20


def _partner_columns(indicator: Indicator, scope: Partner | None) -> tuple[list[Partner], int]:
    """The partners to compare: the scope's children that have data (descending while there is
    only one), at most MAX_PARTNER_COLUMNS of them (the largest latest values); and how many
    there are in all."""
    partners = list(
        Partner.objects.filter(initiative=indicator.initiative_id).only(
            "id", "uid", "name", "short_name", "parent_id", "path"
        )
    )
    children: dict = defaultdict(list)
    for p in partners:
        children[p.parent_id].append(p)
    current = scope.pk if scope else None
    columns = children.get(current, [])
    while len(columns) == 1 and children.get(columns[0].pk):
        columns = children[columns[0].pk]
    latest = dict(
        IndicatorStatus.objects.filter(
            indicator=indicator, scope_id__in=[p.pk for p in columns]
        ).values_list("scope_id", "latest_value")
    )
    columns = [p for p in columns if p.pk in latest]
    total = len(columns)
    if total > MAX_PARTNER_COLUMNS:
        columns = sorted(columns, key=lambda p: -abs(latest[p.pk] or 0))[:MAX_PARTNER_COLUMNS]
    return sorted(columns, key=lambda p: p.name.lower()), total


def series(indicator: Indicator, *, scope: Partner | None = None, by: str = "collective") -> dict:
    """The indicator over time for one scope: per period the value, target and status; with
    `by="partner"` each partner's value, with `by="breakdown"` each breakdown value's; plus the
    baseline, the forecast line to the target and the baseline forecast ("turn the curve")."""
    if by not in ("collective", "partner", "breakdown"):
        raise ValueError("by must be collective, partner or breakdown")
    rollups = Rollup.objects.filter(indicator=indicator)
    scoped = rollups.filter(scope=scope) if scope else rollups.filter(scope__isnull=True)
    rows = list(
        scoped.filter(breakdown="")
        .order_by("period_start")
        .values_list("period", "value", "numerator", "denominator", "reporting_partners")
    )
    target_rows = list(
        Target.objects.filter(indicator=indicator, partner=scope)
        .order_by("period_start")
        .values_list("period", "value")
    )
    targets = dict(target_rows)
    stat = (
        IndicatorStatus.objects.filter(indicator=indicator, scope=scope).first()
        if scope
        else IndicatorStatus.objects.filter(indicator=indicator, scope__isnull=True).first()
    )
    points = [(p, v) for p, v, *_ in rows]
    codes = [p for p, *_ in rows]
    for p in targets:
        if p not in codes:
            codes.append(p)
    extra: dict[str, dict] = defaultdict(dict)
    columns: list[dict] = []
    columns_total = 0
    if by == "partner":
        partners, columns_total = _partner_columns(indicator, scope)
        columns = [{"uid": str(p.uid), "name": p.name, "label": p.label} for p in partners]
        by_id = {p.pk: str(p.uid) for p in partners}
        for period, sid, value in rollups.filter(
            scope_id__in=list(by_id), breakdown=""
        ).values_list("period", "scope_id", "value"):
            extra[period][by_id[sid]] = _f(value)
    elif by == "breakdown":
        columns = [{"uid": v, "name": v, "label": v} for v in indicator.breakdown_values]
        columns_total = len(columns)
        for period, bd, value in scoped.exclude(breakdown="").values_list(
            "period", "breakdown", "value"
        ):
            extra[period][bd] = _f(value)
    codes.sort(key=lambda c: periods.parse(c).index)
    by_period = {p: (v, n, d, c) for p, v, n, d, c in rows}
    out_periods = []
    for code in codes:
        value, num, den, count = by_period.get(code, (None, None, None, 0))
        target = targets.get(code)
        item = {
            "period": code,
            "label": periods.label(code),
            "start": periods.parse(code).start.isoformat(),
            "value": _f(value),
            "numerator": _f(num) if indicator.aggregation == "ratio" else None,
            "denominator": _f(den) if indicator.aggregation == "ratio" else None,
            "reporting_partners": count,
            "target": _f(target),
            "status": _period_status(indicator.direction, value, target),
        }
        if by != "collective":
            item[by if by == "breakdown" else "partners"] = extra.get(code, {})
        out_periods.append(item)
    until = ""
    if stat and stat.target_period:
        until = stat.target_period
    elif target_rows:
        until = target_rows[-1][0]
    forecast = forecast_line(points, until) if until else []
    last_code = codes[-1] if codes else ""
    horizon = max(
        [c for c in (until, last_code) if c], key=lambda c: periods.parse(c).index, default=""
    )
    baseline = (
        baseline_line(points, indicator.baseline_period, indicator.baseline_value, horizon)
        if horizon
        else []
    )
    return {
        "indicator": {
            "code": indicator.code,
            "name": indicator.name,
            "unit": indicator.unit,
            "decimals": indicator.decimals,
            "direction": indicator.direction,
            "frequency": indicator.frequency,
            "aggregation": indicator.aggregation,
            "cumulative": indicator.cumulative,
            "value_type": indicator.value_type,
            "breakdown_dimension": indicator.breakdown_dimension,
        },
        "scope": str(scope.uid) if scope else None,
        "scope_name": scope.name if scope else "All partners",
        "by": by,
        "columns": columns,
        # With many partners only the largest are columns; this says how many there are.
        "columns_total": columns_total,
        "periods": out_periods,
        "baseline": (
            {"period": indicator.baseline_period, "value": _f(indicator.baseline_value)}
            if indicator.baseline_period or indicator.baseline_value is not None
            else None
        ),
        "targets": [{"period": p, "value": _f(v)} for p, v in target_rows],
        "forecast": [{"period": p, "value": _f(v)} for p, v in forecast],
        "baseline_forecast": [{"period": p, "value": _f(v)} for p, v in baseline],
        "status": {
            "status": stat.status if stat else Status.NO_DATA,
            "label": Status(stat.status).label if stat else Status.NO_DATA.label,
            "reason": stat.reason if stat else "No values reported yet.",
            "latest_period": stat.latest_period if stat else "",
            "latest_value": _f(stat.latest_value) if stat else None,
            "target_period": stat.target_period if stat else "",
            "target_value": _f(stat.target_value) if stat else None,
            "forecast_value": _f(stat.forecast_value) if stat else None,
            "updated_at": stat.updated_at.isoformat() if stat else None,
        },
    }
