"""SQL of values: bulk inserts and updates, history and audit rows, one value read and written.

Bulk rows are dicts keyed by the fields' attnames, with values as the database takes them
(dates and times adapted by the caller, which does it once per batch); the column order of every
statement comes from the model's `_meta`.
"""

from __future__ import annotations

import operator

from django.db import connection

from collective.core.models import AuditEvent

from ..models import Indicator, Observation, ObservationHistory
from . import sql

BATCH = 5000
OBS = sql.table(Observation)

# --- Bulk writes -----------------------------------------------------------------------------


def allocate_ids(model, count: int) -> list[int]:
    """Reserve `count` primary keys of `model` (inside the caller's transaction)."""
    name = sql.table(model)
    with sql.cursor() as cur:
        if connection.vendor == "postgresql":
            cur.execute(
                "SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)",
                [name, count],
            )
            return [r[0] for r in cur.fetchall()]
        cur.execute(f"SELECT MAX(id) FROM {name}")  # noqa: S608 - name from _meta
        top = cur.fetchone()[0] or 0
        if connection.vendor == "sqlite":
            cur.execute("SELECT seq FROM sqlite_sequence WHERE name = %s", [name])
            row = cur.fetchone()
            top = max(top, row[0] if row else 0)
        return list(range(top + 1, top + 1 + count))


# A new value: every column but the review's (a new value is not reviewed yet).
_INSERTED = sql.fields(Observation, exclude=("reviewed_by", "reviewed_at"))
INSERT = sql.insert_sql(Observation, [f.name for f in _INSERTED])
_INSERT_ROW = operator.itemgetter(*[f.attname for f in _INSERTED])

# A value written again: what is submitted changes, and the review starts over.
SUBMITTED = ["value", "numerator", "denominator", "note", "status", "source", "submitted_by",
             "submitted_at", "updated_at"]  # fmt: skip
_RESET = (
    f"{sql.column(Observation, 'reviewed_by')} = NULL, "
    f"{sql.column(Observation, 'reviewed_at')} = NULL, "
    f"{sql.column(Observation, 'review_comment')} = ''"
)
UPDATE = (
    f"UPDATE {OBS} SET "  # noqa: S608 - names from _meta
    + ", ".join(f"{c} = %s" for c in sql.columns(Observation, SUBMITTED))
    + f", {_RESET} WHERE id = %s"
)
_UPDATE_ROW = operator.itemgetter(*[Observation._meta.get_field(n).attname for n in SUBMITTED])

_HISTORY = sql.fields(ObservationHistory, exclude=("id",))
HISTORY_INSERT = sql.insert_sql(ObservationHistory, [f.name for f in _HISTORY])
_HISTORY_ROW = operator.itemgetter(*[f.attname for f in _HISTORY])
_HISTORY_OBSERVATION = [f.name for f in _HISTORY].index("observation")


def insert_values(rows: list[dict], progress=None) -> None:
    """Insert new values ({attname: value}, with their ids), in batches."""
    with sql.cursor() as cur:
        for start in range(0, len(rows), BATCH):
            sql.insert_many(cur, INSERT, [_INSERT_ROW(r) for r in rows[start : start + BATCH]])
            if progress:
                progress(min(start + BATCH, len(rows)))


def update_values(rows: list[dict]) -> None:
    """Write values again ({attname: value} of `SUBMITTED`, and the id)."""
    with sql.cursor() as cur:
        for start in range(0, len(rows), BATCH):
            cur.executemany(
                UPDATE, [(*_UPDATE_ROW(r), r["id"]) for r in rows[start : start + BATCH]]
            )


def insert_history(rows: list[dict]) -> None:
    with sql.cursor() as cur:
        if len(rows) == 1:  # one value written: a plain INSERT (no COPY or pipeline round)
            cur.execute(HISTORY_INSERT, _HISTORY_ROW(rows[0]))
            return
        for start in range(0, len(rows), BATCH):
            sql.insert_many(
                cur, HISTORY_INSERT, [_HISTORY_ROW(r) for r in rows[start : start + BATCH]]
            )


# What a bulk write compares a row with (positions in the tuples `existing` returns).
EXISTING = ["id", "indicator", "partner", "period", "breakdown", "value", "numerator",
            "denominator", "note", "status"]  # fmt: skip


