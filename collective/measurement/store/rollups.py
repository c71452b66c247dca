"""SQL of roll-ups: grouped aggregates of the observations of some cells, the set-based
`INSERT … SELECT` of every kind, storing computed rows, and what one value written moves.

A cell is an indicator's period; a scope is a partner subtree (`scope_id` = the partner) or the
whole initiative (`scope_id` NULL). Observations of a subtree are found through a small
(partner, scope) map (`sql.pairs_cte`). See `engine.rollups` for the rules of each kind.
"""

from __future__ import annotations

import operator
from collections.abc import Iterable
from dataclasses import dataclass

from django.db import connection

from ..choices import ObservationStatus, ValueType
from ..models import Indicator, IndicatorStatus, Observation, Rollup, Target
from . import sql

OBS = sql.table(Observation)
ROLLUP = sql.table(Rollup)
ALL = None  # "every scope" / "every period"


@dataclass(frozen=True)
class Meta:
    """What the engine needs to know of an indicator."""

    id: int
    code: str
    aggregation: str
    cumulative: bool
    formula: str
    has_breakdown: bool
    percent: bool
    frequency: str

    @classmethod
    def of(cls, indicator) -> Meta:
        return cls(
            id=indicator.pk,
            code=indicator.code,
            aggregation=indicator.aggregation,
            cumulative=indicator.cumulative,
            formula=indicator.formula,
            has_breakdown=bool(indicator.breakdown_dimension),
            percent=indicator.value_type == ValueType.PERCENT,
            frequency=indicator.frequency,
        )


META_FIELDS = ["id", "code", "aggregation", "cumulative", "formula", "breakdown_dimension",
               "value_type", "frequency"]  # fmt: skip


def meta_of_row(row) -> Meta:
    pk, code, aggregation, cumulative, formula, dimension, value_type, frequency = row
    return Meta(
        pk, code, aggregation, bool(cumulative), formula, bool(dimension),
        value_type == ValueType.PERCENT, frequency,
    )  # fmt: skip


def load_metas(initiative_id: int, indicator_ids: Iterable[int] | None) -> dict[int, Meta]:
    """The indicators `indicator_ids` (all when None) and every formula indicator (which may
    depend on them)."""
    formula = sql.column(Indicator, "formula")
    query = (
        f"SELECT {', '.join(sql.columns(Indicator, META_FIELDS))} "  # noqa: S608
        f"FROM {sql.table(Indicator)} WHERE initiative_id = %s"
    )
    if indicator_ids is not None:
        query += f" AND (id IN ({sql.int_list(indicator_ids)}) OR {formula} <> '')"
    with sql.cursor() as cur:
        cur.execute(query, [initiative_id])
        return {row[0]: meta_of_row(row) for row in cur.fetchall()}


def partner_paths(initiative_id: int) -> list[tuple[int, str]]:
    """(id, materialised path) of every partner of the initiative."""
    from collective.core.models import Partner

    with sql.cursor() as cur:
        cur.execute(
            f"SELECT id, {sql.column(Partner, 'path')} FROM {sql.table(Partner)} "  # noqa: S608
            "WHERE initiative_id = %s",
            [initiative_id],
        )
        return cur.fetchall()


# Observations of a partner subtree: the small (partner -> scope) map drives the loop and each
# partner's rows are found through the (partner, period) index. CROSS JOIN fixes that order in
# SQLite, whose planner would otherwise scan the map for every observation.
def _scoped() -> str:
    join = "CROSS JOIN" if connection.vendor == "sqlite" else "JOIN"
    return f"m {join} {OBS} o ON o.partner_id = m.pid"


def where_for(cells, review: bool, alias: str = "o.") -> tuple[str, list]:
    """The observations of the cells (only approved ones when the initiative reviews data)."""
    where, params = sql.cells_where(cells, alias)
    if review:
        where += f" AND {alias}status = %s"
        params.append(ObservationStatus.APPROVED)
    return where, params


# --- Grouped aggregates, read into Python ----------------------------------------------------


