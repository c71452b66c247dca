"""Spreadsheet imports of values, checked before saving: upload, preview, confirm.

`import_start` stores the file, reads it (`spreadsheets`) and builds the preview: the column
mapping, how many values would be created, updated or left unchanged, and every row's errors.
The rows are checked by the same `RowChecker` as every other write, and the valid ones are
staged in `ImportRow`; what each would do is then worked out in the database
(`store.staging.classify`).

`import_confirm` does not read or check the file again. Inside one transaction it writes the
staged rows with set-based SQL (`store.staging.write`: `UPDATE … FROM`, `INSERT … SELECT …
WHERE NOT EXISTS`, their history the same way), records one audit entry and refreshes the
roll-ups and statuses of the touched cells — all or nothing; values saved by someone else since
the preview are simply found at that moment. When the indicators, the partners or the
uploader's entry rights changed since the preview (`fingerprint`), the staged rows may be wrong:
the file is read and checked again and goes through `observations_upsert`, so a stale preview
can never write what the checks would now refuse. Files above `BACKGROUND_BYTES` are checked,
and more than `BACKGROUND_ROWS` values written, by background tasks (defined here, next to the
services that schedule them; `tasks` lists them), which record their progress on the ImportJob.
"""

from __future__ import annotations

import datetime
import hashlib

from django.core.files.base import ContentFile
from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from django_tasks import task

from collective.core.audit import audit_record
from collective.core.errors import CONFLICT, ApplicationError
from collective.core.models import Partner

from ..choices import ImportState, Source
from ..models import ImportJob, ImportRow, Indicator
from ..rules import entry_scope
from ..spreadsheets import cell_text, file_kind, rows_from
from ..store import staging as store
from .observations import (
    RETRIES,
    BulkResult,
    actor_id,
    bulk_number,
    initial_status,
    observations_upsert,
    refresh,
)
from .validation import RowChecker

MAX_BYTES = 200 * 1024 * 1024
BACKGROUND_BYTES = 256 * 1024  # checking bigger files happens in the background
BACKGROUND_ROWS = 5000  # applying more values than this happens in the background
MAX_STORED_ERRORS = 2000
SAMPLE_ROWS = 10
KEEP_DAYS = 7


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


def _stage(job: ImportJob, good: list) -> dict[str, int]:
    """Store the checked rows of a job (replacing earlier ones) and classify them."""
    num = bulk_number()
    adapt = connection.ops.adapt_datefield_value
    starts: dict = {}
    rows = []
    for number, ind, partner, p, bd, clean, note in good:
        start = starts.get(p.code)
        if start is None:
            start = starts[p.code] = adapt(p.start)
        rows.append(
            {
                "job_id": job.pk, "row": number, "indicator_id": ind.id, "partner_id": partner.id,
                "period": p.code, "period_start": start, "breakdown": bd,
                "value": num(clean.value), "numerator": num(clean.numerator),
                "denominator": num(clean.denominator), "note": note or "",
                "has_note": note is not None,
            }
        )  # fmt: skip
    with transaction.atomic():
        ImportRow.objects.filter(job=job).delete()
        store.stage(rows)
        return store.classify(job.pk)


def _write_staged(job: ImportJob, actor, *, expected: str, rows: int) -> dict[str, int]:
    """Write a job's staged rows (caller's transaction); the counts by action.

    Raises Stale when the fingerprint differs from `expected` or the job has not `rows` staged
    rows any more (the caller checks the file again), IntegrityError when a concurrent writer
    created one of the values first (retry)."""
    initiative = job.initiative
    if not expected or fingerprint(initiative, job.created_by) != expected:
        raise Stale
    if store.staged_count(job.pk) != rows:
        raise Stale
    at = connection.ops.adapt_datetimefield_value(timezone.now())
    created, updated, cells, partner_ids = store.write(
        job.pk,
        initiative_id=initiative.pk,
        status=initial_status(actor, initiative),
        actor_id=actor_id(actor),
        at=at,
    )
    counts = {"created": created, "updated": updated, "unchanged": rows - created - updated}
    audit_record(
        actor=actor,
        verb="saved values",
        target=initiative,
        changes={"source": Source.IMPORT, **counts},
    )
    if created or updated:
        refresh(initiative, cells, partner_ids)
    ImportRow.objects.filter(job=job).delete()
    return counts


def discard(job: ImportJob) -> None:
    ImportRow.objects.filter(job=job).delete()


def discard_old(initiative) -> None:
    """Staged rows of previews nobody confirmed within a week (confirming one later reads and
    checks its file again)."""
    since = timezone.now() - datetime.timedelta(days=KEEP_DAYS)
    jobs = ImportJob.objects.filter(initiative=initiative, updated_at__lt=since)
    ImportRow.objects.filter(job__in=jobs).delete()


def _set(job: ImportJob, **fields) -> None:
    """Record progress outside any transaction, so the page polling the job sees it."""
    for key, value in fields.items():
        setattr(job, key, value)
    ImportJob.objects.filter(pk=job.pk).update(**fields, updated_at=timezone.now())


