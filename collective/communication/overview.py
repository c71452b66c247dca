"""What continuous communication shows elsewhere: its overview card and search results."""

from __future__ import annotations

from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from collective.core.conditions import Summary
from collective.core.search import SearchResult

from .choices import OPEN_ACTION_STATUSES, FeedbackStatus, OccurrenceStatus
from .models import ActionItem, Decision, Discussion, Feedback, Occurrence, Update


def communication_summary(initiative, user) -> Summary:
    slug = initiative.slug
    if not user.has_perm("communication.view", initiative):
        return Summary()
    now = timezone.now()
    today = timezone.localdate(now)
    nxt = (
        Occurrence.objects.filter(
            initiative=initiative, status=OccurrenceStatus.SCHEDULED, start__gte=now
        )
        .select_related("series")
        .order_by("start")
        .first()
    )
    open_actions = ActionItem.objects.filter(initiative=initiative, status__in=OPEN_ACTION_STATUSES)
    overdue = open_actions.filter(due_date__lt=today).count()
    new_feedback = Feedback.objects.filter(initiative=initiative, status=FeedbackStatus.NEW).count()
    summary = Summary(started=nxt is not None or open_actions.exists())
    summary.figures.append(("open actions", f"{open_actions.count():,}"))
    summary.figures.append(("overdue", f"{overdue:,}"))
    summary.figures.append(("feedback waiting", f"{new_feedback:,}"))
    if nxt is not None:
        summary.next_step = (
            f"Next: {nxt.series.title}, {timezone.localtime(nxt.start):%d %b}",
            nxt.get_absolute_url(),
        )
    elif user.has_perm("communication.manage", initiative):
        summary.next_step = (
            "Plan the first touchpoint",
            reverse("communication:series-create", kwargs={"slug": slug}),
        )
    else:
        summary.next_step = (
            "Read the updates",
            reverse("communication:feed", kwargs={"slug": slug}),
        )
    return summary


def communication_search(initiative, user, query: str) -> list[SearchResult]:
    if not user.has_perm("communication.view", initiative):
        return []
    results = [
        SearchResult(
            "Decision", f"D{d.number} {d.title}", d.get_absolute_url(), d.get_status_display()
        )
        for d in Decision.objects.filter(initiative=initiative)
        .filter(Q(title__icontains=query) | Q(statement__icontains=query))
        .select_related("initiative")[:5]
    ]
    results += [
        SearchResult("Action", a.title, a.get_absolute_url(), a.get_status_display())
        for a in ActionItem.objects.filter(
            initiative=initiative, title__icontains=query
        ).select_related("initiative")[:5]
    ]
    results += [
        SearchResult("Update", u.title, u.get_absolute_url(), u.get_kind_display())
        for u in Update.objects.filter(initiative=initiative)
        .filter(Q(title__icontains=query) | Q(body__icontains=query))
        .select_related("initiative")[:5]
    ]
    results += [
        SearchResult("Discussion", d.title, d.get_absolute_url(), f"{d.post_count} posts")
        for d in Discussion.objects.filter(
            initiative=initiative, title__icontains=query
        ).select_related("initiative")[:5]
    ]
    return results
