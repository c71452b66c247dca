"""Spreadsheet imports of values, checked before saving: upload, preview, confirm.

`import_start` refuses what it can without parsing (size; an XLSX's declared size and rows,
`upload_limits`), stores the file without reading it whole, and builds the preview: the column
mapping, how many values would be created, updated or left unchanged, every row's errors, and the
warnings of `import_effects`. The file is read as a stream and checked `CHUNK_ROWS` rows at a
time by the same `RowChecker` as every other write; the valid rows are staged in `ImportRow` and
what each would do is worked out in the database (`store.staging.classify`).

`import_confirm` does not read or check the file again. Inside one transaction it writes the
staged rows with set-based SQL (`store.staging.write`: `UPDATE … FROM`, `INSERT … SELECT …
WHERE NOT EXISTS`, their history the same way), records one audit entry and refreshes the
roll-ups and statuses of the touched cells — all or nothing; values saved by someone else since
the preview are simply found at that moment. When the indicators, the partners or the
uploader's entry rights changed since the preview (`fingerprint`), the staged rows may be wrong:
the file is read, checked and staged again and then written the same way, so a stale preview
can never write what the checks would now refuse. Files above `BACKGROUND_BYTES` are checked,
and more than `BACKGROUND_ROWS` values written, by background tasks (defined here, next to the
services that schedule them; `tasks` lists them), which record their progress on the ImportJob.

One import per person runs at a time. The process working on a job holds its lease (`leases`);
`imports_recover` fails the jobs whose process died, and `import_retry` starts them again.
"""

from __future__ import annotations

import datetime
import hashlib
import itertools

from django.contrib.auth import get_user_model
from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from django_tasks import task

from collective.core.audit import audit_record
from collective.core.errors import CONFLICT, ApplicationError
from collective.core.models import Partner

from .. import leases
from ..choices import ImportState, Source
from ..models import ImportJob, ImportRow, Indicator
from ..rules import entry_scope
from ..spreadsheets import cell_text, file_kind, read_rows
from ..store import staging as store
from ..upload_limits import xlsx_declared
from .import_effects import warnings
from .observations import (
    RETRIES,
    BulkResult,
    actor_id,
    bulk_number,
    initial_status,
    refresh,
)
from .validation import RowChecker

MAX_BYTES = 200 * 1024 * 1024
BACKGROUND_BYTES = 256 * 1024  # checking bigger files happens in the background
# A workbook is checked in the request only when its sheet's XML is small too (a 248 KB file can
# hold 64 MB of XML).
BACKGROUND_XML_BYTES = 2 * 1024 * 1024
BACKGROUND_ROWS = 5000  # applying more values than this happens in the background
CHUNK_ROWS = 20000  # rows checked and staged at a time: memory stays flat whatever the file
ACTIVE = (ImportState.UPLOADED, ImportState.QUEUED, ImportState.RUNNING)
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


def _staged_rows(job: ImportJob, good: list, starts: dict) -> list[dict]:
    """The checked rows of a job as staging rows."""
    num = bulk_number()
    adapt = connection.ops.adapt_datefield_value
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
    return rows


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
    left_out = 0
    if (job.mapping or {}).get("unassigned_choice") == "leave_out":
        left_out = store.leave_out_unassigned(job.pk)
        rows -= left_out
    now = timezone.now()
    at = connection.ops.adapt_datetimefield_value(now)
    created, updated, cells, partner_ids = store.write(
        job.pk,
        initiative_id=initiative.pk,
        status=initial_status(actor, initiative),
        actor_id=actor_id(actor),
        at=at,
    )
    counts = {"created": created, "updated": updated, "unchanged": rows - created - updated}
    job.mapping = {**(job.mapping or {}), "written_at": now.isoformat(), "left_out": left_out}
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
    """Record progress on the job (outside a transaction the page polling it sees it at once)."""
    for key, value in fields.items():
        setattr(job, key, value)
    ImportJob.objects.filter(pk=job.pk).update(**fields, updated_at=timezone.now())


