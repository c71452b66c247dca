"""Reads: reporting duties, completeness and timeliness, the entry grid, series, lists."""

from __future__ import annotations

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from collective.measurement import selectors, services
from collective.measurement.selectors import timeseries
from collective.measurement.tests.helpers import save_value

TODAY = datetime.date(2025, 4, 20)


def _at(day: datetime.date):
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(10)))


@pytest.fixture
def reported(world, bb, make_indicator):
    """PEOPLE (monthly, due 15 days after the month) reported by Operations and Sales."""
    people = make_indicator("PEOPLE")
    for partner in (world.partner, world.other_partner):
        services.assignment_set(actor=bb, indicator=people, partner=partner, due_days=15)
    rows = [
        # Operations: February on time, March on time.
        ("Operations", "2025-02", datetime.date(2025, 3, 10)),
        ("Operations", "2025-03", datetime.date(2025, 4, 14)),
        # Sales: February late, March missing.
        ("Sales", "2025-02", datetime.date(2025, 3, 28)),
    ]
    services.observations_upsert(
        actor=bb,
        initiative=world.initiative,
        rows=[
            {
                "indicator": "PEOPLE",
                "partner": p,
                "period": period,
                "value": 1,
                "submitted_at": _at(day),
            }
            for p, period, day in rows
        ],
        backdate=True,
    )
    return people


def test_reporting_duties(world, reported):
    duties = selectors.reporting_duties(world.initiative, world.other_partner, today=TODAY)
    by_period = {d["period"]: d for d in duties}
    assert by_period["2025-04"]["state"] == "open"
    assert by_period["2025-03"]["state"] == "overdue"
    assert by_period["2025-03"]["due_date"] == datetime.date(2025, 4, 15)
    assert by_period["2025-03"]["days"] == -5
    assert by_period["2025-02"]["state"] == "done"
    assert by_period["2025-02"]["on_time"] is False
    ops = {
        d["period"]: d
        for d in selectors.reporting_duties(world.initiative, world.partner, today=TODAY)
    }
    assert ops["2025-03"]["state"] == "done" and ops["2025-03"]["on_time"] is True
    # Before its due date a period is "due", not overdue.
    early = {
        d["period"]: d["state"]
        for d in selectors.reporting_duties(
            world.initiative, world.other_partner, today=datetime.date(2025, 4, 10)
        )
    }
    assert early["2025-03"] == "due"


def test_completeness_and_timeliness(world, bb, reported):
    report = selectors.completeness(world.initiative, today=TODAY, periods_back=2)
    partners = {g["name"]: g for g in report["by_partner"]}
    assert partners["Operations"] | {"key": None} == {
        "key": None, "name": "Operations", "expected": 2, "received": 2, "on_time": 2,
        "completeness": 100.0, "timeliness": 100.0,
    }  # fmt: skip
    assert (partners["Sales"]["expected"], partners["Sales"]["received"]) == (2, 1)
    assert partners["Sales"]["on_time"] == 0
    assert report["totals"]["completeness"] == 75.0
    assert report["totals"]["timeliness"] == 50.0
    assert [g["name"] for g in report["by_period"]] == ["2025-02", "2025-03"]
    only_sales = selectors.completeness(
        world.initiative, partner=world.other_partner, today=TODAY, periods_back=2
    )
    assert only_sales["totals"]["expected"] == 2
    # The partner filter keeps the partner and the partners below it.
    people = world.initiative.indicators.get(code="PEOPLE")
    services.assignment_set(
        actor=bb, indicator=people, partner=world.subpartner, due_days=15,
        starts_period="2025-01",
    )  # fmt: skip
    branch = selectors.completeness(
        world.initiative, partner=world.partner, today=TODAY, periods_back=2
    )
    assert [g["name"] for g in branch["by_partner"]] == ["Operations", "Ops Team North"]
    assert (branch["totals"]["expected"], branch["totals"]["received"]) == (4, 2)


def test_grid(world, bb, make_indicator):
    by_age = make_indicator(
        "BY_AGE", breakdown_dimension="Age group", breakdown_values=["0-17", "18+"]
    )
    quarterly = make_indicator("QUARTERLY", frequency="quarter")
    for ind in (by_age, quarterly):
        services.assignment_set(actor=bb, indicator=ind, partner=world.partner)
    save_value(
        actor=bb, indicator=by_age, partner=world.partner, period="2025-02", value=3,
        breakdown="18+",
    )  # fmt: skip
    save_value(
        actor=bb, indicator=by_age, partner=world.partner, period="2025-03", value=4,
        breakdown="18+",
    )  # fmt: skip
    grid = selectors.grid(world.initiative, world.partner, "2025-03")
    assert grid["previous_period"] == "2025-02"
    rows = [(r["indicator"].code, r["breakdown"]) for r in grid["rows"]]
    assert rows == [("BY_AGE", "0-17"), ("BY_AGE", "18+")]  # only monthly indicators
    adult = grid["rows"][1]
    assert adult["observation"].value == 4 and adult["previous"].value == 3
    assert adult["has_history"]
    assert grid["rows"][0]["observation"] is None
    quarter = selectors.grid(world.initiative, world.partner, "2025-Q1")
    assert [r["indicator"].code for r in quarter["rows"]] == ["QUARTERLY"]


