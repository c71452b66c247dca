"""The version diff: pure functions, property-tested with hypothesis."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from collective.agenda import selectors, services
from collective.agenda.diff import (
    AgendaSnapshot,
    NodeData,
    apply_diff,
    diff_snapshots,
    replay_word_diff,
    tree_order,
    word_diff,
)

UIDS = [f"u{i}" for i in range(8)]
words = st.text(alphabet="abc xyz\n", max_size=30)
partners = st.sampled_from(["Sales", "Ops", "Legal", None])


@st.composite
def snapshots(draw):
    chosen = draw(st.lists(st.sampled_from(UIDS), unique=True, max_size=len(UIDS)))
    nodes = {}
    for index, uid in enumerate(chosen):
        parent = draw(st.sampled_from([None, *chosen[:index]]))
        nodes[uid] = NodeData(
            statement=draw(words),
            parent=parent,
            kind=draw(st.sampled_from(["goal", "outcome", "sub_outcome"])),
            horizon=draw(st.sampled_from(["short", "medium", "long"])),
            lead=draw(partners),
            co=frozenset(draw(st.lists(st.sampled_from(["Sales", "Ops", "Legal"])))),
            order=draw(st.integers(0, 5)),
            description=draw(words),
        )
    texts = {name: draw(words) for name in ("problem_statement", "vision", "principles")}
    return AgendaSnapshot(texts=texts, nodes=nodes)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(snapshots(), snapshots())
def test_applying_the_diff_of_a_to_b_to_a_gives_b(a, b):
    d = diff_snapshots(a, b)
    assert apply_diff(a, d) == b
    assert set(d.added) == set(b.nodes) - set(a.nodes)
    assert set(d.removed) == set(a.nodes) - set(b.nodes)
    assert d.is_empty == (a == b)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(words, words)
def test_word_diff_replays_both_texts(old, new):
    parts = word_diff(old, new)
    assert replay_word_diff(parts) == (old, new)
    if old == new:
        assert all(p.op == "equal" for p in parts)


@settings(deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(snapshots())
def test_tree_order_lists_every_node_once_parents_first(snapshot):
    order = tree_order(snapshot.nodes)
    uids = [uid for uid, _depth in order]
    assert sorted(uids) == sorted(snapshot.nodes)
    position = {uid: i for i, uid in enumerate(uids)}
    for uid, node in snapshot.nodes.items():
        if node.parent in snapshot.nodes:
            assert position[node.parent] < position[uid]


def test_word_diff_marks_changed_words_only():
    parts = word_diff("live within 14 days", "live within 10 days")
    assert [(p.op, p.text) for p in parts if p.op != "equal"] == [
        ("delete", "14"),
        ("insert", "10"),
    ]


def test_changes_are_classified():
    a = AgendaSnapshot(
        texts={"vision": "v"},
        nodes={"g": NodeData("Goal"), "o": NodeData("Old words", parent="g", horizon="short")},
    )
    b = AgendaSnapshot(
        texts={"vision": "v2"},
        nodes={
            "g": NodeData("Goal"),
            "o": NodeData("New words", parent=None, horizon="long", lead="Ops"),
            "n": NodeData("Added"),
        },
    )
    d = diff_snapshots(a, b)
    change = d.changed["o"]
    assert change.reworded and change.moved
    assert change.changed_fields == ["horizon", "lead partner"]
    assert list(d.added) == ["n"] and not d.removed
    assert d.texts == {"vision": ("v", "v2")}


@pytest.mark.django_db
def test_snapshots_of_real_versions_diff_by_stable_uid(world):
    from .helpers import adopted_version

    v1 = adopted_version(world)
    backbone = world.users["backbone"]
    v2 = services.agenda_draft_create(actor=backbone, initiative=world.initiative)
    nodes = selectors.outcome_tree(v2)
    services.outcome_update(
        actor=backbone, node=nodes[1], revision=v2.revision, statement="Hand-offs take hours"
    )
    v2.refresh_from_db()
    services.outcome_remove(actor=backbone, node=nodes[2], revision=v2.revision)
    v2.refresh_from_db()
    services.outcome_add(
        actor=backbone, version=v2, revision=v2.revision, statement="New", parent=nodes[0]
    )
    a, b = selectors.snapshot_of(v1), selectors.snapshot_of(v2)
    d = diff_snapshots(a, b)
    assert [n.statement for n in d.added.values()] == ["New"]
    assert [n.statement for n in d.removed.values()] == ["Sales notes reach Operations"]
    assert [c.after.statement for c in d.reworded] == ["Hand-offs take hours"]
    assert apply_diff(a, d) == b
