"""Roll-ups: each indicator's value per period for every partner subtree and for the initiative.

`refresh` recomputes only the affected cells (indicators × periods) for the affected scopes (the
written partners and their ancestors, plus the collective, scope NULL): in the database with
set-based `INSERT … SELECT` when many cells changed, through Python for a handful (both give the
same rows; the tests run both). Either way it is one grouped pass over the raw observations of
the cells joined to a small (partner → scope) map, whatever the depth of the partner tree.

How a scope's value combines its partners' values (only approved values count when the
initiative reviews data):
- sum, min, max: of the values;
- mean: sum / count (`numerator` holds the sum and `denominator` the count, so it composes);
- ratio: sum of numerators / sum of denominators (× 100 for percent) — never averaged %;
- last: the most recently submitted value;
- cumulative indicators: the running total over periods (of the sums, or of numerators and
  denominators for ratios);
- formulas: evaluated per period and scope from the roll-ups of their inputs (`formulas`).
For indicators with a breakdown dimension each breakdown value has its own row and the row with
breakdown '' aggregates all of them.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Iterable
from decimal import Decimal

from .. import periods
from ..choices import Aggregation
from ..models import Indicator, Rollup
from ..store import rollups as store
from ..store.rollups import ALL, Meta
from . import formulas
from .cells import Cell, Tree, dec, ratio, write

SQL_MIN_CELLS = 8  # from this many (indicator, period) cells on, roll up inside the database

__all__ = ["ALL", "SQL_MIN_CELLS", "Meta", "Tree", "rebuild", "refresh"]


def _combine(meta: Meta, row) -> Cell:
    count, total, low, high, num, den, partners = row
    total, num, den = dec(total), dec(num), dec(den)
    agg = meta.aggregation
    if agg == Aggregation.RATIO:
        return (ratio(num, den, meta.percent), num, den, partners)
    if not count:
        return (None, None, None, partners)
    if agg == Aggregation.SUM:
        return (total, None, None, partners)
    if agg == Aggregation.MEAN:
        return (total / count, total, Decimal(count), partners)
    if agg == Aggregation.MIN:
        return (dec(low), None, None, partners)
    if agg == Aggregation.MAX:
        return (dec(high), None, None, partners)
    return (None, None, None, partners)  # LAST: filled from the latest values


def _latest_values(cells, pairs, *, review: bool, collective: bool, by_breakdown: bool):
    """For 'last' indicators: the most recently submitted value per scope, period, breakdown."""
    latest: dict[tuple, Decimal | None] = {}
    for sid, ind, period, bd, value in store.latest_rows(
        cells, pairs, review=review, collective=collective
    ):
        if value is None:
            continue
        latest[(ind, period, sid, "")] = dec(value)
        if by_breakdown and bd:
            latest[(ind, period, sid, bd)] = dec(value)
    return latest


def _compute_reported(metas: dict[int, Meta], cells, pairs, review: bool, collective: bool):
    """{(indicator, period, scope, breakdown): Cell} for reported (non-formula) indicators."""
    out: dict[tuple, Cell] = {}
    with_bd = {i for i in cells if metas[i].has_breakdown}
    parts = [(cells, False)]
    if with_bd:
        parts.append(({i: cells[i] for i in with_bd}, True))
    for part_cells, by_bd in parts:
        for row in store.aggregate(
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
                    ratio(run_num, run_den, meta.percent),
                    run_num,
                    run_den,
                    partners,
                )
            else:
                run_value += value or 0
                out[(ind, period, sid, bd)] = (run_value, None, None, partners)
    return out


def _first_start(cells: dict) -> datetime.date:
    """The start of the earliest changed period (running totals move from there on)."""
    firsts = [
        min(periods.parse(p).start for p in pset) if pset else None for pset in cells.values()
    ]
    if any(f is None for f in firsts):
        return periods.parse("1900").start
    return min(firsts)


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
    ALL recomputes every scope. `shrink`: values may have been removed (see `write`).
    Returns the (indicator id, scope id) pairs that changed, so the caller can refresh their
    status.
    """
    if not cells:
        return set()
    tree = tree or Tree.load(initiative.pk)
    metas = store.load_metas(initiative.pk, cells.keys())
    cells = {i: p for i, p in cells.items() if i in metas}
    review = initiative.review_observations
    scopes = set(tree.paths) if partner_ids is ALL else tree.scopes_of(partner_ids)
    pairs = tree.pairs(None if partner_ids is ALL else scopes)
    scope_ids = ALL if partner_ids is ALL else scopes

    reported = {i: p for i, p in cells.items() if not metas[i].formula}
    # Sums, means, minima, maxima and ratios are computed and stored by the database in one
    # statement per kind of row, 'last' values and running totals with window functions.
    # A handful of cells (one value written) is cheaper through Python than through the
    # heavier INSERT ... SELECT; both give the same rows (the tests run both).
    bulk = sum(len(p) if p is not None else SQL_MIN_CELLS for p in reported.values())
    use_sql = bulk >= SQL_MIN_CELLS
    computed: dict[tuple, Cell] = {}
    writes = []
    if use_sql:
        _refresh_in_sql(initiative.pk, metas, reported, pairs, review, scope_ids, shrink=shrink)
    else:
        plain = {i: p for i, p in reported.items() if not metas[i].cumulative}
        cumulative = {i: p for i, p in reported.items() if metas[i].cumulative}
        if plain:
            computed.update(_compute_reported(metas, plain, pairs, review, collective=True))
            writes.append((plain, None))
        if cumulative:
            # Running totals need every period; rows from the first changed period on are
            # rewritten.
            since = _first_start(cumulative)
            all_periods = dict.fromkeys(cumulative, None)
            done = _compute_reported(metas, all_periods, pairs, review, collective=True)
            for key, cell in done.items():
                if periods.parse(key[1]).start >= since:
                    computed[key] = cell
            writes.append((all_periods, since))
    write(initiative.pk, writes, scope_ids, computed, shrink=shrink)
    affected_scopes: list[int | None] = [None, *sorted(scopes)]
    changed = {(ind, sid) for (ind, _p, sid, _b) in computed}
    changed |= {(ind, sid) for ind in reported for sid in affected_scopes}

    # Formula indicators that depend on what changed, in dependency order.
    by_code = {m.code: m for m in metas.values()}
    dependents = formulas.dependents(by_code, {metas[i].code for i in cells})
    formula_cells = {i: p for i, p in cells.items() if metas[i].formula}
    for meta in dependents:
        formula_cells.setdefault(meta.id, set())
    if formula_cells:
        changed |= formulas.refresh(
            initiative, metas, formula_cells, cells, affected_scopes, scopes, partner_ids
        )
    return changed


