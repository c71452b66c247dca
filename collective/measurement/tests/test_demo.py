"""The demo: every indicator has 24+ periods, statuses are mixed, some partners are late or
missing, stories exist, and loading twice changes nothing."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.db.models import Count

from collective.core.models import Initiative
from collective.measurement import selectors
from collective.measurement.models import Indicator, Narrative, Observation, Rollup


@pytest.mark.django_db
def test_demo_measures():
    call_command("load_demo", "--quiet-logins")
    for slug in ("faster-onboarding", "youth-housing"):
        initiative = Initiative.objects.get(slug=slug)
        indicators = Indicator.objects.filter(initiative=initiative)
        assert 8 <= indicators.count() <= 12
        kinds = set(indicators.values_list("aggregation", flat=True))
        assert {"sum", "mean", "max", "last", "ratio"} <= kinds
        assert indicators.filter(cumulative=True).exists()
        assert indicators.exclude(formula="").exists()
        assert indicators.exclude(breakdown_dimension="").exists()
        assert set(indicators.values_list("level", flat=True)) == {
            "population", "outcome", "output", "activity",
        }  # fmt: skip
        periods_per_indicator = (
            Rollup.objects.filter(
                indicator__initiative=initiative, scope__isnull=True, breakdown=""
            )
            .values("indicator")
            .annotate(n=Count("id"))
        )
        assert len(periods_per_indicator) == indicators.count()
        assert min(row["n"] for row in periods_per_indicator) >= 24
        statuses = {
            s.status for s in selectors.indicator_statuses(initiative) if s.scope_id is None
        }
        assert {"on_track", "off_track"} <= statuses
        report = selectors.completeness(initiative)
        totals = report["totals"]
        assert totals["received"] < totals["expected"]  # someone is missing
        assert totals["on_time"] < totals["received"]  # someone is late
        assert Narrative.objects.filter(initiative=initiative).exists()
    companies = Indicator.objects.filter(initiative__slug="faster-onboarding")
    assert companies.filter(outcomes__isnull=False).exists()
    before = (Observation.objects.count(), Rollup.objects.count())
    call_command("load_demo", "--quiet-logins")
    assert (Observation.objects.count(), Rollup.objects.count()) == before
