"""Pages of touchpoints: series, meetings, agendas drafted from evidence, attendance, minutes,
closing a meeting."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from collective.core.errors import ApplicationError
from collective.core.http import check_perm, initiative_view, paginate, render_page

from .. import selectors, services
from ..choices import AttendanceStatus, MinutesState, OccurrenceStatus
from ..forms import (
    AttendanceForm,
    BacklogForm,
    CancelForm,
    CloseForm,
    CorrectionForm,
    ItemForm,
    MinutesForm,
    MoveForm,
    SeriesForm,
)
from ..models import AgendaItem, Occurrence
from ..recurrence import zone
from .common import form_page, perms, run


@initiative_view("communication.view")
def series_list(request):
    initiative = request.initiative
    series = list(selectors.series_list(initiative).prefetch_related("partners"))
    now = timezone.now()
    upcoming = {}
    for occ in selectors.occurrences_upcoming(initiative, now=now, limit=200):
        upcoming.setdefault(occ.series_id, occ)
    rows = [(s, upcoming.get(s.pk)) for s in series]
    return render_page(
        request,
        "communication/series_list.html",
        {
            **perms(request),
            "rows": rows,
            "to_close": list(selectors.occurrences_to_close(initiative, now=now)[:10]),
            "recent": list(selectors.occurrences_recent(initiative, now=now)),
        },
    )


@initiative_view("communication.manage")
def series_create(request):
    initiative = request.initiative
    form = SeriesForm(request.POST or None, initiative=initiative)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        partners = data.pop("partners")
        try:
            series = services.series_create(
                actor=request.user, initiative=initiative, partners=list(partners), **data
            )
        except ApplicationError as error:
            form.add_service_errors(error)
        else:
            count = series.occurrences.count()
            messages.success(
                request, f"“{series.title}” is planned: {count} meetings in the next year."
            )
            return redirect(series)
    return form_page(
        request,
        form,
        title="Plan a touchpoint",
        purpose="A regular forum — steering group, working group, learning session — with a "
        "cadence everyone can plan around.",
        submit="Plan it",
        cancel="communication:series-list",
    )


@initiative_view("communication.view")
def series_detail(request, uid):
    series = selectors.series_get(request.initiative, uid)
    now = timezone.now()
    occurrences = series.occurrences.order_by("start")
    past = list(occurrences.filter(start__lt=now).order_by("-start")[:12])
    future = list(occurrences.filter(start__gte=now)[:12])
    return render(
        request,
        "communication/series_detail.html",
        {
            **perms(request),
            "series": series,
            "past": past,
            "future": future,
            "backlog": list(series.backlog.filter(scheduled_in__isnull=True)),
            "backlog_form": BacklogForm(),
            "can_run": request.user.has_perm("communication.run_meeting", series),
            "tz": zone(series.time_zone),
        },
    )


@require_POST
@initiative_view("communication.take_part")
def backlog_add(request, uid):
    series = selectors.series_get(request.initiative, uid)
    form = BacklogForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Give the topic a title.")
        return redirect(series)
    return run(
        request,
        lambda: services.backlog_add(actor=request.user, series=series, **form.cleaned_data),
        success="Topic added: the next agenda draft picks it up.",
        fallback=series,
    )


def _occurrence(request, uid, perm="communication.run_meeting"):
    occurrence = selectors.occurrence_get(request.initiative, uid)
    check_perm(request, perm, occurrence)
    return occurrence


@initiative_view("communication.view")
def meeting_detail(request, uid):
    occurrence = selectors.occurrence_get(request.initiative, uid)
    items = list(
        occurrence.items.select_related("outcome", "indicator", "carried_from__occurrence")
    )
    attendance = list(occurrence.attendance.select_related("user", "partner"))
    user = request.user
    context = {
        **perms(request),
        "occurrence": occurrence,
        "series": occurrence.series,
        "items": items,
        "total_minutes": sum(i.minutes_estimate for i in items),
        "present": [a for a in attendance if a.status == AttendanceStatus.PRESENT and a.user],
        "apologies": [a for a in attendance if a.status == AttendanceStatus.APOLOGIES],
        "partners_present": [a.partner for a in attendance if a.partner_id],
        "decisions": list(occurrence.decisions.all()),
        "actions": list(occurrence.actions.select_related("owner", "owner_partner")),
        "corrections": list(occurrence.corrections.select_related("author")),
        "can_run": user.has_perm("communication.run_meeting", occurrence),
        "can_correct": user.has_perm("communication.correct_minutes", occurrence)
        and occurrence.minutes_state == MinutesState.CORRECTIONS,
        "correction_form": CorrectionForm(),
        "tz": zone(occurrence.series.time_zone),
        "is_past": occurrence.start <= timezone.now(),
        "is_late": occurrence.status == OccurrenceStatus.SCHEDULED
        and occurrence.end < timezone.now(),
    }
    return render_page(request, "communication/meeting_detail.html", context, partial="agenda")


@require_POST
@initiative_view("communication.view")
def agenda_draft(request, uid):
    occurrence = _occurrence(request, uid)
    try:
        items = services.agenda_draft(actor=request.user, occurrence=occurrence)
    except ApplicationError as error:
        messages.error(request, error.message)
    else:
        if items:
            messages.success(
                request,
                f"{len(items)} item{'s' if len(items) != 1 else ''} added from the evidence: "
                "edit, reorder or remove them.",
            )
        else:
            messages.info(request, "Nothing new in the evidence: the agenda is up to date.")
    return redirect(occurrence)


@initiative_view("communication.view")
def item_add(request, uid):
    occurrence = _occurrence(request, uid)
    form = ItemForm(request.POST or None, initiative=request.initiative)
    if request.method == "POST" and form.is_valid():
        try:
            services.agenda_item_add(actor=request.user, occurrence=occurrence, **form.cleaned_data)
        except ApplicationError as error:
            form.add_service_errors(error)
        else:
            messages.success(request, "Item added to the agenda.")
            return redirect(occurrence)
    return form_page(
        request,
        form,
        title=f"Add an agenda item — {occurrence}",
        submit="Add item",
        cancel=occurrence.get_absolute_url(),
    )


def _item(request, uid, item_uid):
    occurrence = _occurrence(request, uid)
    item = AgendaItem.objects.filter(occurrence=occurrence, uid=item_uid).first()
    if item is None:
        from django.http import Http404

        raise Http404("No such agenda item.")
    return occurrence, item


@initiative_view("communication.view")
def item_edit(request, uid, item_uid):
    occurrence, item = _item(request, uid, item_uid)
    initial = {
        "title": item.title,
        "notes": item.notes,
        "minutes_estimate": item.minutes_estimate,
        "outcome": item.outcome_id,
        "indicator": item.indicator_id,
    }
    form = ItemForm(request.POST or None, initial=initial, initiative=request.initiative)
    if request.method == "POST" and form.is_valid():
        try:
            services.agenda_item_update(actor=request.user, item=item, **form.cleaned_data)
        except ApplicationError as error:
            form.add_service_errors(error)
        else:
            messages.success(request, "Agenda item saved.")
            return redirect(occurrence)
    return form_page(
        request,
        form,
        title=f"Edit agenda item — {occurrence}",
        submit="Save item",
        cancel=occurrence.get_absolute_url(),
    )


@require_POST
@initiative_view("communication.view")
def item_remove(request, uid, item_uid):
    occurrence, item = _item(request, uid, item_uid)
    return run(
        request,
        lambda: services.agenda_item_remove(actor=request.user, item=item),
        success="Item removed from the agenda.",
        fallback=occurrence,
    )


@initiative_view("communication.view")
def meeting_move(request, uid):
    occurrence = _occurrence(request, uid)
    tz = zone(occurrence.series.time_zone)
    form = MoveForm(
        request.POST or None,
        initial={"start": timezone.localtime(occurrence.start, tz).replace(tzinfo=None)},
    )
    if request.method == "POST" and form.is_valid():
        start = form.cleaned_data["start"].replace(tzinfo=None).replace(tzinfo=tz)
        try:
            services.occurrence_move(
                actor=request.user,
                occurrence=occurrence,
                start=start,
                note=form.cleaned_data["note"],
                location=form.cleaned_data["location"],
            )
        except ApplicationError as error:
            form.add_service_errors(error)
        else:
            messages.success(request, "Meeting moved; everyone invited was told.")
            return redirect(occurrence)
    return form_page(
        request,
        form,
        title=f"Move this meeting — {occurrence}",
        purpose=f"Only this meeting moves; times are in {occurrence.series.time_zone}.",
        submit="Move meeting",
        cancel=occurrence.get_absolute_url(),
    )


@initiative_view("communication.view")
def meeting_cancel(request, uid):
    occurrence = _occurrence(request, uid)
    form = CancelForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.occurrence_cancel(
                actor=request.user, occurrence=occurrence, note=form.cleaned_data["note"]
            )
        except ApplicationError as error:
            form.add_service_errors(error)
        else:
            messages.success(request, "Meeting cancelled; everyone invited was told.")
            return redirect(occurrence)
    return form_page(
        request,
        form,
        title=f"Cancel this meeting — {occurrence}",
        purpose="Only this meeting is cancelled; the series goes on.",
        submit="Cancel meeting",
        cancel=occurrence.get_absolute_url(),
    )


@initiative_view("communication.view")
def attendance(request, uid):
    occurrence = _occurrence(request, uid)
    rows = list(occurrence.attendance.all())
    initial = {
        "present": [a.user_id for a in rows if a.user_id and a.status == AttendanceStatus.PRESENT],
        "apologies": [
            a.user_id for a in rows if a.user_id and a.status == AttendanceStatus.APOLOGIES
        ],
        "partners": [a.partner_id for a in rows if a.partner_id],
    }
    form = AttendanceForm(request.POST or None, initial=initial, initiative=request.initiative)
    if request.method == "POST" and form.is_valid():
        try:
            services.attendance_record(
                actor=request.user,
                occurrence=occurrence,
                present=list(form.cleaned_data["present"]),
                apologies=list(form.cleaned_data["apologies"]),
                partners=list(form.cleaned_data["partners"]),
            )
        except ApplicationError as error:
            form.add_service_errors(error)
        else:
            messages.success(request, "Attendance recorded.")
            return redirect(occurrence)
    return form_page(
        request,
        form,
        title=f"Attendance — {occurrence}",
        purpose="Who took part, by person and by partner.",
        submit="Save attendance",
        cancel=occurrence.get_absolute_url(),
    )


@initiative_view("communication.view")
def minutes_edit(request, uid):
    occurrence = _occurrence(request, uid)
    form = MinutesForm(request.POST or None, initial={"minutes": occurrence.minutes})
    if request.method == "POST" and form.is_valid():
        try:
            services.minutes_save(
                actor=request.user, occurrence=occurrence, minutes=form.cleaned_data["minutes"]
            )
        except ApplicationError as error:
            form.add_service_errors(error)
        else:
            messages.success(request, "Minutes saved.")
            return redirect(occurrence)
    return form_page(
        request,
        form,
        title=f"Minutes — {occurrence}",
        purpose="Draft → open for corrections by attendees → locked.",
        submit="Save minutes",
        cancel=occurrence.get_absolute_url(),
    )


@require_POST
@initiative_view("communication.view")
def minutes_open(request, uid):
    occurrence = _occurrence(request, uid)
    return run(
        request,
        lambda: services.minutes_open_corrections(actor=request.user, occurrence=occurrence),
        success="The minutes are open for corrections; attendees were told.",
        fallback=occurrence,
    )


@require_POST
@initiative_view("communication.view")
def minutes_correct(request, uid):
    occurrence = selectors.occurrence_get(request.initiative, uid)
    if not request.user.has_perm("communication.correct_minutes", occurrence):
        raise PermissionDenied
    form = CorrectionForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Write your correction.")
        return redirect(occurrence)
    return run(
        request,
        lambda: services.minutes_correct(
            actor=request.user, occurrence=occurrence, body=form.cleaned_data["body"]
        ),
        success="Correction sent to the facilitator.",
        fallback=occurrence,
    )


@require_POST
@initiative_view("communication.view")
def minutes_lock(request, uid):
    occurrence = _occurrence(request, uid)
    return run(
        request,
        lambda: services.minutes_lock(actor=request.user, occurrence=occurrence),
        success="The minutes are locked.",
        fallback=occurrence,
    )


@initiative_view("communication.view")
def meeting_close(request, uid):
    occurrence = _occurrence(request, uid)
    items = list(occurrence.items.all())
    form = CloseForm(request.POST or None, items=items)
    if request.method == "POST" and form.is_valid():
        try:
            services.meeting_close(
                actor=request.user, occurrence=occurrence, results=form.results()
            )
        except ApplicationError as error:
            form.add_service_errors(error)
        else:
            unfinished = occurrence.items.exclude(
                result__in=["discussed", "decided", "noted"]
            ).count()
            messages.success(
                request,
                "Meeting closed."
                + (
                    f" {unfinished} unfinished item{'s' if unfinished != 1 else ''} carried over "
                    "to the next meeting."
                    if unfinished
                    else ""
                ),
            )
            return redirect(occurrence)
    return render(
        request,
        "communication/meeting_close.html",
        {**perms(request), "form": form, "occurrence": occurrence, "items": items},
    )


@initiative_view("communication.view")
def meeting_list(request):
    """Every meeting of the initiative, newest first (paginated)."""
    qs = (
        Occurrence.objects.filter(initiative=request.initiative)
        .select_related("series", "initiative")
        .order_by("-start")
    )
    return render_page(
        request,
        "communication/meeting_list.html",
        {**perms(request), "page": paginate(request, qs, 30)},
        partial="rows",
    )
