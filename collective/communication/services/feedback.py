"""Feedback loops that are closed: anyone in the initiative (or, where allowed, anyone with the
feedback link, anonymously) gives feedback; the backbone moves it through new → considered →
acted on / declined with a public response and a link to what it led to."""

from __future__ import annotations

import secrets

from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.utils import timezone

from collective.core.audit import audit_record
from collective.core.errors import ApplicationError
from collective.core.models import Membership

from ..choices import CLOSED_FEEDBACK, FeedbackStatus, FeedbackTheme, NotificationKind
from ..models import CommunicationSettings, Feedback
from .common import actor_or_none, check_choice, clean_text, membership_of
from .notifications import notify_people
from .webhooks import emit

# Allowed moves: new → considered → acted on / declined (and straight from new to a close).
MOVES = {
    FeedbackStatus.NEW: {
        FeedbackStatus.CONSIDERED,
        FeedbackStatus.ACTED_ON,
        FeedbackStatus.DECLINED,
    },
    FeedbackStatus.CONSIDERED: {FeedbackStatus.ACTED_ON, FeedbackStatus.DECLINED},
    FeedbackStatus.ACTED_ON: set(),
    FeedbackStatus.DECLINED: {FeedbackStatus.CONSIDERED},
}


def settings_for(initiative) -> CommunicationSettings:
    found = CommunicationSettings.objects.filter(initiative=initiative).first()
    return found or CommunicationSettings(initiative=initiative)


def _backbone(initiative):
    return [
        m.user
        for m in Membership.objects.filter(initiative=initiative, role="backbone").select_related(
            "user"
        )
    ]


def feedback_give(*, actor, initiative, theme: str, body: str, anonymous: bool = False) -> Feedback:
    check_choice(theme, FeedbackTheme, "theme")
    body = clean_text(body, "body", required=True, limit=5000, label="feedback")
    membership = membership_of(initiative, actor)
    if membership is None:
        raise ApplicationError("Only members give feedback here.", code="forbidden")
    with transaction.atomic():
        item = Feedback.objects.create(
            initiative=initiative,
            theme=theme,
            body=body,
            author=None if anonymous else actor,
            partner=membership.partner,
            anonymous=anonymous,
        )
        audit_record(
            actor=None if anonymous else actor,
            verb="gave",
            target=item,
            changes={"theme": theme},
        )
        notify_people(
            initiative=initiative,
            users=_backbone(initiative),
            kind=NotificationKind.FEEDBACK,
            title=f"New feedback on {item.get_theme_display().lower()}",
            body=body[:500],
            url=item.get_absolute_url(),
            target=item,
            actor=None if anonymous else actor,
        )
    return item


def feedback_give_by_link(*, initiative, token: str, theme: str, body: str) -> Feedback:
    """Anonymous feedback through the initiative's feedback link (when it is switched on)."""
    config = settings_for(initiative)
    if (
        not config.feedback_link_enabled
        or not config.feedback_token
        or not secrets.compare_digest(config.feedback_token, token or "")
    ):
        raise ApplicationError("This feedback link is not valid any more.", code="not_found")
    check_choice(theme, FeedbackTheme, "theme")
    body = clean_text(body, "body", required=True, limit=5000, label="feedback")
    with transaction.atomic():
        item = Feedback.objects.create(
            initiative=initiative, theme=theme, body=body, anonymous=True, via_link=True
        )
        audit_record(actor=None, verb="gave", target=item, changes={"theme": theme, "via": "link"})
        notify_people(
            initiative=initiative,
            users=_backbone(initiative),
            kind=NotificationKind.FEEDBACK,
            title=f"New feedback (through the link) on {item.get_theme_display().lower()}",
            body=body[:500],
            url=item.get_absolute_url(),
            target=item,
        )
    return item


