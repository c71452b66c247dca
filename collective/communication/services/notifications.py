"""Notifications: one row per person and event, email at once or in a digest by their choice.

Services call `notify_people` inside their transaction; the emails of people who want them at
once (and every mention and assignment) are sent by a task after commit.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.core.mail import get_connection
from django.db import transaction
from django.utils import timezone
from django_tasks import task

from collective.core.audit import audit_record
from collective.core.errors import ApplicationError

from ..choices import URGENT_KINDS, EmailMode
from ..emails import notification_email, unsubscribe_person
from ..emails import unsubscribe_token as unsubscribe_token  # re-exported: the services' name
from ..emails import unsubscribe_url as unsubscribe_url
from ..models import Notification, NotificationPreference
from ..recurrence import zone
from .common import is_muted, on_commit


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


@task()
def send_notification_emails(*, notification_ids: list[int]) -> int:
    """Email these notifications (each once), over one connection. Defined next to the services
    that schedule it (tasks.py lists it), so the app has no import cycle."""
    # Claim them first with a stamp of this run: a concurrent run cannot send them again.
    stamp = timezone.now()
    Notification.objects.filter(pk__in=notification_ids, emailed_at__isnull=True).update(
        emailed_at=stamp
    )
    notifications = list(
        Notification.objects.filter(pk__in=notification_ids, emailed_at=stamp)
        .exclude(user__email="")
        .select_related("user", "initiative")
    )
    if not notifications:
        return 0
    messages = [notification_email(n) for n in notifications]
    return get_connection().send_messages(messages) or 0
