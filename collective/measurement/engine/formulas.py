"""Formula indicators: evaluated per period and scope from the roll-ups of their inputs.

A formula's value disappears when an input's does, so its cells are always replaced, never
upserted. Formulas over formulas are evaluated inputs first (`formula.evaluation_order`).
"""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal

from ..formula import FormulaError, evaluation_order
from ..formula import parse as parse_formula
from ..models import Indicator
from ..store import rollups as store
from ..store.rollups import ALL, META_FIELDS, Meta, meta_of_row
from .cells import write

LARGEST = Decimal(10) ** 17  # a formula's value beyond this is not stored (division by ~0)


def dependents(metas_by_code: dict[str, Meta], changed: set[str]) -> list[Meta]:
    """Formula indicators depending (directly or not) on `changed`, inputs first."""
    formulas = {code: m.formula for code, m in metas_by_code.items() if m.formula}
    if not formulas:
        return []
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


def refresh(initiative, metas, formula_cells, cells, affected_scopes, scopes, pids) -> set:
    """Recompute the formula indicators `formula_cells` after the inputs' `cells` changed
    (`metas`: what is known of the indicators, completed here with any missing input), for the
    collective and `scopes` (every scope when `pids` is ALL). Returns the (indicator, scope)
    pairs that changed."""
    by_code = {m.code: m for m in metas.values()}
    needed = set()
    for ind in formula_cells:
        needed |= parse_formula(metas[ind].formula).codes
    missing = needed - set(by_code)
    if missing:
        for row in Indicator.objects.filter(
            initiative_id=initiative.pk, code__in=missing
        ).values_list(*META_FIELDS):
            meta = meta_of_row(row)
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
    changed: set = set()
    try:
        order = evaluation_order({c: m.formula for c, m in by_code.items() if m.formula})
    except FormulaError:
        return changed
    for ind in [by_code[c].id for c in order if by_code[c].id in formula_cells]:
        meta = metas[ind]
        formula = parse_formula(meta.formula)
        inputs = {by_code[c].id: c for c in formula.codes if c in by_code}
        values: dict[tuple, dict[str, Decimal | None]] = defaultdict(dict)
        partners: dict[tuple, int] = defaultdict(int)
        for ind_id, period, sid, value, n in store.formula_inputs(
            inputs, ALL if pids is ALL else scopes, wanted
        ):
            values[(period, sid)][inputs[ind_id]] = value
            partners[(period, sid)] = max(partners[(period, sid)], n)
        computed = {}
        for (period, sid), vals in values.items():
            value = formula.evaluate(vals)
            if value is not None and abs(value) < LARGEST:
                computed[(ind, period, sid, "")] = (value, None, None, partners[(period, sid)])
        write_cells = {ind: (None if wanted is None else set(wanted))}
        write(
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


def follow(initiative, indicator_id: int, code: str, cells, scopes: set[int], partner_id) -> set:
    """After one value of `code` was written (its `cells`, for the partner's chain of
    `scopes`): recompute the formula indicators that depend on it. Returns the (indicator,
    scope) pairs that changed."""
    metas = store.load_metas(initiative.pk, [indicator_id])
    found = dependents({m.code: m for m in metas.values()}, {code})
    if not found:
        return set()
    return refresh(
        initiative, metas, {m.id: set() for m in found}, cells, [None, *sorted(scopes)],
        scopes, {partner_id},
    )  # fmt: skip
