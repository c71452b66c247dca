"""The store's SQL writes the same rows the ORM writes, and every statement is one statement.

Each writer of the store (column lists from `_meta`) and the ORM store the same values; the rows
are read back through the ORM and compared field by field, on SQLite and on PostgreSQL (the
suite runs on both). Then the app's write paths run with every statement recorded: none holds
more than one statement — and on PostgreSQL they run again with psycopg's server-side binding,
which refuses more (and types every parameter on the server).
"""

from __future__ import annotations

import datetime
import json
from decimal import Decimal

import pytest
import sqlparse
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.urls import reverse
from rest_framework.test import APIClient

from collective.core.models import AuditEvent
from collective.measurement import services
from collective.measurement.models import (
    ImportJob,
    ImportRow,
    IndicatorStatus,
    Observation,
    ObservationHistory,
    Rollup,
)
from collective.measurement.store import observations, rollups, sql, staging, statuses
from collective.measurement.tests.helpers import save_value

AT = datetime.datetime(2025, 2, 3, 4, 5, 6, tzinfo=datetime.UTC)


def _read(model, pk, skip=("id",)) -> dict:
    """A stored row as the ORM reads it (foreign keys as ids)."""
    obj = model.objects.get(pk=pk)
    return {
        f.attname: getattr(obj, f.attname)
        for f in model._meta.concrete_fields
        if f.name not in skip
    }


def _prepared(model, values: dict) -> dict:
    """{attname: value as the database takes it}, each value adapted by its own field."""
    out = {}
    for f in model._meta.concrete_fields:
        if f.attname in values:
            out[f.attname] = f.get_db_prep_save(values[f.attname], connection)
    return out


def _orm(model, values: dict):
    pk = model.objects.create(**values).pk
    # auto_now fields take the time of the save: give them the value asked for.
    stamped = {
        f.name: values[f.attname]
        for f in model._meta.concrete_fields
        if getattr(f, "auto_now", False) and f.attname in values
    }
    if stamped:
        model.objects.filter(pk=pk).update(**stamped)
    return pk


def test_values_and_their_history_equal_the_orms(world, people):
    values = {
        "created_at": AT, "updated_at": AT, "initiative_id": world.initiative.pk,
        "uid": Observation._meta.get_field("uid").default(), "indicator_id": people.pk,
        "partner_id": world.partner.pk, "period": "2025-01",
        "period_start": datetime.date(2025, 1, 1), "breakdown": "", "value": Decimal("12.5"),
        "numerator": None, "denominator": None, "note": "checked twice", "status": "approved",
        "source": "api", "submitted_by_id": world.users["backbone"].pk, "submitted_at": AT,
        "review_comment": "",
    }  # fmt: skip
    (pk,) = observations.allocate_ids(Observation, 1)
    observations.insert_values([{**_prepared(Observation, values), "id": pk}])
    stored = _read(Observation, pk, skip=("id", "uid"))
    Observation.objects.filter(pk=pk).delete()
    other = _orm(Observation, {**values, "uid": Observation._meta.get_field("uid").default()})
    assert stored == _read(Observation, other, skip=("id", "uid"))

    changed = {
        "value": Decimal("13"), "numerator": None, "denominator": None, "note": "again",
        "status": "submitted", "source": "import", "submitted_by_id": None,
        "submitted_at": AT + datetime.timedelta(days=1),
        "updated_at": AT + datetime.timedelta(days=1),
    }  # fmt: skip
    observations.update_values([{**_prepared(Observation, changed), "id": other}])
    obj = Observation.objects.get(pk=other)
    assert {name: getattr(obj, name) for name in changed} == changed

    history = {
        "initiative_id": world.initiative.pk, "observation_id": other, "action": "updated",
        "value": Decimal("13"), "numerator": Decimal("2"), "denominator": Decimal("7"),
        "note": "again", "status": "submitted", "source": "import",
        "changed_by_id": world.users["backbone"].pk, "changed_at": AT,
    }  # fmt: skip
    observations.insert_history([_prepared(ObservationHistory, history)] * 2)
    first, second = ObservationHistory.objects.filter(observation_id=other).values_list(
        "pk", flat=True
    )
    orm = _orm(ObservationHistory, history)
    assert _read(ObservationHistory, first) == _read(ObservationHistory, orm)
    assert _read(ObservationHistory, second) == _read(ObservationHistory, orm)