def existing(cells: dict[int, set[str]]) -> dict[tuple, tuple]:
    """Stored values of the cells: {(indicator, partner, period, breakdown): row}, each row the
    columns of `EXISTING` in that order."""
    where, params = sql.cells_where(cells, alias="")
    out = {}
    with sql.cursor() as cur:
        cur.execute(
            f"SELECT {', '.join(sql.columns(Observation, EXISTING))} FROM {OBS} WHERE {where}",  # noqa: S608
            params,
        )
        for row in cur.fetchall():
            out[(row[1], row[2], row[3], row[4])] = row
    return out


# --- One value -------------------------------------------------------------------------------

# What the checks of a value need of its partner (the rest is deferred).
PARTNER_CHECKED = ["id", "initiative", "uid", "name", "short_name", "path"]


def named(initiative_id: int, codes: set[str], uids: list) -> tuple[list, list]:
    """The initiative's indicators with these codes and partners with these uids, as model
    instances: one round trip (two statements) for what a value or a few name. The ORM would
    spend more on building the two queries than the database on running them."""
    from collective.core.models import Partner

    indicator_names = [f.name for f in Indicator._meta.concrete_fields]
    uid_field = Partner._meta.get_field("uid")
    codes = sorted(codes)
    uids = [uid_field.get_db_prep_value(u, connection) for u in uids]
    queries: list[sql.Statement] = [
        (
            f"SELECT {', '.join(sql.columns(Indicator, indicator_names))} "  # noqa: S608
            f"FROM {sql.table(Indicator)} WHERE initiative_id = %s "
            f"AND {sql.column(Indicator, 'code')} IN ({sql.placeholders(len(codes))})",
            [initiative_id, *codes],
            False,
        ),
        (
            f"SELECT {', '.join(sql.columns(Partner, PARTNER_CHECKED))} "  # noqa: S608
            f"FROM {sql.table(Partner)} WHERE initiative_id = %s "
            f"AND {sql.column(Partner, 'uid')} IN ({sql.placeholders(len(uids))})",
            [initiative_id, *uids],
            False,
        ),
    ]
    wanted = [q for q, n in zip(queries, (codes, uids), strict=True) if n]
    found = iter(sql.run(wanted, fetch=range(len(wanted))))
    indicators = sql.instances(Indicator, indicator_names, next(found)) if codes else []
    partners = sql.instances(Partner, PARTNER_CHECKED, next(found)) if uids else []
    return indicators, partners


# What a single write needs to know of the indicator, in this order (see `services`).
INDICATOR_META = ["code", "aggregation", "cumulative", "formula", "breakdown_dimension",
                  "value_type", "frequency", "direction", "decimals", "unit"]  # fmt: skip
META_COLUMNS = len(INDICATOR_META) + 2  # and the partner's path, and "has formulas"

# The converters the ORM would apply to an observation's columns, per database vendor.
_READ: dict[str, list] = {}


def _converters() -> list:
    vendor = connection.vendor
    if vendor not in _READ:
        found = []
        for f in Observation._meta.concrete_fields:
            col = f.get_col(OBS)
            found.append(
                (col, connection.ops.get_db_converters(col) + col.get_db_converters(connection))
            )
        _READ[vendor] = found
    return _READ[vendor]


