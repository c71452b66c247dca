"""Helpers of the activities pages."""

from __future__ import annotations

import csv

from django.http import HttpResponse

from collective.core import spreadsheets
from collective.core.conditions import condition

TABS = [
    ("index", "Activities", "list-task"),
    ("alignment", "Alignment", "grid-3x3"),
    ("gaps", "Gaps", "exclamation-diamond"),
    ("overlaps", "Overlaps", "intersect"),
    ("network", "Network", "share"),
    ("map", "System map", "diagram-3"),
    ("timeline", "Timeline", "calendar-range"),
    ("strengths", "Strengths", "stars"),
    ("surveys", "Surveys", "clipboard-check"),
]


def base_context(request, tab: str) -> dict:
    user, initiative = request.user, request.initiative
    return {
        "condition": condition("activities"),
        "tabs": TABS,
        "tab": tab,
        "can_add": user.has_perm("activities.add_activity", initiative),
        "can_manage": user.has_perm("activities.manage", initiative),
    }


def csv_response(filename: str, header: list[str], rows) -> HttpResponse:
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response.write("\ufeff")  # Excel reads UTF-8 with a BOM
    # Through core.spreadsheets: a name or note typed as a formula stays text.
    csv.writer(response).writerows(spreadsheets.csv_rows([header, *rows]))
    return response
