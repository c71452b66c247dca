"""Reactions to events other apps raise (collective.core.hooks), registered in apps.ready().

The activities app raises ACTIVITY_SLIPPED and COORDINATION_REQUESTED; communication records the
slipped activity for the next agendas and tells its owners, and opens a discussion between the
partners that need to coordinate. Activities are read by duck typing (title, partner, owner,
get_absolute_url), so nothing here imports the activities app.
"""

from __future__ import annotations

from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.utils import timezone

from collective.core.models import Membership

from ..choices import NotificationKind
from ..models import Discussion, DiscussionFollow, DiscussionPost, SlippedActivity
from .notifications import notify_people


def _title(activity) -> str:
    return str(getattr(activity, "title", None) or activity)[:300]


def _url(activity) -> str:
    return activity.get_absolute_url() if hasattr(activity, "get_absolute_url") else ""


def _owners(initiative, activity) -> list:
    """The activity's owner (if it has one) and the leads of its partner."""
    people = []
    for name in ("owner", "lead", "created_by"):
        person = getattr(activity, name, None)
        if getattr(person, "pk", None) and hasattr(person, "username"):
            people.append(person)
    partner = getattr(activity, "partner", None)
    if partner is not None:
        people += [
            m.user
            for m in Membership.objects.filter(
                initiative=initiative, partner=partner, role="partner_lead"
            ).select_related("user")
        ]
    return people


def on_activity_slipped(*, actor, initiative, activity, waiting=(), reason="", **details) -> None:
    waiting = list(waiting or [])
    SlippedActivity.objects.create(
        initiative=initiative,
        activity_type=ContentType.objects.get_for_model(activity),
        activity_id=str(activity.pk),
        activity_title=_title(activity),
        reason=str(reason or "")[:2000],
        waiting=[_title(w) for w in waiting][:50],
        slipped_at=timezone.now(),
    )
    people = _owners(initiative, activity)
    for other in waiting:
        people += _owners(initiative, other)
    body = str(reason or "")
    if waiting:
        body += "\n\nWaiting on it: " + ", ".join(_title(w) for w in waiting)
    notify_people(
        initiative=initiative,
        users=people,
        kind=NotificationKind.ACTIVITY,
        title=f"Activity slipped: {_title(activity)}",
        body=body.strip(),
        url=_url(activity),
        target=activity,
        actor=actor,
    )


def on_coordination_requested(*, actor, initiative, first, second, note="", **details) -> None:
    """Open a discussion between the two activities' people."""
    title = f"Coordinating: {_title(first)} and {_title(second)}"[:200]
    body = (
        f"{actor or 'Someone'} asked these two activities to coordinate.\n\n"
        + (f"{note}\n\n" if note else "")
        + "\n".join(
            f"- [{_title(a)}]({_url(a)})" if _url(a) else f"- {_title(a)}" for a in (first, second)
        )
    )
    now = timezone.now()
    with transaction.atomic():
        discussion = Discussion.objects.create(
            initiative=initiative,
            title=title,
            author=actor if getattr(actor, "is_authenticated", False) else None,
            last_post_at=now,
            post_count=1,
        )
        DiscussionPost.objects.create(
            initiative=initiative,
            discussion=discussion,
            author=discussion.author,
            body=body,
        )
        people = {p.pk: p for p in _owners(initiative, first) + _owners(initiative, second)}
        DiscussionFollow.objects.bulk_create(
            [DiscussionFollow(discussion=discussion, user=p) for p in people.values()],
            ignore_conflicts=True,
        )
        notify_people(
            initiative=initiative,
            users=people.values(),
            kind=NotificationKind.DISCUSSION,
            title=title,
            body=note,
            url=discussion.get_absolute_url(),
            target=discussion,
            actor=actor,
        )
