"""The measures dashboard: every indicator with its sparkline, latest value, target and status."""

from __future__ import annotations

from django.db.models import prefetch_related_objects

from collective.core.http import initiative_view, paginate, render_page

from .. import selectors
from ..choices import (
    IndicatorLevel,
    RbaQuestion,
)
from ..filters import DashboardFilter
from .common import (
    P_ENTER,
    P_IMPORT,
    P_MANAGE,
    P_REVIEW,
    P_VIEW,
    can,
    own_partner,
)

EMPTY_PURPOSE = "Agree on what success looks like, and track it together."
EMPTY_TIP = (
    "Use a consistent set of objectives and KPIs across teams and keep data visible and "
    "transparent."
)


# --- Dashboard -------------------------------------------------------------------------------


@initiative_view(P_VIEW)
def index(request):
    """The measures dashboard: every indicator with sparkline, latest value, target, status.

    Reads the indicators with their collective IndicatorStatus (one query for the page, one
    for the outcomes, one for the count), never observations.
    """
    initiative = request.initiative
    filterset = DashboardFilter(
        request.GET or None,
        queryset=selectors.dashboard_indicators(initiative),
        initiative=initiative,
    )
    ignored = filterset.ignore_invalid()
    indicators = filterset.qs if filterset.is_bound else filterset.queryset
    page = paginate(request, indicators, per_page=50)
    prefetch_related_objects(page.object_list, "outcomes")
    counts = selectors.status_counts(initiative)
    total = sum(counts.values())
    group = filterset.form.cleaned_data.get("group", "") if filterset.is_bound else ""
    query = request.GET.copy()
    query.pop("page", None)
    own = own_partner(request)
    context = {
        "filter": filterset,
        "form": filterset.form,
        "page": page,
        "groups": _group_rows(page.object_list, group),
        "group": group,
        "counts": counts,
        "total": total,
        "filtered": filterset.is_bound and filterset.active,
        "ignored_filters": ignored,
        "querystring": query.urlencode(),
        "can_manage": can(request, P_MANAGE),
        "can_import": can(request, P_IMPORT),
        "can_enter": own is not None and can(request, P_ENTER, own),
        "can_review": can(request, P_REVIEW) and initiative.review_observations,
        "empty_purpose": EMPTY_PURPOSE,
        "empty_tip": EMPTY_TIP,
    }
    return render_page(request, "measurement/indicator_list.html", context, partial="indicators")


GROUP_LABELS = {
    "level": dict(IndicatorLevel.choices),
    "rba": dict(RbaQuestion.choices),
}


def _group_rows(rows, group: str) -> list[tuple[str, list]]:
    if group not in GROUP_LABELS:
        return [("", list(rows))]
    labels = GROUP_LABELS[group]
    result: list[tuple[str, list]] = []
    for row in rows:
        key = row.level if group == "level" else row.rba_question
        title = labels.get(key, key)
        if not result or result[-1][0] != title:
            result.append((title, []))
        result[-1][1].append(row)
    return result
