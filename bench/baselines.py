"""The two yardsticks every measurement is compared with in the same run.

(a) `raw_insert_csv`: the same CSV rows parsed with the csv module and bulk-inserted with the
    database driver itself (sqlite3 `executemany`, PostgreSQL `COPY`) into a scratch table of
    the observation table's shape — no validation, history, audit or roll-ups: the floor.
(b) `pandas_dashboard` / `pandas_series`: pandas reading the CSV and computing the same figures
    the dashboard and the series endpoint show (collective value per period by the indicator's
    aggregation, latest value, sparkline, target, trend status).
"""

from __future__ import annotations

import csv
import datetime
import time
import uuid
from pathlib import Path

SCRATCH = "bench_raw_observation"


# --- (a) raw bulk insert ---------------------------------------------------------------------


def _scratch_table(
    cursor, vendor: str, table: str, scratch: str = SCRATCH, references: dict | None = None
) -> None:
    """A copy of `table` (columns, defaults, indexes, constraints) named `scratch`;
    `references`: {table: copy} for foreign keys that must point at other copies (SQLite; the
    PostgreSQL copy has no foreign keys)."""
    cursor.execute(f"DROP TABLE IF EXISTS {scratch}")
    if vendor == "postgresql":
        cursor.execute(f"CREATE TABLE {scratch} (LIKE {table} INCLUDING ALL)")
        return
    cursor.execute(
        "SELECT type, sql FROM sqlite_master WHERE tbl_name = %s AND sql IS NOT NULL", [table]
    )
    ddl = cursor.fetchall()
    for kind, sql in sorted(ddl, key=lambda r: r[0] != "table"):
        sql = sql.replace(f'"{table}"', f'"{scratch}"')
        for other, copy in (references or {}).items():
            sql = sql.replace(f'REFERENCES "{other}"', f'REFERENCES "{copy}"')
        if kind == "index":
            # Index names are global in SQLite: give the copies their own.
            name = sql.split('"')[1]
            sql = sql.replace(f'"{name}"', f'"{scratch}_{name}"', 1)
        cursor.execute(sql)


def raw_insert_csv(
    path: Path,
    *,
    initiative_id: int,
    indicator_ids: dict,
    partner_ids: dict,
    period_starts: dict,
    actor_id: int,
    make_uid=uuid.uuid4,
) -> dict:
    """Parse the long-format CSV and bulk-insert its rows with the bare driver; rows/s.

    `make_uid`: uuid.uuid4 as the model does, or `uuid7` to see what time-ordered uids save."""
    from django.db import connection

    from collective.measurement.models import Observation

    table = Observation._meta.db_table
    vendor = connection.vendor
    with connection.cursor() as cursor:
        _scratch_table(cursor, vendor, table)
    columns = [
        "created_at",
        "updated_at",
        "initiative_id",
        "uid",
        "indicator_id",
        "partner_id",
        "period",
        "period_start",
        "breakdown",
        "value",
        "numerator",
        "denominator",
        "note",
        "status",
        "source",
        "submitted_by_id",
        "submitted_at",
        "review_comment",
    ]

    def num(text: str):
        return float(text) if text else None

    start = time.perf_counter()
    now = datetime.datetime.now(datetime.UTC)
    rows = 0
    with path.open(newline="") as fh:
        reader = csv.reader(fh)
        next(reader)
        if vendor == "postgresql":
            raw = connection.connection
            with (
                raw.transaction(),
                raw.cursor() as cur,
                cur.copy(f"COPY {SCRATCH} ({', '.join(columns)}) FROM STDIN") as copy,
            ):
                for code, partner, period, breakdown, value, n, d in reader:
                    copy.write_row(
                        (
                            now,
                            now,
                            initiative_id,
                            make_uid(),
                            indicator_ids[code],
                            partner_ids[partner],
                            period,
                            period_starts[period],
                            breakdown,
                            num(value),
                            num(n),
                            num(d),
                            "",
                            "submitted",
                            "import",
                            actor_id,
                            now,
                            "",
                        )
                    )
                    rows += 1
        else:
            raw = connection.connection
            stamp = now.isoformat()
            marks = ", ".join("?" for _ in columns)
            sql = f"INSERT INTO {SCRATCH} ({', '.join(columns)}) VALUES ({marks})"
            batch = [
                (
                    stamp,
                    stamp,
                    initiative_id,
                    make_uid().hex,
                    indicator_ids[code],
                    partner_ids[partner],
                    period,
                    period_starts[period].isoformat(),
                    breakdown,
                    num(value),
                    num(n),
                    num(d),
                    "",
                    "submitted",
                    "import",
                    actor_id,
                    stamp,
                    "",
                )
                for code, partner, period, breakdown, value, n, d in reader
            ]
            raw.execute("BEGIN")
            raw.executemany(sql, batch)
            raw.execute("COMMIT")
            rows = len(batch)
    seconds = time.perf_counter() - start
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT COUNT(*) FROM {SCRATCH}")
        stored = cursor.fetchone()[0]
        cursor.execute(f"DROP TABLE {SCRATCH}")
    assert stored == rows, (stored, rows)
    return {
        "rows": rows,
        "seconds": round(seconds, 3),
        "rows_per_s": round(rows / seconds),
        "method": "COPY (psycopg)" if vendor == "postgresql" else "executemany (sqlite3)",
    }


