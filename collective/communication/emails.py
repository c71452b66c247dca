"""Emails of continuous communication: one per notification or a digest, each with RFC 8058
one-click unsubscribe headers (List-Unsubscribe + List-Unsubscribe-Post)."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core import signing
from django.core.mail import EmailMessage
from django.urls import reverse

from collective.core.errors import ApplicationError

UNSUBSCRIBE_SALT = "communication.unsubscribe"


def _absolute(url: str) -> str:
    return settings.SITE_URL + url if url.startswith("/") else url


def unsubscribe_headers(user, initiative) -> dict:
    url = unsubscribe_url(user, initiative)
    return {
        "List-Unsubscribe": f"<{url}>",
        "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
    }


def _footer(user, initiative) -> str:
    return (
        "\n\n--\nYou receive this because you are a member of "
        f"{initiative.name} on Collective. Stop these emails with one click: "
        f"{unsubscribe_url(user, initiative)}\n"
    )


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


def notification_email(notification) -> EmailMessage:
    user, initiative = notification.user, notification.initiative
    body = f"Hello {user.name},\n\n{notification.title}\n"
    if notification.body:
        body += f"\n{notification.body}\n"
    if notification.url:
        body += f"\nOpen it: {_absolute(notification.url)}\n"
    return EmailMessage(
        subject=f"{notification.title} — {initiative.name}"[:200],
        body=body + _footer(user, initiative),
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[user.email],
        headers=unsubscribe_headers(user, initiative),
    )


def digest_email(user, groups: list[dict], window_label: str) -> EmailMessage:
    """groups: [{"label", "url", "initiative", "items": [notification, ...]}], newest first."""
    count = sum(len(g["items"]) for g in groups)
    lines = [f"Hello {user.name},", "", f"What happened {window_label} ({count} new):", ""]
    for group in groups:
        lines.append(f"* {group['label']} — {group['initiative'].name}")
        for item in group["items"]:
            lines.append(f"    - {item.title} ({item.created_at:%d %b %H:%M} UTC)")
        if group["url"]:
            lines.append(f"    {_absolute(group['url'])}")
        lines.append("")
    initiative = groups[0]["initiative"]
    return EmailMessage(
        subject=f"Your Collective digest: {count} new {'item' if count == 1 else 'items'}",
        body="\n".join(lines) + _footer(user, initiative),
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[user.email],
        headers=unsubscribe_headers(user, initiative),
    )