def aggregate(cells, pairs, *, by_breakdown: bool, review: bool, collective: bool) -> list:
    """(scope, indicator, period, breakdown, count, sum, min, max, Σ numerators,
    Σ denominators, reporting partners) of the observations in `cells`, per scope (and
    breakdown value): one statement."""
    where, params = where_for(cells, review)
    breakdown = "o.breakdown" if by_breakdown else "''"
    group_bd = ", o.breakdown" if by_breakdown else ""
    aggregates = (
        "COUNT(o.value), SUM(o.value), MIN(o.value), MAX(o.value), "
        "SUM(o.numerator), SUM(o.denominator), COUNT(DISTINCT o.partner_id)"
    )
    parts, all_params = [], []
    if pairs:
        parts.append(
            f"SELECT m.sid, o.indicator_id, o.period, {breakdown}, {aggregates} "  # noqa: S608
            f"FROM {_scoped()} WHERE {where} "
            f"GROUP BY m.sid, o.indicator_id, o.period{group_bd}"
        )
        all_params += params
    if collective:
        parts.append(
            f"SELECT NULL, o.indicator_id, o.period, {breakdown}, {aggregates} "  # noqa: S608
            f"FROM {OBS} o WHERE {where} GROUP BY o.indicator_id, o.period{group_bd}"
        )
        all_params += params
    if not parts:
        return []
    query = (sql.pairs_cte(pairs) if pairs else "") + " UNION ALL ".join(parts)
    with sql.cursor() as cur:
        cur.execute(query, all_params)
        return cur.fetchall()


def latest_rows(cells, pairs, *, review: bool, collective: bool) -> list:
    """(scope, indicator, period, breakdown, value) of the observations in `cells` in the order
    they were submitted (the last one of a cell is its 'last' value)."""
    where, params = where_for(cells, review)
    order = "ORDER BY o.submitted_at, o.id"
    queries = []
    if pairs:
        queries.append(
            sql.pairs_cte(pairs) + "SELECT m.sid, o.indicator_id, o.period, o.breakdown, "  # noqa: S608
            f"o.value FROM {_scoped()} WHERE {where} {order}"
        )
    if collective:
        queries.append(
            "SELECT NULL, o.indicator_id, o.period, o.breakdown, o.value "  # noqa: S608
            f"FROM {OBS} o WHERE {where} {order}"
        )
    out = []
    with sql.cursor() as cur:
        for query in queries:
            cur.execute(query, params)
            out += cur.fetchall()
    return out


# --- Storing rows ----------------------------------------------------------------------------

_FIELDS = sql.fields(Rollup, exclude=("id",))
_COLUMNS = ", ".join(f.column for f in _FIELDS)
INSERT = sql.insert_sql(Rollup, [f.name for f in _FIELDS])
_ROW = operator.itemgetter(*[f.name for f in _FIELDS])
# What a stored cell holds; the other columns say which cell it is.
VALUES = ["value", "numerator", "denominator", "reporting_partners"]
# The two partial unique indexes of Rollup are the conflict targets of the upserts.
_ON_COLLECTIVE = sql.on_conflict(Rollup, "rollup_collective_unique", VALUES)
_ON_SCOPED = sql.on_conflict(Rollup, "rollup_scope_unique", VALUES)


def select_list(exprs: dict[str, str]) -> str:
    """The SELECT list of an `INSERT INTO measurement_rollup (...) SELECT`: one expression per
    field, in the `_meta` order of the INSERT's columns."""
    return ", ".join(exprs[f.name] for f in _FIELDS)


def delete_cells(cells_by_kind, scope_ids) -> None:
    """Delete the stored rows of the cells for the scopes `scope_ids` (ALL: every scope; the
    collective always). `cells_by_kind`: [(cells, since)]: with `since` (running totals), every
    period of the cells' indicators from that date on."""
    scope_filters = ["scope_id IS NULL"]
    if scope_ids is ALL:
        scope_filters = ["1 = 1"]
    elif scope_ids:
        scope_filters.append(f"scope_id IN ({sql.int_list(scope_ids)})")
    with sql.cursor() as cur:
        for cells, since in cells_by_kind:
            if not cells:
                continue
            if since is not None:
                where = f"indicator_id IN ({sql.int_list(cells)}) AND period_start >= %s"
                params = [connection.ops.adapt_datefield_value(since)]
            else:
                where, params = sql.cells_where(cells, alias="")
            for scope_filter in scope_filters:
                cur.execute(
                    f"DELETE FROM {ROLLUP} WHERE {where} AND {scope_filter}",  # noqa: S608
                    params,
                )