def test_a_bulk_write_stores_what_the_orm_would(world, bb, people):
    """The bulk path adapts values itself (floats on SQLite, time-ordered uids, dates): its
    rows read back like the rows the ORM stores for the same values."""
    rows = [
        {"indicator": "PEOPLE", "partner": "Operations", "period": "2025-01", "value": "12.25",
         "note": "first"},
        {"indicator": "PEOPLE", "partner": "Sales", "period": "2025-01", "value": 7},
    ]  # fmt: skip
    services.observations_upsert(actor=bb, initiative=world.initiative, rows=rows)
    times = ("created_at", "updated_at", "submitted_at")
    for obs, partner, value, note in (
        (Observation.objects.get(partner=world.partner), world.partner, "12.25", "first"),
        (Observation.objects.get(partner=world.other_partner), world.other_partner, "7", ""),
    ):
        twin = Observation.objects.create(
            initiative=world.initiative, indicator=people, partner=partner, period="2025-02",
            period_start=datetime.date(2025, 2, 1), value=Decimal(value), note=note,
            status="approved", source="api", submitted_by=bb, submitted_at=obs.submitted_at,
        )  # fmt: skip
        skip = ("id", "uid", "period", "period_start", *times)
        assert _read(Observation, obs.pk, skip) == _read(Observation, twin.pk, skip)
        stored = _read(Observation, obs.pk, ("id",))
        assert (stored["period"], stored["period_start"]) == ("2025-01", datetime.date(2025, 1, 1))
        assert stored["created_at"] == stored["updated_at"] == stored["submitted_at"]
        assert stored["uid"].version == 7


def test_rollups_and_statuses_equal_the_orms(world, people):
    rollup = {
        "initiative": world.initiative.pk, "indicator": people.pk, "period": "2025-01",
        "period_start": datetime.date(2025, 1, 1), "scope": world.partner.pk,
        "breakdown": "North", "value": Decimal("4.5"), "numerator": Decimal("9"),
        "denominator": Decimal("2"), "reporting_partners": 2,
    }  # fmt: skip
    rollups.store_rows([dict(rollup)], upsert=False)
    rollups.store_rows([{**rollup, "value": Decimal("5")}], upsert=True)  # the upsert path
    pk = Rollup.objects.get(indicator=people, breakdown="North").pk
    stored = _read(Rollup, pk)
    Rollup.objects.filter(pk=pk).delete()
    orm = _orm(Rollup, {f"{k}_id" if k in ("initiative", "indicator", "scope") else k: v
                        for k, v in {**rollup, "value": Decimal("5")}.items()})  # fmt: skip
    assert stored == _read(Rollup, orm)

    status = {
        "initiative": world.initiative.pk, "indicator": people.pk, "scope": None,
        "status": "at_risk", "reason": "Flat at about 4; no target set.",
        "latest_period": "2025-01", "latest_value": Decimal("4.5"), "target_period": "2025-06",
        "target_value": Decimal("9"), "forecast_value": Decimal("5.25"),
        "sparkline": [{"period": "2025-01", "value": 4.5}], "updated_at": AT,
    }  # fmt: skip
    statuses.store([dict(status)], [people.pk], [], replace=True)
    pk = IndicatorStatus.objects.get(indicator=people).pk
    stored = _read(IndicatorStatus, pk)
    sql.run(statuses.statements([], [{**status, "reason": "Updated.", "id": pk}], []))
    assert IndicatorStatus.objects.get(pk=pk).reason == "Updated."
    IndicatorStatus.objects.filter(pk=pk).delete()
    orm = _orm(
        IndicatorStatus,
        {f"{k}_id" if k in ("initiative", "indicator", "scope") else k: v
         for k, v in status.items()},
    )  # fmt: skip
    assert stored == _read(IndicatorStatus, orm)


def test_staged_rows_equal_the_orms(world, bb, people):
    job = ImportJob.objects.create(
        initiative=world.initiative, created_by=bb, filename="x.csv", layout="long"
    )
    row = {
        "row": 4, "indicator_id": people.pk, "partner_id": world.partner.pk,
        "period": "2025-01", "period_start": datetime.date(2025, 1, 1), "breakdown": "",
        "value": Decimal("3.25"), "numerator": None, "denominator": None, "note": "n",
        "has_note": True,
    }  # fmt: skip
    staging.stage([_prepared(ImportRow, {**row, "job_id": job.pk})])
    pk = ImportRow.objects.get(job=job).pk
    stored = _read(ImportRow, pk)
    ImportRow.objects.filter(pk=pk).delete()
    assert stored == _read(ImportRow, _orm(ImportRow, {**row, "job": job}))


def test_a_single_values_audit_entry_equals_audit_records(world, bb, people):
    from collective.core.audit import audit_record

    obs, _ = save_value(actor=bb, indicator=people, partner=world.partner, period="2025-01",
                        value=5)  # fmt: skip
    fast = AuditEvent.objects.filter(verb="created value").get()
    made = audit_record(
        actor=bb, verb="created value", target=obs, initiative=world.initiative,
        changes={"period": "2025-01", "value": "5", "partner": world.partner.name},
    )  # fmt: skip
    skip = ("id", "created_at")
    assert _read(AuditEvent, fast.pk, skip) == _read(AuditEvent, made.pk, skip)


# --- One statement per statement string --------------------------------------------------------