def imports_recover(*, initiative=None, user=None) -> int:
    """Fail the jobs marked running whose process died (kill -9, a crash, a restart while
    "Saving…"): the lease is free and the heartbeat older than the lease. Their unfinished write
    was undone by the database, so nothing was saved; the page offers to retry. Called wherever
    jobs are shown or started, so an abandoned job is found the next time anyone looks."""
    cutoff = timezone.now() - datetime.timedelta(seconds=leases.lease_seconds())
    # An upload stays "uploaded" only while its request checks it: older than the lease, that
    # request died too.
    stale = ImportJob.objects.filter(
        state__in=(ImportState.RUNNING, ImportState.UPLOADED), updated_at__lt=cutoff
    )
    if initiative is not None:
        stale = stale.filter(initiative=initiative)
    if user is not None:
        stale = stale.filter(created_by=user)
    failed = 0
    for job in stale.only("id", "uid", "mapping", "updated_at", "state", "initiative_id"):
        if leases.held(str(job.uid)):
            continue  # alive and busy (on SQLite a long save holds back the heartbeat)
        phase = "save" if (job.mapping or {}).get("fingerprint") else "check"
        doing = "saving its values" if phase == "save" else "checking the file"
        message = (
            f"The worker stopped while {doing} (it crashed or was restarted). Nothing was "
            "saved: the unfinished work was undone. Retry the import."
        )
        with transaction.atomic():
            done = ImportJob.objects.filter(
                pk=job.pk, state=job.state, updated_at=job.updated_at
            ).update(
                state=ImportState.FAILED,
                message=message,
                mapping={**(job.mapping or {}), "interrupted": phase},
                finished_at=timezone.now(),
                updated_at=timezone.now(),
            )
            if done:
                audit_record(
                    actor=None,
                    verb="import interrupted",
                    target=job,
                    initiative=job.initiative,
                    changes={"phase": phase},
                )
        if done and phase == "check":
            discard(job)  # rows staged by the interrupted check
        failed += done
    return failed


def _refuse_if_busy(actor, *, job: ImportJob | None = None) -> None:
    """One import at a time per person: the worker is shared, and a second file started while
    the first is checked or saved would only wait behind it. Call inside a transaction."""
    if not getattr(actor, "is_authenticated", False):
        return
    # Lock the person's row, so two uploads at the same moment cannot both pass (PostgreSQL;
    # SQLite's writers are serialised by BEGIN IMMEDIATE already).
    list(get_user_model().objects.select_for_update().filter(pk=actor.pk).values("pk"))
    busy = ImportJob.objects.filter(created_by=actor, state__in=ACTIVE)
    if job is not None:
        busy = busy.exclude(pk=job.pk)
    other = busy.select_related("initiative").first()
    if other is not None:
        raise ApplicationError(
            f"Your import of {other.filename} ({other.initiative.name}) is still "
            f"{other.get_state_display().lower()}: one import runs at a time. Wait until it "
            "has finished, then start this one.",
            errors={"file": ["Another import of yours is still running."]},
            code="busy",
            kind=CONFLICT,
        )


def _declared(uploaded_file, name: str):
    """Refuse what can be refused without parsing: too large, old Excel, a workbook that
    unpacks to too much or declares too many rows. Returns the workbook's declaration (None for
    CSV)."""
    size = getattr(uploaded_file, "size", None) or 0
    if size > MAX_BYTES:
        raise ApplicationError(
            f"The file is larger than {MAX_BYTES // (1024 * 1024)} MB.",
            errors={"file": ["Too large: split it."]},
        )
    head = uploaded_file.read(4)
    uploaded_file.seek(0)
    if file_kind(name, head) == "xlsx":  # refuses .xls early
        return xlsx_declared(uploaded_file)
    return None


