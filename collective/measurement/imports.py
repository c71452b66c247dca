"""Spreadsheet imports of values: CSV and XLSX, long or wide layout, checked before saving.

Long layout: one row per value with columns indicator, partner, period, breakdown, value (or
numerator and denominator), note. Wide layout: indicator, partner, optional breakdown, then one
column per period (headers are period codes or dates); empty cells are skipped. Column names
are matched with synonyms ("code", "indicator_code", "KPI"...).

`start` stores the file, reads it and builds the preview: the column mapping, how many values
would be created, updated or left unchanged, and every row's errors. `confirm` applies the file
atomically through `services.observations_upsert_bulk` — with errors nothing is saved unless
the user chose to import only the valid rows. Big files are checked and applied by a
background task (`tasks.py`) that records its progress on the ImportJob.
"""

from __future__ import annotations

import csv
import datetime
import re
import zipfile
from collections.abc import Iterator

from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.utils import timezone

from collective.core import spreadsheets
from collective.core.errors import CONFLICT, ApplicationError

from . import periods, staging
from .choices import ImportState, Source
from .models import ImportJob

FIELDS = ["indicator", "partner", "period", "breakdown", "value", "numerator", "denominator",
          "note"]  # fmt: skip
SYNONYMS = {
    "indicator": ["indicator", "code", "indicator_code", "indicator_id", "kpi", "measure",
                  "indicator_name", "metric"],
    "partner": ["partner", "partner_name", "partner_uid", "partner_id", "organisation",
                "organization", "org", "team", "department", "agency"],
    "period": ["period", "period_code", "date", "month", "quarter", "year", "week",
               "reporting_period"],
    "breakdown": ["breakdown", "breakdown_value", "disaggregation", "group", "category",
                  "dimension", "segment"],
    "value": ["value", "actual", "amount", "result", "count", "number", "val"],
    "numerator": ["numerator", "num"],
    "denominator": ["denominator", "denom", "den"],
    "note": ["note", "notes", "comment", "comments", "remark", "remarks"],
}  # fmt: skip
_LOOKUP = {syn: name for name, syns in SYNONYMS.items() for syn in syns}
MAX_BYTES = 200 * 1024 * 1024
BACKGROUND_BYTES = 256 * 1024  # checking bigger files happens in the background
BACKGROUND_ROWS = 5000  # applying more values than this happens in the background
MAX_STORED_ERRORS = 2000
SAMPLE_ROWS = 10
PROGRESS_EVERY = 20000


def _key(header) -> str:
    text = str(header or "").strip().lower()
    return re.sub(r"[\s\-/]+", "_", text).strip("_")


def map_columns(headers: list, layout: str) -> dict:
    """{"layout", "columns": [{"index", "header", "field"}], "periods": [...], "missing": [...]}."""
    columns, period_columns, used = [], [], set()
    for index, header in enumerate(headers):
        field = _LOOKUP.get(_key(header))
        if field and field not in used:
            used.add(field)
            columns.append({"index": index, "header": _text(header), "field": field})
        elif header not in (None, "") and periods.looks_like_period(header):
            label = (
                header.date().isoformat()
                if isinstance(header, datetime.datetime)
                else (header.isoformat() if isinstance(header, datetime.date) else _text(header))
            )
            period_columns.append({"index": index, "header": label, "field": "period:" + label})
        else:
            columns.append({"index": index, "header": _text(header), "field": ""})
    if layout == "auto":
        layout = "wide" if "period" not in used and period_columns else "long"
    if layout == "wide":
        # In wide files a column named like a period field ("Year") is still a period column.
        columns += period_columns
        required = ["indicator", "partner"]
        missing = [f for f in required if f not in used]
        if not period_columns:
            missing.append("period columns (headers like 2026-01, 2026-Q1 or a date)")
    else:
        columns += [{**c, "field": ""} for c in period_columns]
        missing = [f for f in ("indicator", "partner", "period") if f not in used]
        if "value" not in used and not {"numerator", "denominator"} <= used:
            missing.append("value (or numerator and denominator)")
    columns.sort(key=lambda c: c["index"])
    return {"layout": layout, "columns": columns, "missing": missing}


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _cell(value):
    """Cell values as the checker expects them: numbers stay numbers, dates stay dates."""
    if isinstance(value, str):
        value = value.strip()
        return value or None
    return value


