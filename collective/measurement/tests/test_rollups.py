"""Roll-ups: for every aggregation kind a roll-up equals the aggregate of its raw values
(property-based), for every partner subtree and the collective, per breakdown; cumulative
indicators, formulas, review, deletions, and the one-at-a-time and bulk paths agree."""

from __future__ import annotations

import itertools
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from collective.core.errors import ApplicationError
from collective.measurement import services
from collective.measurement.models import IndicatorStatus, Observation, Rollup
from collective.measurement.tests.helpers import save_value
from tests.factories import make_partner

KINDS = ["sum", "mean", "min", "max", "last", "ratio"]
PERIODS = ["2024-01", "2024-02", "2024-03"]
BREAKDOWNS = ["North", "South"]
_counter = itertools.count()


@pytest.fixture
def tree(world, bb):
    """The world's partners plus a deeper branch: Operations → Ops Team North → Night shift."""
    night = make_partner(world.initiative, "Night shift", parent=world.subpartner, actor=bb)
    return [world.partner, world.subpartner, night, world.other_partner]


def _expected(kind, rows, percent=False):
    """The aggregate of raw rows [(value, numerator, denominator)], in submission order."""
    if not rows:
        return None
    if kind == "ratio":
        num = sum(r[1] for r in rows)
        den = sum(r[2] for r in rows)
        return (num / den * (100 if percent else 1)) if den else None
    values = [r[0] for r in rows]
    return {
        "sum": lambda: sum(values),
        "mean": lambda: sum(values) / len(values),
        "min": lambda: min(values),
        "max": lambda: max(values),
        "last": lambda: values[-1],
    }[kind]()


def _close(a, b) -> bool:
    if a is None or b is None:
        return a is None and b is None
    return abs(Decimal(a) - Decimal(b)) <= Decimal("0.0001") * max(1, abs(Decimal(b)))


def _check_all(indicator, partners, raw, *, breakdowns=(), percent=False):
    """Compare every stored roll-up with the aggregate of the raw rows it covers."""
    stored = {
        (r.scope_id, r.period, r.breakdown): r.value
        for r in Rollup.objects.filter(indicator=indicator)
    }
    scopes = [None, *partners]
    seen = 0
    for scope, period, bd in itertools.product(scopes, PERIODS, ["", *breakdowns]):
        rows = [
            (v, n, d)
            for (partner, p, b), (v, n, d) in raw.items()
            if p == period
            and (not bd or b == bd)
            and (scope is None or partner.path.startswith(scope.path))
        ]
        want = _expected(indicator.aggregation, rows, percent)
        got = stored.get((scope.pk if scope else None, period, bd))
        if not rows:
            assert (scope.pk if scope else None, period, bd) not in stored
            continue
        seen += 1
        assert _close(got, want), (indicator.aggregation, scope, period, bd, got, want)
    return seen


def _row_strategy(kind, partners, breakdowns):
    keys = st.tuples(
        st.sampled_from(partners), st.sampled_from(PERIODS), st.sampled_from(breakdowns or [""])
    )
    amount = st.decimals(min_value=-1000, max_value=1000, places=2, allow_nan=False)
    if kind == "ratio":
        num = st.integers(min_value=0, max_value=500).map(Decimal)
        den = st.integers(min_value=1, max_value=500).map(Decimal)
        values = st.tuples(st.just(None), num, den)
    else:
        values = st.tuples(amount, st.just(None), st.just(None))
    return st.dictionaries(keys, values, min_size=1, max_size=14)


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("with_breakdown", [False, True])
@pytest.mark.parametrize("path", ["python", "database"])
def test_rollup_equals_aggregate_of_raw_values(
    kind, with_breakdown, path, world, bb, tree, monkeypatch
):
    from collective.measurement.engine import rollups

    # Small writes roll up in Python, big ones inside the database: check both.
    monkeypatch.setattr(rollups, "SQL_MIN_CELLS", 10**6 if path == "python" else 0)
    breakdowns = BREAKDOWNS if with_breakdown else []

    @settings(
        max_examples=15,
        deadline=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    )
    @given(raw=_row_strategy(kind, tree, breakdowns))
    def check(raw):
        fields = {"aggregation": kind}
        if kind == "ratio":
            fields["value_type"] = "percent"
        if breakdowns:
            fields.update(breakdown_dimension="Region", breakdown_values=breakdowns)
        indicator = services.indicator_create(
            actor=bb,
            initiative=world.initiative,
            code=f"K{next(_counter)}",
            name="Generated",
            **fields,
        )
        rows = [
            {
                "indicator": indicator.code,
                "partner": str(partner.uid),
                "period": period,
                "breakdown": bd,
                "value": v,
                "numerator": n,
                "denominator": d,
            }
            for (partner, period, bd), (v, n, d) in raw.items()
        ]
        services.observations_upsert(actor=bb, initiative=world.initiative, rows=rows)
        assert _check_all(indicator, tree, raw, breakdowns=breakdowns, percent=True)

    check()


