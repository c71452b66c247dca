"""CSV and XLSX files every export writes through, so no cell becomes a live formula.

A spreadsheet runs a cell that starts with `=`, `+`, `-` or `@` (and, in some, a tab or a
carriage return) as a formula: a partner name or a note typed as `=HYPERLINK(...)` would
become a link or a command in the hands of whoever opens the export ("CSV injection").

- CSV: such a text cell is written with a leading apostrophe (`'=1+2`), the usual way to say
  "text" to a spreadsheet; `csv_reader` takes the apostrophe off again, so an export imports
  back unchanged.
- XLSX: such a cell is written as a string cell (its text unchanged), never as a formula.

Numbers stay numbers: a number, or text that is a plain number (`-5`, `+1.5`, `2e3`), is
never touched.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Iterator

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
_PLAIN_NUMBER = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?")
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CSV_CONTENT_TYPE = "text/csv; charset=utf-8"


def is_formula_like(value) -> bool:
    """Text a spreadsheet would run as a formula (a plain number is not)."""
    return (
        isinstance(value, str)
        and value.startswith(FORMULA_PREFIXES)
        and not _PLAIN_NUMBER.fullmatch(value)
    )


def csv_cell(value):
    return f"'{value}" if is_formula_like(value) else value


def csv_rows(rows: Iterable[Iterable]) -> Iterator[list]:
    """The rows with every formula-like text cell made inert (for `csv.writer.writerows`)."""
    for row in rows:
        yield [csv_cell(value) for value in row]


def csv_bytes(rows: Iterable[Iterable], **writer_options) -> bytes:
    """A UTF-8 CSV file of `rows`, every text cell inert."""
    buffer = io.StringIO()
    csv.writer(buffer, **writer_options).writerows(csv_rows(rows))
    return buffer.getvalue().encode("utf-8")


def xlsx_row(sheet, row: Iterable) -> list:
    """A row for a write-only openpyxl `sheet.append`: formula-like text as string cells."""
    from openpyxl.cell import WriteOnlyCell

    out = []
    for value in row:
        if is_formula_like(value):
            cell = WriteOnlyCell(sheet, value=value)
            cell.data_type = "s"  # openpyxl would store "=..." as a formula
            value = cell
        out.append(value)
    return out


def xlsx_bytes(sheets: dict[str, Iterable[Iterable]]) -> bytes:
    """An XLSX workbook with one sheet per title, every text cell inert."""
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    for title, rows in sheets.items():
        sheet = workbook.create_sheet(title)
        for row in rows:
            sheet.append(xlsx_row(sheet, row))
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _unquote(value: str) -> str:
    return value[1:] if value[:1] == "'" and is_formula_like(value[1:]) else value


def csv_reader(text: str, delimiter: str = ",") -> Iterator[list[str]]:
    """Rows of a CSV text, with the apostrophe `csv_cell` put before formula-like text taken
    off again (a file without any apostrophe is read as it is, at no cost per row)."""
    rows = csv.reader(io.StringIO(text), delimiter=delimiter)
    if "'" not in text:
        return rows
    return ([_unquote(value) for value in row] for row in rows)
