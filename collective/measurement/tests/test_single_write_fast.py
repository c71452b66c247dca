"""One value at a time: roll-ups moved by difference equal a full recomputation.

`observation_upsert` moves the stored roll-ups of the written partner's chain by the difference
one value makes (`rollups.apply_change`) and judges the statuses from the series it already
holds (`status.refresh_series`). After every step of random sequences of creates, updates,
deletions, approvals and returns — for every aggregation kind, running totals, breakdowns,
review mode and a formula on top — the stored roll-ups and statuses must be exactly those a full
recomputation (the Python path of `rollups.refresh`) stores.
"""

from __future__ import annotations

import itertools
from decimal import Decimal

import pytest
from django.db import connection
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from collective.measurement import services
from collective.measurement.engine import rollups, status
from collective.measurement.models import IndicatorStatus, Observation, Rollup
from collective.measurement.tests.helpers import save_value
from tests.factories import make_partner

PERIODS = ["2024-01", "2024-02", "2024-03", "2024-04"]
BREAKDOWNS = ["North", "South"]
_counter = itertools.count()

# (aggregation, cumulative)
KINDS = [
    ("sum", False),
    ("mean", False),
    ("min", False),
    ("max", False),
    ("last", False),
    ("ratio", False),
    ("sum", True),
    ("ratio", True),
]


@pytest.fixture
def tree(world, bb):
    """Operations → Ops Team North → Night shift, and Sales."""
    night = make_partner(world.initiative, "Night shift", parent=world.subpartner, actor=bb)
    return [world.partner, world.subpartner, night, world.other_partner]


def _stored(initiative):
    """Every roll-up and status of the initiative, as comparable tuples."""
    rows = sorted(
        (
            r.indicator_id, r.scope_id or 0, r.period, r.breakdown, r.value, r.numerator,
            r.denominator, r.reporting_partners,
        )
        for r in Rollup.objects.filter(initiative=initiative)
    )  # fmt: skip
    statuses = sorted(
        (
            s.indicator_id, s.scope_id or 0, s.status, s.reason, s.latest_period, s.latest_value,
            s.target_period, s.target_value, s.forecast_value, s.sparkline,
        )
        for s in IndicatorStatus.objects.filter(initiative=initiative)
    )  # fmt: skip
    return rows, statuses


def _recomputed(initiative, monkeypatch):
    """What a full recomputation of every cell stores, through the Python path of
    `rollups.refresh` (the one single writes took before; on SQLite the database path stores
    unrounded floats, which statuses would read)."""
    from django.db import transaction

    monkeypatch.setattr(rollups, "SQL_MIN_CELLS", 10**6)
    with transaction.atomic():
        Rollup.objects.filter(initiative=initiative).delete()
        IndicatorStatus.objects.filter(initiative=initiative).delete()
        for ind in initiative.indicators.order_by("formula", "id"):
            pairs = rollups.refresh(initiative, {ind.pk: set(PERIODS)}, rollups.ALL)
            status.refresh(initiative, pairs | {(ind.pk, None)})
    monkeypatch.undo()
    return _stored(initiative)


def _steps(kind, partners, breakdowns):
    amount = st.sampled_from([Decimal(v) for v in ("-2", "0", "1.5", "3", "3", "7.25", "12")])
    step = st.tuples(
        st.sampled_from(["put", "put", "put", "put", "delete", "approve", "return"]),
        st.integers(0, len(partners) - 1),
        st.sampled_from(PERIODS),
        st.sampled_from(breakdowns or [""]),
        amount,
        st.integers(0, 6),  # numerator
        st.integers(1, 6),  # denominator
        st.booleans(),  # as the contributor (submitted when the initiative reviews data)
    )
    return st.lists(step, min_size=1, max_size=10)


def _run(world, bb, tree, monkeypatch, *, kind, cumulative, breakdowns, review, formula=False):
    initiative = world.initiative
    if review:
        initiative.review_observations = True
        initiative.save()
    contributor = world.users["contributor"]

    @settings(
        max_examples=12,
        deadline=None,
        # Each step recomputes everything to compare: shrinking a failure would take minutes.
        phases=[Phase.explicit, Phase.reuse, Phase.generate],
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    )
    @given(steps=_steps(kind, tree, breakdowns))
    def check(steps):
        fields = {"aggregation": kind, "cumulative": cumulative, "direction": "increase"}
        if kind == "ratio":
            fields["value_type"] = "percent"
        if breakdowns:
            fields.update(breakdown_dimension="Region", breakdown_values=breakdowns)
        code = f"K{next(_counter)}"
        indicator = services.indicator_create(
            actor=bb, initiative=initiative, code=code, name="Generated", **fields
        )
        if formula:
            services.indicator_create(
                actor=bb, initiative=initiative, code=f"{code}X2", name="Twice",
                formula=f"{code} * 2",
            )  # fmt: skip
        services.target_set(actor=bb, indicator=indicator, period=PERIODS[-1], value=10)
        services.target_set(
            actor=bb, indicator=indicator, period=PERIODS[1], value=4, partner=tree[0]
        )
        for action, who, period, bd, value, num, den, as_contributor in steps:
            partner = tree[who]
            # The contributor of Operations may enter data for Operations and below only.
            actor = contributor if as_contributor and partner != tree[3] else bb
            obs = Observation.objects.filter(
                indicator=indicator, partner=partner, period=period, breakdown=bd
            ).first()
            if action == "put":
                save_value(
                    actor=actor, indicator=indicator, partner=partner, period=period,
                    breakdown=bd, value=value, numerator=num, denominator=den,
                )  # fmt: skip
            elif obs is None:
                continue
            elif action == "delete":
                services.observation_delete(actor=bb, observation=obs)
            else:
                services.observation_review(
                    actor=bb, observation=obs, approve=action == "approve", comment="Check it"
                )
            after = _stored(initiative)
            assert after == _recomputed(initiative, monkeypatch), (action, steps)

    check()


