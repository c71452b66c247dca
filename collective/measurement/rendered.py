"""Charts drawn on the server as plain SVG, for PDFs and for embed pages that run no script.

The pages draw the Vega-Lite spec of `charts.indicator_spec` in the browser. A PDF or an embed
needs the chart without a browser: rendering that spec with vl-convert took about 0.7 s per
chart, and WeasyPrint another 0.8 s to draw the result — 20 s for a scorecard of twelve
measures. This draws the same data (`charts.ChartData`: the values, the target as a dashed
line, the last point in the status colour, the theme's fonts and colours) with a few dozen SVG
elements instead, in milliseconds. The text description and the data table go beside it.
"""

from __future__ import annotations

from django.utils.html import escape

from . import charts, selectors
from .choices import Status

WIDTH, HEIGHT = 560, 200
LEFT, RIGHT, TOP, BOTTOM = 64, 16, 12, 28


def chart_data(indicator, status, *, by: str = "collective") -> charts.ChartData:
    """What the indicator's chart shows: the collective series (3 queries)."""
    value = status.status if status else Status.NO_DATA
    return charts.chart_data_from_series(
        indicator,
        selectors.series(indicator, by=by),
        by=by,
        status=value,
        status_label=Status(value).label,
    )


def _ticks(low: float, high: float) -> list[float]:
    if high == low:
        return [low]
    return [low, (low + high) / 2, high]


def svg(data: charts.ChartData, *, width: int = WIDTH, height: int = HEIGHT) -> str:
    """The chart as an SVG document ('' without data): the first series (the collective
    value), the target line, the period labels at both ends and the middle."""
    if not data.has_data:
        return ""
    points = next(iter(data.actuals.values()))
    targets = [t for t in data.targets if points[0].date <= t.date <= points[-1].date]
    values = [p.value for p in points] + [t.value for t in targets]
    if data.baseline is not None:
        values.append(data.baseline)
    low, high = min(values), max(values)
    # Some room below the line without a false zero; else the axis starts at zero.
    narrow = low > 0 and (high - low) < high * 0.5
    low = low - (high - low) * 0.2 if narrow else min(low, 0.0)
    span = (high - low) or 1.0
    inner_w, inner_h = width - LEFT - RIGHT, height - TOP - BOTTOM
    dates = [p.date.toordinal() for p in points]
    first, last = dates[0], dates[-1]
    days = (last - first) or 1

    def x(date) -> float:
        if first == last:
            return LEFT + inner_w / 2
        return LEFT + (date.toordinal() - first) / days * inner_w

    def y(value: float) -> float:
        return TOP + (1 - (value - low) / span) * inner_h

    font = f'font-family="{escape(charts.FONT)}" font-size="11" fill="{charts.MUTED}"'
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}">',
        f'<rect width="{width}" height="{height}" fill="#fff"/>',
    ]
    for tick in _ticks(low, high):
        ty = y(tick)
        parts.append(
            f'<line x1="{LEFT}" x2="{width - RIGHT}" y1="{ty:.1f}" y2="{ty:.1f}" '
            f'stroke="{charts.GRID}"/>'
            f'<text x="{LEFT - 6}" y="{ty + 4:.1f}" text-anchor="end" {font}>'
            f"{escape(data.fmt(tick))}</text>"
        )
    shown = {0, len(points) - 1, (len(points) - 1) // 2}
    for index in sorted(shown):
        p = points[index]
        anchor = "start" if index == 0 else "end" if index == len(points) - 1 else "middle"
        parts.append(
            f'<text x="{x(p.date):.1f}" y="{height - 8}" text-anchor="{anchor}" {font}>'
            f"{escape(charts.period_label(p.period))}</text>"
        )
    if data.baseline is not None:
        by = y(data.baseline)
        parts.append(
            f'<line x1="{LEFT}" x2="{width - RIGHT}" y1="{by:.1f}" y2="{by:.1f}" '
            f'stroke="{charts.BASELINE}" stroke-width="1"/>'
        )
    if targets:
        dash = " ".join(str(d) for d in charts.TARGET_DASH)
        line = " ".join(f"{x(t.date):.1f},{y(t.value):.1f}" for t in targets)
        if len(targets) == 1:
            ty = y(targets[0].value)
            line = f"{LEFT},{ty:.1f} {width - RIGHT},{ty:.1f}"
        parts.append(
            f'<polyline points="{line}" fill="none" stroke="{charts.INK}" '
            f'stroke-width="1.5" stroke-dasharray="{dash}"/>'
        )
    line = " ".join(f"{x(p.date):.1f},{y(p.value):.1f}" for p in points)
    parts.append(
        f'<polyline points="{line}" fill="none" stroke="{charts.BRAND}" stroke-width="2" '
        'stroke-linejoin="round"/>'
    )
    for p in points[:-1]:
        parts.append(
            f'<circle cx="{x(p.date):.1f}" cy="{y(p.value):.1f}" r="2.5" fill="{charts.BRAND}"/>'
        )
    colour = charts.STATUS_COLOURS.get(data.status, charts.MUTED)
    end = points[-1]
    parts.append(
        f'<circle cx="{x(end.date):.1f}" cy="{y(end.value):.1f}" r="4.5" fill="{colour}" '
        'stroke="#fff" stroke-width="1.5"/>'
    )
    parts.append("</svg>")
    return "".join(parts)


def data_uri(svg_text: str) -> str:
    """An `<img src>` for the SVG (the CSP's img-src allows data: URIs)."""
    if not svg_text:
        return ""
    import base64

    return "data:image/svg+xml;base64," + base64.b64encode(svg_text.encode()).decode()
