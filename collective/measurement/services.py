"""Writes of shared measurement: indicators, targets, reporting duties, values, reviews, stories.

Every write validates first, runs in one transaction, records an audit entry and keeps the
roll-ups and statuses fresh (`rollups.refresh` for the affected cells and scopes, then
`status.refresh` for the affected indicator × scope pairs).

The bulk path (`observations_upsert_bulk`, used by the API and by imports) avoids per-row ORM
objects: rows are checked in plain Python against lookups loaded once, then written in batches
(SQLite: `executemany`; PostgreSQL: COPY); history rows likewise; roll-ups are recomputed once
for all the affected cells, inside the database. The single-value path (`observation_upsert`,
used by the entry grid) writes with a few plain SQL statements for the same reason: it runs
once per value typed.
"""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, models, transaction
from django.utils import timezone

from collective.core import ids
from collective.core.audit import audit_fields, audit_record, diff, snapshot
from collective.core.errors import CONFLICT, ApplicationError
from collective.core.models import AuditEvent, Initiative, Partner
from collective.core.numbers import format_value

from . import periods, rollups, status
from .choices import (
    Aggregation,
    Direction,
    Frequency,
    IndicatorLevel,
    ObservationStatus,
    RbaQuestion,
    Source,
    ValueType,
)
from .formula import CODE_RE, FormulaError
from .formula import check as check_formula
from .formula import parse as parse_formula
from .models import (
    Indicator,
    Narrative,
    Observation,
    ObservationHistory,
    ReportingAssignment,
    Target,
)
from .rules import entry_scope

MAX_ABS = Decimal(10) ** 15
RETRIES = 3  # attempts when a concurrent writer created the same value first
Q6 = Decimal("0.000001")
BATCH = 5000

# --- Indicators ------------------------------------------------------------------------------

INDICATOR_FIELDS = [
    "name",
    "definition",
    "unit",
    "value_type",
    "direction",
    "level",
    "rba_question",
    "frequency",
    "aggregation",
    "cumulative",
    "formula",
    "owner_partner",
    "data_source",
    "min_value",
    "max_value",
    "breakdown_dimension",
    "breakdown_values",
    "baseline_value",
    "baseline_period",
    "decimals",
    "is_public",
]
CHOICE_FIELDS = {
    "value_type": ValueType,
    "direction": Direction,
    "level": IndicatorLevel,
    "rba_question": RbaQuestion,
    "frequency": Frequency,
    "aggregation": Aggregation,
}
# Changing these recomputes every roll-up of the indicator.
ROLLUP_FIELDS = {"aggregation", "cumulative", "formula", "value_type"}
# Changing these only changes how the status reads.
STATUS_FIELDS = {"direction", "decimals", "unit", "baseline_value", "baseline_period"}


def _error(field_name: str, message: str, summary: str | None = None) -> ApplicationError:
    return ApplicationError(summary or message, errors={field_name: [message]})


def _decimal_field(value, field_name: str) -> Decimal | None:
    if value is None or value == "":
        return None
    parsed = parse_number(value)
    if parsed is None or isinstance(parsed, str):
        raise _error(field_name, parsed or f"'{value}' is not a number.")
    return parsed


def _validate_indicator(indicator: Indicator, outcomes) -> None:
    errors: dict[str, list[str]] = {}

    def add(name, message):
        errors.setdefault(name, []).append(message)

    indicator.code = (indicator.code or "").strip().upper()
    indicator.name = (indicator.name or "").strip()
    if not indicator.code:
        add("code", "Give the indicator a short code, e.g. DAYS_TO_LIVE.")
    elif not CODE_RE.match(indicator.code) or len(indicator.code) > 40:
        add(
            "code",
            "Use capital letters, digits, '_' or '.', starting with a letter "
            "(at most 40 characters).",
        )
    elif (
        Indicator.objects.filter(initiative=indicator.initiative, code__iexact=indicator.code)
        .exclude(pk=indicator.pk)
        .exists()
    ):
        add("code", f"The code {indicator.code} is already used in this initiative.")
    if not indicator.name:
        add("name", "Give the indicator a name.")
    for name, choices in CHOICE_FIELDS.items():
        if getattr(indicator, name) not in choices.values:
            add(name, f"Choose one of: {', '.join(choices.values)}.")
    if indicator.cumulative and indicator.aggregation not in (Aggregation.SUM, Aggregation.RATIO):
        add(
            "cumulative",
            "Only indicators summed across partners (or ratios) can add up over time.",
        )
    for name in ("min_value", "max_value", "baseline_value"):
        try:
            setattr(indicator, name, _decimal_field(getattr(indicator, name), name))
        except ApplicationError as exc:
            add(name, exc.message)
    if (
        indicator.min_value is not None
        and indicator.max_value is not None
        and indicator.min_value > indicator.max_value
    ):
        add("max_value", "The highest valid value is below the lowest.")
    if indicator.baseline_period:
        try:
            indicator.baseline_period = periods.normalize(
                indicator.baseline_period, indicator.frequency
            ).code
        except periods.PeriodError as exc:
            add("baseline_period", str(exc))
    dimension = (indicator.breakdown_dimension or "").strip()
    indicator.breakdown_dimension = dimension
    values = indicator.breakdown_values or []
    if isinstance(values, str):
        values = re.split(r"[\n,;]", values)
    values = [str(v).strip() for v in values if str(v).strip()]
    if dimension and not values:
        add("breakdown_values", f"List the values of '{dimension}' (at least one).")
    if values and not dimension:
        add("breakdown_dimension", "Name the dimension the values belong to, e.g. Age group.")
    if len({v.lower() for v in values}) != len(values):
        add("breakdown_values", "Each value may appear once.")
    if any(len(v) > 60 for v in values):
        add("breakdown_values", "Each value may be at most 60 characters long.")
    indicator.breakdown_values = values
    if indicator.decimals is None or not 0 <= int(indicator.decimals) <= 6:
        add("decimals", "Between 0 and 6.")
    if indicator.owner_partner is not None and (
        indicator.owner_partner.initiative_id != indicator.initiative_id
    ):
        add("owner_partner", "Choose a partner of this initiative.")
    for outcome in outcomes or []:
        if outcome.initiative_id != indicator.initiative_id:
            add("outcomes", "Choose outcomes of this initiative's agenda.")
            break
    indicator.formula = (indicator.formula or "").strip()
    if indicator.formula:
        if dimension:
            add("breakdown_dimension", "A computed indicator cannot have a breakdown.")
        others = dict(
            Indicator.objects.filter(initiative=indicator.initiative)
            .exclude(pk=indicator.pk)
            .values_list("code", "formula")
        )
        try:
            parsed = check_formula(
                indicator.formula,
                own_code=indicator.code,
                formulas=others,
                known=set(others),
            )
        except FormulaError as exc:
            add("formula", str(exc))
        else:
            wrong = sorted(
                Indicator.objects.filter(initiative=indicator.initiative, code__in=parsed.codes)
                .exclude(frequency=indicator.frequency)
                .values_list("code", flat=True)
            )
            if wrong:
                add(
                    "formula",
                    f"{', '.join(wrong)} {'is' if len(wrong) == 1 else 'are'} not reported "
                    f"{Frequency(indicator.frequency).label.lower()} like this indicator.",
                )
    if errors:
        first = next(iter(errors.values()))[0]
        raise ApplicationError(first, errors=errors)
    try:
        indicator.full_clean(
            exclude=["initiative", "outcomes", "owner_partner"],
            validate_unique=False,
            validate_constraints=False,
        )
    except ValidationError as exc:
        message_dict = exc.message_dict
        raise ApplicationError(next(iter(message_dict.values()))[0], errors=message_dict) from exc


