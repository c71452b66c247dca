"""Demo data of shared measurement: indicators of every level and aggregation kind for both demo
initiatives, targets, reporting duties and 24+ periods of values with trends — some on track,
some not, some partners late or missing — plus stories behind the curve.

Idempotent and fast: objects are created through the services only when missing, and all
values go through one bulk upsert per initiative (values are seeded, so a second run finds
them unchanged).
"""

from __future__ import annotations

import datetime
import random
import zlib
from dataclasses import dataclass, field

from django.utils import timezone

from collective.agenda.models import Outcome
from collective.core.models import Membership

from . import periods, services
from .models import Indicator

HISTORY = 30  # periods of data (monthly); quarterly indicators get 24 quarters


@dataclass
class Spec:
    code: str
    name: str
    definition: str
    level: str
    rba: str
    reporters: list[str]
    aggregation: str = "sum"
    direction: str = "increase"
    unit: str = ""
    value_type: str = "number"
    frequency: str = "month"
    cumulative: bool = False
    formula: str = ""
    breakdown: tuple[str, list[str]] | None = None
    # Values: flat at `start` for `flat` periods, then moving by `step` per period (± noise).
    start: float = 0.0
    step: float = 0.0
    flat: int = 0
    noise: float = 0.05
    spread: float = 0.15  # how far partners differ from each other
    # Ratios: the denominator per partner and the rate (0-1) over time.
    denominator: int = 0
    decimals: int = 1
    target: tuple[float, int] | None = None  # (value, periods after the last complete one)
    owner: str = ""
    source: str = ""
    outcome: str = ""  # words of the agenda outcome this indicator measures
    public: bool = False
    min_value: float | None = None
    max_value: float | None = None
    stories: list[dict] = field(default_factory=list)


