"""Roll-ups: each indicator's value per period for every partner subtree and for the initiative.

`refresh` recomputes only the affected cells (indicators × periods) for the affected scopes (the
written partners and their ancestors, plus the collective, scope NULL) with set-based SQL: one
grouped aggregate over the raw observations of the affected cells joined to a small
(partner → scope) map, so the work is one pass whatever the depth of the partner tree.

How a scope's value combines its partners' values (only approved values count when the
initiative reviews data):
- sum, min, max: of the values;
- mean: sum / count (`numerator` holds the sum and `denominator` the count, so it composes);
- ratio: sum of numerators / sum of denominators (× 100 for percent) — never averaged %;
- last: the most recently submitted value;
- cumulative indicators: the running total over periods (of the sums, or of numerators and
  denominators for ratios);
- formulas: evaluated per period and scope from the roll-ups of their inputs.
For indicators with a breakdown dimension each breakdown value has its own row and the row with
breakdown '' aggregates all of them.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from django.db import connection

from . import periods
from .choices import Aggregation, ObservationStatus, ValueType
from .formula import FormulaError
from .formula import parse as parse_formula

Q6 = Decimal("0.000001")
HUNDRED = Decimal(100)
ALL = None  # "every scope" / "every period"

OBS = "measurement_observation"


# Observations of a partner subtree: the small (partner -> scope) map drives the loop and each
# partner's rows are found through the (partner, period) index. CROSS JOIN fixes that order in
# SQLite, whose planner would otherwise scan the map for every observation.
def _scoped() -> str:
    join = "CROSS JOIN" if connection.vendor == "sqlite" else "JOIN"
    return f"m {join} {OBS} o ON o.partner_id = m.pid"


SQL_MIN_CELLS = 8  # from this many (indicator, period) cells on, roll up inside the database
ROLLUP = "measurement_rollup"


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


META_FIELDS = [
    "id",
    "code",
    "aggregation",
    "cumulative",
    "formula",
    "breakdown_dimension",
    "value_type",
    "frequency",
]


def _meta_row(row) -> Meta:
    pk, code, aggregation, cumulative, formula, dimension, value_type, frequency = row
    return Meta(
        pk,
        code,
        aggregation,
        bool(cumulative),
        formula,
        bool(dimension),
        value_type == ValueType.PERCENT,
        frequency,
    )


class Tree:
    """The partner tree of an initiative, from the materialised paths."""

    def __init__(self, rows: Iterable[tuple[int, str]]):
        self.paths = dict(rows)
        self.chains = {
            pid: [int(x) for x in path.strip("/").split("/") if x] or [pid]
            for pid, path in self.paths.items()
        }

    @classmethod
    def load(cls, initiative_id: int) -> Tree:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT id, path FROM core_partner WHERE initiative_id = %s", [initiative_id]
            )
            return cls(cursor.fetchall())

    def ancestors(self, pid: int) -> list[int]:
        """The partner and every partner above it."""
        return self.chains.get(pid, [pid])

    def scopes_of(self, partner_ids: Iterable[int]) -> set[int]:
        scopes: set[int] = set()
        for pid in partner_ids:
            scopes.update(self.ancestors(pid))
        return scopes

    def pairs(self, scopes: set[int] | None) -> list[tuple[int, int]]:
        """(partner, scope) for every partner inside each scope's subtree."""
        out = []
        for pid, chain in self.chains.items():
            for sid in chain:
                if scopes is None or sid in scopes:
                    out.append((pid, sid))
        return out


def _dec(x) -> Decimal | None:
    if x is None:
        return None
    if isinstance(x, Decimal):
        return x
    if isinstance(x, float):
        return Decimal(repr(x))
    return Decimal(x)


def q6(x: Decimal | None) -> Decimal | None:
    if x is None:
        return None
    try:
        return x.quantize(Q6)
    except InvalidOperation:
        return None


def _ratio(num, den, percent: bool) -> Decimal | None:
    if num is None or not den:
        return None
    value = num / den
    return value * HUNDRED if percent else value


def insert_many(cursor, sql: str, rows: list) -> None:
    """Run `INSERT INTO t (columns) VALUES (%s, ...) [ON CONFLICT ...]` for many rows.

    SQLite: executemany (one prepared statement, the fastest there). PostgreSQL: COPY for plain
    inserts; upserts go through executemany, which psycopg pipelines.
    """
    if not rows:
        return
    head, _, tail = sql.partition(" VALUES ")
    upsert = tail[tail.index(")") + 1 :].strip()  # ON CONFLICT ..., if any
    if connection.vendor != "postgresql" or upsert:
        cursor.executemany(sql, rows)
        return
    target = head.strip()[len("INSERT INTO ") :]
    # Django's error wrapping, so a unique violation is an IntegrityError as usual.
    with connection.wrap_database_errors, cursor.cursor.copy(f"COPY {target} FROM STDIN") as copy:
        for row in rows:
            copy.write_row(row)


def _int_list(ids: Iterable[int]) -> str:
    # Integers from our own queries are inlined: no parameter limits on long scope lists.
    return ",".join(str(int(i)) for i in ids) or "NULL"


def _pairs_cte(pairs: list[tuple[int, int]]) -> str:
    values = ",".join(f"({int(p)},{int(s)})" for p, s in pairs)
    return f"WITH m(pid, sid) AS (VALUES {values}) "


def _cells_where(cells: dict[int, set[str] | None], alias: str = "o.") -> tuple[str, list]:
    """WHERE clause for rows of the cells: indicators grouped by identical period sets."""
    groups: dict[frozenset | None, list[int]] = defaultdict(list)
    for ind, pset in cells.items():
        groups[frozenset(pset) if pset is not None else None].append(ind)
    parts, params = [], []
    for pset, inds in groups.items():
        if pset is None:
            parts.append(f"({alias}indicator_id IN ({_int_list(inds)}))")
            continue
        plist = sorted(pset)
        starts = sorted({periods.parse(p).start for p in plist})
        parts.append(
            f"({alias}indicator_id IN ({_int_list(inds)})"
            f" AND {alias}period_start IN ({','.join(['%s'] * len(starts))})"
            f" AND {alias}period IN ({','.join(['%s'] * len(plist))}))"
        )
        params += [connection.ops.adapt_datefield_value(d) for d in starts]
        params += plist
    return "(" + " OR ".join(parts) + ")", params