def _formula_codes(text: str) -> frozenset:
    try:
        return parse_formula(text).codes
    except FormulaError:
        return frozenset()


def _indicator_fields(fields: dict) -> dict:
    unknown = set(fields) - set(INDICATOR_FIELDS) - {"outcomes", "code"}
    if unknown:
        raise ApplicationError(f"Unknown indicator fields: {', '.join(sorted(unknown))}.")
    return fields


def indicator_create(*, actor, initiative: Initiative, code: str, name: str, **fields) -> Indicator:
    _indicator_fields(fields)
    outcomes = fields.pop("outcomes", None)
    indicator = Indicator(initiative=initiative, code=code, name=name, **fields)
    _validate_indicator(indicator, outcomes)
    with transaction.atomic():
        indicator.save()
        if outcomes:
            indicator.outcomes.set(outcomes)
        audit_record(
            actor=actor,
            verb="created",
            target=indicator,
            changes=snapshot(indicator, ["code", "name", "level", "frequency", "aggregation"]),
        )
        status.refresh(initiative, [(indicator.pk, None)])
    return indicator


def _has_data(indicator: Indicator) -> bool:
    return Observation.objects.filter(indicator=indicator).exists()


def indicator_update(*, actor, indicator: Indicator, **fields) -> Indicator:
    _indicator_fields(fields)
    outcomes = fields.pop("outcomes", None)
    tracked = ["code", *INDICATOR_FIELDS]
    before = snapshot(indicator, tracked)
    old_code = indicator.code
    for key, value in fields.items():
        setattr(indicator, key, value)
    _validate_indicator(indicator, outcomes)
    changes = diff(before, snapshot(indicator, tracked))
    locked = {"frequency", "breakdown_dimension", "breakdown_values"} & set(changes)
    if locked and _has_data(indicator):
        count = Observation.objects.filter(indicator=indicator).count()
        what = {
            "frequency": "how often it is reported",
            "breakdown_dimension": "its breakdown",
            "breakdown_values": "its breakdown values",
        }
        raise ApplicationError(
            f"{indicator.code} already has {count:,} reported value{'s' if count != 1 else ''}: "
            f"changing {' and '.join(what[k] for k in sorted(locked))} would make them "
            "meaningless. Create a new indicator instead (and archive this one when its "
            "history is no longer needed).",
            errors={k: ["Cannot change once values are reported."] for k in sorted(locked)},
            code="has_values",
            kind=CONFLICT,
        )
    if "code" in changes:
        users = [
            code
            for code, text in Indicator.objects.filter(initiative=indicator.initiative)
            .exclude(pk=indicator.pk)
            .exclude(formula="")
            .values_list("code", "formula")
            if old_code in _formula_codes(text)
        ]
        if users:
            raise _error(
                "code",
                f"The formulas of {', '.join(users)} use {old_code}: change them first.",
            )
    outcomes_changed = outcomes is not None and {o.pk for o in outcomes} != set(
        indicator.outcomes.values_list("pk", flat=True)
    )
    if not changes and not outcomes_changed:
        return indicator
    with transaction.atomic():
        indicator.save()
        if outcomes_changed:
            indicator.outcomes.set(outcomes)
            changes["outcomes"] = [o.title for o in outcomes]
        audit_record(actor=actor, verb="updated", target=indicator, changes=changes)
        if ROLLUP_FIELDS & set(changes):
            _rebuild_indicator(indicator)
        elif STATUS_FIELDS & set(changes):
            _refresh_status_all_scopes(indicator)
    return indicator


def _rebuild_indicator(indicator: Indicator) -> None:
    pairs = rollups.rebuild(indicator.initiative, [indicator.pk])
    from .models import IndicatorStatus

    IndicatorStatus.objects.filter(indicator=indicator).delete()
    status.refresh(indicator.initiative, pairs | {(indicator.pk, None)})


def _refresh_status_all_scopes(indicator: Indicator) -> None:
    from .models import Rollup

    scopes = set(
        Rollup.objects.filter(indicator=indicator).values_list("scope_id", flat=True).distinct()
    )
    status.refresh(indicator.initiative, {(indicator.pk, s) for s in scopes | {None}})


def indicator_archive(*, actor, indicator: Indicator, archived: bool = True) -> Indicator:
    if indicator.archived == archived:
        return indicator
    with transaction.atomic():
        indicator.archived = archived
        indicator.save(update_fields=["archived", "updated_at"])
        audit_record(
            actor=actor,
            verb="archived" if archived else "restored",
            target=indicator,
            changes={"archived": {"from": not archived, "to": archived}},
        )
    return indicator


# --- Targets and reporting duties ------------------------------------------------------------


def _check_partner(indicator: Indicator, partner: Partner | None, name="partner") -> None:
    if partner is not None and partner.initiative_id != indicator.initiative_id:
        raise _error(name, "Choose a partner of this initiative.")


def target_set(
    *, actor, indicator: Indicator, period, value, partner: Partner | None = None
) -> Target:
    _check_partner(indicator, partner)
    try:
        p = periods.normalize(period, indicator.frequency)
    except periods.PeriodError as exc:
        raise _error("period", str(exc)) from exc
    number = parse_number(value)
    if number is None:
        raise _error("value", "Enter the target value.")
    if isinstance(number, str):
        raise _error("value", number)
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
    _check_partner(indicator, partner)
    if partner is None:
        raise _error("partner", "Choose the partner who reports.")
    if indicator.formula:
        raise _error(
            "indicator", f"{indicator.code} is computed from a formula: nobody reports it."
        )
    try:
        due_days = int(due_days)
    except (TypeError, ValueError):
        raise _error("due_days", "Enter a number of days.") from None
    if not 0 <= due_days <= 366:
        raise _error("due_days", "Between 0 and 366 days after the period ends.")
    if starts_period:
        try:
            starts_period = periods.normalize(starts_period, indicator.frequency).code
        except periods.PeriodError as exc:
            raise _error("starts_period", str(exc)) from exc
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


# --- Values ----------------------------------------------------------------------------------

_THOUSANDS_RE = re.compile(r"^[+-]?\d{1,3}(,\d{3})+(\.\d+)?$")


def _slow_number(raw) -> Decimal | str | None:
    """Spreadsheet spellings: spaces, a trailing %, thousands separators, a decimal comma."""
    text = str(raw).strip().replace("\u00a0", "").replace(" ", "").replace("\u202f", "")
    if not text:
        return None
    if text.endswith("%"):
        text = text[:-1]
    if "," in text:
        if _THOUSANDS_RE.match(text):
            text = text.replace(",", "")
        elif text.count(",") == 1 and "." not in text:
            text = text.replace(",", ".")
        else:
            return f"'{raw}' is not a number."
    try:
        return Decimal(text)
    except InvalidOperation:
        return f"'{raw}' is not a number."


