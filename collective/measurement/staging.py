"""Imports through a staging table: checked once, written with set-based SQL.

The preview (`stage`) reads the file, checks every row in Python against lookups loaded once
(`services.RowChecker`, the same checks as every other write) and stores the valid rows in
`ImportRow`; what each row would do (create, update, leave unchanged) is then worked out in the
database by joining the staged rows to the stored values on the unique key.

Confirming (`apply`) does not read or check the file again. Inside one transaction it
classifies the staged rows once more (values may have changed since the preview), inserts the
new values and updates the changed ones with `INSERT ... SELECT` and `UPDATE ... FROM`, writes
their history rows the same way, records one audit entry and refreshes the roll-ups and
statuses of the touched cells — all or nothing. When the indicators, the partners or the
uploader's entry rights changed since the preview (`fingerprint`), the staged rows may be
wrong, so `apply` refuses and the caller falls back to reading and checking the file again.
"""

from __future__ import annotations

import datetime
import hashlib
import os
import time

from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from collective.core.audit import audit_record
from collective.core.models import Partner

from .choices import ObservationStatus, Source
from .models import ImportJob, ImportRow, Indicator
from .rules import entry_scope_path

ROW_TABLE = ImportRow._meta.db_table
OBS = "measurement_observation"
HISTORY = "measurement_observationhistory"
BATCH = 5000
KEY = (
    "o.indicator_id = r.indicator_id AND o.partner_id = r.partner_id AND o.period = r.period "
    "AND o.breakdown = r.breakdown"
)


class Stale(Exception):
    """The staged rows no longer describe what the file would do: check the file again."""


def fingerprint(initiative, actor) -> str:
    """A digest of everything the checks of a row depend on besides the row itself: the
    initiative's indicators (codes, frequency, breakdowns, ranges, kind, archived), its partners
    (names, tree) and the uploader's entry scope."""
    digest = hashlib.sha256()
    for row in Indicator.objects.filter(initiative=initiative).order_by("id").values_list(
        "id", "code", "frequency", "aggregation", "value_type", "formula", "archived",
        "min_value", "max_value", "breakdown_dimension", "breakdown_values",
    ):  # fmt: skip
        digest.update(repr(row).encode())
    for row in (
        Partner.objects.filter(initiative=initiative)
        .order_by("id")
        .values_list("id", "uid", "name", "short_name", "path")
    ):
        digest.update(repr(row).encode())
    digest.update(repr(entry_scope_path(actor, initiative)).encode())
    return digest.hexdigest()


def _same(a: str, b: str) -> str:
    """SQL: a and b are equal, NULLs included."""
    if connection.vendor == "postgresql":
        return f"{a} IS NOT DISTINCT FROM {b}"
    return f"{a} IS {b}"


def classify(job_id: int, *, fresh: bool = False) -> dict[str, int]:
    """Mark every staged row created / updated / unchanged against the stored values; counts.
    `fresh`: the rows were just staged as 'created' (nothing to reset)."""
    unchanged = " AND ".join(
        [
            _same("o.value", f"{ROW_TABLE}.value"),
            _same("o.numerator", f"{ROW_TABLE}.numerator"),
            _same("o.denominator", f"{ROW_TABLE}.denominator"),
            f"(NOT {ROW_TABLE}.has_note OR o.note = {ROW_TABLE}.note)",
            f"o.status <> '{ObservationStatus.RETURNED}'",
        ]
    )
    key = KEY.replace("r.", f"{ROW_TABLE}.")
    with connection.cursor() as cursor:
        if not fresh:
            cursor.execute(
                f"UPDATE {ROW_TABLE} SET action = 'created', observation_id = NULL "  # noqa: S608
                "WHERE job_id = %s",
                [job_id],
            )
        cursor.execute(
            f"UPDATE {ROW_TABLE} SET observation_id = o.id, action = CASE "  # noqa: S608
            f"WHEN {unchanged} THEN 'unchanged' ELSE 'updated' END "
            f"FROM {OBS} o WHERE {ROW_TABLE}.job_id = %s AND {key}",
            [job_id],
        )
        cursor.execute(
            f"SELECT action, COUNT(*) FROM {ROW_TABLE} WHERE job_id = %s "  # noqa: S608
            "GROUP BY action",
            [job_id],
        )
        counts = dict(cursor.fetchall())
    return {k: counts.get(k, 0) for k in ("created", "updated", "unchanged")}


