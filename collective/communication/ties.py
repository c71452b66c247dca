"""What continuous communication tells the other conditions about partners coming together: the
partners present at each meeting that took place (read by `core.conditions.partner_groups`)."""

from __future__ import annotations

from collections import defaultdict

from django.db.models import OuterRef, Subquery
from django.utils import timezone

from collective.core.conditions import PartnerGroup
from collective.core.models import Membership

from .choices import AttendanceStatus, OccurrenceStatus
from .models import Attendance


def partner_groups(initiative) -> list[PartnerGroup]:
    """One group per meeting held (not cancelled, already begun) with the partners recorded as
    present: a partner present as such, or the partner of a person present (one query)."""
    member_partner = Membership.objects.filter(
        initiative_id=initiative.pk, user_id=OuterRef("user_id")
    ).values("partner_id")[:1]
    rows = (
        Attendance.objects.filter(
            initiative=initiative,
            status=AttendanceStatus.PRESENT,
            occurrence__start__lte=timezone.now(),
        )
        .exclude(occurrence__status=OccurrenceStatus.CANCELLED)
        .annotate(member_partner=Subquery(member_partner))
        .values_list("occurrence_id", "partner_id", "member_partner")
        .order_by()
    )
    present: dict[int, set[int]] = defaultdict(set)
    for occurrence_id, partner_id, member_partner_id in rows:
        partner = partner_id or member_partner_id
        if partner:
            present[occurrence_id].add(partner)
    return [
        PartnerGroup("meeting", frozenset(partners))
        for _occurrence, partners in sorted(present.items())
    ]