def _aggregate(cells, pairs, *, by_breakdown: bool, review: bool, collective: bool):
    """Grouped aggregates of the observations in `cells`, per scope (and breakdown)."""
    where, params = _cells_where(cells)
    if review:
        where += " AND o.status = %s"
        params.append(ObservationStatus.APPROVED)
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
    sql = (_pairs_cte(pairs) if pairs else "") + " UNION ALL ".join(parts)
    with connection.cursor() as cursor:
        cursor.execute(sql, all_params)
        return cursor.fetchall()


def _latest_values(cells, pairs, *, review: bool, collective: bool, by_breakdown: bool):
    """For 'last' indicators: the most recently submitted value per scope, period, breakdown."""
    where, params = _cells_where(cells)
    if review:
        where += " AND o.status = %s"
        params.append(ObservationStatus.APPROVED)
    latest: dict[tuple, Decimal | None] = {}
    order = "ORDER BY o.submitted_at, o.id"
    with connection.cursor() as cursor:
        queries = []
        if pairs:
            queries.append(
                _pairs_cte(pairs) + "SELECT m.sid, o.indicator_id, o.period, o.breakdown, o.value "  # noqa: S608
                f"FROM {_scoped()} WHERE {where} {order}"
            )
        if collective:
            queries.append(
                "SELECT NULL, o.indicator_id, o.period, o.breakdown, o.value "  # noqa: S608
                f"FROM {OBS} o WHERE {where} {order}"
            )
        for sql in queries:
            cursor.execute(sql, params)
            for sid, ind, period, bd, value in cursor.fetchall():
                if value is None:
                    continue
                latest[(ind, period, sid, "")] = _dec(value)
                if by_breakdown and bd:
                    latest[(ind, period, sid, bd)] = _dec(value)
    return latest


# A computed cell: (value, numerator, denominator, reporting partners)
Cell = tuple


def _combine(meta: Meta, row) -> Cell:
    count, total, low, high, num, den, partners = row
    total, num, den = _dec(total), _dec(num), _dec(den)
    agg = meta.aggregation
    if agg == Aggregation.RATIO:
        return (_ratio(num, den, meta.percent), num, den, partners)
    if not count:
        return (None, None, None, partners)
    if agg == Aggregation.SUM:
        return (total, None, None, partners)
    if agg == Aggregation.MEAN:
        return (total / count, total, Decimal(count), partners)
    if agg == Aggregation.MIN:
        return (_dec(low), None, None, partners)
    if agg == Aggregation.MAX:
        return (_dec(high), None, None, partners)
    return (None, None, None, partners)  # LAST: filled from _latest_values


def _compute_reported(metas: dict[int, Meta], cells, pairs, review: bool, collective: bool):
    """{(indicator, period, scope, breakdown): Cell} for reported (non-formula) indicators."""
    out: dict[tuple, Cell] = {}
    with_bd = {i for i in cells if metas[i].has_breakdown}
    parts = [(cells, False)]
    if with_bd:
        parts.append(({i: cells[i] for i in with_bd}, True))
    for part_cells, by_bd in parts:
        for row in _aggregate(
            part_cells, pairs, by_breakdown=by_bd, review=review, collective=collective
        ):
            sid, ind, period, bd = row[:4]
            out[(ind, period, sid, bd or "")] = _combine(metas[ind], row[4:])
    last = {i: c for i, c in cells.items() if metas[i].aggregation == Aggregation.LAST}
    if last:
        latest = _latest_values(
            last, pairs, review=review, collective=collective, by_breakdown=bool(with_bd)
        )
        for key, cell in list(out.items()):
            if key[0] in last:
                out[key] = (latest.get(key), None, None, cell[3])
    # Cumulative indicators: running totals over the periods, per scope and breakdown.
    series: dict[tuple, list] = defaultdict(list)
    for key, cell in out.items():
        ind, period, sid, bd = key
        if metas[ind].cumulative:
            series[(ind, sid, bd)].append((periods.parse(period).index, period, cell))
    for (ind, sid, bd), points in series.items():
        meta = metas[ind]
        points.sort()
        run_value = run_num = run_den = Decimal(0)
        for _, period, (value, num, den, partners) in points:
            if meta.aggregation == Aggregation.RATIO:
                run_num += num or 0
                run_den += den or 0
                out[(ind, period, sid, bd)] = (
                    _ratio(run_num, run_den, meta.percent),
                    run_num,
                    run_den,
                    partners,
                )
            else:
                run_value += value or 0
                out[(ind, period, sid, bd)] = (run_value, None, None, partners)
    return out


def _formula_dependents(metas_by_code: dict[str, Meta], changed: set[str]) -> list[Meta]:
    """Formula indicators depending (directly or not) on `changed`, inputs first."""
    formulas = {code: m.formula for code, m in metas_by_code.items() if m.formula}
    if not formulas:
        return []
    from .formula import evaluation_order

    try:
        order = evaluation_order(formulas)
    except FormulaError:
        return []
    dirty = set(changed)
    out = []
    for code in order:
        if parse_formula(formulas[code]).codes & dirty:
            dirty.add(code)
            out.append(metas_by_code[code])
    return out


_COLUMNS = (
    "initiative_id, indicator_id, period, period_start, scope_id, breakdown, value, numerator, "
    "denominator, reporting_partners"
)
_UPDATE = (
    "DO UPDATE SET value = excluded.value, numerator = excluded.numerator, "
    "denominator = excluded.denominator, reporting_partners = excluded.reporting_partners"
)
_INSERT = f"INSERT INTO {ROLLUP} ({_COLUMNS}) VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s)"  # noqa: S608
# The two partial unique indexes of Rollup are the conflict targets of the upserts.
_UPSERT_COLLECTIVE = (
    f"{_INSERT} ON CONFLICT (indicator_id, period, breakdown) WHERE scope_id IS NULL {_UPDATE}"
)
_UPSERT_SCOPED = (
    f"{_INSERT} ON CONFLICT (indicator_id, period, scope_id, breakdown) "
    f"WHERE scope_id IS NOT NULL {_UPDATE}"
)


