"""Search within an initiative. Each app registers a provider; results come back grouped."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass


@dataclass
class SearchResult:
    kind: str
    title: str
    url: str
    detail: str = ""


_providers: list[Callable] = []


def register_search(provider: Callable) -> None:
    if provider not in _providers:
        _providers.append(provider)


def search_initiative(initiative, user, query: str, limit: int = 20) -> list[SearchResult]:
    results: list[SearchResult] = []
    for provider in _providers:
        results.extend(provider(initiative, user, query)[:limit])
    return results


def core_search(initiative, user, query: str) -> list[SearchResult]:
    from django.db.models import Q

    from .models import Membership, Partner

    results = [
        SearchResult("Partner", p.name, p.get_absolute_url(), p.get_kind_display())
        for p in Partner.objects.filter(initiative=initiative).filter(
            Q(name__icontains=query) | Q(short_name__icontains=query)
        )[:10]
    ]
    if user.has_perm("core.view_members", initiative):
        from django.urls import reverse

        members_url = reverse("core:member-list", kwargs={"slug": initiative.slug})
        results += [
            SearchResult(
                "Member", m.user.name, f"{members_url}?q={m.user.username}", m.get_role_display()
            )
            for m in Membership.objects.filter(initiative=initiative)
            .filter(Q(user__display_name__icontains=query) | Q(user__username__icontains=query))
            .select_related("user")[:10]
        ]
    return results
