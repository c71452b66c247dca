"""Reading spreadsheets of values: CSV and XLSX, long or wide layout, into rows for the services.

Long layout: one row per value with columns indicator, partner, period, breakdown, value (or
numerator and denominator), note. Wide layout: indicator, partner, optional breakdown, then one
column per period (headers are period codes or dates); empty cells are skipped. Column names
are matched with synonyms ("code", "indicator_code", "KPI"...). `exports` writes the same
layouts, so an export reads back unchanged.
"""

from __future__ import annotations

import codecs
import contextlib
import csv
import datetime
import io
import re
import zipfile
from collections.abc import Iterator

from collective.core import spreadsheets
from collective.core.errors import ApplicationError

from . import periods
from .upload_limits import max_rows

FIELDS = ["indicator", "partner", "period", "breakdown", "value", "numerator", "denominator",
          "note"]  # fmt: skip
SYNONYMS = {
    "indicator": ["indicator", "code", "indicator_code", "indicator_id", "kpi", "measure",
                  "indicator_name", "metric"],
    "partner": ["partner", "partner_name", "partner_uid", "partner_id", "organisation",
                "organization", "org", "team", "department", "agency"],
    "period": ["period", "period_code", "date", "month", "quarter", "year", "week",
               "reporting_period"],
    "breakdown": ["breakdown", "breakdown_value", "disaggregation", "group", "category",
                  "dimension", "segment"],
    "value": ["value", "actual", "amount", "result", "count", "number", "val"],
    "numerator": ["numerator", "num"],
    "denominator": ["denominator", "denom", "den"],
    "note": ["note", "notes", "comment", "comments", "remark", "remarks"],
}  # fmt: skip
_LOOKUP = {syn: name for name, syns in SYNONYMS.items() for syn in syns}
PROGRESS_EVERY = 20000


def _key(header) -> str:
    text = str(header or "").strip().lower()
    return re.sub(r"[\s\-/]+", "_", text).strip("_")


def map_columns(headers: list, layout: str) -> dict:
    """{"layout", "columns": [{"index", "header", "field"}], "periods": [...], "missing": [...]}."""
    columns, period_columns, used = [], [], set()
    for index, header in enumerate(headers):
        field = _LOOKUP.get(_key(header))
        if field and field not in used:
            used.add(field)
            columns.append({"index": index, "header": cell_text(header), "field": field})
        elif header not in (None, "") and periods.looks_like_period(header):
            label = (
                header.date().isoformat()
                if isinstance(header, datetime.datetime)
                else (
                    header.isoformat() if isinstance(header, datetime.date) else cell_text(header)
                )
            )
            period_columns.append({"index": index, "header": label, "field": "period:" + label})
        else:
            columns.append({"index": index, "header": cell_text(header), "field": ""})
    if layout == "auto":
        layout = "wide" if "period" not in used and period_columns else "long"
    if layout == "wide":
        # In wide files a column named like a period field ("Year") is still a period column.
        columns += period_columns
        required = ["indicator", "partner"]
        missing = [f for f in required if f not in used]
        if not period_columns:
            missing.append("period columns (headers like 2026-01, 2026-Q1 or a date)")
    else:
        columns += [{**c, "field": ""} for c in period_columns]
        missing = [f for f in ("indicator", "partner", "period") if f not in used]
        if "value" not in used and not {"numerator", "denominator"} <= used:
            missing.append("value (or numerator and denominator)")
    columns.sort(key=lambda c: c["index"])
    return {"layout": layout, "columns": columns, "missing": missing}


def cell_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _cell(value):
    """Cell values as the checker expects them: numbers stay numbers, dates stay dates."""
    if isinstance(value, str):
        value = value.strip()
        return value or None
    return value


# --- Reading files ---------------------------------------------------------------------------


def file_kind(filename: str, head: bytes) -> str:
    name = filename.lower()
    if head.startswith(b"PK") or name.endswith((".xlsx", ".xlsm")):
        return "xlsx"
    if name.endswith(".xls"):
        raise ApplicationError(
            "Old Excel files (.xls) cannot be read: save the sheet as .xlsx or CSV.",
            errors={"file": ["Use .xlsx or .csv."]},
        )
    return "csv"


CHUNK = 1024 * 1024


def _encoding(fileobj) -> tuple[str, bool]:
    """UTF-8 when every byte of the file decodes as such, else Windows-1252 — found by one pass
    over the file in 1 MB pieces, so a 200 MB file is never held in memory — and whether it has
    an apostrophe at all (our exports put one before formula-like text)."""
    decoder = codecs.getincrementaldecoder("utf-8")()
    apostrophe = False
    encoding = "utf-8-sig"
    try:
        while chunk := fileobj.read(CHUNK):
            apostrophe = apostrophe or b"'" in chunk
            if b"\x00" in chunk:
                raise ApplicationError(
                    "This file is not a CSV text file. Export the sheet as CSV (UTF-8) or "
                    "upload .xlsx.",
                    errors={"file": ["Not a text file."]},
                )
            if encoding == "utf-8-sig":
                try:
                    decoder.decode(chunk)
                except UnicodeDecodeError:
                    encoding = "cp1252"
        if encoding == "utf-8-sig":
            decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        encoding = "cp1252"
    finally:
        fileobj.seek(0)
    return encoding, apostrophe


