"""Exports of values as CSV or XLSX, long or wide: the import reads them back unchanged.

Long: indicator, partner, period, breakdown, value, numerator, denominator, note.
Wide: indicator, partner, breakdown, then one column per period; for indicators that combine
numerators and denominators a cell holds "numerator/denominator", which the import reads.
Notes travel in the long layout only.
"""

from __future__ import annotations

import csv
import io
from decimal import Decimal

from django.utils import timezone

from collective.core import spreadsheets
from collective.core.errors import ApplicationError

from . import periods
from .models import Observation
from .selectors import in_subtree, partner_find

LONG = ["indicator", "partner", "period", "breakdown", "value", "numerator", "denominator", "note"]
CONTENT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def _num(value) -> str:
    if value is None:
        return ""
    value = Decimal(value)
    text = f"{value:f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text or "0"


def _queryset(initiative, *, indicator=None, partner=None, period_from=None, period_to=None,
              status=None, **_ignored):  # fmt: skip
    qs = Observation.objects.filter(initiative=initiative)
    if indicator:
        codes = [indicator] if isinstance(indicator, str) else list(indicator)
        qs = qs.filter(indicator__code__in=codes)
    if partner is not None:
        # The partner and the partners below it, as every partner filter (selectors.partners).
        found = partner_find(initiative, partner)
        qs = qs.filter(in_subtree(found)) if found else qs.none()
    if period_from:
        qs = qs.filter(period_start__gte=periods.parse(period_from).start)
    if period_to:
        qs = qs.filter(period_start__lte=periods.parse(period_to).start)
    if status:
        qs = qs.filter(status=status)
    return qs.order_by("indicator__code", "partner__name", "breakdown", "period_start")


def _rows(initiative, filters):
    qs = _queryset(initiative, **filters).values_list(
        "indicator__code",
        "indicator__aggregation",
        "partner__name",
        "period",
        "breakdown",
        "value",
        "numerator",
        "denominator",
        "note",
    )
    return qs.iterator(chunk_size=5000)


def _long(initiative, filters):
    yield LONG
    for code, _agg, partner, period, bd, value, num, den, note in _rows(initiative, filters):
        yield [code, partner, period, bd, _num(value), _num(num), _num(den), note]


def _wide(initiative, filters):
    cells: dict[tuple, dict[str, str]] = {}
    seen_periods: dict[str, periods.Period] = {}
    for code, agg, partner, period, bd, value, num, den, _note in _rows(initiative, filters):
        if agg == "ratio" and num is not None and den is not None:
            text = f"{_num(num)}/{_num(den)}"
        else:
            text = _num(value)
        cells.setdefault((code, partner, bd), {})[period] = text
        if period not in seen_periods:
            seen_periods[period] = periods.parse(period)
    ordered = sorted(seen_periods.values(), key=lambda p: (p.start, p.end))
    codes = [p.code for p in ordered]
    yield ["indicator", "partner", "breakdown", *codes]
    for (code, partner, bd), values in cells.items():
        yield [code, partner, bd, *(values.get(c, "") for c in codes)]


def export(*, initiative, fmt: str = "csv", layout: str = "long", **filters):
    """(bytes, content type, file name) of the initiative's values."""
    if fmt not in CONTENT_TYPES:
        raise ApplicationError("Choose CSV or XLSX.", errors={"fmt": ["csv or xlsx."]})
    if layout not in ("long", "wide"):
        raise ApplicationError("Choose long or wide.", errors={"layout": ["long or wide."]})
    try:
        rows = _long(initiative, filters) if layout == "long" else _wide(initiative, filters)
        name = f"{initiative.slug}-values-{layout}-{timezone.localdate():%Y%m%d}.{fmt}"
        if fmt == "csv":
            buffer = io.StringIO()
            writer = csv.writer(buffer, lineterminator="\n")
            writer.writerows(spreadsheets.csv_rows(rows))
            return buffer.getvalue().encode("utf-8"), CONTENT_TYPES["csv"], name
        return _xlsx(rows, first_number=4 if layout == "long" else 3), CONTENT_TYPES["xlsx"], name
    except periods.PeriodError as exc:
        raise ApplicationError(str(exc), errors={"period": [str(exc)]}) from exc


def _xlsx(rows, first_number: int) -> bytes:
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("Values")
    for i, row in enumerate(rows):
        if i == 0:
            sheet.append(spreadsheets.xlsx_row(sheet, row))
            continue
        # Values as numbers (so spreadsheets can sum them); codes, names and notes as text.
        sheet.append(
            spreadsheets.xlsx_row(
                sheet,
                [
                    _number_or_text(v)
                    if first_number <= j < first_number + 3 or (first_number == 3 and j >= 3)
                    else v
                    for j, v in enumerate(row)
                ],
            )
        )
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _number_or_text(value):
    if not value or "/" in value:
        return value if value else None
    return Decimal(value)