@pytest.mark.parametrize(("kind", "cumulative"), KINDS)
@pytest.mark.parametrize("with_breakdown", [False, True])
def test_single_writes_equal_full_recomputation(
    kind, cumulative, with_breakdown, world, bb, tree, monkeypatch
):
    _run(
        world, bb, tree, monkeypatch, kind=kind, cumulative=cumulative,
        breakdowns=BREAKDOWNS if with_breakdown else [], review=False,
    )  # fmt: skip


@pytest.mark.parametrize(("kind", "cumulative"), KINDS)
@pytest.mark.parametrize("with_breakdown", [False, True])
def test_single_writes_in_review_mode_equal_full_recomputation(
    kind, cumulative, with_breakdown, world, bb, tree, monkeypatch
):
    """Only approved values count: submitted values, approvals, returns and a contributor's
    update of an approved value (which then no longer counts) all leave the right rows."""
    _run(
        world, bb, tree, monkeypatch, kind=kind, cumulative=cumulative,
        breakdowns=BREAKDOWNS if with_breakdown else [], review=True,
    )  # fmt: skip


@pytest.mark.parametrize("kind", ["sum", "min", "last"])
def test_formulas_follow_single_writes(kind, world, bb, tree, monkeypatch):
    _run(
        world, bb, tree, monkeypatch, kind=kind, cumulative=False, breakdowns=BREAKDOWNS,
        review=False, formula=True,
    )  # fmt: skip


def test_an_approved_value_updated_by_a_contributor_stops_counting(world, bb, make_indicator):
    """In review mode a contributor's change is submitted again: the approved value it replaces
    leaves the roll-ups (and the scope without values loses its roll-up and status)."""
    people = make_indicator("PEOPLE")
    world.initiative.review_observations = True
    world.initiative.save()
    save_value(actor=bb, indicator=people, partner=world.partner, period="2024-01", value=5)
    assert Rollup.objects.get(indicator=people, scope=world.partner, period="2024-01").value == 5
    save_value(
        actor=world.users["contributor"], indicator=people, partner=world.partner,
        period="2024-01", value=6,
    )  # fmt: skip
    assert not Rollup.objects.filter(indicator=people, scope=world.partner).exists()
    assert not IndicatorStatus.objects.filter(indicator=people, scope=world.partner).exists()
    collective = IndicatorStatus.objects.get(indicator=people, scope__isnull=True)
    assert collective.status == "no_data"


def test_a_withdrawn_minimum_is_recomputed(world, bb, tree, make_indicator):
    low = make_indicator("LOW", aggregation="min")
    for partner, value in [(tree[0], 3), (tree[1], 5), (tree[3], 4)]:
        save_value(actor=bb, indicator=low, partner=partner, period="2024-01", value=value)
    assert Rollup.objects.get(indicator=low, scope__isnull=True).value == 3
    # The minimum goes up: the difference cannot tell the new minimum, the cell is recomputed.
    save_value(actor=bb, indicator=low, partner=tree[0], period="2024-01", value=9)
    assert Rollup.objects.get(indicator=low, scope__isnull=True).value == 4
    assert Rollup.objects.get(indicator=low, scope=tree[0]).value == 5
    assert Rollup.objects.get(indicator=low, scope=tree[0]).reporting_partners == 2


