"""Emails of continuous communication: one per notification or a digest, each with RFC 8058
one-click unsubscribe headers (List-Unsubscribe + List-Unsubscribe-Post)."""

from __future__ import annotations

from django.conf import settings
from django.core.mail import EmailMessage


def _absolute(url: str) -> str:
    return settings.SITE_URL + url if url.startswith("/") else url


def unsubscribe_headers(user, initiative) -> dict:
    from .services.notifications import unsubscribe_url

    url = unsubscribe_url(user, initiative)
    return {
        "List-Unsubscribe": f"<{url}>",
        "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
    }


def _footer(user, initiative) -> str:
    from .services.notifications import unsubscribe_url

    return (
        "\n\n--\nYou receive this because you are a member of "
        f"{initiative.name} on Collective. Stop these emails with one click: "
        f"{unsubscribe_url(user, initiative)}\n"
    )


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
