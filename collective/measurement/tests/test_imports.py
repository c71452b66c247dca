"""Spreadsheet imports and exports: good and bad files, wide XLSX, atomicity, round trips."""

from __future__ import annotations

import datetime
import io
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import Workbook, load_workbook

from collective.core.errors import ApplicationError
from collective.measurement import exports, services
from collective.measurement.choices import ImportState
from collective.measurement.models import ImportJob, Observation, Rollup
from collective.measurement.services import imports


@pytest.fixture
def setup(world, bb, make_indicator):
    make_indicator("PEOPLE", name="People helped", max_value=1000)
    make_indicator(
        "HOUSED_PCT", name="Housed within 30 days", aggregation="ratio", value_type="percent"
    )
    make_indicator(
        "BY_AGE",
        name="Young people by age",
        breakdown_dimension="Age group",
        breakdown_values=["16-17", "18-24"],
    )
    make_indicator("VISITS_Q", name="Visits", frequency="quarter")
    return world


def _csv(text: str, name="values.csv") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, text.encode("utf-8"), content_type="text/csv")


GOOD = """indicator,partner,period,breakdown,value,numerator,denominator,note
PEOPLE,Operations,2025-01,,10,,,first month
PEOPLE,Operations,2025-02,,12,,,
PEOPLE,Sales,2025-01,,7,,,
HOUSED_PCT,Operations,2025-01,,,30,40,
BY_AGE,Ops Team North,2025-01,16-17,3,,,
BY_AGE,Ops Team North,2025-01,18-24,5,,,
VISITS_Q,Sales,2025-02-15,,100,,,a date maps to its quarter
"""


def test_good_long_csv_previews_then_imports(setup, bb):
    job = services.import_start(actor=bb, initiative=setup.initiative, uploaded_file=_csv(GOOD))
    preview = services.import_preview(job)
    assert job.state == ImportState.PREVIEWED
    assert (preview["create"], preview["update"], preview["unchanged"]) == (7, 0, 0)
    assert preview["errors"] == []
    assert preview["mapped"]["indicator"] == "indicator"
    assert len(preview["sample"]) == 7
    assert not Observation.objects.exists()  # the preview writes nothing

    job = services.import_confirm(unassigned="include", actor=bb, job=job)
    assert job.state == ImportState.DONE
    assert (job.created_count, job.updated_count) == (7, 0)
    housed = Observation.objects.get(indicator__code="HOUSED_PCT")
    assert housed.value == Decimal("75")
    assert Observation.objects.get(indicator__code="VISITS_Q").period == "2025-Q1"
    total = Rollup.objects.get(
        indicator__code="PEOPLE", period="2025-01", scope__isnull=True, breakdown=""
    )
    assert total.value == Decimal(17)
    by_age = Rollup.objects.get(
        indicator__code="BY_AGE", period="2025-01", scope__isnull=True, breakdown=""
    )
    assert by_age.value == Decimal(8)

    # The same file again: nothing to do.
    again = services.import_start(actor=bb, initiative=setup.initiative, uploaded_file=_csv(GOOD))
    assert services.import_preview(again)["unchanged"] == 7
    with pytest.raises(ApplicationError, match="Nothing to import"):
        services.import_confirm(unassigned="include", actor=bb, job=again)


BAD = """Indicator Code;Partner;Period;Value;Comment
PEOPLE;Operations;2025-01;10;
NOPE;Operations;2025-01;4;
PEOPLE;Nobody Ltd;2025-01;4;
PEOPLE;Sales;2025-Q1;4;
PEOPLE;Sales;2025-02;5000;
PEOPLE;Sales;2025-03;lots;
PEOPLE;Operations;2025-01;11;
PEOPLE;Sales;2025-04;1,5;decimal comma
"""


def test_bad_file_reports_every_row_and_saves_nothing(setup, bb):
    job = services.import_start(actor=bb, initiative=setup.initiative, uploaded_file=_csv(BAD))
    preview = services.import_preview(job)
    by_row = {(e["row"], e["field"]) for e in preview["errors"]}
    assert by_row == {
        (3, "indicator"),  # unknown indicator
        (4, "partner"),  # unknown partner
        (5, "period"),  # a quarter for a monthly indicator
        (6, "value"),  # above the valid range
        (7, "value"),  # not a number
        (8, "row"),  # duplicate of row 2
    }
    messages = {e["row"]: e["message"] for e in preview["errors"]}
    assert "NOPE" in messages[3]
    assert "quarter" in messages[5]
    assert "row 2" in messages[8]
    assert preview["create"] == 2 and preview["invalid_rows"] == 6
    with pytest.raises(ApplicationError, match="nothing was saved"):
        services.import_confirm(unassigned="include", actor=bb, job=job)
    assert not Observation.objects.exists()

    job.refresh_from_db()
    job = services.import_confirm(unassigned="include", actor=bb, job=job, only_valid=True)
    assert job.state == ImportState.DONE
    assert job.created_count == 2
    assert Observation.objects.get(period="2025-04").value == Decimal("1.5")


