"""Background tasks of the core (run by `manage.py db_worker`).

The queue's database keeps each task's arguments for as long as its result (30 days): tasks
that send a secret link are queued with an id only and build the link in the worker, so no
stored argument ever holds a working invitation or password-reset link.
"""

from django.conf import settings
from django.core.mail import send_mail
from django_tasks import task


@task()
def send_email(*, subject: str, body: str, to: list[str]) -> int:
    """Send one plain-text email (no secrets in `body`: it is stored with the task)."""
    return send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, to, fail_silently=False)


@task()
def send_invitation_email(*, invitation_id: int) -> int:
    """Email a pending invitation's link, derived here from the invitation (never stored)."""
    from .services import invitation_email

    message = invitation_email(invitation_id)
    if message is None:
        return 0
    return send_mail(
        message["subject"], message["body"], settings.DEFAULT_FROM_EMAIL, message["to"]
    )


@task()
def send_password_reset_email(*, user_id: int) -> int:
    """Email a password-reset link, made here (Django's reset tokens are derived, not stored)."""
    from .accounts import password_reset_message

    message = password_reset_message(user_id)
    if message is None:
        return 0
    return send_mail(
        message["subject"], message["body"], settings.DEFAULT_FROM_EMAIL, message["to"]
    )