COMPANY = [
    Spec(
        "DAYS_TO_LIVE",
        "Days from signature to go-live",
        "Calendar days between the signed contract and the first productive use of the product "
        "by the customer, averaged over the customers that went live in the month.",
        "population",
        "better_off",
        ["Enterprise Success", "SMB Success", "Onboarding Operations"],
        aggregation="mean",
        direction="decrease",
        unit="days",
        start=41,
        flat=10,
        step=-1.15,
        noise=0.04,
        spread=0.2,
        target=(14, 6),
        owner="Onboarding Operations",
        source="CRM signature date and product activation log",
        outcome="getting value fast",
        min_value=0,
        max_value=365,
        stories=[
            {
                "story": "After a year stuck at about 41 days, time to go-live has fallen every "
                "month since the shared onboarding playbook started.",
                "factors": "Helping: one hand-off checklist, integration templates. Holding back: "
                "security reviews for enterprise customers still take two weeks.",
                "partners_text": "IT & Security (review capacity), Legal (standard DPA), Sales "
                "(complete hand-off notes).",
                "what_works": "Customers with a complete hand-off note go live 9 days sooner.",
                "action_plan": "- Pre-approved security questionnaire (IT, next quarter)\n"
                "- Hand-off note required before signature counts (Sales, now)",
            }
        ],
    ),
    Spec(
        "LIVE_14D_PCT",
        "Customers live within 14 days",
        "Share of customers going live in the month whose go-live came within 14 days of "
        "signing (numerator: those within 14 days; denominator: all customers going live).",
        "outcome",
        "better_off",
        ["Enterprise Success", "SMB Success"],
        aggregation="ratio",
        value_type="percent",
        unit="%",
        denominator=30,
        start=0.2,
        step=0.012,
        flat=6,
        noise=0.08,
        target=(80, 6),
        owner="Customer Success",
        outcome="getting value fast",
    ),
    Spec(
        "NEW_CUSTOMERS",
        "New customers signed",
        "Contracts signed in the month (new logos only).",
        "output",
        "how_much",
        ["Sales"],
        start=38,
        step=0.5,
        noise=0.04,
        decimals=0,
        target=(55, 3),
        unit="customers",
        source="CRM",
    ),
    Spec(
        "LIVE_30D",
        "Customers live within 30 days",
        "Customers signed in the month who were live within 30 days.",
        "outcome",
        "better_off",
        ["Enterprise Success", "SMB Success"],
        start=11,
        step=0.35,
        noise=0.06,
        decimals=0,
        unit="customers",
        flat=4,
        spread=0.05,
    ),
    Spec(
        "ACTIVATION",
        "Activation rate within 30 days",
        "Customers live within 30 days per 100 new customers signed.",
        "outcome",
        "better_off",
        [],
        formula="LIVE_30D / NEW_CUSTOMERS * 100",
        value_type="percent",
        unit="%",
        target=(85, 6),
        outcome="getting value fast",
    ),
    Spec(
        "HANDOFF_PCT",
        "Hand-offs with complete information",
        "Share of sales-to-onboarding hand-offs that carry every field of the hand-off "
        "checklist at the moment of signing.",
        "output",
        "how_well",
        ["Sales", "Onboarding Operations"],
        aggregation="ratio",
        value_type="percent",
        unit="%",
        denominator=20,
        start=0.5,
        step=0.013,
        noise=0.04,
        target=(90, 0),
        outcome="hand-off notes",
    ),
    Spec(
        "INTEGRATIONS",
        "Integrations delivered (running total)",
        "Customer integrations configured and tested, counted in the month they were "
        "delivered; the chart shows the running total.",
        "output",
        "how_much",
        ["Integrations Team"],
        cumulative=True,
        start=6,
        step=0.05,
        noise=0.2,
        decimals=0,
        target=(230, 6),
        unit="integrations",
        outcome="template",
    ),
    Spec(
        "SETUP_TICKETS",
        "Set-up support tickets",
        "Support tickets raised by new customers during set-up, by customer segment.",
        "activity",
        "how_well",
        ["Platform Team", "SMB Success"],
        direction="decrease",
        breakdown=("Segment", ["Enterprise", "Mid-market", "SMB"]),
        start=60,
        step=-0.8,
        noise=0.1,
        decimals=0,
        unit="tickets",
        outcome="set-up steps themselves",
    ),
    Spec(
        "SECURITY_DAYS",
        "Longest security review",
        "The longest security review (days) among the customers reviewed in the month.",
        "output",
        "how_well",
        ["IT & Security"],
        aggregation="max",
        direction="decrease",
        start=12,
        step=0.05,
        noise=0.15,
        target=(5, 3),
        unit="days",
        outcome="Security reviews",
    ),
    Spec(
        "BACKLOG",
        "Customers waiting to start onboarding",
        "Customers signed but not yet started, counted on the last day of the month.",
        "output",
        "how_much",
        ["Onboarding Operations"],
        aggregation="last",
        direction="decrease",
        start=18,
        step=0.4,
        noise=0.1,
        decimals=0,
        unit="customers",
        outcome="Hand-offs between departments",
    ),
    Spec(
        "MIGRATION_OK",
        "Data migration accuracy (lowest team)",
        "Share of migrated records that pass validation, for the team with the lowest score.",
        "output",
        "how_well",
        ["Integrations Team", "Platform Team"],
        aggregation="min",
        value_type="percent",
        unit="%",
        start=92,
        step=0.15,
        noise=0.01,
        target=(98, 6),
        max_value=100,
        min_value=0,
        spread=0.02,
        outcome="Technical set-up",
    ),
    Spec(
        "WORKSHOPS",
        "Onboarding workshops held",
        "Kick-off and training workshops run with new customers.",
        "activity",
        "how_much",
        ["Enterprise Success", "SMB Success", "Onboarding Operations"],
        start=10,
        step=0.0,
        noise=0.15,
        decimals=0,
        unit="workshops",
    ),
]

