"""Services of shared measurement: values, history, roll-ups and statuses on write."""

from __future__ import annotations

from decimal import Decimal

import pytest

from collective.core.errors import ApplicationError
from collective.measurement import services
from collective.measurement.models import IndicatorStatus, Observation, Rollup
from collective.measurement.tests.helpers import save_value


def _rollup(indicator, period, scope=None, breakdown=""):
    qs = Rollup.objects.filter(indicator=indicator, period=period, breakdown=breakdown)
    qs = qs.filter(scope=scope) if scope else qs.filter(scope__isnull=True)
    row = qs.first()
    return row.value if row else None


def test_upsert_creates_updates_and_rolls_up(world, bb, people):
    obs, outcome = save_value(
        actor=bb, indicator=people, partner=world.subpartner, period="2025-01", value=5
    )
    assert outcome == "created"
    save_value(actor=bb, indicator=people, partner=world.partner, period="2025-01", value=7)
    save_value(actor=bb, indicator=people, partner=world.other_partner, period="2025-01", value=11)
    assert _rollup(people, "2025-01") == Decimal(23)
    assert _rollup(people, "2025-01", world.partner) == Decimal(12)
    assert _rollup(people, "2025-01", world.subpartner) == Decimal(5)
    assert _rollup(people, "2025-01", world.other_partner) == Decimal(11)
    obs, outcome = save_value(
        actor=bb, indicator=people, partner=world.subpartner, period="2025-01", value=5
    )
    assert outcome == "unchanged"
    obs, outcome = save_value(
        actor=bb, indicator=people, partner=world.subpartner, period="2025-01", value=6
    )
    assert outcome == "updated"
    assert obs.history.count() == 2
    assert _rollup(people, "2025-01") == Decimal(24)
    status = IndicatorStatus.objects.get(indicator=people, scope__isnull=True)
    assert status.latest_value == Decimal(24)
    assert status.sparkline == [{"period": "2025-01", "value": 24.0}]


def test_bulk_upsert_is_atomic(world, bb, people):
    rows = [
        {"indicator": "PEOPLE", "partner": "Operations", "period": "2025-01", "value": 3},
        {"indicator": "NOPE", "partner": "Operations", "period": "2025-01", "value": 3},
        {"indicator": "PEOPLE", "partner": "Sales", "period": "2025-Q1", "value": 3},
        {"indicator": "PEOPLE", "partner": "Sales", "period": "2025-02", "value": "x"},
    ]
    with pytest.raises(ApplicationError) as exc:
        services.observations_upsert(actor=bb, initiative=world.initiative, rows=rows)
    fields = [(e["row"], e["field"]) for e in exc.value.errors["rows"]]
    assert fields == [(2, "indicator"), (3, "period"), (4, "value")]
    assert not Observation.objects.exists()
    result = services.observations_upsert(
        actor=bb, initiative=world.initiative, rows=rows, only_valid=True
    )
    assert (result.created, result.updated, result.unchanged) == (1, 0, 0)
    assert _rollup(people, "2025-01") == Decimal(3)


def test_observation_check_validates_without_writing(world, make_indicator):
    ratio = make_indicator(
        "HOUSED", aggregation="ratio", value_type="percent", min_value=0, max_value=100
    )
    check = services.observation_check
    assert check(indicator=ratio, partner=world.partner, period="2025-01", numerator=3,
                 denominator=4) == {}  # fmt: skip
    errors = check(indicator=ratio, partner=world.partner, period="2025-Q1", numerator=5,
                   denominator=0)  # fmt: skip
    assert set(errors) == {"period", "denominator"}
    errors = check(indicator=ratio, partner=world.partner, period="2099-01", value="x")
    assert "not started" in errors["period"][0]
    assert "not a number" in errors["value"][0]
    errors = check(indicator=ratio, partner=world.partner, period="2025-01", numerator=5,
                   denominator=4)  # fmt: skip
    assert "above the highest valid value" in errors["value"][0]
    assert not Observation.objects.exists()


