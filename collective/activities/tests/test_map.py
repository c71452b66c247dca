"""The system map: its JSON export re-imports into a graph with the same nodes and edges; the
clustered overview at scale; filters."""

from __future__ import annotations

import json

import networkx as nx

from collective.activities import services, sysmap

from .helpers import basic, indicator


def test_map_json_reimports_into_the_same_graph(world, client):
    data = basic(world)
    indicator(world, "HANDOFF_DAYS", outcome=data["outcomes"][1])
    services.claim_create(
        actor=None,
        activity=data["ops_activity"],
        indicator=world.initiative.indicators.get(code="HANDOFF_DAYS"),
        rationale="It moves the measure.",
    )
    services.activity_update(
        actor=None, activity=data["ops_activity"], supporting_partners=[world.other_partner]
    )
    services.dependency_add(actor=None, activity=data["ops_activity"], needs=data["sales_activity"])
    client.force_login(world.users["viewer"])
    response = client.get(f"/i/{world.initiative.slug}/activities/map.json")
    assert response.status_code == 200
    body = json.loads(response.content)
    graph = nx.node_link_graph(body, edges="edges")
    assert set(graph.nodes) == {n["id"] for n in body["nodes"]}
    assert {(u, v) for u, v in graph.edges} == {(e["source"], e["target"]) for e in body["edges"]}
    kinds = {d["kind"] for _u, _v, d in graph.edges(data=True)}
    assert kinds == {"leads", "supports", "contributes", "depends", "measures"}
    ops = f"activity:{data['ops_activity'].uid}"
    assert graph.nodes[ops]["kind"] == "activity"
    assert graph.has_edge(f"partner:{world.partner.uid}", ops)
    assert graph.has_edge(ops, f"outcome:{data['outcomes'][1].uid}")
    assert graph.has_edge(ops, f"activity:{data['sales_activity'].uid}")
    # Exported and re-exported, the graph is the same.
    again = nx.node_link_data(graph, edges="edges")
    assert len(again["nodes"]) == len(body["nodes"]) and len(again["edges"]) == len(body["edges"])


def test_filters_and_the_clustered_overview(world, monkeypatch):
    data = basic(world)
    graph = sysmap.system_graph(world.initiative, sysmap.MapFilters(partner=world.other_partner))
    activities = [n for n in graph["nodes"] if n["kind"] == "activity"]
    assert [n["label"] for n in activities] == [data["sales_activity"].title]
    monkeypatch.setattr(sysmap, "DETAIL_LIMIT", 1)
    overview = sysmap.system_graph(world.initiative)
    assert overview["graph"]["view"] == "overview"
    assert {n["kind"] for n in overview["nodes"]} == {"partner", "outcome"}
    works = [e for e in overview["edges"] if e["kind"] == "works_on"]
    assert len(works) == 2 and all(e["weight"] == 1 for e in works)
    spec = sysmap.vega_spec(overview, title="Map", description="d")
    links = spec["data"][1]["values"]
    assert all(0 <= link["source"] < len(overview["nodes"]) for link in links)
