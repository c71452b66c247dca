"""Pages of the RBA scorecard: the initiative's and a partner's, their XLSX and PDF downloads,
the public scorecard, and the embed pages of the public scorecard and a public indicator.

Every page reads `scorecard.rba_scorecard` (stored statuses, a fixed number of queries). Embed
pages run no script: the chart is drawn on the server (`rendered`), with its text description
and data table; other sites may frame them only when the initiative lists them
(`Initiative.embed_origins`, through `core.security.frame_ancestors`).
"""

from __future__ import annotations

import logging

from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.text import slugify
from django.views.decorators.http import require_GET

from collective.core.http import initiative_view, is_uuid
from collective.core.models import Partner
from collective.core.security import frame_ancestors
from collective.core.spreadsheets import xlsx_bytes

from .. import charts, rendered
from ..choices import Status
from ..models import Indicator, IndicatorStatus
from ..scorecard import rba_scorecard

P_VIEW = "measurement.view_measures"
P_PUBLIC = "measurement.view_public_measures"
P_ENTER = "measurement.enter_observation"
FORMATS = ("xlsx", "pdf")


def _embed_origins(request) -> list[str]:
    return list(request.initiative.embed_origins or [])


def _partner(request, uid) -> Partner:
    return get_object_or_404(
        Partner.objects.select_related("parent"), initiative=request.initiative, uid=uid
    )


def _partner_or_none(request, uid) -> Partner | None:
    if not is_uuid(uid):
        return None
    return Partner.objects.filter(initiative=request.initiative, uid=uid).first()


def _context(request, card, **extra) -> dict:
    return {
        "card": card,
        "counts": card.counts,
        "status_choices": Status.choices,
        "partners": Partner.objects.filter(initiative=request.initiative).order_by("name"),
        "slug": request.initiative.slug,
        "perms_manage": request.user.has_perm("core.change_initiative", request.initiative),
        **extra,
    }


@require_GET
@initiative_view(P_VIEW)
def initiative_scorecard(request):
    """The initiative's scorecard: collective figures under the agenda's outcomes."""
    chosen = request.GET.get("partner", "")
    if chosen:
        partner = _partner_or_none(request, chosen)
        if partner is not None:
            return redirect("measurement:scorecard", slug=request.initiative.slug, uid=partner.uid)
    card = rba_scorecard(request.initiative)
    return render(request, "measurement/scorecard.html", _context(request, card))


@require_GET
@initiative_view(P_VIEW)
def partner_scorecard(request, uid):
    """A partner's scorecard: its (subtree's) figures for the measures it reports."""
    partner = _partner(request, uid)
    chosen = request.GET.get("partner", "")
    if chosen and chosen != str(partner.uid):
        other = _partner_or_none(request, chosen)
        if other is None:
            raise Http404("No such partner.")
        return redirect("measurement:scorecard", slug=request.initiative.slug, uid=other.uid)
    card = rba_scorecard(request.initiative, partner=partner)
    can_enter = request.user.has_perm(P_ENTER, partner)
    return render(
        request,
        "measurement/scorecard.html",
        _context(
            request,
            card,
            partner=partner,
            can_enter=can_enter,
            has_children=Partner.objects.filter(parent=partner).exists(),
        ),
    )


