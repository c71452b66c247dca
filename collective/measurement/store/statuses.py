"""SQL of statuses: the series and targets they judge, and storing them."""

from __future__ import annotations

import operator

from django.db import connection

from ..models import Indicator, IndicatorStatus, Rollup, Target
from . import sql

STATUS = sql.table(IndicatorStatus)
_FIELDS = sql.fields(IndicatorStatus, exclude=("id",))
INSERT = sql.insert_sql(IndicatorStatus, [f.name for f in _FIELDS])
_ROW = operator.itemgetter(*[f.name for f in _FIELDS])
# What a status row holds; indicator and scope say whose it is.
JUDGED = [f.name for f in _FIELDS if f.name not in ("initiative", "indicator", "scope")]
# The two partial unique indexes are the conflict targets of the upserts.
_ON_COLLECTIVE = sql.on_conflict(IndicatorStatus, "status_collective_unique", JUDGED)
_ON_SCOPED = sql.on_conflict(IndicatorStatus, "status_scope_unique", JUDGED)

# How an indicator's figures read: (direction, decimals, unit).
READING = ["direction", "decimals", "unit"]


def _adapted(rows: list[dict]) -> list[dict]:
    """The rows with their time and sparkline as the database takes them (the other values
    need no adapting; the time is the same for every row of a refresh, so it is adapted once)."""
    ops = connection.ops
    sparkline = IndicatorStatus._meta.get_field("sparkline")
    times: dict[int, object] = {}
    out = []
    for r in rows:
        at = r["updated_at"]
        if id(at) not in times:
            times[id(at)] = ops.adapt_datetimefield_value(at)
        out.append(
            {
                **r,
                "updated_at": times[id(at)],
                "sparkline": sparkline.get_db_prep_save(r["sparkline"], connection),
            }
        )
    return out


def readings(indicator_ids: list[int]) -> dict[int, tuple]:
    """{indicator id: (direction, decimals, unit)}."""
    with sql.cursor() as cur:
        cur.execute(
            f"SELECT id, {', '.join(sql.columns(Indicator, READING))} "  # noqa: S608
            f"FROM {sql.table(Indicator)} WHERE id IN ({sql.int_list(indicator_ids)})"
        )
        return {row[0]: row[1:] for row in cur.fetchall()}


def series_and_targets(indicator_ids: list[int], scope_ids: list[int]) -> list[tuple]:
    """('r' or 't', indicator, scope or partner, period, period start, value): the '' roll-ups
    of the collective and `scope_ids`, and every target of the indicators, by period start.
    One query: the roll-ups in two selects rather than an OR, so each uses the (indicator,
    scope, ...) index."""
    inds = sql.int_list(indicator_ids)
    select = (
        "SELECT 'r', indicator_id, scope_id, period, period_start, value "  # noqa: S608
        f"FROM {sql.table(Rollup)} WHERE indicator_id IN ({inds}) AND breakdown = '' AND "
    )
    query = select + "scope_id IS NULL"
    if scope_ids:
        query += f" UNION ALL {select}scope_id IN ({sql.int_list(scope_ids)})"
    query += (
        " UNION ALL SELECT 't', indicator_id, partner_id, period, period_start, value "  # noqa: S608
        f"FROM {sql.table(Target)} WHERE indicator_id IN ({inds}) ORDER BY 5"
    )
    with sql.cursor() as cur:
        cur.execute(query)
        return cur.fetchall()


def store(rows: list[dict], indicator_ids: list[int], scope_ids: list[int], *, replace: bool):
    """Store status rows ({field name: value}). `replace`: the rows of the indicators for the
    collective and `scope_ids` are deleted first (a scope may have lost its data); otherwise
    rows are upserted."""
    inds = sql.int_list(indicator_ids)
    rows = _adapted(rows)
    values = [_ROW(r) for r in rows]
    with sql.cursor() as cur:
        if replace:
            cur.execute(
                f"DELETE FROM {STATUS} WHERE indicator_id IN ({inds}) AND scope_id IS NULL"  # noqa: S608
            )
            if scope_ids:
                cur.execute(
                    f"DELETE FROM {STATUS} WHERE indicator_id IN ({inds}) "  # noqa: S608
                    f"AND scope_id IN ({sql.int_list(scope_ids)})"
                )
            sql.insert_many(cur, INSERT, values)
            return
        collective = [v for v, r in zip(values, rows, strict=True) if r["scope"] is None]
        scoped = [v for v, r in zip(values, rows, strict=True) if r["scope"] is not None]
        if collective:
            sql.insert_many(cur, INSERT + _ON_COLLECTIVE, collective)
        if scoped:
            sql.insert_many(cur, INSERT + _ON_SCOPED, scoped)


def statements(new_rows: list[dict], updates: list[dict], emptied: list[int]) -> list:
    """Statements (for `sql.run`) that insert `new_rows`, update `updates` (each with its
    `id`) and delete the rows `emptied`."""
    new_rows, updates = _adapted(new_rows), _adapted(updates)
    out = sql.delete_by_id(IndicatorStatus, emptied)
    out += sql.update_by_id(
        IndicatorStatus, JUDGED, [(*(r[n] for n in JUDGED), r["id"]) for r in updates]
    )
    out += sql.insert_rows(INSERT, [_ROW(r) for r in new_rows])
    return out
