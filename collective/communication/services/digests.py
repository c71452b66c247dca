"""Digests: fixed daily or weekly windows in each person's own time zone.

A window closes at the person's digest hour (daily) or at that hour on Monday (weekly). A run
after the window closed sends at most one digest per person and window (`DigestRun` is unique
per person and window key) with their unread notifications not emailed yet, grouped by the
object they are about, newest first. Nothing is sent when there is nothing.
"""

from __future__ import annotations

import datetime as dt
from collections import OrderedDict
from zoneinfo import ZoneInfo

from django.core.mail import get_connection
from django.db import IntegrityError, transaction
from django.utils import timezone

from ..choices import EmailMode
from ..emails import digest_email
from ..models import DigestRun, Notification, NotificationPreference
from ..recurrence import zone

LOOKBACK = dt.timedelta(days=15)


def _at(day: dt.date, hour: int, tz: ZoneInfo) -> dt.datetime:
    """The local hour of a day, as UTC (so differences count real hours across DST)."""
    return dt.datetime.combine(day, dt.time(hour)).replace(tzinfo=tz).astimezone(dt.UTC)


def last_window(mode: str, tz_name: str, hour: int, now: dt.datetime):
    """(key, start, end) of the latest window that has closed by `now` (aware datetimes)."""
    tz = zone(tz_name)
    local = now.astimezone(tz)
    if mode == EmailMode.WEEKLY:
        monday = local.date() - dt.timedelta(days=local.weekday())
        if _at(monday, hour, tz) > now:
            monday -= dt.timedelta(days=7)
        end, start = _at(monday, hour, tz), _at(monday - dt.timedelta(days=7), hour, tz)
        year, week, _ = monday.isocalendar()
        return f"weekly:{year}-W{week:02d}", start, end
    day = local.date()
    if _at(day, hour, tz) > now:
        day -= dt.timedelta(days=1)
    end, start = _at(day, hour, tz), _at(day - dt.timedelta(days=1), hour, tz)
    return f"daily:{day.isoformat()}", start, end


def _groups(items: list[Notification]) -> list[dict]:
    groups: OrderedDict = OrderedDict()
    for n in sorted(items, key=lambda n: (n.created_at, n.pk), reverse=True):
        key = (n.initiative_id, n.target_type, n.target_id or f"n{n.pk}")
        if key not in groups:
            groups[key] = {
                "label": n.target_label or n.title,
                "url": n.url,
                "initiative": n.initiative,
                "items": [],
            }
        groups[key]["items"].append(n)
    return list(groups.values())


def send_digests(now: dt.datetime | None = None) -> int:
    """Send the digests that are due. Returns how many were sent.

    Reads every candidate notification in one query and the digests already sent in another,
    so the cost does not grow with a query per person."""
    now = now or timezone.now()
    # First the (person, time) pairs only — cheap — to find whose window has items; then the
    # full rows of those people alone.
    firsts: dict[int, dt.datetime] = {}
    for user_id, created in Notification.objects.filter(
        read_at__isnull=True,
        emailed_at__isnull=True,
        created_at__gte=now - LOOKBACK,
        created_at__lt=now,
    ).values_list("user_id", "created_at"):
        if user_id not in firsts or created < firsts[user_id]:
            firsts[user_id] = created
    if not firsts:
        return 0
    prefs = {p.user_id: p for p in NotificationPreference.objects.filter(user_id__in=firsts)}
    windows = {}
    for user_id, oldest in firsts.items():
        pref = prefs.get(user_id) or NotificationPreference(user_id=user_id)
        if pref.email_mode not in (EmailMode.DAILY, EmailMode.WEEKLY):
            continue
        window = last_window(pref.email_mode, pref.time_zone, pref.digest_hour, now)
        if oldest < window[2]:  # something older than the window's end is waiting
            windows[user_id] = (pref.email_mode, *window)
    done = set(
        DigestRun.objects.filter(
            user_id__in=list(windows), window__in={w[1] for w in windows.values()}
        ).values_list("user_id", "window")
    )
    windows = {u: w for u, w in windows.items() if (u, w[1]) not in done}
    pending: dict[int, list[Notification]] = {}
    if windows:
        for n in (
            Notification.objects.filter(
                user_id__in=list(windows),
                read_at__isnull=True,
                emailed_at__isnull=True,
                created_at__gte=now - LOOKBACK,
                created_at__lt=now,
            )
            .select_related("initiative", "user")
            .order_by("user_id", "created_at")
        ):
            pending.setdefault(n.user_id, []).append(n)
    messages, sent = [], 0
    for user_id, (mode, key, _start, end) in sorted(windows.items()):
        items = [n for n in pending.get(user_id, []) if n.created_at < end]
        if not items or not items[0].user.email:
            continue
        try:
            with transaction.atomic():
                DigestRun.objects.create(
                    user_id=user_id, window=key, sent_at=now, item_count=len(items)
                )
                Notification.objects.filter(pk__in=[n.pk for n in items]).update(emailed_at=now)
        except IntegrityError:
            continue  # another run sent this window's digest meanwhile
        label = "this week" if mode == EmailMode.WEEKLY else "since yesterday"
        messages.append(digest_email(items[0].user, _groups(items), label))
        sent += 1
    if messages:
        get_connection().send_messages(messages)
    return sent
