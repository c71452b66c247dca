"""Shared measurement on the partner page: its scorecard, the measures it reports, its reporting.

The core's partner page lists what each condition app holds about a partner through the
registry (`Condition.partner_links`, see collective/core/conditions.py); this is shared
measurement's part. Each figure is the one the linked page shows, read the same way.
"""

from __future__ import annotations

from django.urls import reverse
from django.utils.http import urlencode

from collective.core.conditions import PartnerLink
from collective.core.rules import membership_for

from . import selectors
from .choices import Status

VIEW = "measurement.view_measures"
MANAGE = "measurement.manage_indicators"
COMPLETENESS = "measurement.view_completeness"


def partner_links(partner, user) -> list[PartnerLink]:
    initiative = partner.initiative
    if not user.has_perm(VIEW, initiative):
        return []
    slug = initiative.slug
    query = "?" + urlencode({"partner": str(partner.uid)})
    card = selectors.scorecard(initiative, partner)
    links = [
        PartnerLink(
            "Scorecard",
            reverse("measurement:scorecard", kwargs={"slug": slug, "uid": partner.uid}),
            "clipboard-data",
            _scorecard_note(card),
        ),
        PartnerLink(
            "Measures on the dashboard",
            reverse("measurement:index", kwargs={"slug": slug}) + query,
            "graph-up-arrow",
            "The shared measures it reports, with the collective figures.",
        ),
    ]
    if _may_see_duties(user, initiative, partner):
        links.append(
            PartnerLink(
                "Reporting duties",
                reverse("measurement:my-reporting", kwargs={"slug": slug}) + query,
                "list-check",
                _duties_note(selectors.reporting_duties(initiative, partner)),
            )
        )
    if user.has_perm(COMPLETENESS, initiative):
        links.append(
            PartnerLink(
                "Completeness and timeliness",
                reverse("measurement:completeness", kwargs={"slug": slug}) + query,
                "calendar-check",
                "Which values came in, and on time.",
            )
        )
    return links


def _scorecard_note(card) -> str:
    total = len(card.rows)
    if not total:
        return "Reports no measure yet."
    counts = card.counts
    parts = [f"{counts[value]} {label.lower()}" for value, label in Status.choices if counts[value]]
    return f"{total} measure{'' if total == 1 else 's'}: " + ", ".join(parts) + "."


def _duties_note(duties: list[dict]) -> str:
    if not duties:
        return "Is not asked to report any measure."
    overdue = sum(1 for d in duties if d["state"] == "overdue")
    due = sum(1 for d in duties if d["state"] == "due")
    if not overdue and not due:
        return "Every value due is in."
    parts = []
    if overdue:
        parts.append(f"{overdue} value{'' if overdue == 1 else 's'} overdue")
    if due:
        parts.append(f"{due} due now")
    return ", ".join(parts) + "."


def _may_see_duties(user, initiative, partner) -> bool:
    """As the reporting page decides: the backbone sees anyone's; others their own branch."""
    if user.has_perm(MANAGE, initiative):
        return True
    own = getattr(membership_for(user, initiative), "partner", None)
    return own is not None and partner.path.startswith(own.path)