COALITION = [
    Spec(
        "YOUTH_HOMELESS",
        "Young people homeless for more than 30 days",
        "Young people aged 16–24 known to any partner who have had no stable home for more "
        "than 30 days at the end of the month (sofa-surfing included), by age group.",
        "population",
        "better_off",
        ["County Youth Services", "Safe Harbor Shelter", "Northside Youth Hostel"],
        direction="decrease",
        breakdown=("Age group", ["16–17", "18–24"]),
        start=22,
        flat=8,
        step=-0.25,
        noise=0.08,
        decimals=0,
        target=(30, 12),
        unit="young people",
        owner="County Youth Services",
        source="Shared case list (by-name list)",
        outcome="rare, brief",
        public=True,
        stories=[
            {
                "story": "The by-name list showed the count was flat for most of the first year. "
                "Since the coalition started weekly case conferencing the curve has turned.",
                "factors": "Helping: same-night beds, shared case list. Against: rents rose 9%; "
                "fewer landlords accept young tenants.",
                "partners_text": "City Housing (vouchers), Legal Aid (tenancy rights), Faith "
                "Community Network (host homes).",
                "what_works": "Host homes and rapid rehousing keep stays under 30 days.",
                "action_plan": "- 20 more host homes by summer (Faith network)\n"
                "- Landlord guarantee fund (City)",
            }
        ],
    ),
    Spec(
        "HOUSED_30D_PCT",
        "Housed within 30 days of first contact",
        "Of the young people who first contacted a partner in the month, the share who were "
        "in stable housing within 30 days.",
        "outcome",
        "better_off",
        ["City Housing Department", "County Youth Services", "Safe Harbor Shelter"],
        aggregation="ratio",
        value_type="percent",
        unit="%",
        denominator=25,
        start=0.35,
        step=0.009,
        noise=0.08,
        target=(60, 3),
        outcome="within 30 days",
        public=True,
    ),
    Spec(
        "BED_NIGHTS",
        "Emergency bed-nights provided",
        "Nights of emergency shelter provided.",
        "output",
        "how_much",
        ["Safe Harbor Shelter", "Northside Youth Hostel", "Faith Community Network"],
        start=300,
        step=1.5,
        noise=0.08,
        decimals=0,
        unit="nights",
        outcome="safe, youth-friendly bed",
        public=True,
    ),
    Spec(
        "SHELTERED",
        "Young people sheltered",
        "Different young people given a bed in the month.",
        "output",
        "how_much",
        ["Safe Harbor Shelter", "Northside Youth Hostel"],
        start=24,
        step=0.3,
        noise=0.1,
        decimals=0,
        unit="young people",
        outcome="safe, youth-friendly bed",
    ),
    Spec(
        "NIGHTS_PER_YOUTH",
        "Nights in shelter per young person",
        "Bed-nights divided by the young people sheltered: shorter stays mean faster moves "
        "into housing.",
        "outcome",
        "how_well",
        [],
        formula="BED_NIGHTS / SHELTERED",
        direction="decrease",
        unit="nights",
        public=True,
        outcome="within 30 days",
    ),
    Spec(
        "EVICTIONS_PREVENTED",
        "Evictions prevented (running total)",
        "Tenancies of young people saved by legal advice or mediation.",
        "outcome",
        "better_off",
        ["Legal Aid Society"],
        cumulative=True,
        start=7,
        step=0.1,
        noise=0.25,
        decimals=0,
        target=(330, 6),
        unit="tenancies",
        outcome="stable housing",
    ),
    Spec(
        "SCHOOL_REFERRALS",
        "Early-warning referrals from schools",
        "Students referred by school counsellors for housing risk.",
        "activity",
        "how_much",
        ["Unified School District"],
        start=10,
        step=0.45,
        noise=0.2,
        decimals=0,
        target=(40, 3),
        unit="referrals",
        outcome="identified early",
    ),
    Spec(
        "CASE_WAIT_DAYS",
        "Days waiting for a case worker",
        "Average days from first contact to an assigned case worker.",
        "output",
        "how_well",
        ["County Youth Services"],
        aggregation="mean",
        direction="decrease",
        start=21,
        step=-0.4,
        noise=0.06,
        target=(7, 3),
        unit="days",
        outcome="identified early",
    ),
    Spec(
        "APPRENTICESHIPS",
        "Young people in paid apprenticeships",
        "Young people from the coalition's caseload in a paid apprenticeship at month end.",
        "outcome",
        "better_off",
        ["Workforce Board"],
        aggregation="last",
        start=12,
        step=0.6,
        noise=0.08,
        decimals=0,
        target=(40, 6),
        unit="young people",
        outcome="income to keep their home",
    ),
    Spec(
        "PEAK_OCCUPANCY",
        "Highest shelter occupancy",
        "The fullest shelter's average occupancy in the month: above 85% means young people "
        "get turned away on busy nights.",
        "output",
        "how_well",
        ["Safe Harbor Shelter", "Northside Youth Hostel"],
        aggregation="max",
        direction="decrease",
        value_type="percent",
        unit="%",
        start=88,
        step=0.15,
        noise=0.03,
        target=(85, 3),
        min_value=0,
        max_value=100,
    ),
    Spec(
        "YAC_SESSIONS",
        "Youth Advisory Council sessions",
        "Sessions in which young people with lived experience shaped the coalition's work.",
        "activity",
        "how_much",
        ["Youth Advisory Council"],
        frequency="quarter",
        start=3,
        step=0.15,
        noise=0.25,
        decimals=0,
        unit="sessions",
        public=True,
        outcome="rare, brief",
    ),
]

