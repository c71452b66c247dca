"""Reminders (`run_reminders`): idempotent, repeated for overdue items, escalated to the
partner lead, and the command itself."""

from __future__ import annotations

import datetime as dt
from io import StringIO

import time_machine
from django.core import mail
from django.core.management import call_command
from django.utils import timezone

from collective.communication import services
from collective.communication.models import Notification, ReminderLog

from .helpers import make_action, make_proposal, make_series

START = dt.datetime(2026, 5, 4, 9, 0, tzinfo=dt.UTC)  # a Monday


def _immediate(user):
    services.preference_update(user=user, email_mode="immediate", time_zone="Europe/London")


def test_running_twice_sends_one_email(world, commits):
    contributor = world.users["contributor"]
    _immediate(contributor)
    with time_machine.travel(START, tick=False):
        action = make_action(world, days=2)
    mail.outbox.clear()
    with time_machine.travel(START + dt.timedelta(days=1), tick=False):
        with commits():
            first = services.run_reminders(digests=False)
        with commits():
            second = services.run_reminders(digests=False)
    assert first["reminders"] >= 1 and second["reminders"] == 0
    to_contributor = [m for m in mail.outbox if m.to == [contributor.email]]
    assert len(to_contributor) == 1
    message = to_contributor[0]
    assert action.title in message.subject
    assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert message.extra_headers["List-Unsubscribe"].startswith("<http")
    assert ReminderLog.objects.filter(key__startswith=f"action-due:{action.uid}").count() == 1


def test_overdue_reminders_repeat_and_then_tell_the_partner_lead(world, commits):
    with time_machine.travel(START, tick=False):
        action = make_action(world, days=1)
    config = services.settings_update(
        actor=world.users["backbone"],
        initiative=world.initiative,
        repeat_overdue_days=7,
        escalate_after=3,
    )
    assert config.escalate_after == 3
    sent = []
    for day in (0, 2, 9, 16, 17):
        with time_machine.travel(START + dt.timedelta(days=day), tick=False), commits():
            sent.append(services.run_reminders(digests=False))
    keys = list(
        ReminderLog.objects.filter(subject=f"action:{action.uid}").values_list("key", flat=True)
    )
    # due soon (day 0), overdue repeat 0 (day 2), repeat 1 (day 9), repeat 2 (day 16)
    assert len(keys) == 4
    lead_notes = Notification.objects.filter(user=world.users["lead"], kind="reminder")
    assert lead_notes.count() == 1 and "reminded 3 times" in lead_notes.get().title
    assert sent[-1]["reminders"] == 0  # day 17: still in repeat 2, nothing new


def test_meetings_to_close_proposals_closing_and_reviews(world, commits):
    with time_machine.travel(START - dt.timedelta(days=10), tick=False):
        make_series(world, days_ago=1)
        proposal = make_proposal(world, deadline=START + dt.timedelta(hours=12))
    with time_machine.travel(START, tick=False), commits():
        services.run_reminders(digests=False)
    facilitator = world.users["contributor"]
    titles = list(Notification.objects.filter(user=facilitator).values_list("title", flat=True))
    assert any(t.startswith("Meeting to close") for t in titles)
    viewer_titles = list(
        Notification.objects.filter(user=world.users["viewer"], kind="reminder").values_list(
            "title", flat=True
        )
    )
    assert any(f"D{proposal.number}" in t for t in viewer_titles)


def test_nothing_due_sends_nothing(world, commits):
    with commits():
        counts = services.run_reminders(digests=False)
    assert counts["reminders"] == 0
    assert mail.outbox == []


def test_the_command(world):
    out = StringIO()
    call_command("run_reminders", stdout=out)
    assert "reminders" in out.getvalue()
    with time_machine.travel(timezone.now() + dt.timedelta(days=1)):
        call_command("run_reminders", "--no-digests", stdout=out)


def test_data_due_and_late_from_reporting_duties(world, commits):
    from collective.measurement.models import Indicator, ReportingAssignment

    indicator = Indicator.objects.create(
        initiative=world.initiative, code="LIVE", name="Customers live", frequency="month"
    )
    ReportingAssignment.objects.create(
        initiative=world.initiative,
        indicator=indicator,
        partner=world.partner,
        due_days=10,
        starts_period="2026-03",
    )
    # 12 May: March's value (due 10 April) is late, April's (due 10 May) is late too.
    with time_machine.travel(dt.datetime(2026, 5, 12, 9, tzinfo=dt.UTC), tick=False), commits():
        services.run_reminders(digests=False)
        services.run_reminders(digests=False)
    notes = Notification.objects.filter(kind="reminder", title__startswith="Data late")
    assert set(notes.values_list("user__username", flat=True)) == {"ct", "ld"}
    assert notes.count() == 2
    body = notes.first().body
    assert "Customers live (March 2026)" in body or "Customers live" in body
    # A week later the late values are reminded again (the next repeat).
    with time_machine.travel(dt.datetime(2026, 5, 20, 9, tzinfo=dt.UTC), tick=False), commits():
        services.run_reminders(digests=False)
    assert Notification.objects.filter(title__startswith="Data late").count() == 4
