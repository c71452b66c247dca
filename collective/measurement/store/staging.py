"""SQL of staged imports: the checked rows in `ImportRow`, classified and written set-based.

See `services.imports` for the workflow: the preview stages the valid rows and counts what they
would do; confirming writes them with `UPDATE … FROM` and `INSERT … SELECT … WHERE NOT EXISTS`,
and their history the same way.
"""

from __future__ import annotations

import operator

from django.db import connection

from collective.core import ids

from ..choices import ObservationStatus, Source
from ..models import ImportRow, Observation, ObservationHistory, ReportingAssignment
from . import sql
from .observations import BATCH, SUBMITTED

ROWS = sql.table(ImportRow)
OBS = sql.table(Observation)
HISTORY = sql.table(ObservationHistory)
KEY = (
    "o.indicator_id = r.indicator_id AND o.partner_id = r.partner_id AND o.period = r.period "
    "AND o.breakdown = r.breakdown"
)
_STAGED = sql.fields(ImportRow, exclude=("id",))
_STAGE = sql.insert_sql(ImportRow, [f.name for f in _STAGED])
_STAGED_ROW = operator.itemgetter(*[f.attname for f in _STAGED])


def _same(a: str, b: str) -> str:
    """SQL: a and b are equal, NULLs included."""
    if connection.vendor == "postgresql":
        return f"{a} IS NOT DISTINCT FROM {b}"
    return f"{a} IS {b}"


def _unchanged() -> tuple[str, list]:
    """SQL: the stored value `o` already says what the staged row `r` says (a returned value
    sent again counts as a change: it is submitted anew)."""
    return (
        " AND ".join(
            [
                _same("o.value", "r.value"),
                _same("o.numerator", "r.numerator"),
                _same("o.denominator", "r.denominator"),
                "(NOT r.has_note OR o.note = r.note)",
                "o.status <> %s",
            ]
        ),
        [ObservationStatus.RETURNED],
    )


def stage(rows: list[dict], progress=None, *, analyze: bool = True) -> None:
    """Store checked rows of a job ({attname: value}, `job_id` included), in batches. A file
    staged in pieces passes `analyze=False` and calls `analyze` once at the end."""
    with sql.cursor() as cur:
        for start in range(0, len(rows), BATCH):
            sql.insert_many(cur, _STAGE, [_STAGED_ROW(r) for r in rows[start : start + BATCH]])
            if progress:
                progress(min(start + BATCH, len(rows)))
        if analyze:
            sql.analyze(cur, ImportRow, len(rows))


def analyze(added: int) -> None:
    with sql.cursor() as cur:
        sql.analyze(cur, ImportRow, added)


def clear(job_id: int) -> None:
    with sql.cursor() as cur:
        cur.execute(f"DELETE FROM {ROWS} WHERE job_id = %s", [job_id])  # noqa: S608


def duplicates(job_id: int, limit: int) -> tuple[int, list[tuple]]:
    """Staged rows giving a value another staged row of the job gave first (a file checked in
    pieces: the checker sees duplicates within a piece, this finds them across pieces), removed
    from the staging table. Returns (how many, up to `limit` of (row, first row, indicator id,
    partner id, period, breakdown)) — one sort of the job's rows, whatever their number."""
    numbered = (
        "SELECT id, row, indicator_id, partner_id, period, breakdown, "  # noqa: S608
        "ROW_NUMBER() OVER w AS n, FIRST_VALUE(row) OVER w AS first_row "
        f"FROM {ROWS} WHERE job_id = %s "
        "WINDOW w AS (PARTITION BY indicator_id, partner_id, period, breakdown ORDER BY id)"
    )
    with sql.cursor() as cur:
        cur.execute(
            "SELECT row, first_row, indicator_id, partner_id, period, breakdown "  # noqa: S608
            f"FROM ({numbered}) d WHERE n > 1 ORDER BY row LIMIT %s",
            [job_id, limit],
        )
        found = cur.fetchall()
        if not found:
            return 0, []
        cur.execute(
            f"DELETE FROM {ROWS} WHERE id IN (SELECT id FROM ({numbered}) d WHERE n > 1)",  # noqa: S608
            [job_id],
        )
        return cur.rowcount, found