def import_start(*, actor, initiative, uploaded_file, layout: str = "long") -> ImportJob:
    """Store an uploaded file and check it — in the request when it is small, else in the
    worker. The upload reaches us on disk (Django writes uploads above
    FILE_UPLOAD_MAX_MEMORY_SIZE to a temporary file) and is stored without being read whole."""
    if layout not in ("long", "wide", "auto"):
        raise ApplicationError("Choose long, wide or auto.", errors={"layout": ["Unknown layout."]})
    if uploaded_file is None:
        raise ApplicationError("Choose a file to import.", errors={"file": ["Required."]})
    name = getattr(uploaded_file, "name", "") or "upload.csv"
    declared = _declared(uploaded_file, name)
    imports_recover(user=actor)
    with transaction.atomic():
        _refuse_if_busy(actor)
        job = ImportJob(
            initiative=initiative,
            created_by=actor if getattr(actor, "is_authenticated", False) else None,
            filename=name.rsplit("/", 1)[-1][:255],
            layout=layout,
            state=ImportState.UPLOADED,
        )
        job.file.save(job.filename, uploaded_file, save=False)  # copied in chunks, or moved
        job.save()
        audit_record(
            actor=actor, verb="uploaded import", target=job, changes={"file": job.filename}
        )
    discard_old(initiative)
    size = getattr(uploaded_file, "size", None) or 0
    heavy = size > BACKGROUND_BYTES or (
        declared is not None and declared.sheet_unpacked > BACKGROUND_XML_BYTES
    )
    if heavy:
        _set(job, state=ImportState.QUEUED, message="Waiting to be checked…")
        transaction.on_commit(lambda: import_check.enqueue(job_id=job.pk))
        return job
    check(job)
    return job


def _lease(job: ImportJob):
    """The lease a process holds while it works on `job` (see `leases`)."""

    def beat() -> None:
        ImportJob.objects.filter(pk=job.pk, state=ImportState.RUNNING).update(
            updated_at=timezone.now()
        )

    return leases.hold(str(job.uid), beat)


def _check_staged(job: ImportJob, progress_share: float = 1.0) -> dict:
    """Read the stored file piece by piece, check every row and stage the valid ones (replacing
    earlier ones); what the preview needs. Memory stays flat: rows are read, checked and staged
    `CHUNK_ROWS` at a time, and duplicates across pieces are found in the staging table."""
    discard(job)
    with job.file.open("rb") as handle:
        mapping, rows = read_rows(handle, job.filename, job.layout)
        # What the checks depend on besides the rows, taken before them: confirming writes the
        # staged rows only while it is unchanged (see `_write_staged`).
        mark = fingerprint(job.initiative, job.created_by)
        checker = RowChecker(job.initiative, job.created_by)
        _set(job, message="Checking every row…")
        values = staged = error_count = invalid_rows = 0
        errors: list[dict] = []
        sample: list[dict] = []
        starts: dict = {}
        while chunk := list(itertools.islice(rows, CHUNK_ROWS)):
            if len(sample) < SAMPLE_ROWS:
                sample += chunk[: SAMPLE_ROWS - len(sample)]
            values += len(chunk)
            good, chunk_errors = checker.check(chunk)
            del chunk
            error_count += len(chunk_errors)
            invalid_rows += len({e["row"] for e in chunk_errors})
            errors += chunk_errors[: MAX_STORED_ERRORS - len(errors)]
            store.stage(_staged_rows(job, good, starts), analyze=False)
            staged += len(good)
            _set(job, processed_rows=int(values * progress_share), total_rows=values)
    store.analyze(staged)
    duplicates, examples = store.duplicates(job.pk, max(1, MAX_STORED_ERRORS - len(errors)))
    if duplicates:
        codes = dict(Indicator.objects.filter(initiative=job.initiative).values_list("id", "code"))
        names = {p.id: p.name for p in checker.partners.values()}
        for row, first, ind, partner, period, bd in examples:
            errors.append(
                {
                    "row": row, "field": "row",
                    "message": f"Duplicate: row {first} already gives {codes.get(ind)} for "
                    f"{names.get(partner)}, {period}{' (' + bd + ')' if bd else ''}.",
                }
            )  # fmt: skip
        errors.sort(key=lambda e: e["row"])
        error_count += duplicates
        invalid_rows += duplicates
        staged -= duplicates
    counts = store.classify(job.pk)
    mapping.update(warnings(job, {p.id: p.name for p in checker.partners.values()}, staged))
    mapping.update(
        {
            "create": counts["created"],
            "update": counts["updated"],
            "unchanged": counts["unchanged"],
            "invalid_rows": invalid_rows,
            "error_count": error_count,
            "values": values,
            "sample": [
                {
                    k: cell_text(v) if not isinstance(v, datetime.date) else v.isoformat()
                    for k, v in r.items()
                }
                for r in sample
            ],
            "fingerprint": mark,
            "staged": staged,
        }
    )
    return {"mapping": mapping, "errors": errors, "values": values}


