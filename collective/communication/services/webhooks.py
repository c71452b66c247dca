"""Outgoing webhooks following the Standard Webhooks specification.

Events are recorded as deliveries in the service's transaction and sent by the task worker after
commit, so a slow or failing receiver never holds up a person's request. Each delivery keeps its
`webhook-id` across retries; retries back off with jitter, honour Retry-After, count a redirect
as a failure, and a 410 Gone disables the endpoint. After repeated failures the endpoint is
disabled and its owner told.
"""

from __future__ import annotations

import base64
import datetime as dt
import email.utils
import hashlib
import hmac
import json
import random
import secrets
import uuid

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from collective.core.audit import audit_record, diff, snapshot
from collective.core.errors import ApplicationError

from .. import outbound
from ..choices import DeliveryState, NotificationKind, WebhookFormat
from ..models import WebhookDelivery, WebhookEndpoint
from .common import actor_or_none, check_choice, clean_text, on_commit
from .notifications import notify_people

EVENTS = {
    "decision.taken": "A decision was taken",
    "action.created": "An action item was created",
    "action.completed": "An action item was done",
    "meeting.closed": "A meeting was closed",
    "update.posted": "An update was posted",
    "help.offered": "Help was offered on a help-wanted post",
    "feedback.responded": "Feedback got its response",
    "survey.closed": "A survey closed",
}
# Seconds before each retry (Standard Webhooks' suggested schedule), ±20% jitter.
RETRY_DELAYS = [5, 300, 1800, 7200, 18000, 36000]
DISABLE_AFTER = 15  # consecutive failed attempts
ROTATION_OVERLAP = dt.timedelta(hours=24)
ENDPOINT_FIELDS = ["name", "url", "format", "events", "active"]


def new_secret() -> str:
    return "whsec_" + base64.b64encode(secrets.token_bytes(32)).decode()


def sign(secret: str, message_id: str, timestamp: int, body: bytes) -> str:
    key = base64.b64decode(secret.removeprefix("whsec_"))
    content = f"{message_id}.{timestamp}.".encode() + body
    return "v1," + base64.b64encode(hmac.new(key, content, hashlib.sha256).digest()).decode()


def signatures(endpoint: WebhookEndpoint, message_id: str, timestamp: int, body: bytes) -> str:
    """The current secret's signature, and the previous one's while the rotation overlaps."""
    values = [sign(endpoint.secret, message_id, timestamp, body)]
    if endpoint.previous_secret and (
        endpoint.previous_secret_until and endpoint.previous_secret_until > timezone.now()
    ):
        values.append(sign(endpoint.previous_secret, message_id, timestamp, body))
    return " ".join(values)


def _check_url(url: str) -> str:
    url = clean_text(url, "url", required=True, limit=500, label="address")
    try:
        outbound.resolve(url)
    except outbound.UnsafeURL as exc:
        raise ApplicationError(str(exc), errors={"url": [str(exc)]}) from exc
    return url


def _check_events(events) -> list[str]:
    events = list(dict.fromkeys(events or []))
    unknown = [e for e in events if e not in EVENTS]
    if unknown:
        raise ApplicationError(
            f"Unknown event: {', '.join(unknown)}.",
            errors={"events": [f"Choose from: {', '.join(EVENTS)}."]},
        )
    return events


def webhook_create(
    *, actor, initiative, name: str, url: str, format: str = WebhookFormat.STANDARD, events=()
) -> WebhookEndpoint:
    name = clean_text(name, "name", required=True, limit=100)
    check_choice(format, WebhookFormat, "format")
    events = _check_events(events)
    url = _check_url(url)
    with transaction.atomic():
        endpoint = WebhookEndpoint.objects.create(
            initiative=initiative,
            name=name,
            url=url,
            format=format,
            events=events,
            secret=new_secret(),
            owner=actor_or_none(actor),
        )
        audit_record(
            actor=actor,
            verb="created",
            target=endpoint,
            changes={"url": url, "format": format, "events": events},
        )
    return endpoint


