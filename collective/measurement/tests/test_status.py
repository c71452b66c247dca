"""Status and forecast: direction-aware judgement with one sentence why; forecast lines."""

from __future__ import annotations

from decimal import Decimal

import pytest

from collective.measurement.choices import Status
from collective.measurement.engine import status


def _series(start: str, values):
    from collective.measurement import periods

    first = periods.parse(start)
    return [(first.shift(i).code, Decimal(str(v))) for i, v in enumerate(values)]


@pytest.mark.parametrize(
    ("values", "target", "direction", "expected", "words"),
    [
        ([10, 12, 14, 16], ("2025-08", 24), "increase", Status.ON_TRACK, "meeting the target"),
        ([10, 11.5, 13, 14.5], ("2025-08", 24), "increase", Status.AT_RISK, "only"),
        ([10, 10, 10, 10], ("2025-08", 24), "increase", Status.OFF_TRACK, "far too slow"),
        ([16, 14, 12, 10], ("2025-08", 24), "increase", Status.OFF_TRACK, "moving away"),
        ([41, 38, 35, 32], ("2025-08", 20), "decrease", Status.ON_TRACK, "meeting"),
        ([30, 31, 32, 33], ("2025-08", 20), "decrease", Status.OFF_TRACK, "moving away"),
        ([25], ("2025-08", 20), "increase", Status.ON_TRACK, "Already"),
        ([15], ("2025-08", 20), "increase", Status.AT_RISK, "too early"),
        ([50, 51, 49, 50], ("2025-08", 50), "maintain", Status.ON_TRACK, "Holding"),
        ([50, 55, 60, 65], ("2025-08", 50), "maintain", Status.OFF_TRACK, "far from"),
        ([10, 12, 14, 16], ("2025-04", 16), "increase", Status.ON_TRACK, "Reached"),
        ([10, 12, 14, 15], ("2025-04", 16), "increase", Status.AT_RISK, "just short"),
        ([10, 12, 14, 12], ("2025-04", 16), "increase", Status.OFF_TRACK, "missing"),
    ],
)
def test_judgement_with_targets(values, target, direction, expected, words):
    result = status.assess(
        _series("2025-01", values), [target], direction=direction, decimals=1, unit="days"
    )
    assert result.status == expected, result.reason
    assert words in result.reason
    assert result.reason.endswith(".")
    assert result.latest_value == Decimal(str(values[-1]))
    assert result.target_value == Decimal(target[1])


@pytest.mark.parametrize(
    ("values", "direction", "expected"),
    [
        ([1, 2, 3, 4], "increase", Status.ON_TRACK),
        ([4, 3, 2, 1], "increase", Status.OFF_TRACK),
        ([4, 3, 2, 1], "decrease", Status.ON_TRACK),
        ([5, 5, 5, 5], "increase", Status.AT_RISK),
        ([7], "increase", Status.NO_DATA),
    ],
)
def test_judgement_without_targets(values, direction, expected):
    result = status.assess(_series("2025-01", values), [], direction=direction)
    assert result.status == expected
    assert "no target" in result.reason.lower()


def test_no_data():
    result = status.assess([], [("2025-06", 5)], direction="increase")
    assert result.status == Status.NO_DATA
    assert result.reason == "No values reported yet."


def test_the_next_target_is_the_one_that_counts():
    result = status.assess(
        _series("2025-01", [10, 12, 14]),
        [("2024-12", 8), ("2025-06", 20), ("2025-12", 40)],
        direction="increase",
    )
    assert result.target_period == "2025-06"
    assert result.forecast_value == Decimal(20)


def test_sparkline_keeps_the_last_twelve_points():
    result = status.assess(_series("2024-01", range(20)), [], direction="increase")
    assert len(result.sparkline) == 12
    assert result.sparkline[-1] == {"period": "2025-08", "value": 19.0}


def test_forecast_and_baseline_lines():
    points = _series("2025-01", [10, 10, 10, 12, 14, 16])
    line = status.forecast_line(points, "2025-09")
    assert [p for p, _ in line] == ["2025-06", "2025-07", "2025-08", "2025-09"]
    assert line[0][1] == 16 and line[-1][1] > 16
    # Turn the curve: before the baseline (March) the curve was flat at 10.
    baseline = status.baseline_line(points, "2025-03", Decimal(10), "2025-09")
    assert baseline[0] == ("2025-03", Decimal(10))
    assert all(v == 10 for _, v in baseline)
    assert status.baseline_line(points, "", None, "2025-09") == []


def test_the_reason_speaks_in_the_indicator_s_own_periods():
    monthly = status.assess(_series("2025-01", [10, 12, 14, 16]), [], direction="increase")
    assert "per month" in monthly.reason and "period" not in monthly.reason
    quarters = [("2025-Q1", 10), ("2025-Q2", 11), ("2025-Q3", 12)]
    slow = status.assess(quarters, [("2026-Q3", 40)], direction="increase")
    assert slow.status in (Status.AT_RISK, Status.OFF_TRACK)
    worse = status.assess(quarters, [], direction="decrease")
    assert "per quarter" in worse.reason
    near = status.assess(quarters, [("2025-Q4", 13.5)], direction="increase")
    assert near.status == Status.AT_RISK
    assert "(1 quarter left)" in near.reason