def _failed(job: ImportJob, exc: ApplicationError) -> None:
    errors = exc.errors.get("rows") or [
        {"row": 1, "field": k, "message": m} for k, ms in exc.errors.items() for m in ms
    ]
    discard(job)
    _set(
        job,
        state=ImportState.FAILED,
        message=exc.message,
        errors=errors[:MAX_STORED_ERRORS],
        finished_at=timezone.now(),
    )


def check(job: ImportJob) -> ImportJob:
    """Read the stored file, check every row and stage the valid ones; build the preview (no
    values are written). Holds the job's lease while it works."""
    with _lease(job):
        _set(job, state=ImportState.RUNNING, message="Reading the file…", processed_rows=0)
        try:
            checked = _check_staged(job)
        except ApplicationError as exc:
            _failed(job, exc)
            return job
        mapping = checked["mapping"]
        _set(
            job,
            mapping=mapping,
            layout=mapping["layout"],
            errors=checked["errors"],
            total_rows=checked["values"],
            processed_rows=checked["values"],
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
        "unassigned": m.get("unassigned", []),
        "unassigned_pairs": m.get("unassigned_pairs", 0),
        "unassigned_values": m.get("unassigned_values", 0),
        "overwrites": m.get("overwrites", []),
        "overwrite_count": m.get("overwrite_count", 0),
        "effect": m.get("effect", []),
        "effect_cells": m.get("effect_cells", 0),
        "effect_skipped": m.get("effect_skipped", False),
    }


UNASSIGNED_CHOICES = ("include", "leave_out")


def import_confirm(
    *, actor, job: ImportJob, only_valid: bool = False, unassigned: str = ""
) -> ImportJob:
    """Save a previewed import. When some values are for partner–indicator pairs with no
    reporting duty, the user must choose: `unassigned="include"` (the warning is accepted) or
    `"leave_out"` (those values are not saved)."""
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
    if m.get("unassigned_values") and unassigned not in UNASSIGNED_CHOICES:
        n = m["unassigned_values"]
        raise ApplicationError(
            f"{n:,} value{'s' if n != 1 else ''} of the file {'are' if n != 1 else 'is'} for "
            "partners with no duty to report that indicator, so nothing was saved. Choose to "
            "import them anyway or to leave them out.",
            errors={"unassigned": ["Import them anyway, or leave them out."]},
        )
    imports_recover(user=job.created_by)
    with transaction.atomic():
        _refuse_if_busy(job.created_by, job=job)
        mapping = {**m, "unassigned_choice": unassigned if m.get("unassigned_values") else ""}
        _set(job, only_valid=only_valid, state=ImportState.QUEUED, processed_rows=0,
             mapping=mapping)  # fmt: skip
        audit_record(
            actor=actor,
            verb="confirmed import",
            target=job,
            changes={
                "only_valid": only_valid,
                "no_duty_values": m.get("unassigned_values", 0),
                "no_duty_choice": mapping["unassigned_choice"],
                "approved_overwritten": m.get("overwrite_count", 0),
            },
        )
    return _schedule_run(job)


def _schedule_run(job: ImportJob) -> ImportJob:
    """Save a queued job's values: in the worker when they are many, else right now."""
    if job.total_rows > BACKGROUND_ROWS:
        _set(job, message="Waiting to be imported…")
        transaction.on_commit(lambda: import_run.enqueue(job_id=job.pk))
        return job
    return run(job)


