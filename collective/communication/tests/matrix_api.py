"""Authorization cases of the communication API (the same rules as the pages)."""

from __future__ import annotations

from tests.matrix import BACKBONE, BACKBONE_ONLY, CONTRIBUTORS, MEMBERS, Case


def _api(name, allowed, method="get", kwargs=None, data=None, note=""):
    case = Case(f"api:{name}", allowed, method=method, data=data, api=True, note=note)
    if kwargs is not None:
        case.kwargs = kwargs
    return case


def _series(w):
    from .helpers import make_series

    return {"slug": w.initiative.slug, "uid": make_series(w).uid}


def _decision(w):
    from .helpers import make_decision

    return {"slug": w.initiative.slug, "number": make_decision(w).number}


def _proposal(w):
    from .helpers import make_proposal

    return {"slug": w.initiative.slug, "number": make_proposal(w).number}


def _action(w):
    from .helpers import make_action

    return {"slug": w.initiative.slug, "uid": make_action(w).uid}


def _update(w):
    from .helpers import make_update

    u = make_update(w, kind="help_wanted", actor=w.users["backbone"], partner=w.other_partner)
    return {"slug": w.initiative.slug, "uid": u.uid}


def _discussion(w):
    from collective.communication import services

    d = services.discussion_start(
        actor=w.users["backbone"], initiative=w.initiative, title="Hand-offs", body="Thoughts?"
    )
    return {"slug": w.initiative.slug, "uid": d.uid}


def _feedback(w):
    from .helpers import make_feedback

    return {"slug": w.initiative.slug, "uid": make_feedback(w).uid}


def _survey(w):
    import datetime as dt

    from django.utils import timezone

    from collective.communication import services

    from .helpers import make_survey

    s = make_survey(w)
    services.survey_open(
        actor=w.users["backbone"], survey=s, closes_at=timezone.now() + dt.timedelta(days=2)
    )
    return {"slug": w.initiative.slug, "uid": s.uid}


def _notification(w):
    from collective.communication.models import Notification

    from .helpers import make_action

    make_action(w)
    n = Notification.objects.filter(user=w.users["contributor"]).first()
    return {"slug": w.initiative.slug, "pk": n.pk}


def _webhook(w):
    from .helpers import make_webhook

    e = make_webhook(w)
    e.active = False  # nothing is ever sent from these cases
    e.save(update_fields=["active"])
    return {"slug": w.initiative.slug, "uid": e.uid}


ASKED = frozenset({"viewer", "contributor", "lead"})
OWNER = frozenset({"contributor", BACKBONE})

API_CASES = [
    _api("touchpoint-list", MEMBERS),
    _api(
        "touchpoint-list",
        BACKBONE_ONLY,
        method="post",
        data=lambda w: {
            "title": "Learning",
            "kind": "learning",
            "cadence": "monthly",
            "first_start": "2031-01-07T10:00:00",
            "time_zone": "Europe/London",
        },
    ),
    _api("touchpoint-detail", MEMBERS, kwargs=_series),
    _api("touchpoint-meetings", MEMBERS, kwargs=_series),
    _api("decision-list", MEMBERS),
    _api(
        "decision-list",
        BACKBONE_ONLY,
        method="post",
        data=lambda w: {"title": "Pilot", "statement": "We pilot it.", "method": "backbone"},
    ),
    _api("decision-detail", MEMBERS, kwargs=_decision),
    _api(
        "decision-vote",
        ASKED,
        method="post",
        kwargs=_proposal,
        data=lambda w: {"stance": "support"},
    ),
    _api(
        "decision-conclude",
        BACKBONE_ONLY,
        method="post",
        kwargs=_proposal,
        data=lambda w: {"statement": "Fortnightly it is."},
    ),
    _api("action-item-list", MEMBERS),
    _api(
        "action-item-list",
        CONTRIBUTORS,
        method="post",
        data=lambda w: {"title": "Call Legal", "owner": "ct", "due_date": "2031-01-01"},
    ),
    _api("action-item-detail", MEMBERS, kwargs=_action),
    _api(
        "action-item-detail",
        OWNER,
        method="patch",
        kwargs=_action,
        data=lambda w: {"status": "done"},
    ),
    _api("update-list", MEMBERS),
    _api(
        "update-list",
        CONTRIBUTORS,
        method="post",
        data=lambda w: {"kind": "learning", "title": "What we learnt"},
    ),
    _api("update-detail", MEMBERS, kwargs=_update),
    _api(
        "update-reply", CONTRIBUTORS, method="post", kwargs=_update, data=lambda w: {"body": "Hi"}
    ),
    _api(
        "update-offer",
        CONTRIBUTORS,
        method="post",
        kwargs=_update,
        data=lambda w: {"message": "We can help."},
    ),
    _api("discussion-list", MEMBERS),
    _api(
        "discussion-list",
        CONTRIBUTORS,
        method="post",
        data=lambda w: {"title": "Ideas", "body": "Share them."},
    ),
    _api("discussion-detail", MEMBERS, kwargs=_discussion),
    _api("discussion-posts", MEMBERS, kwargs=_discussion),
    _api(
        "discussion-posts",
        CONTRIBUTORS,
        method="post",
        kwargs=_discussion,
        data=lambda w: {"body": "+1"},
    ),
    _api("feedback-list", MEMBERS),
    _api(
        "feedback-list",
        MEMBERS,
        method="post",
        data=lambda w: {"theme": "meetings", "body": "Shorter please."},
    ),
    _api("feedback-detail", MEMBERS, kwargs=_feedback),
    _api(
        "feedback-respond",
        BACKBONE_ONLY,
        method="post",
        kwargs=_feedback,
        data=lambda w: {"status": "considered"},
    ),
    _api("survey-list", MEMBERS),
    _api("survey-detail", MEMBERS, kwargs=_survey),
    _api(
        "survey-responses",
        MEMBERS,
        method="post",
        kwargs=_survey,
        data=lambda w: {"answers": {}},
    ),
    _api("notification-list", MEMBERS),
    _api("notification-read", frozenset({"contributor"}), method="post", kwargs=_notification),
    _api("notification-read-all", MEMBERS, method="post"),
    _api("notification-preferences", MEMBERS),
    _api(
        "notification-preferences",
        MEMBERS,
        method="put",
        data=lambda w: {"email_mode": "weekly", "time_zone": "Europe/Paris"},
    ),
    _api("webhook-list", BACKBONE_ONLY),
    _api(
        "webhook-list",
        BACKBONE_ONLY,
        method="post",
        data=lambda w: {"name": "Bad", "url": "http://10.0.0.1/"},
    ),
    _api("webhook-detail", BACKBONE_ONLY, kwargs=_webhook),
    _api(
        "webhook-detail",
        BACKBONE_ONLY,
        method="patch",
        kwargs=_webhook,
        data=lambda w: {"name": "Renamed"},
    ),
    _api("webhook-detail", BACKBONE_ONLY, method="delete", kwargs=_webhook),
    _api("webhook-deliveries", BACKBONE_ONLY, kwargs=_webhook),
    _api(
        "webhook-replay",
        BACKBONE_ONLY,
        method="post",
        kwargs=_webhook,
        data=lambda w: {"delivery": 0},
    ),
    _api("webhook-rotate-secret", BACKBONE_ONLY, method="post", kwargs=_webhook),
]
