"""Background tasks of continuous communication (run by `manage.py db_worker`).

Tasks take ids, load, and call the services or the senders.
"""

from __future__ import annotations

from django.core.mail import get_connection
from django.utils import timezone
from django_tasks import task


@task()
def send_notification_emails(*, notification_ids: list[int]) -> int:
    """Email these notifications (each once), over one connection."""
    from .emails import notification_email
    from .models import Notification

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


@task()
def deliver_webhook(*, delivery_id: int) -> str:
    from .services.webhooks import deliver

    return deliver(delivery_id).state
