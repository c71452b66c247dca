"""Network measures on small crafted graphs equal the figures computed by hand; the evidence and
survey networks and their mismatches."""

from __future__ import annotations

import networkx as nx
import pytest

from collective.activities import network, services
from tests.factories import make_partner

from .helpers import activity


def test_star_measures_by_hand():
    # A star: c in the middle of a, b, d.
    star = nx.Graph([("c", "a"), ("c", "b"), ("c", "d")])
    m = network.measures(star)
    assert m.density == pytest.approx(3 / 6)  # 3 ties of 4·3/2 possible
    assert m.degree == {"c": 3, "a": 1, "b": 1, "d": 1}
    # Freeman: Σ(max − d) / ((n−1)(n−2)) = (0 + 2 + 2 + 2) / (3·2) = 1
    assert m.centralisation == pytest.approx(1.0)
    # c is on the shortest path of all 3 pairs of leaves: 3 / ((n−1)(n−2)/2) = 3 / 3 = 1
    assert m.betweenness["c"] == pytest.approx(1.0)
    assert m.betweenness["a"] == 0


def test_path_measures_by_hand():
    path = nx.Graph([("a", "b"), ("b", "c"), ("c", "d")])
    m = network.measures(path)
    assert m.density == pytest.approx(0.5)
    # degrees 1, 2, 2, 1; max 2: (1 + 0 + 0 + 1) / 6 = 1/3
    assert m.centralisation == pytest.approx(1 / 3)
    # b lies between (a, c) and (a, d): 2 / 3
    assert m.betweenness["b"] == pytest.approx(2 / 3)
    assert m.betweenness["c"] == pytest.approx(2 / 3)


def test_evidence_network_from_the_platform(world):
    backbone = world.users["backbone"]
    third = make_partner(world.initiative, "Legal", actor=backbone)
    a = activity(world, "Checklist", supporting_partners=[world.other_partner])
    b = activity(world, "Contract", partner=third)
    services.dependency_add(actor=None, activity=b, needs=a)
    view = network.evidence_network(world.initiative)
    ties = {frozenset([x.name, y.name]): kinds for x, y, kinds in view.edges}
    assert ties[frozenset(["Operations", "Sales"])] == {"activity": 1}
    assert ties[frozenset(["Operations", "Legal"])] == {"dependency": 1}
    # 4 partners (Operations, its team, Sales, Legal), 2 ties: density 2/6; Operations bridges.
    assert view.measures.density == pytest.approx(2 / 6)
    ops = next(r for r in view.rows if r.partner == world.partner)
    assert ops.degree == 2 and ops.betweenness == pytest.approx(1 / 3)


def test_survey_scores_trends_and_mismatches(world):
    backbone = world.users["backbone"]
    third = make_partner(world.initiative, "Legal", actor=backbone)
    activity(world, "Checklist", supporting_partners=[world.other_partner])  # Ops–Sales work
    first = services.round_open(actor=backbone, initiative=world.initiative, title="Spring")
    services.survey_answer(
        actor=backbone,
        survey=first,
        respondent=world.partner,
        answers=[
            {
                "about": third,
                "collaboration": "collaboration",
                "reliability": 4,
                "mission": 4,
                "openness": 2,
                "power": 3,
                "involvement": 3,
                "resources": 3,
            },
        ],
    )
    services.survey_answer(
        actor=backbone,
        survey=first,
        respondent=world.other_partner,
        answers=[
            {
                "about": third,
                "collaboration": "networking",
                "reliability": 2,
                "mission": 2,
                "openness": 2,
            }
        ],
    )
    view = network.survey_network(world.initiative, first)
    legal = next(r for r in view.rows if r.partner == third)
    # Trust: mean of each answer's mean: ((4+4+2)/3 + (2+2+2)/3) / 2 = (10/3 + 2) / 2 = 8/3
    assert legal.trust == pytest.approx(round(8 / 3, 2))
    assert legal.value == 3.0  # only one answer rated value
    assert legal.answers_received == 2 and view.measures.edges == 2
    found = network.mismatches(world.initiative, first)
    kinds = {(m.kind, frozenset([m.first.name, m.second.name])) for m in found}
    # Ties reported with Legal without shared work; Ops–Sales work nobody reported.
    assert kinds == {
        ("reported_only", frozenset(["Operations", "Legal"])),
        ("reported_only", frozenset(["Sales", "Legal"])),
        ("work_only", frozenset(["Operations", "Sales"])),
    }
    services.round_close(actor=backbone, survey=first)
    second = services.round_open(actor=backbone, initiative=world.initiative, title="Autumn")
    services.survey_answer(
        actor=backbone,
        survey=second,
        respondent=world.partner,
        answers=[
            {
                "about": third,
                "collaboration": "collaboration",
                "reliability": 4,
                "mission": 4,
                "openness": 4,
            },
        ],
    )
    trend = network.trends(world.initiative)[third.pk]
    assert [t[0] for t in trend] == ["Spring", "Autumn"]
    assert trend[1][1] == 4.0
    rounds = network.round_measures(world.initiative)
    assert [(r.title, m.edges) for r, m in rounds] == [("Spring", 2), ("Autumn", 1)]
    # 4 partners: 2 of 6 possible ties, then 1.
    assert [m.density for _r, m in rounds] == [pytest.approx(2 / 6), pytest.approx(1 / 6)]