def _refresh_in_sql(initiative_id, metas, reported, pairs, review, scope_ids, *, shrink):
    """Every kind of reported cell, computed and stored by the database."""
    kinds = {
        "plain": {},
        "last": {},
        "cumulative": {},
    }
    for i, p in reported.items():
        meta = metas[i]
        if meta.cumulative:
            kinds["cumulative"][i] = p
        elif meta.aggregation == Aggregation.LAST:
            kinds["last"][i] = p
        else:
            kinds["plain"][i] = p
    upsert = not shrink
    if kinds["plain"]:
        if shrink:
            store.delete_cells([(kinds["plain"], None)], scope_ids)
        store.aggregate_into(initiative_id, metas, kinds["plain"], pairs, review, upsert=upsert)
    if kinds["last"]:
        if shrink:
            store.delete_cells([(kinds["last"], None)], scope_ids)
        store.latest_into(initiative_id, metas, kinds["last"], pairs, review, upsert=upsert)
    if kinds["cumulative"]:
        since = _first_start(kinds["cumulative"])
        if shrink:
            store.delete_cells([(dict.fromkeys(kinds["cumulative"], None), since)], scope_ids)
        store.running_totals_into(
            initiative_id, metas, kinds["cumulative"], pairs, review, since, upsert=upsert
        )


def rebuild(initiative, indicator_ids: Iterable[int] | None = None) -> set[tuple]:
    """Recompute every roll-up of the initiative (or of some indicators) from scratch."""
    qs = Indicator.objects.filter(initiative=initiative)
    if indicator_ids is not None:
        qs = qs.filter(id__in=list(indicator_ids))
    ids = list(qs.values_list("id", flat=True))
    if not ids:
        return set()
    Rollup.objects.filter(indicator_id__in=ids).delete()
    return refresh(initiative, dict.fromkeys(ids, None), ALL)