@require_GET
@initiative_view(P_VIEW)
def scorecard_download(request, fmt):
    """The scorecard as XLSX or PDF (`?partner=<uid>` for a partner's)."""
    if fmt not in FORMATS:
        raise Http404("No such format.")
    partner = None
    if request.GET.get("partner"):
        partner = _partner_or_none(request, request.GET["partner"])
        if partner is None:
            raise Http404("No such partner.")
    card = rba_scorecard(request.initiative, partner=partner)
    name = slugify(partner.name if partner else request.initiative.name) or "scorecard"
    stamp = timezone.localdate().isoformat()
    if fmt == "xlsx":
        response = HttpResponse(
            xlsx_bytes({"Scorecard": scorecard_rows(card)}),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
    else:
        response = HttpResponse(scorecard_pdf(request, card), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{name}-scorecard-{stamp}.{fmt}"'
    return response


def scorecard_rows(card) -> list[list]:
    """The scorecard as spreadsheet rows: numbers stay numbers, one row per measure."""
    header = ["Outcome", "Kind", "Code", "Measure", "Unit", "Latest period", "Latest value"]
    if card.partner is not None:
        header += ["Collective value", "Share of the collective (%)"]
    header += ["Target period", "Target", "Trend", "Status", "Why"]
    rows = [[card.title], [f"Generated {timezone.localtime(card.generated_at):%Y-%m-%d %H:%M}"]]
    rows += [[], header]
    for section in card.sections:
        kinds = [("Population indicator", section.population)]
        kinds += [(group.label, group.rows) for group in section.groups]
        for kind, section_rows in kinds:
            for row in section_rows:
                i = row.indicator
                line = [
                    section.title,
                    kind,
                    i.code,
                    i.name,
                    i.unit,
                    charts.period_label(row.latest_period) if row.latest_period else "",
                    _number(row.latest_value),
                ]
                if card.partner is not None:
                    line += [
                        _number(row.collective_value),
                        round(row.share, 1) if row.share is not None else None,
                    ]
                line += [
                    charts.period_label(row.target_period) if row.target_period else "",
                    _number(row.target_value),
                    row.trend_label,
                    row.status_label,
                    row.reason,
                ]
                rows.append(line)
    return rows


def _number(value):
    return float(value) if value is not None else None


def scorecard_pdf_html(request, card) -> str:
    """The HTML WeasyPrint prints: the scorecard's tables, then each measure's chart (drawn
    as SVG here) with its text description."""
    statuses = {
        s.indicator_id: s
        for s in IndicatorStatus.objects.filter(
            indicator_id__in=[row.indicator.pk for row in card.rows], scope__isnull=True
        )
    }
    figures = []
    for row in card.rows:
        data = rendered.chart_data(row.indicator, statuses.get(row.indicator.pk))
        svg = rendered.svg(data)
        if svg:
            figures.append(
                {"row": row, "src": rendered.data_uri(svg), "description": charts.describe(data)}
            )
    return render_to_string(
        "measurement/scorecard_pdf.html",
        {"card": card, "figures": figures, "counts": card.counts, "status_choices": Status.choices},
        request=request,
    )


def scorecard_pdf(request, card) -> bytes:
    import weasyprint

    # WeasyPrint logs every layout step at INFO; a download is not worth a log line per page.
    logging.getLogger("weasyprint").setLevel(logging.WARNING)
    html = scorecard_pdf_html(request, card)
    return weasyprint.HTML(string=html, base_url=request.build_absolute_uri("/")).write_pdf()


# --- Public and embeddable -------------------------------------------------------------------


def _public_or_404(request) -> bool:
    """Members preview the public pages of any initiative; others only of a public one."""
    is_member = request.membership is not None
    if not request.initiative.is_public and not is_member:
        raise Http404("No such public scorecard.")
    return is_member


@require_GET
@initiative_view(P_PUBLIC)
def public_scorecard(request):
    """The public scorecard: public indicators under the adopted agenda's outcomes."""
    is_member = _public_or_404(request)
    card = rba_scorecard(request.initiative, public=True)
    return render(
        request,
        "measurement/scorecard_public.html",
        _context(request, card, is_member=is_member, embed_origins=_embed_origins(request)),
    )


@require_GET
@initiative_view(P_PUBLIC)
@frame_ancestors(_embed_origins)
def scorecard_embed(request):
    """The public scorecard for a frame on another site: no script, no navigation."""
    _public_or_404(request)
    card = rba_scorecard(request.initiative, public=True)
    return render(request, "measurement/embed_scorecard.html", _context(request, card))


@require_GET
@initiative_view(P_PUBLIC)
@frame_ancestors(_embed_origins)
def indicator_embed(request, code):
    """A public indicator for a frame on another site: the chart drawn on the server, its text
    description and its data table."""
    indicator = get_object_or_404(
        Indicator, initiative=request.initiative, code=code.upper(), archived=False
    )
    is_member = request.membership is not None
    if not (indicator.is_public and request.initiative.is_public) and not is_member:
        raise Http404("No such public indicator.")
    status = IndicatorStatus.objects.filter(indicator=indicator, scope__isnull=True).first()
    data = rendered.chart_data(indicator, status)
    columns, rows = charts.table_rows(data)
    svg = rendered.svg(data)
    return render(
        request,
        "measurement/embed_indicator.html",
        {
            "indicator": indicator,
            "status": status,
            "chart": data,
            "chart_src": rendered.data_uri(svg),
            "chart_description": charts.describe(data),
            "chart_columns": columns,
            "chart_rows": rows,
        },
    )
