"""Gaps on crafted data, including "what if X leaves" (articulation points)."""

from __future__ import annotations

from collective.activities import gaps, services
from tests.factories import make_partner

from .helpers import activity, claim, indicator, outcomes


def _kinds(found):
    return {(g.kind, g.title) for g in found}


def test_gaps_on_crafted_data(world):
    goal, handoff, sub = outcomes(world)
    backbone = world.users["backbone"]
    lonely = make_partner(world.initiative, "Legal", actor=backbone)
    indicator(world, "HANDOFF_DAYS", outcome=handoff)
    unreported = indicator(world, "UNREPORTED", level="output")
    # Hand-offs: two partners, one with a systems lever. Sub-outcome: Sales only (fragile).
    a = activity(world, "Checklist", lever="practices")
    b = activity(world, "Notes template", partner=world.other_partner)
    claim(world, a, handoff)
    claim(world, b, handoff)
    c = activity(world, "Notes training", partner=world.other_partner)
    claim(world, c, sub)
    activity(world, "Idle work", partner=lonely)  # no claim
    found = gaps.gap_list(world.initiative)
    kinds = _kinds(found)
    assert ("no_activity", goal.title) in kinds
    assert ("fragile", sub.title) in kinds
    assert ("fragile", handoff.title) not in kinds
    assert ("programme_only", sub.title) in kinds
    assert ("programme_only", handoff.title) not in kinds  # one activity pulls a lever
    assert ("no_indicator", goal.title) in kinds and ("no_indicator", handoff.title) not in kinds
    assert ("unreported", f"UNREPORTED — {unreported.name}") in kinds
    assert ("idle_partner", "Legal") in kinds
    assert ("idle_partner", "Operations") not in kinds
    # Sales alone covers the sub-outcome: it is an articulation point of the graph.
    assert ("articulation", "Sales") in kinds
    fragile = next(g for g in found if g.kind == "fragile")
    assert fragile.next_step and fragile.url.endswith(f"/outcomes/{sub.uid}/")


def test_gap_suggestions_come_from_strengths(world):
    _goal, handoff, _sub = outcomes(world)
    cap = services.capability_create(
        actor=None,
        initiative=world.initiative,
        name="Hand-off design",
        description="Designing hand-offs",
    )
    services.strengths_rate(actor=None, partner=world.other_partner, ratings={cap: 4})
    found = gaps.gap_list(world.initiative)
    gap = next(g for g in found if g.kind == "no_activity" and g.title == handoff.title)
    assert gap.suggestions[0].partner == world.other_partner
    assert "Hand-off design (4/4)" in gap.suggestions[0].reason


def test_an_outcome_hanging_on_one_partners_activity(world):
    _goal, handoff, _sub = outcomes(world)
    third = make_partner(world.initiative, "Platform", actor=world.users["backbone"])
    pack = activity(world, "Evidence pack", partner=third)
    a = activity(world, "Answers")
    b = activity(world, "Agreement", partner=world.other_partner)
    claim(world, a, handoff)
    claim(world, b, handoff)
    services.dependency_add(actor=None, activity=a, needs=pack)
    assert "single_point" not in {g.kind for g in gaps.gap_list(world.initiative)}
    services.dependency_add(actor=None, activity=b, needs=pack)
    hanging = [g for g in gaps.gap_list(world.initiative) if g.kind == "single_point"]
    assert [(g.title, "Platform" in g.detail) for g in hanging] == [(handoff.title, True)]


def test_what_if_a_partner_leaves(world):
    goal, handoff, sub = outcomes(world)
    third = make_partner(world.initiative, "Legal", actor=world.users["backbone"])
    ops = activity(world, "Checklist")
    sales = activity(world, "Notes", partner=world.other_partner)
    legal = activity(world, "Contract review", partner=third)
    claim(world, ops, handoff)
    claim(world, sales, handoff)
    claim(world, ops, goal)
    claim(world, legal, goal)
    claim(world, ops, sub)  # Operations alone
    services.dependency_add(actor=None, activity=legal, needs=ops)
    result = gaps.what_if(world.initiative, world.partner)
    assert result.lost == [sub]
    assert sorted(o.title for o in result.weakened) == sorted([goal.title, handoff.title])
    assert result.stranded == [legal]
    # Partners + outcomes connected through Operations; without it the graph splits.
    assert result.components_after > result.components_before
    nobody = gaps.what_if(world.initiative, world.subpartner)
    assert nobody.lost == [] and nobody.stranded == []