@pytest.mark.parametrize("kind", ["sum", "ratio", "last"])
def test_a_single_write_takes_few_round_trips(kind, world, bb, tree, make_indicator, monkeypatch):
    """Each statement is a statement of its own (server-side binding refuses more); on
    PostgreSQL the statements that belong together go in one pipeline, one round trip."""
    from collective.measurement.store import sql

    fields = {"aggregation": kind, "breakdown_dimension": "Region", "breakdown_values": BREAKDOWNS}
    ind = make_indicator("COUNTED", cumulative=kind != "last", **fields)
    write = {"numerator": 3, "denominator": 4} if kind == "ratio" else {"value": 2}
    save_value(
        actor=bb, indicator=ind, partner=tree[2], period="2024-01", breakdown="North", **write
    )
    sent: list = []
    run = sql.run

    def counted_run(statements, **kwargs):
        sent.append(("pipeline", len([s for s in statements if s])))
        return run(statements, **kwargs)

    def execute(execute, query, params, many, context):
        sent.append(("statement", query))
        return execute(query, params, many, context)

    monkeypatch.setattr(sql, "run", counted_run)
    with connection.execute_wrapper(execute):
        save_value(
            actor=bb, indicator=ind, partner=tree[2], period="2024-02", breakdown="South",
            **write,
        )  # fmt: skip
    statements = [q for kind_, q in sent if kind_ == "statement"]
    assert all(";" not in q.rstrip().rstrip(";") for q in statements), statements
    # The savepoint and its release around: the indicator and the partner the row names; the
    # value read with the indicator and the partner's path; the value, its history and its
    # audit entry stored; what moves and what the statuses judge locked and read; the roll-ups
    # and statuses written. Each `sql.run` of several statements is one round trip on
    # PostgreSQL.
    if connection.vendor == "postgresql":
        trips, piped = 0, 0  # piped: statements of the current pipeline still to come
        for kind_, item in sent:
            if kind_ == "pipeline":
                piped = item if item > 1 else 0
                trips += 1 if piped else 0
            elif piped:
                piped -= 1
            else:
                trips += 1
        assert trips <= 8, "\n".join(str(s)[:70] for _, s in sent)
    else:
        assert len(statements) <= 11, [q[:120] for q in statements]


def test_status_refresh_series_equals_refresh(world, bb, tree, make_indicator):
    """The statuses judged from the series in memory equal those `status.refresh` reads."""
    ind = make_indicator("SERIES")
    services.target_set(actor=bb, indicator=ind, period="2024-06", value=40)
    for i, period in enumerate(PERIODS):
        for partner in tree:
            save_value(actor=bb, indicator=ind, partner=partner, period=period, value=3 + i * 2)
    fast = _stored(world.initiative)[1]
    pairs = {(ind.pk, None)} | {(ind.pk, p.pk) for p in tree}
    status.refresh(world.initiative, pairs, shrink=True)
    assert _stored(world.initiative)[1] == fast


def test_the_audit_entry_of_a_value_is_the_one_audit_record_makes(world, bb, make_indicator):
    """Values are audited with a plain INSERT: the same entry `audit_record` would make."""
    from collective.core.audit import audit_record
    from collective.core.models import AuditEvent

    people = make_indicator("PEOPLE")
    save_value(actor=bb, indicator=people, partner=world.partner, period="2024-01", value=5)
    obs, _ = save_value(
        actor=bb, indicator=people, partner=world.partner, period="2024-01", value="7.5"
    )
    fast = list(AuditEvent.objects.filter(verb__endswith=" value").order_by("id"))
    assert [e.verb for e in fast] == ["created value", "updated value"]
    made = audit_record(  # as the service called it before, with the value as written
        actor=bb,
        verb="updated value",
        target=obs,
        initiative=world.initiative,
        changes={"period": "2024-01", "value": "7.5", "partner": world.partner.name},
    )
    made.refresh_from_db()
    fields = ["initiative_id", "actor_id", "verb", "target_type", "target_id", "target_repr"]
    assert [getattr(fast[1], f) for f in fields] == [getattr(made, f) for f in fields]
    assert fast[1].changes == made.changes
    assert abs(fast[1].created_at - made.created_at).total_seconds() < 60


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("kind", ["sum", "mean", "max"])
def test_concurrent_single_writes_move_the_sums_exactly(kind, world, bb, tree, monkeypatch):
    """Writers in real threads (own connections, own transactions) change values of the same
    cell at once: no difference is lost (PostgreSQL locks the rows that move; SQLite serialises
    writers), so the roll-ups equal a full recomputation afterwards."""
    import threading

    from django.db import connection as thread_connection

    indicator = services.indicator_create(
        actor=bb, initiative=world.initiative, code="BUSY", name="Busy", aggregation=kind
    )
    errors = []

    def work(partner, values):
        try:
            for value in values:
                save_value(
                    actor=bb, indicator=indicator, partner=partner, period="2024-01", value=value
                )
        except Exception as exc:  # reported by the assertion below
            errors.append(exc)
        finally:
            thread_connection.close()

    threads = [
        threading.Thread(target=work, args=(partner, [i + 1, i + 5, i + 2, i + 9, i + 3]))
        for i, partner in enumerate(tree)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    stored = _stored(world.initiative)
    assert stored == _recomputed(world.initiative, monkeypatch)
    total = Rollup.objects.get(indicator=indicator, scope__isnull=True, period="2024-01")
    assert total.reporting_partners == len(tree)
