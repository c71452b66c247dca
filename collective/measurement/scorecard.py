"""The results-based accountability (RBA) scorecard: outcome → population indicators → the
partners' performance measures, grouped How much / How well / Is anyone better off.

One read, shared by the page, the XLSX and PDF downloads, the public page and the embed:
`rba_scorecard(initiative, partner=None, public=False)`. It reads the stored statuses
(`IndicatorStatus`, kept fresh by the services), never raw observations, in a fixed number of
queries whatever the number of indicators (see `test_scorecard.py`).

Population indicators describe the whole population an outcome is about; the partners cannot
be held to them alone, so they always show the collective figure. Performance measures (every
other level) are what partners are accountable for: on a partner's scorecard they show that
partner's (subtree's) own figures and its share of a summed collective total.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import F, FilteredRelation, Q, QuerySet, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from collective.core.models import Partner

from .choices import Aggregation, Direction, IndicatorLevel, RbaQuestion, Status
from .models import Indicator, ReportingAssignment

STATUS_FIELDS = (
    "status",
    "reason",
    "latest_period",
    "latest_value",
    "target_period",
    "target_value",
    "sparkline",
)
QUESTIONS = [RbaQuestion.HOW_MUCH, RbaQuestion.HOW_WELL, RbaQuestion.BETTER_OFF]
TREND_POINTS = 6  # as the status engine: the least-squares line through the last 6 points

IMPROVING = "improving"
WORSENING = "worsening"
FLAT = "flat"
TREND_WORDS = {
    IMPROVING: "Improving",
    WORSENING: "Worsening",
    FLAT: "Flat",
    "": "Too few values",
}


def trend_of(sparkline, direction: str) -> str:
    """'improving', 'worsening', 'flat' (in the indicator's direction), '' with < 2 values.

    A least-squares slope through the last points; flat when it moves less than 0.5% of the
    latest value per period (the status engine's threshold). For "keep at the target"
    indicators any movement is a worsening."""
    values = [
        float(item["value"])
        for item in (sparkline or [])
        if isinstance(item, dict) and item.get("value") is not None
    ][-TREND_POINTS:]
    n = len(values)
    if n < 2:
        return ""
    mean_x = (n - 1) / 2
    mean_y = sum(values) / n
    num = sum((x - mean_x) * (y - mean_y) for x, y in enumerate(values))
    den = sum((x - mean_x) ** 2 for x in range(n))
    slope = num / den
    if abs(slope) <= max(abs(values[-1]) * 0.005, 1e-6):
        return FLAT
    if direction == Direction.MAINTAIN:
        return WORSENING
    return IMPROVING if (slope > 0) == (direction == Direction.INCREASE) else WORSENING


@dataclass
class Row:
    indicator: Indicator
    status: str = Status.NO_DATA
    reason: str = ""
    latest_period: str = ""
    latest_value: Decimal | None = None
    target_period: str = ""
    target_value: Decimal | None = None
    sparkline: list = field(default_factory=list)
    trend: str = ""
    # A partner's scorecard: the collective value of the same period, and the share of it.
    collective_value: Decimal | None = None
    share: float | None = None

    @property
    def trend_label(self) -> str:
        return TREND_WORDS[self.trend]

    @property
    def status_label(self) -> str:
        return Status(self.status).label


@dataclass
class Group:
    question: str
    label: str
    rows: list[Row] = field(default_factory=list)


@dataclass
class Section:
    """One outcome of the agenda (or the measures linked to none)."""

    title: str
    depth: int = 0
    uid: str = ""
    population: list[Row] = field(default_factory=list)
    groups: list[Group] = field(default_factory=list)

    @property
    def performance(self) -> list[Row]:
        return [row for group in self.groups for row in group.rows]

    @property
    def rows(self) -> list[Row]:
        return self.population + self.performance

    @property
    def empty(self) -> bool:
        return not self.population and not self.performance


@dataclass
class RbaScorecard:
    initiative: object
    partner: Partner | None = None
    public: bool = False
    sections: list[Section] = field(default_factory=list)
    generated_at: object = None

    @property
    def rows(self) -> list[Row]:
        """Each indicator once (an indicator linked to two outcomes shows under both)."""
        seen: dict[int, Row] = {}
        for section in self.sections:
            for row in section.rows:
                seen.setdefault(row.indicator.pk, row)
        return list(seen.values())

    @property
    def counts(self) -> dict[str, int]:
        """Measures per status. A partner's counts are its own measures: the population
        indicators beside them are the whole population's, not the partner's to answer for."""
        counts = dict.fromkeys(Status.values, 0)
        for row in self.rows:
            if self.partner is None or row.indicator.level != IndicatorLevel.POPULATION:
                counts[row.status] += 1
        return counts

    @property
    def title(self) -> str:
        who = self.partner.name if self.partner else self.initiative.name
        return f"{who} — scorecard"


def _with_status(qs: QuerySet, alias: str, scope: Partner | None) -> QuerySet:
    """Annotate each indicator with its status row for the scope (a LEFT JOIN, no query)."""
    condition = Q(statuses__scope__isnull=True) if scope is None else Q(statuses__scope=scope)
    qs = qs.annotate(**{alias: FilteredRelation("statuses", condition=condition)})
    values = {f"{alias}_{name}": F(f"{alias}__{name}") for name in STATUS_FIELDS}
    values[f"{alias}_status"] = Coalesce(F(f"{alias}__status"), Value(Status.NO_DATA))
    return qs.annotate(**values)


def _row(indicator: Indicator, alias: str) -> Row:
    values = {name: getattr(indicator, f"{alias}_{name}") for name in STATUS_FIELDS}
    values = {k: v for k, v in values.items() if v is not None}
    row = Row(indicator=indicator, **values)
    row.trend = trend_of(row.sparkline, indicator.direction)
    return row


def _outcome_sections(initiative, public: bool) -> list[Section]:
    """The agenda's outcomes in tree order: the adopted version (the public sees only that),
    else, for members, the latest draft. 3 queries."""
    from collective.agenda.selectors import outcome_tree, version_adopted, version_current

    version = version_adopted(initiative) if public else version_current(initiative)
    return [
        Section(title=node.statement, depth=node.depth, uid=str(node.outcome.uid))
        for node in outcome_tree(version)
    ]


def rba_scorecard(initiative, *, partner: Partner | None = None, public: bool = False):
    """The scorecard of the initiative (collective figures) or of one partner (its subtree's
    figures for the measures it reports or owns). `public`: public indicators only, under the
    adopted agenda. 5 queries (6 for a partner; one more when no version is adopted)."""
    indicators = Indicator.objects.filter(initiative=initiative, archived=False)
    if public:
        indicators = indicators.filter(is_public=True)
    reported: set[int] = set()
    if partner is not None:
        reported = set(
            ReportingAssignment.objects.filter(
                initiative=initiative, active=True, partner__path__startswith=partner.path
            ).values_list("indicator_id", flat=True)
        )
        indicators = indicators.filter(
            Q(pk__in=reported)
            | Q(owner_partner__path__startswith=partner.path)
            | Q(level=IndicatorLevel.POPULATION)
        )
        indicators = _with_status(indicators, "pst", partner)
    indicators = _with_status(indicators, "cst", None)
    indicators = list(indicators.order_by("code"))
    links: dict[int, list[int]] = defaultdict(list)
    if indicators:
        through = Indicator.outcomes.through.objects.filter(
            indicator_id__in=[i.pk for i in indicators]
        ).values_list("indicator_id", "outcome__uid")
        for indicator_id, outcome_uid in through:
            links[str(outcome_uid)].append(indicator_id)
    sections = _outcome_sections(initiative, public)
    by_id = {i.pk: i for i in indicators}
    placed: set[int] = set()
    for section in sections:
        _fill(section, [by_id[pk] for pk in links.get(section.uid, ()) if pk in by_id], partner)
        placed |= {row.indicator.pk for row in section.rows}
    unlinked = Section(title="Not linked to an outcome yet", depth=0)
    _fill(unlinked, [i for i in indicators if i.pk not in placed], partner)
    sections.append(unlinked)
    if partner is not None:
        # A partner's scorecard: population indicators only where the partner has measures.
        for section in sections:
            if not section.performance:
                section.population = []
        sections = [s for s in sections if not s.empty]
    elif not unlinked.rows:
        sections.remove(unlinked)
    return RbaScorecard(
        initiative=initiative,
        partner=partner,
        public=public,
        sections=sections,
        generated_at=timezone.now(),
    )


def _fill(section: Section, indicators: list[Indicator], partner: Partner | None) -> None:
    indicators = sorted(indicators, key=lambda i: i.code)
    groups = {q: Group(question=q, label=RbaQuestion(q).label) for q in QUESTIONS}
    for indicator in indicators:
        if indicator.level == IndicatorLevel.POPULATION:
            section.population.append(_row(indicator, "cst"))
            continue
        if partner is None:
            row = _row(indicator, "cst")
        else:
            row = _row(indicator, "pst")
            row.collective_value = indicator.cst_latest_value
            same_period = row.latest_period == indicator.cst_latest_period
            if (
                same_period
                and indicator.aggregation == Aggregation.SUM
                and not indicator.formula
                and row.latest_value is not None
                and row.collective_value
            ):
                row.share = float(row.latest_value / row.collective_value * 100)
        groups.get(indicator.rba_question, groups[RbaQuestion.BETTER_OFF]).rows.append(row)
    section.groups = [g for g in groups.values() if g.rows]
