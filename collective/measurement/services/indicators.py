"""Writes of indicators: create, update (rules checked; roll-ups follow what changed), archive."""

from __future__ import annotations

import re
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction

from collective.core.audit import audit_record, diff, snapshot
from collective.core.errors import CONFLICT, ApplicationError
from collective.core.models import Initiative

from .. import periods
from ..choices import Aggregation, Direction, Frequency, IndicatorLevel, RbaQuestion, ValueType
from ..engine import rollups, status
from ..formula import CODE_RE, FormulaError
from ..formula import check as check_formula
from ..formula import parse as parse_formula
from ..models import Indicator, IndicatorStatus, Observation, Rollup
from .validation import field_error, parse_number

BREAKDOWN_VALUES_MAX = 100  # each is a column of the breakdown chart and a row per period

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


def _decimal_field(value, field_name: str) -> Decimal | None:
    if value is None or value == "":
        return None
    parsed = parse_number(value)
    if parsed is None or isinstance(parsed, str):
        raise field_error(field_name, parsed or f"'{value}' is not a number.")
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
    if len(values) > BREAKDOWN_VALUES_MAX:
        add("breakdown_values", f"At most {BREAKDOWN_VALUES_MAX} values.")
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
            raise field_error(
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
    IndicatorStatus.objects.filter(indicator=indicator).delete()
    status.refresh(indicator.initiative, pairs | {(indicator.pk, None)})


def _refresh_status_all_scopes(indicator: Indicator) -> None:
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