def _aggregate_in_sql(initiative_id, metas, cells, pairs, review, scope_ids, *, shrink):
    """Compute and store the roll-ups of sums, means, minima, maxima and ratios in the database:
    INSERT ... SELECT ... GROUP BY, upserting on the partial unique indexes (or, when values
    may have gone, after deleting the affected rows). Nothing passes through Python."""
    if shrink:
        _write(initiative_id, [(cells, None)], scope_ids, {}, shrink=True)
    where, params = _cells_where(cells)
    if review:
        where += " AND o.status = %s"
        params.append(ObservationStatus.APPROVED)
    kinds = ",".join(
        f"({int(i)}, '{metas[i].aggregation}', {'100.0' if metas[i].percent else '1.0'})"
        for i in cells
    )
    value = (
        "CASE k.agg WHEN 'sum' THEN SUM(o.value) WHEN 'mean' THEN AVG(o.value) "
        "WHEN 'min' THEN MIN(o.value) WHEN 'max' THEN MAX(o.value) "
        "WHEN 'ratio' THEN CASE WHEN SUM(o.denominator) > 0 "
        "THEN SUM(o.numerator) * k.factor / SUM(o.denominator) END END, "
        "CASE k.agg WHEN 'ratio' THEN SUM(o.numerator) WHEN 'mean' THEN SUM(o.value) END, "
        "CASE k.agg WHEN 'ratio' THEN SUM(o.denominator) WHEN 'mean' THEN COUNT(o.value) END, "
        "COUNT(DISTINCT o.partner_id)"
    )
    with_bd = [i for i in cells if metas[i].has_breakdown]
    variants = [(cells, False)]
    if with_bd:
        variants.append(({i: cells[i] for i in with_bd}, True))
    statements = []
    for variant_cells, by_bd in variants:
        v_where, v_params = (
            (where, params) if variant_cells is cells else _where_for(variant_cells, review)
        )
        bd = "o.breakdown" if by_bd else "''"
        group_bd = ", o.breakdown" if by_bd else ""
        if pairs:
            statements.append(
                (
                    f"{_pairs_cte(pairs)}, k(kid, agg, factor) AS (VALUES {kinds}) "  # noqa: S608
                    f"INSERT INTO {ROLLUP} ({_COLUMNS}) "
                    f"SELECT {int(initiative_id)}, o.indicator_id, o.period, MIN(o.period_start), "
                    f"m.sid, {bd}, {value} "
                    f"FROM {_scoped()} JOIN k ON k.kid = o.indicator_id "
                    f"WHERE {v_where} GROUP BY o.indicator_id, o.period, m.sid{group_bd}, k.agg, "
                    "k.factor"
                    + (
                        ""
                        if shrink
                        else " ON CONFLICT (indicator_id, period, scope_id, breakdown) "
                        f"WHERE scope_id IS NOT NULL {_UPDATE}"
                    ),
                    v_params,
                )
            )
        statements.append(
            (
                f"WITH k(kid, agg, factor) AS (VALUES {kinds}) "  # noqa: S608
                f"INSERT INTO {ROLLUP} ({_COLUMNS}) "
                f"SELECT {int(initiative_id)}, o.indicator_id, o.period, MIN(o.period_start), "
                f"NULL, {bd}, {value} "
                f"FROM {OBS} o JOIN k ON k.kid = o.indicator_id "
                f"WHERE {v_where} GROUP BY o.indicator_id, o.period{group_bd}, k.agg, k.factor"
                + (
                    ""
                    if shrink
                    else " ON CONFLICT (indicator_id, period, breakdown) "
                    f"WHERE scope_id IS NULL {_UPDATE}"
                ),
                v_params,
            )
        )
    with connection.cursor() as cursor:
        for sql, sql_params in statements:
            cursor.execute(sql, sql_params)


def _first_start(cells: dict) -> datetime.date:
    """The start of the earliest changed period (running totals move from there on)."""
    firsts = [
        min(periods.parse(p).start for p in pset) if pset else None for pset in cells.values()
    ]
    if any(f is None for f in firsts):
        return periods.parse("1900").start
    return min(firsts)


def _variants(metas, cells, review):
    """(cells, by breakdown?, where, params) for the total rows and the breakdown rows."""
    with_bd = {i: cells[i] for i in cells if metas[i].has_breakdown}
    out = [(cells, False, *_where_for(cells, review))]
    if with_bd:
        out.append((with_bd, True, *_where_for(with_bd, review)))
    return out


def _conflict(collective: bool) -> str:
    if collective:
        return f" ON CONFLICT (indicator_id, period, breakdown) WHERE scope_id IS NULL {_UPDATE}"
    return (
        " ON CONFLICT (indicator_id, period, scope_id, breakdown) WHERE scope_id IS NOT NULL "
        f"{_UPDATE}"
    )


