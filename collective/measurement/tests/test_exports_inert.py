"""Exports never carry a live formula: a note or a partner name typed as a formula is written
as text (CSV: with an apostrophe; XLSX: a string cell), numbers stay numbers, and the CSV
export still imports back unchanged."""

from __future__ import annotations

import csv
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import load_workbook

from collective.core import services as core_services
from collective.measurement import exports, services
from collective.measurement.tests.helpers import save_value
from collective.measurement.tests.pages_data import make_measures

NOTE = '=HYPERLINK("http://evil.example","click")'
NAME = "=1+2 Operations"


@pytest.fixture
def risky(world, bb, make_indicator):
    core_services.partner_update(actor=bb, partner=world.partner, name=NAME)
    people = make_indicator("PEOPLE", name="People helped")
    save_value(
        actor=bb, indicator=people, partner=world.partner, period="2025-01", value=-5, note=NOTE
    )
    return world


def test_csv_export_writes_formulas_as_text(risky):
    content, _, _ = exports.export(initiative=risky.initiative, fmt="csv")
    header, row = list(csv.reader(io.StringIO(content.decode())))
    values = dict(zip(header, row, strict=True))
    assert values["partner"] == "'" + NAME
    assert values["note"] == "'" + NOTE
    assert values["value"] == "-5"  # a negative number is not neutralised


@pytest.mark.parametrize("layout", ["long", "wide"])
def test_xlsx_export_writes_formulas_as_strings(risky, layout):
    content, _, _ = exports.export(initiative=risky.initiative, fmt="xlsx", layout=layout)
    sheet = load_workbook(io.BytesIO(content)).active
    header = [c.value for c in sheet[1]]
    row = dict(zip(header, sheet[2], strict=True))
    assert (row["partner"].value, row["partner"].data_type) == (NAME, "s")
    value = row["value"] if layout == "long" else row["2025-01"]
    assert (value.value, value.data_type) == (-5, "n")
    if layout == "long":
        assert (row["note"].value, row["note"].data_type) == (NOTE, "s")
    assert not any(c.data_type == "f" for r in sheet.iter_rows() for c in r)


def test_csv_export_imports_back_unchanged(risky, bb):
    content, content_type, filename = exports.export(initiative=risky.initiative, fmt="csv")
    upload = SimpleUploadedFile(filename, content, content_type=content_type)
    job = services.import_start(actor=bb, initiative=risky.initiative, uploaded_file=upload)
    preview = services.import_preview(job)
    assert preview["errors"] == []
    assert (preview["create"], preview["update"], preview["unchanged"]) == (0, 0, 1)


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_completeness_download_writes_a_formula_partner_name_as_text(fmt, world, client_as):
    make_measures(world)
    core_services.partner_update(actor=world.users["backbone"], partner=world.partner, name=NAME)
    response = client_as("viewer").get(
        reverse("measurement:completeness", kwargs={"slug": "acme"}), {"format": fmt}
    )
    assert response.status_code == 200
    if fmt == "csv":
        partners = {r[0] for r in csv.reader(io.StringIO(response.content.decode()))}
        assert "'" + NAME in partners and NAME not in partners
    else:
        sheet = load_workbook(io.BytesIO(response.content)).active
        cells = [c for c in sheet["A"] if c.value == NAME]
        assert cells and all(c.data_type == "s" for c in cells)
        assert not any(c.data_type == "f" for r in sheet.iter_rows() for c in r)
