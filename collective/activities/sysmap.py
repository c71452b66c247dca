"""The system map: partners, activities, outcomes and indicators as one graph, with
contribution, dependency, support and measurement edges. Exported as node-link JSON (the shape
networkx's `node_link_graph(data, edges="edges")` reads) and drawn by a Vega force layout.

At scale the map starts clustered: partners and outcomes only, one edge per partner and outcome
weighted by the activities behind it; a filter (outcome, partner, lever, status) opens the
detailed view of the activities it selects.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from django.urls import reverse

from collective.agenda.models import Outcome
from collective.core.models import Initiative, Partner
from collective.measurement.charts import BRAND, CATEGORY, FONT, INK, MUTED, theme

from . import selectors
from .models import Activity, Contribution, Dependency

ZERO = "00000000-0000-0000-0000-000000000000"
DETAIL_LIMIT = 150  # activities shown in detail without a filter
KIND_COLOURS = {
    "partner": BRAND,
    "activity": CATEGORY[1],
    "outcome": CATEGORY[2],
    "indicator": CATEGORY[3],
}
KIND_SHAPES = {
    "partner": "circle",
    "activity": "square",
    "outcome": "diamond",
    "indicator": "triangle-up",
}
EDGE_LABELS = {
    "leads": "leads",
    "supports": "supports",
    "contributes": "contributes to",
    "depends": "needs",
    "measures": "measures",
    "works_on": "works on",
}


@dataclass
class MapFilters:
    outcome: Outcome | None = None
    partner: Partner | None = None
    lever: str = ""
    status: str = ""
    view: str = ""  # "overview", "detail" or "" (automatic)

    @property
    def any(self) -> bool:
        return bool(self.outcome or self.partner or self.lever or self.status)


def _node(id_, kind, label, url="", **extra) -> dict:
    return {"id": id_, "kind": kind, "label": label, "url": url, **extra}


def system_graph(initiative: Initiative, filters: MapFilters | None = None) -> dict:
    filters = filters or MapFilters()
    slug = initiative.slug
    activities = Activity.objects.filter(initiative=initiative)
    if filters.partner is not None:
        activities = activities.filter(partner__path__startswith=filters.partner.path)
    if filters.lever:
        activities = activities.filter(lever=filters.lever)
    if filters.status:
        activities = activities.filter(status=filters.status)
    if filters.outcome is not None:
        activities = activities.filter(claims__outcome=filters.outcome).distinct()
    total = Activity.objects.filter(initiative=initiative).count()
    view = filters.view
    if view not in ("overview", "detail"):
        view = "detail" if (filters.any or total <= DETAIL_LIMIT) else "overview"
    if view == "overview":
        # Plain values only: at scale, model instances for every activity and claim cost more
        # than everything else together.
        act_partner = dict(activities.values_list("pk", "partner_id"))
        claim_rows = list(
            Contribution.objects.filter(initiative=initiative, outcome__isnull=False).values_list(
                "activity_id", "outcome_id"
            )
        )
        activities = []
        claims = []
    else:
        activities = list(
            activities.select_related("partner", "initiative")
            .only(
                "uid",
                "title",
                "status",
                "lever",
                "partner__uid",
                "partner__name",
                "partner__short_name",
                "partner__path",
                "initiative__slug",
            )
            .order_by("title")
        )
        act_partner = {a.pk: a.partner_id for a in activities}
        claim_rows = []
    ids = {a.pk for a in activities}
    claims = (
        list(
            Contribution.objects.filter(activity_id__in=ids)
            .select_related("outcome", "indicator__initiative")
            .only(
                "activity_id",
                "strength",
                "outcome__uid",
                "outcome__title",
                "indicator__code",
                "indicator__name",
                "indicator__initiative__slug",
            )
            .order_by("id")
        )
        if ids
        else []
    )
    partners = {p.pk: p for p in selectors.partners(initiative)}
    # One reverse() per kind, not per node: the map may have a thousand of them.
    urls = {
        name: reverse(view, kwargs={"slug": slug, "uid": ZERO})
        for name, view in (
            ("partner", "core:partner-detail"),
            ("outcome", "activities:contribution"),
            ("activity", "activities:activity-detail"),
        )
    }
    nodes: dict[str, dict] = {}
    edges: dict[tuple[str, str, str], dict] = {}

    def partner_node(p: Partner) -> str:
        key = f"partner:{p.uid}"
        nodes.setdefault(
            key,
            _node(
                key,
                "partner",
                p.name,
                urls["partner"].replace(ZERO, str(p.uid)),
                short=p.label,
            ),
        )
        return key

    def outcome_node(o: Outcome) -> str:
        key = f"outcome:{o.uid}"
        nodes.setdefault(
            key,
            _node(
                key,
                "outcome",
                o.title,
                urls["outcome"].replace(ZERO, str(o.uid)),
            ),
        )
        return key

    def indicator_node(i) -> str:
        key = f"indicator:{i.code}"
        nodes.setdefault(key, _node(key, "indicator", f"{i.code} — {i.name}", i.get_absolute_url()))
        return key

    def edge(source, target, kind, **extra):
        record = edges.setdefault(
            (source, target, kind),
            {"source": source, "target": target, "kind": kind, "weight": 0, **extra},
        )
        record["weight"] += 1

    if view == "overview":
        per_cell: dict[tuple[int, int], int] = defaultdict(int)
        for activity_id, outcome_id in claim_rows:
            if activity_id in act_partner:
                per_cell[(act_partner[activity_id], outcome_id)] += 1
        outcomes = Outcome.objects.filter(pk__in={o for _p, o in per_cell}).in_bulk()
        for p in partners.values():
            if filters.partner is None or p.path.startswith(filters.partner.path):
                partner_node(p)
        for o in outcomes.values():
            outcome_node(o)
        for (pid, oid), n in per_cell.items():
            key = (f"partner:{partners[pid].uid}", f"outcome:{outcomes[oid].uid}", "works_on")
            edges[key] = {"source": key[0], "target": key[1], "kind": "works_on", "weight": n}
    else:
        for a in activities:
            key = f"activity:{a.uid}"
            nodes[key] = _node(
                key,
                "activity",
                a.title,
                urls["activity"].replace(ZERO, str(a.uid)),
                status=a.status,
                lever=a.lever,
                partner=a.partner.name,
            )
            edge(partner_node(a.partner), key, "leads")
        support = Activity.supporting_partners.through.objects.filter(
            activity_id__in=ids
        ).values_list("activity_id", "partner_id")
        by_id = {a.pk: a for a in activities}
        for activity_id, partner_id in support:
            if partner_id in partners:
                edge(
                    partner_node(partners[partner_id]),
                    f"activity:{by_id[activity_id].uid}",
                    "supports",
                )
        for c in claims:
            source = f"activity:{by_id[c.activity_id].uid}"
            if c.outcome_id:
                edge(source, outcome_node(c.outcome), "contributes", strength=c.strength)
            if c.indicator_id:
                edge(source, indicator_node(c.indicator), "contributes", strength=c.strength)
        for a_id, n_id in Dependency.objects.filter(
            activity_id__in=ids, needs_id__in=ids
        ).values_list("activity_id", "needs_id"):
            edge(f"activity:{by_id[a_id].uid}", f"activity:{by_id[n_id].uid}", "depends")
        # Indicators measure outcomes: link those both on the map.
        shown_outcomes = {n.split(":", 1)[1] for n in nodes if n.startswith("outcome:")}
        shown_indicators = {n.split(":", 1)[1] for n in nodes if n.startswith("indicator:")}
        if shown_outcomes:
            for code, outcome_uid in selectors.indicator_outcome_pairs(initiative, shown_outcomes):
                if code in shown_indicators:
                    edge(f"indicator:{code}", f"outcome:{outcome_uid}", "measures")
    return {
        "directed": True,
        "multigraph": False,
        "graph": {
            "initiative": initiative.slug,
            "view": view,
            "activities_total": total,
            "activities_shown": len(activities) if view == "detail" else 0,
        },
        "nodes": list(nodes.values()),
        "edges": list(edges.values()),
    }


def vega_spec(graph: dict, *, title: str, description: str) -> dict:
    """A Vega force-directed layout of the graph (links by node index), in the chart theme."""
    index = {n["id"]: i for i, n in enumerate(graph["nodes"])}
    nodes = [
        {
            "index": i,
            "id": n["id"],
            "kind": n["kind"],
            "label": n["label"],
            "url": n.get("url", ""),
            "short": n.get("short") or (n["label"][:28] + ("…" if len(n["label"]) > 28 else "")),
        }
        for i, n in enumerate(graph["nodes"])
    ]
    links = [
        {
            "source": index[e["source"]],
            "target": index[e["target"]],
            "kind": e["kind"],
            "weight": e.get("weight", 1),
        }
        for e in graph["edges"]
        if e["source"] in index and e["target"] in index
    ]
    many = len(nodes) > 120
    config = theme()
    return {
        "$schema": "https://vega.github.io/schema/vega/v6.json",
        "description": description,
        "autosize": "none",
        "width": 900,
        "height": 680 if many else 560,
        "padding": 8,
        "background": config["background"],
        "signals": [
            {"name": "cx", "update": "width / 2"},
            {"name": "cy", "update": "height / 2"},
        ],
        "data": [
            {"name": "node-data", "values": nodes},
            {"name": "link-data", "values": links},
        ],
        "scales": [
            {
                "name": "colour",
                "type": "ordinal",
                "domain": list(KIND_COLOURS),
                "range": list(KIND_COLOURS.values()),
            },
            {
                "name": "shape",
                "type": "ordinal",
                "domain": list(KIND_SHAPES),
                "range": list(KIND_SHAPES.values()),
            },
        ],
        "legends": [
            {
                "fill": "colour",
                "shape": "shape",
                "orient": "top-left",
                "title": None,
                "labelFont": FONT,
                "labelColor": INK,
                "symbolSize": 120,
                "encode": {
                    "labels": {
                        "update": {
                            "text": {
                                "signal": "{'partner': 'Partners', 'activity': 'Activities', "
                                "'outcome': 'Outcomes', 'indicator': 'Indicators'}[datum.label]"
                            }
                        }
                    }
                },
            },
        ],
        "marks": [
            {
                "name": "nodes",
                "type": "symbol",
                "zindex": 1,
                "from": {"data": "node-data"},
                "encode": {
                    "enter": {
                        "fill": {"scale": "colour", "field": "kind"},
                        "shape": {"scale": "shape", "field": "kind"},
                        "stroke": {"value": "#ffffff"},
                        "href": {"field": "url"},
                        "tooltip": {"signal": "{'title': datum.label, 'kind': datum.kind}"},
                        "cursor": {"value": "pointer"},
                    },
                    "update": {"size": {"signal": "datum.kind === 'activity' ? 110 : 260"}},
                },
                "transform": [
                    {
                        "type": "force",
                        "iterations": 300,
                        "static": True,
                        "signal": "force",
                        "forces": [
                            {"force": "center", "x": {"signal": "cx"}, "y": {"signal": "cy"}},
                            {"force": "collide", "radius": 9},
                            {"force": "nbody", "strength": -30 if many else -110},
                            {"force": "link", "links": "link-data", "distance": 45 if many else 75},
                            {"force": "x", "x": {"expr": "cx"}, "strength": 0.04},
                            {"force": "y", "y": {"expr": "cy"}, "strength": 0.06},
                        ],
                    }
                ],
            },
            {
                "name": "links",
                "type": "path",
                "zindex": 0,
                "from": {"data": "link-data"},
                "interactive": False,
                "encode": {
                    "update": {
                        "stroke": {"value": "#9aa3b2"},
                        "strokeWidth": {"signal": "min(1 + datum.weight / 2, 5)"},
                        "strokeDash": {"signal": "datum.kind === 'depends' ? [4, 3] : []"},
                        "strokeOpacity": {"value": 0.7},
                    }
                },
                "transform": [
                    {
                        "type": "linkpath",
                        "require": {"signal": "force"},
                        "shape": "line",
                        "sourceX": "datum.source.x",
                        "sourceY": "datum.source.y",
                        "targetX": "datum.target.x",
                        "targetY": "datum.target.y",
                    }
                ],
            },
            {
                "type": "text",
                "from": {"data": "nodes"},
                "interactive": False,
                "zindex": 2,
                "encode": {
                    "update": {
                        "x": {"field": "x"},
                        "y": {"field": "y"},
                        "dy": {"value": -9},
                        "align": {"value": "center"},
                        "text": {
                            "signal": f"datum.datum.kind === 'activity' && {str(many).lower()}"
                            " ? '' : datum.datum.short"
                        },
                        "font": {"value": FONT},
                        "fontSize": {"value": 10},
                        "fill": {"value": MUTED},
                    }
                },
            },
        ],
    }
