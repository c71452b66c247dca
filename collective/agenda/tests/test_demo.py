"""The agenda demo: two initiatives with history and a live consultation; loading is idempotent."""

from __future__ import annotations

from datetime import timedelta

import pytest

from collective.agenda import demo, selectors
from collective.agenda.models import AgendaVersion, ConsultationItem, Endorsement, Outcome
from collective.core import demo as core_demo
from collective.core.models import AuditEvent

pytestmark = pytest.mark.django_db


def _counts():
    return (
        AgendaVersion.objects.count(),
        Outcome.objects.count(),
        ConsultationItem.objects.count(),
        Endorsement.objects.count(),
        AuditEvent.objects.count(),
    )


def test_demo_has_history_and_a_live_consultation_and_loads_once(mailoutbox):
    world = core_demo.load()
    demo.load(world)
    for initiative in (world.company, world.coalition):
        statuses = list(
            AgendaVersion.objects.filter(initiative=initiative)
            .order_by("number")
            .values_list("status", flat=True)
        )
        assert statuses == ["superseded", "adopted", "consultation"]
        v3 = AgendaVersion.objects.get(initiative=initiative, number=3)
        items = ConsultationItem.objects.filter(version=v3)
        assert {i.kind for i in items} == {"comment", "amendment", "concern", "support"}
        assert {i.status for i in items if i.kind == "amendment"} == {
            "open",
            "accepted",
            "declined",
        }
        assert len({i.partner_id for i in items}) >= 4
        assert len({i.author.level for i in items}) >= 3
        assert items.filter(parent__isnull=False).exists()
        stances = set(
            Endorsement.objects.filter(version__initiative=initiative).values_list(
                "stance", flat=True
            )
        )
        assert stances == {"endorsed", "reservations"}
        for e in Endorsement.objects.filter(version__initiative=initiative):
            # Recorded after the version was adopted, not on the day the demo was loaded.
            assert e.version.adopted_at < e.updated_at < e.version.adopted_at + timedelta(60)
        v1, v2 = (AgendaVersion.objects.get(initiative=initiative, number=n) for n in (1, 2))
        assert v2.rationale and v2.learning
        from collective.agenda.diff import diff_snapshots

        d = diff_snapshots(selectors.snapshot_of(v1), selectors.snapshot_of(v2))
        assert d.added and d.reworded and d.texts
    assert not mailoutbox  # the demo tells nobody
    before = _counts()
    demo.load(core_demo.load())
    assert _counts() == before