def set_based_floor(
    path: Path,
    *,
    initiative_id: int,
    indicator_ids: dict,
    partner_ids: dict,
    period_starts: dict,
    actor_id: int,
    scopes_of: dict,
) -> dict:
    """What the database itself needs for an import with this data model, with no checks and
    no Python per row beyond parsing: the CSV parsed with the csv module, the rows sent to a
    temporary staging table, then inserted into a copy of the observation table with one
    INSERT ... SELECT, one history row each (INSERT ... SELECT), and the sums rolled up for every
    partner subtree and the whole initiative (INSERT ... SELECT ... GROUP BY into a copy of the
    roll-up table). `scopes_of`: {partner id: [the partner and its ancestors' ids]}.

    The floor of any import that keeps history and maintains roll-ups on write."""
    from django.db import connection, transaction

    from collective.measurement.models import Observation, ObservationHistory, Rollup

    vendor = connection.vendor
    tables = {
        "obs": (Observation._meta.db_table, "bench_floor_observation"),
        "history": (ObservationHistory._meta.db_table, "bench_floor_history"),
        "rollup": (Rollup._meta.db_table, "bench_floor_rollup"),
    }
    with connection.cursor() as cursor:
        for table, copy in tables.values():
            _scratch_table(cursor, vendor, table, copy, {tables["obs"][0]: tables["obs"][1]})
        cursor.execute("DROP TABLE IF EXISTS bench_floor_stage")
        cursor.execute("DROP TABLE IF EXISTS bench_floor_pairs")
        cursor.execute(
            "CREATE TEMPORARY TABLE bench_floor_stage (id INTEGER PRIMARY KEY, ind BIGINT, "
            "par BIGINT, period VARCHAR(10), ps DATE, bd VARCHAR(60), v DECIMAL, n DECIMAL, "
            "d DECIMAL)"
        )
        cursor.execute(
            "CREATE TEMPORARY TABLE bench_floor_pairs (pid BIGINT, sid BIGINT, "
            "PRIMARY KEY (pid, sid))"
        )
    obs, history, rollup = (copy for _t, copy in tables.values())
    now = datetime.datetime.now(datetime.UTC)
    at = connection.ops.adapt_datetimefield_value(now)
    uid = (
        "CAST(md5(s.id::text || %s) AS uuid)"
        if vendor == "postgresql"
        else "printf('%%013x%%019x', %s, s.id)"
    )
    stages = {}
    start = time.perf_counter()

    def mark(name, since):
        stages[name] = round(time.perf_counter() - since, 3)
        return time.perf_counter()

    def num(text: str):
        return float(text) if text else None

    with path.open(newline="") as fh:
        reader = csv.reader(fh)
        next(reader)
        starts = {p: connection.ops.adapt_datefield_value(d) for p, d in period_starts.items()}
        rows = [
            (n, indicator_ids[code], partner_ids[partner], period, starts[period], bd,
             num(value), num(nu), num(de))
            for n, (code, partner, period, bd, value, nu, de) in enumerate(reader, start=1)
        ]  # fmt: skip
    t = mark("parse_s", start)
    with transaction.atomic(), connection.cursor() as cursor:
        if vendor == "postgresql":
            with connection.connection.cursor().copy("COPY bench_floor_stage FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
        else:
            cursor.executemany(
                "INSERT INTO bench_floor_stage VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s)", rows
            )
        cursor.executemany(
            "INSERT INTO bench_floor_pairs VALUES (%s, %s)",
            [(pid, sid) for pid, sids in scopes_of.items() for sid in sids],
        )
        t = mark("stage_s", t)
        cursor.execute(
            f"INSERT INTO {obs} (created_at, updated_at, initiative_id, uid, indicator_id, "
            "partner_id, period, period_start, breakdown, value, numerator, denominator, note, "
            "status, source, submitted_by_id, submitted_at, review_comment) "
            f"SELECT %s, %s, %s, {uid}, s.ind, s.par, s.period, s.ps, s.bd, s.v, s.n, s.d, '', "
            "'approved', 'import', %s, %s, '' FROM bench_floor_stage s ORDER BY s.id",
            [at, at, initiative_id, int(time.time() * 1000), actor_id, at],
        )
        t = mark("insert_s", t)
        cursor.execute(
            f"INSERT INTO {history} (initiative_id, observation_id, action, value, numerator, "
            "denominator, note, status, source, changed_by_id, changed_at) "
            "SELECT initiative_id, id, 'created', value, numerator, denominator, note, status, "
            f"source, %s, %s FROM {obs}",
            [actor_id, at],
        )
        t = mark("history_s", t)
        columns = (
            "initiative_id, indicator_id, period, period_start, scope_id, breakdown, value, "
            "numerator, denominator, reporting_partners"
        )
        cursor.execute(
            f"INSERT INTO {rollup} ({columns}) SELECT %s, o.indicator_id, o.period, "
            "MIN(o.period_start), m.sid, '', SUM(o.value), SUM(o.numerator), SUM(o.denominator), "
            f"COUNT(DISTINCT o.partner_id) FROM {obs} o JOIN bench_floor_pairs m "
            "ON m.pid = o.partner_id GROUP BY o.indicator_id, o.period, m.sid",
            [initiative_id],
        )
        cursor.execute(
            f"INSERT INTO {rollup} ({columns}) SELECT %s, o.indicator_id, o.period, "
            "MIN(o.period_start), NULL, '', SUM(o.value), SUM(o.numerator), SUM(o.denominator), "
            f"COUNT(DISTINCT o.partner_id) FROM {obs} o GROUP BY o.indicator_id, o.period",
            [initiative_id],
        )
        t = mark("rollups_s", t)
    seconds = time.perf_counter() - start
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT COUNT(*) FROM {obs}")
        stored = cursor.fetchone()[0]
        cursor.execute(f"SELECT COUNT(*) FROM {rollup}")
        rollup_rows = cursor.fetchone()[0]
        for _table, copy in reversed(tables.values()):  # history before the values it cites
            cursor.execute(f"DROP TABLE {copy}")
        cursor.execute("DROP TABLE bench_floor_stage")
        cursor.execute("DROP TABLE bench_floor_pairs")
    assert stored == len(rows), (stored, len(rows))
    without = seconds - stages["rollups_s"]
    return {
        "rows": len(rows),
        "rollup_rows": rollup_rows,
        "seconds": round(seconds, 3),
        "rows_per_s": round(len(rows) / seconds),
        "rows_per_s_without_rollups": round(len(rows) / without),
        "stages": stages,
    }


# --- (b) pandas ------------------------------------------------------------------------------


def read_observations(paths: list[Path]):
    import pandas as pd

    frames = [
        pd.read_csv(
            p,
            dtype={
                "indicator": "category",
                "partner": "category",
                "period": "category",
                "breakdown": "category",
            },
            keep_default_na=False,
            na_values={"value": [""], "numerator": [""], "denominator": [""]},
        )
        for p in paths
    ]
    return frames[0] if len(frames) == 1 else pd.concat(frames, ignore_index=True)


def collective_series(df, meta: dict):
    """{code: Series indexed by period} of the collective value, by the engine's rules (see
    collective/measurement/engine/rollups.py): ratio = sum of numerators / sum of denominators;
    cumulative = running total; the total of a broken-down indicator aggregates all its rows;
    formulas are evaluated per period over the other indicators' series."""
    import pandas as pd

    df = df.copy()
    for col in ("indicator", "period", "partner"):
        df[col] = df[col].astype(str)
    out = {}
    by_indicator = dict(tuple(df.groupby("indicator", sort=False, observed=True)))
    for code, info in meta.items():
        if info.get("formula"):
            continue
        part = by_indicator.get(code)
        if part is None:
            out[code] = pd.Series(dtype=float)
            continue
        agg = info["aggregation"]
        if agg == "ratio":
            sums = part.groupby("period")[["numerator", "denominator"]].sum()
            if info.get("cumulative"):
                sums = sums.sort_index().cumsum()
            series = sums["numerator"] / sums["denominator"]
            if info.get("percent"):
                series = series * 100
        else:
            # Over every row of the period (all partners, all breakdown values); "last" is the
            # most recently written row, i.e. the last one in file order.
            series = part.groupby("period")["value"].agg(agg)
            if info.get("cumulative"):
                series = series.sort_index().cumsum()
        series = series.sort_index()
        out[code] = series
    for code, info in meta.items():
        if info.get("formula"):
            frame = pd.DataFrame({k: v for k, v in out.items() if k in info["inputs"]})
            out[code] = frame.eval(info["formula"]) if not frame.empty else pd.Series(dtype=float)
    return out


def _status(series, target, target_period_index: int, direction: str) -> str:
    import numpy as np

    points = series.dropna().to_numpy()[-6:]
    if target is None or len(points) == 0:
        return "no_data"
    if len(points) < 2:
        forecast = points[-1]
    else:
        x = np.arange(len(points))
        slope, intercept = np.polyfit(x, points, 1)
        forecast = intercept + slope * (len(points) - 1 + target_period_index)
    if direction == "decrease":
        gap = (forecast - target) / abs(target or 1)
    else:
        gap = (target - forecast) / abs(target or 1)
    if gap <= 0:
        return "on_track"
    return "at_risk" if gap <= 0.1 else "off_track"


def dashboard_figures(df, meta: dict, *, horizon: int = 12) -> list[dict]:
    """Per indicator: latest period and value, sparkline (last 12 periods), target, status."""
    series = collective_series(df, meta)
    rows = []
    for code, info in meta.items():
        s = series.get(code)
        latest = s.dropna() if s is not None else None
        has = latest is not None and len(latest) > 0
        rows.append(
            {
                "code": code,
                "latest_period": latest.index[-1] if has else None,
                "latest_value": float(latest.iloc[-1]) if has else None,
                "sparkline": [float(v) for v in latest.iloc[-12:]] if has else [],
                "target": info.get("target"),
                "status": _status(latest, info.get("target"), horizon, info["direction"])
                if has
                else "no_data",
            }
        )
    return rows


def pandas_dashboard(paths: list[Path], meta: dict) -> dict:
    """Time pandas reading the CSV(s) and computing the dashboard figures."""
    start = time.perf_counter()
    df = read_observations(paths)
    loaded = time.perf_counter()
    figures = dashboard_figures(df, meta)
    done = time.perf_counter()
    return {
        "rows": len(df),
        "read_csv_ms": round((loaded - start) * 1000, 1),
        "compute_ms": round((done - loaded) * 1000, 1),
        "total_ms": round((done - start) * 1000, 1),
        "indicators": len(figures),
        "figures": figures,
        "frame": df,
    }


def pandas_series(df, code: str, meta: dict) -> dict:
    """Compute-only: one indicator's series (collective + per partner + per breakdown) from an
    already-loaded frame."""
    start = time.perf_counter()
    part = df[df["indicator"] == code]
    info = meta[code]
    collective = collective_series(part, {code: info})[code]
    col = "numerator" if info["aggregation"] == "ratio" else "value"
    per_partner = part.groupby(["period", "partner"], observed=True)[col].sum()
    per_breakdown = part.groupby(["period", "breakdown"], observed=True)[col].sum()
    ms = (time.perf_counter() - start) * 1000
    return {
        "ms": round(ms, 2),
        "periods": len(collective),
        "partner_points": len(per_partner),
        "breakdown_points": len(per_breakdown),
    }
