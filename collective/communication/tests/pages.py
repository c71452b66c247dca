"""Continuous communication's main pages for the accessibility and phone-width checks (see
tests/pages.py). Objects come from the demo of the company initiative, looked up lazily."""

from tests.pages import (
    BACKBONE,
    COMPANY,
    CONTRIBUTOR,
    LEAD,
    MEMBERS,
    VIEWER,
    Page,
    url,
)


def _uid(model: str, **filters):
    """The uid of the first demo object of `model` in the company initiative matching filters."""

    def resolve() -> str:
        from collective.communication import models

        found = (
            getattr(models, model)
            .objects.filter(initiative__slug=COMPANY, **filters)
            .order_by("pk")
            .first()
        )
        assert found is not None, f"the demo has no {model} matching {filters}"
        return str(found.uid)

    return resolve


def _past_meeting() -> str:
    from django.utils import timezone

    from collective.communication.models import Occurrence

    return str(
        Occurrence.objects.filter(
            series__initiative__slug=COMPANY, start__lt=timezone.now(), status="scheduled"
        )
        .order_by("-start")
        .first()
        .uid
    )


def _decision(**filters):
    def resolve() -> int:
        from collective.communication.models import Decision

        return (
            Decision.objects.filter(initiative__slug=COMPANY, **filters).order_by("pk").first()
        ).number

    return resolve


STEERING = _uid("TouchpointSeries", title="Steering group")
HELP_WANTED = _uid("Update", kind="help_wanted")

PAGES = [
    Page("communication", url("communication:index", slug=COMPANY), roles=MEMBERS),
    # Touchpoints and meetings
    Page("touchpoints", url("communication:series-list", slug=COMPANY), roles=(BACKBONE, VIEWER)),
    Page("new touchpoint", url("communication:series-create", slug=COMPANY)),
    Page(
        "touchpoint",
        url("communication:series-detail", slug=COMPANY, uid=STEERING),
        roles=(BACKBONE, CONTRIBUTOR),
    ),
    Page("edit touchpoint", url("communication:series-edit", slug=COMPANY, uid=STEERING)),
    Page("meetings", url("communication:meeting-list", slug=COMPANY), roles=(BACKBONE, VIEWER)),
    Page(
        "meeting",
        url("communication:meeting-detail", slug=COMPANY, uid=_past_meeting),
        roles=(BACKBONE, VIEWER),
    ),
    Page("minutes", url("communication:minutes-edit", slug=COMPANY, uid=_past_meeting)),
    Page("attendance", url("communication:attendance", slug=COMPANY, uid=_past_meeting)),
    # Decisions
    Page("decisions", url("communication:decision-list", slug=COMPANY), roles=(BACKBONE, VIEWER)),
    Page(
        "decision",
        url("communication:decision-detail", slug=COMPANY, number=_decision()),
        roles=(BACKBONE, VIEWER),
    ),
    Page(
        "asynchronous decision",
        url("communication:decision-detail", slug=COMPANY, number=_decision(method="async")),
        roles=(BACKBONE, LEAD),
    ),
    Page("new decision", url("communication:decision-create", slug=COMPANY)),
    Page("propose a decision", url("communication:decision-propose", slug=COMPANY)),
    # Action items
    Page("actions", url("communication:action-list", slug=COMPANY), roles=(BACKBONE, VIEWER)),
    Page("my actions", url("communication:my-actions", slug=COMPANY), roles=(CONTRIBUTOR, LEAD)),
    Page("new action", url("communication:action-create", slug=COMPANY), roles=(CONTRIBUTOR,)),
    Page(
        "action",
        url("communication:action-detail", slug=COMPANY, uid=_uid("ActionItem")),
        roles=(BACKBONE, VIEWER),
    ),
    Page("edit action", url("communication:action-edit", slug=COMPANY, uid=_uid("ActionItem"))),
    # Updates and discussions
    Page("updates", url("communication:feed", slug=COMPANY), roles=MEMBERS),
    Page("new update", url("communication:update-create", slug=COMPANY), roles=(CONTRIBUTOR,)),
    Page(
        "help wanted",
        url("communication:update-detail", slug=COMPANY, uid=HELP_WANTED),
        roles=(BACKBONE, LEAD),
    ),
    Page(
        "discussions",
        url("communication:discussion-list", slug=COMPANY),
        roles=(BACKBONE, VIEWER),
    ),
    Page(
        "discussion",
        url("communication:discussion-detail", slug=COMPANY, uid=_uid("Discussion")),
        roles=(BACKBONE, CONTRIBUTOR),
    ),
    Page(
        "new discussion",
        url("communication:discussion-create", slug=COMPANY),
        roles=(CONTRIBUTOR,),
    ),
    # Feedback and surveys
    Page("feedback", url("communication:feedback-board", slug=COMPANY), roles=(BACKBONE, VIEWER)),
    Page("give feedback", url("communication:feedback-create", slug=COMPANY), roles=(VIEWER,)),
    Page(
        "feedback item",
        url("communication:feedback-detail", slug=COMPANY, uid=_uid("Feedback")),
    ),
    Page("surveys", url("communication:survey-list", slug=COMPANY), roles=(BACKBONE, VIEWER)),
    Page("new survey", url("communication:survey-create", slug=COMPANY)),
    Page(
        "survey results",
        url("communication:survey-detail", slug=COMPANY, uid=_uid("Survey")),
        roles=(BACKBONE, VIEWER),
        ready=".chart-box[data-chart-rendered='1']",  # the result charts, drawn by script
    ),
    # Notifications, calendar, webhooks, settings
    Page("notifications", url("communication:notifications", slug=COMPANY), roles=MEMBERS),
    Page("calendar feeds", url("communication:calendar", slug=COMPANY), roles=(VIEWER,)),
    Page("webhooks", url("communication:webhook-list", slug=COMPANY)),
    Page("new webhook", url("communication:webhook-create", slug=COMPANY)),
    Page(
        "webhook",
        url("communication:webhook-detail", slug=COMPANY, uid=_uid("WebhookEndpoint")),
    ),
    Page("settings", url("communication:settings", slug=COMPANY)),
]
