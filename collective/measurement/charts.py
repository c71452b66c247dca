"""Charts of shared measurement: Vega-Lite specs built in Python, one theme for every chart.

The browser renders a spec with vega-embed (`static/measurement/charts.js`); reports render the
same spec to SVG/PNG with vl-convert-python. A spec carries its data inline and its theme in
`config`, so it renders the same everywhere. Other apps build their charts with `theme()` and
`base_spec()` to look the same.

Numbers for people come from `core.numbers` (`format_value`; `format_for` an indicator's
value): chart descriptions, tooltips and pages use the same wording.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.utils.html import format_html

from collective.core.numbers import format_value
from collective.core.numbers import to_decimal as _decimal

# The page's font stack (Bootstrap's native stack) and the colours of app.css.
FONT = (
    'system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", "Noto Sans", '
    '"Liberation Sans", Arial, sans-serif'
)
INK = "#1d2433"
MUTED = "#5a6272"
BRAND = "#1f4e79"
BORDER = "#dde2ea"
GRID = "#eef1f5"
BASELINE = "#8a93a3"
STATUS_COLOURS = {
    "on_track": "#1a7f37",
    "at_risk": "#9a6700",
    "off_track": "#c2261d",
    "no_data": "#5a6272",
}
# Categories (partners, breakdown values): brand first, then a colour-blind-safe sequence.
CATEGORY = [
    BRAND,
    "#d55e00",
    "#009e73",
    "#cc79a7",
    "#0072b2",
    "#e69f00",
    "#56b4e9",
    "#7f5539",
    "#6a4c93",
    "#4d4d4d",
]
MAX_SERIES = 10
TARGET_DASH = [6, 4]
FORECAST_DASH = [2, 3]
# The baseline forecast ("turn the curve": where the curve goes if nothing changes) has its own
# colour and a dash-dot line, so it stays visible where it runs along the baseline rule.
BASELINE_FORECAST_DASH = [8, 3, 2, 3]
BASELINE_FORECAST_COLOUR = "#8f3f71"


def theme() -> dict:
    """The Vega-Lite `config` every chart of Collective uses: fonts, colours, axes, legend."""
    return {
        "font": FONT,
        "background": "#ffffff",
        "padding": 8,
        "view": {"stroke": None, "continuousHeight": 260, "continuousWidth": 560},
        "title": {
            "font": FONT,
            "fontSize": 14,
            "fontWeight": 600,
            "color": INK,
            "anchor": "start",
            "subtitleColor": MUTED,
            "subtitleFontSize": 12,
            "offset": 10,
        },
        "axis": {
            "labelFont": FONT,
            "titleFont": FONT,
            "labelColor": MUTED,
            "titleColor": MUTED,
            "labelFontSize": 11,
            "titleFontSize": 11,
            "titleFontWeight": 600,
            "domainColor": BORDER,
            "tickColor": BORDER,
            "gridColor": GRID,
        },
        "axisX": {"grid": False, "labelAngle": 0, "labelOverlap": "greedy", "labelSeparation": 12},
        "axisY": {
            "grid": True,
            "tickCount": 5,
            "titleAngle": 0,
            "titleAlign": "left",
            "titleY": -10,
            "titleX": 0,
        },
        "legend": {
            "labelFont": FONT,
            "titleFont": FONT,
            "labelColor": INK,
            "titleColor": MUTED,
            "labelFontSize": 11,
            "titleFontSize": 11,
            "orient": "bottom",
            "direction": "horizontal",
            "symbolStrokeWidth": 2,
        },
        "range": {"category": CATEGORY},
        "line": {"strokeWidth": 2, "color": BRAND},
        "point": {"size": 28, "filled": True, "color": BRAND},
        "bar": {"color": BRAND},
        "rule": {"color": BASELINE, "strokeWidth": 1},
        "text": {"font": FONT, "color": MUTED, "fontSize": 11},
    }


def base_spec(*, title: str, description: str, subtitle: str = "") -> dict:
    """The frame of a spec: schema, title, description (for screen readers), theme."""
    heading = {"text": title}
    if subtitle:
        heading["subtitle"] = subtitle
    return {
        "$schema": "https://vega.github.io/schema/vega-lite/v6.json",
        "title": heading,
        "description": description,
        "width": "container",
        "height": 260,
        "autosize": {"type": "fit-x", "contains": "padding"},
        "config": theme(),
    }


# --- Numbers for people ----------------------------------------------------------------------


def format_for(indicator, value) -> str:
    return format_value(
        value,
        value_type=indicator.value_type,
        unit=indicator.unit,
        decimals=indicator.decimals,
    )


# --- Sparkline (server-side SVG, no JavaScript) ----------------------------------------------


def sparkline_points(raw) -> list[float]:
    """IndicatorStatus.sparkline as numbers: accepts numbers, [period, value] or dicts."""
    values: list[float] = []
    for item in raw or []:
        if isinstance(item, dict):
            item = item.get("value", item.get("v"))
        elif isinstance(item, list | tuple):
            item = item[-1] if item else None
        number = _decimal(item)
        if number is not None:
            values.append(float(number))
    return values


def sparkline_svg(
    raw, *, status: str = "no_data", label: str = "", width: int = 96, height: int = 24
):
    """An inline SVG sparkline; the last point is marked in the status colour."""
    values = sparkline_points(raw)
    if len(values) < 2:
        return format_html(
            '<span class="sparkline-empty text-muted small">{}</span>',
            "one value" if values else "no data",
        )
    low, high = min(values), max(values)
    span = (high - low) or 1.0
    pad = 2.5
    step = (width - 2 * pad) / (len(values) - 1)
    coords = [
        (pad + i * step, pad + (height - 2 * pad) * (1 - (v - low) / span))
        for i, v in enumerate(values)
    ]
    points = " ".join(f"{x:.1f},{y:.1f}" for x, y in coords)
    last_x, last_y = coords[-1]
    colour = STATUS_COLOURS.get(status, MUTED)
    return format_html(
        '<svg class="sparkline" width="{}" height="{}" viewBox="0 0 {} {}" role="img" '
        'aria-label="{}"><polyline fill="none" stroke="{}" stroke-width="1.5" '
        'stroke-linejoin="round" stroke-linecap="round" points="{}"/>'
        '<circle cx="{}" cy="{}" r="2.5" fill="{}"/></svg>',
        width,
        height,
        width,
        height,
        label or f"Trend over the last {len(values)} periods",
        BRAND,
        points,
        f"{last_x:.1f}",
        f"{last_y:.1f}",
        colour,
    )


# --- The indicator chart ---------------------------------------------------------------------


@dataclass
class Point:
    period: str
    date: datetime.date
    value: float


@dataclass
class ChartData:
    """What the indicator chart shows, independent of where it came from."""

    title: str
    unit: str = ""
    value_type: str = "number"
    decimals: int = 1
    direction: str = "increase"
    frequency: str = "month"
    status: str = "no_data"
    status_label: str = ""
    by: str = "collective"
    # series name -> points, in period order ("All partners" when by == "collective").
    actuals: dict[str, list[Point]] = field(default_factory=dict)
    targets: list[Point] = field(default_factory=list)
    forecast: list[Point] = field(default_factory=list)
    baseline_forecast: list[Point] = field(default_factory=list)
    baseline: float | None = None
    baseline_period: str = ""

    def fmt(self, value) -> str:
        return format_value(
            value, value_type=self.value_type, unit=self.unit, decimals=self.decimals
        )

    @property
    def has_data(self) -> bool:
        return any(self.actuals.values())

    @property
    def baseline_forecast_flat(self) -> bool:
        """True when the baseline forecast is level (no trend before the baseline to project)."""
        values = [p.value for p in self.baseline_forecast]
        return bool(values) and max(values) - min(values) < 1e-9

    @property
    def baseline_trend_points(self) -> int:
        """How many collective values there are up to and including the baseline period."""
        if not self.baseline_forecast or self.by != "collective" or not self.actuals:
            return 0
        start = self.baseline_forecast[0].date
        points = next(iter(self.actuals.values()))
        return sum(1 for p in points if p.date <= start)

    @property
    def baseline_forecast_label(self) -> str:
        """The legend's name of the baseline forecast: says when it is level for lack of a trend."""
        if self.baseline_forecast_flat and self.baseline_trend_points < 2:
            return "Baseline forecast (flat: no earlier trend)"
        return "Baseline forecast"


