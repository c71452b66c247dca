"""Shared measurement on a public initiative's overview: the public scorecard and each public
measure, for anyone (the same pages `public.py` lists)."""

from __future__ import annotations

from django.urls import reverse

from collective.core.conditions import PartnerLink

from .models import Indicator

SHOWN = 8


def public_links(initiative) -> list[PartnerLink]:
    """1 query."""
    indicators = list(
        Indicator.objects.filter(initiative=initiative, is_public=True, archived=False)
        .order_by("code")
        .only("code", "name")[: SHOWN + 1]
    )
    if not indicators:
        return []
    slug = initiative.slug
    more = len(indicators) > SHOWN
    links = [
        PartnerLink(
            "The public scorecard",
            reverse("measurement:scorecard-public", kwargs={"slug": slug}),
            "clipboard-data",
            "Under each outcome, the public measures of the shared result with their trend, "
            "target and status" + (" — every public measure is there." if more else "."),
        )
    ]
    links += [
        PartnerLink(
            indicator.name,
            reverse("measurement:indicator-public", kwargs={"slug": slug, "code": indicator.code}),
            "graph-up-arrow",
            "A public measure: its values over time, target and story.",
        )
        for indicator in indicators[:SHOWN]
    ]
    return links
