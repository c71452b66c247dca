"""iCalendar feeds: each touchpoint series as one recurring event (RRULE, VTIMEZONE, EXDATE for
cancelled and RECURRENCE-ID overrides for moved occurrences), plus all-day events for action due
dates and decision reviews. UIDs are stable; SEQUENCE rises with every change."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.utils import timezone
from icalendar import Calendar, Event, vRecur

from .choices import OPEN_ACTION_STATUSES, DecisionStatus, OccurrenceStatus
from .models import ActionItem, Decision, Occurrence, TouchpointSeries
from .recurrence import zone

DOMAIN = "collective"


def _uid(kind: str, uid) -> str:
    return f"{kind}-{uid}@{DOMAIN}"


def _absolute(url: str) -> str:
    return settings.SITE_URL + url


def _series_events(series: TouchpointSeries, occurrences: list[Occurrence]) -> list[Event]:
    tz = zone(series.time_zone)
    start = series.first_start.replace(tzinfo=tz)
    duration = dt.timedelta(minutes=series.duration_minutes)
    master = Event()
    master.add("uid", _uid("touchpoint", series.uid))
    master.add("summary", series.title)
    master.add("dtstart", start)
    master.add("dtend", start + duration)
    master.add("dtstamp", series.updated_at)
    master.add("rrule", vRecur.from_ical(series.rrule))
    master.add("sequence", series.sequence)
    if series.location:
        master.add("location", series.location)
    master.add("url", _absolute(series.get_absolute_url()))
    if series.purpose:
        master.add("description", series.purpose)
    cancelled = [o for o in occurrences if o.status == OccurrenceStatus.CANCELLED]
    # Occurrences the rule no longer gives (kept because they had history) are not in the
    # feed's expansion; past occurrences stay as the rule gives them.
    for occ in cancelled:
        master.add("exdate", timezone.localtime(occ.original_start, tz))
    events = [master]
    for occ in occurrences:
        if occ.status == OccurrenceStatus.CANCELLED or not occ.is_moved:
            continue
        override = Event()
        override.add("uid", _uid("touchpoint", series.uid))
        override.add("summary", series.title)
        override.add("recurrence-id", timezone.localtime(occ.original_start, tz))
        override.add("dtstart", timezone.localtime(occ.start, tz))
        override.add("dtend", timezone.localtime(occ.end, tz))
        override.add("dtstamp", occ.updated_at)
        override.add("sequence", occ.sequence)
        if occ.location:
            override.add("location", occ.location)
        override.add("url", _absolute(occ.get_absolute_url()))
        events.append(override)
    return events


def _all_day(uid: str, summary: str, day: dt.date, url: str, stamp, sequence: int = 0) -> Event:
    event = Event()
    event.add("uid", uid)
    event.add("summary", summary)
    event.add("dtstart", day)
    event.add("dtend", day + dt.timedelta(days=1))
    event.add("dtstamp", stamp)
    event.add("sequence", sequence)
    event.add("transp", "TRANSPARENT")
    event.add("url", _absolute(url))
    return event


def build(initiative, *, user=None, name: str = "") -> bytes:
    """The feed: everything in the initiative, or (with `user`) what concerns that person."""
    cal = Calendar()
    cal.add("prodid", "-//Collective//Continuous communication//EN")
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("x-wr-calname", name or initiative.name)
    cal.add("refresh-interval", dt.timedelta(hours=1), parameters={"VALUE": "DURATION"})
    cal.add("x-published-ttl", "PT1H")
    series_qs = TouchpointSeries.objects.filter(initiative=initiative)
    actions = ActionItem.objects.filter(initiative=initiative, status__in=OPEN_ACTION_STATUSES)
    reviews = Decision.objects.filter(
        initiative=initiative,
        status=DecisionStatus.TAKEN,
        review_date__isnull=False,
        reviewed_at__isnull=True,
    )
    if user is not None:
        from django.db.models import Q

        from collective.core.rules import membership_for

        membership = membership_for(user, initiative)
        partner_id = membership.partner_id if membership else None
        series_qs = series_qs.filter(
            Q(facilitator=user) | Q(members=user) | Q(partners__pk=partner_id)
        ).distinct()
        actions = actions.filter(Q(owner=user) | Q(owner__isnull=True, owner_partner_id=partner_id))
        reviews = reviews.filter(owner=user)
    by_series: dict[int, list[Occurrence]] = {}
    for occ in Occurrence.objects.filter(series__in=series_qs).order_by("start"):
        by_series.setdefault(occ.series_id, []).append(occ)
    for series in series_qs.order_by("pk"):
        for event in _series_events(series, by_series.get(series.pk, [])):
            cal.add_component(event)
    for action in actions.order_by("due_date", "pk"):
        cal.add_component(
            _all_day(
                _uid("action", action.uid),
                f"Action due: {action.title}",
                action.due_date,
                action.get_absolute_url(),
                action.updated_at,
            )
        )
    for decision in reviews.order_by("review_date", "pk"):
        cal.add_component(
            _all_day(
                _uid("decision-review", decision.uid),
                f"Review decision D{decision.number}: {decision.title}",
                decision.review_date,
                decision.get_absolute_url(),
                decision.updated_at,
            )
        )
    cal.add_missing_timezones()
    return cal.to_ical()