def import_start(*, actor, initiative, uploaded_file, layout: str = "long") -> ImportJob:
    if layout not in ("long", "wide", "auto"):
        raise ApplicationError("Choose long, wide or auto.", errors={"layout": ["Unknown layout."]})
    if uploaded_file is None:
        raise ApplicationError("Choose a file to import.", errors={"file": ["Required."]})
    size = getattr(uploaded_file, "size", None) or 0
    if size > MAX_BYTES:
        raise ApplicationError(
            f"The file is larger than {MAX_BYTES // (1024 * 1024)} MB.",
            errors={"file": ["Too large: split it."]},
        )
    name = getattr(uploaded_file, "name", "") or "upload.csv"
    head = uploaded_file.read(4)
    uploaded_file.seek(0)
    file_kind(name, head)  # refuses .xls early
    job = ImportJob(
        initiative=initiative,
        created_by=actor if getattr(actor, "is_authenticated", False) else None,
        filename=name.rsplit("/", 1)[-1][:255],
        layout=layout,
        state=ImportState.UPLOADED,
    )
    job.file.save(job.filename, ContentFile(uploaded_file.read()), save=False)
    job.save()
    discard_old(initiative)
    audit_record(actor=actor, verb="uploaded import", target=job, changes={"file": job.filename})
    if size > BACKGROUND_BYTES:
        _set(job, state=ImportState.QUEUED, message="Waiting to be checked…")
        transaction.on_commit(lambda: import_check.enqueue(job_id=job.pk))
        return job
    check(job)
    return job


def _read_job(job: ImportJob, progress=None) -> tuple[dict, list[dict]]:
    with job.file.open("rb") as handle:
        return rows_from(handle, job.filename, job.layout, progress=progress)


def check(job: ImportJob) -> ImportJob:
    """Read the stored file, check every row and stage the valid ones; build the preview (no
    values are written)."""
    _set(job, state=ImportState.RUNNING, message="Reading the file…", processed_rows=0)
    try:
        mapping, rows = _read_job(job, progress=lambda n: _set(job, processed_rows=n))
    except ApplicationError as exc:
        _set(job, state=ImportState.FAILED, message=exc.message, errors=[
            {"row": 1, "field": "file", "message": m}
            for messages in exc.errors.values() for m in messages
        ])  # fmt: skip
        return job
    _set(job, message="Checking every row…", total_rows=len(rows))
    # What the checks depend on besides the rows, taken before them: confirming writes the
    # staged rows only while it is unchanged (see `_write_staged`).
    mark = fingerprint(job.initiative, job.created_by)
    good, errors = RowChecker(job.initiative, job.created_by).check(rows)
    counts = _stage(job, good)
    plan = {
        "create": counts["created"],
        "update": counts["updated"],
        "unchanged": counts["unchanged"],
        "errors": errors,
        "invalid_rows": len({e["row"] for e in errors}),
    }
    sample = [
        {
            k: cell_text(v) if not isinstance(v, datetime.date) else v.isoformat()
            for k, v in r.items()
        }
        for r in rows[:SAMPLE_ROWS]
    ]
    mapping.update(
        {
            "create": plan["create"],
            "update": plan["update"],
            "unchanged": plan["unchanged"],
            "invalid_rows": plan["invalid_rows"],
            "error_count": len(plan["errors"]),
            "values": len(rows),
            "sample": sample,
            "fingerprint": mark,
            "staged": len(good),
        }
    )
    _set(
        job,
        mapping=mapping,
        layout=mapping["layout"],
        errors=plan["errors"][:MAX_STORED_ERRORS],
        total_rows=len(rows),
        processed_rows=len(rows),
        state=ImportState.PREVIEWED,
        message=_summary(mapping),
    )
    return job


def _summary(m: dict) -> str:
    parts = [f"{m['create']:,} to create", f"{m['update']:,} to update",
             f"{m['unchanged']:,} unchanged"]  # fmt: skip
    text = ", ".join(parts) + "."
    if m["error_count"]:
        rows = m["invalid_rows"]
        text += f" {rows:,} row{'s' if rows != 1 else ''} with errors."
    return text


def import_preview(job: ImportJob) -> dict:
    """What the page shows before confirming: mapping, counts, errors and a sample."""
    m = job.mapping or {}
    columns = m.get("columns", [])
    return {
        "state": job.state,
        "layout": job.layout,
        "filename": job.filename,
        "columns": columns,
        "mapped": {c["header"]: c["field"] for c in columns if c["field"]},
        "ignored": [c["header"] for c in columns if not c["field"] and c["header"]],
        "create": m.get("create", 0),
        "update": m.get("update", 0),
        "unchanged": m.get("unchanged", 0),
        "values": m.get("values", job.total_rows),
        "invalid_rows": m.get("invalid_rows", 0),
        "error_count": m.get("error_count", len(job.errors or [])),
        "errors": job.errors or [],
        "errors_truncated": m.get("error_count", 0) > len(job.errors or []),
        "sample": m.get("sample", []),
        "message": job.message,
        "progress": {
            "processed": job.processed_rows,
            "total": job.total_rows,
            "percent": round(100 * job.processed_rows / job.total_rows) if job.total_rows else 0,
        },
        "can_confirm": job.state == ImportState.PREVIEWED
        and (m.get("create", 0) + m.get("update", 0)) > 0,
        "needs_choice": bool(m.get("error_count")),
    }