def classify(job_id: int) -> dict[str, int]:
    """How many staged rows would create, update or leave unchanged a stored value."""
    unchanged, params = _unchanged()
    with sql.cursor() as cur:
        cur.execute(
            "SELECT COUNT(*), COUNT(o.id), "  # noqa: S608
            f"COALESCE(SUM(CASE WHEN o.id IS NOT NULL AND {unchanged} THEN 1 ELSE 0 END), 0) "
            f"FROM {ROWS} r LEFT JOIN {OBS} o ON {KEY} WHERE r.job_id = %s",
            [*params, job_id],
        )
        staged, found, same = cur.fetchone()
    return {"created": staged - found, "updated": found - same, "unchanged": same}


def staged_count(job_id: int) -> int:
    with sql.cursor() as cur:
        cur.execute(f"SELECT COUNT(*) FROM {ROWS} WHERE job_id = %s", [job_id])  # noqa: S608
        return cur.fetchone()[0]


def _uid_sql() -> tuple[str, list]:
    """SQL for fresh version-7 uids (`core.ids.uuid7_sql_prefix`: time first, then a random
    base plus the staged row's id), so a big import appends to the uid index."""
    prefix, base = ids.uuid7_sql_prefix()
    if connection.vendor == "postgresql":
        return "CAST(CAST(%s AS TEXT) || lpad(to_hex(%s::bigint + r.id), 15, '0') AS uuid)", [
            prefix,
            base,
        ]
    return "%s || printf('%%015x', %s + r.id)", [prefix, base]