def test_fix_the_file_and_import_again(setup, bb):
    job = services.import_start(actor=bb, initiative=setup.initiative, uploaded_file=_csv(BAD))
    assert services.import_preview(job)["error_count"]
    fixed = (
        "indicator,partner,period,value\nPEOPLE,Operations,2025-01,10\nPEOPLE,Sales,2025-02,50\n"
    )
    job = services.import_start(actor=bb, initiative=setup.initiative, uploaded_file=_csv(fixed))
    assert services.import_preview(job)["errors"] == []
    services.import_confirm(unassigned="include", actor=bb, job=job)
    assert Observation.objects.count() == 2


def _wide_xlsx() -> SimpleUploadedFile:
    wb = Workbook()
    ws = wb.active
    excel_date = datetime.datetime(2025, 1, 1)  # noqa: DTZ001 — Excel dates are naive
    ws.append(["Indicator", "Partner", "Breakdown", excel_date, "2025-02", "2025-03"])
    ws.append(["PEOPLE", "Operations", None, 4, 5.5, None])
    ws.append(["PEOPLE", "Sales", None, 1, 2, 3])
    ws.append(["BY_AGE", "Sales", "18-24", 9, None, 11])
    ws.append(["HOUSED_PCT", "Sales", None, "3/4", None, None])
    buffer = io.BytesIO()
    wb.save(buffer)
    return SimpleUploadedFile(
        "wide.xlsx",
        buffer.getvalue(),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )


def test_wide_xlsx_import(setup, bb):
    job = services.import_start(
        actor=bb, initiative=setup.initiative, uploaded_file=_wide_xlsx(), layout="wide"
    )
    preview = services.import_preview(job)
    assert preview["errors"] == [], preview["errors"]
    assert preview["create"] == 8
    services.import_confirm(unassigned="include", actor=bb, job=job)
    assert Observation.objects.get(
        indicator__code="PEOPLE", partner__name="Operations", period="2025-02"
    ).value == Decimal("5.5")
    assert Observation.objects.get(indicator__code="HOUSED_PCT").value == Decimal(75)


def test_wide_layout_is_detected_and_errors_name_the_column(setup, bb):
    text = "indicator,partner,2025-01,2025-Q2\nPEOPLE,Operations,4,5\n"
    job = services.import_start(
        actor=bb, initiative=setup.initiative, uploaded_file=_csv(text), layout="auto"
    )
    preview = services.import_preview(job)
    assert job.layout == "wide"
    assert preview["errors"] == [
        {
            "row": 2,
            "field": "period",
            "message": preview["errors"][0]["message"],
            "column": "2025-Q2",
        }
    ]


def test_missing_columns_are_refused(setup, bb):
    job = services.import_start(
        actor=bb, initiative=setup.initiative, uploaded_file=_csv("indicator,value\nPEOPLE,1\n")
    )
    assert job.state == ImportState.FAILED
    assert "partner" in job.message and "period" in job.message


def test_xls_and_empty_files_are_refused(setup, bb):
    with pytest.raises(ApplicationError, match="xlsx"):
        services.import_start(
            actor=bb, initiative=setup.initiative, uploaded_file=_csv("x", name="old.xls")
        )
    job = services.import_start(actor=bb, initiative=setup.initiative, uploaded_file=_csv(""))
    assert job.state == ImportState.FAILED


