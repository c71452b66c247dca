"""Writes of the capability list (the backbone) and partners' strength ratings."""

from __future__ import annotations

from django.db import IntegrityError, transaction

from collective.core.audit import audit_record
from collective.core.errors import CONFLICT, ApplicationError
from collective.core.models import Initiative, Partner

from ..choices import DEFAULT_CAPABILITIES
from ..models import Capability, PartnerStrength
from ._common import check_partner, check_rating, check_text, require_acts_for


def capability_create(
    *, actor, initiative: Initiative, name: str, description: str = ""
) -> Capability:
    name = check_text(name, "name", required=True, limit=100)
    description = check_text(description, "description", limit=300)
    if Capability.objects.filter(initiative=initiative, name__iexact=name).exists():
        raise ApplicationError(
            f"“{name}” is already on the list.",
            errors={"name": ["Already on the list."]},
            code=CONFLICT,
        )
    try:
        with transaction.atomic():
            capability = Capability.objects.create(
                initiative=initiative, name=name, description=description
            )
            audit_record(
                actor=actor,
                verb="capability.create",
                target=capability,
                changes={"name": name, "description": description},
            )
    except IntegrityError as exc:
        raise ApplicationError(
            f"“{name}” is already on the list.",
            errors={"name": ["Already on the list."]},
            code=CONFLICT,
        ) from exc
    return capability


def capability_update(
    *, actor, capability: Capability, name: str, description: str = ""
) -> Capability:
    name = check_text(name, "name", required=True, limit=100)
    description = check_text(description, "description", limit=300)
    clash = Capability.objects.filter(initiative=capability.initiative, name__iexact=name).exclude(
        pk=capability.pk
    )
    if clash.exists():
        raise ApplicationError(
            f"“{name}” is already on the list.",
            errors={"name": ["Already on the list."]},
            code=CONFLICT,
        )
    changes = {}
    if capability.name != name:
        changes["name"] = {"from": capability.name, "to": name}
    if capability.description != description:
        changes["description"] = {"from": capability.description, "to": description}
    with transaction.atomic():
        capability.name, capability.description = name, description
        capability.save()
        if changes:
            audit_record(actor=actor, verb="capability.update", target=capability, changes=changes)
    return capability


def capability_remove(*, actor, capability: Capability) -> None:
    with transaction.atomic():
        rated = capability.ratings.count()
        audit_record(
            actor=actor,
            verb="capability.delete",
            target=capability,
            changes={"name": capability.name, "ratings_removed": rated},
        )
        capability.delete()


def capabilities_add_defaults(*, actor, initiative: Initiative) -> list[Capability]:
    """Add the sensible default capabilities that are not on the list yet."""
    existing = {
        n.lower()
        for n in Capability.objects.filter(initiative=initiative).values_list("name", flat=True)
    }
    added = []
    with transaction.atomic():
        for name, description in DEFAULT_CAPABILITIES:
            if name.lower() in existing:
                continue
            added.append(
                Capability.objects.create(initiative=initiative, name=name, description=description)
            )
        if added:
            audit_record(
                actor=actor,
                verb="capability.defaults",
                target=initiative,
                changes={"added": [c.name for c in added]},
            )
    return added


def strengths_rate(*, actor, partner: Partner, ratings: dict) -> dict:
    """Set a partner's ratings at once: {capability: level 1–4 or None (not a strength)}.

    All ratings are checked first; one bad rating saves none.
    """
    initiative = partner.initiative
    check_partner(initiative, partner, "partner")
    require_acts_for(actor, partner, "rate strengths")
    checked: dict[Capability, int | None] = {}
    errors: dict[str, list[str]] = {}
    for capability, level in ratings.items():
        if capability.initiative_id != initiative.pk:
            raise ApplicationError(
                "That capability belongs to another initiative.",
                errors={"capability": ["Unknown capability."]},
            )
        try:
            checked[capability] = check_rating(level, f"capability_{capability.pk}")
        except ApplicationError as error:
            errors.update(error.errors)
    if errors:
        raise ApplicationError(
            "Strengths are rated from 1 (some) to 4 (a leading strength); fix the marked ones.",
            errors=errors,
        )
    existing = {s.capability_id: s for s in PartnerStrength.objects.filter(partner=partner)}
    changes = {}
    with transaction.atomic():
        for capability, level in checked.items():
            current = existing.get(capability.pk)
            old = current.level if current else None
            if old == level:
                continue
            if level is None:
                current.delete()
            elif current is None:
                PartnerStrength.objects.create(
                    initiative=initiative, partner=partner, capability=capability, level=level
                )
            else:
                current.level = level
                current.save(update_fields=["level", "updated_at"])
            changes[capability.name] = {"from": old, "to": level}
        if changes:
            audit_record(actor=actor, verb="strengths.rate", target=partner, changes=changes)
    return changes