def parse_number(raw) -> Decimal | str | None:
    """A Decimal, None for an empty input, or an error message (str) for anything else.

    Called for every imported value, so the common spellings take the shortest path.
    """
    if raw is None:
        return None
    kind = type(raw)
    if kind is str:
        try:
            value = Decimal(raw)
        except InvalidOperation:
            value = _slow_number(raw)
            if not isinstance(value, Decimal):
                return value
        else:
            if "_" in raw:  # Decimal accepts "1_000"; a spreadsheet cell would not mean that
                return f"'{raw}' is not a number."
    elif kind is int:
        value = Decimal(raw)
    elif kind is float:
        if raw != raw or raw in (float("inf"), float("-inf")):
            return "Not a finite number."
        value = Decimal(repr(raw))
    elif kind is Decimal:
        value = raw
    elif isinstance(raw, bool) or not isinstance(raw, int | float | Decimal):
        return _slow_number(raw) if isinstance(raw, str) else f"'{raw}' is not a number."
    else:
        value = Decimal(raw)
    if not value.is_finite():
        return "Not a finite number."
    if value >= MAX_ABS or value <= -MAX_ABS:
        return f"{raw} is too large."
    exponent = value.as_tuple().exponent
    return value.quantize(Q6) if exponent < -6 else value


@dataclass(slots=True)
class _Clean:
    value: Decimal | None
    numerator: Decimal | None
    denominator: Decimal | None


def _clean_values(ind, value, numerator, denominator, errors: dict) -> _Clean | None:
    """Check a value (or numerator and denominator) for an indicator; errors per field."""
    is_ratio = ind.aggregation == Aggregation.RATIO
    if is_ratio and isinstance(value, str) and "/" in value and numerator in (None, ""):
        numerator, _, denominator = value.partition("/")
        value = None
    v = parse_number(value)
    if isinstance(v, str):
        errors.setdefault("value", []).append(v)
        return None
    if is_ratio:
        n, d = parse_number(numerator), parse_number(denominator)
        bad = False
        for name, parsed in (("numerator", n), ("denominator", d)):
            if isinstance(parsed, str):
                errors.setdefault(name, []).append(parsed)
                bad = True
            elif parsed is None:
                errors.setdefault(name, []).append(
                    f"{ind.code} combines numerators and denominators: enter the {name}."
                )
                bad = True
        if bad:
            return None
        if d <= 0:
            errors.setdefault("denominator", []).append("The denominator must be above zero.")
            return None
        if n < 0:
            errors.setdefault("numerator", []).append("The numerator cannot be negative.")
            return None
        v = n / d * (100 if ind.value_type == ValueType.PERCENT else 1)
        v = v.quantize(Q6)
    else:
        n = d = None
        if v is None:
            errors.setdefault("value", []).append("Enter a value.")
            return None
    if ind.min_value is not None and v < ind.min_value:
        errors.setdefault("value", []).append(
            f"{format_value(v, decimals=6)} is below the lowest valid value of {ind.code} "
            f"({format_value(ind.min_value, decimals=6)})."
        )
        return None
    if ind.max_value is not None and v > ind.max_value:
        errors.setdefault("value", []).append(
            f"{format_value(v, decimals=6)} is above the highest valid value of {ind.code} "
            f"({format_value(ind.max_value, decimals=6)})."
        )
        return None
    return _Clean(v, n, d)


def _clean_period(ind, period, errors, today: date) -> periods.Period | None:
    try:
        p = periods.normalize(period, ind.frequency)
    except periods.PeriodError as exc:
        errors.setdefault("period", []).append(str(exc))
        return None
    if p.start > today:
        errors.setdefault("period", []).append(f"{p.code} has not started yet.")
        return None
    return p


def _clean_breakdown(ind, breakdown, errors) -> str | None:
    text = str(breakdown or "").strip()
    allowed = ind.breakdown_values or []
    if not ind.breakdown_dimension:
        if text:
            errors.setdefault("breakdown", []).append(f"{ind.code} has no breakdown.")
            return None
        return ""
    for value in allowed:
        if value.lower() == text.lower():
            return value
    label = ind.breakdown_dimension
    if not text:
        message = f"{ind.code} is reported by {label}: choose one of {', '.join(allowed)}."
    else:
        message = f"'{text}' is not a {label} of {ind.code}: use one of {', '.join(allowed)}."
    errors.setdefault("breakdown", []).append(message)
    return None


def _check_indicator_open(ind, errors) -> bool:
    if ind.formula:
        errors.setdefault("indicator", []).append(
            f"{ind.code} is computed from a formula ({ind.formula}); enter its inputs instead."
        )
        return False
    if ind.archived:
        errors.setdefault("indicator", []).append(f"{ind.code} is archived.")
        return False
    return True


def observation_check(
    *,
    indicator: Indicator,
    partner: Partner | None,
    period,
    value=None,
    numerator=None,
    denominator=None,
    breakdown: str = "",
) -> dict[str, list[str]]:
    """Validate one value without writing: {field: [messages]} (empty when fine)."""
    errors: dict[str, list[str]] = {}
    if not _check_indicator_open(indicator, errors):
        return errors
    if partner is None or partner.initiative_id != indicator.initiative_id:
        errors.setdefault("partner", []).append("Choose a partner of this initiative.")
    _clean_period(indicator, period, errors, timezone.localdate())
    _clean_breakdown(indicator, breakdown, errors)
    _clean_values(indicator, value, numerator, denominator, errors)
    return errors


def _initial_status(actor, initiative) -> str:
    """Values count at once unless the initiative reviews data (the backbone's count at once)."""
    if not initiative.review_observations:
        return ObservationStatus.APPROVED
    if actor is None or actor.has_perm("measurement.review_data", initiative):
        return ObservationStatus.APPROVED
    return ObservationStatus.SUBMITTED


def _refresh(
    initiative, cells: dict[int, set[str]], partner_ids: set[int], *, shrink: bool = False
) -> None:
    """Roll-ups and statuses after a write; `shrink` when values may have gone away."""
    pairs = rollups.refresh(initiative, cells, partner_ids, shrink=shrink)
    status.refresh(initiative, pairs, shrink=shrink)


def _history_row(obs: Observation, action: str, actor, now) -> ObservationHistory:
    return ObservationHistory(
        initiative_id=obs.initiative_id,
        observation=obs,
        action=action,
        value=obs.value,
        numerator=obs.numerator,
        denominator=obs.denominator,
        note=obs.note,
        status=obs.status,
        source=obs.source,
        changed_by=actor if getattr(actor, "is_authenticated", False) else None,
        changed_at=now,
    )


def _actor_id(actor) -> int | None:
    return actor.pk if getattr(actor, "is_authenticated", False) else None