# --- Reading files ---------------------------------------------------------------------------


def _kind(filename: str, head: bytes) -> str:
    name = filename.lower()
    if head.startswith(b"PK") or name.endswith((".xlsx", ".xlsm")):
        return "xlsx"
    if name.endswith(".xls"):
        raise ApplicationError(
            "Old Excel files (.xls) cannot be read: save the sheet as .xlsx or CSV.",
            errors={"file": ["Use .xlsx or .csv."]},
        )
    return "csv"


def _csv_rows(fileobj) -> Iterator[list]:
    raw = fileobj.read()
    if b"\x00" in raw:
        raise ApplicationError(
            "This file is not a CSV text file. Export the sheet as CSV (UTF-8) or upload .xlsx.",
            errors={"file": ["Not a text file."]},
        )
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            text = raw.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise ApplicationError(
            "The characters of this CSV file cannot be read. Save it as CSV (UTF-8).",
            errors={"file": ["Unknown text encoding."]},
        )
    first = text[: text.find("\n") if "\n" in text else len(text)]
    delimiter = max([",", ";", "\t"], key=first.count)
    yield from spreadsheets.csv_reader(text, delimiter=delimiter)


def _xlsx_rows(fileobj) -> Iterator[tuple]:
    from openpyxl import load_workbook
    from openpyxl.utils.exceptions import InvalidFileException

    try:
        workbook = load_workbook(fileobj, read_only=True, data_only=True)
    except (InvalidFileException, KeyError, OSError, ValueError, zipfile.BadZipFile) as exc:
        raise ApplicationError(
            "This file is not a readable Excel workbook.", errors={"file": [str(exc)[:200]]}
        ) from exc
    try:
        sheet = workbook.worksheets[0]
        yield from sheet.iter_rows(values_only=True)
    finally:
        workbook.close()


def read_table(fileobj, filename: str) -> tuple[list, Iterator]:
    """(headers, iterator over the data rows) of the first sheet or the CSV file."""
    head = fileobj.read(4)
    fileobj.seek(0)
    kind = _kind(filename, head)
    try:
        rows = _xlsx_rows(fileobj) if kind == "xlsx" else _csv_rows(fileobj)
        for headers in rows:
            if any(v not in (None, "") for v in headers):
                return list(headers), rows
    except csv.Error as exc:
        raise ApplicationError(
            f"The CSV file cannot be read: {exc}.", errors={"file": [str(exc)]}
        ) from exc
    raise ApplicationError("The file is empty.", errors={"file": ["No header row found."]})


def rows_from(fileobj, filename: str, layout: str, progress=None) -> tuple[dict, list[dict]]:
    """The column mapping and the value rows (dicts for the bulk service) of a file."""
    try:
        return _rows_from(fileobj, filename, layout, progress)
    except csv.Error as exc:
        raise ApplicationError(
            f"The CSV file cannot be read: {exc}.", errors={"file": [str(exc)]}
        ) from exc


def _rows_from(fileobj, filename: str, layout: str, progress=None) -> tuple[dict, list[dict]]:
    headers, data = read_table(fileobj, filename)
    mapping = map_columns(headers, layout)
    if mapping["missing"]:
        found = ", ".join(c["header"] for c in mapping["columns"] if c["header"]) or "none"
        raise ApplicationError(
            f"Columns missing: {', '.join(mapping['missing'])}. Columns found: {found}.",
            errors={"file": [f"Missing: {m}." for m in mapping["missing"]]},
        )
    fields = [(c["index"], c["field"]) for c in mapping["columns"] if c["field"]]
    out: list[dict] = []
    append = out.append
    number = 1  # the header row
    if mapping["layout"] == "long":
        has_note = any(name == "note" for _, name in fields)
        for values in data:
            number += 1
            n = len(values)
            row = {"row": number}
            empty = True
            for index, name in fields:
                v = values[index] if index < n else None
                if v is not None and v != "":
                    if isinstance(v, str):
                        v = v.strip()
                        if not v:
                            continue
                    row[name] = v
                    empty = False
            if not empty:
                if has_note and "note" not in row:
                    row["note"] = ""  # a note column with an empty cell clears the note
                append(row)
            if progress and number % PROGRESS_EVERY == 0:
                progress(number)
        return mapping, out
    base = [(i, f) for i, f in fields if not f.startswith("period:")]
    period_cols = [(i, f[7:]) for i, f in fields if f.startswith("period:")]
    for values in data:
        number += 1
        n = len(values)
        common = {"row": number}
        for index, name in base:
            v = _cell(values[index]) if index < n else None
            if v is not None:
                common[name] = v
        for index, header in period_cols:
            v = _cell(values[index]) if index < n else None
            if v is None:
                continue
            append({**common, "period": header, "value": v, "column": header})
        if progress and number % PROGRESS_EVERY == 0:
            progress(number)
    return mapping, out


