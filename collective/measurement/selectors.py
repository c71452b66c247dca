"""Reads of shared measurement, scoped to what the user may see.

Pages and the API read roll-ups and statuses (kept fresh by the services), never scan raw
observations: `series` is three small indexed queries whatever the number of observations.
"""

from __future__ import annotations

from collections import defaultdict
from contextlib import suppress
from datetime import date, timedelta
from decimal import Decimal

from django.db.models import Count, Max, Prefetch, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from collective.core.models import Initiative, Partner
from collective.core.rules import membership_for

from . import periods
from .choices import Direction, Status
from .models import (
    Indicator,
    IndicatorStatus,
    Narrative,
    Observation,
    ObservationHistory,
    ReportingAssignment,
    Rollup,
    Target,
)
from .status import MAINTAIN_TOLERANCE, baseline_line, forecast_line

# --- Indicators ------------------------------------------------------------------------------


def _is_member(user, initiative) -> bool:
    return membership_for(user, initiative) is not None


def indicator_list(
    initiative: Initiative,
    user,
    *,
    level: str = "",
    rba_question: str = "",
    outcome=None,
    partner=None,
    status: str = "",
    q: str = "",
    archived: bool = False,
    public_only: bool = False,
) -> QuerySet[Indicator]:
    """Indicators the user may see, each with `collective_status` (IndicatorStatus or None).

    `outcome`: an Outcome (or its uid / pk); `partner`: a Partner (or uid) that reports the
    indicator or owns it; `status`: the collective status.
    """
    qs = Indicator.objects.filter(initiative=initiative, archived=archived)
    if public_only or not _is_member(user, initiative):
        qs = qs.filter(is_public=True)
    if level:
        qs = qs.filter(level=level)
    if rba_question:
        qs = qs.filter(rba_question=rba_question)
    if outcome:
        key = getattr(outcome, "pk", None)
        qs = (
            qs.filter(outcomes__pk=key)
            if key
            else qs.filter(
                Q(outcomes__uid=outcome) if not str(outcome).isdigit() else Q(outcomes__pk=outcome)
            )
        )
    if partner:
        key = getattr(partner, "pk", None)
        if key is None:
            found = Partner.objects.filter(initiative=initiative, uid=partner).first()
            key = found.pk if found else -1
        qs = qs.filter(
            Q(assignments__partner_id=key, assignments__active=True) | Q(owner_partner_id=key)
        )
    if status:
        if status == Status.NO_DATA:
            judged = IndicatorStatus.objects.filter(scope__isnull=True).exclude(
                status=Status.NO_DATA
            )
            qs = qs.exclude(pk__in=judged.values("indicator_id"))
        else:
            qs = qs.filter(statuses__scope__isnull=True, statuses__status=status)
    if q:
        qs = qs.filter(Q(code__icontains=q) | Q(name__icontains=q) | Q(definition__icontains=q))
    return (
        qs.distinct()
        .select_related("owner_partner")
        .prefetch_related(
            Prefetch(
                "statuses",
                queryset=IndicatorStatus.objects.filter(scope__isnull=True),
                to_attr="_collective_statuses",
            ),
            "outcomes",
        )
        .order_by("code")
    )


def collective_status(indicator: Indicator) -> IndicatorStatus | None:
    cached = getattr(indicator, "_collective_statuses", None)
    if cached is not None:
        return cached[0] if cached else None
    return IndicatorStatus.objects.filter(indicator=indicator, scope__isnull=True).first()


def indicator_get(initiative: Initiative, code: str, user) -> Indicator:
    """The indicator by code, if the user may see it (404 otherwise)."""
    indicator = (
        Indicator.objects.filter(initiative=initiative, code=code)
        .select_related("owner_partner", "initiative")
        .first()
    )
    if indicator is None or not user.has_perm("measurement.view_indicator", indicator):
        raise Http404("No such indicator.")
    return indicator