def observation_upsert(
    *,
    actor,
    indicator: Indicator,
    partner: Partner,
    period,
    value=None,
    numerator=None,
    denominator=None,
    breakdown: str = "",
    note: str | None = "",
    source: str = Source.FORM,
) -> tuple[Observation, str]:
    """Create or update one value; returns (observation, 'created'|'updated'|'unchanged')."""
    initiative = indicator.initiative
    errors: dict[str, list[str]] = {}
    if source not in Source.values:
        raise _error("source", f"Choose one of: {', '.join(Source.values)}.")
    if not _check_indicator_open(indicator, errors):
        raise ApplicationError(errors["indicator"][0], errors=errors)
    if partner is None or partner.initiative_id != initiative.pk:
        raise _error("partner", "Choose a partner of this initiative.")
    if not entry_scope(actor, initiative).covers(partner.path):
        raise ApplicationError(
            f"You may not enter data for {partner}.",
            errors={"partner": ["Only your own partner and its sub-partners."]},
            code="forbidden",
        )
    p = _clean_period(indicator, period, errors, timezone.localdate())
    bd = _clean_breakdown(indicator, breakdown, errors)
    clean = _clean_values(indicator, value, numerator, denominator, errors)
    if errors:
        raise ApplicationError(next(iter(errors.values()))[0], errors=errors)
    for attempt in range(RETRIES):
        try:
            return _upsert_one(actor, indicator, partner, p, bd, clean, note, source, initiative)
        except IntegrityError:
            # A concurrent writer created the same value first: read it and update it.
            if attempt == RETRIES - 1:
                raise ApplicationError(
                    "Someone else saved this value at the same moment. Please try again.",
                    code="conflict",
                ) from None
    raise AssertionError("unreachable")  # pragma: no cover


def _upsert_one(actor, indicator, partner, p, bd, clean, note, source, initiative):
    now = timezone.now()
    with transaction.atomic():
        obs, meta_row = _current_observation(indicator.pk, partner.pk, p.code, bd)
        new_status = _initial_status(actor, initiative)
        review = initiative.review_observations
        old = None
        if obs is None:
            obs = Observation(
                initiative_id=initiative.pk,
                indicator=indicator,
                partner=partner,
                period=p.code,
                period_start=p.start,
                breakdown=bd,
                note=note or "",
                source=source,
                status=new_status,
                submitted_by_id=_actor_id(actor),
                submitted_at=now,
                created_at=now,
                updated_at=now,
            )
            outcome = "created"
        else:
            same = (
                obs.value == clean.value
                and obs.numerator == clean.numerator
                and obs.denominator == clean.denominator
                and (note is None or obs.note == note)
            )
            if same and obs.status != ObservationStatus.RETURNED:
                return obs, "unchanged"
            if not review or obs.status == ObservationStatus.APPROVED:
                old = (obs.value, obs.numerator, obs.denominator)
            if note is not None:
                obs.note = note
            obs.source = source
            obs.status = new_status
            obs.submitted_by_id = _actor_id(actor)
            obs.submitted_at = now
            obs.updated_at = now
            obs.reviewed_by = None
            obs.reviewed_at = None
            obs.review_comment = ""
            outcome = "updated"
        obs.value, obs.numerator, obs.denominator = clean.value, clean.numerator, clean.denominator
        audit = _audit_params(
            actor,
            f"{outcome} value",
            obs,
            initiative,
            {"period": p.code, "value": str(clean.value), "partner": partner.name},
        )
        _save_value(obs, outcome == "created", outcome, actor, now, audit)
        new = None
        if not review or new_status == ObservationStatus.APPROVED:
            new = (clean.value, clean.numerator, clean.denominator)
        _refresh_one(initiative, obs, p, old, new, now, meta_row)
    return obs, outcome


_AUDIT_FIELDS = [
    AuditEvent._meta.get_field(name)
    for name in ("initiative", "actor", "verb", "target_type", "target_id", "target_repr",
                 "changes", "created_at")
]  # fmt: skip
_AUDIT_INSERT = (
    f"INSERT INTO {AuditEvent._meta.db_table} ({', '.join(f.column for f in _AUDIT_FIELDS)}) "  # noqa: S608
    f"VALUES ({', '.join(['%s'] * len(_AUDIT_FIELDS))})"
)


def _audit_params(actor, verb: str, obs: Observation, initiative, changes: dict) -> list:
    """The entry `audit_record` makes for a value written (`audit_fields`), as parameters of one
    plain INSERT: this runs for every value typed, so no model object is built."""
    values = audit_fields(
        actor=actor, verb=verb, target=obs, initiative=initiative, changes=changes
    )
    values["created_at"] = timezone.now()
    return [
        f.get_db_prep_save(getattr(values[f.name], "pk", values[f.name]), connection)
        for f in _AUDIT_FIELDS
    ]


# The columns of an observation and the converters the ORM would apply to them, per database
# vendor: the current value is read with one plain SELECT (FOR UPDATE on PostgreSQL).
_OBS_READ: dict[str, tuple[str, list]] = {}


def _current_observation(indicator_id, partner_id, period, breakdown) -> tuple:
    """(the stored value of (indicator, partner, period, breakdown) or None, the row of
    `_META_SQL`), in one query. The value is locked until the commit on PostgreSQL (a
    concurrent update of the same value waits, then reads the new one). The indicator and the
    partner's place in the tree are read afresh, so objects held since before a change of
    either do not mislead the roll-ups."""
    vendor = connection.vendor
    if vendor not in _OBS_READ:
        fields = Observation._meta.concrete_fields
        table = Observation._meta.db_table
        columns = ", ".join(connection.ops.quote_name(f.column) for f in fields)
        converters = []
        for f in fields:
            col = f.get_col(table)
            found = connection.ops.get_db_converters(col) + col.get_db_converters(connection)
            converters.append((col, found))
        _OBS_READ[vendor] = (columns, converters)
    columns, converters = _OBS_READ[vendor]
    lock = indicator_lock = ""
    if vendor == "postgresql":
        # The value, and the indicator: single writers of an indicator take turns (the roll-up
        # and status rows they move are shared, and a recomputation replaces rows), so they
        # neither move sums from a stale reading nor wait for each other crosswise. Values
        # of the indicator may still be inserted meanwhile (NO KEY: foreign keys do not wait).
        lock, indicator_lock = " FOR UPDATE", " FOR NO KEY UPDATE OF i"
    with connection.cursor() as cursor:
        cursor.execute(
            f"WITH o AS (SELECT {columns} FROM measurement_observation WHERE indicator_id = %s "  # noqa: S608
            f"AND partner_id = %s AND period = %s AND breakdown = %s{lock}) "
            f"{_META_SQL}{indicator_lock}",
            [indicator_id, partner_id, period, breakdown, indicator_id, partner_id],
        )
        row = cursor.fetchone()
    meta, row = row[:_META_COLUMNS], row[_META_COLUMNS:]
    if row[0] is None:
        return None, meta
    values = []
    for value, (col, found) in zip(row, converters, strict=True):
        for converter in found:
            value = converter(value, col, connection)
        values.append(value)
    names = [c.target.attname for c, _ in converters]
    return Observation.from_db(connection.alias, names, values), meta


_META_SQL = (
    "SELECT i.code, i.aggregation, i.cumulative, i.formula, i.breakdown_dimension, i.value_type, "
    "i.frequency, i.direction, i.decimals, i.unit, p.path, EXISTS (SELECT 1 FROM "
    "measurement_indicator f WHERE f.initiative_id = i.initiative_id AND f.formula <> ''), o.* "
    "FROM measurement_indicator i CROSS JOIN core_partner p LEFT JOIN o ON 1 = 1 "
    "WHERE i.id = %s AND p.id = %s"
)
_META_COLUMNS = 12


