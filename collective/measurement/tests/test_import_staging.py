"""Imports through the staging table: the preview stages the checked rows, confirming writes
them with set-based SQL — and reads the file again whenever the staged rows may be wrong."""

from __future__ import annotations

import datetime
from decimal import Decimal
from unittest import mock

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from collective.core import services as core_services
from collective.measurement import services
from collective.measurement.choices import ImportState, ObservationStatus
from collective.measurement.models import (
    ImportJob,
    ImportRow,
    Observation,
    ObservationHistory,
    Rollup,
)
from collective.measurement.services import imports
from collective.measurement.tests.helpers import save_value


@pytest.fixture
def setup(world, bb, make_indicator):
    make_indicator("PEOPLE", name="People helped", max_value=1000)
    make_indicator(
        "HOUSED_PCT", name="Housed within 30 days", aggregation="ratio", value_type="percent"
    )
    make_indicator("BY_AGE", breakdown_dimension="Age group", breakdown_values=["16-17", "18-24"])
    return world


def _csv(text: str) -> SimpleUploadedFile:
    return SimpleUploadedFile("values.csv", text.encode(), content_type="text/csv")


def _start(world, actor, text):
    return services.import_start(actor=actor, initiative=world.initiative, uploaded_file=_csv(text))


def _value(code, partner, period, breakdown=""):
    return Observation.objects.get(
        indicator__code=code, partner__name=partner, period=period, breakdown=breakdown
    )


FIRST = """indicator,partner,period,breakdown,value,numerator,denominator,note
PEOPLE,Operations,2025-01,,10,,,kept note
PEOPLE,Sales,2025-01,,7,,,
HOUSED_PCT,Operations,2025-01,,,30,40,
BY_AGE,Ops Team North,2025-01,16-17,3,,,
BY_AGE,Ops Team North,2025-01,18-24,5,,,
"""


def test_preview_stages_the_checked_rows_and_confirming_writes_them(setup, bb):
    job = _start(setup, bb, FIRST)
    assert ImportRow.objects.filter(job=job).count() == 5
    assert not Observation.objects.exists()
    with mock.patch.object(imports, "read_rows", side_effect=AssertionError("read again")):
        job = services.import_confirm(unassigned="include", actor=bb, job=job)
    assert job.state == ImportState.DONE, job.message
    assert (job.created_count, job.updated_count, job.unchanged_count) == (5, 0, 0)
    assert not ImportRow.objects.filter(job=job).exists()  # staged rows go once written
    housed = _value("HOUSED_PCT", "Operations", "2025-01")
    assert (housed.value, housed.numerator, housed.denominator) == (
        Decimal(75),
        Decimal(30),
        Decimal(40),
    )
    people = _value("PEOPLE", "Operations", "2025-01")
    assert people.note == "kept note" and people.source == "import"
    assert people.status == ObservationStatus.APPROVED
    assert people.submitted_by == bb and people.uid
    assert len({o.uid for o in Observation.objects.all()}) == 5
    # History: one "created" row per value, with the value.
    assert sorted(
        ObservationHistory.objects.values_list("observation__indicator__code", "action", "value")
    ) == sorted(
        [
            ("BY_AGE", "created", Decimal(3)),
            ("BY_AGE", "created", Decimal(5)),
            ("HOUSED_PCT", "created", Decimal(75)),
            ("PEOPLE", "created", Decimal(10)),
            ("PEOPLE", "created", Decimal(7)),
        ]
    )
    # Roll-ups and statuses are fresh.
    total = Rollup.objects.get(
        indicator__code="PEOPLE", period="2025-01", scope__isnull=True, breakdown=""
    )
    assert (total.value, total.reporting_partners) == (Decimal(17), 2)
    ops = Rollup.objects.get(
        indicator__code="BY_AGE", period="2025-01", scope__name="Operations", breakdown=""
    )
    assert ops.value == Decimal(8)


def test_updates_unchanged_values_and_notes(setup, bb):
    services.import_confirm(unassigned="include", actor=bb, job=_start(setup, bb, FIRST))
    # No note column: notes are kept. One value changes, one stays, one is new.
    second = (
        "indicator,partner,period,value\n"
        "PEOPLE,Operations,2025-01,11\nPEOPLE,Sales,2025-01,7\nPEOPLE,Sales,2025-02,9\n"
    )
    job = _start(setup, bb, second)
    assert (job.mapping["create"], job.mapping["update"], job.mapping["unchanged"]) == (1, 1, 1)
    job = services.import_confirm(unassigned="include", actor=bb, job=job)
    assert (job.created_count, job.updated_count, job.unchanged_count) == (1, 1, 1)
    people = _value("PEOPLE", "Operations", "2025-01")
    assert people.value == Decimal(11) and people.note == "kept note"
    history = list(
        ObservationHistory.objects.filter(observation=people)
        .order_by("id")
        .values_list("action", "value", "note")
    )
    assert history == [("created", Decimal(10), "kept note"), ("updated", Decimal(11), "kept note")]
    assert ObservationHistory.objects.filter(observation__period="2025-02").count() == 1
    # An empty note cell clears the note.
    job = _start(setup, bb, "indicator,partner,period,value,note\nPEOPLE,Operations,2025-01,11,\n")
    assert job.mapping["update"] == 1
    services.import_confirm(unassigned="include", actor=bb, job=job)
    assert _value("PEOPLE", "Operations", "2025-01").note == ""
    total = Rollup.objects.get(
        indicator__code="PEOPLE", period="2025-01", scope__isnull=True, breakdown=""
    )
    assert total.value == Decimal(18)


