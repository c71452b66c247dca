"""Ties between partners that another condition tells the activities app about: help one
partner offered another (listener of the core's help-offered event, registered in apps.py). It
feeds the evidence network; the app that raises the event audits the change. Meetings partners
attended together are read when the network is drawn (`core.conditions.partner_groups`), so they
are never copied here."""

from __future__ import annotations

from django.db.models import F
from django.utils import timezone

from collective.core.models import Initiative, Partner

from ..models import HelpTie


def help_record(
    *, actor, initiative: Initiative, from_partner: Partner, to_partner: Partner, **details
) -> HelpTie | None:
    """Listener of the core's help-offered event: count help given as a tie between partners."""
    if (
        from_partner is None
        or to_partner is None
        or from_partner.pk == to_partner.pk
        or from_partner.initiative_id != initiative.pk
        or to_partner.initiative_id != initiative.pk
    ):
        return None
    now = timezone.now()
    tie, _created = HelpTie.objects.get_or_create(
        from_partner=from_partner,
        to_partner=to_partner,
        defaults={"initiative": initiative, "count": 0, "last_at": now},
    )
    # F(): two offers at the same time both count.
    HelpTie.objects.filter(pk=tie.pk).update(count=F("count") + 1, last_at=now)
    tie.refresh_from_db(fields=["count", "last_at"])
    return tie
