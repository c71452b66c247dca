"""Template helpers of continuous communication: the notification bell and small labels.

Load with `{% load communication_tags %}`.
"""

from __future__ import annotations

from django import template
from django.utils import timezone
from django.utils.html import format_html

from collective.core.errors import ApplicationError

from ..choices import ActionStatus, FeedbackStatus

register = template.Library()


@register.inclusion_tag("communication/_bell_menu.html", takes_context=True)
def notification_bell(context):
    """The bell in the top bar: two queries (unread count, latest few)."""
    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"show": False}
    from ..selectors import bell

    initiative = context.get("current_initiative")
    data = bell(user)
    slug = initiative.slug if initiative is not None and context.get("current_membership") else None
    if slug is None and data["latest"]:
        slug = data["latest"][0].initiative.slug
    return {"show": True, "slug": slug, **data}


ACTION_ICONS = {
    ActionStatus.OPEN: ("circle", "secondary"),
    ActionStatus.IN_PROGRESS: ("play-circle", "primary"),
    ActionStatus.DONE: ("check-circle-fill", "on-track"),
    ActionStatus.DROPPED: ("x-circle", "no-data"),
}


@register.simple_tag
def action_status(action, today=None):
    """Status with an icon and a word; an overdue open action says how late it is."""
    today = today or timezone.localdate()
    if action.is_open and action.due_date < today:
        late = (today - action.due_date).days
        return format_html(
            '<span class="status status-off-track"><i class="bi bi-exclamation-octagon-fill" '
            'aria-hidden="true"></i>Overdue · {} day{} late</span>',
            late,
            "" if late == 1 else "s",
        )
    icon, tone = ACTION_ICONS.get(action.status, ("circle", "secondary"))
    return format_html(
        '<span class="status status-{}"><i class="bi bi-{}" aria-hidden="true"></i>{}</span>',
        tone,
        icon,
        action.get_status_display(),
    )


FEEDBACK_ICONS = {
    FeedbackStatus.NEW: ("inbox", "at-risk"),
    FeedbackStatus.CONSIDERED: ("hourglass-split", "secondary"),
    FeedbackStatus.ACTED_ON: ("check-circle-fill", "on-track"),
    FeedbackStatus.DECLINED: ("x-circle", "no-data"),
}


@register.simple_tag
def feedback_status(item):
    icon, tone = FEEDBACK_ICONS.get(item.status, ("circle", "secondary"))
    return format_html(
        '<span class="status status-{}"><i class="bi bi-{}" aria-hidden="true"></i>{}</span>',
        tone,
        icon,
        item.get_status_display(),
    )


KIND_ICONS = {
    "progress": "graph-up-arrow",
    "learning": "lightbulb",
    "risk": "exclamation-triangle",
    "help_wanted": "life-preserver",
}


@register.simple_tag
def update_kind(update):
    return format_html(
        '<span class="kind-chip kind-{}"><i class="bi bi-{}" aria-hidden="true"></i>{}</span>',
        update.kind.replace("_", "-"),
        KIND_ICONS.get(update.kind, "chat"),
        update.get_kind_display(),
    )


@register.filter
def local_in(value, tz_name):
    """An aware datetime in the given time zone."""
    from ..recurrence import zone

    try:
        return timezone.localtime(value, zone(tz_name))
    except (ValueError, LookupError, ApplicationError):
        return value
