"""Read queries of the measurement pages: one query object per page widget, reading roll-ups.

Pages read `IndicatorStatus` and `Rollup` (kept fresh by the services on every write), never
raw observations in bulk. Each function states what it costs in queries.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import (
    Case,
    Count,
    Exists,
    F,
    FilteredRelation,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Value,
    When,
)
from django.db.models.functions import Coalesce

from collective.core.models import Partner

from .choices import Aggregation, ObservationStatus, Status
from .models import (
    ImportJob,
    Indicator,
    IndicatorStatus,
    Narrative,
    Observation,
    ObservationHistory,
    ReportingAssignment,
    Rollup,
    Target,
)

STATUS_RANK = {Status.OFF_TRACK: 0, Status.AT_RISK: 1, Status.NO_DATA: 2, Status.ON_TRACK: 3}
STATUS_FIELDS = [
    "status",
    "reason",
    "latest_period",
    "latest_value",
    "target_period",
    "target_value",
    "forecast_value",
    "sparkline",
    "updated_at",
]


def _with_status(qs: QuerySet, scope: Partner | None = None) -> QuerySet:
    """Annotate each indicator with its status row for the scope (LEFT JOIN, no extra query)."""
    condition = Q(statuses__scope__isnull=True) if scope is None else Q(statuses__scope=scope)
    qs = qs.annotate(st=FilteredRelation("statuses", condition=condition))
    annotations = {f"s_{name}": F(f"st__{name}") for name in STATUS_FIELDS}
    annotations["s_status"] = Coalesce(F("st__status"), Value(Status.NO_DATA))
    return qs.annotate(**annotations)


def _status_order():
    return Case(
        *[When(s_status=status, then=Value(rank)) for status, rank in STATUS_RANK.items()],
        default=Value(2),
        output_field=IntegerField(),
    )


SORT_ORDERS = {
    "code": ["code"],
    "name": ["name", "code"],
    "status": ["status_rank", "code"],
    "level": ["level_rank", "code"],
    "updated": [F("s_updated_at").desc(nulls_last=True), "code"],
}
LEVEL_RANK = {"population": 0, "outcome": 1, "output": 2, "activity": 3}


def dashboard_indicators(initiative, filters: dict | None = None) -> QuerySet[Indicator]:
    """Every live indicator with its collective status. 1 query (+1 for outcomes when listed)."""
    filters = filters or {}
    qs = Indicator.objects.filter(initiative=initiative, archived=False)
    if filters.get("q"):
        text = filters["q"]
        qs = qs.filter(Q(code__icontains=text) | Q(name__icontains=text))
    if filters.get("level"):
        qs = qs.filter(level=filters["level"])
    if filters.get("frequency"):
        qs = qs.filter(frequency=filters["frequency"])
    if filters.get("outcome"):
        qs = qs.filter(
            Exists(
                Indicator.outcomes.through.objects.filter(
                    indicator_id=OuterRef("pk"), outcome_id=filters["outcome"].pk
                )
            )
        )
    if filters.get("partner"):
        partner = filters["partner"]
        reporters = ReportingAssignment.objects.filter(
            indicator_id=OuterRef("pk"), partner__path__startswith=partner.path, active=True
        )
        qs = qs.filter(Exists(reporters) | Q(owner_partner=partner))
    qs = _with_status(qs)
    if filters.get("status"):
        qs = qs.filter(s_status=filters["status"])
    qs = qs.annotate(
        status_rank=_status_order(),
        level_rank=Case(
            *[When(level=level, then=Value(rank)) for level, rank in LEVEL_RANK.items()],
            default=Value(9),
            output_field=IntegerField(),
        ),
    )
    return qs.order_by(*SORT_ORDERS.get(filters.get("sort") or "code", ["code"]))


def status_counts(initiative) -> dict[str, int]:
    """How many live indicators are in each status (collective scope). 1 query."""
    rows = (
        _with_status(Indicator.objects.filter(initiative=initiative, archived=False))
        .values("s_status")
        .annotate(n=Count("pk"))
    )
    counts = dict.fromkeys(Status.values, 0)
    for row in rows:
        counts[row["s_status"]] = row["n"]
    return counts


def indicator_status(indicator, scope: Partner | None = None) -> IndicatorStatus | None:
    qs = IndicatorStatus.objects.filter(indicator=indicator)
    qs = qs.filter(scope__isnull=True) if scope is None else qs.filter(scope=scope)
    return qs.first()


@dataclass
class Reporter:
    assignment: ReportingAssignment
    latest_period: str = ""
    latest_value: Decimal | None = None
    updated_at: object = None


def reporters(indicator) -> list[Reporter]:
    """Who reports the indicator and the last period each one's data covers. 2 queries."""
    assignments = list(
        ReportingAssignment.objects.filter(indicator=indicator)
        .select_related("partner")
        .order_by("partner__name")
    )
    latest = {
        s.scope_id: s
        for s in IndicatorStatus.objects.filter(
            indicator=indicator, scope_id__in=[a.partner_id for a in assignments]
        ).only("scope_id", "latest_period", "latest_value", "updated_at")
    }
    result = []
    for assignment in assignments:
        status = latest.get(assignment.partner_id)
        result.append(
            Reporter(
                assignment=assignment,
                latest_period=status.latest_period if status else "",
                latest_value=status.latest_value if status else None,
                updated_at=status.updated_at if status else None,
            )
        )
    return result