def import_confirm(*, actor, job: ImportJob, only_valid: bool = False) -> ImportJob:
    if job.state != ImportState.PREVIEWED:
        raise ApplicationError(
            f"This import is {job.get_state_display().lower()}: it cannot be confirmed now.",
            code="not_ready",
            kind=CONFLICT,
        )
    m = job.mapping or {}
    if m.get("error_count") and not only_valid:
        rows = m.get("invalid_rows", 0)
        raise ApplicationError(
            f"{rows:,} row{'s' if rows != 1 else ''} of the file {'have' if rows != 1 else 'has'} "
            "errors, so nothing was saved. Fix the file and upload it again, or choose to "
            "import only the valid rows.",
            errors={"only_valid": ["Fix the errors or import only the valid rows."]},
        )
    if m.get("create", 0) + m.get("update", 0) == 0:
        raise ApplicationError("Nothing to import: every value is already there.")
    _set(job, only_valid=only_valid)
    if job.total_rows > BACKGROUND_ROWS:
        _set(job, state=ImportState.QUEUED, message="Waiting to be imported…", processed_rows=0)
        transaction.on_commit(lambda: import_run.enqueue(job_id=job.pk))
        return job
    return run(job)


def _apply_staged(job: ImportJob):
    """Write the rows checked and staged by the preview; None when they are out of date."""
    m = job.mapping or {}
    for attempt in range(RETRIES):
        try:
            with transaction.atomic():
                counts = _write_staged(
                    job, job.created_by, expected=m.get("fingerprint", ""), rows=m.get("staged", -1)
                )
            break
        except Stale:
            return None
        except IntegrityError:
            # Someone saved one of the new values at the same moment: classify again.
            if attempt == RETRIES - 1:
                return None
    return BulkResult(
        created=counts["created"],
        updated=counts["updated"],
        unchanged=counts["unchanged"],
        errors=list(job.errors or []),
        total=job.total_rows,
    )


def run(job: ImportJob) -> ImportJob:
    """Apply the checked file (atomically) and record the outcome on the job.

    The rows staged by the preview are written directly; when the indicators, partners or the
    uploader's rights changed since (or the rows were not staged), the file is read and checked
    again and written through the bulk service."""
    _set(job, state=ImportState.RUNNING, message="Saving the checked values…", processed_rows=0)
    result = _apply_staged(job)
    if result is not None:
        _finish(job, result, skipped=(job.mapping or {}).get("invalid_rows", 0))
        return job
    discard(job)
    _set(job, message="Reading the file…")
    try:
        _mapping, rows = _read_job(job, progress=lambda n: _set(job, processed_rows=n // 2))
        _set(job, message=f"Saving {len(rows):,} values…", processed_rows=len(rows) // 2)
        result = observations_upsert(
            actor=job.created_by,
            initiative=job.initiative,
            rows=rows,
            source=Source.IMPORT,
            only_valid=job.only_valid,
        )
    except ApplicationError as exc:
        errors = exc.errors.get("rows") or [
            {"row": 1, "field": k, "message": m} for k, ms in exc.errors.items() for m in ms
        ]
        _set(
            job,
            state=ImportState.FAILED,
            message=exc.message,
            errors=errors[:MAX_STORED_ERRORS],
            finished_at=timezone.now(),
        )
        return job
    _finish(job, result, skipped=len({e["row"] for e in result.errors}))
    return job


def _finish(job: ImportJob, result, *, skipped: int) -> None:
    done = result.created + result.updated
    _set(
        job,
        state=ImportState.DONE,
        created_count=result.created,
        updated_count=result.updated,
        unchanged_count=result.unchanged,
        errors=result.errors[:MAX_STORED_ERRORS],
        processed_rows=job.total_rows or result.total,
        total_rows=job.total_rows or result.total,
        finished_at=timezone.now(),
        message=f"Imported {done:,} value{'s' if done != 1 else ''}: {result.created:,} new, "
        f"{result.updated:,} updated, {result.unchanged:,} unchanged"
        + (f"; {skipped:,} rows skipped." if skipped else "."),
    )


@task()
def import_check(*, job_id: int) -> str:
    """Read a big uploaded file and build its preview (nothing is written)."""
    job = ImportJob.objects.select_related("initiative", "created_by").get(pk=job_id)
    return check(job).state


@task()
def import_run(*, job_id: int) -> str:
    """Apply a confirmed import atomically, recording progress on the job."""
    job = ImportJob.objects.select_related("initiative", "created_by").get(pk=job_id)
    return run(job).state