def current(indicator_id: int, partner_id: int, period: str, breakdown: str) -> tuple:
    """(the stored value of (indicator, partner, period, breakdown) or None, the indicator's
    `INDICATOR_META`, the partner's path and whether the initiative has formula indicators), in
    one query. The value is locked until the commit on PostgreSQL (a concurrent update of the
    same value waits, then reads the new one). The indicator and the partner's place in the tree
    are read afresh, so objects held since before a change of either do not mislead the
    roll-ups."""
    from collective.core.models import Partner

    ind, partner = sql.table(Indicator), sql.table(Partner)
    lock = indicator_lock = ""
    if connection.vendor == "postgresql":
        # The value, and the indicator: single writers of an indicator take turns (the roll-up
        # and status rows they move are shared, and a recomputation replaces rows), so they
        # neither move sums from a stale reading nor wait for each other crosswise. Values
        # of the indicator may still be inserted meanwhile (NO KEY: foreign keys do not wait).
        lock, indicator_lock = " FOR UPDATE", " FOR NO KEY UPDATE OF i"
    meta = ", ".join(f"i.{c}" for c in sql.columns(Indicator, INDICATOR_META))
    formula = sql.column(Indicator, "formula")
    with sql.cursor() as cur:
        cur.execute(
            f"WITH o AS (SELECT {', '.join(sql.columns(Observation))} FROM {OBS} "  # noqa: S608
            f"WHERE indicator_id = %s AND partner_id = %s AND period = %s AND breakdown = %s"
            f"{lock}) SELECT {meta}, p.{sql.column(Partner, 'path')}, EXISTS (SELECT 1 FROM "
            f"{ind} f WHERE f.initiative_id = i.initiative_id AND f.{formula} <> ''), o.* "
            f"FROM {ind} i CROSS JOIN {partner} p LEFT JOIN o ON 1 = 1 "
            f"WHERE i.id = %s AND p.id = %s{indicator_lock}",
            [indicator_id, partner_id, period, breakdown, indicator_id, partner_id],
        )
        row = cur.fetchone()
    meta_row, row = row[:META_COLUMNS], row[META_COLUMNS:]
    if row[0] is None:
        return None, meta_row
    converters = _converters()
    values = []
    for value, (col, found) in zip(row, converters, strict=True):
        for converter in found:
            value = converter(value, col, connection)
        values.append(value)
    names = [c.target.attname for c, _ in converters]
    return Observation.from_db(connection.alias, names, values), meta_row


_NEW = [f for f in _INSERTED if f.name != "id"]
_INSERT_ONE = sql.insert_sql(Observation, [f.name for f in _NEW])
_SUBMITTED_FIELDS = [Observation._meta.get_field(n) for n in SUBMITTED]
_AUDITED = sql.fields(AuditEvent, exclude=("id",))
AUDIT_INSERT = sql.insert_sql(AuditEvent, [f.name for f in _AUDITED])


def _prep(fields, obj) -> list:
    return [f.get_db_prep_save(getattr(obj, f.attname), connection) for f in fields]


def audit_params(values: dict) -> list:
    """The parameters of `AUDIT_INSERT` for an entry ({field name: value}, as
    `core.audit.audit_fields` gives them, and `created_at`)."""
    return [
        f.get_db_prep_save(getattr(values[f.name], "pk", values[f.name]), connection)
        for f in _AUDITED
    ]


def save_value(obs: Observation, created: bool, history: dict, audit: list) -> None:
    """Store a value written, its history row ({attname: value}, without the observation's id)
    and its audit entry (`audit_params`). PostgreSQL: one round trip (a new value's id passes
    from the INSERT to its history row inside one statement, the audit entry follows in the
    same pipeline); SQLite, where statements cost no round trip: three statements."""
    row = list(_HISTORY_ROW({**history, "observation_id": obs.pk}))
    if created and connection.vendor == "postgresql":
        # The history row takes the new id from the INSERT.
        head, _, _ = HISTORY_INSERT.partition(" VALUES ")
        at = _HISTORY_OBSERVATION
        taken = ", ".join("o.id" if i == at else "%s" for i in range(len(row)))
        insert = f"{_INSERT_ONE} RETURNING id"
        (rows,) = sql.run(
            [
                (
                    f"WITH o AS ({insert}) {head} SELECT {taken} FROM o "  # noqa: S608
                    "RETURNING observation_id",
                    [*_prep(_NEW, obs), *row[:at], *row[at + 1 :]],
                    False,
                ),
                (AUDIT_INSERT, audit, False),
            ],
            fetch=[0],
        )
        _mark_saved(obs, rows[0][0])
        return
    if created:
        (rows,) = sql.run([(f"{_INSERT_ONE} RETURNING id", _prep(_NEW, obs), False)], fetch=[0])
        _mark_saved(obs, rows[0][0])
        row[_HISTORY_OBSERVATION] = obs.pk
        sql.run([(HISTORY_INSERT, row, False), (AUDIT_INSERT, audit, False)])
        return
    sql.run(
        [
            (UPDATE, [*_prep(_SUBMITTED_FIELDS, obs), obs.pk], False),
            (HISTORY_INSERT, row, False),
            (AUDIT_INSERT, audit, False),
        ]
    )


def _mark_saved(obs: Observation, pk: int) -> None:
    obs.pk = pk
    obs._state.adding = False
    obs._state.db = connection.alias
