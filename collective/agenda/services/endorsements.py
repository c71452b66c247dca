"""Endorsements: a partner lead endorses an adopted version for their partner."""

from __future__ import annotations

from django.db import transaction

from collective.core.audit import audit_record, diff
from collective.core.errors import ApplicationError
from collective.core.models import Partner
from collective.core.rules import membership_for

from ..choices import Stance, VersionStatus
from ..models import AgendaVersion, Endorsement
from ._common import MAX_NOTE, _check_choice, _check_length, _check_partner


def endorsement_record(
    *, actor, version: AgendaVersion, partner: Partner, stance: str, reservations: str = ""
) -> Endorsement:
    _check_choice(stance, Stance, "stance")
    if version.status != VersionStatus.ADOPTED:
        raise ApplicationError(
            f"Only the adopted version can be endorsed; version {version.number} is "
            f"{version.get_status_display().lower()}.",
            code="not_adopted",
        )
    _check_partner(version.initiative, partner, "partner")
    membership = membership_for(actor, version.initiative)
    if membership is None or membership.partner_id != partner.pk:
        raise ApplicationError(
            f"Only the lead of {partner.name} records its endorsement.", code="not_lead"
        )
    reservations = (reservations or "").strip()
    if stance == Stance.RESERVATIONS and not reservations:
        raise ApplicationError(
            "Say what your reservations are, so they can be worked on.",
            errors={"reservations": ["Required when endorsing with reservations."]},
        )
    _check_length(reservations, MAX_NOTE, "reservations")
    if stance == Stance.ENDORSED:
        reservations = ""
    with transaction.atomic():
        previous = (
            Endorsement.objects.filter(version=version, partner=partner)
            .values("stance", "reservations")
            .first()
        ) or {"stance": None, "reservations": ""}
        endorsement, _created = Endorsement.objects.update_or_create(
            version=version,
            partner=partner,
            defaults={
                "initiative": version.initiative,
                "stance": stance,
                "reservations": reservations,
                "recorded_by": actor,
            },
        )
        audit_record(
            actor=actor,
            verb="endorsed" if stance == Stance.ENDORSED else "endorsed with reservations",
            target=endorsement,
            changes={
                "version": version.number,
                "partner": partner.name,
                **diff(previous, {"stance": stance, "reservations": reservations}),
            },
        )
    return endorsement