def _refresh_one(initiative, obs: Observation, p: periods.Period, old, new, now, meta_row) -> None:
    """Roll-ups and statuses after one value was written, by difference (see
    `rollups.apply_change`); a full recomputation of the cell when that cannot settle it.

    `old` / `new`: (value, numerator, denominator) when the value counted before / counts now;
    `meta_row`: the indicator and the partner's path as `_current_observation` read them."""
    if old is None and new is None:
        return  # neither before nor after does it count: no roll-up moves
    (code, aggregation, cumulative, formula, dimension, value_type, frequency, direction,
     decimals, unit, path, has_formulas) = meta_row  # fmt: skip
    meta = rollups.Meta(
        obs.indicator_id, code, aggregation, bool(cumulative), formula, bool(dimension),
        value_type == ValueType.PERCENT, frequency,
    )  # fmt: skip
    chain = tuple(int(x) for x in path.strip("/").split("/") if x) or (obs.partner_id,)
    change = rollups.Change(
        indicator=obs.indicator_id,
        partner=obs.partner_id,
        chain=chain,
        period=p.code,
        period_start=p.start,
        breakdown=obs.breakdown,
        observation=obs.pk,
        submitted_at=connection.ops.adapt_datetimefield_value(now),
        old=old,
        new=new,
    )
    cells = {obs.indicator_id: {p.code}}
    moved = rollups.apply_change(initiative, meta, change)
    if moved is None:
        # Not settled by difference (a withdrawn minimum or latest value...): recompute the
        # cell, replacing its rows (values may have gone).
        _refresh(initiative, cells, {obs.partner_id}, shrink=True)
        return
    status.refresh_series(initiative, obs.indicator_id, (direction, decimals, unit), moved)
    if has_formulas:
        metas = rollups._load_metas(initiative.pk, [obs.indicator_id])
        dependents = rollups._formula_dependents({m.code: m for m in metas.values()}, {meta.code})
        if dependents:
            scopes = set(chain)
            changed = rollups._refresh_formulas(
                initiative, metas, {m.id: set() for m in dependents}, cells,
                [None, *sorted(scopes)], scopes, {obs.partner_id},
            )  # fmt: skip
            status.refresh(initiative, changed, shrink=False)


def _observation_sql(obs: Observation, created: bool) -> tuple[str, list]:
    """The INSERT (returning the id) or UPDATE that stores one observation."""
    ops = connection.ops
    common = [
        obs.value,
        obs.numerator,
        obs.denominator,
        obs.note,
        obs.status,
        obs.source,
        obs.submitted_by_id,
        ops.adapt_datetimefield_value(obs.submitted_at),
        ops.adapt_datetimefield_value(obs.updated_at),
    ]
    if created:
        uid = obs.uid if connection.features.has_native_uuid_field else obs.uid.hex
        return (
            "INSERT INTO measurement_observation (value, numerator, denominator, note, status, "
            "source, submitted_by_id, submitted_at, updated_at, created_at, initiative_id, "
            "uid, indicator_id, partner_id, period, period_start, breakdown, review_comment) "
            "VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, '') "
            "RETURNING id",
            [
                *common,
                ops.adapt_datetimefield_value(obs.created_at),
                obs.initiative_id,
                uid,
                obs.indicator_id,
                obs.partner_id,
                obs.period,
                ops.adapt_datefield_value(obs.period_start),
                obs.breakdown,
            ],
        )
    return (
        "UPDATE measurement_observation SET value = %s, numerator = %s, denominator = %s, "
        "note = %s, status = %s, source = %s, submitted_by_id = %s, submitted_at = %s, "
        "updated_at = %s, reviewed_by_id = NULL, reviewed_at = NULL, review_comment = '' "
        "WHERE id = %s",
        [*common, obs.pk],
    )


def _mark_saved(obs: Observation, pk: int) -> None:
    obs.pk = pk
    obs._state.adding = False
    obs._state.db = connection.alias


def _save_observation(obs: Observation, created: bool) -> None:
    """Write one observation with plain SQL (the per-value path runs thousands of times)."""
    sql, params = _observation_sql(obs, created)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        if created:
            _mark_saved(obs, cursor.fetchone()[0])


def _save_value(obs: Observation, created: bool, action: str, actor, now, audit: list) -> None:
    """Store a value written, its history row and its audit entry (`audit`: the parameters of
    `_AUDIT_INSERT`). PostgreSQL: one round trip (a new value's id passes from the INSERT to
    its history row inside the statement); SQLite, where statements cost no round trip, three."""
    if connection.vendor != "postgresql":
        _save_observation(obs, created)
        _insert_history([_history_tuple(obs, action, actor, now)])
        with connection.cursor() as cursor:
            cursor.execute(_AUDIT_INSERT, audit)
        return
    sql, params = _observation_sql(obs, created)
    history = list(_history_tuple(obs, action, actor, now))
    with connection.cursor() as cursor:
        if created:
            # The history row takes the new id from the INSERT (history[1] is that id).
            columns = ", ".join(["%s", "o.id", *["%s"] * (len(history) - 2)])
            head, _, _ = HISTORY_INSERT.partition(" VALUES ")
            cursor.execute(
                f"WITH o AS ({sql}) {head} SELECT {columns} FROM o "  # noqa: S608
                f"RETURNING observation_id; {_AUDIT_INSERT}",
                [*params, history[0], *history[2:], *audit],
            )
            _mark_saved(obs, cursor.fetchone()[0])
            return
        cursor.execute(f"{sql}; {HISTORY_INSERT}; {_AUDIT_INSERT}", [*params, *history, *audit])


def _history_tuple(obs: Observation, action: str, actor, now) -> tuple:
    return (
        obs.initiative_id,
        obs.pk,
        action,
        obs.value,
        obs.numerator,
        obs.denominator,
        obs.note,
        obs.status,
        obs.source,
        _actor_id(actor),
        connection.ops.adapt_datetimefield_value(now),
    )


HISTORY_INSERT = (
    "INSERT INTO measurement_observationhistory (initiative_id, observation_id, action, value, "
    "numerator, denominator, note, status, source, changed_by_id, changed_at) "
    "VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s)"
)


def _insert_history(rows: list[tuple]) -> None:
    with connection.cursor() as cursor:
        if len(rows) == 1:  # one value written: a plain INSERT (no COPY or pipeline round)
            cursor.execute(HISTORY_INSERT, rows[0])
            return
        for start in range(0, len(rows), BATCH):
            rollups.insert_many(cursor, HISTORY_INSERT, rows[start : start + BATCH])


def observation_review(
    *, actor, observation: Observation, approve: bool, comment: str = ""
) -> Observation:
    """Approve a submitted value (it counts from now on) or return it with a comment."""
    observations_review_bulk(
        actor=actor, observations=[observation], approve=approve, comment=comment
    )
    return observation