def webhook_update(*, actor, endpoint: WebhookEndpoint, **fields) -> WebhookEndpoint:
    unknown = set(fields) - set(ENDPOINT_FIELDS)
    if unknown:
        raise ApplicationError(f"Cannot change {', '.join(sorted(unknown))}.")
    if "name" in fields:
        fields["name"] = clean_text(fields["name"], "name", required=True, limit=100)
    if "format" in fields:
        check_choice(fields["format"], WebhookFormat, "format")
    if "events" in fields:
        fields["events"] = _check_events(fields["events"])
    if "url" in fields and fields["url"] != endpoint.url:
        fields["url"] = _check_url(fields["url"])
    before = snapshot(endpoint, ENDPOINT_FIELDS)
    with transaction.atomic():
        for name, value in fields.items():
            setattr(endpoint, name, value)
        if fields.get("active"):
            endpoint.disabled_reason, endpoint.consecutive_failures = "", 0
        changes = diff(before, snapshot(endpoint, ENDPOINT_FIELDS))
        if changes:
            endpoint.save()
            audit_record(actor=actor, verb="updated", target=endpoint, changes=changes)
    return endpoint


def webhook_rotate_secret(*, actor, endpoint: WebhookEndpoint) -> WebhookEndpoint:
    """A new secret; the old one keeps signing beside it for a day so receivers can switch."""
    with transaction.atomic():
        endpoint.previous_secret = endpoint.secret
        endpoint.previous_secret_until = timezone.now() + ROTATION_OVERLAP
        endpoint.secret = new_secret()
        endpoint.save(update_fields=["secret", "previous_secret", "previous_secret_until"])
        audit_record(actor=actor, verb="rotated the secret of", target=endpoint)
    return endpoint


def webhook_delete(*, actor, endpoint: WebhookEndpoint) -> None:
    with transaction.atomic():
        audit_record(actor=actor, verb="deleted", target=endpoint)
        endpoint.delete()


# --- Payloads --------------------------------------------------------------------------------


def _absolute(url: str) -> str:
    return settings.SITE_URL + url if url and url.startswith("/") else url


def payload_for(endpoint_format: str, event_type: str, data: dict, at: dt.datetime) -> dict:
    """Thin payloads: ids, type and links; Slack and Teams get a readable card."""
    if endpoint_format == WebhookFormat.SLACK:
        text = f"*{data.get('title', '')}* — {EVENTS.get(event_type, event_type)}"
        return {
            "text": f"{data.get('title', '')} ({EVENTS.get(event_type, event_type)})",
            "blocks": [
                {"type": "section", "text": {"type": "mrkdwn", "text": text}},
                {
                    "type": "context",
                    "elements": [{"type": "mrkdwn", "text": data.get("initiative", "")}],
                },
                {
                    "type": "actions",
                    "elements": [
                        {
                            "type": "button",
                            "text": {"type": "plain_text", "text": "Open in Collective"},
                            "url": data.get("url", ""),
                        }
                    ],
                },
            ],
        }
    if endpoint_format == WebhookFormat.TEAMS:
        return {
            "type": "message",
            "attachments": [
                {
                    "contentType": "application/vnd.microsoft.card.adaptive",
                    "contentUrl": None,
                    "content": {
                        "$schema": "http://adaptivecards.io/schemas/adaptive-card.json",
                        "type": "AdaptiveCard",
                        "version": "1.4",
                        "body": [
                            {
                                "type": "TextBlock",
                                "text": EVENTS.get(event_type, event_type),
                                "weight": "Bolder",
                                "size": "Medium",
                            },
                            {"type": "TextBlock", "text": data.get("title", ""), "wrap": True},
                            {
                                "type": "TextBlock",
                                "text": data.get("initiative", ""),
                                "isSubtle": True,
                                "spacing": "None",
                            },
                        ],
                        "actions": [
                            {
                                "type": "Action.OpenUrl",
                                "title": "Open in Collective",
                                "url": data.get("url", ""),
                            }
                        ],
                    },
                }
            ],
        }
    return {"type": event_type, "timestamp": at.isoformat(), "data": data}


