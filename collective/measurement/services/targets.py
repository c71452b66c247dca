"""Writes of targets (collective or per partner) and reporting duties (who reports what)."""

from __future__ import annotations

from django.db import transaction

from collective.core.audit import audit_record, diff, snapshot
from collective.core.models import Partner

from .. import periods
from ..engine import status
from ..models import Indicator, ReportingAssignment, Target
from .validation import field_error, parse_number


def check_partner(indicator: Indicator, partner: Partner | None, name="partner") -> None:
    if partner is not None and partner.initiative_id != indicator.initiative_id:
        raise field_error(name, "Choose a partner of this initiative.")


def target_set(
    *, actor, indicator: Indicator, period, value, partner: Partner | None = None
) -> Target:
    check_partner(indicator, partner)
    try:
        p = periods.normalize(period, indicator.frequency)
    except periods.PeriodError as exc:
        raise field_error("period", str(exc)) from exc
    number = parse_number(value)
    if number is None:
        raise field_error("value", "Enter the target value.")
    if isinstance(number, str):
        raise field_error("value", number)
    with transaction.atomic():
        target = Target.objects.filter(indicator=indicator, period=p.code, partner=partner).first()
        before = target.value if target else None
        if target is None:
            target = Target.objects.create(
                initiative_id=indicator.initiative_id,
                indicator=indicator,
                period=p.code,
                period_start=p.start,
                partner=partner,
                value=number,
            )
        elif target.value != number:
            target.value = number
            target.save(update_fields=["value"])
        else:
            return target
        audit_record(
            actor=actor,
            verb="set target",
            target=indicator,
            changes={
                "target": [str(before) if before is not None else None, str(number)],
                "period": p.code,
                "partner": str(partner) if partner else "collective",
            },
        )
        status.refresh(indicator.initiative, [(indicator.pk, partner.pk if partner else None)])
    return target


def target_delete(*, actor, target: Target) -> None:
    indicator = target.indicator
    with transaction.atomic():
        audit_record(
            actor=actor,
            verb="deleted target",
            target=indicator,
            changes={
                "period": target.period,
                "value": str(target.value),
                "partner": str(target.partner) if target.partner_id else "collective",
            },
        )
        scope = target.partner_id
        target.delete()
        status.refresh(indicator.initiative, [(indicator.pk, scope)])


def assignment_set(
    *,
    actor,
    indicator: Indicator,
    partner: Partner,
    due_days: int = 15,
    starts_period: str = "",
    active: bool = True,
) -> ReportingAssignment:
    check_partner(indicator, partner)
    if partner is None:
        raise field_error("partner", "Choose the partner who reports.")
    if indicator.formula:
        raise field_error(
            "indicator", f"{indicator.code} is computed from a formula: nobody reports it."
        )
    try:
        due_days = int(due_days)
    except (TypeError, ValueError):
        raise field_error("due_days", "Enter a number of days.") from None
    if not 0 <= due_days <= 366:
        raise field_error("due_days", "Between 0 and 366 days after the period ends.")
    if starts_period:
        try:
            starts_period = periods.normalize(starts_period, indicator.frequency).code
        except periods.PeriodError as exc:
            raise field_error("starts_period", str(exc)) from exc
    with transaction.atomic():
        assignment, created = ReportingAssignment.objects.get_or_create(
            indicator=indicator,
            partner=partner,
            defaults={
                "initiative_id": indicator.initiative_id,
                "due_days": due_days,
                "starts_period": starts_period or "",
                "active": active,
            },
        )
        if created:
            audit_record(
                actor=actor,
                verb="assigned reporting",
                target=assignment,
                changes={"due_days": due_days, "starts_period": starts_period or ""},
            )
            return assignment
        before = snapshot(assignment, ["due_days", "starts_period", "active"])
        assignment.due_days, assignment.starts_period = due_days, starts_period or ""
        assignment.active = active
        changes = diff(before, snapshot(assignment, ["due_days", "starts_period", "active"]))
        if changes:
            assignment.save()
            audit_record(actor=actor, verb="updated", target=assignment, changes=changes)
    return assignment


def assignment_delete(*, actor, assignment: ReportingAssignment) -> None:
    with transaction.atomic():
        audit_record(actor=actor, verb="deleted", target=assignment, changes={})
        assignment.delete()
