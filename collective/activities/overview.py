"""What activities show elsewhere: the overview card and search results."""

from __future__ import annotations

from django.db.models import Count, Q
from django.urls import reverse

from collective.core.conditions import Summary
from collective.core.search import SearchResult

from .models import Activity, Contribution


def activities_summary(initiative, user) -> Summary:
    slug = initiative.slug
    counts = Activity.objects.filter(initiative=initiative).aggregate(
        total=Count("id"),
        open=Count("id", filter=Q(status__in=["planned", "active", "paused"])),
        waiting=Count("id", filter=~Q(waiting_reason="")),
    )
    summary = Summary(started=counts["total"] > 0)
    if counts["total"]:
        partners = (
            Contribution.objects.filter(initiative=initiative, outcome__isnull=False)
            .values("activity__partner_id")
            .distinct()
            .count()
        )
        summary.figures.append(("activities under way", f"{counts['open']:,}"))
        summary.figures.append(("partners contributing to outcomes", f"{partners:,}"))
        if counts["waiting"]:
            summary.figures.append(("waiting on a delay", f"{counts['waiting']:,}"))
    index = reverse("activities:index", kwargs={"slug": slug})
    if user.has_perm("activities.add_activity", initiative):
        if counts["total"]:
            summary.next_step = ("See the gaps", reverse("activities:gaps", kwargs={"slug": slug}))
        else:
            summary.next_step = (
                "Add your first activity",
                reverse("activities:activity-create", kwargs={"slug": slug}),
            )
    elif user.has_perm("activities.view", initiative):
        summary.next_step = ("See who does what", index)
    return summary


def activities_search(initiative, user, query: str) -> list[SearchResult]:
    if not user.has_perm("activities.view", initiative):
        return []
    found = (
        Activity.objects.filter(initiative=initiative)
        .filter(Q(title__icontains=query) | Q(description__icontains=query))
        .select_related("partner", "initiative")
        .order_by("title")[:10]
    )
    return [
        SearchResult(
            "Activity",
            a.title,
            a.get_absolute_url(),
            f"{a.partner.name} · {a.get_status_display()} · {a.get_lever_display()}",
        )
        for a in found
    ]