def _csv_rows(fileobj) -> Iterator[list]:
    encoding, apostrophe = _encoding(fileobj)
    text = io.TextIOWrapper(fileobj, encoding=encoding, newline="", errors="strict")
    try:
        first = text.readline()
        delimiter = max([",", ";", "\t"], key=first.count)
        text.seek(0)
        rows = csv.reader(text, delimiter=delimiter)
        if not apostrophe:  # nothing to take off: read as it is, at no cost per row
            yield from rows
            return
        formula_like = spreadsheets.is_formula_like
        for row in rows:
            # The apostrophe our exports put before formula-like text comes off again.
            yield [v[1:] if v[:1] == "'" and formula_like(v[1:]) else v for v in row]
    except UnicodeDecodeError as exc:
        raise ApplicationError(
            "The characters of this CSV file cannot be read. Save it as CSV (UTF-8).",
            errors={"file": ["Unknown text encoding."]},
        ) from exc
    finally:
        with contextlib.suppress(ValueError):  # leave the caller's file open
            text.detach()


def _xlsx_rows(fileobj) -> Iterator[tuple]:
    from openpyxl import load_workbook
    from openpyxl.utils.exceptions import InvalidFileException

    try:
        workbook = load_workbook(fileobj, read_only=True, data_only=True)
    except (InvalidFileException, KeyError, OSError, ValueError, zipfile.BadZipFile) as exc:
        raise ApplicationError(
            "This file is not a readable Excel workbook.", errors={"file": [str(exc)[:200]]}
        ) from exc
    try:
        sheet = workbook.worksheets[0]
        yield from sheet.iter_rows(values_only=True)
    finally:
        workbook.close()


def read_table(fileobj, filename: str) -> tuple[list, Iterator]:
    """(headers, iterator over the data rows) of the first sheet or the CSV file."""
    head = fileobj.read(4)
    fileobj.seek(0)
    kind = file_kind(filename, head)
    try:
        rows = _xlsx_rows(fileobj) if kind == "xlsx" else _csv_rows(fileobj)
        for headers in rows:
            if any(v not in (None, "") for v in headers):
                return list(headers), rows
    except csv.Error as exc:
        raise ApplicationError(
            f"The CSV file cannot be read: {exc}.", errors={"file": [str(exc)]}
        ) from exc
    raise ApplicationError("The file is empty.", errors={"file": ["No header row found."]})


def rows_from(fileobj, filename: str, layout: str, progress=None) -> tuple[dict, list[dict]]:
    """The column mapping and the value rows (dicts for the bulk service) of a file."""
    mapping, rows = read_rows(fileobj, filename, layout, progress)
    return mapping, list(rows)


def read_rows(fileobj, filename: str, layout: str, progress=None) -> tuple[dict, Iterator[dict]]:
    """The column mapping and an iterator over the value rows of a file, read as they are
    consumed (a 200 MB file is never held in memory). Bad CSV syntax and more rows than
    `upload_limits.max_rows()` raise ApplicationError while iterating."""
    try:
        headers, data = read_table(fileobj, filename)
    except csv.Error as exc:
        raise ApplicationError(
            f"The CSV file cannot be read: {exc}.", errors={"file": [str(exc)]}
        ) from exc
    mapping = map_columns(headers, layout)
    if mapping["missing"]:
        found = ", ".join(c["header"] for c in mapping["columns"] if c["header"]) or "none"
        raise ApplicationError(
            f"Columns missing: {', '.join(mapping['missing'])}. Columns found: {found}.",
            errors={"file": [f"Missing: {m}." for m in mapping["missing"]]},
        )
    return mapping, _guarded(_values(mapping, data, progress))


def _guarded(rows: Iterator[dict]) -> Iterator[dict]:
    limit = max_rows()
    try:
        for row in rows:
            if row["row"] > limit:
                raise ApplicationError(
                    f"The file has more than {limit:,} rows. Split it into several files.",
                    errors={"file": [f"More than {limit:,} rows."]},
                )
            yield row
    except csv.Error as exc:
        raise ApplicationError(
            f"The CSV file cannot be read: {exc}.", errors={"file": [str(exc)]}
        ) from exc


def _values(mapping: dict, data: Iterator, progress=None) -> Iterator[dict]:
    fields = [(c["index"], c["field"]) for c in mapping["columns"] if c["field"]]
    number = 1  # the header row
    if mapping["layout"] == "long":
        has_note = any(name == "note" for _, name in fields)
        for values in data:
            number += 1
            n = len(values)
            row = {"row": number}
            empty = True
            for index, name in fields:
                v = values[index] if index < n else None
                if v is not None and v != "":
                    if isinstance(v, str):
                        v = v.strip()
                        if not v:
                            continue
                    row[name] = v
                    empty = False
            if not empty:
                if has_note and "note" not in row:
                    row["note"] = ""  # a note column with an empty cell clears the note
                yield row
            if progress and number % PROGRESS_EVERY == 0:
                progress(number)
        return
    base = [(i, f) for i, f in fields if not f.startswith("period:")]
    period_cols = [(i, f[7:]) for i, f in fields if f.startswith("period:")]
    for values in data:
        number += 1
        n = len(values)
        common = {"row": number}
        for index, name in base:
            v = _cell(values[index]) if index < n else None
            if v is not None:
                common[name] = v
        for index, header in period_cols:
            v = _cell(values[index]) if index < n else None
            if v is None:
                continue
            yield {**common, "period": header, "value": v, "column": header}
        if progress and number % PROGRESS_EVERY == 0:
            progress(number)