def indicator_statuses(initiative: Initiative, scope: Partner | None = None) -> QuerySet:
    """Statuses of every indicator for one scope (the collective when scope is None)."""
    qs = IndicatorStatus.objects.filter(initiative=initiative, indicator__archived=False)
    qs = qs.filter(scope=scope) if scope is not None else qs.filter(scope__isnull=True)
    return qs.select_related("indicator").order_by("indicator__code")


# --- Series ----------------------------------------------------------------------------------


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


# --- Observations ----------------------------------------------------------------------------


def observation_list(initiative: Initiative, user=None, **filters) -> QuerySet[Observation]:
    """Observations of the initiative; filters: indicator (code), partner (uid), period,
    period_from, period_to (codes or dates), status, source, breakdown."""
    qs = Observation.objects.filter(initiative=initiative).select_related(
        "indicator", "partner", "submitted_by"
    )
    if code := filters.get("indicator"):
        qs = qs.filter(indicator__code=code)
    if partner := filters.get("partner"):
        qs = (
            qs.filter(partner__uid=partner)
            if not isinstance(partner, Partner)
            else qs.filter(partner=partner)
        )
    if period := filters.get("period"):
        qs = qs.filter(period=period)
    if value := filters.get("status"):
        qs = qs.filter(status=value)
    if value := filters.get("source"):
        qs = qs.filter(source=value)
    if "breakdown" in filters and filters["breakdown"] is not None:
        qs = qs.filter(breakdown=filters["breakdown"])
    return qs.order_by("indicator__code", "period_start", "partner__name", "breakdown")


def observation_history(observation: Observation) -> QuerySet[ObservationHistory]:
    return observation.history.select_related("changed_by").order_by("-changed_at", "-id")


def review_queue(initiative: Initiative) -> QuerySet[Observation]:
    """Values waiting for the backbone's review (only when the initiative reviews data)."""
    return (
        Observation.objects.filter(initiative=initiative, status="submitted")
        .select_related("indicator", "partner", "submitted_by")
        .order_by("submitted_at")
    )


# --- Reporting duties ------------------------------------------------------------------------


def _duty_starts(assignments) -> dict[int, int]:
    """The first period (ordinal) each assignment asks for: its `starts_period`, else the
    period it was created in — or the partner's first value, when that is earlier."""
    from django.db.models import Min

    pairs = {(a.indicator_id, a.partner_id) for a in assignments if not a.starts_period}
    first: dict[tuple, date] = {}
    if pairs:
        for ind, pid, start in (
            Observation.objects.filter(
                indicator_id__in={i for i, _ in pairs}, partner_id__in={p for _, p in pairs}
            )
            .values("indicator_id", "partner_id")
            .annotate(first=Min("period_start"))
            .values_list("indicator_id", "partner_id", "first")
        ):
            first[(ind, pid)] = start
    out = {}
    for a in assignments:
        freq = a.indicator.frequency
        if a.starts_period:
            with suppress(periods.PeriodError):
                out[a.pk] = periods.normalize(a.starts_period, freq).index
                continue
        created = periods.for_date(freq, timezone.localdate(a.created_at)).index
        reported = first.get((a.indicator_id, a.partner_id))
        out[a.pk] = min(created, periods.for_date(freq, reported).index) if reported else created
    return out


def _assignment_periods(assignment, start_index: int, today: date, window: int):
    """The periods an assignment covers, newest last: up to `window` ended periods + current."""
    freq = assignment.indicator.frequency
    current = periods.current(freq, today)
    start_index = max(current.index - window, start_index)
    return [periods.from_index(freq, i) for i in range(start_index, current.index + 1)]


