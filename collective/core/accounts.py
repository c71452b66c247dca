"""Account helpers: password-reset email goes through the background task queue, limited per
account, and the link is made by the worker (the queue stores only the account's id)."""

from __future__ import annotations

from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.auth import forms as auth_forms
from django.contrib.auth import get_user_model
from django.contrib.auth.tokens import default_token_generator
from django.core.mail import send_mail
from django.template import loader
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django_tasks import task

from .throttling import rate_allows


class PasswordResetForm(auth_forms.PasswordResetForm):
    def send_mail(
        self,
        subject_template_name,
        email_template_name,
        context,
        from_email,
        to_email,
        html_email_template_name=None,
    ):
        user = context["user"]
        # A few emails per account per hour, whatever the number of requests: the page answers
        # the same either way, so it tells nobody whether the address has an account.
        allowed, _wait = rate_allows("password_reset_email", str(user.pk))
        if allowed:
            send_password_reset_email.enqueue(user_id=user.pk)


def password_reset_message(user_id: int) -> dict | None:
    """The reset email of an active account with an email address, built in the worker."""
    user = get_user_model()._default_manager.filter(pk=user_id, is_active=True).first()
    if user is None or not user.email or not user.has_usable_password():
        return None
    site = urlsplit(settings.SITE_URL)
    context = {
        "email": user.email,
        "domain": site.netloc,
        "site_name": "Collective",
        "uid": urlsafe_base64_encode(force_bytes(user.pk)),
        "user": user,
        "token": default_token_generator.make_token(user),
        "protocol": site.scheme or "https",
    }
    subject = loader.render_to_string("registration/password_reset_subject.txt", context)
    return {
        "subject": "".join(subject.splitlines()),
        "body": loader.render_to_string("registration/password_reset_email.html", context),
        "to": [user.email],
    }


@task()
def send_password_reset_email(*, user_id: int) -> int:
    """Email a password-reset link, made in the worker (Django's reset tokens are derived, not
    stored, so nothing secret waits in the queue)."""
    message = password_reset_message(user_id)
    if message is None:
        return 0
    return send_mail(
        message["subject"], message["body"], settings.DEFAULT_FROM_EMAIL, message["to"]
    )