def stage(job: ImportJob, good: list, progress=None) -> dict[str, int]:
    """Store the checked rows of a job (replacing earlier ones) and classify them."""
    sqlite = connection.vendor == "sqlite"

    def num(x):
        # SQLite stores decimals as numbers anyway: floats skip a text round trip per value.
        return None if x is None else (float(x) if sqlite else x)

    adapt = connection.ops.adapt_datefield_value
    starts: dict = {}
    sql = (
        f"INSERT INTO {ROW_TABLE} (job_id, row, indicator_id, partner_id, period, "  # noqa: S608
        "period_start, breakdown, value, numerator, denominator, note, has_note, action) "
        "VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, 'created')"
    )
    with transaction.atomic():
        ImportRow.objects.filter(job=job).delete()
        with connection.cursor() as cursor:
            batch = []
            for count, (number, ind, partner, p, bd, clean, note) in enumerate(good, start=1):
                start = starts.get(p.code)
                if start is None:
                    start = starts[p.code] = adapt(p.start)
                batch.append(
                    (
                        job.pk, number, ind.id, partner.id, p.code, start, bd,
                        num(clean.value), num(clean.numerator), num(clean.denominator),
                        note or "", note is not None,
                    )
                )  # fmt: skip
                if len(batch) == BATCH:
                    cursor.executemany(sql, batch)
                    batch = []
                    if progress:
                        progress(count)
            if batch:
                cursor.executemany(sql, batch)
        return classify(job.pk, fresh=True)


def discard(job: ImportJob) -> None:
    ImportRow.objects.filter(job=job).delete()


KEEP_DAYS = 7


def discard_old(initiative) -> None:
    """Staged rows of previews nobody confirmed within a week (confirming one later reads and
    checks its file again)."""
    since = timezone.now() - datetime.timedelta(days=KEEP_DAYS)
    jobs = ImportJob.objects.filter(initiative=initiative, updated_at__lt=since)
    ImportRow.objects.filter(job__in=jobs).delete()


def _uid_sql() -> tuple[str, list]:
    """SQL for fresh time-ordered uids (millisecond time first, then a random base plus the
    staged row's id), so a big import appends to the uid index instead of writing all over it."""
    ms = int(time.time() * 1000) & ((1 << 48) - 1)
    prefix = f"{ms:012x}7"
    base = int.from_bytes(os.urandom(8), "big") >> 12  # 52 random bits: room to add row ids
    if connection.vendor == "postgresql":
        return "CAST(%s || lpad(to_hex(%s::bigint + r.id), 19, '0') AS uuid)", [prefix, base]
    return "%s || printf('%%019x', %s + r.id)", [prefix, base]