@pytest.mark.parametrize(
    ("role", "partner_attr", "allowed"),
    [
        ("contributor", "partner", True),
        ("contributor", "subpartner", True),
        ("contributor", "other_partner", False),
        ("lead", "other_partner", False),
        ("viewer", "partner", False),
        ("backbone", "other_partner", True),
    ],
)
def test_who_may_enter_data_for_whom(world, people, role, partner_attr, allowed):
    def enter():
        return save_value(
            actor=world.users[role], indicator=people, partner=getattr(world, partner_attr),
            period="2025-01", value=1,
        )  # fmt: skip

    if allowed:
        assert enter()[1] == "created"
    else:
        with pytest.raises(ApplicationError) as exc:
            enter()
        assert exc.value.errors["rows"] == [
            {
                "row": 1,
                "field": "partner",
                "message": "You may enter data only for your own partner and its sub-partners, "
                f"not for {getattr(world, partner_attr).name}.",
            }
        ]
        assert not Observation.objects.exists()


def test_indicator_rules(world, bb, make_indicator, people):
    with pytest.raises(ApplicationError) as exc:
        make_indicator("bad code!")
    assert "code" in exc.value.errors
    with pytest.raises(ApplicationError) as exc:
        make_indicator("BD", breakdown_dimension="Region")
    assert "breakdown_values" in exc.value.errors
    with pytest.raises(ApplicationError) as exc:
        make_indicator("RANGE", min_value=10, max_value=1)
    assert "max_value" in exc.value.errors
    with pytest.raises(ApplicationError, match="not reported quarterly"):
        make_indicator("Q", frequency="quarter", formula="PEOPLE * 2")
    make_indicator("TWICE", formula="people * 2")
    with pytest.raises(ApplicationError, match="formulas of TWICE use PEOPLE"):
        services.indicator_update(actor=bb, indicator=people, code="PERSONS")
    people.refresh_from_db()  # the refused change is not saved (the object in hand kept it)
    save_value(actor=bb, indicator=people, partner=world.partner, period="2025-01", value=1)
    with pytest.raises(ApplicationError) as exc:
        services.indicator_update(
            actor=bb, indicator=people, breakdown_dimension="Region", breakdown_values=["N"]
        )
    assert "its breakdown" in exc.value.message and "Create a new indicator" in exc.value.message
    updated = services.indicator_update(actor=bb, indicator=people, aggregation="max")
    assert updated.aggregation == "max"


def test_changing_the_aggregation_rebuilds_the_rollups(world, bb, people):
    for partner, value in ((world.partner, 3), (world.other_partner, 5)):
        save_value(actor=bb, indicator=people, partner=partner, period="2025-01", value=value)
    assert _rollup(people, "2025-01") == Decimal(8)
    services.indicator_update(actor=bb, indicator=people, aggregation="mean")
    assert _rollup(people, "2025-01") == Decimal(4)
    services.indicator_update(actor=bb, indicator=people, direction="decrease")
    status = IndicatorStatus.objects.get(indicator=people, scope__isnull=True)
    assert status.latest_value == Decimal(4)


def test_targets_assignments_and_narratives(world, bb, people):
    target = services.target_set(actor=bb, indicator=people, period="2026-06-15", value="120")
    assert (target.period, target.value) == ("2026-06", Decimal(120))
    again = services.target_set(actor=bb, indicator=people, period="2026-06", value=130)
    assert again.pk == target.pk and again.value == 130
    mine = services.target_set(
        actor=bb, indicator=people, period="2026-06", value=40, partner=world.partner
    )
    assert mine.pk != target.pk
    with pytest.raises(ApplicationError):
        services.target_set(actor=bb, indicator=people, period="2026-Q2", value=1)
    services.target_delete(actor=bb, target=mine)
    duty = services.assignment_set(actor=bb, indicator=people, partner=world.partner)
    same = services.assignment_set(
        actor=bb, indicator=people, partner=world.partner, due_days=5, starts_period="2025-01-01"
    )
    assert same.pk == duty.pk and (same.due_days, same.starts_period) == (5, "2025-01")
    story = services.narrative_save(
        actor=bb, indicator=people, period="2025-03", story="Better since the playbook.",
        partners=[world.partner],
    )  # fmt: skip
    assert list(story.partners.all()) == [world.partner]
    services.narrative_save(actor=bb, indicator=people, period="2025-03", action_plan="Do more.")
    story.refresh_from_db()
    assert story.story == "Better since the playbook." and story.action_plan == "Do more."
    with pytest.raises(ApplicationError):
        services.narrative_save(actor=bb, indicator=people, period="2025-04")