def _write_everything(world, people) -> None:
    """Every write path of values, through the interfaces people use."""
    bb = world.users["backbone"]
    api = APIClient()
    api.force_authenticate(bb)
    url = reverse("api:observation-list", kwargs={"slug": world.initiative.slug})
    one = {"indicator": "PEOPLE", "partner": str(world.partner.uid), "period": "2025-01",
           "value": 5}  # fmt: skip
    assert api.post(url, one, format="json").status_code == 201  # one value: by difference
    assert api.post(url, {**one, "value": 7}, format="json").status_code == 200
    many = [{**one, "partner": "Sales", "period": f"2025-0{m}", "value": m} for m in (1, 2, 3)]
    assert api.post(url, many, format="json").status_code == 201  # many: set-based
    low = services.indicator_create(actor=bb, initiative=world.initiative, code="LOW", name="Low",
                                    aggregation="min")  # fmt: skip
    services.indicator_create(actor=bb, initiative=world.initiative, code="TWICE",
                              name="Twice", formula="PEOPLE * 2")  # fmt: skip
    for value in (3, 9):  # a withdrawn minimum: the cell is recomputed
        save_value(actor=bb, indicator=low, partner=world.partner, period="2025-01", value=value)
    # Every kind of roll-up, so the rebuild below runs each set-based statement.
    staff = services.indicator_create(actor=bb, initiative=world.initiative, code="STAFF",
                                      name="Staff", aggregation="last")  # fmt: skip
    housed = services.indicator_create(
        actor=bb, initiative=world.initiative, code="HOUSED", name="Housed",
        aggregation="ratio", value_type="percent", cumulative=True,
        breakdown_dimension="Age", breakdown_values=["Young", "Old"],
    )  # fmt: skip
    save_value(actor=bb, indicator=staff, partner=world.subpartner, period="2025-01", value=4)
    save_value(actor=bb, indicator=housed, partner=world.subpartner, period="2025-01",
               breakdown="Old", numerator=3, denominator=4)  # fmt: skip
    save_value(actor=bb, indicator=people, partner=world.partner, period="2025-01", value=8)
    upload = SimpleUploadedFile(
        "values.csv", b"indicator,partner,period,value\nPEOPLE,Sales,2025-04,4\n"
        b"PEOPLE,Sales,2025-01,2\n", content_type="text/csv",
    )  # fmt: skip
    job = services.import_start(actor=bb, initiative=world.initiative, uploaded_file=upload)
    assert services.import_confirm(unassigned="include", actor=bb, job=job).state == "done"
    world.initiative.review_observations = True
    world.initiative.save()
    obs, _ = save_value(actor=world.users["contributor"], indicator=people,
                        partner=world.partner, period="2025-02", value=1)  # fmt: skip
    services.observation_review(actor=bb, observation=obs, approve=True)
    services.observation_delete(actor=bb, observation=obs)
    services.indicator_update(actor=bb, indicator=people, aggregation="max")
    services.rollups_rebuild(actor=bb, initiative=world.initiative)


def test_no_statement_string_holds_two_statements(world, people):
    sent = []

    def record(execute, query, params, many, context):
        sent.append(query)
        return execute(query, params, many, context)

    with connection.execute_wrapper(record):
        _write_everything(world, people)
    assert len(sent) > 100
    several = [q for q in sent if len([s for s in sqlparse.split(q) if s.strip()]) != 1]
    assert not several, several[:3]


@pytest.mark.django_db(transaction=True)
def test_writes_work_with_server_side_binding(world, people):
    """PostgreSQL with psycopg's server-side binding: statements are prepared on the server,
    which refuses a string of several statements and types every parameter itself."""
    if connection.vendor != "postgresql":
        pytest.skip("server-side binding is a PostgreSQL connection option")
    options = connection.settings_dict["OPTIONS"]
    connection.close()
    options["server_side_binding"] = True
    try:
        connection.ensure_connection()
        assert type(connection.connection.cursor()).__name__ == "ServerBindingCursor"
        _write_everything(world, people)
        before = {
            model: sorted(json.dumps(r, default=str, sort_keys=True)
                          for r in model.objects.values(*fields))
            for model, fields in (
                (Rollup, ["indicator_id", "period", "scope_id", "breakdown", "value",
                          "numerator", "denominator", "reporting_partners"]),
                (IndicatorStatus, ["indicator_id", "scope_id", "status", "latest_value"]),
            )
        }  # fmt: skip
        services.rollups_rebuild(actor=None, initiative=world.initiative)
        after = {
            model: sorted(json.dumps(r, default=str, sort_keys=True)
                          for r in model.objects.values(*fields))
            for model, fields in (
                (Rollup, ["indicator_id", "period", "scope_id", "breakdown", "value",
                          "numerator", "denominator", "reporting_partners"]),
                (IndicatorStatus, ["indicator_id", "scope_id", "status", "latest_value"]),
            )
        }  # fmt: skip
        assert before == after
        assert Observation.objects.filter(initiative=world.initiative).count() == 8
    finally:
        connection.close()
        options.pop("server_side_binding", None)