def latest_observations(indicator, limit: int = 12) -> QuerySet[Observation]:
    """The most recent values reported for the indicator (by the index on period_start)."""
    return (
        Observation.objects.filter(indicator=indicator)
        .select_related("partner", "submitted_by")
        .order_by("-period_start", "partner__name", "breakdown")[:limit]
    )


def targets(indicator) -> QuerySet[Target]:
    return (
        Target.objects.filter(indicator=indicator)
        .select_related("partner")
        .order_by("period_start", "partner__name")
    )


def narratives(indicator) -> QuerySet[Narrative]:
    return (
        Narrative.objects.filter(indicator=indicator)
        .select_related("author")
        .prefetch_related("partners")
        .order_by("-period")
    )


def observation_history(observation) -> QuerySet[ObservationHistory]:
    return ObservationHistory.objects.filter(observation=observation).select_related("changed_by")


def review_queue(initiative) -> QuerySet[Observation]:
    """Values waiting for the backbone's review, oldest first."""
    return (
        Observation.objects.filter(initiative=initiative, status=ObservationStatus.SUBMITTED)
        .select_related("indicator", "partner", "submitted_by")
        .order_by("submitted_at", "id")
    )


def returned_for(initiative, partner) -> QuerySet[Observation]:
    """Values returned to this partner (subtree) for correction."""
    return (
        Observation.objects.filter(
            initiative=initiative,
            status=ObservationStatus.RETURNED,
            partner__path__startswith=partner.path,
        )
        .select_related("indicator", "partner", "reviewed_by")
        .order_by("-reviewed_at")
    )


def import_jobs(initiative, user=None) -> QuerySet[ImportJob]:
    qs = ImportJob.objects.filter(initiative=initiative).select_related("created_by")
    if user is not None:
        qs = qs.filter(created_by=user)
    return qs.order_by("-created_at")


@dataclass
class ScorecardRow:
    indicator: Indicator
    status: IndicatorStatus | None
    collective: IndicatorStatus | None
    collective_value_same_period: Decimal | None = None
    share: float | None = None
    share_note: str = ""
    reports: bool = False


@dataclass
class Scorecard:
    partner: Partner
    rows: list[ScorecardRow] = field(default_factory=list)

    @property
    def counts(self) -> dict[str, int]:
        counts = dict.fromkeys(Status.values, 0)
        for row in self.rows:
            counts[row.status.status if row.status else Status.NO_DATA] += 1
        return counts


SHARE_AGGREGATIONS = {Aggregation.SUM}


