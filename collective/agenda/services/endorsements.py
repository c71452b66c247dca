"""Endorsements: a partner lead records where their partner stands on the adopted version."""

from __future__ import annotations

from django.db import transaction

from collective.core.audit import audit_record, diff
from collective.core.errors import CONFLICT, FORBIDDEN, ApplicationError
from collective.core.models import Partner
from collective.core.rules import membership_for

from ..choices import Stance, VersionStatus
from ..models import AgendaVersion, Endorsement
from ._common import MAX_NOTE, _check_choice, _check_length, _check_partner

VERBS = {
    Stance.ENDORSED: "endorsed",
    Stance.RESERVATIONS: "endorsed with reservations",
    Stance.DECLINED: "did not endorse",
}


def endorsement_record(
    *,
    actor,
    version: AgendaVersion,
    partner: Partner,
    stance: str,
    reservations: str = "",
    reason: str = "",
) -> Endorsement:
    """Endorsed, endorsed with reservations (saying what would need to change), or does not
    endorse (saying why). Only the text that belongs to the stance is kept."""
    _check_choice(stance, Stance, "stance")
    if version.status != VersionStatus.ADOPTED:
        raise ApplicationError(
            f"Only the adopted version can be endorsed; version {version.number} is "
            f"{version.get_status_display().lower()}.",
            code="not_adopted",
            kind=CONFLICT,
        )
    _check_partner(version.initiative, partner, "partner")
    membership = membership_for(actor, version.initiative)
    if membership is None or membership.partner_id != partner.pk:
        raise ApplicationError(
            f"Only the lead of {partner.name} records its endorsement.",
            code="not_lead",
            kind=FORBIDDEN,
        )
    reservations = (reservations or "").strip()
    if stance == Stance.RESERVATIONS and not reservations:
        raise ApplicationError(
            "Say what your reservations are, so they can be worked on.",
            errors={"reservations": ["Required when endorsing with reservations."]},
        )
    reason = (reason or "").strip()
    if stance == Stance.DECLINED and not reason:
        raise ApplicationError(
            f"Say why {partner.name} does not endorse this version, so it can be worked on.",
            errors={"reason": ["Required when not endorsing."]},
        )
    _check_length(reservations, MAX_NOTE, "reservations")
    _check_length(reason, MAX_NOTE, "reason")
    if stance != Stance.RESERVATIONS:
        reservations = ""
    if stance != Stance.DECLINED:
        reason = ""
    with transaction.atomic():
        previous = (
            Endorsement.objects.filter(version=version, partner=partner)
            .values("stance", "reservations", "reason")
            .first()
        ) or {"stance": None, "reservations": "", "reason": ""}
        endorsement, _created = Endorsement.objects.update_or_create(
            version=version,
            partner=partner,
            defaults={
                "initiative": version.initiative,
                "stance": stance,
                "reservations": reservations,
                "reason": reason,
                "recorded_by": actor,
            },
        )
        audit_record(
            actor=actor,
            verb=VERBS[stance],
            target=endorsement,
            changes={
                "version": version.number,
                "partner": partner.name,
                **diff(
                    previous, {"stance": stance, "reservations": reservations, "reason": reason}
                ),
            },
        )
    return endorsement