def observations_review_bulk(*, actor, observations, approve: bool, comment: str = "") -> int:
    """Approve or return many values at once: one transaction, one roll-up refresh."""
    observations = list(observations)
    comment = (comment or "").strip()
    if not approve and not comment:
        raise _error("comment", "Say what needs correcting, so the partner can fix it.")
    if not observations:
        return 0
    initiative = observations[0].initiative
    if any(o.initiative_id != initiative.pk for o in observations):
        raise ApplicationError("Review values of one initiative at a time.")
    now = timezone.now()
    new_status = ObservationStatus.APPROVED if approve else ObservationStatus.RETURNED
    reviewer = actor if getattr(actor, "is_authenticated", False) else None
    cells: dict[int, set[str]] = {}
    partners: set[int] = set()
    with transaction.atomic():
        for observation in observations:
            observation.status = new_status
            observation.reviewed_by = reviewer
            observation.reviewed_at = now
            observation.review_comment = comment
            observation.updated_at = now  # bulk_update does not apply auto_now
            cells.setdefault(observation.indicator_id, set()).add(observation.period)
            partners.add(observation.partner_id)
        Observation.objects.bulk_update(
            observations,
            ["status", "reviewed_by", "reviewed_at", "review_comment", "updated_at"],
            batch_size=500,
        )
        action = "approved" if approve else "returned"
        ObservationHistory.objects.bulk_create(
            [_history_row(o, action, actor, now) for o in observations], batch_size=1000
        )
        for observation in observations:
            audit_record(
                actor=actor,
                verb=f"{action} value",
                target=observation,
                initiative=initiative,
                changes={"comment": comment} if comment else {},
            )
        if initiative.review_observations:
            _refresh(initiative, cells, partners, shrink=True)
    return len(observations)


def observation_delete(*, actor, observation: Observation) -> None:
    initiative = observation.initiative
    with transaction.atomic():
        audit_record(
            actor=actor,
            verb="deleted value",
            target=observation,
            initiative=initiative,
            changes={"period": observation.period, "value": str(observation.value)},
        )
        cells = {observation.indicator_id: {observation.period}}
        partner_id = observation.partner_id
        observation.delete()
        _refresh(initiative, cells, {partner_id}, shrink=True)


# --- Bulk upsert -----------------------------------------------------------------------------


@dataclass
class BulkResult:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    errors: list = field(default_factory=list)
    total: int = 0
    # (indicator id, partner id, period, breakdown) of every valid row, in row order.
    keys: list = field(default_factory=list)

    @property
    def saved(self) -> int:
        return self.created + self.updated

    def as_dict(self) -> dict:
        return {
            "created": self.created,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "errors": self.errors,
        }


@dataclass
class _Plan:
    """The checked rows of a bulk write, split by what will happen to each."""

    # (row number, indicator, partner, Period, breakdown, _Clean, note)
    creates: list = field(default_factory=list)
    # (row number, indicator, partner, Period, breakdown, _Clean, note, observation id)
    updates: list = field(default_factory=list)
    unchanged: int = 0
    errors: list = field(default_factory=list)
    total: int = 0
    invalid_rows: set = field(default_factory=set)
    keys: list = field(default_factory=list)
    # Backdated rows: {row number: (submitted_at, submitted_by id)}
    stamps: dict = field(default_factory=dict)


class RowChecker:
    """Checks rows of values in plain Python against lookups loaded once per batch."""

    def __init__(self, initiative: Initiative, actor):
        self.initiative = initiative
        self.actor = actor
        self.today = timezone.localdate()
        self.indicators = {i.code: i for i in Indicator.objects.filter(initiative=initiative)}
        self.indicators_ci = {code.lower(): ind for code, ind in self.indicators.items()}
        partners = list(
            Partner.objects.filter(initiative=initiative).only(
                "id", "uid", "name", "short_name", "path"
            )
        )
        self.partners: dict[str, Partner] = {}
        for p in partners:
            self.partners[str(p.uid)] = p
            if p.short_name:
                self.partners.setdefault(p.short_name.lower(), p)
        for p in partners:
            self.partners[p.name.lower()] = p
        self.scope = entry_scope(actor, initiative)
        self._period_cache: dict = {}
        self._indicator_cache: dict = {}
        self._partner_cache: dict = {}

    def indicator(self, code):
        text = str(code or "").strip()
        return self.indicators.get(text) or self.indicators_ci.get(text.lower())

    def partner(self, ref):
        if isinstance(ref, Partner):
            return ref if ref.initiative_id == self.initiative.pk else None
        found = self.partners.get(ref) if type(ref) is str else None
        if found is not None:
            return found
        text = str(ref or "").strip()
        return self.partners.get(text) or self.partners.get(text.lower())

    def _indicator_result(self, code) -> tuple:
        """(indicator or None, errors) for a code, cached per spelling."""
        key = code if type(code) is str or code is None else str(code)
        found = self._indicator_cache.get(key)
        if found is None:
            ind, errors = self.indicator(code), {}
            if ind is None:
                if code in (None, ""):
                    errors["indicator"] = ["The indicator code is missing."]
                else:
                    errors["indicator"] = [f"Unknown indicator '{code}'."]
            elif not _check_indicator_open(ind, errors):
                ind = None
            found = self._indicator_cache[key] = (ind, errors)
        return found

    def _partner_result(self, ref) -> tuple:
        """(partner or None, errors) for a reference, cached per spelling."""
        key = ref if type(ref) is str or ref is None else str(ref)
        found = self._partner_cache.get(key)
        if found is None:
            partner, errors = self.partner(ref), {}
            if partner is None:
                if ref in (None, ""):
                    errors["partner"] = ["The partner is missing."]
                else:
                    errors["partner"] = [f"Unknown partner '{ref}'."]
            elif not self.scope.covers(partner.path):
                errors["partner"] = [
                    f"You may enter data only for your own partner and its sub-partners, "
                    f"not for {partner.name}."
                ]
                partner = None
            found = self._partner_cache[key] = (partner, errors)
        return found

    def _period_result(self, ind, period) -> tuple:
        key = (period, ind.frequency)
        found = self._period_cache.get(key)
        if found is None:
            errors: dict = {}
            found = (_clean_period(ind, period, errors, self.today), errors.get("period"))
            if len(self._period_cache) < 100000:
                self._period_cache[key] = found
        return found

    def check(self, rows) -> tuple[list, list]:
        """[(row number, indicator, partner, Period, breakdown, _Clean, note)], [errors].

        The hot loop of every import: lookups are cached per spelling, and the common row
        (a known indicator without breakdown or range, a plain number) takes the short path.
        """
        good, errors = [], []
        seen: dict[tuple, int] = {}
        append = good.append
        period_types = (str, int, float, datetime.date, type(None))
        for position, row in enumerate(rows, start=1):
            if type(row) is not dict:
                errors.append(
                    {"row": position, "field": "row", "message": "Each row must be an object."}
                )
                continue
            get = row.get
            number = get("row") or position
            code = get("indicator")
            if code is None:
                code = get("code")
            ind, ind_errors = self._indicator_result(code)
            partner, partner_errors = self._partner_result(get("partner"))
            row_errors = None
            if ind_errors or partner_errors:
                row_errors = {**ind_errors, **partner_errors}
            period = get("period")
            if not isinstance(period, period_types):
                row_errors = row_errors or {}
                row_errors["period"] = [f"'{period}' is not a period."]
                ind = None
            if ind is not None:
                p, period_error = self._period_result(ind, period)
                if period_error:
                    row_errors = row_errors or {}
                    row_errors["period"] = list(period_error)
                breakdown = get("breakdown")
                if not breakdown and not ind.breakdown_dimension:
                    bd = ""
                else:
                    row_errors = row_errors if row_errors is not None else {}
                    bd = _clean_breakdown(ind, breakdown, row_errors)
                value = get("value")
                clean = None
                if (
                    ind.aggregation != Aggregation.RATIO
                    and ind.min_value is None
                    and ind.max_value is None
                ):
                    parsed = parse_number(value)
                    if type(parsed) is Decimal:
                        clean = _Clean(parsed, None, None)
                if clean is None:
                    row_errors = row_errors if row_errors is not None else {}
                    clean = _clean_values(
                        ind, value, get("numerator"), get("denominator"), row_errors
                    )
            if row_errors:
                column = get("column")
                for name, messages in row_errors.items():
                    for message in messages:
                        error = {"row": number, "field": name, "message": message}
                        if column:
                            error["column"] = column
                        errors.append(error)
                continue
            key = (ind.id, partner.id, p.code, bd)
            if key in seen:
                errors.append(
                    {
                        "row": number,
                        "field": "row",
                        "message": f"Duplicate: row {seen[key]} already gives {ind.code} for "
                        f"{partner.name}, {p.code}{' (' + bd + ')' if bd else ''}.",
                    }
                )
                continue
            seen[key] = number
            note = get("note")
            append((number, ind, partner, p, bd, clean, None if note is None else str(note)))
        return good, errors