def emit(*, initiative, event_type: str, obj, title: str = "") -> list[WebhookDelivery]:
    """Record a delivery per subscribed endpoint; send them after commit (in the worker)."""
    endpoints = [
        e
        for e in WebhookEndpoint.objects.filter(initiative=initiative, active=True)
        if not e.events or event_type in e.events
    ]
    if not endpoints:
        return []
    now = timezone.now()
    data = {
        "id": str(getattr(obj, "uid", None) or obj.pk),
        "object": obj._meta.model_name,
        "title": title or str(obj),
        "initiative": initiative.slug,
        "url": _absolute(obj.get_absolute_url()) if hasattr(obj, "get_absolute_url") else "",
    }
    deliveries = WebhookDelivery.objects.bulk_create(
        [
            WebhookDelivery(
                initiative=initiative,
                endpoint=e,
                message_id=f"msg_{uuid.uuid4().hex}",
                event_type=event_type,
                payload=payload_for(e.format, event_type, data, now),
                created_at=now,
                next_attempt_at=now,
            )
            for e in endpoints
        ]
    )
    ids = [d.pk for d in deliveries if d.pk]
    if ids:
        on_commit(lambda: _enqueue_all(ids))
    return deliveries


def _enqueue_all(ids) -> None:
    from ..tasks import deliver_webhook

    for delivery_id in ids:
        deliver_webhook.enqueue(delivery_id=delivery_id)


def _schedule_retry(delivery: WebhookDelivery) -> None:
    """Defer the retry in the worker when the task backend can; `run_reminders` sweeps the rest."""
    from ..tasks import deliver_webhook

    backend = deliver_webhook.get_backend()
    if getattr(backend, "supports_defer", False):
        deliver_webhook.using(run_after=delivery.next_attempt_at).enqueue(delivery_id=delivery.pk)


def _retry_after(headers: dict, now: dt.datetime) -> dt.timedelta | None:
    value = (headers or {}).get("retry-after")
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return dt.timedelta(seconds=min(int(value), 86_400))
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when is None:
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=dt.UTC)
    return max(dt.timedelta(0), min(when - now, dt.timedelta(days=1)))


def _backoff(attempts: int) -> dt.timedelta:
    base = RETRY_DELAYS[min(attempts - 1, len(RETRY_DELAYS) - 1)]
    return dt.timedelta(seconds=base * random.uniform(0.8, 1.2))  # noqa: S311 - jitter only


def _disable(endpoint: WebhookEndpoint, reason: str) -> None:
    endpoint.active = False
    endpoint.disabled_reason = reason[:300]
    endpoint.save(update_fields=["active", "disabled_reason", "consecutive_failures"])
    audit_record(
        actor=None,
        verb="disabled",
        target=endpoint,
        changes={"active": {"from": True, "to": False}, "reason": reason},
    )
    if endpoint.owner_id:
        notify_people(
            initiative=endpoint.initiative,
            users=[endpoint.owner],
            kind=NotificationKind.WEBHOOK,
            title=f"Webhook “{endpoint.name}” was switched off",
            body=reason,
            url=endpoint.get_absolute_url(),
            target=endpoint,
        )