def _running_totals_in_sql(initiative_id, cells, metas, pairs, review, scope_ids, *, shrink):
    """Cumulative indicators: per-period sums, then running totals with a window function,
    stored from the first changed period on."""
    since = _first_start(cells)
    all_periods = dict.fromkeys(cells, None)
    if shrink:
        _write(initiative_id, [(all_periods, since)], scope_ids, {}, shrink=True)
    kinds = ",".join(
        f"({int(i)}, '{metas[i].aggregation}', {'100.0' if metas[i].percent else '1.0'})"
        for i in cells
    )
    statements = []
    for _cells, by_bd, where, params in _variants(metas, all_periods, review):
        bd = "o.breakdown" if by_bd else "''"
        group_bd = ", o.breakdown" if by_bd else ""
        for collective in ([False] if pairs else []) + [True]:
            sid = "CAST(NULL AS BIGINT)" if collective else "m.sid"
            source = f"{OBS} o" if collective else _scoped()
            group_sid = "" if collective else ", m.sid"
            head = "WITH " if collective else _pairs_cte(pairs) + ", "
            statements.append(
                (
                    f"{head}k(kid, agg, factor) AS (VALUES {kinds}), "  # noqa: S608
                    f"g AS (SELECT o.indicator_id AS ind, o.period AS period, "
                    f"MIN(o.period_start) AS ps, {sid} AS sid, {bd} AS bd, SUM(o.value) AS v, "
                    "SUM(o.numerator) AS n, SUM(o.denominator) AS d, "
                    f"COUNT(DISTINCT o.partner_id) AS c FROM {source} WHERE {where} "
                    f"GROUP BY o.indicator_id, o.period{group_sid}{group_bd}), "
                    "r AS (SELECT ind, period, ps, sid, bd, c, SUM(v) OVER w AS rv, "
                    "SUM(n) OVER w AS rn, SUM(d) OVER w AS rd FROM g "
                    "WINDOW w AS (PARTITION BY ind, sid, bd ORDER BY ps ROWS UNBOUNDED PRECEDING)) "
                    f"INSERT INTO {ROLLUP} ({_COLUMNS}) SELECT {int(initiative_id)}, r.ind, "
                    "r.period, r.ps, r.sid, r.bd, CASE WHEN k.agg = 'ratio' THEN CASE WHEN "
                    "r.rd > 0 THEN r.rn * k.factor / r.rd END ELSE r.rv END, "
                    "CASE WHEN k.agg = 'ratio' THEN r.rn END, "
                    "CASE WHEN k.agg = 'ratio' THEN r.rd END, r.c "
                    "FROM r JOIN k ON k.kid = r.ind WHERE r.ps >= %s"
                    + ("" if shrink else _conflict(collective)),
                    [*params, connection.ops.adapt_datefield_value(since)],
                )
            )
    with connection.cursor() as cursor:
        for sql, sql_params in statements:
            cursor.execute(sql, sql_params)


def _latest_in_sql(initiative_id, cells, metas, pairs, review, scope_ids, *, shrink):
    """'Last' indicators: the most recently submitted value of each cell, chosen with a window
    function, with the count of reporting partners."""
    if shrink:
        _write(initiative_id, [(cells, None)], scope_ids, {}, shrink=True)
    statements = []
    for _cells, by_bd, where, params in _variants(metas, cells, review):
        bd = "o.breakdown" if by_bd else "''"
        part_bd = ", o.breakdown" if by_bd else ""
        for collective in ([False] if pairs else []) + [True]:
            sid = "CAST(NULL AS BIGINT)" if collective else "m.sid"
            source = f"{OBS} o" if collective else _scoped()
            part_sid = "" if collective else "m.sid, "
            head = "WITH " if collective else _pairs_cte(pairs) + ", "
            on_sid = "" if collective else "x.sid = g.sid AND "
            group_sid = "" if collective else "sid, "
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
                    f"INSERT INTO {ROLLUP} ({_COLUMNS}) SELECT {int(initiative_id)}, g.ind, "
                    f"g.period, g.ps, {'NULL' if collective else 'g.sid'}, g.bd, x.v, NULL, "
                    f"NULL, g.c FROM g JOIN x ON {on_sid}x.ind = g.ind AND x.period = g.period "
                    "AND x.bd = g.bd AND x.rn = 1 WHERE 1 = 1"
                    + ("" if shrink else _conflict(collective)),
                    params,
                )
            )
    with connection.cursor() as cursor:
        for sql, sql_params in statements:
            cursor.execute(sql, sql_params)


def _where_for(cells, review):
    where, params = _cells_where(cells)
    if review:
        where += " AND o.status = %s"
        params.append(ObservationStatus.APPROVED)
    return where, params


def _write(initiative_id, cells_by_kind, scope_ids, computed, *, shrink: bool):
    """Store `computed` for the affected cells and scopes.

    When values were only added or changed (`shrink` false) every existing row still has data,
    so the rows are upserted. When values may have gone (a deletion, a review, a rebuild) the
    rows of the affected cells and scopes are deleted first, then inserted.
    """
    with connection.cursor() as cursor:
        if shrink:
            scope_filters = ["scope_id IS NULL"]
            if scope_ids is ALL:
                scope_filters = ["1 = 1"]
            elif scope_ids:
                scope_filters.append(f"scope_id IN ({_int_list(scope_ids)})")
            for cells, since in cells_by_kind:
                if not cells:
                    continue
                if since is not None:
                    # Cumulative: every period from the first changed one on moves.
                    where = f"indicator_id IN ({_int_list(cells)}) AND period_start >= %s"
                    params = [connection.ops.adapt_datefield_value(since)]
                else:
                    where, params = _cells_where(cells, alias="")
                for scope_filter in scope_filters:
                    cursor.execute(
                        f"DELETE FROM {ROLLUP} WHERE {where} AND {scope_filter}",  # noqa: S608
                        params,
                    )
        adapt = connection.ops.adapt_datefield_value
        collective, scoped = [], []
        for (ind, period, sid, bd), (value, num, den, partners) in computed.items():
            row = (
                initiative_id, ind, period, adapt(periods.parse(period).start), sid, bd,
                q6(value), q6(num), q6(den), partners or 0,
            )  # fmt: skip
            (collective if sid is None else scoped).append(row)
        if shrink:
            if collective or scoped:
                insert_many(cursor, _INSERT, collective + scoped)
            return
        if collective:
            insert_many(cursor, _UPSERT_COLLECTIVE, collective)
        if scoped:
            insert_many(cursor, _UPSERT_SCOPED, scoped)


