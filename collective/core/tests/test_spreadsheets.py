"""Spreadsheet cells a spreadsheet would run as formulas are written inert."""

from __future__ import annotations

import io
from decimal import Decimal

import pytest
from openpyxl import load_workbook

from collective.core import spreadsheets

RISKY = ["=1+2", "+A1", "-A1+1", "@SUM(A1)", "\t=1", "\r=1", '=HYPERLINK("http://x","y")']
SAFE = ["Operations", "", "a=b", "5", "-5", "+1.5", "-0.25", "2e3", "-.5", "1 - 2"]


@pytest.mark.parametrize("text", RISKY)
def test_formula_like_text_is_recognised(text):
    assert spreadsheets.is_formula_like(text)
    assert spreadsheets.csv_cell(text) == "'" + text


@pytest.mark.parametrize("value", [*SAFE, None, -5, Decimal("-1.5"), 3.25])
def test_text_and_numbers_that_are_no_formula_are_untouched(value):
    assert not spreadsheets.is_formula_like(value)
    assert spreadsheets.csv_cell(value) == value


def test_csv_round_trip_takes_the_apostrophe_off():
    rows = [["name", "note", "value"], ["=1+2", "@cmd", "-5"], ["'plain", "a", "1"]]
    text = spreadsheets.csv_bytes(rows).decode()
    assert "'=1+2" in text and "'@cmd" in text and ",-5" in text
    assert list(spreadsheets.csv_reader(text)) == rows


def test_xlsx_cells_are_strings_not_formulas():
    content = spreadsheets.xlsx_bytes({"Sheet": [["name", "value"], ["=1+2", -5], ["-A1", "x"]]})
    sheet = load_workbook(io.BytesIO(content)).active
    assert (sheet["A2"].value, sheet["A2"].data_type) == ("=1+2", "s")
    assert (sheet["A3"].value, sheet["A3"].data_type) == ("-A1", "s")
    assert (sheet["B2"].value, sheet["B2"].data_type) == (-5, "n")