def deliver(delivery_id: int) -> WebhookDelivery:
    """Send one delivery now (in the worker) and record what happened."""
    delivery = WebhookDelivery.objects.select_related("endpoint", "endpoint__initiative").get(
        pk=delivery_id
    )
    endpoint = delivery.endpoint
    if delivery.state in (DeliveryState.SUCCEEDED, DeliveryState.FAILED):
        return delivery
    if not endpoint.active:
        delivery.state, delivery.next_attempt_at = DeliveryState.FAILED, None
        delivery.last_error = "The endpoint is switched off."
        delivery.save(update_fields=["state", "next_attempt_at", "last_error"])
        return delivery
    body = json.dumps(delivery.payload, separators=(",", ":"), sort_keys=True).encode()
    now = timezone.now()
    timestamp = int(now.timestamp())
    headers = {
        "Content-Type": "application/json",
        "User-Agent": "Collective-Webhooks/1.0",
        "webhook-id": delivery.message_id,
        "webhook-timestamp": str(timestamp),
        "webhook-signature": signatures(endpoint, delivery.message_id, timestamp, body),
    }
    status, error, retry_after, duration = None, "", None, None
    try:
        response = outbound.post(endpoint.url, body, headers)
        status, duration = response.status, response.duration_ms
        retry_after = _retry_after(response.headers, now)
        if 300 <= status < 400:
            error = f"Redirect ({status}) to {response.headers.get('location', '?')}: not followed."
        elif status >= 400:
            error = f"The receiver answered {status}."
    except outbound.UnsafeURL as exc:
        error = str(exc)
    except (OSError, ValueError) as exc:  # timeouts, refused connections, bad responses
        error = f"{type(exc).__name__}: {exc}"[:300]
    with transaction.atomic():
        delivery.attempts += 1
        delivery.last_status, delivery.last_error = status, error[:300]
        delivery.last_duration_ms = duration
        if status is not None and 200 <= status < 300:
            delivery.state, delivery.delivered_at, delivery.next_attempt_at = (
                DeliveryState.SUCCEEDED,
                timezone.now(),
                None,
            )
            endpoint.consecutive_failures = 0
            endpoint.save(update_fields=["consecutive_failures"])
        elif status == 410:
            delivery.state, delivery.next_attempt_at = DeliveryState.FAILED, None
            endpoint.consecutive_failures += 1
            _disable(endpoint, "The receiver answered 410 Gone: it no longer wants these events.")
        else:
            endpoint.consecutive_failures += 1
            if delivery.attempts > len(RETRY_DELAYS):
                delivery.state, delivery.next_attempt_at = DeliveryState.FAILED, None
            else:
                delay = max(_backoff(delivery.attempts), retry_after or dt.timedelta(0))
                delivery.state = DeliveryState.RETRYING
                delivery.next_attempt_at = timezone.now() + delay
            if endpoint.consecutive_failures >= DISABLE_AFTER:
                _disable(
                    endpoint,
                    f"{endpoint.consecutive_failures} deliveries in a row failed (last: {error}).",
                )
                delivery.state, delivery.next_attempt_at = DeliveryState.FAILED, None
            else:
                endpoint.save(update_fields=["consecutive_failures"])
        delivery.save()
    if delivery.state == DeliveryState.RETRYING:
        _schedule_retry(delivery)
    return delivery


def deliveries_retry_due(now: dt.datetime | None = None) -> int:
    """Send the retries that are due (for task backends that cannot defer a task)."""
    from ..tasks import deliver_webhook

    now = now or timezone.now()
    ids = list(
        WebhookDelivery.objects.filter(
            state__in=[DeliveryState.RETRYING, DeliveryState.PENDING],
            next_attempt_at__lte=now,
            endpoint__active=True,
        ).values_list("pk", flat=True)[:500]
    )
    for delivery_id in ids:
        deliver_webhook.enqueue(delivery_id=delivery_id)
    return len(ids)


def delivery_replay(*, actor, delivery: WebhookDelivery) -> WebhookDelivery:
    """Send the same event again as a new delivery (same payload, new webhook-id)."""
    endpoint = delivery.endpoint
    if not endpoint.active:
        raise ApplicationError(
            "The endpoint is switched off: switch it on before replaying.", code="conflict"
        )
    now = timezone.now()
    with transaction.atomic():
        replay = WebhookDelivery.objects.create(
            initiative=delivery.initiative,
            endpoint=endpoint,
            message_id=f"msg_{uuid.uuid4().hex}",
            event_type=delivery.event_type,
            payload=delivery.payload,
            created_at=now,
            next_attempt_at=now,
            replay_of=delivery,
        )
        audit_record(
            actor=actor,
            verb="replayed a delivery of",
            target=endpoint,
            changes={"delivery": delivery.message_id},
        )
        on_commit(lambda: _enqueue_all([replay.pk]))
    return replay