def reporting_duties(
    initiative: Initiative, partner: Partner, today: date | None = None, window: int = 12
) -> list[dict]:
    """What the partner must report: per active assignment and period, with the due date and
    the state: 'done', 'overdue', 'due' (period ended, due date not passed) or 'open' (the
    current period). Newest first within each indicator."""
    today = today or timezone.localdate()
    assignments = list(
        ReportingAssignment.objects.filter(
            initiative=initiative, partner=partner, active=True, indicator__archived=False
        ).select_related("indicator")
    )
    if not assignments:
        return []
    starts = _duty_starts(assignments)
    plan = {a.pk: _assignment_periods(a, starts[a.pk], today, window) for a in assignments}
    all_codes = {p.code for ps in plan.values() for p in ps}
    received: dict[tuple, dict] = {}
    for ind, period, n, first, status in (
        Observation.objects.filter(
            partner=partner,
            indicator_id__in=[a.indicator_id for a in assignments],
            period__in=all_codes,
        )
        .values("indicator_id", "period")
        .annotate(n=Count("id"), first=Max("created_at"), st=Max("status"))
        .values_list("indicator_id", "period", "n", "first", "st")
    ):
        received[(ind, period)] = {"count": n, "submitted_at": first, "status": status}
    out = []
    for a in assignments:
        needed = max(1, len(a.indicator.breakdown_values)) if a.indicator.breakdown_dimension else 1
        for p in reversed(plan[a.pk]):
            due = p.end + timedelta(days=a.due_days)
            got = received.get((a.indicator_id, p.code))
            if got and got["count"] >= needed:
                on_time = timezone.localdate(got["submitted_at"]) <= due
                state = "done"
            elif p.end >= today:
                state, on_time = "open", None
            elif due < today:
                state, on_time = "overdue", False
            else:
                state, on_time = "due", None
            out.append(
                {
                    "assignment": a,
                    "indicator": a.indicator,
                    "period": p.code,
                    "label": p.label,
                    "due_date": due,
                    "days": (due - today).days,
                    "state": state,
                    "on_time": on_time,
                    "received": got["count"] if got else 0,
                    "expected": needed,
                    "submitted_at": got["submitted_at"] if got else None,
                }
            )
    return out


def completeness(
    initiative: Initiative,
    *,
    partner: Partner | None = None,
    indicator: Indicator | None = None,
    periods_back: int = 6,
    today: date | None = None,
) -> dict:
    """Expected / received / on time, per partner, indicator and period, over the last
    `periods_back` ended periods of each assignment (only periods whose due date passed count
    as expected, and none before the duty began — see `_duty_starts`)."""
    today = today or timezone.localdate()
    assignments = ReportingAssignment.objects.filter(
        initiative=initiative, active=True, indicator__archived=False
    ).select_related("indicator", "partner")
    if partner is not None:
        assignments = assignments.filter(partner=partner)
    if indicator is not None:
        assignments = assignments.filter(indicator=indicator)
    assignments = list(assignments)
    starts = _duty_starts(assignments)
    cells = []
    wanted: dict[int, set[str]] = defaultdict(set)
    for a in assignments:
        freq = a.indicator.frequency
        last = periods.current(freq, today).index - 1
        first = max(last - periods_back + 1, starts[a.pk])
        for i in range(first, last + 1):
            p = periods.from_index(freq, i)
            due = p.end + timedelta(days=a.due_days)
            if due >= today:
                continue  # not yet due: not expected
            cells.append((a, p, due))
            wanted[a.indicator_id].add(p.code)
    received: dict[tuple, object] = {}
    if cells:
        q = Q()
        for ind, codes in wanted.items():
            q |= Q(indicator_id=ind, period__in=codes)
        obs = Observation.objects.filter(q, initiative=initiative)
        if partner is not None:
            obs = obs.filter(partner=partner)
        for ind, pid, period, first in (
            obs.values("indicator_id", "partner_id", "period")
            .annotate(first=Max("created_at"))
            .values_list("indicator_id", "partner_id", "period", "first")
        ):
            received[(ind, pid, period)] = first
    rows = []
    totals = {"expected": 0, "received": 0, "on_time": 0}
    groups = {"partner": {}, "indicator": {}, "period": {}}
    for a, p, due in cells:
        first = received.get((a.indicator_id, a.partner_id, p.code))
        got = first is not None
        on_time = got and timezone.localdate(first) <= due
        row = {
            "partner": a.partner,
            "indicator": a.indicator,
            "period": p.code,
            "label": p.label,
            "due_date": due,
            "expected": 1,
            "received": int(got),
            "on_time": int(bool(on_time)),
            "submitted_at": first,
        }
        rows.append(row)
        for key, obj, name in (
            ("partner", a.partner, a.partner.name),
            ("indicator", a.indicator, a.indicator.code),
            ("period", p.code, p.code),
        ):
            g = groups[key].setdefault(
                name, {"key": obj, "name": name, "expected": 0, "received": 0, "on_time": 0}
            )
            g["expected"] += 1
            g["received"] += int(got)
            g["on_time"] += int(bool(on_time))
        totals["expected"] += 1
        totals["received"] += int(got)
        totals["on_time"] += int(bool(on_time))

    def rates(d):
        d["completeness"] = round(100 * d["received"] / d["expected"], 1) if d["expected"] else None
        d["timeliness"] = round(100 * d["on_time"] / d["expected"], 1) if d["expected"] else None
        return d

    return {
        "rows": rows,
        "by_partner": [
            rates(g) for g in sorted(groups["partner"].values(), key=lambda g: g["name"].lower())
        ],
        "by_indicator": [
            rates(g) for g in sorted(groups["indicator"].values(), key=lambda g: g["name"])
        ],
        "by_period": [
            rates(g)
            for g in sorted(groups["period"].values(), key=lambda g: periods.parse(g["name"]).start)
        ],
        "totals": rates(totals),
    }


