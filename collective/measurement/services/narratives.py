"""Writes of the story behind the curve: one narrative per indicator and period."""

from __future__ import annotations

from django.db import transaction

from collective.core.audit import audit_record, diff, snapshot
from collective.core.errors import ApplicationError

from .. import periods
from ..models import Indicator, Narrative
from .targets import check_partner
from .validation import field_error

NARRATIVE_FIELDS = ["story", "factors", "partners_text", "what_works", "action_plan"]


def narrative_save(*, actor, indicator: Indicator, period, **fields) -> Narrative:
    partners = fields.pop("partners", None)
    unknown = set(fields) - set(NARRATIVE_FIELDS)
    if unknown:
        raise ApplicationError(f"Unknown fields: {', '.join(sorted(unknown))}.")
    try:
        p = periods.normalize(period, indicator.frequency)
    except periods.PeriodError as exc:
        raise field_error("period", str(exc)) from exc
    for partner in partners or []:
        check_partner(indicator, partner, "partners")
    cleaned = {k: (v or "").strip() for k, v in fields.items()}
    with transaction.atomic():
        narrative = Narrative.objects.filter(indicator=indicator, period=p.code).first()
        if narrative is None:
            if not any(cleaned.values()):
                raise field_error("story", "Tell the story behind the curve (at least one part).")
            narrative = Narrative.objects.create(
                initiative_id=indicator.initiative_id,
                indicator=indicator,
                period=p.code,
                author=actor if getattr(actor, "is_authenticated", False) else None,
                **cleaned,
            )
            verb, changes = "created", {k: v for k, v in cleaned.items() if v}
        else:
            before = snapshot(narrative, NARRATIVE_FIELDS)
            for key, value in cleaned.items():
                setattr(narrative, key, value)
            changes = diff(before, snapshot(narrative, NARRATIVE_FIELDS))
            if changes:
                narrative.author = actor if getattr(actor, "is_authenticated", False) else None
                narrative.save()
            verb = "updated"
        if partners is not None:
            narrative.partners.set(partners)
        if changes or verb == "created":
            audit_record(actor=actor, verb=verb, target=narrative, changes=changes)
    return narrative