def test_series_by_breakdown_with_baseline_forecast(world, bb, make_indicator):
    ind = make_indicator(
        "BY_AGE", breakdown_dimension="Age group", breakdown_values=["0-17", "18+"],
        baseline_period="2025-02", baseline_value=10,
    )  # fmt: skip
    for month, (young, adult) in enumerate([(4, 6), (5, 5), (6, 7), (8, 8)], start=1):
        for bd, value in (("0-17", young), ("18+", adult)):
            save_value(
                actor=bb, indicator=ind, partner=world.partner, period=f"2025-0{month}",
                value=value, breakdown=bd,
            )  # fmt: skip
    services.target_set(actor=bb, indicator=ind, period="2025-08", value=25)
    series = selectors.series(ind, by="breakdown")
    assert series["columns"][0]["name"] == "0-17"
    assert series["periods"][0]["breakdown"] == {"0-17": 4.0, "18+": 6.0}
    assert series["periods"][0]["value"] == 10.0
    assert series["baseline"] == {"period": "2025-02", "value": 10.0}
    assert series["baseline_forecast"][0] == {"period": "2025-02", "value": 10.0}
    assert series["baseline_forecast"][-1]["period"] == "2025-08"
    assert series["forecast"][-1]["period"] == "2025-08"
    assert series["periods"][-1] | {"start": None} == {
        "period": "2025-08", "label": "Aug 2025", "start": None, "value": None,
        "numerator": None, "denominator": None, "reporting_partners": 0, "target": 25.0,
        "status": None, "breakdown": {},
    }  # fmt: skip


def test_series_reads_a_constant_number_of_queries(world, bb, make_indicator):
    ind = make_indicator("PEOPLE")
    for month in range(1, 10):
        for partner in (world.partner, world.subpartner, world.other_partner):
            save_value(
                actor=bb, indicator=ind, partner=partner, period=f"2024-{month:02d}", value=month
            )
    for by in ("collective", "partner", "breakdown"):
        with CaptureQueriesContext(connection) as queries:
            selectors.series(ind, by=by)
        assert len(queries) <= 6, [q["sql"] for q in queries]


def test_indicator_list_and_its_filterset(world, bb, make_indicator):
    """The API's indicator list: what the user may see, narrowed by the one IndicatorFilter;
    the partner filter keeps indicators the partner or a partner below it reports or owns."""
    from collective.agenda.models import Outcome
    from collective.measurement.filters import IndicatorFilter

    outcome = Outcome.objects.create(initiative=world.initiative, title="Customers are live fast")
    fast = make_indicator("FAST", level="outcome", outcomes=[outcome], is_public=True)
    slow = make_indicator("SLOW", level="activity")
    make_indicator("OWNED", level="output", owner_partner=world.subpartner)
    services.assignment_set(actor=bb, indicator=fast, partner=world.other_partner)
    services.assignment_set(actor=bb, indicator=slow, partner=world.subpartner)
    viewer = world.users["viewer"]

    def codes(**data):
        listed = selectors.indicator_list(world.initiative, viewer)
        found = IndicatorFilter(data, queryset=listed, initiative=world.initiative).qs
        return [i.code for i in found]

    assert codes() == ["FAST", "OWNED", "SLOW"]
    assert codes(level="activity") == ["SLOW"]
    assert codes(outcome=str(outcome.pk)) == ["FAST"]
    assert codes(outcome=str(outcome.uid)) == ["FAST"]
    assert codes(partner=str(world.other_partner.uid)) == ["FAST"]
    assert codes(partner="sales") == ["FAST"]  # by name, any case
    # Operations: what Ops Team North (below it) reports or owns.
    assert codes(partner=str(world.partner.uid)) == ["OWNED", "SLOW"]
    assert codes(partner=str(world.subpartner.uid)) == ["OWNED", "SLOW"]
    assert codes(partner="Nobody") == []
    assert codes(status="no_data") == ["FAST", "OWNED", "SLOW"]
    assert codes(q="fas") == ["FAST"]
    outsider = world.users["outsider"]
    assert [i.code for i in selectors.indicator_list(world.initiative, outsider)] == ["FAST"]
    listed = selectors.indicator_list(world.initiative, viewer)
    assert selectors.collective_status(listed[0]).status == "no_data"


def test_partner_columns_are_capped_to_the_largest(world, bb, make_indicator, monkeypatch):
    from tests.factories import make_partner

    monkeypatch.setattr(timeseries, "MAX_PARTNER_COLUMNS", 2)
    ind = make_indicator("PEOPLE")
    extra = make_partner(world.initiative, "Finance", actor=bb)
    make_partner(world.initiative, "Legal", actor=bb)  # no data: never a column
    for partner, value in ((world.partner, 5), (world.other_partner, 9), (extra, 1)):
        save_value(actor=bb, indicator=ind, partner=partner, period="2025-01", value=value)
    series = selectors.series(ind, by="partner")
    assert [c["name"] for c in series["columns"]] == ["Operations", "Sales"]
    assert series["columns_total"] == 3


def test_a_new_duty_does_not_start_in_the_past(world, bb, make_indicator):
    fresh = make_indicator("FRESH")
    services.assignment_set(actor=bb, indicator=fresh, partner=world.partner)
    today = timezone.localdate()
    duties = selectors.reporting_duties(world.initiative, world.partner, today=today)
    assert [d["state"] for d in duties] == ["open"]
    assert selectors.completeness(world.initiative, today=today)["totals"]["expected"] == 0
    later = today + datetime.timedelta(days=70)
    states = [
        d["state"] for d in selectors.reporting_duties(world.initiative, world.partner, today=later)
    ]
    assert states[0] == "open" and "overdue" in states
    explicit = services.assignment_set(
        actor=bb, indicator=fresh, partner=world.other_partner, starts_period="2020-01"
    )
    assert explicit.starts_period == "2020-01"
    old = selectors.reporting_duties(world.initiative, world.other_partner, today=today, window=3)
    assert len(old) == 4  # three ended periods and the current one