FREQUENCY_WORDS = {"week": "weeks", "month": "months", "quarter": "quarters", "year": "years"}


def period_label(code: str) -> str:
    """'2026-10' -> 'Oct 2026', '2026-Q3' -> 'Q3 2026' (helper points' "~" dropped)."""
    from . import periods

    return periods.label(str(code or "").lstrip("~"))


def describe(data: ChartData) -> str:
    """One sentence saying what the chart shows, e.g. 'Days to go live fell from 41 to 23 over
    24 months; target 14 by Dec 2026; off track.'"""
    if not data.has_data:
        text = f"{data.title}: no values reported yet"
        if data.targets:
            last = data.targets[-1]
            text += f"; target {data.fmt(last.value)} by {period_label(last.period)}"
        return text + "."
    parts = []
    if data.by == "collective":
        points = next(iter(data.actuals.values()))
        first, last = points[0], points[-1]
        periods = FREQUENCY_WORDS.get(data.frequency, "periods")
        if len(points) == 1:
            parts.append(f"{data.title} was {data.fmt(last.value)} in {period_label(last.period)}")
        else:
            if last.value > first.value:
                verb = "rose"
            elif last.value < first.value:
                verb = "fell"
            else:
                verb = "stayed at"
            if verb == "stayed at":
                movement = f"stayed at {data.fmt(last.value)}"
            else:
                movement = f"{verb} from {data.fmt(first.value)} to {data.fmt(last.value)}"
            parts.append(f"{data.title} {movement} over {len(points)} {periods}")
    else:
        latest = []
        for name, points in data.actuals.items():
            if points:
                latest.append((points[-1].value, name, points[-1]))
        latest.sort(key=lambda item: item[0], reverse=data.direction != "decrease")
        series_word = "partner" if data.by == "partner" else "group"
        if len(data.actuals) != 1:
            series_word += "s"
        parts.append(
            f"{data.title} for {len(data.actuals)} {series_word}; "
            f"best latest value {latest[0][1]} at {data.fmt(latest[0][0])} "
            f"({period_label(latest[0][2].period)})"
        )
    if data.targets:
        target = data.targets[-1]
        parts.append(f"target {data.fmt(target.value)} by {period_label(target.period)}")
    if data.baseline_forecast:
        # The turn-the-curve line in words: where the curve goes if nothing changes.
        start, end = data.baseline_forecast[0], data.baseline_forecast[-1]
        if data.baseline_forecast_flat and data.baseline_trend_points < 2:
            parts.append(
                f"baseline forecast (if nothing changes): flat at {data.fmt(end.value)} from "
                f"{period_label(start.period)} to {period_label(end.period)}, as there is no "
                "earlier trend to project"
            )
        else:
            parts.append(
                f"baseline forecast (the trend up to {period_label(start.period)}, if nothing "
                f"changes): {data.fmt(end.value)} by {period_label(end.period)}"
            )
    if data.status_label:
        parts.append(data.status_label.lower())
    return "; ".join(parts) + "."


