"""The engine functions the benchmark drives — one place that names them.

Everything measured goes through the engine's own code paths: the import service (check, then
confirm), the roll-up rebuild and status refresh, the services and the API.
"""

from __future__ import annotations

import math
import time
from contextlib import contextmanager
from pathlib import Path


def refresh_all(initiative, actor, *, page_cache_kib: int | None = None) -> int:
    """Recompute every roll-up and status of the initiative with the engine's own service
    (after raw bulk loads, which bypass the services); returns the changed pair count.

    `page_cache_kib`: on SQLite, the connection's page cache while it runs (set-up of very
    large data only; the default 2 MiB makes a 10M-row rebuild re-read its pages for hours)."""
    from django.db import connection

    from collective.measurement import services

    if page_cache_kib is None or connection.vendor != "sqlite":
        return services.rollups_rebuild(actor=actor, initiative=initiative)
    connection.ensure_connection()
    raw = connection.connection
    (default_cache,) = raw.execute("PRAGMA cache_size").fetchone()
    raw.execute(f"PRAGMA cache_size = -{int(page_cache_kib)}")
    try:
        return services.rollups_rebuild(actor=actor, initiative=initiative)
    finally:
        raw.execute(f"PRAGMA cache_size = {int(default_cache)}")


def import_check(initiative, actor, path: Path):
    """Upload a CSV to the import: parse, map columns, validate, build the preview."""
    from django.core.files.uploadedfile import UploadedFile

    from collective.measurement import services

    with path.open("rb") as fh:
        upload = UploadedFile(
            file=fh, name=path.name, content_type="text/csv", size=path.stat().st_size
        )
        job = services.import_start(
            actor=actor, initiative=initiative, uploaded_file=upload, layout="long"
        )
    # Large files are checked by a background task (run in-process here): read its outcome.
    job.refresh_from_db()
    if job.state != "previewed":
        raise RuntimeError(f"the import check ended in state {job.state}: {job.message}")
    return job


def import_summary(job) -> dict:
    from collective.measurement import services

    return services.import_preview(job)


def import_apply(job, actor):
    from collective.measurement import services

    job = services.import_confirm(actor=actor, job=job)
    job.refresh_from_db()
    if job.state != "done":
        raise RuntimeError(f"import ended in state {job.state}: {job.message}")
    return job


def compare_latest(initiative, figures: list[dict]) -> dict:
    """Do the dashboard's stored latest values equal pandas' figures from the CSV?"""
    from collective.measurement.models import IndicatorStatus

    stored = {
        code: (period, value)
        for code, period, value in IndicatorStatus.objects.filter(
            initiative=initiative, scope=None
        ).values_list("indicator__code", "latest_period", "latest_value")
    }
    agree, differ = 0, []
    for fig in figures:
        period, value = stored.get(fig["code"], ("", None))
        same = period == (fig["latest_period"] or "") and (
            (value is None and fig["latest_value"] is None)
            or (
                value is not None
                and fig["latest_value"] is not None
                and math.isclose(float(value), fig["latest_value"], rel_tol=1e-5, abs_tol=1e-5)
            )
        )
        if same:
            agree += 1
        else:
            differ.append(
                {
                    "code": fig["code"],
                    "engine": [period, None if value is None else str(value)],
                    "pandas": [fig["latest_period"], fig["latest_value"]],
                }
            )
    return {"compared": len(figures), "agree": agree, "examples": differ[:5]}


@contextmanager
def stages():
    """Time spent in the engine's roll-up and status refreshes while the block runs:
    {"rollups_s": ..., "status_s": ...} — the rest is parsing, checking and writing values."""
    from collective.measurement.engine import delta, rollups, status

    spent = {"rollups_s": 0.0, "status_s": 0.0}
    # Many values are recomputed (refresh); one value moves the stored rows by difference
    # (apply_change, whose queued writes go out with refresh_series's).
    originals = {
        ("rollups_s", "refresh"): rollups,
        ("rollups_s", "apply_change"): delta,
        ("status_s", "refresh"): status,
        ("status_s", "refresh_series"): status,
    }

    depth = dict.fromkeys(spent, 0)

    def timed(key, fn):
        def wrapper(*args, **kwargs):
            # A fallback of apply_change calls refresh: count the outer call only.
            depth[key] += 1
            start = time.perf_counter()
            try:
                return fn(*args, **kwargs)
            finally:
                depth[key] -= 1
                if not depth[key]:
                    spent[key] += time.perf_counter() - start

        return wrapper

    saved = {(key, name): getattr(module, name) for (key, name), module in originals.items()}
    for (key, name), module in originals.items():
        setattr(module, name, timed(key, saved[(key, name)]))
    try:
        yield spent
    finally:
        for (key, name), module in originals.items():
            setattr(module, name, saved[(key, name)])
        for key in spent:
            spent[key] = round(spent[key], 3)
