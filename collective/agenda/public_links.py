"""The common agenda on a public initiative's overview: its adopted agenda, for anyone."""

from __future__ import annotations

from django.urls import reverse

from collective.core.conditions import PartnerLink

from .selectors import version_adopted


def public_links(initiative) -> list[PartnerLink]:
    adopted = version_adopted(initiative)
    if adopted is None:
        return []
    return [
        PartnerLink(
            "The common agenda",
            reverse("agenda:index", kwargs={"slug": initiative.slug}),
            "compass",
            f"Version {adopted.number}, adopted {adopted.adopted_at:%-d %b %Y}: the problem, "
            "the vision and the outcomes everyone works toward."
            if adopted.adopted_at
            else "The problem, the vision and the outcomes everyone works toward.",
        )
    ]
