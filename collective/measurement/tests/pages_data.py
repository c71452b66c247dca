"""Data for the page tests: three indicators of different kinds with six months of values.

Built through the services, as every write is.
"""

from __future__ import annotations

from dataclasses import dataclass

from collective.measurement import services

MONTHS = [f"2026-{m:02d}" for m in range(1, 7)]


@dataclass
class Measures:
    days: object  # mean, lower is better, with a target and a baseline
    done: object  # sum, cumulative, broken down by region
    rate: object  # ratio of numerators and denominators, in percent


def make_measures(world) -> Measures:
    bb = world.users["backbone"]
    initiative = world.initiative
    days = services.indicator_create(
        actor=bb,
        initiative=initiative,
        code="DAYS",
        name="Days to go live",
        definition="Calendar days from signature to the first value.",
        unit="days",
        direction="decrease",
        aggregation="mean",
        level="outcome",
        rba_question="how_well",
        baseline_value=41,
        baseline_period="2025-12",
        min_value=0,
        max_value=365,
    )
    done = services.indicator_create(
        actor=bb,
        initiative=initiative,
        code="DONE",
        name="Customers onboarded",
        unit="customers",
        aggregation="sum",
        cumulative=True,
        level="output",
        rba_question="how_much",
        breakdown_dimension="Region",
        breakdown_values=["North", "South"],
    )
    rate = services.indicator_create(
        actor=bb,
        initiative=initiative,
        code="RATE",
        name="Live within 14 days",
        value_type="percent",
        aggregation="ratio",
        level="outcome",
        rba_question="better_off",
    )
    for indicator in (days, done, rate):
        for partner in (world.partner, world.other_partner):
            services.assignment_set(actor=bb, indicator=indicator, partner=partner, due_days=15)
    services.target_set(actor=bb, indicator=days, period="2026-12", value=14)
    services.target_set(actor=bb, indicator=done, period="2026-12", value=400)
    rows = []
    for n, month in enumerate(MONTHS):
        for k, partner in enumerate((world.partner, world.other_partner)):
            rows.append(
                {
                    "indicator": "DAYS",
                    "partner": partner.name,
                    "period": month,
                    "value": 40 - 3 * n + k * 4,
                }
            )
            for region in ("North", "South"):
                rows.append(
                    {
                        "indicator": "DONE",
                        "partner": partner.name,
                        "period": month,
                        "breakdown": region,
                        "value": 10 + n + k,
                    }
                )
            rows.append(
                {
                    "indicator": "RATE",
                    "partner": partner.name,
                    "period": month,
                    "numerator": 5 + n,
                    "denominator": 20,
                }
            )
    services.observations_upsert(actor=bb, initiative=initiative, rows=rows, source="import")
    return Measures(days=days, done=done, rate=rate)