def _existing(indicator_periods: dict[int, set[str]]) -> dict[tuple, tuple]:
    """Existing observations of the cells: {(ind, partner, period, breakdown): row}."""
    where, params = rollups._cells_where(indicator_periods, alias="")
    out = {}
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT id, indicator_id, partner_id, period, breakdown, value, numerator, "  # noqa: S608
            f"denominator, note, status FROM measurement_observation WHERE {where}",
            params,
        )
        for row in cursor.fetchall():
            out[(row[1], row[2], row[3], row[4])] = row
    return out


def _same(a, b) -> bool:
    if a is None or b is None:
        return a is None and b is None
    return Decimal(str(a)) == b if not isinstance(a, Decimal) else a == b


def _plan(initiative, actor, rows, *, backdate: bool = False) -> tuple[_Plan, RowChecker]:
    checker = RowChecker(initiative, actor)
    good, errors = checker.check(rows)
    plan = _Plan(errors=errors, total=len(rows))
    if backdate:
        for position, row in enumerate(rows, start=1):
            if isinstance(row, dict) and (row.get("submitted_at") or row.get("submitted_by")):
                by = row.get("submitted_by")
                plan.stamps[row.get("row") or position] = (
                    row.get("submitted_at"),
                    getattr(by, "pk", by),
                )
    plan.invalid_rows = {e["row"] for e in errors}
    cells: dict[int, set[str]] = {}
    for _, ind, _, p, *_ in good:
        cells.setdefault(ind.id, set()).add(p.code)
    existing = _existing(cells) if cells else {}
    for number, ind, partner, p, bd, clean, note in good:
        key = (ind.id, partner.id, p.code, bd)
        plan.keys.append(key)
        row = existing.get(key)
        if row is None:
            plan.creates.append((number, ind, partner, p, bd, clean, note or ""))
            continue
        same = (
            _same(row[5], clean.value)
            and _same(row[6], clean.numerator)
            and _same(row[7], clean.denominator)
            and (note is None or (row[8] or "") == note)
            and row[9] != ObservationStatus.RETURNED
        )
        if same:
            plan.unchanged += 1
        else:
            final_note = (row[8] or "") if note is None else note
            plan.updates.append((number, ind, partner, p, bd, clean, final_note, row[0]))
    return plan, checker


def observations_plan(*, actor, initiative: Initiative, rows: list[dict]) -> dict:
    """What a bulk write would do, without writing: counts and row errors (for previews)."""
    plan, _ = _plan(initiative, actor, rows)
    return {
        "create": len(plan.creates),
        "update": len(plan.updates),
        "unchanged": plan.unchanged,
        "errors": plan.errors,
        "invalid_rows": len(plan.invalid_rows),
        "total": plan.total,
    }


def _time_ordered_uids(count: int, native: bool) -> list:
    """Fresh version-7 UUIDs in increasing order (`core.ids`), so a big import appends to the
    uid index instead of writing all over it."""
    return [u if native else u.hex for u in ids.uuid7_sequence(count)]