def feedback_respond(
    *,
    actor,
    feedback: Feedback,
    status: str,
    response: str = "",
    led_to=None,
    led_to_label: str = "",
    led_to_url: str = "",
) -> Feedback:
    """Move feedback on; closing it (acted on / declined) needs the public response."""
    check_choice(status, FeedbackStatus, "status")
    response = clean_text(response, "response", limit=5000)
    if status != feedback.status and status not in MOVES[feedback.status]:
        raise ApplicationError(
            f"Feedback that is {feedback.get_status_display().lower()} cannot move to "
            f"“{FeedbackStatus(status).label.lower()}”.",
            errors={"status": ["Choose a next step."]},
            code="conflict",
        )
    if status in CLOSED_FEEDBACK and not response:
        raise ApplicationError(
            "Closing the loop needs a response people can read: what you did, or why not.",
            errors={"response": ["Write the response (you said, we did)."]},
        )
    led_to_label = clean_text(led_to_label, "led_to_label", limit=300, label="link label")
    if led_to_url and not led_to_url.startswith(("/", "https://", "http://")):
        raise ApplicationError(
            "The link must be an address on this site or an http(s) address.",
            errors={"led_to_url": ["Start with / or https://."]},
        )
    if led_to is not None and getattr(led_to, "initiative_id", feedback.initiative_id) != (
        feedback.initiative_id
    ):
        raise ApplicationError(
            "What it led to must belong to this initiative.", errors={"led_to": ["Choose again."]}
        )
    previous = feedback.status
    with transaction.atomic():
        now = timezone.now()
        feedback.status = status
        if response and response != feedback.response:
            feedback.response = response
            feedback.responded_at = now
            feedback.responded_by = actor_or_none(actor)
        feedback.closed_at = now if status in CLOSED_FEEDBACK else None
        if led_to is not None:
            feedback.led_to_type = ContentType.objects.get_for_model(led_to)
            feedback.led_to_id = str(led_to.pk)
            feedback.led_to_label = led_to_label or str(led_to)[:300]
            feedback.led_to_url = (
                led_to.get_absolute_url() if hasattr(led_to, "get_absolute_url") else ""
            )
        elif led_to_label:
            feedback.led_to_label, feedback.led_to_url = led_to_label, led_to_url
        feedback.save()
        audit_record(
            actor=actor,
            verb="responded to",
            target=feedback,
            changes={"status": {"from": previous, "to": status}, "response": response},
        )
        if status in CLOSED_FEEDBACK and feedback.author_id:
            notify_people(
                initiative=feedback.initiative,
                users=[feedback.author],
                kind=NotificationKind.FEEDBACK,
                title=f"Your feedback was {feedback.get_status_display().lower()}",
                body=response,
                url=feedback.get_absolute_url(),
                target=feedback,
                actor=actor,
            )
        if status in CLOSED_FEEDBACK:
            emit(initiative=feedback.initiative, event_type="feedback.responded", obj=feedback)
    return feedback


def settings_update(*, actor, initiative, **fields) -> CommunicationSettings:
    allowed = {
        "remind_days_before",
        "repeat_overdue_days",
        "escalate_after",
        "close_meeting_after_days",
        "consultation_remind_days",
        "feedback_link_enabled",
    }
    unknown = set(fields) - allowed
    if unknown:
        raise ApplicationError(f"Cannot change {', '.join(sorted(unknown))}.")
    for name, value in fields.items():
        if name != "feedback_link_enabled" and not (0 <= int(value) <= 365):
            raise ApplicationError(
                "Days and counts are between 0 and 365.", errors={name: ["Between 0 and 365."]}
            )
    if "escalate_after" in fields and int(fields["escalate_after"]) < 1:
        raise ApplicationError(
            "Escalate after at least one reminder.", errors={"escalate_after": ["At least 1."]}
        )
    with transaction.atomic():
        config, _ = CommunicationSettings.objects.get_or_create(initiative=initiative)
        changes = {}
        for name, value in fields.items():
            if getattr(config, name) != value:
                changes[name] = {"from": getattr(config, name), "to": value}
                setattr(config, name, value)
        if config.feedback_link_enabled and not config.feedback_token:
            config.feedback_token = secrets.token_urlsafe(32)
        config.save()
        if changes:
            audit_record(
                actor=actor,
                verb="changed communication settings of",
                target=initiative,
                changes=changes,
            )
    return config


def feedback_link_renew(*, actor, initiative) -> CommunicationSettings:
    """A new feedback link; the old one stops working."""
    with transaction.atomic():
        config, _ = CommunicationSettings.objects.get_or_create(initiative=initiative)
        config.feedback_token = secrets.token_urlsafe(32)
        config.save(update_fields=["feedback_token"])
        audit_record(actor=actor, verb="renewed the feedback link of", target=initiative)
    return config
