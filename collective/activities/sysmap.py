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
    """The map as node-link data. Every read is plain values (no model instances): the
    detailed view of 1,000 activities has ~6,000 links, and building instances for them cost
    more than everything else together."""
    filters = filters or MapFilters()
    slug = initiative.slug
    selected = Activity.objects.filter(initiative=initiative)
    if filters.partner is not None:
        selected = selected.filter(partner__path__startswith=filters.partner.path)
    if filters.lever:
        selected = selected.filter(lever=filters.lever)
    if filters.status:
        selected = selected.filter(status=filters.status)
    if filters.outcome is not None:
        selected = selected.filter(claims__outcome=filters.outcome).distinct()
    total = Activity.objects.filter(initiative=initiative).count()
    view = filters.view
    if view not in ("overview", "detail"):
        view = "detail" if (filters.any or total <= DETAIL_LIMIT) else "overview"
    partners = {p.pk: p for p in selectors.partners(initiative)}
    # One reverse() per kind, not per node: the map may have a thousand of them.
    urls = {
        name: reverse(view_name, kwargs={"slug": slug, "uid": ZERO})
        for name, view_name in (
            ("partner", "core:partner-detail"),
            ("outcome", "activities:contribution"),
            ("activity", "activities:activity-detail"),
        )
    }
    nodes: dict[str, dict] = {}
    edges: dict[tuple[str, str, str], dict] = {}

    def partner_node(pk: int) -> str:
        p = partners[pk]
        key = f"partner:{p.uid}"
        if key not in nodes:
            nodes[key] = _node(
                key, "partner", p.name, urls["partner"].replace(ZERO, str(p.uid)), short=p.label
            )
        return key

    def outcome_node(uid, title) -> str:
        key = f"outcome:{uid}"
        if key not in nodes:
            nodes[key] = _node(key, "outcome", title, urls["outcome"].replace(ZERO, str(uid)))
        return key

    def indicator_node(code, name) -> str:
        key = f"indicator:{code}"
        if key not in nodes:
            url = reverse("measurement:indicator-detail", kwargs={"slug": slug, "code": code})
            nodes[key] = _node(key, "indicator", f"{code} — {name}", url)
        return key

    def edge(source, target, kind, **extra):
        record = edges.get((source, target, kind))
        if record is None:
            record = edges[(source, target, kind)] = {
                "source": source,
                "target": target,
                "kind": kind,
                "weight": 0,
                **extra,
            }
        record["weight"] += 1

    shown = 0
    if view == "overview":
        act_partner = dict(selected.values_list("pk", "partner_id"))
        per_cell: dict[tuple[int, int], int] = defaultdict(int)
        for activity_id, outcome_id in Contribution.objects.filter(
            initiative=initiative, outcome__isnull=False
        ).values_list("activity_id", "outcome_id"):
            if activity_id in act_partner:
                per_cell[(act_partner[activity_id], outcome_id)] += 1
        outcomes = {
            pk: (uid, title)
            for pk, uid, title in Outcome.objects.filter(
                pk__in={o for _p, o in per_cell}
            ).values_list("pk", "uid", "title")
        }
        for p in partners.values():
            if filters.partner is None or p.path.startswith(filters.partner.path):
                partner_node(p.pk)
        for uid, title in outcomes.values():
            outcome_node(uid, title)
        for (pid, oid), n in per_cell.items():
            if pid in partners and oid in outcomes:
                source, target = partner_node(pid), f"outcome:{outcomes[oid][0]}"
                edges[(source, target, "works_on")] = {
                    "source": source,
                    "target": target,
                    "kind": "works_on",
                    "weight": n,
                }
    else:
        # Related rows of the selection: the whole initiative's when nothing is filtered (one
        # plain scan), else through a subquery of the selected activities.
        scope = {"activity__in": selected.values("pk")} if filters.any else {}
        rows = selected.values_list("pk", "uid", "title", "status", "lever", "partner_id")
        key_of: dict[int, str] = {}
        for pk, uid, title, status, lever, partner_id in rows.order_by("title"):
            key = key_of[pk] = f"activity:{uid}"
            nodes[key] = _node(
                key,
                "activity",
                title,
                urls["activity"].replace(ZERO, str(uid)),
                status=status,
                lever=lever,
                partner=partners[partner_id].name,
            )
            edge(partner_node(partner_id), key, "leads")
        shown = len(key_of)
        through = Activity.supporting_partners.through
        for activity_id, partner_id in (
            through.objects.filter(activity__initiative=initiative, **scope)
            .values_list("activity_id", "partner_id")
            .order_by("id")
        ):
            if activity_id in key_of and partner_id in partners:
                edge(partner_node(partner_id), key_of[activity_id], "supports")
        for activity_id, strength, o_uid, o_title, i_code, i_name in (
            Contribution.objects.filter(initiative=initiative, **scope)
            .values_list(
                "activity_id",
                "strength",
                "outcome__uid",
                "outcome__title",
                "indicator__code",
                "indicator__name",
            )
            .order_by("id")
        ):
            source = key_of.get(activity_id)
            if source is None:
                continue
            if o_uid is not None:
                edge(source, outcome_node(o_uid, o_title), "contributes", strength=strength)
            if i_code is not None:
                edge(source, indicator_node(i_code, i_name), "contributes", strength=strength)
        for a_id, n_id in (
            Dependency.objects.filter(initiative=initiative, **scope)
            .values_list("activity_id", "needs_id")
            .order_by("id")
        ):
            if a_id in key_of and n_id in key_of:
                edge(key_of[a_id], key_of[n_id], "depends")
        # Indicators measure outcomes: link those both on the map.
        shown_outcomes = {n.split(":", 1)[1] for n in nodes if n.startswith("outcome:")}
        shown_indicators = {n.split(":", 1)[1] for n in nodes if n.startswith("indicator:")}
        if shown_outcomes and shown_indicators:
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
            "activities_shown": shown,
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
    # The legend names only the kinds drawn (the partner network has partners alone).
    kinds = [k for k in KIND_COLOURS if any(n["kind"] == k for n in nodes)] or list(KIND_COLOURS)
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
                "domain": kinds,
                "range": [KIND_COLOURS[k] for k in kinds],
            },
            {
                "name": "shape",
                "type": "ordinal",
                "domain": kinds,
                "range": [KIND_SHAPES[k] for k in kinds],
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
                # The drawing as a whole is one image named by its description (map.js); its
                # marks stay out of the accessibility tree: the list beside it reads better.
                "aria": False,
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
                "aria": False,
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
                "aria": False,
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
