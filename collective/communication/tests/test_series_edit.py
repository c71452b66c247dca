"""Editing a touchpoint series — page and API: a new timing raises the SEQUENCE and plans again
only the future meetings nobody touched, the people invited are told, and a bad RRULE (or any
bad value) is refused with a message next to its field, saving nothing."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db.models import F
from django.urls import reverse
from django.utils import timezone

from collective.communication import services
from collective.communication.models import Notification
from collective.core.errors import ApplicationError
from collective.core.models import AuditEvent

from .helpers import future_meeting, make_series


def _state(series):
    series.refresh_from_db()
    return (
        series.rrule,
        series.cadence,
        series.start_time,
        series.sequence,
        sorted(series.occurrences.values_list("original_start", flat=True)),
    )


def edit_url(world, series):
    return reverse(
        "communication:series-edit", kwargs={"slug": world.initiative.slug, "uid": series.uid}
    )


def api_url(world, series):
    return reverse(
        "api:touchpoint-detail", kwargs={"slug": world.initiative.slug, "uid": series.uid}
    )


@pytest.mark.parametrize(
    ("rule", "message"),
    [
        ("FREQ=HOURLY", "FREQ must be DAILY"),
        ("FREQ=WEEKLY;COUNT=3;UNTIL=20300101T000000", "UNTIL or COUNT"),
        ("FREQ=WEEKLY;BYDAY=XX", "not valid"),
        ("every tuesday", "NAME=VALUE"),
        ("", "empty"),
    ],
)
def test_a_bad_rrule_is_refused_and_nothing_is_saved(world, rule, message):
    series = make_series(world)
    before, audits = _state(series), AuditEvent.objects.count()
    with pytest.raises(ApplicationError, match=message) as refused:
        services.series_update(
            actor=world.users["backbone"],
            series=series,
            cadence="custom",
            rrule=rule,
            location="Room 9",
            partners=[world.other_partner],
        )
    assert "rrule" in refused.value.errors
    assert _state(series) == before
    assert series.location == "" and not series.partners.exists()
    assert AuditEvent.objects.count() == audits


def test_a_new_timing_replans_untouched_future_meetings_only(world, commits):
    series = make_series(world, members=[world.users["viewer"]])
    meetings = list(series.occurrences.filter(start__gt=timezone.now()).order_by("start"))
    moved, cancelled, with_agenda = meetings[1], meetings[2], meetings[3]
    backbone = world.users["backbone"]
    new_start = moved.start + dt.timedelta(hours=2)
    services.occurrence_move(actor=backbone, occurrence=moved, start=new_start)
    services.occurrence_cancel(actor=backbone, occurrence=cancelled, note="Holiday")
    services.agenda_item_add(actor=backbone, occurrence=with_agenda, title="Budget")
    past = set(series.occurrences.filter(start__lt=timezone.now()).values_list("pk", flat=True))
    series.refresh_from_db()
    sequence = series.sequence
    Notification.objects.all().delete()
    first = series.first_start
    with commits():
        services.series_update(
            actor=backbone,
            series=series,
            cadence="custom",
            rrule="FREQ=WEEKLY;INTERVAL=2;BYDAY=TH",
            first_start=first.replace(hour=14),
            location="https://meet.example.org/steering",
        )
    series.refresh_from_db()
    assert series.sequence == sequence + 1
    assert series.rrule == "FREQ=WEEKLY;INTERVAL=2;BYDAY=TH"
    assert series.start_time == dt.time(14, 0)
    kept = set(series.occurrences.values_list("pk", flat=True))
    assert past <= kept  # meetings with history stay as they were
    assert {moved.pk, cancelled.pk, with_agenda.pk} <= kept
    moved.refresh_from_db()
    assert moved.start == new_start
    untouched = series.occurrences.filter(
        start__gt=timezone.now(), status="scheduled", start=F("original_start"), items__isnull=True
    )
    assert untouched.count() > 10
    for meeting in untouched:
        local = timezone.localtime(meeting.original_start, meeting_zone(series))
        assert (local.weekday(), local.hour) == (3, 14), local  # Thursdays at 14:00
    told = Notification.objects.filter(title=f"New timing: {series.title}")
    assert set(told.values_list("user__username", flat=True)) == {"vw", "ct"}
    entry = AuditEvent.objects.filter(verb="updated").latest("id")
    assert entry.changes["rrule"]["to"] == "FREQ=WEEKLY;INTERVAL=2;BYDAY=TH"
    assert entry.changes["replanned"]["to"] > 0


def meeting_zone(series):
    from zoneinfo import ZoneInfo

    return ZoneInfo(series.time_zone)


def test_place_facilitator_template_kind_and_partners_change_without_replanning(world):
    series = make_series(world)
    plan = sorted(series.occurrences.values_list("pk", flat=True))
    services.series_update(
        actor=world.users["backbone"],
        series=series,
        kind="working",
        location="Room 4",
        facilitator=world.users["lead"],
        agenda_template="- Welcome",
        partners=[world.partner, world.other_partner],
    )
    series.refresh_from_db()
    assert (series.kind, series.location, series.facilitator) == (
        "working",
        "Room 4",
        world.users["lead"],
    )
    assert sorted(series.occurrences.values_list("pk", flat=True)) == plan
    entry = AuditEvent.objects.filter(verb="updated").latest("id")
    assert entry.changes["partners"] == {"from": [], "to": ["Operations", "Sales"]}
    assert "replanned" not in entry.changes
    with pytest.raises(ApplicationError, match="not a member"):
        services.series_update(
            actor=world.users["backbone"], series=series, facilitator=world.users["outsider"]
        )
    series.refresh_from_db()
    assert series.facilitator == world.users["lead"]


def test_the_edit_page_keeps_what_was_typed_and_saves_a_good_change(world, client_as):
    series = make_series(world)
    client = client_as("backbone")
    form = client.get(edit_url(world, series)).content.decode()
    assert 'value="Steering group"' in form and "Europe/London" in form
    before = _state(series)
    data = {
        "title": "Steering group",
        "kind": "steering",
        "first_start": series.first_start.strftime("%Y-%m-%dT%H:%M"),
        "time_zone": "Europe/London",
        "duration_minutes": 60,
        "cadence": "custom",
        "rrule": "FREQ=SECONDLY",
        "correction_days": 5,
        "location": "Room 12",
    }
    response = client.post(edit_url(world, series), data)
    html = response.content.decode()
    assert response.status_code == 200
    assert "FREQ must be DAILY, WEEKLY, MONTHLY or YEARLY" in html
    assert 'value="FREQ=SECONDLY"' in html and 'value="Room 12"' in html
    assert _state(series) == before and series.location == ""
    data["rrule"] = "FREQ=MONTHLY;BYMONTHDAY=1"
    response = client.post(edit_url(world, series), data, follow=True)
    assert "Future meetings nobody has touched follow the new timing" in response.content.decode()
    series.refresh_from_db()
    assert series.rrule == "FREQ=MONTHLY;BYMONTHDAY=1" and series.location == "Room 12"
    # Saving the same values again changes nothing, and says so.
    response = client.post(edit_url(world, series), data, follow=True)
    assert "Nothing was changed." in response.content.decode()
    assert client.get(series.get_absolute_url()).content.decode().count(edit_url(world, series))


def test_the_api_patches_a_series(world, api_as):
    series = make_series(world)
    client = api_as("backbone")
    before = _state(series)
    refused = client.patch(api_url(world, series), {"rrule": "FREQ=WEEKLY;BYDAY=TH;X"}, "json")
    assert refused.status_code == 400
    assert "rrule" in refused.json()["errors"]
    assert _state(series) == before
    refused = client.patch(api_url(world, series), {"time_zone": "Mars/Olympus"}, "json")
    assert refused.status_code == 400 and "time_zone" in refused.json()["errors"]
    refused = client.patch(api_url(world, series), {"colour": "blue"}, "json")
    assert refused.status_code == 400 and "colour" in refused.json()["errors"]
    assert _state(series) == before
    changed = client.patch(
        api_url(world, series),
        {
            "rrule": "FREQ=WEEKLY;INTERVAL=3;BYDAY=TU",
            "facilitator": "ld",
            "partners": [str(world.other_partner.uid)],
            "agenda_template": "- Risks",
        },
        "json",
    )
    assert changed.status_code == 200, changed.json()
    data = changed.json()
    assert data["cadence"] == "custom" and data["rrule"] == "FREQ=WEEKLY;INTERVAL=3;BYDAY=TU"
    assert data["facilitator"] == "ld" and data["partners"] == [str(world.other_partner.uid)]
    assert data["sequence"] == before[3] + 1
    cleared = client.patch(api_url(world, series), {"facilitator": None}, "json")
    assert cleared.json()["facilitator"] is None
    meeting = future_meeting(world, series)
    assert meeting.start.astimezone(meeting_zone(series)).weekday() == 1  # a Tuesday now