def write(job_id: int, *, initiative_id: int, status: str, actor_id: int | None, at) -> tuple:
    """Write a job's staged rows (in the caller's transaction): update the stored values they
    change, insert the new ones, one history row each. Returns (created, updated, the touched
    cells {indicator id: periods}, the touched partner ids). `at`: the time of the write, as
    the database takes it."""
    uid, uid_params = _uid_sql()
    unchanged, unchanged_params = _unchanged()
    target = OBS
    key = KEY.replace("o.", f"{target}.")
    unchanged = unchanged.replace("o.", f"{target}.")
    sets = {
        "value": "r.value",
        "numerator": "r.numerator",
        "denominator": "r.denominator",
        "note": f"CASE WHEN r.has_note THEN r.note ELSE {target}.note END",
        "status": "%s",
        "source": "%s",
        "submitted_by": "%s",
        "submitted_at": "%s",
        "updated_at": "%s",
    }
    set_sql = ", ".join(f"{sql.column(Observation, name)} = {sets[name]}" for name in SUBMITTED)
    reset = ", ".join(
        f"{sql.column(Observation, name)} = {value}"
        for name, value in (("reviewed_by", "NULL"), ("reviewed_at", "NULL"),
                            ("review_comment", "''"))
    )  # fmt: skip
    inserted = sql.fields(Observation, exclude=("id", "reviewed_by", "reviewed_at"))
    exprs = {
        "created_at": "%s", "updated_at": "%s", "initiative": "%s", "uid": uid,
        "indicator": "r.indicator_id", "partner": "r.partner_id", "period": "r.period",
        "period_start": "r.period_start", "breakdown": "r.breakdown", "value": "r.value",
        "numerator": "r.numerator", "denominator": "r.denominator", "note": "r.note",
        "status": "%s", "source": "%s", "submitted_by": "%s", "submitted_at": "%s",
        "review_comment": "''",
    }  # fmt: skip
    params_of = {
        "created_at": [at], "updated_at": [at], "initiative": [initiative_id],
        "uid": uid_params, "status": [status], "source": [Source.IMPORT],
        "submitted_by": [actor_id], "submitted_at": [at],
    }  # fmt: skip
    history = sql.fields(ObservationHistory, exclude=("id",))
    history_exprs = {
        "initiative": "%s", "observation": "o.id",
        "action": "CASE WHEN o.created_at = %s THEN 'created' ELSE 'updated' END",
        "value": "o.value", "numerator": "o.numerator", "denominator": "o.denominator",
        "note": "o.note", "status": "o.status", "source": "o.source", "changed_by": "%s",
        "changed_at": "%s",
    }  # fmt: skip
    history_params = {
        "initiative": [initiative_id], "action": [at], "changed_by": [actor_id],
        "changed_at": [at],
    }  # fmt: skip
    with sql.cursor() as cur:
        # Changed values first (so the values inserted next are not taken for changes).
        cur.execute(
            f"UPDATE {target} SET {set_sql}, {reset} FROM {ROWS} r "  # noqa: S608
            f"WHERE r.job_id = %s AND {key} AND NOT ({unchanged})",
            [status, Source.IMPORT, actor_id, at, at, job_id, *unchanged_params],
        )
        updated = cur.rowcount
        postgres = connection.vendor == "postgresql"
        if postgres:
            # The anti-join below reads the table it inserts into. When that table's statistics
            # say it is (nearly) empty, PostgreSQL picks a nested loop whose inner sequential
            # scan re-reads every row this statement has inserted so far, for every row:
            # quadratic (a 312,000-value import ran for over 10 minutes). Hash or merge it.
            cur.execute("SET LOCAL enable_nestloop = off")
        cur.execute(
            f"INSERT INTO {target} ({', '.join(f.column for f in inserted)}) "  # noqa: S608
            f"SELECT {', '.join(exprs[f.name] for f in inserted)} FROM {ROWS} r "
            f"WHERE r.job_id = %s AND NOT EXISTS (SELECT 1 FROM {target} o WHERE {KEY}) "
            "ORDER BY r.id",
            [*(p for f in inserted for p in params_of.get(f.name, [])), job_id],
        )
        created = cur.rowcount
        if postgres:
            cur.execute("RESET enable_nestloop")
            # What follows joins the values just written: plan it from their real number.
            sql.analyze(cur, Observation, created)
        cells: dict[int, set[str]] = {}
        partner_ids: set[int] = set()
        if created or updated:
            # The values written just now are those of the staged keys stamped with this write.
            written = (
                f"FROM {ROWS} r JOIN {target} o ON {KEY} WHERE r.job_id = %s AND o.updated_at = %s"
            )
            cur.execute(
                f"INSERT INTO {HISTORY} ({', '.join(f.column for f in history)}) "
                f"SELECT {', '.join(history_exprs[f.name] for f in history)} {written} "
                "ORDER BY r.id",
                [*(p for f in history for p in history_params.get(f.name, [])), job_id, at],
            )
            cur.execute(f"SELECT DISTINCT r.indicator_id, r.period {written}", [job_id, at])
            for ind, period in cur.fetchall():
                cells.setdefault(ind, set()).add(period)
            cur.execute(f"SELECT DISTINCT r.partner_id {written}", [job_id, at])
            partner_ids = {pid for (pid,) in cur.fetchall()}
    return created, updated, cells, partner_ids


# --- What the preview warns about ------------------------------------------------------------


def unassigned(job_id: int) -> list[tuple[int, int, int]]:
    """(indicator id, partner id, staged values) of the partner–indicator pairs the job's rows
    name that have no active reporting duty."""
    duties = sql.table(ReportingAssignment)
    with sql.cursor() as cur:
        cur.execute(
            f"SELECT r.indicator_id, r.partner_id, COUNT(*) FROM {ROWS} r "  # noqa: S608
            f"WHERE r.job_id = %s AND NOT EXISTS (SELECT 1 FROM {duties} a "
            "WHERE a.indicator_id = r.indicator_id AND a.partner_id = r.partner_id "
            "AND a.active) GROUP BY r.indicator_id, r.partner_id "
            "ORDER BY r.indicator_id, r.partner_id",
            [job_id],
        )
        return cur.fetchall()


def leave_out_unassigned(job_id: int) -> int:
    """Remove the staged rows of pairs without an active reporting duty; how many."""
    duties = sql.table(ReportingAssignment)
    with sql.cursor() as cur:
        cur.execute(
            f"DELETE FROM {ROWS} WHERE job_id = %s AND NOT EXISTS (SELECT 1 FROM {duties} a "  # noqa: S608
            f"WHERE a.indicator_id = {ROWS}.indicator_id AND a.partner_id = {ROWS}.partner_id "
            "AND a.active)",
            [job_id],
        )
        return cur.rowcount