def test_one_at_a_time_and_bulk_agree_and_deletions_shrink(world, bb, tree, make_indicator):
    single = make_indicator("SINGLE", aggregation="mean")
    bulk = make_indicator("BULK", aggregation="mean")
    raw = {
        (tree[0], "2024-01", ""): (Decimal(4), None, None),
        (tree[2], "2024-01", ""): (Decimal(10), None, None),
        (tree[3], "2024-01", ""): (Decimal(1), None, None),
        (tree[1], "2024-02", ""): (Decimal(7), None, None),
    }
    for (partner, period, _), (v, _n, _d) in raw.items():
        save_value(actor=bb, indicator=single, partner=partner, period=period, value=v)
    services.observations_upsert(
        actor=bb,
        initiative=world.initiative,
        rows=[
            {"indicator": "BULK", "partner": p.name, "period": period, "value": v}
            for (p, period, _), (v, _n, _d) in raw.items()
        ],
    )
    assert _check_all(single, tree, raw) == _check_all(bulk, tree, raw) > 0
    # Deleting the only value of February removes February's roll-ups and scope statuses.
    obs = Observation.objects.get(indicator=single, period="2024-02")
    services.observation_delete(actor=bb, observation=obs)
    del raw[(tree[1], "2024-02", "")]
    _check_all(single, tree, raw)
    assert not Rollup.objects.filter(indicator=single, period="2024-02").exists()


@pytest.mark.parametrize("path", ["python", "database"])
def test_cumulative_indicator_keeps_running_totals(
    path, world, bb, tree, make_indicator, monkeypatch
):
    from collective.measurement.engine import rollups

    monkeypatch.setattr(rollups, "SQL_MIN_CELLS", 10**6 if path == "python" else 0)
    trained = make_indicator("TRAINED", cumulative=True)
    for period, value in [("2024-01", 5), ("2024-02", 3), ("2024-03", 4)]:
        save_value(actor=bb, indicator=trained, partner=tree[0], period=period, value=value)
    save_value(actor=bb, indicator=trained, partner=tree[3], period="2024-02", value=10)
    totals = dict(
        Rollup.objects.filter(indicator=trained, scope__isnull=True).values_list("period", "value")
    )
    assert totals == {"2024-01": 5, "2024-02": 18, "2024-03": 22}
    # Changing an early value moves every later running total.
    save_value(actor=bb, indicator=trained, partner=tree[0], period="2024-01", value=6)
    totals = dict(
        Rollup.objects.filter(indicator=trained, scope__isnull=True).values_list("period", "value")
    )
    assert totals == {"2024-01": 6, "2024-02": 19, "2024-03": 23}
    ops = dict(
        Rollup.objects.filter(indicator=trained, scope=tree[0]).values_list("period", "value")
    )
    assert ops == {"2024-01": 6, "2024-02": 9, "2024-03": 13}


def test_cumulative_only_for_sums_and_ratios(make_indicator):
    from collective.core.errors import ApplicationError

    with pytest.raises(ApplicationError, match="add up over time"):
        make_indicator("AVG_RUN", aggregation="mean", cumulative=True)