def test_contributor_imports_only_for_own_partner(setup):
    contributor = setup.users["contributor"]
    text = (
        "indicator,partner,period,value\nPEOPLE,Operations,2025-01,1\n"
        "PEOPLE,Ops Team North,2025-01,2\nPEOPLE,Sales,2025-01,3\n"
    )
    job = services.import_start(
        actor=contributor, initiative=setup.initiative, uploaded_file=_csv(text)
    )
    preview = services.import_preview(job)
    assert [(e["row"], e["field"]) for e in preview["errors"]] == [(4, "partner")]


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
@pytest.mark.parametrize("layout", ["long", "wide"])
def test_export_round_trips(setup, bb, fmt, layout):
    services.import_confirm(
        unassigned="include",
        actor=bb,
        job=services.import_start(actor=bb, initiative=setup.initiative, uploaded_file=_csv(GOOD)),
    )
    before = sorted(
        Observation.objects.values_list(
            "indicator__code", "partner__name", "period", "breakdown", "value", "numerator",
            "denominator",
        )
    )  # fmt: skip
    content, content_type, filename = exports.export(
        initiative=setup.initiative, fmt=fmt, layout=layout
    )
    assert filename.endswith("." + fmt)
    if fmt == "xlsx":
        sheet = load_workbook(io.BytesIO(content), read_only=True).worksheets[0]
        assert next(sheet.iter_rows(values_only=True))[0] == "indicator"
    # Reading the export back changes nothing...
    upload = SimpleUploadedFile(filename, content, content_type=content_type)
    job = services.import_start(
        actor=bb, initiative=setup.initiative, uploaded_file=upload, layout=layout
    )
    preview = services.import_preview(job)
    assert preview["errors"] == []
    assert (preview["create"], preview["update"], preview["unchanged"]) == (0, 0, 7)
    # ...and into an empty initiative's twin it recreates the same values.
    Observation.objects.all().delete()
    upload = SimpleUploadedFile(filename, content, content_type=content_type)
    job = services.import_start(
        actor=bb, initiative=setup.initiative, uploaded_file=upload, layout=layout
    )
    services.import_confirm(unassigned="include", actor=bb, job=job)
    after = sorted(
        Observation.objects.values_list(
            "indicator__code", "partner__name", "period", "breakdown", "value", "numerator",
            "denominator",
        )
    )  # fmt: skip
    assert after == before


def test_large_file_runs_in_the_background_with_progress(
    setup, bb, django_capture_on_commit_callbacks, monkeypatch
):
    monkeypatch.setattr(imports, "BACKGROUND_ROWS", 50)
    monkeypatch.setattr(imports, "BACKGROUND_BYTES", 1000)
    lines = ["indicator,partner,period,value"]
    start = datetime.date(2015, 1, 1)
    for i in range(120):
        month = (start.month - 1 + i) % 12 + 1
        year = start.year + (start.month - 1 + i) // 12
        lines.append(f"PEOPLE,Operations,{year}-{month:02d},{i}")
        lines.append(f"PEOPLE,Sales,{year}-{month:02d},{i + 1}")
    with django_capture_on_commit_callbacks(execute=True):
        job = services.import_start(
            actor=bb, initiative=setup.initiative, uploaded_file=_csv("\n".join(lines))
        )
    job.refresh_from_db()
    assert job.state == ImportState.PREVIEWED
    assert job.total_rows == 240 and job.processed_rows == 240
    with django_capture_on_commit_callbacks(execute=True):
        job = services.import_confirm(unassigned="include", actor=bb, job=job)
        assert job.state == ImportState.QUEUED
    job = ImportJob.objects.get(pk=job.pk)
    assert job.state == ImportState.DONE
    assert job.processed_rows == job.total_rows == 240
    assert Observation.objects.count() == 240


@pytest.mark.django_db(transaction=True)
def test_the_database_worker_applies_a_confirmed_import(setup, bb):
    from django.core.management import call_command

    from collective.measurement.tasks import import_run

    job = services.import_start(actor=bb, initiative=setup.initiative, uploaded_file=_csv(GOOD))
    job.only_valid = False
    job.save(update_fields=["only_valid"])
    result = import_run.using(backend="database").enqueue(job_id=job.pk)
    assert not Observation.objects.exists()  # queued, not run yet
    call_command("db_worker", "--backend", "database", "--batch", "--no-startup-delay", "-v", "0")
    result.refresh()
    assert result.status == "SUCCESSFUL"
    job.refresh_from_db()
    assert job.state == ImportState.DONE and job.created_count == 7
    assert Observation.objects.count() == 7


@pytest.mark.parametrize(
    "content",
    [
        b"\x81\x8d\x8f\x90\x9d not text at all \xff\xfe",
        b"indicator,partner,period,value\nPEOPLE,Operations,2025-01," + b"9" * 200_000 + b"\n",
        b'indicator,partner,period,value\n"PEOPLE,Operations,2025-01,1\n',
        b"PK\x03\x04 a zip that is not a workbook",
        b"indicator;partner;period;value\n;;;\n,,,\n",
    ],
)
def test_strange_files_get_a_message_never_a_crash(setup, bb, content):
    upload = SimpleUploadedFile("odd.csv", content, content_type="text/csv")
    try:
        job = services.import_start(actor=bb, initiative=setup.initiative, uploaded_file=upload)
    except ApplicationError as exc:
        assert exc.message
        return
    preview = services.import_preview(job)
    assert job.state in (ImportState.FAILED, ImportState.PREVIEWED)
    assert job.message or preview["errors"] or preview["values"] == 0
    assert not Observation.objects.exists()
