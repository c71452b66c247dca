"""Builders for communication tests: objects made through the services."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from collective.communication import services
from collective.communication.models import Occurrence


def local_now(tz="Europe/London") -> dt.datetime:
    from zoneinfo import ZoneInfo

    return timezone.now().astimezone(ZoneInfo(tz)).replace(tzinfo=None, second=0, microsecond=0)


def make_series(w, *, days_ago=15, cadence="weekly", tz="Europe/London", **extra):
    """A weekly series that started `days_ago` days ago, facilitated by the contributor."""
    first = (local_now(tz) - dt.timedelta(days=days_ago)).replace(hour=10, minute=0)
    fields = {
        "title": "Steering group",
        "kind": "steering",
        "cadence": cadence,
        "first_start": first,
        "time_zone": tz,
        "duration_minutes": 60,
        "facilitator": w.users["contributor"],
        **extra,
    }
    return services.series_create(actor=w.users["backbone"], initiative=w.initiative, **fields)


def past_meeting(w, series=None) -> Occurrence:
    series = series or make_series(w)
    return series.occurrences.filter(start__lt=timezone.now()).order_by("-start").first()


def future_meeting(w, series=None) -> Occurrence:
    series = series or make_series(w)
    return series.occurrences.filter(start__gt=timezone.now()).order_by("start").first()


_CONTRIBUTOR = object()


def make_action(w, *, owner=_CONTRIBUTOR, days=7, **extra):
    return services.action_create(
        actor=w.users["backbone"],
        initiative=w.initiative,
        title=extra.pop("title", "Draft the hand-off checklist"),
        due_date=timezone.localdate() + dt.timedelta(days=days),
        owner=w.users["contributor"] if owner is _CONTRIBUTOR else owner,
        **extra,
    )


def make_decision(w, **extra):
    meeting = extra.pop("occurrence", None) or past_meeting(w)
    return services.decision_record(
        actor=w.users["backbone"],
        initiative=w.initiative,
        title=extra.pop("title", "Adopt one hand-off form"),
        statement=extra.pop("statement", "All partners use the shared hand-off form."),
        occurrence=meeting,
        **extra,
    )


def make_proposal(w, **extra):
    return services.decision_propose(
        actor=w.users["backbone"],
        initiative=w.initiative,
        title=extra.pop("title", "Meet fortnightly"),
        proposal=extra.pop("proposal", "Move the working group to every two weeks."),
        deadline=extra.pop("deadline", timezone.now() + dt.timedelta(days=3)),
        asked=extra.pop("asked", [w.users[r] for r in ("viewer", "contributor", "lead")]),
        **extra,
    )


def make_update(w, kind="progress", **extra):
    return services.update_post(
        actor=extra.pop("actor", w.users["contributor"]),
        initiative=w.initiative,
        kind=kind,
        title=extra.pop("title", "Hand-off form piloted"),
        body=extra.pop("body", "Two teams tried it this week."),
        **extra,
    )


def make_feedback(w, **extra):
    return services.feedback_give(
        actor=extra.pop("actor", w.users["viewer"]),
        initiative=w.initiative,
        theme=extra.pop("theme", "meetings"),
        body=extra.pop("body", "Meetings run over time."),
        **extra,
    )


def make_survey(w, **extra):
    return services.survey_create(
        actor=w.users["backbone"],
        initiative=w.initiative,
        title=extra.pop("title", "Quarterly pulse"),
        questions=extra.pop(
            "questions",
            [
                {"kind": "scale", "text": "I feel heard."},
                {"kind": "choice", "text": "Meetings are…", "choices": ["too many", "right"]},
                {"kind": "text", "text": "One thing to change?"},
            ],
        ),
        **extra,
    )


def make_webhook(w, url="https://hooks.example.com/collective", **extra):
    """A webhook to a public name (resolution is faked so no network is touched)."""
    from unittest import mock

    with mock.patch("socket.getaddrinfo", return_value=[(2, 1, 6, "", ("93.184.215.14", 443))]):
        return services.webhook_create(
            actor=w.users["backbone"], initiative=w.initiative, name="Ops", url=url, **extra
        )