def _load_metas(initiative_id: int, indicator_ids: Iterable[int] | None) -> dict[int, Meta]:
    """The written indicators and every formula indicator (which may depend on them)."""
    sql = f"SELECT {', '.join(META_FIELDS)} FROM measurement_indicator WHERE initiative_id = %s"  # noqa: S608
    params: list = [initiative_id]
    if indicator_ids is not None:
        sql += f" AND (id IN ({_int_list(indicator_ids)}) OR formula <> '')"
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return {row[0]: _meta_row(row) for row in cursor.fetchall()}


def refresh(
    initiative,
    cells: dict[int, set[str] | None],
    partner_ids: set[int] | None = ALL,
    *,
    tree: Tree | None = None,
    shrink: bool = False,
) -> set[tuple[int, int | None]]:
    """Recompute the roll-ups of `cells` ({indicator id: periods, or None for all periods}).

    `partner_ids`: the partners whose data changed (their ancestors are the affected scopes);
    ALL recomputes every scope. `shrink`: values may have been removed (see `_write`).
    Returns the (indicator id, scope id) pairs that changed, so the caller can refresh their
    status.
    """
    if not cells:
        return set()
    tree = tree or Tree.load(initiative.pk)
    metas = _load_metas(initiative.pk, cells.keys())
    cells = {i: p for i, p in cells.items() if i in metas}
    review = initiative.review_observations
    scopes = set(tree.paths) if partner_ids is ALL else tree.scopes_of(partner_ids)
    pairs = tree.pairs(None if partner_ids is ALL else scopes)

    reported = {i: p for i, p in cells.items() if not metas[i].formula}
    # Sums, means, minima, maxima and ratios are computed and stored by the database in one
    # statement per kind of row; 'last' and running totals pass through Python.
    # A handful of cells (one value written) is cheaper through Python than through the
    # heavier INSERT ... SELECT; both give the same rows (the tests run both).
    bulk = sum(len(p) if p is not None else SQL_MIN_CELLS for p in reported.values())
    use_sql = bulk >= SQL_MIN_CELLS
    in_sql = {
        i: p
        for i, p in reported.items()
        if use_sql and not metas[i].cumulative and metas[i].aggregation != Aggregation.LAST
    }
    last_sql = {
        i: p
        for i, p in reported.items()
        if use_sql and not metas[i].cumulative and metas[i].aggregation == Aggregation.LAST
    }
    plain = {
        i: p
        for i, p in reported.items()
        if not metas[i].cumulative and i not in in_sql and i not in last_sql
    }
    cumulative = {i: p for i, p in reported.items() if metas[i].cumulative}
    scope_ids = ALL if partner_ids is ALL else scopes
    if in_sql:
        _aggregate_in_sql(initiative.pk, metas, in_sql, pairs, review, scope_ids, shrink=shrink)
    if last_sql:
        _latest_in_sql(initiative.pk, last_sql, metas, pairs, review, scope_ids, shrink=shrink)
    if cumulative and use_sql:
        _running_totals_in_sql(
            initiative.pk, cumulative, metas, pairs, review, scope_ids, shrink=shrink
        )
        cumulative = {}
    computed: dict[tuple, Cell] = {}
    writes = []
    if plain:
        computed.update(_compute_reported(metas, plain, pairs, review, collective=True))
        writes.append((plain, None))
    if cumulative:
        # Running totals need every period; rows from the first changed period on are rewritten.
        firsts = [
            min(periods.parse(p).start for p in pset) if pset else None
            for pset in cumulative.values()
        ]
        since = None if any(f is None for f in firsts) else min(firsts)
        all_periods = dict.fromkeys(cumulative, None)
        done = _compute_reported(metas, all_periods, pairs, review, collective=True)
        since_key = since
        for key, cell in done.items():
            if since_key is None or periods.parse(key[1]).start >= since_key:
                computed[key] = cell
        writes.append((all_periods, since or periods.parse("1900").start))
    _write(initiative.pk, writes, ALL if partner_ids is ALL else scopes, computed, shrink=shrink)
    affected_scopes: list[int | None] = [None, *sorted(scopes)]
    changed = {(ind, sid) for (ind, _p, sid, _b) in computed}
    changed |= {(ind, sid) for ind in reported for sid in affected_scopes}

    # Formula indicators that depend on what changed, in dependency order.
    by_code = {m.code: m for m in metas.values()}
    dependents = _formula_dependents(by_code, {metas[i].code for i in cells})
    formula_cells = {i: p for i, p in cells.items() if metas[i].formula}
    for meta in dependents:
        formula_cells.setdefault(meta.id, set())
    if formula_cells:
        changed |= _refresh_formulas(
            initiative, metas, formula_cells, cells, affected_scopes, scopes, partner_ids
        )
    return changed


def _refresh_formulas(initiative, metas, formula_cells, cells, affected_scopes, scopes, pids):
    from .models import Indicator, Rollup

    by_code = {m.code: m for m in metas.values()}
    needed = set()
    for ind in formula_cells:
        needed |= parse_formula(metas[ind].formula).codes
    missing = needed - set(by_code)
    if missing:
        for row in Indicator.objects.filter(
            initiative_id=initiative.pk, code__in=missing
        ).values_list(*META_FIELDS):
            meta = _meta_row(row)
            metas[meta.id] = meta
            by_code[meta.code] = meta
    # The periods to evaluate: those written for any input (all periods when unknown).
    wanted: set[str] | None = set()
    for pset in cells.values():
        if pset is None:
            wanted = None
            break
        wanted |= pset
    if any(metas[i].cumulative for i in cells if not metas[i].formula):
        wanted = None
    changed = set()
    from .formula import evaluation_order

    try:
        order = evaluation_order({c: m.formula for c, m in by_code.items() if m.formula})
    except FormulaError:
        return changed
    for ind in [by_code[c].id for c in order if by_code[c].id in formula_cells]:
        meta = metas[ind]
        formula = parse_formula(meta.formula)
        inputs = {by_code[c].id: c for c in formula.codes if c in by_code}
        qs = Rollup.objects.filter(indicator_id__in=list(inputs), breakdown="")
        if pids is not ALL:
            from django.db.models import Q

            qs = qs.filter(Q(scope__isnull=True) | Q(scope_id__in=list(scopes)))
        if wanted is not None:
            qs = qs.filter(period__in=list(wanted))
        values: dict[tuple, dict[str, Decimal | None]] = defaultdict(dict)
        partners: dict[tuple, int] = defaultdict(int)
        for ind_id, period, sid, value, n in qs.values_list(
            "indicator_id", "period", "scope_id", "value", "reporting_partners"
        ):
            values[(period, sid)][inputs[ind_id]] = value
            partners[(period, sid)] = max(partners[(period, sid)], n)
        computed = {}
        for (period, sid), vals in values.items():
            value = formula.evaluate(vals)
            if value is not None and abs(value) < Decimal(10) ** 17:
                computed[(ind, period, sid, "")] = (value, None, None, partners[(period, sid)])
        write_cells = {ind: (None if wanted is None else set(wanted))}
        # A formula's value disappears when an input does, so formula cells are replaced.
        _write(
            initiative.pk,
            [(write_cells, None)],
            ALL if pids is ALL else scopes,
            computed,
            shrink=True,
        )
        changed |= {(ind, sid) for sid in affected_scopes}
        if pids is ALL:
            changed |= {(ind, key[1]) for key in values}
    return changed