def scorecard(initiative, partner: Partner) -> Scorecard:
    """The partner's (subtree's) indicators with their values, status and share. 4 queries."""
    subtree = Partner.objects.filter(initiative=initiative, path__startswith=partner.path)
    assigned = set(
        ReportingAssignment.objects.filter(partner__in=subtree, active=True).values_list(
            "indicator_id", flat=True
        )
    )
    statuses = {
        s.indicator_id: s
        for s in IndicatorStatus.objects.filter(initiative=initiative, scope=partner)
    }
    indicator_ids = assigned | set(statuses)
    indicators = list(
        _with_status(Indicator.objects.filter(pk__in=indicator_ids, archived=False)).order_by(
            "code"
        )
    )
    # The collective value of the same period as the partner's latest, to compute its share.
    wanted = {
        (s.indicator_id, s.latest_period)
        for s in statuses.values()
        if s.latest_period and s.latest_value is not None
    }
    collective_values = {}
    if wanted:
        condition = Q()
        for indicator_id, period in wanted:
            condition |= Q(indicator_id=indicator_id, period=period)
        collective_values = {
            (r.indicator_id, r.period): r.value
            for r in Rollup.objects.filter(condition, scope__isnull=True, breakdown="")
        }
    rows = []
    for indicator in indicators:
        status = statuses.get(indicator.pk)
        row = ScorecardRow(
            indicator=indicator,
            status=status,
            collective=None,
            reports=indicator.pk in assigned,
        )
        if status and status.latest_period:
            total = collective_values.get((indicator.pk, status.latest_period))
            row.collective_value_same_period = total
            if indicator.aggregation in SHARE_AGGREGATIONS and not indicator.formula:
                if total and status.latest_value is not None and total != 0:
                    row.share = float(status.latest_value / total * 100)
            else:
                row.share_note = "not a sum"
        rows.append(row)
    return Scorecard(partner=partner, rows=rows)


def overview_figures(initiative, user) -> dict:
    """Figures of the measurement card on the overview. 2 queries."""
    counts = status_counts(initiative)
    total = sum(counts.values())
    return {"counts": counts, "total": total}


# --- Overview card and search ----------------------------------------------------------------


def overdue_count(initiative, partner: Partner, today=None) -> int:
    """Overdue reports of a partner (and its sub-partners)."""
    from . import selectors

    return sum(
        1
        for d in selectors.reporting_duties(initiative, partner, today=today)
        if d.get("state") == "overdue"
    )


def measurement_summary(initiative, user):
    """The shared-measurement card of the overview: status figures and the next step."""
    from django.urls import reverse

    from collective.core.conditions import Summary
    from collective.core.rules import membership_for

    counts = status_counts(initiative)
    total = sum(counts.values())
    slug = initiative.slug
    membership = membership_for(user, initiative)
    if total == 0:
        if user.has_perm("measurement.manage_indicators", initiative):
            return Summary(
                next_step=(
                    "Add the first indicator",
                    reverse("measurement:indicator-create", kwargs={"slug": slug}),
                ),
            )
        return Summary()
    figures = [
        ("on track", f"{counts[Status.ON_TRACK]}/{total}"),
        ("off track", str(counts[Status.OFF_TRACK])),
    ]
    next_step = ("Open the measures", reverse("measurement:index", kwargs={"slug": slug}))
    partner = membership.partner if membership else None
    if partner is not None and user.has_perm("measurement.enter_observation", partner):
        overdue = overdue_count(initiative, partner)
        figures.append(("overdue reports", str(overdue)))
        if overdue:
            next_step = (
                "Enter overdue data",
                reverse("measurement:my-reporting", kwargs={"slug": slug}),
            )
    elif user.has_perm("measurement.manage_indicators", initiative):
        waiting = review_queue(initiative).count() if initiative.review_observations else 0
        if waiting:
            figures.append(("to review", str(waiting)))
            next_step = (
                "Review submitted data",
                reverse("measurement:review-queue", kwargs={"slug": slug}),
            )
    return Summary(figures=figures, next_step=next_step, started=True)


def indicator_search(initiative, user, query: str):
    """Indicators whose code, name or definition match, for the top-bar search."""
    from collective.core.search import SearchResult

    if not user.has_perm("measurement.view_measures", initiative):
        return []
    found = (
        Indicator.objects.filter(initiative=initiative)
        .filter(
            Q(code__icontains=query) | Q(name__icontains=query) | Q(definition__icontains=query)
        )
        .order_by("archived", "code")[:10]
    )
    return [
        SearchResult(
            "Measure",
            f"{i.name} ({i.code})",
            i.get_absolute_url(),
            ("archived · " if i.archived else "") + i.get_level_display().split(" — ")[0],
        )
        for i in found
    ]
