"""Reads of reporting: each partner's duties and their state, completeness and timeliness,
and the data entry grid."""

from __future__ import annotations

from collections import defaultdict
from contextlib import suppress
from datetime import date, timedelta

from django.db.models import Count, Max, Min, Q
from django.utils import timezone

from collective.core.models import Initiative, Partner

from .. import periods
from ..models import Indicator, Observation, ReportingAssignment
from .partners import in_subtree


def _duty_starts(assignments) -> dict[int, int]:
    """The first period (ordinal) each assignment asks for: its `starts_period`, else the
    period it was created in — or the partner's first value, when that is earlier."""
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
    """Expected / received / on time, per partner, indicator and period (`partner`: it and
    the partners below it), over the last `periods_back` ended periods of each assignment
    (only periods whose due date passed count as expected, and none before the duty began —
    see `_duty_starts`)."""
    today = today or timezone.localdate()
    assignments = ReportingAssignment.objects.filter(
        initiative=initiative, active=True, indicator__archived=False
    ).select_related("indicator", "partner")
    if partner is not None:
        assignments = assignments.filter(in_subtree(partner))
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
            obs = obs.filter(in_subtree(partner))
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


def overdue_count(initiative, partner: Partner, today=None) -> int:
    """Overdue reports of a partner."""
    return sum(
        1 for d in reporting_duties(initiative, partner, today=today) if d.get("state") == "overdue"
    )
