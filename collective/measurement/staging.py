"""Imports through a staging table: checked once, written with set-based SQL.

The preview (`stage`) reads the file, checks every row in Python against lookups loaded once
(`services.RowChecker`, the same checks as every other write) and stores the valid rows in
`ImportRow`; what each row would do (create, update, leave unchanged) is then worked out in the
database by joining the staged rows to the stored values on the unique key.

Confirming (`apply`) does not read or check the file again. Inside one transaction it updates
the stored values the staged rows change (`UPDATE ... FROM`), inserts the new ones
(`INSERT ... SELECT ... WHERE NOT EXISTS`), writes their history rows the same way, records one
audit entry and refreshes the roll-ups and statuses of the touched cells — all or nothing;
values saved by someone else since the preview are simply found at that moment. When the
indicators, the partners or the uploader's entry rights changed since the preview
(`fingerprint`), the staged rows may be wrong, so `apply` refuses and the caller falls back to
reading and checking the file again.
"""

from __future__ import annotations

import datetime
import hashlib

from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from collective.core import ids
from collective.core.audit import audit_record
from collective.core.models import Partner

from . import services
from .choices import ObservationStatus, Source
from .models import ImportJob, ImportRow, Indicator
from .rollups import insert_many
from .rules import entry_scope

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
    digest.update(repr(entry_scope(actor, initiative)).encode())
    return digest.hexdigest()


def _same(a: str, b: str) -> str:
    """SQL: a and b are equal, NULLs included."""
    if connection.vendor == "postgresql":
        return f"{a} IS NOT DISTINCT FROM {b}"
    return f"{a} IS {b}"


def _unchanged() -> str:
    """SQL: the stored value `o` already says what the staged row `r` says (a returned value
    sent again counts as a change: it is submitted anew)."""
    return " AND ".join(
        [
            _same("o.value", "r.value"),
            _same("o.numerator", "r.numerator"),
            _same("o.denominator", "r.denominator"),
            "(NOT r.has_note OR o.note = r.note)",
            f"o.status <> '{ObservationStatus.RETURNED}'",
        ]
    )


def classify(job_id: int) -> dict[str, int]:
    """How many staged rows would create, update or leave unchanged a stored value."""
    unchanged = _unchanged()
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT COUNT(*), COUNT(o.id), "  # noqa: S608
            f"COALESCE(SUM(CASE WHEN o.id IS NOT NULL AND {unchanged} THEN 1 ELSE 0 END), 0) "
            f"FROM {ROW_TABLE} r LEFT JOIN {OBS} o ON {KEY} WHERE r.job_id = %s",
            [job_id],
        )
        staged, found, same = cursor.fetchone()
    return {"created": staged - found, "updated": found - same, "unchanged": same}


