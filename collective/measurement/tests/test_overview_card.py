"""The overview's shared-measurement card (overview_card.py): its overdue figure counts every
partner the viewer can see, as the completeness page lists them (issue 10, item 7)."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import timezone

from collective.measurement.tests.helpers import save_value

pytestmark = pytest.mark.django_db


@pytest.fixture
def late(world, bb, make_indicator):
    """A monthly measure Operations and Sales report for the last three ended months, due at
    each month's end: Operations sent two values, Sales none — 1 + 3 values overdue."""
    from collective.measurement import periods, services

    today = timezone.localdate()
    last = periods.current("month", today).index - 1
    months = [periods.from_index("month", i).code for i in range(last - 2, last + 1)]
    days = make_indicator("DAYS", name="Days to go live")
    for partner in (world.partner, world.other_partner):
        services.assignment_set(
            actor=bb, indicator=days, partner=partner, due_days=0, starts_period=months[0]
        )
    for month in months[:2]:
        save_value(actor=bb, indicator=days, partner=world.partner, period=month, value=20)
    return months


def _card(world, role):
    from collective.core.conditions import summaries

    return next(
        s for c, s in summaries(world.initiative, world.users[role]) if c.key == "measurement"
    )


def _missing_on_completeness_page(initiative) -> int:
    from collective.measurement import selectors

    return sum(1 for r in selectors.completeness(initiative)["rows"] if not r["received"])


@pytest.mark.parametrize("role", ["viewer", "contributor", "lead", "backbone"])
def test_overdue_counts_every_partner_like_the_completeness_page(world, late, role):
    card = _card(world, role)
    figures = dict(card.figures)
    assert figures["values overdue"] == "4"
    assert _missing_on_completeness_page(world.initiative) == 4


def test_next_step_is_the_viewers_own_overdue_values(world, late):
    assert _card(world, "contributor").next_step == (
        "Enter your 1 overdue value",
        reverse("measurement:my-reporting", kwargs={"slug": "acme"}),
    )
    assert _card(world, "backbone").next_step == (
        "See who is late",
        reverse("measurement:completeness", kwargs={"slug": "acme"}),
    )
    assert _card(world, "viewer").next_step[0] == "Open the scorecard"


def test_overview_page_shows_the_figure(world, late, client_as):
    html = (
        client_as("viewer")
        .get(reverse("core:initiative-overview", kwargs={"slug": "acme"}))
        .content.decode()
    )
    assert "values overdue" in html
