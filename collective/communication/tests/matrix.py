"""Authorization cases of the communication pages and API (see tests/matrix.py)."""

from __future__ import annotations

from tests.matrix import BACKBONE, BACKBONE_ONLY, CONTRIBUTORS, EVERYONE, MEMBERS, Case

from .matrix_api import API_CASES

CONTRIBUTOR_AND_BACKBONE = frozenset({"contributor", BACKBONE})


def _slug(w):
    return {"slug": w.initiative.slug}


def _series(w):
    from .helpers import make_series

    series = make_series(w)
    w.extra["series"] = series
    return {"slug": w.initiative.slug, "uid": series.uid}


def _meeting(w):
    from .helpers import past_meeting

    occ = past_meeting(w)
    w.extra["meeting"] = occ
    return {"slug": w.initiative.slug, "uid": occ.uid}


def _future(w):
    from .helpers import future_meeting

    occ = future_meeting(w)
    w.extra["meeting"] = occ
    return {"slug": w.initiative.slug, "uid": occ.uid}


def _item(w):
    from collective.communication import services

    kwargs = _meeting(w)
    item = services.agenda_item_add(
        actor=w.users["backbone"], occurrence=w.extra["meeting"], title="Hand-offs"
    )
    return {**kwargs, "item_uid": item.uid}


def _minutes(state):
    def make(w):
        from collective.communication import services

        kwargs = _meeting(w)
        occ = w.extra["meeting"]
        services.attendance_record(
            actor=w.users["backbone"], occurrence=occ, present=[w.users["viewer"]]
        )
        services.minutes_save(actor=w.users["backbone"], occurrence=occ, minutes="We met.")
        if state == "corrections":
            services.minutes_open_corrections(actor=w.users["backbone"], occurrence=occ)
        return kwargs

    return make


def _decision(w):
    from .helpers import make_decision

    d = make_decision(w)
    return {"slug": w.initiative.slug, "number": d.number}


def _proposal(w):
    from .helpers import make_proposal

    d = make_proposal(w)
    return {"slug": w.initiative.slug, "number": d.number}


def _action(w):
    from .helpers import make_action

    a = make_action(w)
    return {"slug": w.initiative.slug, "uid": a.uid}


def _update(kind="progress"):
    def make(w):
        from .helpers import make_update

        u = make_update(w, kind=kind, actor=w.users["backbone"], partner=w.other_partner)
        return {"slug": w.initiative.slug, "uid": u.uid}

    return make


def _discussion(w):
    from collective.communication import services

    d = services.discussion_start(
        actor=w.users["backbone"], initiative=w.initiative, title="Hand-offs", body="Thoughts?"
    )
    return {"slug": w.initiative.slug, "uid": d.uid}


def _feedback(w):
    from .helpers import make_feedback

    f = make_feedback(w)
    return {"slug": w.initiative.slug, "uid": f.uid}


def _feedback_link(w):
    from collective.communication import services

    config = services.settings_update(
        actor=w.users["backbone"], initiative=w.initiative, feedback_link_enabled=True
    )
    return {"slug": w.initiative.slug, "token": config.feedback_token}


def _survey(status="draft"):
    def make(w):
        import datetime as dt

        from django.utils import timezone

        from collective.communication import services

        from .helpers import make_survey

        s = make_survey(w, anonymous=False, min_group_size=3)
        if status != "draft":
            services.survey_open(
                actor=w.users["backbone"],
                survey=s,
                closes_at=timezone.now() + dt.timedelta(days=5),
            )
        return {"slug": w.initiative.slug, "uid": s.uid}

    return make


def _notification(w):
    """A notification of the contributor's: only they open it (others get 403)."""
    from collective.communication.models import Notification

    from .helpers import make_action

    make_action(w)  # notifies the contributor
    n = Notification.objects.filter(user=w.users["contributor"]).first()
    return {"slug": w.initiative.slug, "pk": n.pk}


def _unsubscribe(w):
    from collective.communication.services.notifications import unsubscribe_token

    return {"slug": w.initiative.slug, "token": unsubscribe_token(w.users["viewer"])}


def _feed_ics(w):
    from collective.communication import services

    _series(w)
    _feed, token = services.feed_create(
        actor=w.users["viewer"], initiative=w.initiative, scope="initiative"
    )
    return {"slug": w.initiative.slug, "token": token}


