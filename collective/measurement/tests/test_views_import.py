"""Import pages: upload, preview with mapping and counts, row-by-row errors, atomic confirm,
only-valid rows, wide XLSX, background progress."""

from __future__ import annotations

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from collective.measurement.choices import ImportState
from collective.measurement.models import ImportJob, Observation
from collective.measurement.tests.pages_data import make_measures

pytestmark = pytest.mark.django_db

GOOD = (
    "indicator,partner,period,value,note\nDAYS,Operations,2026-07,20,ok\nDAYS,Sales,2026-07,22,\n"
)
BAD = (
    "indicator,partner,period,value\n"
    "DAYS,Operations,2026-07,20\n"
    "NOPE,Operations,2026-07,5\n"
    "DAYS,Nobody,2026-07,5\n"
    "DAYS,Sales,2026-Q3,5\n"
    "DAYS,Sales,2026-08,many\n"
)


def _upload(client, world, content: bytes, name="values.csv", layout="auto"):
    return client.post(
        reverse("measurement:import", kwargs={"slug": world.initiative.slug}),
        {"file": SimpleUploadedFile(name, content), "layout": layout},
    )


def _confirm(client, job, **data):
    data.setdefault("unassigned", "include")  # these files' partners have no reporting duties
    return client.post(
        reverse("measurement:import-confirm", kwargs={"slug": "acme", "uid": job.uid}), data
    )


def test_upload_page_explains_the_layouts(world, client_as):
    html = (
        client_as("contributor")
        .get(reverse("measurement:import", kwargs={"slug": "acme"}))
        .content.decode()
    )
    assert "Long layout" in html and "Wide layout" in html and "numerator" in html


def test_good_file_preview_then_import(world, client_as):
    make_measures(world)
    client = client_as("backbone")
    response = _upload(client, world, GOOD.encode())
    job = ImportJob.objects.get()
    assert response.status_code == 302 and str(job.uid) in response["Location"]
    html = client.get(response["Location"]).content.decode()
    assert "Every row is valid" in html
    assert "values to create" in html and "Import 2 values" in html
    assert "<code>indicator</code></td><td>Indicator code" in html
    assert not Observation.objects.filter(period="2026-07").exists()  # nothing saved yet
    done = _confirm(client, job)
    assert done.status_code == 302
    job.refresh_from_db()
    assert job.state == ImportState.DONE and job.created_count == 2
    assert Observation.objects.filter(period="2026-07", source="import").count() == 2
    assert "Imported" in client.get(done["Location"]).content.decode()


def test_bad_file_shows_every_row_error_and_saves_nothing(world, client_as):
    make_measures(world)
    client = client_as("backbone")
    response = _upload(client, world, BAD.encode())
    job = ImportJob.objects.get()
    html = client.get(response["Location"]).content.decode()
    assert "4 rows of the file have a problem" in html
    for text in ("Unknown indicator", "Unknown partner", "per month", "is not a number"):
        assert text in html, text
    # Row numbers are the file's line numbers (the header is row 1).
    for row in ("<td>3</td>", "<td>4</td>", "<td>5</td>", "<td>6</td>"):
        assert row in html
    assert "data-disabled-until-checked" in html
    refused = _confirm(client, job)
    assert refused.status_code == 302
    assert not Observation.objects.filter(period="2026-07").exists()
    followed = client.get(refused["Location"]).content.decode()
    assert "nothing was saved" in followed
    _confirm(client, job, only_valid="1")
    job.refresh_from_db()
    assert job.state == ImportState.DONE and job.created_count == 1
    assert Observation.objects.filter(period="2026-07").count() == 1


def test_file_without_the_needed_columns_fails_with_a_message(world, client_as):
    client = client_as("backbone")
    response = _upload(client, world, b"what,ever\n1,2\n")
    html = client.get(response["Location"]).content.decode()
    assert "Nothing was saved." in html and "Columns missing" in html


def test_wrong_file_type_is_refused_next_to_the_field(world, client_as):
    response = _upload(client_as("backbone"), world, b"x", name="values.pdf")
    assert response.status_code == 400
    assert "Choose a .csv or .xlsx file." in response.content.decode()
    assert not ImportJob.objects.exists()


def test_wide_xlsx_imports(world, client_as):
    from openpyxl import Workbook

    make_measures(world)
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["indicator", "partner", "breakdown", "2026-07", "2026-08"])
    sheet.append(["DONE", "Operations", "North", 7, 8])
    sheet.append(["DONE", "Operations", "South", 9, None])
    buffer = io.BytesIO()
    workbook.save(buffer)
    client = client_as("contributor")
    response = _upload(client, world, buffer.getvalue(), name="wide.xlsx")
    job = ImportJob.objects.get()
    html = client.get(response["Location"]).content.decode()
    assert "Values for Jul 2026" in html and "Import 3 values" in html
    _confirm(client, job)
    job.refresh_from_db()
    assert job.state == ImportState.DONE, job.message
    assert (
        Observation.objects.filter(
            indicator__code="DONE", period__in=["2026-07", "2026-08"], partner=world.partner
        ).count()
        == 3
    )


def test_contributor_cannot_import_for_another_partner(world, client_as):
    make_measures(world)
    client = client_as("contributor")
    response = _upload(client, world, GOOD.encode())
    html = client.get(response["Location"]).content.decode()
    assert "only for your own partner" in html


def test_running_import_polls_every_second_and_refreshes_without_javascript(world, client_as):
    make_measures(world)
    client = client_as("backbone")
    response = _upload(client, world, GOOD.encode())
    job = ImportJob.objects.get()
    ImportJob.objects.filter(pk=job.pk).update(
        state=ImportState.RUNNING, total_rows=200, processed_rows=50
    )
    html = client.get(response["Location"]).content.decode()
    assert 'hx-trigger="every 1s"' in html and 'http-equiv="refresh"' in html
    assert 'aria-valuenow="25"' in html
    partial = client.get(response["Location"], headers={"HX-Request": "true"}).content.decode()
    assert "<html" not in partial and "50 of 200 rows" in partial


def test_only_the_uploader_or_the_backbone_confirms(world, client_as):
    make_measures(world)
    client = client_as("backbone")
    _upload(client, world, GOOD.encode())
    job = ImportJob.objects.get()
    client.force_login(world.users["lead"])
    page = client.get(reverse("measurement:import-detail", kwargs={"slug": "acme", "uid": job.uid}))
    assert "or the backbone can confirm this import" in page.content.decode()
    assert _confirm(client, job).status_code == 403
