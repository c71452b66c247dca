"""Background tasks of the core (run by `manage.py db_worker`).

The queue's database keeps each task's arguments for as long as its result (30 days): tasks
that send a secret link are queued with an id only and build the link in the worker, so no
stored argument ever holds a working invitation or password-reset link.

Each task is defined next to the service that schedules it (so no service imports this module,
and the app has no import cycle); this module lists them all.
"""

from django.conf import settings
from django.core.mail import send_mail
from django_tasks import task

from .accounts import send_password_reset_email
from .services import send_invitation_email

__all__ = ["send_email", "send_invitation_email", "send_password_reset_email"]


@task()
def send_email(*, subject: str, body: str, to: list[str]) -> int:
    """Send one plain-text email (no secrets in `body`: it is stored with the task)."""
    return send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, to, fail_silently=False)
