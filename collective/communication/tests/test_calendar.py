"""Calendar feeds: expanded with recurring-ical-events across a daylight-saving change, with a
cancelled and a moved occurrence, the feed gives exactly the platform's own occurrences."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import icalendar
import pytest
import recurring_ical_events
import time_machine

from collective.communication import calendars, selectors, services

LONDON = ZoneInfo("Europe/London")
NOW = dt.datetime(2026, 3, 1, 9, 0, tzinfo=dt.UTC)


@pytest.fixture
def series(world):
    with time_machine.travel(NOW, tick=False):
        return services.series_create(
            actor=world.users["backbone"],
            initiative=world.initiative,
            title="Working group",
            kind="working",
            cadence="weekly",
            first_start=dt.datetime(2026, 3, 10, 10, 0, tzinfo=LONDON),  # Tuesdays 10:00
            time_zone="Europe/London",
            duration_minutes=90,
            location="Room 4",
        )


def _feed_events(body: bytes, start, end):
    calendar = icalendar.Calendar.from_ical(body)
    found = []
    for event in recurring_ical_events.of(calendar).between(start, end):
        if not str(event["UID"]).startswith("touchpoint-"):
            continue
        found.append((event["DTSTART"].dt.astimezone(dt.UTC), event["DTEND"].dt.astimezone(dt.UTC)))
    return sorted(found)


def test_feed_expansion_equals_the_platforms_occurrences(world, series):
    occurrences = list(series.occurrences.order_by("start"))
    cancelled, moved = occurrences[2], occurrences[4]  # 24 March; 7 April (after DST)
    with time_machine.travel(NOW, tick=False):
        services.occurrence_cancel(actor=world.users["backbone"], occurrence=cancelled, note="Off")
        services.occurrence_move(
            actor=world.users["backbone"],
            occurrence=moved,
            start=dt.datetime(2026, 4, 8, 14, 30, tzinfo=LONDON),
        )
        body = calendars.build(world.initiative)
    start = dt.datetime(2026, 3, 1, tzinfo=dt.UTC)
    end = dt.datetime(2026, 6, 1, tzinfo=dt.UTC)
    platform = [
        (s.astimezone(dt.UTC), e.astimezone(dt.UTC))
        for s, e in selectors.platform_occurrences(series, start, end)
    ]
    assert _feed_events(body, start, end) == platform
    # The wall-clock time holds across the change to summer time (29 March).
    assert platform[0][0].hour == 10 and platform[2][0].hour == 9  # 10:00 GMT, 10:00 BST
    assert (dt.datetime(2026, 3, 24, 10, tzinfo=dt.UTC)) not in [p[0] for p in platform]
    assert dt.datetime(2026, 4, 8, 13, 30, tzinfo=dt.UTC) in [p[0] for p in platform]


def test_feed_has_what_calendar_clients_need(world, series):
    occurrences = list(series.occurrences.order_by("start"))
    with time_machine.travel(NOW, tick=False):
        services.occurrence_cancel(actor=world.users["backbone"], occurrence=occurrences[1])
        services.occurrence_move(
            actor=world.users["backbone"],
            occurrence=occurrences[3],
            start=dt.datetime(2026, 4, 1, 15, 0, tzinfo=LONDON),
        )
        body = calendars.build(world.initiative)
    text = body.decode()
    assert "BEGIN:VTIMEZONE" in text and "TZID:Europe/London" in text
    assert "RRULE:FREQ=WEEKLY;BYDAY=TU" in text
    assert "EXDATE;TZID=Europe/London:20260317T100000" in text
    assert "RECURRENCE-ID;TZID=Europe/London:20260331T100000" in text
    assert "REFRESH-INTERVAL;VALUE=DURATION:PT1H" in text
    series.refresh_from_db()
    calendar = icalendar.Calendar.from_ical(body)
    masters = [
        c
        for c in calendar.walk("VEVENT")
        if str(c["UID"]) == f"touchpoint-{series.uid}@collective" and "RECURRENCE-ID" not in c
    ]
    assert len(masters) == 1 and masters[0]["SEQUENCE"] == series.sequence == 2


def test_uids_are_stable_and_sequence_rises_on_change(world, series):
    with time_machine.travel(NOW, tick=False):
        first = icalendar.Calendar.from_ical(calendars.build(world.initiative))
        services.series_update(actor=world.users["backbone"], series=series, location="Room 5")
        second = icalendar.Calendar.from_ical(calendars.build(world.initiative))

    def master(cal):
        return next(c for c in cal.walk("VEVENT") if "RRULE" in c)

    assert master(first)["UID"] == master(second)["UID"]
    assert master(second)["SEQUENCE"] > master(first)["SEQUENCE"]


def test_personal_feed_and_tokens(world, series, client):
    from collective.communication.tests.helpers import make_action

    with time_machine.travel(NOW, tick=False):
        make_action(world, title="Mine", owner=world.users["viewer"])
        make_action(world, title="Not mine", owner=world.users["contributor"])
        feed, token = services.feed_create(
            actor=world.users["viewer"], initiative=world.initiative, scope="personal"
        )
    url = f"/i/{world.initiative.slug}/communication/calendar/feed/{token}.ics"
    response = client.get(url)
    assert response.status_code == 200 and response["Content-Type"].startswith("text/calendar")
    text = response.content.decode()
    assert "Action due: Mine" in text and "Not mine" not in text
    services.feed_revoke(actor=world.users["viewer"], feed=feed)
    assert client.get(url).status_code == 404
    assert client.get(url.replace(token, "nope")).status_code == 404


def test_a_malformed_rrule_is_refused_and_nothing_is_saved(world):
    from collective.communication.models import Occurrence, TouchpointSeries
    from collective.core.errors import ApplicationError

    for rule, message in [
        ("FREQ=SOMETIMES", "FREQ must be"),
        ("FREQ=WEEKLY;BYDAY=XX", "not valid"),
        ("FREQ=WEEKLY;COUNT=2;UNTIL=20270101", "UNTIL or COUNT"),
        ("nonsense", "NAME=VALUE"),
        ("FREQ=MINUTELY", "FREQ must be"),
    ]:
        with pytest.raises(ApplicationError) as error:
            services.series_create(
                actor=world.users["backbone"],
                initiative=world.initiative,
                title="Odd",
                kind="working",
                cadence="custom",
                rrule=rule,
                first_start=dt.datetime(2030, 1, 1, 10, 0, tzinfo=LONDON),
                time_zone="Europe/London",
            )
        assert message in error.value.message, rule
        assert "rrule" in error.value.errors
    assert not TouchpointSeries.objects.exists() and not Occurrence.objects.exists()


def test_custom_rule(world):
    with time_machine.travel(NOW, tick=False):
        series = _third_thursdays(world)
    starts = [o.start for o in series.occurrences.order_by("start")]
    assert len(starts) == 4 and series.rrule == "FREQ=MONTHLY;BYDAY=+3TH;COUNT=4"
    assert [s.astimezone(ZoneInfo("America/New_York")).day for s in starts] == [16, 21, 18, 16]


def _third_thursdays(world):
    return services.series_create(
        actor=world.users["backbone"],
        initiative=world.initiative,
        title="Third Thursdays",
        kind="learning",
        cadence="custom",
        rrule="RRULE:FREQ=MONTHLY;BYDAY=+3TH;COUNT=4",
        first_start=dt.datetime(2026, 4, 16, 15, 0, tzinfo=ZoneInfo("America/New_York")),
        time_zone="America/New_York",
    )
