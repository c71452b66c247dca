"""Notifications: one row per person and event, email at once or in a digest by their choice.

Services call `notify_people` inside their transaction; the emails of people who want them at
once (and every mention and assignment) are sent by a task after commit.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.conf import settings
from django.core import signing
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from collective.core.audit import audit_record
from collective.core.errors import ApplicationError

from ..choices import URGENT_KINDS, EmailMode
from ..models import Notification, NotificationPreference
from ..recurrence import zone
from .common import is_muted, on_commit

UNSUBSCRIBE_SALT = "communication.unsubscribe"


def preference_for(user) -> NotificationPreference:
    pref = getattr(user, "_notification_preference", None)
    if pref is None:
        pref = NotificationPreference.objects.filter(user=user).first() or NotificationPreference(
            user=user
        )
        user._notification_preference = pref
    return pref


def notify_people(
    *,
    initiative,
    users: Iterable,
    kind: str,
    title: str,
    body: str = "",
    url: str = "",
    target=None,
    actor=None,
    include_actor: bool = False,
) -> list[Notification]:
    """Create one notification per person (each person once); email the urgent and the
    'at once' ones after commit."""
    now = timezone.now()
    seen, rows = set(), []
    actor_id = getattr(actor, "pk", None) if getattr(actor, "is_authenticated", False) else None
    for user in users:
        if user is None or user.pk in seen or (user.pk == actor_id and not include_actor):
            continue
        seen.add(user.pk)
        rows.append(
            Notification(
                initiative=initiative,
                user=user,
                kind=kind,
                title=title[:300],
                body=body,
                url=url[:500],
                target_type=target._meta.model_name if target is not None else "",
                target_id=str(getattr(target, "uid", None) or getattr(target, "pk", "")),
                target_label=str(target)[:300] if target is not None else "",
                actor_id=actor_id,
                created_at=now,
            )
        )
    if not rows:
        return []
    created = Notification.objects.bulk_create(rows)
    if is_muted():
        return created
    urgent = kind in URGENT_KINDS
    modes = dict(
        NotificationPreference.objects.filter(user_id__in=seen).values_list("user_id", "email_mode")
    )
    to_email = [
        n.pk
        for n in created
        if n.pk is not None
        and modes.get(n.user_id, EmailMode.DAILY) != EmailMode.NONE
        and (urgent or modes.get(n.user_id, EmailMode.DAILY) == EmailMode.IMMEDIATE)
    ]
    if to_email:
        from ..tasks import send_notification_emails

        on_commit(lambda: send_notification_emails.enqueue(notification_ids=to_email))
    return created


def notification_read(*, user, notification: Notification) -> Notification:
    if notification.user_id != user.pk:
        raise ApplicationError("That notification is someone else's.", code="not_found")
    if notification.read_at is None:
        notification.read_at = timezone.now()
        notification.save(update_fields=["read_at"])
    return notification


def notifications_read_all(*, user, initiative=None) -> int:
    qs = Notification.objects.filter(user=user, read_at__isnull=True)
    if initiative is not None:
        qs = qs.filter(initiative=initiative)
    return qs.update(read_at=timezone.now())


def preference_update(
    *, user, email_mode: str, time_zone: str, digest_hour: int = 7
) -> NotificationPreference:
    if email_mode not in EmailMode.values:
        raise ApplicationError(
            "Choose how you want to be emailed.", errors={"email_mode": ["Choose one option."]}
        )
    zone(time_zone)
    if not 0 <= int(digest_hour) <= 23:
        raise ApplicationError(
            "The digest hour is between 0 and 23.", errors={"digest_hour": ["0–23."]}
        )
    with transaction.atomic():
        pref, _ = NotificationPreference.objects.get_or_create(user=user)
        before = {"email_mode": pref.email_mode, "time_zone": pref.time_zone}
        pref.email_mode, pref.time_zone, pref.digest_hour = email_mode, time_zone, digest_hour
        pref.save()
        audit_record(
            actor=user,
            verb="changed notification settings",
            target=user,
            initiative=None,
            changes={
                k: {"from": before[k], "to": getattr(pref, k)}
                for k in before
                if before[k] != getattr(pref, k)
            },
        )
    user._notification_preference = pref
    return pref


# --- One-click unsubscribe (RFC 8058) --------------------------------------------------------


def unsubscribe_token(user) -> str:
    return signing.dumps({"u": user.pk}, salt=UNSUBSCRIBE_SALT, compress=True)


def unsubscribe_url(user, initiative) -> str:
    return settings.SITE_URL + reverse(
        "communication:unsubscribe",
        kwargs={"slug": initiative.slug, "token": unsubscribe_token(user)},
    )


def unsubscribe_person(token: str):
    """The person a signed unsubscribe token names; a clear error when it names nobody."""
    from django.contrib.auth import get_user_model

    try:
        data = signing.loads(token, salt=UNSUBSCRIBE_SALT)
    except signing.BadSignature as exc:
        raise ApplicationError(
            "This unsubscribe link is not valid (it may have been cut in two by your email "
            "program). Sign in and change your email settings instead.",
            code="not_found",
        ) from exc
    user = get_user_model().objects.filter(pk=data.get("u")).first()
    if user is None:
        raise ApplicationError("This unsubscribe link is no longer valid.", code="not_found")
    return user


def unsubscribe(*, token: str):
    """Stop every email to the person the signed token names (the bell keeps working)."""
    user = unsubscribe_person(token)
    with transaction.atomic():
        pref, _ = NotificationPreference.objects.get_or_create(user=user)
        if pref.email_mode != EmailMode.NONE:
            previous = pref.email_mode
            pref.email_mode = EmailMode.NONE
            pref.save(update_fields=["email_mode"])
            audit_record(
                actor=None,
                verb="unsubscribed",
                target=user,
                initiative=None,
                changes={"email_mode": {"from": previous, "to": EmailMode.NONE}},
            )
    return user