def test_formulas_follow_their_inputs_per_period_and_scope(world, bb, tree, make_indicator):
    make_indicator("ENROLLED")
    make_indicator("ELIGIBLE")
    rate = make_indicator("RATE", formula="ENROLLED / ELIGIBLE * 100", value_type="percent")
    rows = [
        {"indicator": "ENROLLED", "partner": "Operations", "period": "2024-01", "value": 30},
        {"indicator": "ELIGIBLE", "partner": "Operations", "period": "2024-01", "value": 40},
        {"indicator": "ENROLLED", "partner": "Sales", "period": "2024-01", "value": 10},
        {"indicator": "ELIGIBLE", "partner": "Sales", "period": "2024-01", "value": 60},
        {"indicator": "ENROLLED", "partner": "Sales", "period": "2024-02", "value": 5},
    ]
    services.observations_upsert(actor=bb, initiative=world.initiative, rows=rows)
    values = {(r.scope_id, r.period): r.value for r in Rollup.objects.filter(indicator=rate)}
    assert values[(None, "2024-01")] == Decimal(40)  # (30 + 10) / (40 + 60)
    assert values[(world.partner.pk, "2024-01")] == Decimal(75)
    assert (None, "2024-02") not in values  # an input is missing: no value
    # A formula of a formula follows too.
    double = make_indicator("DOUBLE", formula="RATE * 2")
    services.rollups_rebuild(actor=bb, initiative=world.initiative)
    assert Rollup.objects.get(indicator=double, scope__isnull=True, period="2024-01").value == 80
    save_value(
        actor=bb, indicator=world.initiative.indicators.get(code="ELIGIBLE"),
        partner=world.other_partner, period="2024-01", value=0,
    )  # fmt: skip
    # Sales' eligible count becomes 0: (30 + 10) / 40 = 100 %, doubled.
    assert Rollup.objects.get(indicator=double, scope__isnull=True, period="2024-01").value == 200
    with pytest.raises(ApplicationError) as exc:
        save_value(actor=bb, indicator=rate, partner=world.partner, period="2024-01", value=1)
    assert "computed from a formula" in exc.value.errors["rows"][0]["message"]


def test_review_counts_only_approved_values(world, bb, make_indicator):
    people = make_indicator("PEOPLE")
    world.initiative.review_observations = True
    world.initiative.save()
    contributor = world.users["contributor"]
    obs, _ = save_value(
        actor=contributor, indicator=people, partner=world.partner, period="2024-01", value=5
    )
    assert obs.status == "submitted"
    save_value(
        actor=bb, indicator=people, partner=world.other_partner, period="2024-01", value=2
    )  # the backbone's own values count at once

    def total():
        return Rollup.objects.get(indicator=people, scope__isnull=True, period="2024-01").value

    assert total() == 2
    services.observation_review(actor=bb, observation=obs, approve=True)
    assert total() == 7
    services.observation_review(actor=bb, observation=obs, approve=False, comment="Check it")
    assert total() == 2
    assert not Rollup.objects.filter(indicator=people, scope=world.partner).exists()
    assert not IndicatorStatus.objects.filter(indicator=people, scope=world.partner).exists()


def test_rebuild_command_repairs_after_a_partner_moves(world, bb, tree, make_indicator):
    from django.core.management import call_command

    from collective.core import services as core_services

    people = make_indicator("PEOPLE")
    save_value(actor=bb, indicator=people, partner=world.subpartner, period="2024-01", value=3)
    # Ops Team North moves from Operations to Sales: the services of the core do not tell
    # measurement, so the command recomputes.
    core_services.partner_update(actor=bb, partner=world.subpartner, parent=world.other_partner)
    call_command("measurement_rebuild", world.initiative.slug, stdout=None)
    values = dict(
        Rollup.objects.filter(indicator=people, period="2024-01").values_list("scope_id", "value")
    )
    assert values[world.other_partner.pk] == 3
    assert world.partner.pk not in values


@pytest.mark.parametrize("kind", ["sum", "ratio"])
def test_running_totals_agree_on_both_paths(kind, world, bb, tree, make_indicator, monkeypatch):
    """Random cumulative data with a breakdown: the Python and the database paths store the
    same roll-ups (running totals per scope and breakdown, from every period on)."""
    import random

    from collective.measurement.engine import rollups

    rng = random.Random(kind)
    stored = {}
    for path, threshold in (("python", 10**6), ("database", 0)):
        monkeypatch.setattr(rollups, "SQL_MIN_CELLS", threshold)
        ind = make_indicator(
            f"RUN_{path.upper()}", aggregation=kind, cumulative=True,
            breakdown_dimension="Region", breakdown_values=BREAKDOWNS,
        )  # fmt: skip
        rng.seed(kind)
        for partner in tree:
            for period in PERIODS:
                for bd in BREAKDOWNS:
                    if rng.random() < 0.3:
                        continue
                    den = rng.randint(1, 50)
                    save_value(
                        actor=bb, indicator=ind, partner=partner, period=period,
                        breakdown=bd, value=rng.randint(0, 99), numerator=rng.randint(0, den),
                        denominator=den,
                    )  # fmt: skip
        if path == "database":
            services.rollups_rebuild(actor=bb, initiative=world.initiative)
        stored[path] = sorted(
            (
                r.scope_id or 0, r.period, r.breakdown, r.value, r.numerator, r.denominator,
                r.reporting_partners,
            )
            for r in Rollup.objects.filter(indicator=ind)
        )  # fmt: skip
    assert stored["python"] == stored["database"]
    assert stored["python"]
