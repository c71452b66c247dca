"""Services of shared measurement: values, history, roll-ups and statuses on write."""

from __future__ import annotations

from decimal import Decimal

import pytest

from collective.core.errors import ApplicationError
from collective.measurement import services
from collective.measurement.models import IndicatorStatus, Observation, Rollup


def _rollup(indicator, period, scope=None, breakdown=""):
    qs = Rollup.objects.filter(indicator=indicator, period=period, breakdown=breakdown)
    qs = qs.filter(scope=scope) if scope else qs.filter(scope__isnull=True)
    row = qs.first()
    return row.value if row else None


def test_upsert_creates_updates_and_rolls_up(world, bb, people):
    obs, outcome = services.observation_upsert(
        actor=bb, indicator=people, partner=world.subpartner, period="2025-01", value=5
    )
    assert outcome == "created"
    services.observation_upsert(
        actor=bb, indicator=people, partner=world.partner, period="2025-01", value=7
    )
    services.observation_upsert(
        actor=bb, indicator=people, partner=world.other_partner, period="2025-01", value=11
    )
    assert _rollup(people, "2025-01") == Decimal(23)
    assert _rollup(people, "2025-01", world.partner) == Decimal(12)
    assert _rollup(people, "2025-01", world.subpartner) == Decimal(5)
    assert _rollup(people, "2025-01", world.other_partner) == Decimal(11)
    obs, outcome = services.observation_upsert(
        actor=bb, indicator=people, partner=world.subpartner, period="2025-01", value=5
    )
    assert outcome == "unchanged"
    obs, outcome = services.observation_upsert(
        actor=bb, indicator=people, partner=world.subpartner, period="2025-01", value=6
    )
    assert outcome == "updated"
    assert obs.history.count() == 2
    assert _rollup(people, "2025-01") == Decimal(24)
    status = IndicatorStatus.objects.get(indicator=people, scope__isnull=True)
    assert status.latest_value == Decimal(24)
    assert status.sparkline == [{"period": "2025-01", "value": 24.0}]


def test_bulk_upsert_is_atomic(world, bb, people):
    rows = [
        {"indicator": "PEOPLE", "partner": "Operations", "period": "2025-01", "value": 3},
        {"indicator": "NOPE", "partner": "Operations", "period": "2025-01", "value": 3},
        {"indicator": "PEOPLE", "partner": "Sales", "period": "2025-Q1", "value": 3},
        {"indicator": "PEOPLE", "partner": "Sales", "period": "2025-02", "value": "x"},
    ]
    with pytest.raises(ApplicationError) as exc:
        services.observations_upsert_bulk(actor=bb, initiative=world.initiative, rows=rows)
    fields = [(e["row"], e["field"]) for e in exc.value.errors["rows"]]
    assert fields == [(2, "indicator"), (3, "period"), (4, "value")]
    assert not Observation.objects.exists()
    result = services.observations_upsert_bulk(
        actor=bb, initiative=world.initiative, rows=rows, only_valid=True
    )
    assert (result.created, result.updated, result.unchanged) == (1, 0, 0)
    assert _rollup(people, "2025-01") == Decimal(3)
