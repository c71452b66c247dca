"""Builders shared by the activities tests: an adopted agenda, indicators, activities and
claims, all through the services (indicators are plain rows: measurement owns their service)."""

from __future__ import annotations

import datetime

from collective.activities import services
from collective.agenda.tests.helpers import adopted_version
from collective.measurement.models import Indicator

D = datetime.date


def outcomes(world):
    """Adopt the agenda (goal → outcome → sub-outcome) once; return the three outcomes."""
    if "outcomes" not in world.extra:
        version = adopted_version(world)
        nodes = list(version.nodes.select_related("outcome").order_by("order", "id"))
        by_statement = {n.statement: n.outcome for n in nodes}
        world.extra["outcomes"] = (
            by_statement["Customers go live fast"],
            by_statement["Hand-offs take less than a day"],
            by_statement["Sales notes reach Operations"],
        )
    return world.extra["outcomes"]


def indicator(world, code="HANDOFF_DAYS", *, level="outcome", outcome=None, initiative=None):
    made = Indicator.objects.create(
        initiative=initiative or world.initiative, code=code, name=code.title(), level=level
    )
    if outcome is not None:
        made.outcomes.add(outcome)
    return made


def activity(world, title="Joint hand-off checklist", *, partner=None, actor=None, **fields):
    fields.setdefault("description", "")
    return services.activity_create(
        actor=actor or world.users["backbone"],
        initiative=world.initiative,
        partner=partner or world.partner,
        title=title,
        **fields,
    )


def claim(world, act, outcome, *, strength="direct", actor=None, **fields):
    fields.setdefault("rationale", "It shortens the hand-off.")
    return services.claim_create(
        actor=actor or world.users["backbone"],
        activity=act,
        outcome=outcome,
        strength=strength,
        **fields,
    )


def basic(world):
    """An activity of Operations with a claim, and one of Sales (for reviews by Operations)."""
    if "ops_activity" in world.extra:
        return world.extra
    _goal, handoff, _sub = outcomes(world)
    ops = activity(world, "Joint hand-off checklist", start=D(2026, 1, 1), end=D(2026, 6, 30))
    sales = activity(
        world,
        "Sales notes template",
        partner=world.other_partner,
        start=D(2026, 2, 1),
        end=D(2026, 5, 31),
    )
    world.extra.update(
        ops_activity=ops,
        sales_activity=sales,
        ops_claim=claim(world, ops, handoff),
        sales_claim=claim(world, sales, handoff, strength="indirect"),
    )
    return world.extra
