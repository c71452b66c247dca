"""Pages that read across activities: the alignment matrix, gaps (and "what if X leaves"),
overlaps, the partner network, the system map, the contribution view and the timeline."""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from collective.core.errors import ApplicationError
from collective.core.http import initiative_view, is_uuid, render_page
from collective.core.models import Partner
from collective.measurement import selectors as measurement_selectors

from .. import charts, gaps, network, selectors, services, similarity, sysmap
from ..alignment import alignment_matrix, heat_rows
from ..choices import ActivityStatus, Lever, OverlapDecisionKind
from ..forms import OverlapDecisionForm
from ..models import Activity, ClaimReview, Contribution
from ._common import base_context, csv_response


def _partner_param(request, name="partner") -> Partner | None:
    value = request.GET.get(name, "")
    if not is_uuid(value):
        return None
    return Partner.objects.filter(initiative=request.initiative, uid=value).first()


# --- Alignment -------------------------------------------------------------------------------


@initiative_view("activities.view")
def alignment(request):
    initiative = request.initiative
    matrix = alignment_matrix(initiative)
    if request.GET.get("format") == "csv":
        rows = []
        for partner, cells, _total in matrix.rows():
            for outcome, cell in cells:
                if cell.activities:
                    rows.append(
                        [
                            partner.name,
                            outcome.title,
                            cell.activities,
                            cell.direct,
                            cell.indirect,
                            cell.substantiated,
                            cell.contested,
                        ]
                    )
        return csv_response(
            f"{initiative.slug}-alignment.csv",
            [
                "partner",
                "outcome",
                "activities",
                "direct",
                "indirect",
                "substantiated",
                "contested",
            ],
            rows,
        )
    paginator = Paginator(matrix.partners, 50)
    page = paginator.get_page(request.GET.get("page"))
    view = "table" if request.GET.get("view") == "table" else "heat"
    table_rows = []
    if view == "table":
        for partner, cells, _total in matrix.rows(page.object_list):
            for outcome, cell in cells:
                if cell.activities:
                    table_rows.append((partner, outcome, cell))
    context = {
        **base_context(request, "alignment"),
        "matrix": matrix,
        "page": page,
        "rows": heat_rows(
            matrix, page.object_list, reverse("activities:index", kwargs={"slug": initiative.slug})
        ),
        "view": view,
        "table_rows": table_rows,
        "outcome_totals": [(o, matrix.outcome_totals.get(o.pk)) for o, _d in matrix.outcomes],
    }
    return render_page(request, "activities/alignment.html", context, partial="matrix")


# --- Gaps ------------------------------------------------------------------------------------


@initiative_view("activities.view")
def gaps_page(request):
    initiative = request.initiative
    found = gaps.gap_list(initiative)
    groups = []
    for kind, title in gaps.KIND_TITLES.items():
        items = [g for g in found if g.kind == kind]
        groups.append((kind, title, items))
    leaving = _partner_param(request, "leaves")
    context = {
        **base_context(request, "gaps"),
        "groups": groups,
        "total": len(found),
        "partners": selectors.partners(initiative),
        "leaving": leaving,
        "what_if": gaps.what_if(initiative, leaving) if leaving else None,
    }
    return render_page(request, "activities/gaps.html", context, partial="what_if")


# --- Overlaps --------------------------------------------------------------------------------


@initiative_view("activities.view")
def overlaps(request):
    initiative = request.initiative
    raw = request.GET.get("threshold") or similarity.DEFAULT_THRESHOLD
    threshold_error = ""
    try:
        threshold = services.check_threshold(raw)
    except ApplicationError as error:
        threshold, threshold_error = similarity.DEFAULT_THRESHOLD, error.message
    found = selectors.overlap_pairs(initiative, threshold)
    pending, coordinating, dismissed = selectors.overlap_rows(initiative, found.pairs)
    live, scan, count = found.live, found.scan, found.activity_count
    context = {
        **base_context(request, "overlaps"),
        "pending": pending,
        "coordinating": coordinating,
        "dismissed": dismissed,
        "threshold": threshold,
        "threshold_error": threshold_error,
        "live": live,
        "scan": scan,
        "activity_count": count,
        "form": OverlapDecisionForm(),
    }
    return render(request, "activities/overlaps.html", context)


@require_POST
@initiative_view("activities.manage")
def overlap_decide(request):
    initiative = request.initiative
    form = OverlapDecisionForm(request.POST)
    back = request.POST.get("next") or ""
    if not back.startswith("/"):
        back = ""
    if not form.is_valid():
        messages.error(request, "Choose a decision for the pair.")
    else:
        data = form.cleaned_data
        first = selectors.activity_get(initiative, data["first"])
        second = selectors.activity_get(initiative, data["second"])
        try:
            services.overlap_decide(
                actor=request.user,
                first=first,
                second=second,
                decision=data["decision"],
                note=data["note"],
                score=data.get("score") or 0.0,
            )
        except ApplicationError as error:
            messages.error(request, error.message)
        else:
            if data["decision"] == OverlapDecisionKind.COORDINATE:
                messages.success(
                    request,
                    f"Coordination recorded: {first.partner.name} and {second.partner.name} "
                    "are asked to coordinate.",
                )
            else:
                messages.success(
                    request,
                    "Marked as not an overlap; it stays hidden unless "
                    "either activity is rewritten.",
                )
    return redirect(back or f"/i/{initiative.slug}/activities/overlaps/")


