"""Safe imports: the preview shows values with no reporting duty, approved values overwritten and
the effect on the collective figures before anything is saved; an import can be undone as a
whole until a later change touches its values."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from collective.core.errors import ApplicationError
from collective.core.models import AuditEvent
from collective.measurement import services
from collective.measurement.choices import ImportState
from collective.measurement.models import (
    IndicatorStatus,
    Observation,
    ObservationHistory,
    Rollup,
)
from collective.measurement.tests.helpers import save_value


@pytest.fixture
def setup(world, bb, make_indicator):
    people = make_indicator("PEOPLE", name="People helped")
    housed = make_indicator(
        "HOUSED_PCT", name="Housed within 30 days", aggregation="ratio", value_type="percent"
    )
    # Operations and Sales report PEOPLE; nobody is asked to report HOUSED_PCT.
    services.assignment_set(actor=bb, indicator=people, partner=world.partner)
    services.assignment_set(actor=bb, indicator=people, partner=world.other_partner)
    save_value(actor=bb, indicator=people, partner=world.partner, period="2025-01", value=10)
    save_value(actor=bb, indicator=people, partner=world.other_partner, period="2025-01", value=7)
    save_value(
        actor=bb, indicator=housed, partner=world.partner, period="2025-01",
        numerator=30, denominator=40,
    )  # fmt: skip
    world.extra.update(people=people, housed=housed)
    return world


FILE = """indicator,partner,period,value,numerator,denominator
PEOPLE,Operations,2025-01,12,,
PEOPLE,Sales,2025-01,7,,
PEOPLE,Operations,2025-02,5,,
PEOPLE,Ops Team North,2025-02,2,,
HOUSED_PCT,Operations,2025-01,,35,40
"""


def _start(world, actor, text=FILE):
    upload = SimpleUploadedFile("values.csv", text.encode(), content_type="text/csv")
    return services.import_start(actor=actor, initiative=world.initiative, uploaded_file=upload)


def _figures(initiative) -> dict:
    rollups = {
        (r.indicator_id, r.period, r.scope_id, r.breakdown): (r.value, r.numerator, r.denominator)
        for r in Rollup.objects.filter(initiative=initiative)
    }
    statuses = {
        (s.indicator_id, s.scope_id): (s.status, s.latest_value)
        for s in IndicatorStatus.objects.filter(initiative=initiative)
    }
    return {"rollups": rollups, "statuses": statuses}


def _values(initiative) -> dict:
    return {
        (o.indicator.code, o.partner.name, o.period): (
            o.value,
            o.numerator,
            o.denominator,
            o.status,
        )
        for o in Observation.objects.filter(initiative=initiative).select_related(
            "indicator", "partner"
        )
    }


def test_the_preview_warns_of_values_with_no_duty_and_approved_values_overwritten(setup, bb):
    job = _start(setup, bb)
    preview = services.import_preview(job)
    assert (preview["create"], preview["update"], preview["unchanged"]) == (2, 2, 1)
    # Ops Team North is not asked to report PEOPLE, nobody HOUSED_PCT.
    assert preview["unassigned_values"] == 2
    assert preview["unassigned"] == [
        {"indicator": "PEOPLE", "indicator_name": "People helped", "partner": "Ops Team North",
         "values": 1},
        {"indicator": "HOUSED_PCT", "indicator_name": "Housed within 30 days",
         "partner": "Operations", "values": 1},
    ]  # fmt: skip
    # Review is off: every stored value is approved; two of them change.
    assert preview["overwrite_count"] == 2
    overwritten = {(o["indicator"], o["partner"], o["period"]): o for o in preview["overwrites"]}
    assert overwritten[("PEOPLE", "Operations", "2025-01")]["old"] == "10"
    assert overwritten[("PEOPLE", "Operations", "2025-01")]["new"] == "12"
    assert overwritten[("HOUSED_PCT", "Operations", "2025-01")]["old_ratio"] == ["30", "40"]
    assert overwritten[("HOUSED_PCT", "Operations", "2025-01")]["new_ratio"] == ["35", "40"]
    assert not Observation.objects.filter(period="2025-02").exists()  # nothing saved


def test_the_preview_shows_each_collective_figure_before_and_after(setup, bb):
    before_figures = _figures(setup.initiative)
    job = _start(setup, bb)
    effect = {(e["indicator"], e["period"]): e for e in services.import_preview(job)["effect"]}
    assert set(effect) == {("PEOPLE", "2025-01"), ("PEOPLE", "2025-02"), ("HOUSED_PCT", "2025-01")}
    people_jan = effect[("PEOPLE", "2025-01")]
    assert (Decimal(people_jan["before"]), Decimal(people_jan["after"])) == (17, 19)
    # Leaving out the value with no duty (Ops Team North) changes February's figure.
    people_feb = effect[("PEOPLE", "2025-02")]
    assert people_feb["before"] is None
    assert (Decimal(people_feb["after"]), Decimal(people_feb["after_assigned"])) == (7, 5)
    housed = effect[("HOUSED_PCT", "2025-01")]
    assert (Decimal(housed["before"]), Decimal(housed["after"])) == (75, Decimal("87.5"))
    assert housed["after_assigned"] == housed["before"]  # its only value has no duty
    # The preview's trial write was rolled back: nothing saved, no figure moved.
    assert _figures(setup.initiative) == before_figures
    assert not Observation.objects.filter(period="2025-02").exists()
    # Confirming does what the preview said.
    services.import_confirm(actor=bb, job=job, unassigned="include")
    collective = Rollup.objects.get(
        indicator__code="PEOPLE", period="2025-02", scope__isnull=True, breakdown=""
    )
    assert collective.value == 7


def test_values_with_no_duty_must_be_accepted_or_left_out(setup, bb):
    job = _start(setup, bb)
    with pytest.raises(ApplicationError) as refused:
        services.import_confirm(actor=bb, job=job)
    assert refused.value.message.startswith(
        "2 values of the file are for partners with no duty to report that indicator, so "
        "nothing was saved."
    )
    assert not Observation.objects.filter(period="2025-02").exists()
    job = services.import_confirm(actor=bb, job=job, unassigned="leave_out")
    assert job.state == ImportState.DONE
    assert (job.created_count, job.updated_count, job.unchanged_count) == (1, 1, 1)
    assert "2 values with no reporting duty left out" in job.message
    values = _values(setup.initiative)
    assert ("PEOPLE", "Ops Team North", "2025-02") not in values
    assert values[("HOUSED_PCT", "Operations", "2025-01")][:3] == (
        Decimal(75), Decimal(30), Decimal(40),
    )  # fmt: skip
    event = AuditEvent.objects.get(verb="confirmed import")
    assert event.changes["no_duty_choice"]["to"] == "leave_out"
    assert event.changes["approved_overwritten"]["to"] == 2


def test_undo_restores_values_and_roll_ups_as_a_full_recomputation_would(setup, bb):
    before_values = _values(setup.initiative)
    before_figures = _figures(setup.initiative)
    job = services.import_confirm(actor=bb, job=_start(setup, bb), unassigned="include")
    assert (job.created_count, job.updated_count) == (2, 2)
    assert _values(setup.initiative) != before_values

    job = services.import_undo(actor=bb, job=job)
    assert job.message == "Undone by Bea Backbone: 2 values restored, 2 new values removed."
    assert _values(setup.initiative) == before_values
    assert _figures(setup.initiative) == before_figures
    # The same as recomputing every roll-up and status from the values.
    services.rollups_rebuild(actor=None, initiative=setup.initiative)
    assert _figures(setup.initiative) == before_figures
    # Recorded: a history row per restored value, one audit entry.
    restored = ObservationHistory.objects.filter(action="restored")
    assert sorted(h.observation.period for h in restored) == ["2025-01", "2025-01"]
    event = AuditEvent.objects.get(verb="undid import")
    assert {k: v["to"] for k, v in event.changes.items()} == {
        "file": "values.csv", "restored": 2, "deleted": 2,
    }  # fmt: skip
    with pytest.raises(ApplicationError, match="undone already"):
        services.import_undo(actor=bb, job=job)


def test_undo_is_refused_once_a_value_was_changed_again(setup, bb):
    job = services.import_confirm(actor=bb, job=_start(setup, bb), unassigned="include")
    save_value(
        actor=bb, indicator=setup.extra["people"], partner=setup.partner, period="2025-02",
        value=6,
    )  # fmt: skip
    values, figures = _values(setup.initiative), _figures(setup.initiative)
    with pytest.raises(ApplicationError) as refused:
        services.import_undo(actor=bb, job=job)
    assert refused.value.message == (
        "1 value of this import was changed or deleted since (e.g. PEOPLE for Operations, "
        "2025-02): undoing it would overwrite that later work, so nothing was changed."
    )
    assert _values(setup.initiative) == values
    assert _figures(setup.initiative) == figures
    assert not AuditEvent.objects.filter(verb="undid import").exists()


def test_undo_is_refused_once_a_value_was_deleted(setup, bb):
    job = services.import_confirm(actor=bb, job=_start(setup, bb), unassigned="include")
    created = Observation.objects.get(partner__name="Ops Team North", period="2025-02")
    services.observation_delete(actor=bb, observation=created)
    with pytest.raises(ApplicationError, match="1 value of this import was changed or deleted"):
        services.import_undo(actor=bb, job=job)
    assert Observation.objects.filter(period="2025-02").count() == 1


def test_the_pages_show_the_warnings_and_undo(setup, bb, client_as):
    client = client_as("backbone")
    job = _start(setup, bb)
    detail = reverse("measurement:import-detail", kwargs={"slug": "acme", "uid": job.uid})
    page = client.get(detail).content.decode()
    assert "2 values for partners with no reporting duty" in page
    assert "2 approved values will be overwritten" in page
    assert "10 → <strong>12</strong>" in page
    assert "Effect on the collective figures" in page
    confirm = reverse("measurement:import-confirm", kwargs={"slug": "acme", "uid": job.uid})
    refused = client.post(confirm, follow=True).content.decode()
    assert "Choose to import them anyway or to leave them out." in refused
    done = client.post(confirm, {"unassigned": "include"}, follow=True).content.decode()
    assert "Imported 4 values: 2 new, 2 updated, 1 unchanged" in done
    assert "Undo this import" in done
    undo = reverse("measurement:import-undo", kwargs={"slug": "acme", "uid": job.uid})
    undone = client.post(undo, follow=True).content.decode()
    assert "Undone by Bea Backbone: 2 values restored, 2 new values removed." in undone
    assert "Undo this import" not in undone


def test_the_result_page_tiles_agree_with_the_counts(setup, bb, client_as):
    text = FILE + "PEOPLE,Operations,2025-13,4,,\n"  # row 7: no such month
    job = _start(setup, bb, text)
    job = services.import_confirm(actor=bb, job=job, only_valid=True, unassigned="leave_out")
    assert job.message == (
        "Imported 2 values: 1 new, 1 updated, 1 unchanged; 1 row skipped; "
        "2 values with no reporting duty left out."
    )
    page = (
        client_as("backbone")
        .get(reverse("measurement:import-detail", kwargs={"slug": "acme", "uid": job.uid}))
        .content.decode()
    )
    tiles = {
        label: int(value)
        for value, label in re.findall(
            r'figure-value[^"]*">(\d+)</div><div class="figure-label">([^<]+)</div>', page
        )
    }
    assert tiles == {
        "new values": 1,
        "changed": 1,
        "unchanged": 1,
        "row skipped": 1,
        "left out (no reporting duty)": 2,
    }
