"""Charts of activities, built in Python with shared measurement's chart theme: the
contribution view (an indicator's curve with the timelines of the activities that claim to
move it laid over it) and the Gantt view of activities."""

from __future__ import annotations

import datetime

from collective.measurement.charts import (
    BASELINE,
    BRAND,
    INK,
    STATUS_COLOURS,
    base_spec,
    chart_data_from_series,
    indicator_spec,
)

STATUS_COLOURS_ACTIVITY = {
    "planned": BASELINE,
    "active": BRAND,
    "paused": STATUS_COLOURS["at_risk"],
    "done": STATUS_COLOURS["on_track"],
    "stopped": STATUS_COLOURS["off_track"],
}
CHART_WIDTH = 520  # concatenated views need a fixed width; the page scales the SVG down
STATUS_WORDS = {
    "planned": "Planned",
    "active": "Active",
    "paused": "Paused",
    "done": "Done",
    "stopped": "Stopped",
}


def _span(activity, today: datetime.date) -> tuple[datetime.date, datetime.date] | None:
    start = activity.start or activity.end
    end = activity.end or (today if activity.start and activity.start <= today else None)
    if start is None:
        return None
    end = end or start
    return start, max(start, end)


def contribution_spec(indicator, series: dict, activities: list, *, today: datetime.date) -> dict:
    """The indicator chart (actuals, target, forecast, baseline) with one translucent lane per
    contributing activity along the same time axis."""
    data = chart_data_from_series(
        indicator,
        series,
        by="collective",
        status=series["status"]["status"],
        status_label=series["status"]["label"],
    )
    spec = indicator_spec(data)
    lanes = []
    for activity in activities:
        span = _span(activity, today)
        if span is None:
            continue
        lanes.append(
            {
                "lane": f"{activity.partner.label}: {activity.title}"[:60],
                "start": span[0].isoformat(),
                "end": span[1].isoformat(),
                "status": STATUS_WORDS[activity.status],
                "label": f"{activity.title} ({activity.partner.label}, "
                f"{STATUS_WORDS[activity.status].lower()})",
            }
        )
    if not lanes:
        return spec
    # The curve on top, one lane per contributing activity below it, on the same time axis
    # (a shared x scale): when the curve turns, the lanes show what was running.
    curve = {key: spec.pop(key) for key in ("data", "layer", "resolve")}
    curve.update(width=CHART_WIDTH, height=220)
    lanes_view = {
        "data": {"values": lanes},
        "height": {"step": 18},
        "width": CHART_WIDTH,
        "mark": {"type": "bar", "cornerRadius": 2, "height": 12},
        "encoding": {
            "x": {
                "field": "start",
                "type": "temporal",
                "title": None,
                "axis": {"format": "%b %Y", "labelOverlap": "greedy"},
            },
            "x2": {"field": "end"},
            "y": {
                "field": "lane",
                "type": "nominal",
                "title": None,
                "sort": None,
                "axis": {"labelLimit": 220, "labelFontSize": 10},
            },
            "color": {
                "field": "status",
                "type": "nominal",
                "title": "Activity status",
                "scale": {
                    "domain": list(STATUS_WORDS.values()),
                    "range": list(STATUS_COLOURS_ACTIVITY.values()),
                },
                "legend": {"orient": "bottom"},
            },
            "tooltip": [
                {"field": "label", "title": "Activity"},
                {"field": "start", "type": "temporal", "title": "From"},
                {"field": "end", "type": "temporal", "title": "To"},
            ],
        },
    }
    spec.pop("width", None)
    spec.pop("height", None)
    spec.pop("autosize", None)
    spec["vconcat"] = [curve, lanes_view]
    spec["resolve"] = {"scale": {"x": "shared", "color": "independent"}}
    spec["description"] += (
        f" Below the curve: the {len(lanes)} contributing activit"
        f"{'y' if len(lanes) == 1 else 'ies'} on the same time line."
    )
    return spec


def gantt_spec(rows: list[dict], *, title: str, description: str) -> dict:
    """Rows: {"group", "label", "start", "end", "status", "percent"}; one bar per activity,
    grouped (partner or outcome) in the order given; status in colour *and* in words."""
    spec = base_spec(title=title, description=description)
    spec["data"] = {"values": rows}
    spec["height"] = {"step": 22}
    order = [f"{r['group']} · {r['label']}" for r in rows]
    for r, key in zip(rows, order, strict=True):
        r["row"] = key
        r["status_text"] = f"{STATUS_WORDS[r['status']]} · {r['percent']}%"
    y = {
        "field": "row",
        "type": "nominal",
        "sort": order,
        "title": None,
        "axis": {"labelLimit": 260, "labelFontSize": 11},
    }
    spec["layer"] = [
        {
            "mark": {"type": "bar", "cornerRadius": 3, "height": 14},
            "encoding": {
                "x": {
                    "field": "start",
                    "type": "temporal",
                    "title": None,
                    "axis": {"format": "%b %Y", "labelOverlap": "greedy", "orient": "top"},
                },
                "x2": {"field": "end"},
                "y": y,
                "color": {
                    "field": "status",
                    "type": "nominal",
                    "title": "Status",
                    "scale": {
                        "domain": list(STATUS_COLOURS_ACTIVITY),
                        "range": list(STATUS_COLOURS_ACTIVITY.values()),
                    },
                    "legend": {
                        "orient": "bottom",
                        "labelExpr": "upper(slice(datum.label,0,1)) + slice(datum.label,1)",
                    },
                },
                "tooltip": [
                    {"field": "group", "title": "Group"},
                    {"field": "label", "title": "Activity"},
                    {"field": "status_text", "title": "Status"},
                    {"field": "start", "type": "temporal", "title": "From"},
                    {"field": "end", "type": "temporal", "title": "To"},
                ],
            },
        },
        {
            "mark": {"type": "text", "align": "left", "dx": 4, "fontSize": 10, "color": INK},
            "encoding": {
                "x": {"field": "end", "type": "temporal"},
                "y": y,
                "text": {"field": "status_text"},
            },
        },
    ]
    return spec
