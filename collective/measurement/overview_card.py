"""Shared measurement's card on the initiative overview: status figures, the values overdue,
and the next step.

The overdue figure is the one the completeness page lists as missing values: every partner's
values whose due date has passed without a value, over the same periods (every member sees
every partner's reporting, so the figure covers everyone the viewer can see — not only the
viewer's own partner, which said 0 while the completeness page listed late values).
"""

from __future__ import annotations

from django.urls import reverse

from collective.core.conditions import Summary
from collective.core.rules import membership_for

from . import selectors
from .choices import Status

MANAGE = "measurement.manage_indicators"
COMPLETENESS = "measurement.view_completeness"


def overdue_values(initiative) -> list[dict]:
    """The missing values of the completeness page (due date passed, no value)."""
    return [row for row in selectors.completeness(initiative)["rows"] if not row["received"]]


def measurement_summary(initiative, user) -> Summary:
    counts = selectors.status_counts(initiative)
    total = sum(counts.values())
    slug = initiative.slug
    if total == 0:
        if user.has_perm(MANAGE, initiative):
            return Summary(
                next_step=(
                    "Add the first indicator",
                    reverse("measurement:indicator-create", kwargs={"slug": slug}),
                ),
            )
        return Summary()
    figures = [
        ("on track", f"{counts[Status.ON_TRACK]}/{total}"),
        ("off track", str(counts[Status.OFF_TRACK])),
    ]
    next_step = (
        "Open the scorecard",
        reverse("measurement:initiative-scorecard", kwargs={"slug": slug}),
    )
    if not user.has_perm(COMPLETENESS, initiative):
        return Summary(figures=figures, next_step=next_step, started=True)
    overdue = overdue_values(initiative)
    figures.append(("values overdue", str(len(overdue))))
    membership = membership_for(user, initiative)
    partner = membership.partner if membership else None
    own = (
        [r for r in overdue if r["partner"].path.startswith(partner.path)]
        if partner is not None and user.has_perm("measurement.enter_observation", partner)
        else []
    )
    if own:
        next_step = (
            f"Enter your {len(own)} overdue value{'' if len(own) == 1 else 's'}",
            reverse("measurement:my-reporting", kwargs={"slug": slug}),
        )
    elif user.has_perm(MANAGE, initiative):
        waiting = (
            selectors.review_queue(initiative).count() if initiative.review_observations else 0
        )
        if waiting:
            figures.append(("to review", str(waiting)))
            next_step = (
                "Review submitted data",
                reverse("measurement:review-queue", kwargs={"slug": slug}),
            )
        elif overdue:
            next_step = (
                "See who is late",
                reverse("measurement:completeness", kwargs={"slug": slug}),
            )
    return Summary(figures=figures, next_step=next_step, started=True)
