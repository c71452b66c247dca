"""Files that are not spreadsheets at all get a clear message, never a server error."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from collective.core.errors import ApplicationError
from collective.measurement import services
from collective.measurement.models import ImportJob, Observation

pytestmark = pytest.mark.django_db

BAD_FILES = [
    ("binary.csv", bytes(range(256)) * 4, "not a CSV text file"),
    ("undecodable.csv", b"indicator,period\n\x81\x8d\x8f\x90\x9d,2026-01\n", "cannot be read"),
    ("fake.xlsx", b"PK\x03\x04 this is not really a zip archive", "not a readable Excel"),
    ("words.xlsx", b"just some text, not a workbook", "not a readable Excel"),
    ("empty.csv", b"", "empty"),
]


@pytest.mark.parametrize(("name", "content", "message"), BAD_FILES, ids=[b[0] for b in BAD_FILES])
def test_unreadable_files_fail_the_job_with_a_message(world, name, content, message):
    upload = SimpleUploadedFile(name, content)
    if name.endswith(".xlsx"):
        # A workbook's zip directory is read before anything is stored: refused at the upload.
        with pytest.raises(ApplicationError) as refused:
            services.import_start(
                actor=world.users["backbone"], initiative=world.initiative, uploaded_file=upload
            )
        assert message in refused.value.message
        assert refused.value.errors["file"]
        assert not ImportJob.objects.exists()
        return
    job = services.import_start(
        actor=world.users["backbone"], initiative=world.initiative, uploaded_file=upload
    )
    job.refresh_from_db()
    assert job.state == "failed"
    assert message in job.message
    assert job.errors and job.errors[0]["field"] == "file"
    assert not Observation.objects.exists()


@pytest.mark.parametrize(("name", "content", "message"), BAD_FILES, ids=[b[0] for b in BAD_FILES])
def test_import_page_shows_the_message(client_as, world, name, content, message):
    from django.urls import reverse

    client = client_as("backbone")
    url = reverse("measurement:import", kwargs={"slug": world.initiative.slug})
    response = client.post(
        url, {"file": SimpleUploadedFile(name, content), "layout": "long"}, follow=True
    )
    assert response.status_code in (200, 400)  # 400: the upload form itself refused it
    assert message in response.content.decode()