# --- Data entry grid -------------------------------------------------------------------------


def grid(initiative: Initiative, partner: Partner, period: str) -> dict:
    """The data entry grid of one partner and period: a row per indicator it reports (of the
    period's frequency) and breakdown value, with the current and last period's values."""
    p = periods.parse(period)
    assignments = list(
        ReportingAssignment.objects.filter(
            initiative=initiative,
            partner=partner,
            active=True,
            indicator__archived=False,
            indicator__frequency=p.frequency,
        )
        .exclude(indicator__formula__gt="")
        .select_related("indicator")
        .order_by("indicator__code")
    )
    previous = p.shift(-1)
    ind_ids = [a.indicator_id for a in assignments]
    current: dict[tuple, Observation] = {}
    before: dict[tuple, Observation] = {}
    if ind_ids:
        for obs in Observation.objects.filter(
            partner=partner, indicator_id__in=ind_ids, period__in=[p.code, previous.code]
        ).annotate(history_count=Count("history")):
            target = current if obs.period == p.code else before
            target[(obs.indicator_id, obs.breakdown)] = obs
    rows = []
    for a in assignments:
        ind = a.indicator
        for bd in ind.breakdown_values if ind.breakdown_dimension else [""]:
            obs = current.get((ind.pk, bd))
            prev = before.get((ind.pk, bd))
            rows.append(
                {
                    "indicator": ind,
                    "assignment": a,
                    "breakdown": bd,
                    "observation": obs,
                    "previous": prev,
                    "has_history": bool(obs and obs.history_count),
                    "is_ratio": ind.aggregation == "ratio",
                    "due_date": p.end + timedelta(days=a.due_days),
                }
            )
    return {
        "partner": partner,
        "period": p.code,
        "label": p.label,
        "previous_period": previous.code,
        "frequency": p.frequency,
        # The earliest due date of the rows (each row has its own).
        "due_date": min((r["due_date"] for r in rows), default=None),
        "rows": rows,
    }


# --- Narratives ------------------------------------------------------------------------------


def narrative_list(indicator: Indicator) -> QuerySet[Narrative]:
    return (
        indicator.narratives.select_related("author")
        .prefetch_related("partners")
        .order_by("-period")
    )


def narrative_get(indicator: Indicator, period: str) -> Narrative | None:
    return narrative_list(indicator).filter(period=period).first()


def reporters(indicator: Indicator) -> list[dict]:
    """Who reports the indicator, with each partner's latest period (from the statuses)."""
    latest = dict(
        IndicatorStatus.objects.filter(indicator=indicator, scope__isnull=False).values_list(
            "scope_id", "latest_period"
        )
    )
    return [
        {"assignment": a, "partner": a.partner, "latest_period": latest.get(a.partner_id, "")}
        for a in indicator.assignments.filter(active=True).select_related("partner")
    ]