def store_rows(rows: list[dict], *, upsert: bool) -> None:
    """Insert computed rows ({field name: value}); `upsert`: replace the values of rows that
    exist (the partial unique indexes say which)."""
    adapt = connection.ops.adapt_datefield_value
    collective, scoped = [], []
    for r in rows:
        r["period_start"] = adapt(r["period_start"])
        (collective if r["scope"] is None else scoped).append(_ROW(r))
    with sql.cursor() as cur:
        if not upsert:
            sql.insert_many(cur, INSERT, collective + scoped)
            return
        if collective:
            sql.insert_many(cur, INSERT + _ON_COLLECTIVE, collective)
        if scoped:
            sql.insert_many(cur, INSERT + _ON_SCOPED, scoped)


# --- Set-based roll-ups: INSERT … SELECT ------------------------------------------------------


def _kinds(metas, cells) -> tuple[str, list]:
    """`k(kid, agg, factor)`: each indicator's aggregation and factor (100 for percent ratios),
    bound as parameters."""
    number = "NUMERIC" if connection.vendor == "postgresql" else "REAL"
    one = f"({{}}, CAST(%s AS VARCHAR(10)), CAST(%s AS {number}))"
    values, params = [], []
    for i in cells:
        values.append(one.format(int(i)))
        params += [metas[i].aggregation, 100.0 if metas[i].percent else 1.0]
    return f"k(kid, agg, factor) AS (VALUES {', '.join(values)})", params


def _variants(metas, cells, review):
    """(by breakdown?, where, params) for the total rows and the breakdown rows."""
    with_bd = {i: cells[i] for i in cells if metas[i].has_breakdown}
    out = [(False, *where_for(cells, review))]
    if with_bd:
        out.append((True, *where_for(with_bd, review)))
    return out


def _sources(pairs) -> list[tuple[bool, str, str]]:
    """(collective?, WITH head, FROM) of each statement: the subtrees (when any), the whole."""
    out = []
    if pairs:
        out.append((False, sql.pairs_cte(pairs) + ", ", _scoped()))
    out.append((True, "WITH ", f"{OBS} o"))
    return out


def _on_conflict(collective: bool, upsert: bool) -> str:
    if not upsert:
        return ""
    return _ON_COLLECTIVE if collective else _ON_SCOPED


def _run_all(statements: list[tuple[str, list]]) -> None:
    with sql.cursor() as cur:
        for query, params in statements:
            cur.execute(query, params)


def aggregate_into(initiative_id, metas, cells, pairs, review, *, upsert: bool) -> None:
    """Compute and store the roll-ups of sums, means, minima, maxima and ratios in the database:
    INSERT ... SELECT ... GROUP BY, upserting on the partial unique indexes (or plain inserts
    after the caller deleted the affected rows). Nothing passes through Python."""
    kinds, kind_params = _kinds(metas, cells)
    value = (
        "CASE k.agg WHEN 'sum' THEN SUM(o.value) WHEN 'mean' THEN AVG(o.value) "
        "WHEN 'min' THEN MIN(o.value) WHEN 'max' THEN MAX(o.value) "
        "WHEN 'ratio' THEN CASE WHEN SUM(o.denominator) > 0 "
        "THEN SUM(o.numerator) * k.factor / SUM(o.denominator) END END"
    )
    statements = []
    for by_bd, where, params in _variants(metas, cells, review):
        group_bd = ", o.breakdown" if by_bd else ""
        for collective, head, source in _sources(pairs):
            exprs = {
                "initiative": str(int(initiative_id)),
                "indicator": "o.indicator_id",
                "period": "o.period",
                "period_start": "MIN(o.period_start)",
                "scope": "NULL" if collective else "m.sid",
                "breakdown": "o.breakdown" if by_bd else "''",
                "value": value,
                "numerator": "CASE k.agg WHEN 'ratio' THEN SUM(o.numerator) "
                "WHEN 'mean' THEN SUM(o.value) END",
                "denominator": "CASE k.agg WHEN 'ratio' THEN SUM(o.denominator) "
                "WHEN 'mean' THEN COUNT(o.value) END",
                "reporting_partners": "COUNT(DISTINCT o.partner_id)",
            }
            group_sid = "" if collective else ", m.sid"
            statements.append(
                (
                    f"{head}{kinds} INSERT INTO {ROLLUP} ({_COLUMNS}) "  # noqa: S608
                    f"SELECT {select_list(exprs)} FROM {source} JOIN k ON k.kid = o.indicator_id "
                    f"WHERE {where} GROUP BY o.indicator_id, o.period{group_sid}{group_bd}, "
                    f"k.agg, k.factor{_on_conflict(collective, upsert)}",
                    [*kind_params, *params],
                )
            )
    _run_all(statements)