def overwrites(job_id: int, limit: int) -> tuple[int, list[tuple]]:
    """Staged rows that would change an approved value: (how many, up to `limit` of (row,
    indicator id, partner id, period, breakdown, old value, new value, old numerator, new
    numerator, old denominator, new denominator))."""
    unchanged, params = _unchanged()
    approved = f"o.{sql.column(Observation, 'status')} = %s"
    where = f"r.job_id = %s AND {approved} AND NOT ({unchanged})"
    with sql.cursor() as cur:
        cur.execute(
            f"SELECT COUNT(*) FROM {ROWS} r JOIN {OBS} o ON {KEY} WHERE {where}",  # noqa: S608
            [job_id, ObservationStatus.APPROVED, *params],
        )
        count = cur.fetchone()[0]
        if not count:
            return 0, []
        cur.execute(
            "SELECT r.row, r.indicator_id, r.partner_id, r.period, r.breakdown, "  # noqa: S608
            "o.value, r.value, o.numerator, r.numerator, o.denominator, r.denominator "
            f"FROM {ROWS} r JOIN {OBS} o ON {KEY} WHERE {where} ORDER BY r.row, r.id LIMIT %s",
            [job_id, ObservationStatus.APPROVED, *params, limit],
        )
        return count, cur.fetchall()


def touched_cells(job_id: int, limit: int) -> tuple[int, list[tuple[int, str]]]:
    """(how many, up to `limit` of the (indicator id, period)) the job's staged rows touch."""
    with sql.cursor() as cur:
        cur.execute(
            f"SELECT COUNT(*) FROM (SELECT DISTINCT indicator_id, period FROM {ROWS} "  # noqa: S608
            "WHERE job_id = %s) c",
            [job_id],
        )
        count = cur.fetchone()[0]
        cur.execute(
            f"SELECT DISTINCT indicator_id, period FROM {ROWS} WHERE job_id = %s "  # noqa: S608
            "ORDER BY indicator_id, period LIMIT %s",
            [job_id, limit],
        )
        return count, cur.fetchall()


# --- Undoing a written import ----------------------------------------------------------------
# The values an import wrote are those whose history row was written by it: source "import",
# the initiative, and the single time stamp of its write (`write(at=...)`, kept on the job).


def _mine(alias: str = "h") -> str:
    return (
        f"{alias}.initiative_id = %s AND {alias}.changed_at = %s AND {alias}.source = %s "
        f"AND {alias}.action IN ('created', 'updated')"
    )


def undo_blockers(initiative_id: int, at, limit: int = 5) -> tuple[int, int, list[tuple]]:
    """(the import's history rows, how many of its values were changed since — a later history
    row, or an update without an earlier one to go back to —, up to `limit` of those as
    (observation id, indicator id, partner id, period, breakdown)). On PostgreSQL the values are
    locked first, so no write can slip in between this check and the undo."""
    mine = _mine()
    params = [initiative_id, at, Source.IMPORT]
    later = (
        f"(EXISTS (SELECT 1 FROM {HISTORY} l WHERE l.observation_id = h.observation_id "  # noqa: S608
        "AND l.id > h.id) OR (h.action = 'updated' AND NOT EXISTS (SELECT 1 FROM "
        f"{HISTORY} p WHERE p.observation_id = h.observation_id AND p.id < h.id)))"
    )
    with sql.cursor() as cur:
        if connection.vendor == "postgresql":
            cur.execute(
                f"SELECT o.id FROM {OBS} o WHERE o.id IN (SELECT h.observation_id "  # noqa: S608
                f"FROM {HISTORY} h WHERE {mine}) ORDER BY o.id FOR UPDATE",
                params,
            )
        cur.execute(f"SELECT COUNT(*) FROM {HISTORY} h WHERE {mine}", params)  # noqa: S608
        rows = cur.fetchone()[0]
        cur.execute(
            f"SELECT COUNT(*) FROM {HISTORY} h WHERE {mine} AND {later}",  # noqa: S608
            params,
        )
        changed = cur.fetchone()[0]
        examples = []
        if changed:
            cur.execute(
                "SELECT o.id, o.indicator_id, o.partner_id, o.period, o.breakdown "  # noqa: S608
                f"FROM {HISTORY} h JOIN {OBS} o ON o.id = h.observation_id "
                f"WHERE {mine} AND {later} ORDER BY o.id LIMIT %s",
                [*params, limit],
            )
            examples = cur.fetchall()
    return rows, changed, examples