def _row(kind: str, series: str, point: Point) -> dict:
    return {
        "kind": kind,
        "series": series,
        "period": point.period.lstrip("~"),
        "label": period_label(point.period),
        "date": point.date.isoformat(),
        "value": point.value,
        "marker": not point.period.startswith("~"),
    }


def _target_line(data: ChartData) -> list[Point]:
    """Targets as a dashed line: through every target, or — with a single target — level at
    its value from the first actual to the target period, so the gap to close is visible."""
    if len(data.targets) != 1:
        return data.targets
    target = data.targets[0]
    starts = [points[0].date for points in data.actuals.values() if points]
    if not starts or min(starts) >= target.date:
        return data.targets
    # "~" marks the helper point: it draws the line but gets no diamond.
    return [Point(f"~{target.period}", min(starts), target.value), target]


def indicator_spec(data: ChartData) -> dict:
    """The Vega-Lite spec of an indicator: actuals, baseline rule, target (dashed), forecast
    (dotted) and baseline forecast ("turn the curve")."""
    spec = base_spec(title=data.title, description=describe(data), subtitle=_subtitle(data))
    y_title = data.unit or ("%" if data.value_type == "percent" else "")
    value_format = ",.1f" if data.decimals else ",.0f"
    x = {
        "field": "date",
        "type": "temporal",
        "title": None,
        "axis": {"format": _date_format(data.frequency), "tickCount": 8},
    }
    y = {
        "field": "value",
        "type": "quantitative",
        "title": y_title or None,
        "scale": {"zero": False, "nice": True},
        "axis": {"format": "~s" if _large(data) else ",~r"},
    }
    tooltip = [
        {"field": "series", "type": "nominal", "title": "Series"},
        {"field": "label", "type": "nominal", "title": "Period"},
        {"field": "value", "type": "quantitative", "title": "Value", "format": value_format},
    ]
    rows = []
    for name, points in _shown_series(data).items():
        rows += [_row("Actual", name, p) for p in points]
    baseline_kind = data.baseline_forecast_label
    lines = [
        ("Target", _target_line(data)),
        ("Forecast", data.forecast),
        (baseline_kind, data.baseline_forecast),
    ]
    for kind, points in lines:
        rows += [_row(kind, kind, p) for p in points]
    spec["data"] = {"values": rows}

    many = data.by != "collective" and len(data.actuals) > 1
    actual_colour = (
        {
            "field": "series",
            "type": "nominal",
            "title": None,
            "legend": {"orient": "bottom", "columns": 4},
        }
        if many
        else {"value": BRAND}
    )
    # Drawn bottom to top: the baseline rule, the dashed lines, the actuals. The baseline
    # forecast lies over the rule (it starts at the baseline), so it must come after it.
    layers = []
    if data.baseline is not None:
        layers.append(
            {
                "data": {"values": [{"baseline": data.baseline}]},
                "mark": {"type": "rule", "color": BASELINE, "strokeWidth": 1},
                "encoding": {"y": {"field": "baseline", "type": "quantitative"}},
            }
        )
        layers.append(
            {
                "data": {
                    "values": [
                        {"baseline": data.baseline, "label": f"Baseline {data.fmt(data.baseline)}"}
                    ]
                },
                "mark": {
                    "type": "text",
                    "align": "right",
                    "baseline": "bottom",
                    "dy": -3,
                    "x": "width",
                    "color": MUTED,
                },
                "encoding": {
                    "y": {"field": "baseline", "type": "quantitative"},
                    "text": {"field": "label"},
                },
            }
        )
    dash_kinds = [kind for kind, points in lines if points]
    if dash_kinds:
        styles = {
            "Target": (TARGET_DASH, INK, 1.75),
            "Forecast": (FORECAST_DASH, BRAND, 1.75),
            baseline_kind: (BASELINE_FORECAST_DASH, BASELINE_FORECAST_COLOUR, 2.5),
        }
        dash_domain = dash_kinds
        layers.append(
            {
                "transform": [{"filter": "datum.kind !== 'Actual'"}],
                "mark": {"type": "line"},
                "encoding": {
                    "x": x,
                    "y": y,
                    "detail": {"field": "kind"},
                    "strokeDash": {
                        "field": "kind",
                        "type": "nominal",
                        "title": None,
                        "scale": {
                            "domain": dash_domain,
                            "range": [styles[kind][0] for kind in dash_kinds],
                        },
                        "legend": {"orient": "bottom", "labelLimit": 320},
                    },
                    "color": {
                        "field": "kind",
                        "type": "nominal",
                        "title": None,
                        "scale": {
                            "domain": dash_domain,
                            "range": [styles[kind][1] for kind in dash_kinds],
                        },
                    },
                    "strokeWidth": {
                        "field": "kind",
                        "type": "nominal",
                        "title": None,
                        "scale": {
                            "domain": dash_domain,
                            "range": [styles[kind][2] for kind in dash_kinds],
                        },
                        "legend": None,
                    },
                    "tooltip": tooltip,
                },
            }
        )
        if data.targets:
            layers.append(
                {
                    "transform": [{"filter": "datum.kind === 'Target' && datum.marker"}],
                    "mark": {
                        "type": "point",
                        "shape": "diamond",
                        "size": 60,
                        "filled": True,
                        "color": INK,
                    },
                    "encoding": {"x": x, "y": y, "tooltip": tooltip},
                }
            )
    layers.append(
        {
            "transform": [{"filter": "datum.kind === 'Actual'"}],
            "mark": {"type": "line", "point": True, "strokeWidth": 2},
            "encoding": {"x": x, "y": y, "color": actual_colour, "tooltip": tooltip},
        }
    )
    spec["layer"] = layers
    # Partners (or breakdown values) and the line styles get their own colours and legends.
    spec["resolve"] = {"scale": {"color": "independent", "strokeDash": "independent"}}
    if many:
        spec["height"] = 300
    return spec


