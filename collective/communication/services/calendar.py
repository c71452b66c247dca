"""Calendar feed addresses: a secret token per person and scope, shown once, revocable."""

from __future__ import annotations

import hashlib
import secrets

from django.db import transaction
from django.utils import timezone

from collective.core.audit import audit_record
from collective.core.errors import ApplicationError

from ..choices import FeedScope
from ..models import CalendarFeed
from .common import check_choice, membership_of


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def feed_create(*, actor, initiative, scope: str) -> tuple[CalendarFeed, str]:
    """A new feed address (any older one of the same scope stops working). Returns the feed
    and its token, which is shown once and never stored."""
    check_choice(scope, FeedScope, "scope")
    if membership_of(initiative, actor) is None:
        raise ApplicationError("Only members have calendar feeds.", code="forbidden")
    token = secrets.token_urlsafe(32)
    with transaction.atomic():
        now = timezone.now()
        CalendarFeed.objects.filter(
            initiative=initiative, user=actor, scope=scope, revoked_at__isnull=True
        ).update(revoked_at=now)
        feed = CalendarFeed.objects.create(
            initiative=initiative,
            user=actor,
            scope=scope,
            token_hash=token_hash(token),
            created_at=now,
        )
        audit_record(
            actor=actor,
            verb="created a calendar feed of",
            target=initiative,
            changes={"scope": scope},
        )
    return feed, token


def feed_revoke(*, actor, feed: CalendarFeed) -> CalendarFeed:
    if feed.user_id != actor.pk:
        raise ApplicationError("That feed is someone else's.", code="not_found")
    if feed.revoked_at is None:
        with transaction.atomic():
            feed.revoked_at = timezone.now()
            feed.save(update_fields=["revoked_at"])
            audit_record(
                actor=actor,
                verb="revoked a calendar feed of",
                target=feed.initiative,
                changes={"scope": feed.scope},
            )
    return feed


def feed_for_token(initiative, token: str) -> CalendarFeed | None:
    """The live feed of this token, if its owner is still a member."""
    feed = (
        CalendarFeed.objects.filter(
            initiative=initiative, token_hash=token_hash(token or ""), revoked_at__isnull=True
        )
        .select_related("user")
        .first()
    )
    if feed is None or membership_of(initiative, feed.user) is None:
        return None
    CalendarFeed.objects.filter(pk=feed.pk).update(last_used_at=timezone.now())
    return feed
