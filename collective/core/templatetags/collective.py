"""Template helpers shared by every app: Markdown, numbers for people, relative dates, status.

Load with `{% load collective %}`.
"""

from __future__ import annotations

import datetime

from django import template
from django.utils import timezone
from django.utils.html import format_html

from collective.core.markdown import render_markdown
from collective.core.numbers import NO_VALUE, format_number, format_plain, to_decimal

register = template.Library()


@register.filter(name="markdown")
def markdown_filter(text):
    return render_markdown(text)


@register.filter
def number(value, decimals=0):
    """1234567.891|number:1 -> '1,234,567.9'; None -> '—'; text that is no number as it is."""
    if to_decimal(value) is None and value not in (None, ""):
        return value
    try:
        return format_number(value, int(decimals))
    except (TypeError, ValueError):
        return value


@register.filter
def percent(value, decimals=1):
    """12.345|percent -> '12.3%'."""
    if value is None or value == "":
        return NO_VALUE
    return f"{number(value, decimals)}%"


@register.filter
def plain(value):
    """A stored number as people write it: 7.000000 -> '7', 1234.5 -> '1,234.5'; None -> '—'."""
    return format_plain(value)


@register.filter
def due_words(due: datetime.date | None, today: datetime.date | None = None) -> str:
    """'due in 3 days', 'due today', '3 days late'."""
    if due is None:
        return ""
    today = today or timezone.localdate()
    delta = (due - today).days
    if delta == 0:
        return "due today"
    if delta > 0:
        return "due tomorrow" if delta == 1 else f"due in {delta} days"
    return "1 day late" if delta == -1 else f"{-delta} days late"


STATUS_ICONS = {
    "on_track": ("check-circle-fill", "On track"),
    "at_risk": ("exclamation-triangle-fill", "At risk"),
    "off_track": ("arrow-down-circle-fill", "Off track"),
    "no_data": ("dash-circle", "No data"),
}


@register.simple_tag
def status_badge(status: str, label: str = ""):
    """Status is never colour alone: icon + word + colour."""
    icon, word = STATUS_ICONS.get(status or "no_data", STATUS_ICONS["no_data"])
    return format_html(
        '<span class="status status-{}"><i class="bi bi-{}" aria-hidden="true"></i>{}</span>',
        (status or "no_data").replace("_", "-"),
        icon,
        label or word,
    )
