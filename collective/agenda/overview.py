"""What the agenda shows elsewhere: its card on the initiative overview, and search results."""

from __future__ import annotations

from django.urls import reverse

from collective.core.conditions import Summary
from collective.core.rules import membership_for
from collective.core.search import SearchResult

from . import selectors
from .choices import ENDORSING
from .models import Endorsement, OutcomeNode


def agenda_summary(initiative, user) -> Summary:
    slug = initiative.slug
    adopted = selectors.version_adopted(initiative)
    working = selectors.version_working(initiative)
    summary = Summary(started=adopted is not None or working is not None)
    if adopted is not None:
        summary.figures.append(("adopted version", f"v{adopted.number}"))
        grid_partners = initiative.partners.count()
        endorsed = Endorsement.objects.filter(version=adopted, stance__in=ENDORSING).count()
        summary.figures.append(("partners endorsed", f"{endorsed}/{grid_partners}"))
    if working is not None and working.consultation_is_open:
        counts = selectors.consultation_counts(working)
        summary.figures.append(("open amendments", str(counts["open_amendments"])))
    index = reverse("agenda:index", kwargs={"slug": slug})
    membership = membership_for(user, initiative)
    can_manage = user.has_perm("agenda.manage", initiative)
    if working is not None and working.consultation_is_open:
        url = reverse("agenda:consultation", kwargs={"slug": slug, "number": working.number})
        if user.has_perm("agenda.take_part", initiative):
            summary.next_step = (f"Have your say on v{working.number}", url)
        elif user.has_perm("agenda.view", initiative):
            summary.next_step = (f"Read the consultation on v{working.number}", url)
    elif adopted is None and working is None:
        summary.next_step = ("Draft the agenda" if can_manage else "Read about the agenda", index)
    elif working is not None and can_manage:
        summary.next_step = (f"Continue draft v{working.number}", working.get_absolute_url())
    elif (
        adopted is not None
        and membership is not None
        and membership.partner_id
        and user.has_perm("agenda.endorse", initiative)
        and not Endorsement.objects.filter(
            version=adopted, partner_id=membership.partner_id
        ).exists()
    ):
        url = reverse("agenda:endorse", kwargs={"slug": slug, "number": adopted.number})
        summary.next_step = (f"Endorse v{adopted.number}", url)
    return summary


def agenda_search(initiative, user, query: str) -> list[SearchResult]:
    if not user.has_perm("agenda.view", initiative):
        return []
    version = selectors.version_current(initiative)
    if version is None:
        return []
    nodes = (
        OutcomeNode.objects.filter(version=version, statement__icontains=query)
        .select_related("outcome", "lead_partner")
        .order_by("order")[:10]
    )
    url = version.get_absolute_url()
    return [
        SearchResult(
            "Outcome",
            node.statement,
            f"{url}#outcome-{node.outcome.uid}",
            f"{node.get_kind_display()} · {node.get_horizon_display().split(' (')[0]}"
            + (f" · lead {node.lead_partner.name}" if node.lead_partner else ""),
        )
        for node in nodes
    ]
