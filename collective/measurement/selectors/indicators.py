"""Reads of indicators: the dashboard's list, the API's list, one indicator and its parts."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.db.models import (
    Case,
    Count,
    F,
    FilteredRelation,
    IntegerField,
    Prefetch,
    Q,
    QuerySet,
    Value,
    When,
)
from django.db.models.functions import Coalesce
from django.http import Http404

from collective.core.models import Initiative, Partner
from collective.core.rules import membership_for

from ..choices import Status
from ..models import Indicator, IndicatorStatus, Narrative, ReportingAssignment, Target

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


def with_status(qs: QuerySet, scope: Partner | None = None) -> QuerySet:
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


def dashboard_indicators(initiative) -> QuerySet[Indicator]:
    """Every live indicator with its collective status, ranked for sorting (the dashboard's
    filters narrow it: `filters.DashboardFilter`). 1 query (+1 for outcomes when listed)."""
    qs = Indicator.objects.filter(initiative=initiative, archived=False)
    qs = with_status(qs)
    qs = qs.annotate(
        status_rank=_status_order(),
        level_rank=Case(
            *[When(level=level, then=Value(rank)) for level, rank in LEVEL_RANK.items()],
            default=Value(9),
            output_field=IntegerField(),
        ),
    )
    return qs.order_by(*SORT_ORDERS["code"])


def status_counts(initiative) -> dict[str, int]:
    """How many live indicators are in each status (collective scope). 1 query."""
    rows = (
        with_status(Indicator.objects.filter(initiative=initiative, archived=False))
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


def _is_member(user, initiative) -> bool:
    return membership_for(user, initiative) is not None


def indicator_list(
    initiative: Initiative, user, *, archived: bool = False, public_only: bool = False
) -> QuerySet[Indicator]:
    """Indicators the user may see (members: all; others: the public ones), each with
    `collective_status` (IndicatorStatus or None). `filters.IndicatorFilter` narrows it."""
    qs = Indicator.objects.filter(initiative=initiative, archived=archived)
    if public_only or not _is_member(user, initiative):
        qs = qs.filter(is_public=True)
    return (
        qs.select_related("owner_partner")
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


def target_list(initiative: Initiative) -> QuerySet[Target]:
    """Targets of the initiative (collective and per partner), by indicator and period."""
    return (
        Target.objects.filter(initiative=initiative)
        .select_related("indicator", "partner")
        .order_by("indicator__code", "period_start")
    )


def assignment_list(initiative: Initiative) -> QuerySet[ReportingAssignment]:
    """Reporting duties of the initiative, by indicator and partner."""
    return (
        ReportingAssignment.objects.filter(initiative=initiative)
        .select_related("indicator", "partner")
        .order_by("indicator__code", "partner__name")
    )