def import_retry(*, actor, job: ImportJob) -> ImportJob:
    """Start again an import whose worker stopped (see `imports_recover`): check the file again,
    or save the checked values again — the unfinished attempt saved nothing."""
    phase = (job.mapping or {}).get("interrupted")
    if job.state != ImportState.FAILED or not phase:
        raise ApplicationError(
            "Only an import that was interrupted can be retried: upload the file again.",
            code="not_interrupted",
            kind=CONFLICT,
        )
    imports_recover(user=job.created_by)
    with transaction.atomic():
        _refuse_if_busy(job.created_by, job=job)
        mapping = {k: v for k, v in (job.mapping or {}).items() if k != "interrupted"}
        audit_record(actor=actor, verb="retried import", target=job, changes={"phase": phase})
        if phase == "save":
            _set(job, mapping=mapping, state=ImportState.QUEUED, finished_at=None,
                 processed_rows=0)  # fmt: skip
        else:
            _set(job, mapping={}, state=ImportState.QUEUED, message="Waiting to be checked…",
                 finished_at=None, processed_rows=0)  # fmt: skip
            transaction.on_commit(lambda: import_check.enqueue(job_id=job.pk))
    if phase == "save":
        return _schedule_run(job)
    return job


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
    """Apply the checked file (atomically) and record the outcome on the job; holds the job's
    lease while it works.

    The rows staged by the preview are written directly; when the indicators, partners or the
    uploader's rights changed since (or the rows were not staged), the file is read, checked and
    staged again — in pieces, like the preview — and then written the same way. Should it now
    have rows with errors that the user did not agree to skip, nothing is saved."""
    with _lease(job):
        _set(job, state=ImportState.RUNNING, message="Saving the checked values…", processed_rows=0)
        result = _apply_staged(job)
        if result is None:
            result = _check_again_and_apply(job)
            if result is None:
                return job
        _finish(job, result, skipped=(job.mapping or {}).get("invalid_rows", 0))
    return job


def _check_again_and_apply(job: ImportJob):
    _set(job, message="Indicators or partners changed since the preview: checking again…")
    for _attempt in range(RETRIES):
        try:
            checked = _check_staged(job, progress_share=0.5)
        except ApplicationError as exc:
            _failed(job, exc)
            return None
        mapping = checked["mapping"]
        choice = (job.mapping or {}).get("unassigned_choice", "")
        mapping["unassigned_choice"] = choice
        if mapping.get("unassigned_values") and choice not in UNASSIGNED_CHOICES:
            n = mapping["unassigned_values"]
            _failed(
                job,
                ApplicationError(
                    f"Since the preview, {n:,} value{'s' if n != 1 else ''} of the file "
                    f"{'are' if n != 1 else 'is'} for partners with no duty to report them, so "
                    "nothing was saved. Upload the file again to choose what to do with them.",
                    errors={"unassigned": ["Reporting duties changed since the preview."]},
                ),
            )
            return None
        if mapping["error_count"] and not job.only_valid:
            rows = mapping["invalid_rows"]
            _failed(
                job,
                ApplicationError(
                    f"Since the preview, {rows:,} row{'s' if rows != 1 else ''} of the file "
                    f"{'have' if rows != 1 else 'has'} errors (indicators, partners or your "
                    "rights changed), so nothing was saved. Upload the file again to see them.",
                    errors={"rows": checked["errors"]},
                ),
            )
            return None
        _set(job, mapping=mapping, errors=checked["errors"],
             message=f"Saving {mapping['staged']:,} values…")  # fmt: skip
        result = _apply_staged(job)
        if result is not None:
            return result
    _failed(job, ApplicationError("The values kept changing while saving: try again."))
    return None


def _finish(job: ImportJob, result, *, skipped: int) -> None:
    done = result.created + result.updated
    left_out = (job.mapping or {}).get("left_out", 0)
    _set(
        job,
        state=ImportState.DONE,
        created_count=result.created,
        updated_count=result.updated,
        unchanged_count=result.unchanged,
        mapping={**(job.mapping or {}), "skipped": skipped},
        errors=result.errors[:MAX_STORED_ERRORS],
        processed_rows=job.total_rows or result.total,
        total_rows=job.total_rows or result.total,
        finished_at=timezone.now(),
        message=f"Imported {done:,} value{'s' if done != 1 else ''}: {result.created:,} new, "
        f"{result.updated:,} updated, {result.unchanged:,} unchanged"
        + (f"; {skipped:,} row{'s' if skipped != 1 else ''} skipped" if skipped else "")
        + (
            f"; {left_out:,} value{'s' if left_out != 1 else ''} with no reporting duty left out"
            if left_out
            else ""
        )
        + ".",
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
