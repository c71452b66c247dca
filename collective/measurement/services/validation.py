"""Checks of values, shared by every way a value is written: numbers, periods, breakdowns.

`RowChecker` checks rows of values (the API, the grid, imports, the demo loader all send rows)
in plain Python against lookups loaded once per call; `observation_check` checks one cell for
the grid's inline messages. Both use the same rules, so a value refused in one place is refused
everywhere with the same message.
"""

from __future__ import annotations

import datetime
import re
import uuid
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation

from django.utils import timezone

from collective.core.errors import ApplicationError
from collective.core.models import Initiative, Partner
from collective.core.numbers import format_value

from .. import periods
from ..choices import Aggregation, ValueType
from ..models import Indicator
from ..rules import entry_scope
from ..store import observations as store

MAX_ABS = Decimal(10) ** 15
Q6 = Decimal("0.000001")
# Up to this many rows, only the indicators and partners they name are looked up.
FEW_ROWS = 50


def field_error(field_name: str, message: str, summary: str | None = None) -> ApplicationError:
    return ApplicationError(summary or message, errors={field_name: [message]})


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
class Clean:
    value: Decimal | None
    numerator: Decimal | None
    denominator: Decimal | None


def _clean_values(ind, value, numerator, denominator, errors: dict) -> Clean | None:
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
    return Clean(v, n, d)


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


class RowChecker:
    """Checks rows of values in plain Python against lookups loaded once per batch."""

    def __init__(self, initiative: Initiative, actor, rows=None):
        """`rows`: when given and few, only the indicators and partners they name are looked
        up (one value written must not load every partner of a large initiative); should one
        of them not be found that way, everything is looked up, as for many rows."""
        self.initiative = initiative
        self.actor = actor
        self.today = timezone.localdate()
        # Messages of partners refused because the actor may not enter data for them.
        self.out_of_scope: set[str] = set()
        indicators = Indicator.objects.filter(initiative=initiative)
        partners = Partner.objects.filter(initiative=initiative)
        if rows is not None and len(rows) <= FEW_ROWS:
            named = self._named(rows)
            if named is not None:
                codes, refs, uids = named
                self._load(*store.named(initiative.pk, codes | {c.upper() for c in codes}, uids))
                if all(self.indicator(c) for c in codes) and all(self.partner(r) for r in refs):
                    indicators = partners = None
        if indicators is not None:
            self._load(indicators, partners)
        self.scope = entry_scope(actor, initiative)
        self._period_cache: dict = {}
        self._indicator_cache: dict = {}
        self._partner_cache: dict = {}

    def _load(self, indicators, partners) -> None:
        """Lookups by code and by uid, name or short name: lists of model instances, or
        querysets (all of the initiative's)."""
        if hasattr(partners, "only"):
            partners = partners.only(*store.PARTNER_CHECKED)
        self.indicators = {i.code: i for i in indicators}
        self.indicators_ci = {code.lower(): ind for code, ind in self.indicators.items()}
        partners = list(partners)
        self.partners: dict[str, Partner] = {}
        for p in partners:
            self.partners[str(p.uid)] = p
            if p.short_name:
                self.partners.setdefault(p.short_name.lower(), p)
        for p in partners:
            self.partners[p.name.lower()] = p

    @staticmethod
    def _named(rows):
        """(codes, partner references, partner uids) the rows name, or None when a partner is
        named otherwise than by uid — a name could match another partner's short name, which
        only the full lookup settles. The grid and API clients name partners by uid."""
        codes, refs, uids = set(), set(), []
        for row in rows:
            if type(row) is not dict:
                continue
            code = row.get("indicator")
            if code is None:
                code = row.get("code")
            if code not in (None, ""):
                codes.add(str(code).strip())
            ref = row.get("partner")
            if isinstance(ref, Partner):
                ref = str(ref.uid)
            if ref in (None, ""):
                continue
            ref = str(ref).strip()
            refs.add(ref)
            try:
                uids.append(uuid.UUID(ref))
            except ValueError:
                return None
        return codes, refs, uids

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
                message = (
                    f"You may enter data only for your own partner and its sub-partners, "
                    f"not for {partner.name}."
                )
                errors["partner"] = [message]
                self.out_of_scope.add(message)
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

    def forbidden(self, good: list, errors: list) -> bool:
        """True when no row may be written and every error is a partner the actor may not
        enter data for: the whole request is one the actor may not make (403), not bad input."""
        return (
            bool(errors)
            and not good
            and all(e["field"] == "partner" and e["message"] in self.out_of_scope for e in errors)
        )

    def check(self, rows) -> tuple[list, list]:
        """[(row number, indicator, partner, Period, breakdown, Clean, note)], [errors].

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
                        clean = Clean(parsed, None, None)
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
