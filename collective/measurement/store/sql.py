"""Helpers of the store: names from the models, batched writes, statements sent together."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from contextlib import nullcontext

from django.db import connection, models

from .. import periods

# A statement to run later: (sql, params, many). `many`: params is a list of rows for
# `executemany`.
Statement = tuple[str, list, bool]


def cursor():
    """A cursor of the default connection (the one place in the app that opens them)."""
    return connection.cursor()


def table(model: type[models.Model]) -> str:
    return model._meta.db_table


def column(model: type[models.Model], name: str) -> str:
    """The column of the field `name` (a foreign key's is `<name>_id`)."""
    return model._meta.get_field(name).column


def fields(model: type[models.Model], *, exclude: Iterable[str] = ()) -> list[models.Field]:
    """The model's concrete fields in `_meta` order, without those named in `exclude`."""
    skip = set(exclude)
    return [f for f in model._meta.concrete_fields if f.name not in skip]


def columns(model: type[models.Model], names: Iterable[str] | None = None) -> list[str]:
    """Column names: of the fields `names` (in that order), or of every concrete field."""
    if names is None:
        return [f.column for f in model._meta.concrete_fields]
    return [column(model, name) for name in names]


_CONVERTERS: dict[tuple, list] = {}


def instances(model: type[models.Model], names: list[str], rows) -> list[models.Model]:
    """Model instances from rows of the fields `names` (the ORM's converters applied, so they
    equal what a queryset gives; fields not named are deferred)."""
    key = (connection.vendor, model, tuple(names))
    if key not in _CONVERTERS:
        found = []
        for name in names:
            col = model._meta.get_field(name).get_col(table(model))
            found.append(
                (col, connection.ops.get_db_converters(col) + col.get_db_converters(connection))
            )
        _CONVERTERS[key] = found
    converters = _CONVERTERS[key]
    attnames = [col.target.attname for col, _ in converters]
    out = []
    for row in rows:
        values = []
        for value, (col, found) in zip(row, converters, strict=True):
            for converter in found:
                value = converter(value, col, connection)
            values.append(value)
        out.append(model.from_db(connection.alias, attnames, values))
    return out


def placeholders(count: int) -> str:
    return ", ".join(["%s"] * count)


def insert_sql(model: type[models.Model], names: list[str], suffix: str = "") -> str:
    """`INSERT INTO <table> (<columns of names>) VALUES (%s, ...)` + suffix."""
    cols = columns(model, names)
    return (
        f"INSERT INTO {table(model)} ({', '.join(cols)}) "  # noqa: S608 - names from _meta
        f"VALUES ({placeholders(len(cols))}){suffix}"
    )


def int_list(ids: Iterable[int]) -> str:
    """Integers (ids from our own queries) as SQL text: no parameter limit on long lists."""
    return ",".join(str(int(i)) for i in ids) or "NULL"


def pairs_cte(pairs: list[tuple[int, int]]) -> str:
    """`WITH m(pid, sid) AS (VALUES ...)`: each partner with a scope it belongs to."""
    values = ",".join(f"({int(p)},{int(s)})" for p, s in pairs)
    return f"WITH m(pid, sid) AS (VALUES {values}) "


def insert_many(cur, sql: str, rows: list) -> None:
    """Run `INSERT INTO t (columns) VALUES (%s, ...) [ON CONFLICT ...]` for many rows.

    SQLite: executemany (one prepared statement, the fastest there). PostgreSQL: COPY for plain
    inserts; upserts go through executemany, which psycopg pipelines.
    """
    if not rows:
        return
    head, _, tail = sql.partition(" VALUES ")
    upsert = tail[tail.index(")") + 1 :].strip()  # ON CONFLICT ..., if any
    if connection.vendor != "postgresql" or upsert:
        cur.executemany(sql, rows)
        return
    target = head.strip()[len("INSERT INTO ") :]
    # Django's error wrapping, so a unique violation is an IntegrityError as usual.
    with connection.wrap_database_errors, cur.cursor.copy(f"COPY {target} FROM STDIN") as copy:
        for row in rows:
            copy.write_row(row)


def run(statements: list[Statement], *, fetch: Iterable[int] = ()) -> list[list[tuple]]:
    """Run statements in order; return the rows of those whose index is in `fetch`.

    PostgreSQL: all in one pipeline (one round trip, each still a statement of its own, so
    server-side binding works; each runs after the one before has finished). SQLite, where a
    statement costs no round trip: one by one."""
    statements = [s for s in statements if s]
    wanted = sorted(set(fetch))
    if not statements:
        return []
    cursors = {i: cursor() for i in wanted}
    try:
        with cursor() as cur:
            piped = connection.vendor == "postgresql" and len(statements) > 1
            with (
                connection.wrap_database_errors,
                connection.connection.pipeline() if piped else nullcontext(),
            ):
                for i, (sql, params, many) in enumerate(statements):
                    target = cursors.get(i, cur)
                    (target.executemany if many else target.execute)(sql, params)
                return [cursors[i].fetchall() for i in wanted]
    finally:
        for c in cursors.values():
            c.close()


def update_by_id(model: type[models.Model], names: list[str], rows: list[tuple]) -> list[Statement]:
    """UPDATE rows of `model` by id: every row is (*values of the fields `names`, id).
    SQLite: executemany of one prepared statement. PostgreSQL: one statement joining a VALUES
    list, typed from the fields (psycopg's executemany costs a pipeline round per call)."""
    if not rows:
        return []
    cols = columns(model, names)
    name = table(model)
    if connection.vendor != "postgresql":
        sets = ", ".join(f"{c} = %s" for c in cols)
        return [(f"UPDATE {name} SET {sets} WHERE id = %s", rows, True)]  # noqa: S608
    kinds = [model._meta.get_field(n).cast_db_type(connection) for n in names]
    one = "(" + ", ".join(f"%s::{kind}" for kind in kinds) + ", %s::bigint)"
    sets = ", ".join(f"{c} = v.{c}" for c in cols)
    sql = (
        f"UPDATE {name} AS t SET {sets} FROM (VALUES {', '.join([one] * len(rows))}) "  # noqa: S608
        f"AS v({', '.join(cols)}, id) WHERE t.id = v.id"
    )
    return [(sql, [x for row in rows for x in row], False)]


def insert_rows(sql: str, rows: list[tuple]) -> list[Statement]:
    """A plain `INSERT ... VALUES (%s, ...)` of a few rows as one statement."""
    if not rows:
        return []
    head, _, one = sql.partition(" VALUES ")
    return [(f"{head} VALUES {', '.join([one] * len(rows))}", [x for r in rows for x in r], False)]


def delete_by_id(model: type[models.Model], ids: list[int]) -> list[Statement]:
    if not ids:
        return []
    return [(f"DELETE FROM {table(model)} WHERE id IN ({int_list(ids)})", [], False)]  # noqa: S608


ANALYZE_FROM = 10_000


def analyze(cur, model: type[models.Model], added: int) -> None:
    """PostgreSQL plans the statements that follow a big write from statistics taken before
    it (a table it believes empty gets nested loops over sequential scans): refresh them. Cheap
    (a fixed-size sample) and transactional; SQLite's planner needs no statistics here."""
    if connection.vendor == "postgresql" and added >= ANALYZE_FROM:
        cur.execute(f"ANALYZE {table(model)}")


def cells_where(cells: dict[int, set[str] | None], alias: str = "o.") -> tuple[str, list]:
    """WHERE clause for observations (or roll-ups) of the cells {indicator id: periods, or None
    for every period}: indicators grouped by identical period sets; the period starts let the
    (indicator, period_start) index find the rows."""
    groups: dict[frozenset | None, list[int]] = defaultdict(list)
    for ind, pset in cells.items():
        groups[frozenset(pset) if pset is not None else None].append(ind)
    parts, params = [], []
    for pset, inds in groups.items():
        if pset is None:
            parts.append(f"({alias}indicator_id IN ({int_list(inds)}))")
            continue
        plist = sorted(pset)
        starts = sorted({periods.parse(p).start for p in plist})
        parts.append(
            f"({alias}indicator_id IN ({int_list(inds)})"
            f" AND {alias}period_start IN ({placeholders(len(starts))})"
            f" AND {alias}period IN ({placeholders(len(plist))}))"
        )
        params += [connection.ops.adapt_datefield_value(d) for d in starts]
        params += plist
    return "(" + " OR ".join(parts) + ")", params


def on_conflict(model: type[models.Model], constraint: str, update: list[str]) -> str:
    """` ON CONFLICT (columns) WHERE condition DO UPDATE SET ...` for one of the model's partial
    unique constraints (`<field>__isnull` conditions), updating the fields `update`."""
    found = next(c for c in model._meta.constraints if c.name == constraint)
    target = ", ".join(column(model, name) for name in found.fields)
    conditions = []
    for lookup, value in found.condition.children:
        name, _, kind = lookup.partition("__")
        if kind != "isnull":
            raise ValueError(f"Unsupported condition {lookup} of {constraint}.")
        conditions.append(f"{column(model, name)} IS {'' if value else 'NOT '}NULL")
    sets = ", ".join(f"{c} = excluded.{c}" for c in columns(model, update))
    return f" ON CONFLICT ({target}) WHERE {' AND '.join(conditions)} DO UPDATE SET {sets}"