def test_a_returned_value_sent_again_unchanged_is_resubmitted(setup, bb):
    core_services.initiative_update(actor=bb, initiative=setup.initiative, review_observations=True)
    contributor = setup.users["contributor"]
    obs, _ = save_value(
        actor=contributor,
        indicator=setup.initiative.indicators.get(code="PEOPLE"),
        partner=setup.partner,
        period="2025-01",
        value=10,
    )
    services.observation_review(actor=bb, observation=obs, approve=False, comment="Check it")
    job = _start(
        setup, contributor, "indicator,partner,period,value\nPEOPLE,Operations,2025-01,10\n"
    )
    assert job.mapping["update"] == 1
    job = services.import_confirm(unassigned="include", actor=contributor, job=job)
    assert job.updated_count == 1
    obs.refresh_from_db()
    assert obs.status == ObservationStatus.SUBMITTED and obs.review_comment == ""


def test_values_saved_between_preview_and_confirm_are_counted_at_confirm(setup, bb):
    job = _start(setup, bb, FIRST)
    assert job.mapping["create"] == 5
    save_value(
        actor=bb,
        indicator=setup.initiative.indicators.get(code="PEOPLE"),
        partner=setup.other_partner,
        period="2025-01",
        value=6,
    )
    job = services.import_confirm(unassigned="include", actor=bb, job=job)
    assert (job.created_count, job.updated_count) == (4, 1)
    assert _value("PEOPLE", "Sales", "2025-01").value == Decimal(7)
    assert Observation.objects.count() == 5


def test_changed_indicators_make_confirm_check_the_file_again(setup, bb):
    job = _start(setup, bb, FIRST)
    services.indicator_archive(actor=bb, indicator=setup.initiative.indicators.get(code="BY_AGE"))
    job = services.import_confirm(unassigned="include", actor=bb, job=job)
    # The archived indicator's rows now fail the checks: nothing is saved.
    assert job.state == ImportState.FAILED
    assert "nothing was saved" in job.message
    assert {e["field"] for e in job.errors} == {"indicator"}
    assert not Observation.objects.exists()
    assert not ImportRow.objects.filter(job=job).exists()


def test_renamed_partner_or_moved_rights_read_the_file_again(setup, bb):
    job = _start(setup, bb, "indicator,partner,period,value\nPEOPLE,Sales,2025-01,4\n")
    core_services.partner_update(actor=bb, partner=setup.other_partner, name="Sales & Co")
    job = services.import_confirm(unassigned="include", actor=bb, job=job)
    assert job.state == ImportState.FAILED
    assert "Unknown partner 'Sales'" in job.errors[0]["message"]


def test_old_staged_rows_are_dropped_and_the_file_is_read_again(setup, bb):
    job = _start(setup, bb, FIRST)
    ImportJob.objects.filter(pk=job.pk).update(
        updated_at=timezone.now() - datetime.timedelta(days=imports.KEEP_DAYS + 1)
    )
    _start(setup, bb, "indicator,partner,period,value\nPEOPLE,Sales,2025-03,1\n")
    assert not ImportRow.objects.filter(job=job).exists()
    job.refresh_from_db()
    job = services.import_confirm(unassigned="include", actor=bb, job=job)
    assert job.state == ImportState.DONE and job.created_count == 5


def test_only_valid_rows_are_staged(setup, bb):
    text = FIRST + "NOPE,Operations,2025-01,,1,,,\nPEOPLE,Sales,2025-02,,lots,,,\n"
    job = _start(setup, bb, text)
    assert ImportRow.objects.filter(job=job).count() == 5
    assert job.mapping["invalid_rows"] == 2
    job = services.import_confirm(unassigned="include", actor=bb, job=job, only_valid=True)
    assert job.state == ImportState.DONE and job.created_count == 5
    assert "2 rows skipped" in job.message
    assert {e["row"] for e in job.errors} == {7, 8}


def test_a_failure_while_writing_saves_nothing(setup, bb):
    job = _start(setup, bb, FIRST)
    with (
        mock.patch(
            "collective.measurement.services.imports.refresh", side_effect=RuntimeError("boom")
        ),
        pytest.raises(RuntimeError),
    ):
        imports.run(job)
    assert not Observation.objects.exists()
    assert not ObservationHistory.objects.exists()
    assert ImportRow.objects.filter(job=job).count() == 5  # still staged: can be confirmed