@require_POST
@initiative_view("activities.manage")
def overlap_scan(request):
    initiative = request.initiative
    try:
        scan = services.overlap_scan_start(
            actor=request.user,
            initiative=initiative,
            threshold=request.POST.get("threshold") or similarity.DEFAULT_THRESHOLD,
        )
    except ApplicationError as error:
        messages.error(request, error.message)
        return redirect("activities:overlaps", slug=initiative.slug)
    messages.info(request, "The scan is running; this page shows its progress.")
    return redirect("activities:overlap-scan-detail", slug=initiative.slug, uid=scan.uid)


@initiative_view("activities.view")
def overlap_scan_detail(request, uid):
    scan = selectors.overlap_scan_get(request.initiative, uid)
    percent = round(100 * scan.processed / scan.total) if scan.total else 0
    context = {**base_context(request, "overlaps"), "scan": scan, "percent": percent}
    return render_page(request, "activities/overlap_scan.html", context, partial="progress")


# --- Network ---------------------------------------------------------------------------------


@initiative_view("activities.view")
def network_page(request):
    initiative = request.initiative
    rounds = list(selectors.round_list(initiative))
    kind = "survey" if request.GET.get("view") == "survey" else "evidence"
    survey = None
    if kind == "survey":
        uid = request.GET.get("round", "")
        survey = next((r for r in rounds if str(r.uid) == uid), None) or next(
            (r for r in rounds if r.answer_count), rounds[0] if rounds else None
        )
    round_trend = []
    if kind == "survey" and survey is not None:
        view = network.survey_network(initiative, survey)
        found = network.mismatches(initiative, survey)
        round_trend = [
            (r, f"{100 * m.density:.1f}%", f"{100 * m.centralisation:.1f}%", m.edges)
            for r, m in network.round_measures(initiative)
        ]
    else:
        view = network.evidence_network(initiative)
        found = []
    rows = sorted(view.rows, key=lambda r: (-r.degree, r.partner.name))
    graph = {
        "nodes": [
            {
                "id": f"partner:{p.uid}",
                "kind": "partner",
                "label": p.name,
                "short": p.label,
                "url": p.get_absolute_url(),
            }
            for p in view.partners
        ],
        "edges": [
            {
                "source": f"partner:{a.uid}",
                "target": f"partner:{b.uid}",
                "kind": "tie",
                "weight": sum(t.values()) if kind == "evidence" else len(t["levels"]),
            }
            for a, b, t in view.edges
        ],
    }
    spec = sysmap.vega_spec(
        graph,
        title="Evidence network" if kind == "evidence" else f"Survey network — {survey.title}",
        description=f"{view.measures.nodes} partners and {view.measures.edges} ties; density "
        f"{view.measures.density:.2f}.",
    )
    context = {
        **base_context(request, "network"),
        "kind": kind,
        "view": view,
        "rows": rows,
        "rounds": rounds,
        "survey": survey,
        "mismatches": found,
        "reported_only": [m for m in found if m.kind == "reported_only"],
        "work_only": [m for m in found if m.kind == "work_only"],
        "spec": spec,
        "edge_kinds": network.EDGE_KINDS,
        "round_trend": round_trend,
        "density_pct": f"{100 * view.measures.density:.1f}%",
        "central_pct": f"{100 * view.measures.centralisation:.1f}%",
    }
    return render(request, "activities/network.html", context)


# --- System map ------------------------------------------------------------------------------


def _map_filters(request) -> sysmap.MapFilters:
    outcome_uid = request.GET.get("outcome", "")
    outcome = None
    if is_uuid(outcome_uid):
        outcome = selectors.outcome_get(request.initiative, outcome_uid)
    lever = request.GET.get("lever", "")
    status = request.GET.get("status", "")
    return sysmap.MapFilters(
        outcome=outcome,
        partner=_partner_param(request),
        lever=lever if lever in Lever.values else "",
        status=status if status in ActivityStatus.values else "",
        view=request.GET.get("view", ""),
    )


