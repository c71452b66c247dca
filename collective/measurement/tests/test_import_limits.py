"""Bounded imports: what a workbook declares is read before parsing, uploads are never read whole,
files are checked in pieces, heavy checks go to the worker, one import at a time per person."""

from __future__ import annotations

import io
import zipfile
from unittest import mock

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from collective.core.errors import ApplicationError
from collective.measurement import services, spreadsheets
from collective.measurement.choices import ImportState
from collective.measurement.models import ImportJob, ImportRow, Observation
from collective.measurement.services import imports

MB = 1024 * 1024


@pytest.fixture
def setup(world, bb, make_indicator):
    make_indicator("PEOPLE", name="People helped")
    return world


def _csv(text: str, name="values.csv") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, text.encode(), content_type="text/csv")


WORKBOOK = (
    '<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.openxmlformats.org/'
    'spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/'
    'relationships"><sheets><sheet name="Values" sheetId="1" r:id="rId1"/></sheets></workbook>'
)
RELS = (
    '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.'
    'org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats'
    '.org/officeDocument/2006/relationships/worksheet" Target="worksheets/data.xml"/>'
    "</Relationships>"
)


def _workbook(sheet_xml: bytes, name="bomb.xlsx") -> SimpleUploadedFile:
    """A workbook written part by part, so a test can declare what it likes."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        archive.writestr("xl/workbook.xml", WORKBOOK)
        archive.writestr("xl/_rels/workbook.xml.rels", RELS)
        archive.writestr("xl/worksheets/data.xml", sheet_xml)
    return SimpleUploadedFile(name, buffer.getvalue())


def _sheet(dimension: str, rows: int, padding: int = 0) -> bytes:
    cells = b"".join(
        b'<row r="%d"><c r="A%d" t="inlineStr"><is><t>x</t></is></c></row>' % (i, i)
        for i in range(1, rows + 1)
    )
    pad = b"<!--" + b" " * padding + b"-->" if padding else b""
    return (
        b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        b'<dimension ref="' + dimension.encode() + b'"/>' + pad + b"<sheetData>" + cells +
        b"</sheetData></worksheet>"
    )  # fmt: skip


def test_a_small_workbook_hiding_64_mb_of_xml_is_refused_before_parsing(setup, bb):
    upload = _workbook(_sheet("A1:A3", 3, padding=64 * MB))
    assert upload.size < 300 * 1024  # a few hundred KB on disk
    with (
        mock.patch("openpyxl.load_workbook", side_effect=AssertionError("parsed")),
        pytest.raises(ApplicationError) as refused,
    ):
        services.import_start(actor=bb, initiative=setup.initiative, uploaded_file=upload)
    assert "unpacks to 64.0 MB" in refused.value.message
    assert "at most 50 MB" in refused.value.message
    assert not ImportJob.objects.exists()


def test_a_workbook_declaring_too_many_rows_is_refused_before_parsing(setup, bb, settings):
    settings.IMPORT_MAX_ROWS = 1000
    upload = _workbook(_sheet("A1:H250000", 3))
    with (
        mock.patch("openpyxl.load_workbook", side_effect=AssertionError("parsed")),
        pytest.raises(ApplicationError, match="declares 250,000 rows; at most 1,000"),
    ):
        services.import_start(actor=bb, initiative=setup.initiative, uploaded_file=upload)
    assert not ImportJob.objects.exists()


def test_the_upload_page_says_why_a_workbook_is_refused(setup, client_as):
    client = client_as("backbone")
    url = reverse("measurement:import", kwargs={"slug": setup.initiative.slug})
    response = client.post(url, {"file": _workbook(_sheet("A1:A3", 3, 64 * MB)), "layout": "auto"})
    assert response.status_code == 400
    text = response.content.decode()
    assert "unpacks to 64.0 MB" in text
    assert "Save the sheet as CSV" in text


def test_rows_beyond_the_limit_fail_the_check_with_a_message(setup, bb, settings):
    settings.IMPORT_MAX_ROWS = 5
    text = "indicator,partner,period,value\n" + "".join(
        f"PEOPLE,Operations,2025-{m:02d},{m}\n" for m in range(1, 10)
    )
    job = services.import_start(actor=bb, initiative=setup.initiative, uploaded_file=_csv(text))
    job.refresh_from_db()
    assert job.state == ImportState.FAILED
    assert "more than 5 rows" in job.message
    assert not ImportRow.objects.filter(job=job).exists()


class _NoWholeRead(io.BytesIO):
    """A file that refuses to be read whole: read() and read(-1) fail."""

    def read(self, size=-1):
        assert size is not None and size >= 0, "read the whole file"
        return super().read(size)


def test_a_big_upload_reaches_the_service_on_disk_and_is_moved_not_read(
    setup, client_as, monkeypatch
):
    """Django writes an upload above FILE_UPLOAD_MAX_MEMORY_SIZE to a temporary file; storing
    it moves that file (nothing reads it whole)."""
    seen = {}
    start = services.import_start

    def spy(**kwargs):
        upload = kwargs["uploaded_file"]
        seen["type"] = type(upload).__name__
        monkeypatch.setattr(upload.file, "read", mock.Mock(side_effect=AssertionError("read")))
        return start(**kwargs)

    monkeypatch.setattr(services, "import_start", spy)
    monkeypatch.setattr(imports, "_declared", lambda upload, name: None)  # reads 4 bytes
    line = "PEOPLE,Operations,2025-01,1\n"
    body = ("indicator,partner,period,value\n" + line * (3 * MB // len(line))).encode()
    client = client_as("backbone")
    url = reverse("measurement:import", kwargs={"slug": setup.initiative.slug})
    response = client.post(url, {"file": SimpleUploadedFile("big.csv", body), "layout": "long"})
    assert response.status_code == 302, response.content[:500]
    assert seen["type"] == "TemporaryUploadedFile"
    job = ImportJob.objects.get()
    assert job.state == ImportState.QUEUED  # checked in the worker
    assert job.file.size == len(body)


def test_stored_files_are_read_in_pieces(setup):
    text = "indicator,partner,period,value\n" + "".join(
        f"PEOPLE,Operations,2024-{m:02d},{m}\n" for m in range(1, 13)
    )
    mapping, rows = spreadsheets.read_rows(_NoWholeRead(text.encode()), "values.csv", "auto")
    assert mapping["layout"] == "long"
    assert [r["value"] for r in rows] == [str(m) for m in range(1, 13)]


def test_a_workbook_with_much_xml_is_checked_in_the_worker(
    setup, bb, monkeypatch, django_capture_on_commit_callbacks
):
    monkeypatch.setattr(imports, "BACKGROUND_XML_BYTES", 10_000)
    upload = _workbook(_sheet("A1:A3", 3, padding=50_000), name="values.xlsx")
    with (
        mock.patch("openpyxl.load_workbook", side_effect=AssertionError("parsed in the request")),
        django_capture_on_commit_callbacks() as callbacks,
    ):
        job = services.import_start(actor=bb, initiative=setup.initiative, uploaded_file=upload)
    assert job.state == ImportState.QUEUED
    assert job.message == "Waiting to be checked…"
    assert len(callbacks) == 1  # the check is enqueued for the worker


def test_duplicates_across_pieces_are_found_and_left_out(setup, bb, monkeypatch):
    monkeypatch.setattr(imports, "CHUNK_ROWS", 2)
    text = (
        "indicator,partner,period,value\n"
        "PEOPLE,Operations,2025-01,1\n"  # row 2
        "PEOPLE,Operations,2025-02,2\n"
        "PEOPLE,Sales,2025-01,3\n"
        "PEOPLE,Operations,2025-01,4\n"  # row 5: same value as row 2, in another piece
        "PEOPLE,Sales,2025-02,5\n"
    )
    job = services.import_start(actor=bb, initiative=setup.initiative, uploaded_file=_csv(text))
    preview = services.import_preview(job)
    assert (preview["create"], preview["invalid_rows"], preview["error_count"]) == (4, 1, 1)
    assert preview["errors"] == [
        {
            "row": 5,
            "field": "row",
            "message": "Duplicate: row 2 already gives PEOPLE for Operations, 2025-01.",
        }
    ]
    assert [e["row"] for e in preview["errors"]] == [5]
    job = services.import_confirm(unassigned="include", actor=bb, job=job, only_valid=True)
    assert job.state == ImportState.DONE
    assert Observation.objects.get(partner__name="Operations", period="2025-01").value == 1
    assert Observation.objects.count() == 4


def test_one_import_at_a_time_per_person(setup, bb):
    first = services.import_start(
        actor=bb,
        initiative=setup.initiative,
        uploaded_file=_csv("indicator,partner,period,value\nPEOPLE,Operations,2025-01,1\n"),
    )
    ImportJob.objects.filter(pk=first.pk).update(state=ImportState.RUNNING)
    second = _csv("indicator,partner,period,value\nPEOPLE,Sales,2025-01,1\n", name="second.csv")
    with pytest.raises(ApplicationError) as refused:
        services.import_start(actor=bb, initiative=setup.initiative, uploaded_file=second)
    assert refused.value.code == "busy"
    assert "Your import of values.csv (Acme Change) is still importing" in refused.value.message
    assert ImportJob.objects.count() == 1
    # Someone else is not held back.
    lead = setup.users["lead"]
    other = services.import_start(
        actor=lead,
        initiative=setup.initiative,
        uploaded_file=_csv("indicator,partner,period,value\nPEOPLE,Operations,2025-02,1\n"),
    )
    assert other.state == ImportState.PREVIEWED
    # Once the first has finished, the next one starts.
    ImportJob.objects.filter(pk=first.pk).update(state=ImportState.DONE)
    second.seek(0)
    job = services.import_start(actor=bb, initiative=setup.initiative, uploaded_file=second)
    assert job.state == ImportState.PREVIEWED


def test_confirming_is_refused_while_another_import_of_the_person_runs(setup, bb):
    text = "indicator,partner,period,value\nPEOPLE,Operations,2025-01,1\n"
    job = services.import_start(actor=bb, initiative=setup.initiative, uploaded_file=_csv(text))
    busy = services.import_start(
        actor=bb, initiative=setup.initiative, uploaded_file=_csv(text.replace("01,1", "02,1"))
    )
    ImportJob.objects.filter(pk=busy.pk).update(state=ImportState.QUEUED)
    with pytest.raises(ApplicationError, match="one import runs at a time"):
        services.import_confirm(unassigned="include", actor=bb, job=job)
    job.refresh_from_db()
    assert job.state == ImportState.PREVIEWED
    assert not Observation.objects.exists()