# Partners who report late, and partners whose latest values are missing.
LATE = {"SMB Success", "Faith Community Network", "Northside Youth Hostel", "Sales"}
MISSING_LATEST = {"IT & Security", "Workforce Board", "Platform Team"}


def _rng(*parts) -> random.Random:
    return random.Random(zlib.crc32("|".join(map(str, parts)).encode()))


def _value(spec: Spec, t: int, partner_index: int, rng: random.Random) -> float:
    moving = max(0, t - spec.flat)
    base = spec.start + spec.step * moving
    offset = 1 + spec.spread * ((partner_index * 37) % 7 - 3) / 3
    return base * offset * (1 + rng.uniform(-spec.noise, spec.noise))


def _row(spec, partner, period, t, i, bd, share, rng, submitter, due_days):
    if spec.aggregation == "ratio":
        den = max(1, round(spec.denominator * (1 + 0.3 * ((i * 13) % 5 - 2) / 2) * share))
        rate = spec.start + spec.step * max(0, t - spec.flat)
        rate *= 1 + rng.uniform(-spec.noise, spec.noise)
        row = {"numerator": max(0, min(den, round(den * rate))), "denominator": den}
    else:
        value = _value(spec, t, i, rng) * share
        if spec.max_value is not None:
            value = min(value, spec.max_value)
        if spec.min_value is not None:
            value = max(value, spec.min_value)
        row = {"value": round(value, spec.decimals if spec.decimals else 0)}
    p = periods.parse(period)
    late = partner.name in LATE and rng.random() < 0.45
    delay = rng.randint(2, 20) if late else rng.randint(-8, -1)
    day = p.end + datetime.timedelta(days=due_days + delay)
    moment = datetime.datetime.combine(
        day, datetime.time(9 + rng.randint(0, 8), rng.randint(0, 59))
    )
    now = timezone.now()
    at = min(timezone.make_aware(moment), now - datetime.timedelta(hours=1))
    row.update(
        indicator=spec.code,
        partner=str(partner.uid),
        period=period,
        breakdown=bd,
        submitted_at=at,
        submitted_by=submitter,
    )
    return row


def _submitters(initiative) -> dict[int, int]:
    """A member of each partner (lead first) to be the demo submitter of its values."""
    out: dict[int, int] = {}
    for partner_id, user_id in (
        Membership.objects.filter(initiative=initiative, partner__isnull=False)
        .order_by("-role")
        .values_list("partner_id", "user_id")
    ):
        out.setdefault(partner_id, user_id)
    return out