def _shown_series(data: ChartData) -> dict[str, list[Point]]:
    """At most MAX_SERIES lines, the highest latest values first (the table keeps them all)."""
    if len(data.actuals) <= MAX_SERIES:
        return data.actuals
    ranked = sorted(data.actuals.items(), key=lambda item: item[1][-1].value, reverse=True)
    return dict(ranked[:MAX_SERIES])


def _subtitle(data: ChartData) -> str:
    words = {
        "collective": "All partners together",
        "partner": "Per partner",
        "breakdown": "By breakdown",
    }
    text = words.get(data.by, "")
    if len(data.actuals) > MAX_SERIES:
        text += f" (the {MAX_SERIES} highest of {len(data.actuals)}; the table lists all)"
    if data.unit:
        text += f" · {data.unit}"
    return text


def _large(data: ChartData) -> bool:
    values = [abs(p.value) for points in data.actuals.values() for p in points]
    return bool(values) and max(values) >= 100_000


def _date_format(frequency: str) -> str:
    """Axis labels as the pages write periods: 'Oct 2026', 'Q3 2026', 'Week 45, 2026', '2026'."""
    return {"week": "Week %V, %G", "month": "%b %Y", "quarter": "Q%q %Y", "year": "%Y"}.get(
        frequency, "%b %Y"
    )


