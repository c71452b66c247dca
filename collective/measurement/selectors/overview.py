"""Reads of the overview: a partner's scorecard figures (for the partner page) and the top-bar
search. The overview card is `overview_card.py`, the RBA scorecard `scorecard.py`."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Q

from collective.core.models import Partner

from ..choices import Aggregation, Status
from ..models import Indicator, IndicatorStatus, ReportingAssignment, Rollup
from .indicators import with_status


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
        with_status(Indicator.objects.filter(pk__in=indicator_ids, archived=False)).order_by("code")
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
