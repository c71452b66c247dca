"""What communication tells the other conditions about partners coming together: the partners
present at each meeting held (`ties.partner_groups`, read through the core's registry)."""

from __future__ import annotations

from django.utils import timezone

from collective.communication import services, ties
from collective.core import conditions
from collective.core.choices import Role
from tests.factories import UserFactory, add_member, make_partner

from .helpers import future_meeting, make_series


def test_partners_present_at_each_meeting_held(world):
    backbone = world.users["backbone"]
    legal = make_partner(world.initiative, "Legal", actor=backbone)
    seller = add_member(
        world.initiative, UserFactory(username="sl"), role=Role.CONTRIBUTOR, partner=legal
    )
    series = make_series(world, days_ago=30)
    first, cancelled = series.occurrences.filter(start__lt=timezone.now()).order_by("-start")[:2]
    # Present: Sales as a partner, the lead of Operations (counts for Operations) and the
    # viewer (no partner). Legal's person only sent apologies.
    services.attendance_record(
        actor=backbone,
        occurrence=first,
        present=[world.users["lead"], world.users["viewer"]],
        apologies=[seller],
        partners=[world.other_partner],
    )
    # A meeting later cancelled, and one not yet held, bring nobody together.
    services.attendance_record(
        actor=backbone, occurrence=cancelled, partners=[world.other_partner, legal]
    )
    services.occurrence_cancel(actor=backbone, occurrence=cancelled, note="Holiday")
    services.attendance_record(
        actor=backbone,
        occurrence=future_meeting(world, series),
        partners=[world.partner, legal],
    )
    expected = [("meeting", frozenset({world.partner.pk, world.other_partner.pk}))]
    assert ties.partner_groups(world.initiative) == expected
    # The registry gathers it for the other conditions, and nothing of another initiative.
    assert conditions.partner_groups(world.initiative) == expected
    assert conditions.partner_groups(world.other) == []
