"""Template helpers of shared measurement: values with their units, sparklines, chart specs.

Load with `{% load measures %}`.
"""

from __future__ import annotations

from django import template

from collective.core.numbers import format_plain, format_value
from collective.measurement.charts import format_for, sparkline_svg

register = template.Library()


@register.filter
def measure(value, indicator):
    """{{ status.latest_value|measure:indicator }} -> '1,234 days', '12.3%', '€1,200'."""
    if indicator is None:
        return format_value(value)
    return format_for(indicator, value)


@register.simple_tag
def sparkline(points, status="no_data", label=""):
    return sparkline_svg(points, status=status or "no_data", label=label)


@register.filter
def get_item(mapping, key):
    """{{ mapping|get_item:key }} for dicts keyed by something a template cannot spell."""
    if not mapping:
        return None
    return mapping.get(key)


@register.filter
def period_label(code):
    """{{ "2026-10"|period_label }} -> 'Oct 2026'; anything that is not a period code as is."""
    from collective.measurement import periods

    if not code or not periods.is_code(str(code)):
        return code
    return periods.label(str(code))


@register.filter
def plain(value):
    """A stored number as people write it: 7.000000 -> '7', 1234.5 -> '1,234.5'; None -> '—'."""
    return format_plain(value)
