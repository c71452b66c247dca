"""Imports recover from crashes: a job whose process died is found (its lease is free and its
heartbeat old), failed with a message, and retried from the page; nothing is half-saved."""

from __future__ import annotations

import datetime
from decimal import Decimal
from unittest import mock

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from collective.core.errors import ApplicationError
from collective.core.models import AuditEvent
from collective.measurement import leases, services
from collective.measurement.choices import ImportState
from collective.measurement.engine import rollups as engine_rollups
from collective.measurement.models import (
    ImportJob,
    ImportRow,
    Observation,
    ObservationHistory,
    Rollup,
)
from collective.measurement.services import imports

TEXT = """indicator,partner,period,value
PEOPLE,Operations,2025-01,10
PEOPLE,Sales,2025-01,7
PEOPLE,Ops Team North,2025-02,3
"""


@pytest.fixture
def setup(world, bb, make_indicator):
    make_indicator("PEOPLE", name="People helped")
    return world


def _previewed(world, actor):
    upload = SimpleUploadedFile("values.csv", TEXT.encode(), content_type="text/csv")
    job = services.import_start(actor=actor, initiative=world.initiative, uploaded_file=upload)
    assert job.state == ImportState.PREVIEWED
    return job


def _abandon(job, *, seconds_ago: float = 120):
    """What a worker killed with -9 while "Saving…" leaves behind: the job marked running, its
    heartbeat stopped, no process holding its lease (its transaction was rolled back)."""
    ImportJob.objects.filter(pk=job.pk).update(
        state=ImportState.RUNNING,
        message="Saving the checked values…",
        updated_at=timezone.now() - datetime.timedelta(seconds=seconds_ago),
    )


def _collective(period):
    return Rollup.objects.get(
        indicator__code="PEOPLE", period=period, scope__isnull=True, breakdown=""
    ).value


def test_a_crash_while_saving_saves_nothing_and_the_job_can_be_retried(setup, bb):
    job = _previewed(setup, bb)

    class Killed(BaseException):
        """Stands for the process dying in the middle of the write (after the values and
        their history were written, before the roll-ups)."""

    with mock.patch.object(imports, "refresh", side_effect=Killed), pytest.raises(Killed):
        services.import_confirm(unassigned="include", actor=bb, job=job)
    job.refresh_from_db()
    assert job.state == ImportState.RUNNING  # what the dead process left
    assert not Observation.objects.exists()
    assert not ObservationHistory.objects.exists()
    assert not Rollup.objects.exists()
    assert ImportRow.objects.filter(job=job).count() == 3  # the checked rows are still staged

    # Within the lease nothing happens; after it the job is failed, with a message.
    assert services.imports_recover(initiative=setup.initiative) == 0
    ImportJob.objects.filter(pk=job.pk).update(
        updated_at=timezone.now() - datetime.timedelta(seconds=leases.lease_seconds() + 1)
    )
    assert services.imports_recover(initiative=setup.initiative) == 1
    job.refresh_from_db()
    assert job.state == ImportState.FAILED
    assert job.message.startswith("The worker stopped while saving its values")
    assert "Nothing was saved" in job.message
    assert AuditEvent.objects.filter(verb="import interrupted", target_id=str(job.uid)).exists()

    job = services.import_retry(actor=bb, job=job)
    assert job.state == ImportState.DONE, job.message
    assert (job.created_count, job.updated_count) == (3, 0)
    assert Observation.objects.count() == 3
    assert _collective("2025-01") == Decimal(17)
    stored = {(r.scope_id, r.period): r.value for r in Rollup.objects.all()}
    engine_rollups.rebuild(setup.initiative)
    assert stored == {(r.scope_id, r.period): r.value for r in Rollup.objects.all()}


def test_the_page_shows_the_failure_and_retries_it(setup, bb, client_as):
    job = _previewed(setup, bb)
    _abandon(job)
    client = client_as("backbone")
    url = reverse(
        "measurement:import-detail", kwargs={"slug": setup.initiative.slug, "uid": job.uid}
    )
    page = client.get(url).content.decode()
    assert "Nothing was saved." in page
    assert "The worker stopped while saving its values" in page
    assert "Retry the import" in page
    retry = reverse(
        "measurement:import-retry", kwargs={"slug": setup.initiative.slug, "uid": job.uid}
    )
    response = client.post(retry, follow=True)
    assert "Imported 3 values: 3 new, 0 updated, 0 unchanged." in response.content.decode()
    assert Observation.objects.count() == 3


def test_a_crash_while_checking_is_retried_by_checking_again(
    setup, bb, django_capture_on_commit_callbacks
):
    job = _previewed(setup, bb)
    ImportJob.objects.filter(pk=job.pk).update(mapping={})
    _abandon(job)
    assert services.imports_recover() == 1
    job.refresh_from_db()
    assert job.message.startswith("The worker stopped while checking the file")
    assert not ImportRow.objects.filter(job=job).exists()  # what the check had staged
    with django_capture_on_commit_callbacks(execute=True):
        services.import_retry(actor=bb, job=job)
    job.refresh_from_db()
    assert job.state == ImportState.PREVIEWED
    assert services.import_preview(job)["create"] == 3


def test_a_live_worker_keeps_its_job(setup, bb):
    job = _previewed(setup, bb)
    _abandon(job)
    # Alive and busy: its lease is held (on SQLite a long save holds back the heartbeat).
    with leases.hold(str(job.uid)):
        assert leases.held(str(job.uid))
        assert services.imports_recover() == 0
    # Alive elsewhere: its heartbeat is recent.
    _abandon(job, seconds_ago=1)
    assert services.imports_recover() == 0
    job.refresh_from_db()
    assert job.state == ImportState.RUNNING


def test_the_heartbeat_is_written_while_the_lease_is_held(setup, bb, settings):
    settings.IMPORT_LEASE_SECONDS = 0.03
    beats = []
    with leases.hold("beat-test", lambda: beats.append(1)):
        deadline = timezone.now() + datetime.timedelta(seconds=5)
        while len(beats) < 2 and timezone.now() < deadline:
            pass
    assert len(beats) >= 2
    assert not leases.held("beat-test")


def test_only_an_interrupted_import_can_be_retried(setup, bb):
    job = _previewed(setup, bb)
    with pytest.raises(ApplicationError, match="Only an import that was interrupted"):
        services.import_retry(actor=bb, job=job)
    ImportJob.objects.filter(pk=job.pk).update(state=ImportState.FAILED, message="Bad file.")
    job.refresh_from_db()
    with pytest.raises(ApplicationError, match="Only an import that was interrupted"):
        services.import_retry(actor=bb, job=job)


def test_an_abandoned_job_no_longer_blocks_its_owner(setup, bb):
    job = _previewed(setup, bb)
    _abandon(job)
    again = SimpleUploadedFile("again.csv", TEXT.encode(), content_type="text/csv")
    other = services.import_start(actor=bb, initiative=setup.initiative, uploaded_file=again)
    assert other.state == ImportState.PREVIEWED
    job.refresh_from_db()
    assert job.state == ImportState.FAILED