# --- Jobs ------------------------------------------------------------------------------------


def _set(job: ImportJob, **fields) -> None:
    """Record progress outside any transaction, so the page polling the job sees it."""
    for key, value in fields.items():
        setattr(job, key, value)
    ImportJob.objects.filter(pk=job.pk).update(**fields, updated_at=timezone.now())


def start(*, actor, initiative, uploaded_file, layout: str = "long") -> ImportJob:
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
    _kind(name, head)  # refuses .xls early
    job = ImportJob(
        initiative=initiative,
        created_by=actor if getattr(actor, "is_authenticated", False) else None,
        filename=name.rsplit("/", 1)[-1][:255],
        layout=layout,
        state=ImportState.UPLOADED,
    )
    job.file.save(job.filename, ContentFile(uploaded_file.read()), save=False)
    job.save()
    staging.discard_old(initiative)
    from collective.core.audit import audit_record

    audit_record(actor=actor, verb="uploaded import", target=job, changes={"file": job.filename})
    if size > BACKGROUND_BYTES:
        from .tasks import import_check

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
    from .services import RowChecker

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
    # staged rows only while it is unchanged (see staging.py).
    mark = staging.fingerprint(job.initiative, job.created_by)
    good, errors = RowChecker(job.initiative, job.created_by).check(rows)
    counts = staging.stage(job, good)
    plan = {
        "create": counts["created"],
        "update": counts["updated"],
        "unchanged": counts["unchanged"],
        "errors": errors,
        "invalid_rows": len({e["row"] for e in errors}),
    }
    sample = [
        {k: _text(v) if not isinstance(v, datetime.date) else v.isoformat() for k, v in r.items()}
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


def preview(job: ImportJob) -> dict:
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


def confirm(*, actor, job: ImportJob, only_valid: bool = False) -> ImportJob:
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
        from .tasks import import_run

        _set(job, state=ImportState.QUEUED, message="Waiting to be imported…", processed_rows=0)
        transaction.on_commit(lambda: import_run.enqueue(job_id=job.pk))
        return job
    return run(job)


def _apply_staged(job: ImportJob):
    """Write the rows checked and staged by the preview; None when they are out of date."""
    from .services import RETRIES, BulkResult

    m = job.mapping or {}
    for attempt in range(RETRIES):
        try:
            with transaction.atomic():
                counts = staging.apply(
                    job, job.created_by, expected=m.get("fingerprint", ""), rows=m.get("staged", -1)
                )
            break
        except staging.Stale:
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
    from .services import observations_upsert_bulk

    _set(job, state=ImportState.RUNNING, message="Saving the checked values…", processed_rows=0)
    result = _apply_staged(job)
    if result is not None:
        _finish(job, result, skipped=(job.mapping or {}).get("invalid_rows", 0))
        return job
    staging.discard(job)
    _set(job, message="Reading the file…")
    try:
        _mapping, rows = _read_job(job, progress=lambda n: _set(job, processed_rows=n // 2))
        _set(job, message=f"Saving {len(rows):,} values…", processed_rows=len(rows) // 2)
        result = observations_upsert_bulk(
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


def import_file(*, actor, initiative, fileobj, filename: str, layout: str = "long",
                only_valid: bool = False):  # fmt: skip
    """Read and apply a file in one go, without a job (benchmarks, scripts)."""
    from .services import observations_upsert_bulk

    _mapping, rows = rows_from(fileobj, filename, layout)
    return observations_upsert_bulk(
        actor=actor, initiative=initiative, rows=rows, source=Source.IMPORT, only_valid=only_valid
    )
