"""Polish of the shared-measurement pages: a visible baseline forecast, period labels people
read, dashboard filters that say what they ignored, a definition panel fit for formulas."""

from __future__ import annotations

import datetime
import json
import re

import pytest
from django.urls import reverse

from collective.measurement import charts, services
from collective.measurement.charts import ChartData, Point
from collective.measurement.tests.pages_data import make_measures

pytestmark = pytest.mark.django_db


def _url(world, name="index", **kwargs):
    return reverse(f"measurement:{name}", kwargs={"slug": world.initiative.slug, **kwargs})


def _spec(html: str) -> dict:
    match = re.search(
        r'<script id="chart-spec-\w+" type="application/json">(.*?)</script>', html, re.S
    )
    assert match, "no chart spec on the page"
    return json.loads(match.group(1))


def _month(n: int) -> datetime.date:
    return datetime.date(2025 + (n - 1) // 12, (n - 1) % 12 + 1, 1)


def _chart(values, baseline_forecast, **kwargs) -> ChartData:
    points = [Point(f"{_month(n):%Y-%m}", _month(n), v) for n, v in enumerate(values, start=1)]
    defaults = {
        "title": "New customers",
        "unit": "customers",
        "actuals": {"All partners": points},
        "baseline": baseline_forecast[0].value if baseline_forecast else None,
        "baseline_forecast": baseline_forecast,
    }
    defaults.update(kwargs)
    return ChartData(**defaults)


# --- 1. The baseline forecast ----------------------------------------------------------------


def _flat_from_first():
    return [Point(f"{_month(n):%Y-%m}", _month(n), 32.0) for n in range(1, 13)]


def _layer_of(spec, kind):
    for index, layer in enumerate(spec["layer"]):
        scale = layer.get("encoding", {}).get("strokeDash", {}).get("scale", {})
        if kind in scale.get("domain", []):
            return index, layer
    raise AssertionError(f"no layer draws {kind}")


def test_flat_baseline_forecast_is_drawn_over_the_rule_in_its_own_style_and_named():
    """The baseline is the first period with data: nothing earlier to project, so the forecast
    is level at the baseline, on the baseline rule. It must still be seen and named."""
    data = _chart([32, 33, 35, 36], _flat_from_first())
    spec = charts.indicator_spec(data)
    kind = "Baseline forecast (flat: no earlier trend)"
    assert data.baseline_forecast_label == kind
    rows = [r for r in spec["data"]["values"] if r["kind"] == kind]
    assert len(rows) == 12 and rows[0]["label"] == "Jan 2025"
    index, layer = _layer_of(spec, kind)
    rule = next(i for i, lay in enumerate(spec["layer"]) if lay["mark"]["type"] == "rule")
    assert index > rule, "the forecast must be drawn on top of the baseline rule"
    encoding = layer["encoding"]
    styles = {
        channel: dict(
            zip(
                encoding[channel]["scale"]["domain"],
                encoding[channel]["scale"]["range"],
                strict=True,
            )
        )
        for channel in ("strokeDash", "color", "strokeWidth")
    }
    assert styles["strokeDash"][kind] == charts.BASELINE_FORECAST_DASH
    assert styles["color"][kind] == charts.BASELINE_FORECAST_COLOUR != charts.BASELINE
    assert styles["strokeWidth"][kind] > spec["layer"][rule]["mark"]["strokeWidth"]
    text = charts.describe(data)
    assert "baseline forecast (if nothing changes): flat at 32 customers from Jan 2025" in text
    assert "no earlier trend to project" in text


def test_baseline_forecast_with_an_earlier_trend_says_so():
    trend = [Point(f"{_month(n):%Y-%m}", _month(n), 30.0 + n) for n in range(3, 13)]
    data = _chart([30, 31, 32, 40, 45], trend)
    assert data.baseline_forecast_label == "Baseline forecast"
    _index, _layer = _layer_of(charts.indicator_spec(data), "Baseline forecast")
    assert charts.describe(data).endswith(
        "baseline forecast (the trend up to Mar 2025, if nothing changes): 42 customers by "
        "Dec 2025."
    )


def test_indicator_page_shows_the_flat_baseline_forecast(world, client_as):
    # DAYS: baseline 41 days in 2025-12, before the first value (2026-01).
    make_measures(world)
    html = client_as("viewer").get(_url(world, "indicator-detail", code="DAYS")).content.decode()
    spec = _spec(html)
    kinds = {row["kind"] for row in spec["data"]["values"]}
    assert "Baseline forecast (flat: no earlier trend)" in kinds
    assert "flat at 41 days from Dec 2025 to Dec 2026" in html


# --- 2. Period labels -------------------------------------------------------------------------


def test_chart_axis_tooltip_and_table_use_period_labels():
    quarters = [
        Point("2026-Q1", datetime.date(2026, 1, 1), 3.0),
        Point("2026-Q2", datetime.date(2026, 4, 1), 5.0),
    ]
    data = ChartData(title="Sessions", frequency="quarter", actuals={"All partners": quarters})
    spec = charts.indicator_spec(data)
    actual = next(lay for lay in spec["layer"] if "datum.kind === 'Actual'" in str(lay))
    assert actual["encoding"]["x"]["axis"]["format"] == "Q%q %Y"
    assert {"field": "label", "type": "nominal", "title": "Period"} in actual["encoding"]["tooltip"]
    assert [r["label"] for r in spec["data"]["values"]] == ["Q1 2026", "Q2 2026"]
    _columns, rows = charts.table_rows(data)
    assert [r["label"] for r in rows] == ["Q1 2026", "Q2 2026"]
    assert charts.describe(data) == "Sessions rose from 3 to 5 over 2 quarters."


def test_pages_show_period_labels_not_codes(world, client_as):
    measures = make_measures(world)
    client = client_as("backbone")
    dashboard = client.get(_url(world)).content.decode()
    assert "Jun 2026" in dashboard and "by Dec 2026" in dashboard
    assert ">2026-06<" not in dashboard and "by 2026-12" not in dashboard
    page = client.get(_url(world, "indicator-detail", code="DAYS")).content.decode()
    assert "(Jun 2026)" in page and "Collective · Dec 2026" in page
    assert '<th scope="row" class="fw-normal">Mar 2026</th>' in page
    assert "<td>Jun 2026</td>" in page
    assert "2026-06</td>" not in page and "(2026-06)" not in page
    scorecard = client.get(_url(world, "scorecard", uid=world.partner.uid)).content.decode()
    assert "Jun 2026" in scorecard and ">2026-06<" not in scorecard
    targets = client.get(_url(world, "target-list", code="DAYS")).content.decode()
    assert "<td>Dec 2026</td>" in targets
    # Exports round-trip: they keep the codes.
    export = client.get(_url(world, "export"), {"format": "csv", "layout": "long"})
    body = b"".join(export.streaming_content) if export.streaming else export.content
    assert b"2026-06" in body and b"Jun 2026" not in body
    assert measures.days.code == "DAYS"


# --- 3. Dashboard filters ----------------------------------------------------------------------


def test_invalid_filters_are_ignored_with_a_message(world, client_as):
    make_measures(world)
    response = client_as("viewer").get(
        _url(world), {"status": "bogus", "partner": "nobody", "outcome": "999", "q": "days"}
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "Some filters could not be used" in html
    assert "Status “bogus” was ignored: choose one of On track, At risk, Off track" in html
    assert "Partner “nobody” was ignored: there is no such partner in this initiative." in html
    assert "Outcome “999” was ignored" in html
    # No red field without a message; the valid filter (search) still applies.
    assert 'aria-invalid="true"' not in html
    assert "Days to go live" in html and "Customers onboarded" not in html
    assert "Clear</a>" in html


def test_invalid_filter_in_an_htmx_request_still_says_so(world, client_as):
    make_measures(world)
    response = client_as("viewer").get(_url(world), {"level": "zz"}, HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert response.status_code == 200 and "Level “zz” was ignored" in html
    assert "Days to go live" in html and "Customers onboarded" in html


def test_valid_filters_give_no_message(world, client_as):
    make_measures(world)
    html = client_as("viewer").get(_url(world), {"status": "on_track"}).content.decode()
    assert "Some filters could not be used" not in html


# --- 4. The definition panel of a formula indicator -------------------------------------------


def test_formula_definition_shows_the_linked_formula_not_the_aggregation(world, client_as):
    make_measures(world)
    services.indicator_create(
        actor=world.users["backbone"],
        initiative=world.initiative,
        code="DAYS_PER",
        name="Days per onboarded customer",
        formula="DAYS / DONE",
    )
    html = client_as("viewer").get(_url(world, "indicator-detail", code="DAYS_PER")).content
    panel = html.decode().split('id="definition-heading"')[1].split("</section>")[0]
    assert "Aggregation across partners" not in panel
    assert "Cumulative" not in panel and "Valid range" not in panel
    assert "Data source" not in panel
    days = _url(world, "indicator-detail", code="DAYS")
    done = _url(world, "indicator-detail", code="DONE")
    assert (
        f'<code class="formula"><a href="{days}" title="Days to go live">DAYS</a> / '
        f'<a href="{done}" title="Customers onboarded">DONE</a></code>'
    ) in panel
    # A reported indicator keeps its aggregation and has no formula row.
    reported = client_as("viewer").get(_url(world, "indicator-detail", code="DAYS")).content
    panel = reported.decode().split('id="definition-heading"')[1].split("</section>")[0]
    assert "Aggregation across partners" in panel and "<dt>Formula</dt>" not in panel


def test_formula_page_query_count(world, client_as, django_assert_max_num_queries):
    make_measures(world)
    services.indicator_create(
        actor=world.users["backbone"],
        initiative=world.initiative,
        code="DAYS_PER",
        name="Days per onboarded customer",
        formula="DAYS / DONE",
    )
    client = client_as("viewer")
    client.get(_url(world, "indicator-detail", code="DAYS"))
    with django_assert_max_num_queries(30):
        client.get(_url(world, "indicator-detail", code="DAYS_PER"))