def _feed_revoke():
    def make(w):
        from collective.communication import services

        # The URL names one person's feed: only its owner can revoke it; others get 403.
        feed, _token = services.feed_create(
            actor=w.users["backbone"], initiative=w.initiative, scope="personal"
        )
        return {"slug": w.initiative.slug, "uid": feed.uid}

    return make


def _webhook(w):
    from .helpers import make_webhook

    e = make_webhook(w)
    w.extra["webhook"] = e
    return {"slug": w.initiative.slug, "uid": e.uid}


def _delivery(w):
    from django.utils import timezone

    from collective.communication.models import WebhookDelivery

    kwargs = _webhook(w)
    d = WebhookDelivery.objects.create(
        initiative=w.initiative,
        endpoint=w.extra["webhook"],
        message_id="msg_1",
        event_type="decision.taken",
        payload={"type": "decision.taken"},
        created_at=timezone.now(),
        state="failed",
    )
    # Switched off: a replay is refused with a message, and nothing is sent anywhere.
    w.extra["webhook"].active = False
    w.extra["webhook"].save(update_fields=["active"])
    return {**kwargs, "pk": d.pk}


RUN_MEETING = frozenset({"contributor", BACKBONE})  # the facilitator (contributor) or backbone

CASES = [
    Case("communication:index", MEMBERS),
    # Touchpoints
    Case("communication:series-list", MEMBERS),
    Case("communication:series-create", BACKBONE_ONLY),
    Case(
        "communication:series-create",
        BACKBONE_ONLY,
        method="post",
        data=lambda w: {
            "title": "Learning session",
            "kind": "learning",
            "first_start": "2030-01-07T10:00",
            "time_zone": "Europe/London",
            "duration_minutes": 60,
            "cadence": "monthly",
            "correction_days": 5,
        },
    ),
    Case("communication:series-detail", MEMBERS, kwargs=_series),
    Case(
        "communication:backlog-add",
        CONTRIBUTORS,
        kwargs=_series,
        method="post",
        data=lambda w: {"title": "Onboarding survey results"},
    ),
    Case("communication:meeting-list", MEMBERS),
    Case("communication:meeting-detail", MEMBERS, kwargs=_meeting),
    Case("communication:agenda-draft", RUN_MEETING, kwargs=_future, method="post"),
    Case("communication:item-add", RUN_MEETING, kwargs=_meeting),
    Case(
        "communication:item-add",
        RUN_MEETING,
        kwargs=_meeting,
        method="post",
        data=lambda w: {"title": "Risks", "minutes_estimate": 10},
    ),
    Case("communication:item-edit", RUN_MEETING, kwargs=_item),
    Case(
        "communication:item-edit",
        RUN_MEETING,
        kwargs=_item,
        method="post",
        data=lambda w: {"title": "Risks and issues", "minutes_estimate": 15},
    ),
    Case("communication:item-remove", RUN_MEETING, kwargs=_item, method="post"),
    Case("communication:meeting-move", RUN_MEETING, kwargs=_future),
    Case(
        "communication:meeting-move",
        RUN_MEETING,
        kwargs=_future,
        method="post",
        data=lambda w: {"start": "2031-03-04T11:00", "note": "Room clash"},
    ),
    Case("communication:meeting-cancel", RUN_MEETING, kwargs=_future),
    Case(
        "communication:meeting-cancel",
        RUN_MEETING,
        kwargs=_future,
        method="post",
        data=lambda w: {"note": "Holiday"},
    ),
    Case("communication:attendance", RUN_MEETING, kwargs=_meeting),
    Case(
        "communication:attendance",
        RUN_MEETING,
        kwargs=_meeting,
        method="post",
        data=lambda w: {"present": [w.users["viewer"].pk]},
    ),
    Case("communication:minutes-edit", RUN_MEETING, kwargs=_meeting),
    Case(
        "communication:minutes-edit",
        RUN_MEETING,
        kwargs=_meeting,
        method="post",
        data=lambda w: {"minutes": "We agreed the form."},
    ),
    Case("communication:minutes-open", RUN_MEETING, kwargs=_minutes("draft"), method="post"),
    Case(
        "communication:minutes-correct",
        frozenset({"viewer", "contributor", BACKBONE}),  # attendee, facilitator, backbone
        kwargs=_minutes("corrections"),
        method="post",
        data=lambda w: {"body": "It was Tuesday."},
    ),
    Case("communication:minutes-lock", RUN_MEETING, kwargs=_minutes("draft"), method="post"),
    Case("communication:meeting-close", RUN_MEETING, kwargs=_meeting),
    Case(
        "communication:meeting-close",
        RUN_MEETING,
        kwargs=_meeting,
        method="post",
        data=lambda w: {},
    ),
    # Decisions
    Case("communication:decision-list", MEMBERS),
    Case("communication:decision-create", BACKBONE_ONLY),
    Case(
        "communication:decision-create",
        BACKBONE_ONLY,
        method="post",
        data=lambda w: {"title": "Pilot", "statement": "We pilot it.", "method": "backbone"},
    ),
    Case("communication:decision-propose", BACKBONE_ONLY),
    Case(
        "communication:decision-propose",
        BACKBONE_ONLY,
        method="post",
        data=lambda w: {
            "title": "Pilot",
            "proposal": "We pilot it.",
            "deadline": "2031-01-01T10:00",
            "quorum_percent": 50,
            "asked": [w.users["viewer"].pk],
        },
    ),
    Case("communication:decision-detail", MEMBERS, kwargs=_decision),
    Case(
        "communication:decision-vote",
        frozenset({"viewer", "contributor", "lead"}),  # the people asked
        kwargs=_proposal,
        method="post",
        data=lambda w: {"stance": "support"},
    ),
    Case("communication:decision-conclude", BACKBONE_ONLY, kwargs=_proposal),
    Case(
        "communication:decision-conclude",
        BACKBONE_ONLY,
        kwargs=_proposal,
        method="post",
        data=lambda w: {"statement": "We meet fortnightly."},
    ),
    Case(
        "communication:decision-review",
        BACKBONE_ONLY,
        kwargs=_decision,
        method="post",
        data=lambda w: {"note": "Worked."},
    ),
    # Actions
    Case("communication:action-list", MEMBERS),
    Case("communication:my-actions", MEMBERS),
    Case("communication:action-create", CONTRIBUTORS),
    Case(
        "communication:action-create",
        CONTRIBUTORS,
        method="post",
        data=lambda w: {
            "title": "Call Legal",
            "owner": w.users["contributor"].pk,
            "due_date": "2031-01-01",
        },
    ),
    Case("communication:action-detail", MEMBERS, kwargs=_action),
    # The owner (contributor), their partner's lead and the backbone change an action.
    Case("communication:action-edit", frozenset({"contributor", BACKBONE}), kwargs=_action),
    Case(
        "communication:action-status",
        frozenset({"contributor", BACKBONE}),
        kwargs=_action,
        method="post",
        data=lambda w: {"status": "done"},
    ),
    # Updates and discussions
    Case("communication:feed", MEMBERS),
    Case("communication:update-create", CONTRIBUTORS),
    Case(
        "communication:update-create",
        CONTRIBUTORS,
        method="post",
        data=lambda w: {"kind": "learning", "title": "What we learnt"},
    ),
    Case("communication:update-detail", MEMBERS, kwargs=_update()),
    Case(
        "communication:update-reply",
        CONTRIBUTORS,
        kwargs=_update(),
        method="post",
        data=lambda w: {"body": "Great news"},
    ),
    Case(
        "communication:help-offer",
        CONTRIBUTORS,
        kwargs=_update("help_wanted"),
        method="post",
        data=lambda w: {"message": "We can lend an analyst."},
    ),
    Case("communication:help-resolve", BACKBONE_ONLY, kwargs=_update("help_wanted"), method="post"),
    Case("communication:discussion-list", MEMBERS),
    Case("communication:discussion-create", CONTRIBUTORS),
    Case(
        "communication:discussion-create",
        CONTRIBUTORS,
        method="post",
        data=lambda w: {"title": "Ideas", "body": "Let us share."},
    ),
    Case("communication:discussion-detail", MEMBERS, kwargs=_discussion),
    Case(
        "communication:discussion-reply",
        CONTRIBUTORS,
        kwargs=_discussion,
        method="post",
        data=lambda w: {"body": "Agreed @bb"},
    ),
    Case("communication:discussion-follow", MEMBERS, kwargs=_discussion, method="post"),
    # Feedback and surveys
    Case("communication:feedback-board", MEMBERS),
    Case("communication:feedback-create", MEMBERS),
    Case(
        "communication:feedback-create",
        MEMBERS,
        method="post",
        data=lambda w: {"theme": "meetings", "body": "Shorter please."},
    ),
    Case("communication:feedback-detail", MEMBERS, kwargs=_feedback),
    Case(
        "communication:feedback-respond",
        BACKBONE_ONLY,
        kwargs=_feedback,
        method="post",
        data=lambda w: {"status": "considered"},
    ),
    Case("communication:feedback-public", EVERYONE, kwargs=_feedback_link),
    Case(
        "communication:feedback-public",
        EVERYONE,
        kwargs=_feedback_link,
        method="post",
        data=lambda w: {"theme": "other", "body": "Thanks"},
    ),
    Case("communication:survey-list", MEMBERS),
    Case("communication:survey-create", BACKBONE_ONLY),
    Case(
        "communication:survey-create",
        BACKBONE_ONLY,
        method="post",
        data=lambda w: {
            "title": "Pulse",
            "anonymous": "on",
            "min_group_size": 5,
            "questions": "scale: I feel heard",
        },
    ),
    Case("communication:survey-detail", MEMBERS, kwargs=_survey("open")),
    Case(
        "communication:survey-detail",
        MEMBERS,
        kwargs=_survey("open"),
        method="post",
        data=lambda w: {},
        note="answer",
    ),
    Case(
        "communication:survey-open",
        BACKBONE_ONLY,
        kwargs=_survey("draft"),
        method="post",
        data=lambda w: {"closes_at": "2031-01-01T10:00"},
    ),
    Case("communication:survey-close", BACKBONE_ONLY, kwargs=_survey("open"), method="post"),
    # Notifications, calendar, unsubscribe
    Case("communication:notifications", MEMBERS),
    Case(
        "communication:notifications",
        MEMBERS,
        method="post",
        data=lambda w: {"email_mode": "weekly", "time_zone": "Europe/Paris", "digest_hour": 8},
    ),
    Case("communication:notification-open", frozenset({"contributor"}), kwargs=_notification),
    Case("communication:notifications-read-all", MEMBERS, method="post"),
    Case("communication:unsubscribe", EVERYONE, kwargs=_unsubscribe),
    Case("communication:unsubscribe", EVERYONE, kwargs=_unsubscribe, method="post"),
    Case("communication:calendar", MEMBERS),
    Case(
        "communication:feed-create",
        MEMBERS,
        method="post",
        data=lambda w: {"scope": "personal"},
    ),
    Case("communication:feed-revoke", BACKBONE_ONLY, kwargs=_feed_revoke(), method="post"),
    Case("communication:feed-ics", EVERYONE, kwargs=_feed_ics),
    # Webhooks and settings
    Case("communication:webhook-list", BACKBONE_ONLY),
    Case("communication:webhook-create", BACKBONE_ONLY),
    Case(
        "communication:webhook-create",
        BACKBONE_ONLY,
        method="post",
        data=lambda w: {"name": "Bad", "url": "ftp://example.com/", "format": "standard"},
    ),
    Case("communication:webhook-detail", BACKBONE_ONLY, kwargs=_webhook),
    Case("communication:webhook-rotate", BACKBONE_ONLY, kwargs=_webhook, method="post"),
    Case("communication:webhook-delete", BACKBONE_ONLY, kwargs=_webhook, method="post"),
    Case("communication:delivery-replay", BACKBONE_ONLY, kwargs=_delivery, method="post"),
    Case("communication:settings", BACKBONE_ONLY),
    Case(
        "communication:settings",
        BACKBONE_ONLY,
        method="post",
        data=lambda w: {
            "remind_days_before": 2,
            "repeat_overdue_days": 7,
            "escalate_after": 3,
            "close_meeting_after_days": 2,
            "consultation_remind_days": 14,
        },
    ),
    *API_CASES,
]
