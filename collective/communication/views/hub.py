"""The communication landing page: what is coming up and what needs attention."""

from __future__ import annotations

from django.utils import timezone

from collective.core.http import initiative_view, render_page

from .. import selectors
from ..choices import UpdateKind
from .common import perms


@initiative_view("communication.view")
def index(request):
    initiative, user = request.initiative, request.user
    now = timezone.now()
    upcoming = list(selectors.occurrences_upcoming(initiative, now=now, limit=6))
    to_close = list(selectors.occurrences_to_close(initiative, now=now)[:5])
    mine = list(
        selectors.my_actions(initiative, user).filter(status__in=["open", "in_progress"])[:8]
    )
    updates = list(selectors.update_list(initiative)[:5])
    help_open = selectors.with_offer_counts(
        list(
            selectors.update_list(initiative).filter(
                kind=UpdateKind.HELP_WANTED, resolved_at__isnull=True
            )[:3]
        )
    )
    figures = selectors.feedback_figures(initiative)
    context = {
        **perms(request),
        "upcoming": upcoming,
        "to_close": to_close,
        "my_actions": mine,
        "updates": updates,
        "help_open": help_open,
        "figures": figures,
        "has_series": selectors.series_list(initiative).exists(),
        "today": timezone.localdate(),
        "now": now,
    }
    return render_page(request, "communication/index.html", context)
