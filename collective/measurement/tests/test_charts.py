"""Charts: numbers for people, the one theme, the indicator spec, descriptions, sparklines."""

from __future__ import annotations

import datetime

import pytest

from collective.measurement import charts
from collective.measurement.charts import ChartData, Point


@pytest.mark.parametrize(
    ("value", "kwargs", "expected"),
    [
        (1234567.891, {"unit": "days"}, "1,234,567.9 days"),
        (1200, {"unit": "€", "value_type": "currency"}, "€1,200"),
        (12.345, {"value_type": "percent"}, "12.3%"),
        (0.5, {"unit": "%"}, "0.5%"),
        (-0.01, {"decimals": 1}, "0.0"),
        (None, {}, "—"),
        ("not a number", {}, "—"),
        (41, {"unit": "customers"}, "41 customers"),
    ],
)
def test_format_value(value, kwargs, expected):
    assert charts.format_value(value, **kwargs) == expected


def _data(**kwargs) -> ChartData:
    start = datetime.date(2025, 1, 1)
    points = [
        Point(f"2025-{m:02d}", start.replace(month=m), v)
        for m, v in zip(range(1, 7), [41, 38, 35, 30, 27, 23], strict=True)
    ]
    defaults = {
        "title": "Days to go live",
        "unit": "days",
        "direction": "decrease",
        "actuals": {"All partners": points},
        "targets": [Point("2025-12", datetime.date(2025, 12, 1), 14)],
        "forecast": [
            Point("2025-06", start.replace(month=6), 23),
            Point("2025-12", datetime.date(2025, 12, 1), 12),
        ],
        "baseline": 41.0,
        "status_label": "On track",
    }
    defaults.update(kwargs)
    return ChartData(**defaults)


def test_description_says_what_the_chart_shows():
    assert charts.describe(_data()) == (
        "Days to go live fell from 41 days to 23 days over 6 months; target 14 days by "
        "Dec 2025; on track."
    )
    assert charts.describe(_data(actuals={})).startswith("Days to go live: no values reported")


def test_spec_uses_the_one_theme_and_line_styles():
    spec = charts.indicator_spec(_data())
    assert spec["config"] == charts.theme()
    assert spec["$schema"].endswith("vega-lite/v6.json")
    assert spec["description"] == charts.describe(_data())
    dashed = next(layer for layer in spec["layer"] if "strokeDash" in layer["encoding"])
    scale = dashed["encoding"]["strokeDash"]["scale"]
    styles = dict(zip(scale["domain"], scale["range"], strict=True))
    assert styles["Target"] == charts.TARGET_DASH
    assert styles["Forecast"] == charts.FORECAST_DASH
    rule = next(layer for layer in spec["layer"] if layer["mark"]["type"] == "rule")
    assert rule["mark"]["color"] == charts.BASELINE and rule["mark"]["strokeWidth"] == 1
    # A single target is drawn level from the first value to the target period.
    targets = [r for r in spec["data"]["values"] if r["kind"] == "Target"]
    assert [r["value"] for r in targets] == [14, 14] and targets[0]["date"] == "2025-01-01"


def test_spec_renders_with_vl_convert():
    import vl_convert as vlc

    svg = vlc.vegalite_to_svg(charts.indicator_spec(_data()))
    assert "<svg" in svg and "Days to go live" in svg


def test_many_series_are_capped_in_the_chart_but_not_in_the_table():
    start = datetime.date(2025, 1, 1)
    actuals = {f"P{i:02d}": [Point("2025-01", start, float(i))] for i in range(15)}
    data = _data(actuals=actuals, by="partner", targets=[], forecast=[])
    spec = charts.indicator_spec(data)
    shown = {r["series"] for r in spec["data"]["values"] if r["kind"] == "Actual"}
    assert len(shown) == charts.MAX_SERIES and "P14" in shown and "P00" not in shown
    columns, _rows = charts.table_rows(data)
    assert len(columns) == 15
    assert "the 10 highest of 15" in spec["title"]["subtitle"]


def test_table_rows_align_values_targets_and_forecast():
    columns, rows = charts.table_rows(_data())
    assert columns == ["All partners"]
    by_period = {row["period"]: row for row in rows}
    assert by_period["2025-01"]["cells"] == ["41 days"]
    assert by_period["2025-12"]["target"] == "14 days"
    assert by_period["2025-12"]["forecast"] == "12 days"


def test_sparkline_svg():
    svg = str(
        charts.sparkline_svg(
            [{"period": "2025-01", "value": 3}, {"period": "2025-02", "value": 5}],
            status="off_track",
            label="Trend of X",
        )
    )
    assert svg.startswith("<svg") and 'aria-label="Trend of X"' in svg
    assert charts.STATUS_COLOURS["off_track"] in svg
    assert "no data" in str(charts.sparkline_svg([]))


def test_description_puts_the_turn_the_curve_line_into_words():
    baseline = [
        Point("2025-01", datetime.date(2025, 1, 1), 41),
        Point("2025-12", datetime.date(2025, 12, 1), 41),
    ]
    assert charts.describe(_data(baseline_forecast=baseline)) == (
        "Days to go live fell from 41 days to 23 days over 6 months; target 14 days by "
        "Dec 2025; baseline forecast (if nothing changes): flat at 41 days from Jan 2025 to "
        "Dec 2025, as there is no earlier trend to project; on track."
    )