def rebuild(initiative, indicator_ids: Iterable[int] | None = None) -> set[tuple]:
    """Recompute every roll-up of the initiative (or of some indicators) from scratch."""
    from .models import Indicator, Rollup

    qs = Indicator.objects.filter(initiative=initiative)
    if indicator_ids is not None:
        qs = qs.filter(id__in=list(indicator_ids))
    ids = list(qs.values_list("id", flat=True))
    if not ids:
        return set()
    Rollup.objects.filter(indicator_id__in=ids).delete()
    return refresh(initiative, dict.fromkeys(ids, None), ALL)


# --- One value written: roll-ups by difference ------------------------------------------------
#
# Writing one value changes one cell (indicator × period, plus its breakdown value) in the scopes
# of one partner chain. Rather than re-aggregating the cell for every scope, `apply_change`
# reads the stored rows of the chain and moves them by the difference the value makes: sums and
# ratios add the change to their sums (and numerators and denominators), means to their sum and
# count, running totals to this and every later period of the scope; minima and maxima move when
# the new value extends them, 'last' becomes the new value when it is the latest submitted. The
# count of reporting partners follows whether the partner counted before and counts now. Cases
# the difference cannot settle (the minimum or the latest value withdrawn, rows that do not
# match) return None and the caller recomputes the cell with `refresh`, so the stored rows are
# always those a full recomputation gives (the tests compare both).


@dataclass(frozen=True, slots=True)
class Change:
    """One observation written, as the roll-ups see it.

    `old` and `new`: (value, numerator, denominator) of the observation before and after the
    write, or None when it did not count (it did not exist, or was not approved in an initiative
    that reviews data) or does not count any more."""

    indicator: int
    partner: int
    chain: tuple[int, ...]  # the partner and every partner above it
    period: str
    period_start: datetime.date
    breakdown: str
    observation: int
    submitted_at: object  # as the database adapts it
    old: tuple | None
    new: tuple | None


@dataclass(slots=True)
class _Row:
    id: int | None  # None: a new row
    period: str
    value: Decimal | None
    numerator: Decimal | None
    denominator: Decimal | None
    partners: int
    dirty: bool = False


@dataclass(slots=True)
class Moved:
    """The outcome of `apply_change`, for `status.refresh_series`."""

    series: dict  # {scope id or None: {period: value as stored}}, the '' rows after the change
    targets: list  # (partner id or None, period, value)
    status_ids: dict  # {scope id or None: IndicatorStatus id} of the rows that exist
    pending: list  # the roll-up writes (Statement), sent with the statuses' (`run`)


class NotByDifference(Exception):
    """The change cannot be applied by difference: recompute the cell instead."""


@dataclass(slots=True)
class _Read:
    """What a single write reads before moving the roll-ups (see `_read`)."""

    rows: list  # (id, scope, breakdown, period, value, numerator, denominator, partners)
    series: list  # (scope, period, value) of the '' rows of the chain, every period
    targets: list  # (partner or None, period, value)
    status_ids: dict  # {scope id or None: IndicatorStatus id}
    other: bool  # the partner has other counted values in the cell (other breakdown values)
    last_ok: bool  # no value of the cell was submitted after this one


_ROW_COLUMNS = "id, scope_id, breakdown, period, value, numerator, denominator, reporting_partners"


def _read(meta: Meta, change: Change, review: bool) -> _Read:
    """Read what the change moves and what the statuses judge, in few round trips.

    PostgreSQL: the rows that move and then the chain's status rows are locked (in id order),
    so concurrent writers of the indicator wait for each other instead of moving the sums from
    a stale reading or judging a stale series; then one query reads the series, the targets and
    the checks (which, run after the locks, see what earlier writers committed). SQLite: writers
    are serialised by the write lock (BEGIN IMMEDIATE), so everything is one query."""
    pg = connection.vendor == "postgresql"
    chain = _int_list(change.chain)
    in_chain = f"(scope_id IS NULL OR scope_id IN ({chain}))"
    # The rows that move: the cell ('' and the breakdown value) in every scope of the chain;
    # for running totals every period (later ones move, an earlier one starts a new period).
    moving = f"indicator_id = %s AND {in_chain} AND breakdown IN ('', %s)"
    moving_params: list = [change.indicator, change.breakdown]
    if not meta.cumulative:
        moving += " AND period = %s"
        moving_params.append(change.period)
    parts: list[str] = []
    params: list = []
    out = _Read([], [], [], {}, False, True)
    with connection.cursor() as cursor:
        lock: tuple[str, list] | None = None
        if pg:
            # Sent with the reading below (one round trip, two statements): the roll-ups are
            # locked first, then the statuses (like the bulk path's writes), so no two writers
            # wait for each other crosswise; the reading, a statement of its own, sees what
            # writers that held the locks before committed.
            lock = (
                f"WITH r AS (SELECT {_ROW_COLUMNS} FROM {ROLLUP} WHERE {moving} "  # noqa: S608
                "ORDER BY id FOR UPDATE), s AS (SELECT id, scope_id FROM "
                f"measurement_indicatorstatus WHERE indicator_id = %s AND {in_chain} "
                "ORDER BY id FOR UPDATE) SELECT 'r', r.* FROM r UNION ALL "
                "SELECT 'i', s.id, s.scope_id, '', '', NULL, NULL, NULL, NULL FROM s",
                [*moving_params, change.indicator],
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
                f"FROM measurement_indicatorstatus WHERE indicator_id = %s AND {in_chain}"
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
            "FROM measurement_target WHERE indicator_id = %s AND "
            f"(partner_id IS NULL OR partner_id IN ({chain}))"
        )
        params.append(change.indicator)
        if change.breakdown or meta.has_breakdown:
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
        if meta.aggregation == Aggregation.LAST and change.new is not None:
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
        reading = " UNION ALL ".join(parts)
        if lock is None:
            cursor.execute(reading, params)
            found = cursor.fetchall()
        else:
            cursor.execute(f"{lock[0]}; {reading}", [*lock[1], *params])
            found = cursor.fetchall()
            cursor.nextset()
            found += cursor.fetchall()
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