def running_totals_into(initiative_id, metas, cells, pairs, review, since, *, upsert: bool):
    """Cumulative indicators: per-period sums, then running totals with a window function,
    stored from the period starting on `since` on (every period of the cells' indicators)."""
    kinds, kind_params = _kinds(metas, cells)
    statements = []
    for by_bd, where, params in _variants(metas, dict.fromkeys(cells, None), review):
        bd = "o.breakdown" if by_bd else "''"
        group_bd = ", o.breakdown" if by_bd else ""
        for collective, head, source in _sources(pairs):
            sid = "CAST(NULL AS BIGINT)" if collective else "m.sid"
            group_sid = "" if collective else ", m.sid"
            exprs = {
                "initiative": str(int(initiative_id)),
                "indicator": "r.ind",
                "period": "r.period",
                "period_start": "r.ps",
                "scope": "r.sid",
                "breakdown": "r.bd",
                "value": "CASE WHEN k.agg = 'ratio' THEN CASE WHEN r.rd > 0 "
                "THEN r.rn * k.factor / r.rd END ELSE r.rv END",
                "numerator": "CASE WHEN k.agg = 'ratio' THEN r.rn END",
                "denominator": "CASE WHEN k.agg = 'ratio' THEN r.rd END",
                "reporting_partners": "r.c",
            }
            statements.append(
                (
                    f"{head}{kinds}, "  # noqa: S608
                    f"g AS (SELECT o.indicator_id AS ind, o.period AS period, "
                    f"MIN(o.period_start) AS ps, {sid} AS sid, {bd} AS bd, SUM(o.value) AS v, "
                    "SUM(o.numerator) AS n, SUM(o.denominator) AS d, "
                    f"COUNT(DISTINCT o.partner_id) AS c FROM {source} WHERE {where} "
                    f"GROUP BY o.indicator_id, o.period{group_sid}{group_bd}), "
                    "r AS (SELECT ind, period, ps, sid, bd, c, SUM(v) OVER w AS rv, "
                    "SUM(n) OVER w AS rn, SUM(d) OVER w AS rd FROM g "
                    "WINDOW w AS (PARTITION BY ind, sid, bd ORDER BY ps ROWS UNBOUNDED PRECEDING)) "
                    f"INSERT INTO {ROLLUP} ({_COLUMNS}) SELECT {select_list(exprs)} "
                    f"FROM r JOIN k ON k.kid = r.ind WHERE r.ps >= %s"
                    f"{_on_conflict(collective, upsert)}",
                    [*kind_params, *params, connection.ops.adapt_datefield_value(since)],
                )
            )
    _run_all(statements)


def latest_into(initiative_id, metas, cells, pairs, review, *, upsert: bool) -> None:
    """'Last' indicators: the most recently submitted value of each cell, chosen with a window
    function, with the count of reporting partners."""
    statements = []
    for by_bd, where, params in _variants(metas, cells, review):
        bd = "o.breakdown" if by_bd else "''"
        part_bd = ", o.breakdown" if by_bd else ""
        for collective, head, source in _sources(pairs):
            sid = "CAST(NULL AS BIGINT)" if collective else "m.sid"
            part_sid = "" if collective else "m.sid, "
            on_sid = "" if collective else "x.sid = g.sid AND "
            group_sid = "" if collective else "sid, "
            exprs = {
                "initiative": str(int(initiative_id)),
                "indicator": "g.ind",
                "period": "g.period",
                "period_start": "g.ps",
                "scope": "NULL" if collective else "g.sid",
                "breakdown": "g.bd",
                "value": "x.v",
                "numerator": "NULL",
                "denominator": "NULL",
                "reporting_partners": "g.c",
            }
            statements.append(
                (
                    f"{head}x AS (SELECT {sid} AS sid, o.indicator_id AS ind, "  # noqa: S608
                    f"o.period AS period, o.period_start AS ps, {bd} AS bd, o.value AS v, "
                    "o.partner_id AS pid, ROW_NUMBER() OVER (PARTITION BY "
                    f"{part_sid}o.indicator_id, o.period{part_bd} "
                    "ORDER BY o.submitted_at DESC, o.id DESC) AS rn "
                    f"FROM {source} WHERE {where}), "
                    f"g AS (SELECT {group_sid}ind, period, bd, MIN(ps) AS ps, "
                    f"COUNT(DISTINCT pid) AS c FROM x GROUP BY {group_sid}ind, period, bd) "
                    f"INSERT INTO {ROLLUP} ({_COLUMNS}) SELECT {select_list(exprs)} "
                    f"FROM g JOIN x ON {on_sid}x.ind = g.ind AND x.period = g.period "
                    "AND x.bd = g.bd AND x.rn = 1 WHERE 1 = 1"
                    f"{_on_conflict(collective, upsert)}",
                    params,
                )
            )
    _run_all(statements)