def apply(job: ImportJob, actor, *, expected: str, rows: int) -> dict[str, int]:
    """Write a job's staged rows (caller's transaction); the counts by action.

    Raises Stale when the fingerprint differs from `expected` or the job has not `rows` staged
    rows any more (the caller checks the file again), IntegrityError when a concurrent writer
    created one of the values first (retry)."""
    from .services import _actor_id, _initial_status, _refresh

    initiative = job.initiative
    if not expected or fingerprint(initiative, job.created_by) != expected:
        raise Stale
    counts = classify(job.pk)
    if sum(counts.values()) != rows:
        raise Stale
    now = timezone.now()
    ops = connection.ops
    at = ops.adapt_datetimefield_value(now)
    actor_id = _actor_id(actor)
    new_status = _initial_status(actor, initiative)
    uid, uid_params = _uid_sql()
    with connection.cursor() as cursor:
        if counts["created"]:
            cursor.execute(
                f"INSERT INTO {OBS} (created_at, updated_at, initiative_id, uid, "  # noqa: S608
                "indicator_id, partner_id, period, period_start, breakdown, value, numerator, "
                "denominator, note, status, source, submitted_by_id, submitted_at, "
                f"review_comment) SELECT %s, %s, %s, {uid}, r.indicator_id, r.partner_id, "
                "r.period, r.period_start, r.breakdown, r.value, r.numerator, r.denominator, "
                f"r.note, %s, %s, %s, %s, '' FROM {ROW_TABLE} r "
                "WHERE r.job_id = %s AND r.action = 'created' ORDER BY r.id",
                [at, at, initiative.pk, *uid_params, new_status, Source.IMPORT, actor_id, at,
                 job.pk],
            )  # fmt: skip
            key = KEY.replace("r.", f"{ROW_TABLE}.")
            cursor.execute(
                f"UPDATE {ROW_TABLE} SET observation_id = o.id FROM {OBS} o "  # noqa: S608
                f"WHERE {ROW_TABLE}.job_id = %s AND {ROW_TABLE}.action = 'created' AND {key}",
                [job.pk],
            )
        if counts["updated"]:
            cursor.execute(
                f"UPDATE {OBS} SET value = r.value, numerator = r.numerator, "  # noqa: S608
                "denominator = r.denominator, "
                f"note = CASE WHEN r.has_note THEN r.note ELSE {OBS}.note END, status = %s, "
                "source = %s, submitted_by_id = %s, submitted_at = %s, updated_at = %s, "
                "reviewed_by_id = NULL, reviewed_at = NULL, review_comment = '' "
                f"FROM {ROW_TABLE} r WHERE r.job_id = %s AND r.action = 'updated' "
                f"AND {OBS}.id = r.observation_id",
                [new_status, Source.IMPORT, actor_id, at, at, job.pk],
            )
        if counts["created"] or counts["updated"]:
            cursor.execute(
                f"INSERT INTO {HISTORY} (initiative_id, observation_id, action, value, "  # noqa: S608
                "numerator, denominator, note, status, source, changed_by_id, changed_at) "
                "SELECT %s, o.id, r.action, o.value, o.numerator, o.denominator, o.note, "
                f"o.status, o.source, %s, %s FROM {ROW_TABLE} r JOIN {OBS} o "
                "ON o.id = r.observation_id WHERE r.job_id = %s "
                "AND r.action IN ('created', 'updated') ORDER BY r.id",
                [initiative.pk, actor_id, at, job.pk],
            )
            cursor.execute(
                f"SELECT DISTINCT indicator_id, period FROM {ROW_TABLE} "  # noqa: S608
                "WHERE job_id = %s AND action IN ('created', 'updated')",
                [job.pk],
            )
            cells: dict[int, set[str]] = {}
            for ind, period in cursor.fetchall():
                cells.setdefault(ind, set()).add(period)
            cursor.execute(
                f"SELECT DISTINCT partner_id FROM {ROW_TABLE} "  # noqa: S608
                "WHERE job_id = %s AND action IN ('created', 'updated')",
                [job.pk],
            )
            partner_ids = {pid for (pid,) in cursor.fetchall()}
    audit_record(
        actor=actor,
        verb="saved values",
        target=initiative,
        changes={
            "source": Source.IMPORT,
            "created": counts["created"],
            "updated": counts["updated"],
            "unchanged": counts["unchanged"],
        },
    )
    if counts["created"] or counts["updated"]:
        _refresh(initiative, cells, partner_ids)
    ImportRow.objects.filter(job=job).delete()
    return counts


__all__ = ["IntegrityError", "Stale", "apply", "classify", "discard", "fingerprint", "stage"]