def _moved(meta: Meta, row: _Row | None, change: Change, partners: int, last_ok: bool):
    """(value, numerator, denominator) of a non-cumulative cell after the change."""
    old, new = change.old, change.new
    agg = meta.aggregation
    if agg == Aggregation.RATIO:
        num = (row.numerator if row else Decimal(0)) or Decimal(0)
        den = (row.denominator if row else Decimal(0)) or Decimal(0)
        if row is not None and (row.numerator is None or row.denominator is None):
            raise NotByDifference
        if old:
            num, den = num - old[1], den - old[2]
        if new:
            num, den = num + new[1], den + new[2]
        return _ratio(num, den, meta.percent), num, den
    if row is not None and row.value is None:
        raise NotByDifference
    if agg == Aggregation.SUM:
        total = row.value if row else Decimal(0)
        if old:
            total -= old[0]
        if new:
            total += new[0]
        return total, None, None
    if agg == Aggregation.MEAN:
        if row is not None and (row.numerator is None or row.denominator is None):
            raise NotByDifference
        total = row.numerator if row else Decimal(0)
        count = row.denominator if row else Decimal(0)
        if old:
            total, count = total - old[0], count - 1
        if new:
            total, count = total + new[0], count + 1
        if count <= 0:
            raise NotByDifference
        return total / count, total, count
    if agg in (Aggregation.MIN, Aggregation.MAX):
        pick = min if agg == Aggregation.MIN else max
        current = row.value if row else None
        if old and current is not None and old[0] == current:
            # The withdrawn value was the extreme: only a value at least as extreme replaces it.
            if new and pick(new[0], old[0]) == new[0]:
                return new[0], None, None
            raise NotByDifference
        if not new:
            return current, None, None
        return (new[0] if current is None else pick(current, new[0])), None, None
    if agg == Aggregation.LAST:
        if new and last_ok:
            return new[0], None, None
        raise NotByDifference
    raise NotByDifference


def apply_change(initiative, meta: Meta, change: Change):
    """Move the stored roll-ups of the chain's scopes by one written value.

    Returns what `status.refresh_series` judges (the '' series of every scope of the chain
    after the change, the targets, the ids of the status rows) and the roll-up writes, still to
    run (`refresh_series` sends them with its own); or None when the change cannot be applied
    by difference (nothing is written then: recompute with `refresh`). Formula indicators are
    left to the caller."""
    for values in (change.old, change.new):
        needed = values and (values[1:] if meta.aggregation == Aggregation.RATIO else values[:1])
        if needed and any(v is None for v in needed):
            return None  # a value without the figures its kind needs: recompute
    read = _read(meta, change, initiative.review_observations)
    other, last_ok = read.other, read.last_ok
    rows: dict[tuple, _Row] = {}
    for rid, sid, bd, period, value, num, den, partners in read.rows:
        rows[(sid, bd, period)] = _Row(rid, period, _dec(value), _dec(num), _dec(den), partners)
    series: dict[int | None, dict[str, object]] = {sid: {} for sid in (None, *change.chain)}
    for sid, period, value in read.series:
        if sid in series:
            series[sid][period] = value
    old, new = change.old, change.new
    breakdowns = ["", change.breakdown] if change.breakdown else [""]
    inserts, updates, deletes = [], [], []
    try:
        for sid in (None, *change.chain):
            for bd in breakdowns:
                # The partner counts in the cell once, however many breakdown values it reports.
                alone = not (bd == "" and other)
                partners_delta = (1 if new and alone else 0) - (1 if old and alone else 0)
                row = rows.get((sid, bd, change.period))
                partners = (row.partners if row else 0) + partners_delta
                if (
                    partners < 0
                    or (row is None and old)
                    or (row is not None and partners == 0 and new)
                ):
                    raise NotByDifference
                if meta.cumulative:
                    moved = _move_running(meta, rows, sid, bd, change, row, partners)
                else:
                    moved = []
                    if partners == 0:
                        if row is not None:
                            deletes.append(row.id)
                            row.value = None
                    else:
                        value, num, den = _moved(meta, row, change, partners, last_ok)
                        if row is None:
                            row = _Row(None, change.period, value, num, den, partners)
                            rows[(sid, bd, change.period)] = row
                        else:
                            row.value, row.numerator, row.denominator = value, num, den
                            row.partners = partners
                        moved.append(row)
                for r in moved:
                    if r.partners == 0:
                        continue
                    (updates if r.id is not None else inserts).append((sid, bd, r))
                if meta.cumulative and partners == 0 and row is not None:
                    deletes.append(row.id)
                if bd == "":
                    scope_series = series[sid]
                    if partners == 0:
                        scope_series.pop(change.period, None)
                    for r in moved:
                        if r.partners:
                            scope_series[r.period] = _as_stored(q6(r.value))
    except NotByDifference:
        return None
    pending = _moved_statements(initiative.pk, change, inserts, updates, deletes)
    return Moved(series, read.targets, read.status_ids, pending)