# --- From the engine's series to the chart ---------------------------------------------------


def _float(value) -> float | None:
    number = _decimal(value)
    return None if number is None else float(number)


def _date(value) -> datetime.date | None:
    if isinstance(value, datetime.date):
        return value
    if isinstance(value, str) and value:
        try:
            return datetime.date.fromisoformat(value[:10])
        except ValueError:
            return None
    return None


def _period_date(row) -> datetime.date | None:
    """The start date of a series row: its `start`, else parsed from its period code."""
    when = _date(row.get("start") or row.get("period_start") or row.get("date"))
    if when is None and row.get("period"):
        from . import periods

        try:
            when = periods.parse(str(row["period"])).start
        except periods.PeriodError:
            return None
    return when


def _points(rows, value_key: str = "value") -> list[Point]:
    points = []
    for row in rows or []:
        value = _float(row.get(value_key))
        if value is None:
            continue
        when = _period_date(row)
        if when is None:
            continue
        points.append(Point(period=str(row.get("period", "")), date=when, value=value))
    return points


def chart_data_from_series(
    indicator, series: dict, *, by: str, status: str = "no_data", status_label: str = ""
) -> ChartData:
    """Turn the selector's `series()` dict into ChartData (what the chart and table show)."""
    data = ChartData(
        title=indicator.name,
        unit=indicator.unit,
        value_type=indicator.value_type,
        decimals=indicator.decimals,
        direction=indicator.direction,
        frequency=indicator.frequency,
        status=status,
        status_label=status_label,
        by=by,
    )
    rows = series.get("periods") or []
    if by in ("partner", "breakdown"):
        key = "partners" if by == "partner" else "breakdown"
        labels = {str(c["uid"]): c.get("label") or c.get("name") for c in series.get("columns", [])}
        # Keep the columns' order (partner names, breakdown values as defined).
        for column in labels.values():
            data.actuals[column] = []
        for row in rows:
            when = _period_date(row)
            for column, value in (row.get(key) or {}).items():
                number = _float(value)
                if number is None or when is None:
                    continue
                name = labels.get(str(column), str(column))
                data.actuals.setdefault(name, []).append(
                    Point(period=row["period"], date=when, value=number)
                )
        data.actuals = {name: points for name, points in data.actuals.items() if points}
    else:
        points = _points(rows)
        if points:
            data.actuals["All partners"] = points
    data.targets = _points(rows, "target") or _points(series.get("targets"))
    if by == "collective":
        data.forecast = _points(series.get("forecast"))
        data.baseline_forecast = _points(series.get("baseline_forecast"))
    elif indicator.aggregation == "sum":
        # A collective total is not comparable with one partner's (or group's) part.
        data.targets = []
    baseline = series.get("baseline")
    if isinstance(baseline, dict):
        data.baseline = _float(baseline.get("value"))
        data.baseline_period = str(baseline.get("period") or "")
    else:
        data.baseline = _float(baseline)
    return data


def _table_row(point: Point) -> dict:
    return {
        "period": point.period,
        "label": period_label(point.period),
        "date": point.date,
        "values": {},
    }


def table_rows(data: ChartData) -> tuple[list[str], list[dict]]:
    """The data-table alternative: one row per period, one column per series + target."""
    columns = list(data.actuals)
    by_period: dict[str, dict] = {}
    for name, points in data.actuals.items():
        for p in points:
            row = by_period.setdefault(p.period, _table_row(p))
            row["values"][name] = data.fmt(p.value)
    for p in data.targets:
        row = by_period.setdefault(p.period, _table_row(p))
        row["target"] = data.fmt(p.value)
    for p in data.forecast:
        row = by_period.setdefault(p.period, _table_row(p))
        row["forecast"] = data.fmt(p.value)
    rows = sorted(by_period.values(), key=lambda r: r["date"])
    for row in rows:
        row["cells"] = [row["values"].get(name, "—") for name in columns]
    return columns, rows