def test_history_keeps_every_change(world, bb, people):
    world.initiative.review_observations = True
    world.initiative.save()
    contributor = world.users["contributor"]
    obs, _ = save_value(
        actor=contributor, indicator=people, partner=world.partner, period="2025-01", value=1,
        note="first",
    )  # fmt: skip
    services.observation_review(actor=bb, observation=obs, approve=False, comment="Too low?")
    obs, outcome = save_value(
        actor=contributor, indicator=people, partner=world.partner, period="2025-01", value=1,
        note="first",
    )  # fmt: skip
    assert outcome == "updated" and obs.status == "submitted"  # resubmitted after return
    services.observation_review(actor=bb, observation=obs, approve=True)
    actions = list(obs.history.order_by("id").values_list("action", "status", "changed_by"))
    assert actions == [
        ("created", "submitted", contributor.pk),
        ("returned", "returned", bb.pk),
        ("updated", "submitted", contributor.pk),
        ("approved", "approved", bb.pk),
    ]


@pytest.mark.parametrize("rows", [1, 2])
def test_a_concurrent_writer_is_retried_not_a_crash(world, bb, people, monkeypatch, rows):
    """Another request created the same value between our check and our write: the unique
    index refuses the insert and the write is checked and made again (and updates instead) —
    for one value (read with the indicator before writing) and for several (planned against
    the stored values)."""
    from collective.measurement.store import observations as store

    save_value(actor=bb, indicator=people, partner=world.partner, period="2025-01", value=1)
    name = "current" if rows == 1 else "existing"
    real = getattr(store, name)
    calls = []

    def stale_once(*args):
        calls.append(args)
        if len(calls) > 1:
            return real(*args)
        # As if the stored value were not there yet.
        return (None, real(*args)[1]) if name == "current" else {}

    monkeypatch.setattr(store, name, stale_once)
    sent = [{"indicator": "PEOPLE", "partner": "Operations", "period": "2025-01", "value": 2}]
    sent += [{"indicator": "PEOPLE", "partner": "Sales", "period": "2025-01", "value": 3}][
        : rows - 1
    ]
    result = services.observations_upsert(actor=bb, initiative=world.initiative, rows=sent)
    assert len(calls) == 2
    assert (result.created, result.updated) == (rows - 1, 1)
    assert Observation.objects.get(partner=world.partner).value == 2
    assert _rollup(people, "2025-01") == Decimal(2 + 3 * (rows - 1))


def test_reviewing_many_values_at_once(world, bb, people):
    world.initiative.review_observations = True
    world.initiative.save()
    contributor = world.users["contributor"]
    submitted = [
        save_value(actor=contributor, indicator=people, partner=partner, period="2025-01", value=2)[
            0
        ]
        for partner in (world.partner, world.subpartner)
    ]
    assert _rollup(people, "2025-01") is None
    with pytest.raises(ApplicationError):
        services.observations_review_bulk(actor=bb, observations=submitted, approve=False)
    assert services.observations_review_bulk(actor=bb, observations=submitted, approve=True) == 2
    assert _rollup(people, "2025-01") == Decimal(4)
    assert _rollup(people, "2025-01", world.partner) == Decimal(4)
    assert set(Observation.objects.values_list("status", flat=True)) == {"approved"}


def test_a_few_rows_look_up_only_what_they_name(world, bb, people):
    """One value (the grid's cell, the API's object) names its partner by uid: only that
    partner and the named indicator are read. A partner named otherwise is found by reading
    them all, so every spelling finds what a big import would find."""
    from collective.measurement.services.validation import RowChecker

    row = {"indicator": "people", "partner": str(world.subpartner.uid), "period": "2025-01",
           "value": 1}  # fmt: skip
    checker = RowChecker(world.initiative, bb, [row])
    assert {p.pk for p in checker.partners.values()} == {world.subpartner.pk}
    (good,), errors = checker.check([row])
    assert errors == [] and (good[1], good[2]) == (people, world.subpartner)
    named = {**row, "partner": "ops team north"}
    checker = RowChecker(world.initiative, bb, [named])
    assert len({p.pk for p in checker.partners.values()}) == 3  # all of them
    (good,), _ = checker.check([named])
    assert good[2] == world.subpartner
    unknown = {**row, "partner": "00000000-0000-0000-0000-000000000000"}
    _, errors = RowChecker(world.initiative, bb, [unknown]).check([unknown])
    assert errors[0]["message"] == f"Unknown partner '{unknown['partner']}'."