def _move_running(meta, rows, sid, bd, change, row, partners) -> list[_Row]:
    """Running totals: the cell's own row and every later row of the scope move."""
    old, new = change.old, change.new
    ratio = meta.aggregation == Aggregation.RATIO
    if meta.aggregation not in (Aggregation.SUM, Aggregation.RATIO):
        raise NotByDifference
    d_num = d_den = d_value = Decimal(0)
    if ratio:
        if old:
            d_num, d_den = d_num - old[1], d_den - old[2]
        if new:
            d_num, d_den = d_num + new[1], d_den + new[2]
    else:
        if old:
            d_value -= old[0]
        if new:
            d_value += new[0]
    scope_rows = sorted(
        (r for (s, b, _p), r in rows.items() if s == sid and b == bd and r.id is not None),
        key=lambda r: periods.parse(r.period).index,
    )
    index = periods.parse(change.period).index
    moved = []
    if row is None:
        # A new period in this scope: it starts from the running total of the one before.
        before = [r for r in scope_rows if periods.parse(r.period).index < index]
        if before:
            prev = before[-1]
            if ratio and (prev.numerator is None or prev.denominator is None):
                raise NotByDifference
            run_value = prev.value if not ratio else None
            if not ratio and run_value is None:
                raise NotByDifference
            run_num, run_den = prev.numerator, prev.denominator
        else:
            run_value, run_num, run_den = Decimal(0), Decimal(0), Decimal(0)
        if ratio:
            num, den = run_num + d_num, run_den + d_den
            row = _Row(None, change.period, _ratio(num, den, meta.percent), num, den, 0)
        else:
            row = _Row(None, change.period, run_value + d_value, None, None, 0)
        rows[(sid, bd, change.period)] = row
        row.partners = partners
        moved.append(row)
    else:
        row.partners = partners
        if partners:
            _shift(row, meta, ratio, d_value, d_num, d_den)
            moved.append(row)
    for r in scope_rows:
        if periods.parse(r.period).index > index:
            _shift(r, meta, ratio, d_value, d_num, d_den)
            moved.append(r)
    return moved


def _shift(row: _Row, meta: Meta, ratio: bool, d_value, d_num, d_den) -> None:
    if ratio:
        if row.numerator is None or row.denominator is None:
            raise NotByDifference
        row.numerator += d_num
        row.denominator += d_den
        row.value = _ratio(row.numerator, row.denominator, meta.percent)
    else:
        if row.value is None:
            raise NotByDifference
        row.value += d_value


def _as_stored(value: Decimal | None):
    """A value as the database returns it (floats on SQLite), so statuses judge the same."""
    if value is None or connection.vendor != "sqlite":
        return value
    return float(value)


# Statements of a single write: (sql, params, many). `run` sends them in one round trip on
# PostgreSQL (Django's psycopg cursors bind parameters client-side, so several statements can
# go in one execute); on SQLite, where a statement costs no round trip, one by one.
Statement = tuple[str, list, bool]


def run(statements: list[Statement]) -> None:
    if not statements:
        return
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "; ".join(sql for sql, _, _ in statements),
                [x for _, params, _ in statements for x in params],
            )
            return
        for sql, params, many in statements:
            (cursor.executemany if many else cursor.execute)(sql, params)


def update_by_id(table: str, columns: list[tuple[str, str]], rows: list[tuple]) -> list[Statement]:
    """UPDATE rows of `table` by id: `columns` are (name, PostgreSQL type) and every row is
    (*values, id). SQLite: executemany of one prepared statement. PostgreSQL: one statement
    joining a VALUES list (psycopg's executemany costs a pipeline round per call)."""
    if not rows:
        return []
    names = [name for name, _ in columns]
    if connection.vendor != "postgresql":
        sets = ", ".join(f"{name} = %s" for name in names)
        return [(f"UPDATE {table} SET {sets} WHERE id = %s", rows, True)]  # noqa: S608
    one = "(" + ", ".join(f"%s::{kind}" for _, kind in columns) + ", %s::bigint)"
    sets = ", ".join(f"{name} = v.{name}" for name in names)
    sql = (
        f"UPDATE {table} AS t SET {sets} FROM (VALUES {', '.join([one] * len(rows))}) "  # noqa: S608
        f"AS v({', '.join(names)}, id) WHERE t.id = v.id"
    )
    return [(sql, [x for row in rows for x in row], False)]


def insert_rows(sql: str, rows: list[tuple]) -> list[Statement]:
    """A plain `INSERT ... VALUES (%s, ...)` of a few rows as one statement."""
    if not rows:
        return []
    head, _, one = sql.partition(" VALUES ")
    return [(f"{head} VALUES {', '.join([one] * len(rows))}", [x for r in rows for x in r], False)]


_ROLLUP_SETS = [
    ("value", "numeric"),
    ("numerator", "numeric"),
    ("denominator", "numeric"),
    ("reporting_partners", "integer"),
]


def _moved_statements(initiative_id, change: Change, inserts, updates, deletes):
    adapt = connection.ops.adapt_datefield_value
    statements: list[Statement] = []
    if deletes:
        statements.append((f"DELETE FROM {ROLLUP} WHERE id IN ({_int_list(deletes)})", [], False))  # noqa: S608
    statements += update_by_id(
        ROLLUP,
        _ROLLUP_SETS,
        [
            (q6(r.value), q6(r.numerator), q6(r.denominator), r.partners, r.id)
            for _sid, _bd, r in updates
        ],
    )
    statements += insert_rows(
        _INSERT,
        [
            (
                initiative_id, change.indicator, r.period,
                adapt(periods.parse(r.period).start), sid, bd, q6(r.value),
                q6(r.numerator), q6(r.denominator), r.partners,
            )
            for sid, bd, r in inserts
        ],
    )  # fmt: skip
    return statements