def _load(world, initiative, specs: list[Spec], actor) -> None:
    partners = {p.name: p for p in initiative.partners.all()}
    submitters = _submitters(initiative)
    outcomes = list(Outcome.objects.filter(initiative=initiative))
    existing = {i.code: i for i in Indicator.objects.filter(initiative=initiative)}
    rows: list[dict] = []
    for spec in specs:
        last = periods.last_complete(spec.frequency)
        count = 24 if spec.frequency == "quarter" else HISTORY
        first = last.shift(-(count - 1))
        codes = [first.shift(i).code for i in range(count)]
        indicator = existing.get(spec.code)
        if indicator is None:
            fields = {
                "definition": spec.definition,
                "unit": spec.unit,
                "value_type": spec.value_type,
                "direction": spec.direction,
                "level": spec.level,
                "rba_question": spec.rba,
                "frequency": spec.frequency,
                "aggregation": spec.aggregation,
                "cumulative": spec.cumulative,
                "formula": spec.formula,
                "data_source": spec.source,
                "decimals": spec.decimals,
                "is_public": spec.public,
                "min_value": spec.min_value,
                "max_value": spec.max_value,
                "owner_partner": partners.get(spec.owner),
                "outcomes": [
                    o for o in outcomes if spec.outcome and spec.outcome.lower() in o.title.lower()
                ],
            }
            if spec.breakdown:
                fields["breakdown_dimension"], fields["breakdown_values"] = spec.breakdown
            indicator = services.indicator_create(
                actor=actor, initiative=initiative, code=spec.code, name=spec.name, **fields
            )
        due_days = 20 if spec.frequency == "quarter" else 10
        for name in spec.reporters:
            services.assignment_set(
                actor=actor, indicator=indicator, partner=partners[name], due_days=due_days
            )
        if spec.target:
            value, ahead = spec.target
            services.target_set(
                actor=actor, indicator=indicator, period=last.shift(ahead).code, value=value
            )
        bd_values = spec.breakdown[1] if spec.breakdown else [""]
        shares = [1 / len(bd_values)] * len(bd_values) if spec.breakdown else [1.0]
        if spec.breakdown and len(bd_values) > 1:
            shares = [0.3 + 0.4 * i / (len(bd_values) - 1) for i in range(len(bd_values))]
            total = sum(shares)
            shares = [s / total for s in shares]
        for i, name in enumerate(spec.reporters):
            partner = partners[name]
            for t, period in enumerate(codes):
                if name in MISSING_LATEST and t >= count - 2:
                    continue
                for bd, share in zip(bd_values, shares, strict=True):
                    rng = _rng(initiative.slug, spec.code, name, period, bd)
                    rows.append(
                        _row(
                            spec,
                            partner,
                            period,
                            t,
                            i,
                            bd,
                            share,
                            rng,
                            submitters.get(partner.pk),
                            due_days,
                        )
                    )
    services.observations_upsert(
        actor=actor, initiative=initiative, rows=rows, source="import", backdate=True
    )
    # Baselines (the first period's collective value) and the stories behind the curve.
    from .models import Rollup

    for spec in specs:
        indicator = Indicator.objects.get(initiative=initiative, code=spec.code)
        first = (
            Rollup.objects.filter(indicator=indicator, scope__isnull=True, breakdown="")
            .order_by("period_start")
            .first()
        )
        if first is not None and not indicator.baseline_period:
            baseline = (
                periods.parse(first.period).shift(spec.flat).code if spec.flat else first.period
            )
            value = (
                Rollup.objects.filter(
                    indicator=indicator, scope__isnull=True, breakdown="", period=baseline
                )
                .values_list("value", flat=True)
                .first()
            )
            services.indicator_update(
                actor=actor,
                indicator=indicator,
                baseline_period=baseline,
                baseline_value=value if value is not None else first.value,
            )
        for story in spec.stories:
            services.narrative_save(
                actor=actor,
                indicator=indicator,
                period=periods.last_complete(spec.frequency).code,
                **story,
            )


def load(world) -> None:
    _load(world, world.company, COMPANY, world.users["backbone"])
    _load(world, world.coalition, COALITION, world.users["coalition"])