# --- One value written: what moves -----------------------------------------------------------


@dataclass(slots=True)
class ChangeRead:
    """What a single write reads before moving the roll-ups (see `read_change`)."""

    rows: list  # (id, scope, breakdown, period, value, numerator, denominator, partners)
    series: list  # (scope, period, value) of the '' rows of the chain, every period
    targets: list  # (partner or None, period, value)
    status_ids: dict  # {scope id or None: IndicatorStatus id}
    other: bool  # the partner has other counted values in the cell (other breakdown values)
    last_ok: bool  # no value of the cell was submitted after this one


_ROW_COLUMNS = ", ".join(sql.columns(Rollup, ["id", "scope", "breakdown", "period", *VALUES]))


def read_change(change, *, cumulative: bool, has_breakdown: bool, last: bool, review: bool):
    """Read what a written value (`engine.delta.Change`) moves and what the statuses judge.

    PostgreSQL: the rows that move and then the chain's status rows are locked (in id order),
    so concurrent writers of the indicator wait for each other instead of moving the sums from
    a stale reading or judging a stale series; then a second statement, in the same round trip,
    reads the series, the targets and the checks (run after the locks, it sees what earlier
    writers committed). SQLite: writers are serialised by the write lock (BEGIN IMMEDIATE), so
    everything is one query."""
    pg = connection.vendor == "postgresql"
    status_table = sql.table(IndicatorStatus)
    chain = sql.int_list(change.chain)
    in_chain = f"(scope_id IS NULL OR scope_id IN ({chain}))"
    # The rows that move: the cell ('' and the breakdown value) in every scope of the chain;
    # for running totals every period (later ones move, an earlier one starts a new period).
    moving = f"indicator_id = %s AND {in_chain} AND breakdown IN ('', %s)"
    moving_params: list = [change.indicator, change.breakdown]
    if not cumulative:
        moving += " AND period = %s"
        moving_params.append(change.period)
    parts: list[str] = []
    params: list = []
    queries: list[sql.Statement] = []
    if pg:
        queries.append(
            (
                f"WITH r AS (SELECT {_ROW_COLUMNS} FROM {ROLLUP} WHERE {moving} "  # noqa: S608
                f"ORDER BY id FOR UPDATE), s AS (SELECT id, scope_id FROM {status_table} "
                f"WHERE indicator_id = %s AND {in_chain} ORDER BY id FOR UPDATE) "
                "SELECT 'r', r.* FROM r UNION ALL "
                "SELECT 'i', s.id, s.scope_id, '', '', NULL, NULL, NULL, NULL FROM s",
                [*moving_params, change.indicator],
                False,
            )
        )
    else:
        # Two selects per filter rather than an OR, so each uses the (indicator, scope...)
        # index; here the union also brings the status ids.
        for scope_filter in ("scope_id IS NULL", f"scope_id IN ({chain})"):
            parts.append(
                f"SELECT 'r', {_ROW_COLUMNS} FROM {ROLLUP} WHERE "  # noqa: S608
                + moving.replace(in_chain, scope_filter)
            )
            params += moving_params
        parts.append(
            "SELECT 'i', id, scope_id, '', '', NULL, NULL, NULL, NULL "  # noqa: S608
            f"FROM {status_table} WHERE indicator_id = %s AND {in_chain}"
        )
        params.append(change.indicator)
    # The '' series of the chain's scopes, for the statuses.
    for scope_filter in ("scope_id IS NULL", f"scope_id IN ({chain})"):
        parts.append(
            "SELECT 's', NULL, scope_id, '', period, value, NULL, NULL, NULL "  # noqa: S608
            f"FROM {ROLLUP} WHERE indicator_id = %s AND breakdown = '' AND {scope_filter}"
        )
        params.append(change.indicator)
    parts.append(
        "SELECT 't', NULL, partner_id, '', period, value, NULL, NULL, NULL "  # noqa: S608
        f"FROM {sql.table(Target)} WHERE indicator_id = %s AND "
        f"(partner_id IS NULL OR partner_id IN ({chain}))"
    )
    params.append(change.indicator)
    if change.breakdown or has_breakdown:
        # The partner counts once in the '' row, whatever its breakdown values.
        approved = " AND status = %s" if review else ""
        parts.append(
            "SELECT 'o', NULL, NULL, '', '', NULL, NULL, NULL, NULL WHERE EXISTS (SELECT 1 "  # noqa: S608
            f"FROM {OBS} WHERE indicator_id = %s AND partner_id = %s AND period = %s "
            f"AND breakdown <> %s{approved})"
        )
        params += [change.indicator, change.partner, change.period, change.breakdown]
        if review:
            params.append(ObservationStatus.APPROVED)
    if last and change.new is not None:
        # Any value of the cell submitted after this one (whatever its status) leaves
        # 'last' to a recomputation; in practice the value just written is the latest.
        parts.append(
            "SELECT 'l', NULL, NULL, '', '', NULL, NULL, NULL, NULL WHERE EXISTS (SELECT 1 "  # noqa: S608
            f"FROM {OBS} WHERE indicator_id = %s AND period_start = %s AND period = %s "
            "AND id <> %s AND (submitted_at > %s OR (submitted_at = %s AND id > %s)))"
        )
        params += [
            change.indicator, connection.ops.adapt_datefield_value(change.period_start),
            change.period, change.observation, change.submitted_at, change.submitted_at,
            change.observation,
        ]  # fmt: skip
    queries.append((" UNION ALL ".join(parts), params, False))
    found = [row for rows in sql.run(queries, fetch=range(len(queries))) for row in rows]
    out = ChangeRead([], [], [], {}, False, True)
    for kind, rid, sid, bd, period, value, num, den, partners in found:
        if kind == "r":
            out.rows.append((rid, sid, bd, period, value, num, den, partners))
        elif kind == "s":
            out.series.append((sid, period, value))
        elif kind == "t":
            out.targets.append((sid, period, value))
        elif kind == "i":
            out.status_ids[sid] = rid
        elif kind == "o":
            out.other = True
        elif kind == "l":
            out.last_ok = False
    return out