def undo(initiative_id: int, at, *, now, actor_id: int | None) -> tuple:
    """Put back what an import changed (in the caller's transaction, after `undo_blockers`
    found nothing in the way): values it updated get their previous values, status and source
    again (a history row "restored" each); values it created are deleted. Returns (restored,
    deleted, the touched cells {indicator id: periods}, the touched partner ids)."""
    mine = _mine()
    params = [initiative_id, at, Source.IMPORT]
    previous = (
        f"(SELECT MAX(x.id) FROM {HISTORY} x WHERE x.observation_id = h.observation_id "  # noqa: S608
        "AND x.id < h.id)"
    )
    col = lambda name: sql.column(Observation, name)  # noqa: E731
    changed_by = sql.column(ObservationHistory, "changed_by")
    sets = ", ".join(
        f"{col(name)} = p.{sql.column(ObservationHistory, name)}"
        for name in ("value", "numerator", "denominator", "note", "status", "source")
    )
    cells: dict[int, set[str]] = {}
    partner_ids: set[int] = set()
    with sql.cursor() as cur:
        cur.execute(
            f"SELECT DISTINCT o.indicator_id, o.period, o.partner_id FROM {HISTORY} h "  # noqa: S608
            f"JOIN {OBS} o ON o.id = h.observation_id WHERE {mine}",
            params,
        )
        for ind, period, partner in cur.fetchall():
            cells.setdefault(ind, set()).add(period)
            partner_ids.add(partner)
        cur.execute(
            f"SELECT h.observation_id FROM {HISTORY} h WHERE {mine} "  # noqa: S608
            "AND h.action = 'created' ORDER BY h.observation_id",
            params,
        )
        created = [oid for (oid,) in cur.fetchall()]
        cur.execute(
            f"UPDATE {OBS} SET {sets}, {col('submitted_by')} = p.{changed_by}, "  # noqa: S608
            f"{col('submitted_at')} = p.changed_at, {col('updated_at')} = %s, "
            f"{col('reviewed_by')} = NULL, {col('reviewed_at')} = NULL "
            f"FROM {HISTORY} h JOIN {HISTORY} p ON p.id = {previous} "
            f"WHERE {OBS}.id = h.observation_id AND {mine} AND h.action = 'updated'",
            [now, *params],
        )
        restored = cur.rowcount
        history = sql.fields(ObservationHistory, exclude=("id",))
        exprs = {
            "initiative": "o.initiative_id", "observation": "o.id", "action": "'restored'",
            "value": "o.value", "numerator": "o.numerator", "denominator": "o.denominator",
            "note": "o.note", "status": "o.status", "source": "o.source", "changed_by": "%s",
            "changed_at": "%s",
        }  # fmt: skip
        values = {"changed_by": [actor_id], "changed_at": [now]}
        cur.execute(
            f"INSERT INTO {HISTORY} ({', '.join(f.column for f in history)}) "  # noqa: S608
            f"SELECT {', '.join(exprs[f.name] for f in history)} FROM {HISTORY} h "
            f"JOIN {OBS} o ON o.id = h.observation_id WHERE {mine} AND h.action = 'updated' "
            "ORDER BY o.id",
            [*(p for f in history for p in values.get(f.name, [])), *params],
        )
        for start in range(0, len(created), BATCH):
            ids = sql.int_list(created[start : start + BATCH])
            cur.execute(f"DELETE FROM {HISTORY} WHERE observation_id IN ({ids})")  # noqa: S608
            cur.execute(f"DELETE FROM {OBS} WHERE id IN ({ids})")  # noqa: S608
    return restored, len(created), cells, partner_ids
