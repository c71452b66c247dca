"""Moving values in and out: spreadsheet imports (upload, preview, confirm) and exports."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from collective.core.errors import ApplicationError
from collective.core.http import initiative_view, render_page

from .. import exports, periods, selectors, services
from ..choices import (
    ImportState,
)
from ..forms import (
    ImportForm,
)
from ..models import ImportJob
from .common import (
    P_IMPORT,
    P_MANAGE,
    P_VIEW,
    can,
    initiative_slug,
    partner_or_none,
    posted,
)

# --- Import and export -----------------------------------------------------------------------


@initiative_view(P_IMPORT)
def import_upload(request):
    services.imports_recover(initiative=request.initiative)
    form = ImportForm(posted(request), request.FILES if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            job = services.import_start(
                actor=request.user,
                initiative=request.initiative,
                uploaded_file=form.cleaned_data["file"],
                layout=form.cleaned_data["layout"],
            )
        except ApplicationError as error:
            if any(name in form.fields for name in error.errors or {}):
                form.add_error(None, error.message)  # the whole story; the field the detail
            form.add_service_errors(error)
        else:
            return redirect("measurement:import-detail", slug=initiative_slug(request), uid=job.uid)
    return render(
        request,
        "measurement/import_upload.html",
        {
            "form": form,
            "jobs": list(selectors.import_jobs(request.initiative)[:10]),
        },
        status=400 if form.errors else 200,
    )


def _job(request, uid, *, confirming: bool = False) -> ImportJob:
    """An import of the initiative; only its uploader or the backbone may confirm it."""
    job = get_object_or_404(
        ImportJob.objects.select_related("created_by"), initiative=request.initiative, uid=uid
    )
    if confirming and job.created_by_id != request.user.pk and not can(request, P_MANAGE):
        raise PermissionDenied
    return job


FIELD_MEANINGS = {
    "indicator": "Indicator code",
    "partner": "Partner",
    "period": "Period",
    "breakdown": "Breakdown value",
    "value": "Value",
    "numerator": "Numerator",
    "denominator": "Denominator",
    "note": "Note",
}


def _preview_context(job) -> dict:
    preview = services.import_preview(job)
    mapping_rows = []
    for column in preview["columns"]:
        field = column["field"]
        if field.startswith("period:"):
            meaning = f"Values for {periods.label(field[7:])}"
        else:
            meaning = FIELD_MEANINGS.get(field, "")
        mapping_rows.append((column["header"] or f"(column {column['index'] + 1})", meaning))
    sample_columns: list[str] = []
    for row in preview["sample"]:
        for key in row:
            if key not in sample_columns and key != "column":
                sample_columns.append(key)
    preview.update(
        {
            "mapping_rows": mapping_rows,
            "sample_columns": sample_columns,
            "sample_rows": [[row.get(c, "") for c in sample_columns] for row in preview["sample"]],
            "valid_values": preview["create"] + preview["update"] + preview["unchanged"],
        }
    )
    return preview


@initiative_view(P_IMPORT)
def import_detail(request, uid):
    """One import: its preview (mapping, counts, row errors), its progress, or its result."""
    services.imports_recover(initiative=request.initiative)  # this one, perhaps: read below
    job = _job(request, uid)
    running = job.state in (ImportState.QUEUED, ImportState.RUNNING)
    context = {
        "job": job,
        "running": running,
        "progress": int(job.processed_rows * 100 / job.total_rows) if job.total_rows else 0,
        "can_confirm": job.created_by_id == request.user.pk or can(request, P_MANAGE),
        "layout_label": dict(ImportForm.LAYOUTS).get(job.layout, job.layout),
        "interrupted": (job.mapping or {}).get("interrupted"),
        "skipped": (job.mapping or {}).get("skipped", 0),
        "left_out": (job.mapping or {}).get("left_out", 0),
        "undone": (job.mapping or {}).get("undone"),
    }
    if job.state == ImportState.PREVIEWED:
        context["preview"] = _preview_context(job)
    return render_page(request, "measurement/import_detail.html", context, partial="progress")


@require_POST
@initiative_view(P_IMPORT)
def import_confirm(request, uid):
    job = _job(request, uid, confirming=True)
    only_valid = request.POST.get("only_valid") == "1"
    try:
        job = services.import_confirm(
            actor=request.user,
            job=job,
            only_valid=only_valid,
            unassigned=request.POST.get("unassigned", ""),
        )
    except ApplicationError as error:
        messages.error(request, error.message)
    else:
        if job.state == ImportState.DONE:
            messages.success(
                request,
                f"Imported {job.filename}: {job.created_count} new, {job.updated_count} changed, "
                f"{job.unchanged_count} unchanged.",
            )
    return redirect("measurement:import-detail", slug=initiative_slug(request), uid=job.uid)


@require_POST
@initiative_view(P_IMPORT)
def import_retry(request, uid):
    """Start again an import whose worker stopped while checking or saving it."""
    job = _job(request, uid, confirming=True)
    try:
        job = services.import_retry(actor=request.user, job=job)
    except ApplicationError as error:
        messages.error(request, error.message)
    else:
        if job.state == ImportState.DONE:
            messages.success(request, job.message)
    return redirect("measurement:import-detail", slug=initiative_slug(request), uid=job.uid)


@require_POST
@initiative_view(P_IMPORT)
def import_undo(request, uid):
    """Take a whole import back (its uploader or the backbone), or say why it cannot be."""
    job = _job(request, uid, confirming=True)
    try:
        job = services.import_undo(actor=request.user, job=job)
    except ApplicationError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, f"Import of {job.filename} undone.")
    return redirect("measurement:import-detail", slug=initiative_slug(request), uid=job.uid)


@initiative_view(P_VIEW)
def export(request):
    fmt = request.GET.get("format", "csv")
    layout = request.GET.get("layout", "long")
    if fmt not in ("csv", "xlsx") or layout not in ("long", "wide"):
        return HttpResponse("Choose format csv or xlsx and layout long or wide.", status=400)
    filters = {}
    if request.GET.get("indicator"):
        filters["indicator"] = request.GET["indicator"]
    if request.GET.get("partner"):
        partner = partner_or_none(request, request.GET["partner"])
        if partner is None:
            return HttpResponse("No such partner.", status=400)
        filters["partner"] = partner
    try:
        content, content_type, filename = exports.export(
            initiative=request.initiative, fmt=fmt, layout=layout, **filters
        )
    except ApplicationError as error:
        return HttpResponse(error.message, status=400)
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
