"""Digests on crafted timelines: fixed windows in each person's time zone, at most one per
window, read items left out, grouped by object newest first, nothing sent when empty."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import time_machine
from django.core import mail

from collective.communication import services
from collective.communication.models import DigestRun, Notification
from collective.communication.services.digests import last_window

PARIS = ZoneInfo("Europe/Paris")


def _at(tz, *args):
    return dt.datetime(*args, tzinfo=ZoneInfo(tz) if isinstance(tz, str) else tz)


def _note(world, user, when, title, target_id="a", read=False):
    return Notification.objects.create(
        initiative=world.initiative,
        user=user,
        kind="update",
        title=title,
        url="/",
        target_type="update",
        target_id=target_id,
        target_label=f"Thing {target_id}",
        created_at=when,
        read_at=when if read else None,
    )


def _digests_to(user):
    return [m for m in mail.outbox if m.to == [user.email]]


def test_window_edges_in_the_persons_time_zone(world):
    viewer = world.users["viewer"]
    services.preference_update(
        user=viewer, email_mode="daily", time_zone="Europe/Paris", digest_hour=7
    )
    _note(world, viewer, _at(PARIS, 2026, 3, 9, 6, 59, 59), "Just inside")
    _note(world, viewer, _at(PARIS, 2026, 3, 9, 7, 0, 0), "Next window")
    with time_machine.travel(_at(PARIS, 2026, 3, 9, 6, 59), tick=False):
        # Before 07:00 the window of the 9th has not closed: the 8th's window has no items
        # older than its end (08 07:00), so nothing goes.
        assert services.send_digests() == 0
    with time_machine.travel(_at(PARIS, 2026, 3, 9, 7, 30), tick=False):
        assert services.send_digests() == 1
        assert services.send_digests() == 0  # at most one per window
    first = _digests_to(viewer)
    assert len(first) == 1
    assert "Just inside" in first[0].body and "Next window" not in first[0].body
    assert first[0].extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    with time_machine.travel(_at(PARIS, 2026, 3, 10, 7, 1), tick=False):
        assert services.send_digests() == 1
    assert "Next window" in _digests_to(viewer)[-1].body
    assert DigestRun.objects.filter(user=viewer).count() == 2


def test_time_zones_close_windows_at_their_own_hour(world):
    tokyo, new_york = world.users["viewer"], world.users["lead"]
    services.preference_update(user=tokyo, email_mode="daily", time_zone="Asia/Tokyo")
    services.preference_update(user=new_york, email_mode="daily", time_zone="America/New_York")
    when = dt.datetime(2026, 6, 1, 12, 0, tzinfo=dt.UTC)  # 21:00 Tokyo, 08:00 New York
    _note(world, tokyo, when, "For Tokyo")
    _note(world, new_york, when, "For New York")
    # 23:00 UTC on 1 June: 08:00 on 2 June in Tokyo (window closed), 19:00 in New York.
    with time_machine.travel(dt.datetime(2026, 6, 1, 23, 0, tzinfo=dt.UTC), tick=False):
        assert services.send_digests() == 1
    assert len(_digests_to(tokyo)) == 1 and not _digests_to(new_york)
    # 11:30 UTC on 2 June: 07:30 in New York, the window of the 2nd has closed.
    with time_machine.travel(dt.datetime(2026, 6, 2, 11, 30, tzinfo=dt.UTC), tick=False):
        assert services.send_digests() == 1
    assert len(_digests_to(new_york)) == 1


def test_read_items_are_left_out_and_nothing_is_sent_when_nothing_is_left(world):
    viewer = world.users["viewer"]
    services.preference_update(user=viewer, email_mode="daily", time_zone="UTC")
    _note(world, viewer, dt.datetime(2026, 4, 1, 10, tzinfo=dt.UTC), "Read already", read=True)
    with time_machine.travel(dt.datetime(2026, 4, 2, 8, tzinfo=dt.UTC), tick=False):
        assert services.send_digests() == 0
    assert mail.outbox == []
    assert not DigestRun.objects.exists()


def test_grouped_by_object_newest_first(world):
    viewer = world.users["viewer"]
    services.preference_update(user=viewer, email_mode="daily", time_zone="UTC")
    base = dt.datetime(2026, 4, 1, 8, tzinfo=dt.UTC)
    _note(world, viewer, base, "A first", target_id="a")
    _note(world, viewer, base + dt.timedelta(hours=1), "B only", target_id="b")
    _note(world, viewer, base + dt.timedelta(hours=2), "A second", target_id="a")
    with time_machine.travel(dt.datetime(2026, 4, 2, 8, tzinfo=dt.UTC), tick=False):
        services.send_digests()
    body = _digests_to(viewer)[0].body
    assert body.index("Thing a") < body.index("Thing b")  # A has the newest item
    assert body.index("A second") < body.index("A first")
    assert body.count("Thing a") == 1


def test_weekly_windows_close_on_monday(world):
    viewer = world.users["viewer"]
    services.preference_update(user=viewer, email_mode="weekly", time_zone="Europe/London")
    _note(world, viewer, dt.datetime(2026, 4, 8, 9, tzinfo=dt.UTC), "Wednesday news")
    with time_machine.travel(dt.datetime(2026, 4, 11, 9, tzinfo=dt.UTC), tick=False):  # Sat
        assert services.send_digests() == 0
    with time_machine.travel(
        dt.datetime(2026, 4, 13, 7, tzinfo=dt.UTC), tick=False
    ):  # Mon 08:00 BST
        assert services.send_digests() == 1
    key, start, end = last_window(
        "weekly", "Europe/London", 7, dt.datetime(2026, 4, 13, 7, tzinfo=dt.UTC)
    )
    assert key == "weekly:2026-W16" and (end - start) == dt.timedelta(days=7)


def test_a_window_across_daylight_saving_lasts_23_hours(world):
    key, start, end = last_window(
        "daily", "Europe/London", 7, dt.datetime(2026, 3, 29, 8, tzinfo=dt.UTC)
    )
    assert key == "daily:2026-03-29"
    assert end - start == dt.timedelta(hours=23)


def test_immediate_and_none_get_no_digest_and_urgent_items_are_not_repeated(world, commits):
    viewer, lead = world.users["viewer"], world.users["lead"]
    services.preference_update(user=viewer, email_mode="immediate", time_zone="UTC")
    services.preference_update(user=lead, email_mode="none", time_zone="UTC")
    _note(world, viewer, dt.datetime(2026, 4, 1, 8, tzinfo=dt.UTC), "At once")
    _note(world, lead, dt.datetime(2026, 4, 1, 8, tzinfo=dt.UTC), "Never")
    with time_machine.travel(dt.datetime(2026, 4, 2, 8, tzinfo=dt.UTC), tick=False):
        assert services.send_digests() == 0