def moved_statements(initiative_id: int, indicator_id: int, inserts, updates, deletes):
    """The writes of the rows a value moved: `inserts` [(scope, breakdown, period, period
    start, value, numerator, denominator, partners)], `updates` [(value, numerator,
    denominator, partners, id)], `deletes` [id]. Statements for `sql.run`."""
    adapt = connection.ops.adapt_datefield_value
    statements = sql.delete_by_id(Rollup, deletes)
    statements += sql.update_by_id(Rollup, VALUES, updates)
    statements += sql.insert_rows(
        INSERT,
        [
            _ROW(
                {
                    "initiative": initiative_id, "indicator": indicator_id, "period": period,
                    "period_start": adapt(start), "scope": sid, "breakdown": bd, "value": value,
                    "numerator": num, "denominator": den, "reporting_partners": partners,
                }
            )
            for sid, bd, period, start, value, num, den, partners in inserts
        ],
    )  # fmt: skip
    return statements


def formula_inputs(indicator_ids, scopes, periods_wanted) -> list[tuple]:
    """(indicator, period, scope, value, reporting partners) of the '' roll-ups of formula
    inputs: every scope when `scopes` is ALL, else the collective and `scopes`; every period
    when `periods_wanted` is None."""
    qs = Rollup.objects.filter(indicator_id__in=list(indicator_ids), breakdown="")
    if scopes is not ALL:
        from django.db.models import Q

        qs = qs.filter(Q(scope__isnull=True) | Q(scope_id__in=list(scopes)))
    if periods_wanted is not None:
        qs = qs.filter(period__in=list(periods_wanted))
    return list(qs.values_list("indicator_id", "period", "scope_id", "value", "reporting_partners"))