def stage(job: ImportJob, good: list, progress=None) -> dict[str, int]:
    """Store the checked rows of a job (replacing earlier ones) and classify them."""
    num = services.bulk_number()
    adapt = connection.ops.adapt_datefield_value
    starts: dict = {}
    sql = (
        f"INSERT INTO {ROW_TABLE} (job_id, row, indicator_id, partner_id, period, "  # noqa: S608
        "period_start, breakdown, value, numerator, denominator, note, has_note) "
        "VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s)"
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
                    insert_many(cursor, sql, batch)
                    batch = []
                    if progress:
                        progress(count)
            if batch:
                insert_many(cursor, sql, batch)
            _analyze(cursor, ROW_TABLE, len(good))
        return classify(job.pk)


def discard(job: ImportJob) -> None:
    ImportRow.objects.filter(job=job).delete()


KEEP_DAYS = 7


def discard_old(initiative) -> None:
    """Staged rows of previews nobody confirmed within a week (confirming one later reads and
    checks its file again)."""
    since = timezone.now() - datetime.timedelta(days=KEEP_DAYS)
    jobs = ImportJob.objects.filter(initiative=initiative, updated_at__lt=since)
    ImportRow.objects.filter(job__in=jobs).delete()


ANALYZE_FROM = 10_000


def _analyze(cursor, table: str, added: int) -> None:
    """PostgreSQL plans the statements that follow a big write from statistics taken before
    it (a table it believes empty gets nested loops over sequential scans): refresh them. Cheap
    (a fixed-size sample) and transactional; SQLite's planner needs no statistics here."""
    if connection.vendor == "postgresql" and added >= ANALYZE_FROM:
        cursor.execute(f"ANALYZE {table}")


def _uid_sql() -> tuple[str, list]:
    """SQL for fresh version-7 uids (`core.ids.uuid7_sql_prefix`: time first, then a random
    base plus the staged row's id), so a big import appends to the uid index."""
    prefix, base = ids.uuid7_sql_prefix()
    if connection.vendor == "postgresql":
        return "CAST(%s || lpad(to_hex(%s::bigint + r.id), 15, '0') AS uuid)", [prefix, base]
    return "%s || printf('%%015x', %s + r.id)", [prefix, base]


def apply(job: ImportJob, actor, *, expected: str, rows: int) -> dict[str, int]:
    """Write a job's staged rows (caller's transaction); the counts by action.

    Raises Stale when the fingerprint differs from `expected` or the job has not `rows` staged
    rows any more (the caller checks the file again), IntegrityError when a concurrent writer
    created one of the values first (retry)."""
    initiative = job.initiative
    if not expected or fingerprint(initiative, job.created_by) != expected:
        raise Stale
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT COUNT(*) FROM {ROW_TABLE} WHERE job_id = %s", [job.pk])  # noqa: S608
        if cursor.fetchone()[0] != rows:
            raise Stale
    now = timezone.now()
    ops = connection.ops
    at = ops.adapt_datetimefield_value(now)
    actor_id = services._actor_id(actor)
    new_status = services._initial_status(actor, initiative)
    uid, uid_params = _uid_sql()
    key = KEY.replace("o.", f"{OBS}.")
    unchanged = _unchanged().replace("o.", f"{OBS}.")
    with connection.cursor() as cursor:
        # Changed values first (so the values inserted next are not taken for changes).
        cursor.execute(
            f"UPDATE {OBS} SET value = r.value, numerator = r.numerator, "  # noqa: S608
            "denominator = r.denominator, "
            f"note = CASE WHEN r.has_note THEN r.note ELSE {OBS}.note END, status = %s, "
            "source = %s, submitted_by_id = %s, submitted_at = %s, updated_at = %s, "
            "reviewed_by_id = NULL, reviewed_at = NULL, review_comment = '' "
            f"FROM {ROW_TABLE} r WHERE r.job_id = %s AND {key} AND NOT ({unchanged})",
            [new_status, Source.IMPORT, actor_id, at, at, job.pk],
        )
        updated = cursor.rowcount
        cursor.execute(
            f"INSERT INTO {OBS} (created_at, updated_at, initiative_id, uid, "  # noqa: S608
            "indicator_id, partner_id, period, period_start, breakdown, value, numerator, "
            "denominator, note, status, source, submitted_by_id, submitted_at, "
            f"review_comment) SELECT %s, %s, %s, {uid}, r.indicator_id, r.partner_id, "
            "r.period, r.period_start, r.breakdown, r.value, r.numerator, r.denominator, "
            f"r.note, %s, %s, %s, %s, '' FROM {ROW_TABLE} r WHERE r.job_id = %s "
            f"AND NOT EXISTS (SELECT 1 FROM {OBS} o WHERE {KEY}) ORDER BY r.id",
            [at, at, initiative.pk, *uid_params, new_status, Source.IMPORT, actor_id, at,
             job.pk],
        )  # fmt: skip
        created = cursor.rowcount
        counts = {"created": created, "updated": updated, "unchanged": rows - created - updated}
        # The values written just now are those of the staged keys stamped with this write.
        written = (
            f"FROM {ROW_TABLE} r JOIN {OBS} o ON {KEY} WHERE r.job_id = %s AND o.updated_at = %s"
        )
        if created or updated:
            cursor.execute(
                f"INSERT INTO {HISTORY} (initiative_id, observation_id, action, value, "
                "numerator, denominator, note, status, source, changed_by_id, changed_at) "
                "SELECT %s, o.id, CASE WHEN o.created_at = %s THEN 'created' ELSE 'updated' END, "
                "o.value, o.numerator, o.denominator, o.note, o.status, o.source, %s, %s "
                f"{written} ORDER BY r.id",
                [initiative.pk, at, actor_id, at, job.pk, at],
            )
            cursor.execute(
                f"SELECT DISTINCT r.indicator_id, r.period {written}",
                [job.pk, at],
            )
            cells: dict[int, set[str]] = {}
            for ind, period in cursor.fetchall():
                cells.setdefault(ind, set()).add(period)
            cursor.execute(f"SELECT DISTINCT r.partner_id {written}", [job.pk, at])
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
        services._refresh(initiative, cells, partner_ids)
    ImportRow.objects.filter(job=job).delete()
    return counts


__all__ = ["IntegrityError", "Stale", "apply", "classify", "discard", "fingerprint", "stage"]