def _allocate_ids(table: str, count: int) -> list[int]:
    """Reserve `count` primary keys (inside the caller's transaction)."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)",
                [table, count],
            )
            return [r[0] for r in cursor.fetchall()]
        cursor.execute(f"SELECT MAX(id) FROM {table}")  # noqa: S608
        top = cursor.fetchone()[0] or 0
        if connection.vendor == "sqlite":
            cursor.execute("SELECT seq FROM sqlite_sequence WHERE name = %s", [table])
            row = cursor.fetchone()
            top = max(top, row[0] if row else 0)
        return list(range(top + 1, top + 1 + count))


def _float_or_none(x):
    return None if x is None else float(x)


def _unchanged_value(x):
    return x


def bulk_number():
    """How bulk writes pass decimals to the database: SQLite stores them as numbers anyway, so
    floats skip a text round trip per value; PostgreSQL takes the Decimals."""
    return _float_or_none if connection.vendor == "sqlite" else _unchanged_value


def _apply(initiative, actor, plan: _Plan, source: str, progress=None) -> None:
    """Write the planned creates and updates, their history, one audit entry, roll-ups."""
    now = timezone.now()
    ops = connection.ops
    now_db = ops.adapt_datetimefield_value(now)
    actor_id = _actor_id(actor)
    new_status = _initial_status(actor, initiative)
    native_uuid = connection.features.has_native_uuid_field
    history = []
    cells: dict[int, set[str]] = {}
    partner_ids: set[int] = set()
    stamps = plan.stamps
    default = (now_db, actor_id)
    num = bulk_number()

    def stamp(number):
        """When and by whom a row was submitted: now and the actor, unless backdated."""
        if not stamps or number not in stamps:
            return default
        at, by = stamps[number]
        return (ops.adapt_datetimefield_value(at) if at else now_db, by or actor_id)

    with connection.cursor() as cursor:
        if plan.creates:
            ids = _allocate_ids("measurement_observation", len(plan.creates))
            rows = []
            uids = _time_ordered_uids(len(plan.creates), native_uuid)
            for obs_id, uid, (number, ind, partner, p, bd, clean, note) in zip(
                ids, uids, plan.creates, strict=True
            ):
                at, by = stamp(number)
                v, n, d = num(clean.value), num(clean.numerator), num(clean.denominator)
                rows.append(
                    (
                        obs_id,
                        at,
                        at,
                        initiative.pk,
                        uid,
                        ind.id,
                        partner.id,
                        p.code,
                        ops.adapt_datefield_value(p.start),
                        bd,
                        v,
                        n,
                        d,
                        note,
                        new_status,
                        source,
                        by,
                        at,
                        "",
                    )
                )
                history.append(
                    (
                        initiative.pk,
                        obs_id,
                        "created",
                        v,
                        n,
                        d,
                        note,
                        new_status,
                        source,
                        by,
                        at,
                    )
                )
                cells.setdefault(ind.id, set()).add(p.code)
                partner_ids.add(partner.id)
            sql = (
                "INSERT INTO measurement_observation (id, created_at, updated_at, initiative_id, "  # noqa: S608
                "uid, indicator_id, partner_id, period, period_start, breakdown, value, numerator, "
                "denominator, note, status, source, submitted_by_id, submitted_at, "
                "review_comment) VALUES (" + ", ".join(["%s"] * 19) + ")"
            )
            for start in range(0, len(rows), BATCH):
                rollups.insert_many(cursor, sql, rows[start : start + BATCH])
                if progress:
                    progress(min(start + BATCH, len(rows)))
        if plan.updates:
            rows = []
            for number, ind, partner, p, _bd, clean, note, obs_id in plan.updates:
                at, by = stamp(number)
                v, n, d = num(clean.value), num(clean.numerator), num(clean.denominator)
                rows.append(
                    (
                        v,
                        n,
                        d,
                        note,
                        new_status,
                        source,
                        by,
                        at,
                        at,
                        obs_id,
                    )
                )
                history.append(
                    (
                        initiative.pk,
                        obs_id,
                        "updated",
                        v,
                        n,
                        d,
                        note,
                        new_status,
                        source,
                        by,
                        at,
                    )
                )
                cells.setdefault(ind.id, set()).add(p.code)
                partner_ids.add(partner.id)
            sql = (
                "UPDATE measurement_observation SET value = %s, numerator = %s, denominator = %s, "
                "note = %s, status = %s, source = %s, "
                "submitted_by_id = %s, submitted_at = %s, updated_at = %s, reviewed_by_id = NULL, "
                "reviewed_at = NULL, review_comment = '' WHERE id = %s"
            )
            for start in range(0, len(rows), BATCH):
                cursor.executemany(sql, rows[start : start + BATCH])
    if history:
        _insert_history(history)
    audit_record(
        actor=actor,
        verb="saved values",
        target=initiative,
        changes={
            "source": source,
            "created": len(plan.creates),
            "updated": len(plan.updates),
            "unchanged": plan.unchanged,
        },
    )
    if cells:
        _refresh(initiative, cells, partner_ids)


def observations_upsert_bulk(
    *,
    actor,
    initiative: Initiative,
    rows: list[dict],
    source: str = Source.API,
    only_valid: bool = False,
    progress=None,
    backdate: bool = False,
) -> BulkResult:
    """Check every row, then write all of them in one transaction (or none).

    With errors and not `only_valid`, nothing is saved and ApplicationError carries the row
    errors as errors["rows"] = [{"row", "field", "message"}]. With `only_valid`, the valid rows
    are saved and the errors are returned in the result.

    `backdate` (trusted callers only: the demo loader, migrations of historical data) honours
    each row's optional `submitted_at` (datetime) and `submitted_by` (user or id).
    """
    if source not in Source.values:
        raise _error("source", f"Choose one of: {', '.join(Source.values)}.")
    if not isinstance(rows, list | tuple):
        raise _error("rows", "Send a list of rows.")
    # The plan is made inside the transaction, so what it found is still true when it is
    # applied; if another writer slipped the same new value in first (the unique index says
    # so), the whole batch is planned again.
    for attempt in range(RETRIES):
        try:
            with transaction.atomic():
                plan, _ = _plan(initiative, actor, rows, backdate=backdate)
                if plan.errors and not only_valid:
                    count = len(plan.invalid_rows)
                    raise ApplicationError(
                        f"{count:,} row{'s' if count != 1 else ''} of {len(rows):,} "
                        f"{'have' if count != 1 else 'has'} errors: nothing was saved.",
                        errors={"rows": plan.errors},
                    )
                _apply(initiative, actor, plan, source, progress=progress)
            break
        except IntegrityError:
            if attempt == RETRIES - 1:
                raise ApplicationError(
                    "Someone else saved the same values at the same moment: nothing was saved. "
                    "Please try again.",
                    code="conflict",
                ) from None
    return BulkResult(
        created=len(plan.creates),
        updated=len(plan.updates),
        unchanged=plan.unchanged,
        errors=plan.errors,
        total=len(rows),
        keys=plan.keys,
    )


# --- Stories behind the curve ---------------------------------------------------------------

NARRATIVE_FIELDS = ["story", "factors", "partners_text", "what_works", "action_plan"]


def narrative_save(*, actor, indicator: Indicator, period, **fields) -> Narrative:
    partners = fields.pop("partners", None)
    unknown = set(fields) - set(NARRATIVE_FIELDS)
    if unknown:
        raise ApplicationError(f"Unknown fields: {', '.join(sorted(unknown))}.")
    try:
        p = periods.normalize(period, indicator.frequency)
    except periods.PeriodError as exc:
        raise _error("period", str(exc)) from exc
    for partner in partners or []:
        _check_partner(indicator, partner, "partners")
    cleaned = {k: (v or "").strip() for k, v in fields.items()}
    with transaction.atomic():
        narrative = Narrative.objects.filter(indicator=indicator, period=p.code).first()
        if narrative is None:
            if not any(cleaned.values()):
                raise _error("story", "Tell the story behind the curve (at least one part).")
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


# --- Imports (delegated to imports.py) ------------------------------------------------------


def import_start(*, actor, initiative: Initiative, uploaded_file, layout: str = "long"):
    from .imports import start

    return start(actor=actor, initiative=initiative, uploaded_file=uploaded_file, layout=layout)


def import_preview(job) -> dict:
    from .imports import preview

    return preview(job)


def import_confirm(*, actor, job, only_valid: bool = False):
    from .imports import confirm

    return confirm(actor=actor, job=job, only_valid=only_valid)


def observations_export(
    *, initiative: Initiative, fmt: str = "csv", layout: str = "long", **filters
):
    from .exports import export

    return export(initiative=initiative, fmt=fmt, layout=layout, **filters)


def rollups_rebuild(*, actor, initiative: Initiative, batch: int | None = None) -> int:
    """Recompute every roll-up and status of the initiative (after moving partners, after a
    raw bulk load...). Indicators are processed in batches, so memory stays bounded however
    many values there are; formula indicators follow their inputs."""
    from .models import IndicatorStatus, Rollup

    ids = list(
        Indicator.objects.filter(initiative=initiative)
        .order_by(models.F("formula").asc(), "id")
        .values_list("id", flat=True)
    )
    if batch is None:
        # About half a million values per batch: statuses read every roll-up of a batch.
        values = Observation.objects.filter(initiative=initiative).count()
        per_indicator = max(1, values // max(1, len(ids)))
        batch = max(1, min(20, 500_000 // per_indicator))
    changed = 0
    with transaction.atomic():
        Rollup.objects.filter(initiative=initiative).delete()
        IndicatorStatus.objects.filter(initiative=initiative).delete()
        for start in range(0, len(ids), batch):
            chunk = ids[start : start + batch]
            pairs = rollups.refresh(initiative, dict.fromkeys(chunk, None), rollups.ALL)
            status.refresh(initiative, pairs | {(i, None) for i in chunk})
            changed += len(pairs)
        audit_record(actor=actor, verb="rebuilt roll-ups", target=initiative, changes={})
    return changed
