"""Reporting: what a partner has to report, completeness and timeliness, a partner's scorecard."""

from __future__ import annotations

import datetime

from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone

from collective.core import spreadsheets
from collective.core.http import initiative_view, paginate, render_page
from collective.core.models import Partner

from .. import selectors
from ..choices import (
    Status,
)
from ..models import Indicator
from .common import (
    P_COMPLETENESS,
    P_ENTER,
    P_MANAGE,
    P_VIEW,
    can,
    initiative_slug,
    own_partner,
    partner_or_404,
    partner_or_none,
)

# --- My reporting and completeness -----------------------------------------------------------


REPORTING_SECTIONS = [
    ("overdue", "Overdue", "exclamation-circle", "Nothing is overdue."),
    ("due", "Due now", "hourglass-split", "Nothing is waiting: every ended period is in."),
    ("open", "Current period", "calendar-event", "No period is running."),
    ("done", "Done", "check-circle", "Nothing reported yet."),
]


def _duties_by_period(duties) -> dict[str, list[dict]]:
    """Duties grouped by state, then by period (most urgent first; done: most recent first)."""
    groups: dict[str, dict[str, dict]] = {key: {} for key, *_ in REPORTING_SECTIONS}
    for duty in duties:
        by_period = groups.setdefault(duty["state"], {})
        group = by_period.setdefault(
            duty["period"],
            {
                "period": duty["period"],
                "label": duty["label"],
                "due_date": duty["due_date"],
                "duties": [],
                "on_time": 0,
            },
        )
        group["duties"].append(duty)
        group["due_date"] = min(group["due_date"], duty["due_date"])
        group["on_time"] += 1 if duty["on_time"] else 0
    result = {}
    for state, by_period in groups.items():
        items = sorted(by_period.values(), key=lambda g: g["due_date"], reverse=state == "done")
        for item in items:
            item["duties"].sort(key=lambda d: d["indicator"].code)
        result[state] = items
    return result


@initiative_view(P_VIEW)
def my_reporting(request):
    """What the user's partner has to report: overdue, due, current and done, with due dates."""
    initiative = request.initiative
    own = own_partner(request)
    partner = own
    uid = request.GET.get("partner", "")
    if uid:
        chosen = partner_or_404(request, uid)
        # The backbone looks at anyone's duties; others at their own branch.
        if not can(request, P_MANAGE) and not (own and chosen.path.startswith(own.path)):
            raise PermissionDenied
        partner = chosen
    duties = selectors.reporting_duties(initiative, partner) if partner else []
    groups = _duties_by_period(duties)
    returned = list(selectors.returned_for(initiative, partner)[:50]) if partner else []
    choosable = []
    if can(request, P_MANAGE):
        choosable = list(Partner.objects.filter(initiative=initiative).order_by("name"))
    elif own is not None:
        choosable = list(
            Partner.objects.filter(initiative=initiative, path__startswith=own.path).order_by(
                "path"
            )
        )
        if len(choosable) == 1:
            choosable = []
    done = [d for d in duties if d["state"] == "done"]
    return render(
        request,
        "measurement/my_reporting.html",
        {
            "partner": partner,
            "groups": groups,
            "has_duties": bool(duties),
            "overdue_count": sum(1 for d in duties if d["state"] == "overdue"),
            "due_count": sum(1 for d in duties if d["state"] == "due"),
            "on_time_rate": round(100 * sum(1 for d in done if d["on_time"]) / len(done))
            if done
            else None,
            "sections": REPORTING_SECTIONS,
            "returned": returned,
            "partners": choosable,
            "can_enter": partner is not None and can(request, P_ENTER, partner),
        },
    )


@initiative_view(P_COMPLETENESS)
def completeness(request):
    """Expected / received / on time per partner, indicator and period, with rates."""
    initiative = request.initiative
    partner = indicator = None
    if request.GET.get("partner"):
        partner = partner_or_none(request, request.GET["partner"])
    if request.GET.get("indicator"):
        indicator = Indicator.objects.filter(
            initiative=initiative, code=request.GET["indicator"]
        ).first()
    try:
        periods_back = max(1, min(int(request.GET.get("periods", 6)), 60))
    except ValueError:
        periods_back = 6
    report = selectors.completeness(
        initiative, partner=partner, indicator=indicator, periods_back=periods_back
    )
    fmt = request.GET.get("format", "")
    if fmt in ("csv", "xlsx"):
        return _completeness_download(report, fmt, initiative)
    missing = [r for r in report["rows"] if not r["received"]]
    missing.sort(key=lambda r: (r["due_date"], r["partner"].name, r["indicator"].code))
    query = request.GET.copy()
    query.pop("format", None)
    query.pop("page", None)
    return render_page(
        request,
        "measurement/completeness.html",
        {
            "report": report,
            "totals": report["totals"],
            "missing": paginate(request, missing, per_page=50),
            "partner": partner,
            "indicator": indicator,
            "periods_back": periods_back,
            "partners": Partner.objects.filter(initiative=initiative).order_by("name"),
            "indicators": Indicator.objects.filter(initiative=initiative, archived=False)
            .only("code", "name")
            .order_by("code"),
            "querystring": query.urlencode(),
        },
        partial="report",
    )


COMPLETENESS_COLUMNS = [
    ("partner", "partner"),
    ("indicator", "indicator"),
    ("period", "period"),
    ("due_date", "due date"),
    ("expected", "expected"),
    ("received", "received"),
    ("on_time", "on time"),
    ("submitted_at", "received at"),
]


def _completeness_download(report, fmt, initiative):
    header = [title for _, title in COMPLETENESS_COLUMNS]
    rows = [[_cell(item.get(key)) for key, _ in COMPLETENESS_COLUMNS] for item in report["rows"]]
    filename = f"{initiative.slug}-completeness.{fmt}"
    if fmt == "csv":
        response = HttpResponse(
            spreadsheets.csv_bytes([header, *rows]), content_type=spreadsheets.CSV_CONTENT_TYPE
        )
    else:
        response = HttpResponse(
            spreadsheets.xlsx_bytes({"Completeness": [header, *rows]}),
            content_type=spreadsheets.XLSX_CONTENT_TYPE,
        )
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def _cell(value):
    if value is None:
        return ""
    if isinstance(value, datetime.datetime):
        return timezone.localtime(value).strftime("%Y-%m-%d %H:%M")
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, Indicator):
        return value.code
    if isinstance(value, Partner):
        return value.name
    return value


# --- Partner scorecard -----------------------------------------------------------------------


@initiative_view(P_VIEW)
def partner_scorecard(request, uid):
    partner = get_object_or_404(
        Partner.objects.select_related("parent"), initiative=request.initiative, uid=uid
    )
    chosen = request.GET.get("partner", "")
    if chosen and chosen != str(partner.uid):
        other = partner_or_404(request, chosen)
        return redirect("measurement:scorecard", slug=initiative_slug(request), uid=other.uid)
    card = selectors.scorecard(request.initiative, partner)
    return render(
        request,
        "measurement/partner_scorecard.html",
        {
            "partner": partner,
            "card": card,
            "counts": card.counts,
            "status_choices": Status.choices,
            "has_children": Partner.objects.filter(parent=partner).exists(),
            "partners": Partner.objects.filter(initiative=request.initiative).order_by("name"),
            "can_enter": can(request, P_ENTER, partner),
        },
    )