@initiative_view("activities.view")
def map_page(request):
    initiative = request.initiative
    filters = _map_filters(request)
    graph = sysmap.system_graph(initiative, filters)
    labels = {n["id"]: n["label"] for n in graph["nodes"]}
    outgoing: dict[str, list] = {}
    for e in graph["edges"]:
        outgoing.setdefault(e["source"], []).append(
            (
                sysmap.EDGE_LABELS.get(e["kind"], e["kind"]),
                labels.get(e["target"], "?"),
                e.get("weight", 1),
            )
        )
    listing = []
    for kind in ("partner", "activity", "outcome", "indicator"):
        nodes = [n for n in graph["nodes"] if n["kind"] == kind]
        if nodes:
            listing.append((kind, [(n, outgoing.get(n["id"], [])) for n in nodes]))
    spec = sysmap.vega_spec(
        graph,
        title="System map",
        description=f"{len(graph['nodes'])} nodes and {len(graph['edges'])} links "
        f"({graph['graph']['view']} view).",
    )
    context = {
        **base_context(request, "map"),
        "graph": graph,
        "spec": spec,
        "listing": listing,
        "filters": filters,
        "partners": selectors.partners(initiative),
        "outcomes": selectors.outcomes_current(initiative),
        "levers": Lever.choices,
        "statuses": ActivityStatus.choices,
        "query": request.GET.urlencode(),
    }
    return render(request, "activities/map.html", context)


@initiative_view("activities.view")
def map_json(request):
    graph = sysmap.system_graph(request.initiative, _map_filters(request))
    response = JsonResponse(graph, json_dumps_params={"ensure_ascii": False})
    if request.GET.get("download"):
        response["Content-Disposition"] = (
            f'attachment; filename="{request.initiative.slug}-system-map.json"'
        )
    return response


# --- Contribution view and timeline ----------------------------------------------------------


@initiative_view("activities.view")
def contribution(request, uid):
    initiative = request.initiative
    outcome = selectors.outcome_get(initiative, uid)
    claims = list(
        Contribution.objects.filter(initiative=initiative, outcome=outcome)
        .select_related("activity__partner", "activity__initiative")
        .prefetch_related("reviews__partner", "reviews__reviewer")
        .order_by("activity__partner__name", "activity__title")
    )
    activities = [c.activity for c in claims]
    today = timezone.localdate()
    indicators = selectors.indicators_by_outcome(initiative).get(outcome.pk, [])
    chart_list = []
    for index, indicator in enumerate(indicators):
        series = measurement_selectors.series(indicator)
        spec = charts.contribution_spec(indicator, series, activities, today=today)
        chart_list.append((indicator, spec, f"chart-spec-{index}", series))
    verdicts = {"substantiated": 0, "contested": 0}
    for c in claims:
        for r in c.reviews.all():
            verdicts[r.verdict] = verdicts.get(r.verdict, 0) + 1
    context = {
        **base_context(request, "alignment"),
        "outcome": outcome,
        "claims": claims,
        "charts": chart_list,
        "partners": sorted({a.partner.name for a in activities}),
        "verdicts": verdicts,
        "reviews_total": ClaimReview.objects.filter(contribution__outcome=outcome).count(),
    }
    return render(request, "activities/contribution.html", context)


@initiative_view("activities.view")
def timeline(request):
    initiative = request.initiative
    by = "outcome" if request.GET.get("by") == "outcome" else "partner"
    partner = _partner_param(request)
    qs = Activity.objects.filter(initiative=initiative).select_related("partner", "initiative")
    if partner is not None:
        qs = qs.filter(partner__path__startswith=partner.path)
    status = request.GET.get("status", "")
    if status in ActivityStatus.values:
        qs = qs.filter(status=status)
    today = timezone.localdate()
    rows = []
    if by == "partner":
        for a in qs.order_by("partner__name", "start", "title"):
            span = charts._span(a, today)
            if span:
                rows.append(_gantt_row(a.partner.label, a, span))
    else:
        claims = (
            Contribution.objects.filter(
                initiative=initiative, outcome__isnull=False, activity__in=qs
            )
            .select_related("outcome", "activity__partner", "activity__initiative")
            .order_by("outcome__title", "activity__start")
        )
        for c in claims:
            span = charts._span(c.activity, today)
            if span:
                rows.append(_gantt_row(c.outcome.title[:40], c.activity, span))
    total = len(rows)
    shown = rows[:200]
    spec = charts.gantt_spec(
        shown,
        title=f"Activities by {by}",
        description=f"{total} activities with dates, grouped by {by}"
        + (
            f"; the first {len(shown)} are drawn, filter to see the others." if total > 200 else "."
        ),
    )
    context = {
        **base_context(request, "timeline"),
        "by": by,
        "rows": shown,
        "total": total,
        "spec": spec,
        "partners": selectors.partners(initiative),
        "partner": partner,
        "status": status,
        "statuses": ActivityStatus.choices,
        "undated": qs.filter(start__isnull=True, end__isnull=True).count(),
    }
    return render(request, "activities/timeline.html", context)


def _gantt_row(group, activity, span) -> dict:
    return {
        "group": group,
        "label": activity.title[:50],
        "start": span[0].isoformat(),
        "end": span[1].isoformat(),
        "status": activity.status,
        "percent": activity.percent_complete,
        "url": activity.get_absolute_url(),
    }
