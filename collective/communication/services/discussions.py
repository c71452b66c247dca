"""Discussions: threaded topics, @mentions that notify at once, follow/unfollow, seen by."""

from __future__ import annotations

import re

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from collective.core.audit import audit_record
from collective.core.errors import ApplicationError
from collective.core.models import Membership

from ..choices import NotificationKind
from ..models import Discussion, DiscussionFollow, DiscussionPost, DiscussionSeen
from .common import clean_text
from .notifications import notify_people

MENTION = re.compile(r"(?<![\w@])@([\w.+-]{2,150})")


def mentioned_members(initiative, text: str) -> list:
    names = {m.rstrip(".") for m in MENTION.findall(text or "")}
    if not names:
        return []
    return [
        m.user
        for m in Membership.objects.filter(
            initiative=initiative, user__username__in=names
        ).select_related("user")
    ]


def _follow(discussion, user) -> None:
    DiscussionFollow.objects.get_or_create(discussion=discussion, user=user)


def _post(actor, discussion, body, parent=None) -> DiscussionPost:
    post = DiscussionPost.objects.create(
        initiative=discussion.initiative,
        discussion=discussion,
        parent=parent,
        author=actor,
        body=body,
    )
    mentioned = mentioned_members(discussion.initiative, body)
    if mentioned:
        post.mentions.set(mentioned)
    Discussion.objects.filter(pk=discussion.pk).update(
        post_count=F("post_count") + 1, last_post_at=post.created_at
    )
    _follow(discussion, actor)
    notify_people(
        initiative=discussion.initiative,
        users=mentioned,
        kind=NotificationKind.MENTION,
        title=f"{actor} mentioned you in “{discussion.title}”",
        body=body[:500],
        url=discussion.get_absolute_url() + f"#post-{post.uid}",
        target=discussion,
        actor=actor,
    )
    followers = [
        f.user
        for f in DiscussionFollow.objects.filter(discussion=discussion)
        .exclude(user__in=mentioned)
        .select_related("user")
    ]
    notify_people(
        initiative=discussion.initiative,
        users=followers,
        kind=NotificationKind.DISCUSSION,
        title=f"New post in “{discussion.title}”",
        body=body[:500],
        url=discussion.get_absolute_url() + f"#post-{post.uid}",
        target=discussion,
        actor=actor,
    )
    return post


def discussion_start(*, actor, initiative, title: str, body: str) -> Discussion:
    title = clean_text(title, "title", required=True, limit=200)
    body = clean_text(body, "body", required=True, label="first post")
    with transaction.atomic():
        discussion = Discussion.objects.create(
            initiative=initiative, title=title, author=actor, last_post_at=timezone.now()
        )
        _post(actor, discussion, body)
        audit_record(actor=actor, verb="started", target=discussion, changes={"title": title})
    return discussion


def discussion_reply(
    *, actor, discussion: Discussion, body: str, parent: DiscussionPost | None = None
) -> DiscussionPost:
    body = clean_text(body, "body", required=True, label="post")
    if discussion.closed:
        raise ApplicationError("This discussion is closed.", code="conflict")
    if parent is not None and parent.discussion_id != discussion.pk:
        raise ApplicationError("You can only reply to a post of this discussion.")
    with transaction.atomic():
        post = _post(actor, discussion, body, parent)
        audit_record(actor=actor, verb="posted in", target=discussion)
    return post


def discussion_follow(*, actor, discussion: Discussion, follow: bool = True) -> bool:
    if follow:
        _follow(discussion, actor)
    else:
        DiscussionFollow.objects.filter(discussion=discussion, user=actor).delete()
    return follow


def discussion_seen(*, user, discussion: Discussion) -> None:
    """Record that the person has read the discussion up to now (for 'seen by')."""
    DiscussionSeen.objects.update_or_create(
        discussion=discussion, user=user, defaults={"seen_at": timezone.now()}
    )
