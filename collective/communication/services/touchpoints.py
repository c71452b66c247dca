"""Touchpoints: series and their occurrences, agendas drafted from evidence, attendance,
minutes (draft → open for corrections → locked) and closing a meeting."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.db.models import F, Max
from django.utils import timezone

from collective.core.audit import audit_record, diff, snapshot
from collective.core.errors import ApplicationError
from collective.core.models import Membership

from .. import recurrence
from ..choices import (
    FINISHED_OUTCOMES,
    AttendanceStatus,
    Cadence,
    ItemOutcome,
    ItemSource,
    MinutesState,
    NotificationKind,
    OccurrenceStatus,
    TouchpointKind,
)
from ..models import (
    AgendaItem,
    Attendance,
    BacklogTopic,
    MinutesCorrection,
    Occurrence,
    TouchpointSeries,
)
from .common import (
    actor_or_none,
    check_choice,
    check_member,
    check_partner,
    check_same_initiative,
    clean_text,
    link_activity,
)
from .notifications import notify_people
from .webhooks import emit

SERIES_FIELDS = [
    "title",
    "kind",
    "purpose",
    "cadence",
    "rrule",
    "first_date",
    "start_time",
    "time_zone",
    "duration_minutes",
    "facilitator",
    "location",
    "agenda_template",
    "correction_days",
]


def _check_series_input(initiative, data: dict) -> dict:
    data["title"] = clean_text(data.get("title"), "title", required=True, limit=200)
    check_choice(data.get("kind"), TouchpointKind, "kind")
    check_choice(data.get("cadence"), Cadence, "cadence")
    data["purpose"] = clean_text(data.get("purpose"), "purpose")
    data["location"] = clean_text(data.get("location"), "location", limit=300)
    data["agenda_template"] = clean_text(data.get("agenda_template"), "agenda_template")
    recurrence.zone(data.get("time_zone") or "")
    first = data.get("first_start")
    if not isinstance(first, dt.datetime):
        raise ApplicationError(
            "Give the date and time of the first meeting.",
            errors={"first_start": ["Required."]},
        )
    first = first.replace(tzinfo=None, second=0, microsecond=0)
    data["first_date"], data["start_time"] = first.date(), first.time()
    duration = data.get("duration_minutes") or 60
    if not 5 <= int(duration) <= 24 * 60:
        raise ApplicationError(
            "A meeting lasts between 5 minutes and a day.",
            errors={"duration_minutes": ["Between 5 and 1,440 minutes."]},
        )
    data["duration_minutes"] = int(duration)
    data["rrule"] = recurrence.rule_for(data["cadence"], first, data.get("rrule") or "")
    days = data.get("correction_days", 5)
    if not 0 <= int(days) <= 60:
        raise ApplicationError(
            "Corrections stay open for 0 to 60 days.",
            errors={"correction_days": ["Between 0 and 60."]},
        )
    if data.get("facilitator") is not None:
        check_member(initiative, data["facilitator"], "facilitator")
    return data


def series_create(*, actor, initiative, partners=(), members=(), **fields) -> TouchpointSeries:
    data = _check_series_input(initiative, {"correction_days": 5, **fields})
    data.pop("first_start")
    for partner in partners:
        check_partner(initiative, partner, "partners")
    for member in members:
        check_member(initiative, member, "members")
    with transaction.atomic():
        series = TouchpointSeries.objects.create(initiative=initiative, **data)
        series.partners.set(partners)
        series.members.set(members)
        created = occurrences_extend(series)
        audit_record(
            actor=actor,
            verb="created",
            target=series,
            changes={**snapshot(series, ["kind", "rrule", "time_zone"]), "occurrences": created},
        )
    return series


def series_update(
    *, actor, series: TouchpointSeries, partners=None, members=None, **fields
) -> TouchpointSeries:
    unknown = set(fields) - set(SERIES_FIELDS) - {"first_start"}
    if unknown:
        raise ApplicationError(f"Cannot change {', '.join(sorted(unknown))}.")
    current = {name: getattr(series, name) for name in SERIES_FIELDS}
    current["first_start"] = series.first_start
    if fields.get("cadence", current["cadence"]) != Cadence.CUSTOM and "rrule" not in fields:
        fields["rrule"] = ""
    data = _check_series_input(series.initiative, {**current, **fields})
    data.pop("first_start")
    before = snapshot(series, SERIES_FIELDS)
    timing = ("rrule", "first_date", "start_time", "time_zone", "duration_minutes")
    with transaction.atomic():
        for name, value in data.items():
            setattr(series, name, value)
        changes = diff(before, snapshot(series, SERIES_FIELDS))
        if partners is not None:
            series.partners.set(partners)
        if members is not None:
            series.members.set(members)
        if changes:
            series.sequence = F("sequence") + 1
            series.save()
            series.refresh_from_db(fields=["sequence"])
            if any(name in changes for name in timing):
                _replan(series)
            audit_record(actor=actor, verb="updated", target=series, changes=changes)
    return series


def _replan(series: TouchpointSeries) -> None:
    """After the timing changed: future occurrences nobody touched are planned again."""
    now = timezone.now()
    untouched = series.occurrences.filter(
        start__gt=now, status=OccurrenceStatus.SCHEDULED, start=F("original_start")
    ).exclude(items__isnull=False)
    untouched.delete()
    occurrences_extend(series, since=now)


def occurrences_extend(
    series: TouchpointSeries, until: dt.datetime | None = None, since: dt.datetime | None = None
) -> int:
    """Create the occurrences the rule gives up to the horizon (idempotent)."""
    if series.ended:
        return 0
    tz = recurrence.zone(series.time_zone)
    until = until or timezone.now() + dt.timedelta(days=recurrence.HORIZON_DAYS)
    start_local = series.first_start
    if since is not None:
        start_local = max(start_local, timezone.localtime(since, tz).replace(tzinfo=None))
    end_local = timezone.localtime(until, tz).replace(tzinfo=None)
    existing = set(series.occurrences.values_list("original_start", flat=True))
    duration = dt.timedelta(minutes=series.duration_minutes)
    rows = []
    for local in recurrence.local_starts(series.rrule, series.first_start, start_local, end_local):
        start = recurrence.aware(local, tz)
        if start in existing:
            continue
        rows.append(
            Occurrence(
                initiative_id=series.initiative_id,
                series=series,
                original_start=start,
                start=start,
                end=start + duration,
                location=series.location,
            )
        )
    Occurrence.objects.bulk_create(rows, ignore_conflicts=True)
    return len(rows)


def _bump(occurrence: Occurrence) -> None:
    occurrence.sequence += 1
    TouchpointSeries.objects.filter(pk=occurrence.series_id).update(sequence=F("sequence") + 1)


def occurrence_cancel(*, actor, occurrence: Occurrence, note: str = "") -> Occurrence:
    if occurrence.status != OccurrenceStatus.SCHEDULED:
        raise ApplicationError(
            f"This meeting is {occurrence.get_status_display().lower()} and cannot be cancelled.",
            code="conflict",
        )
    note = clean_text(note, "note", limit=300)
    with transaction.atomic():
        occurrence.status = OccurrenceStatus.CANCELLED
        occurrence.note = note
        _bump(occurrence)
        occurrence.save(update_fields=["status", "note", "sequence", "updated_at"])
        audit_record(actor=actor, verb="cancelled", target=occurrence, changes={"note": note})
        notify_people(
            initiative=occurrence.initiative,
            users=_invitees(occurrence),
            kind=NotificationKind.MEETING,
            title=f"Cancelled: {occurrence.series.title} on "
            f"{_local(occurrence, occurrence.start):%d %b}",
            body=note,
            url=occurrence.get_absolute_url(),
            target=occurrence,
            actor=actor,
        )
    return occurrence


def occurrence_move(
    *, actor, occurrence: Occurrence, start: dt.datetime, note: str = "", location: str = ""
) -> Occurrence:
    if occurrence.status != OccurrenceStatus.SCHEDULED:
        raise ApplicationError(
            f"This meeting is {occurrence.get_status_display().lower()} and cannot be moved.",
            code="conflict",
        )
    if start is None or timezone.is_naive(start):
        raise ApplicationError("Give the new date and time.", errors={"start": ["Required."]})
    if start < timezone.now():
        raise ApplicationError(
            "A meeting cannot be moved into the past.", errors={"start": ["Choose a later time."]}
        )
    note = clean_text(note, "note", limit=300)
    before = snapshot(occurrence, ["start", "location"])
    with transaction.atomic():
        duration = occurrence.end - occurrence.start
        occurrence.start, occurrence.end = start, start + duration
        occurrence.note = note
        if location:
            occurrence.location = clean_text(location, "location", limit=300)
        _bump(occurrence)
        occurrence.save()
        audit_record(
            actor=actor,
            verb="moved",
            target=occurrence,
            changes=diff(before, snapshot(occurrence, ["start", "location"])),
        )
        notify_people(
            initiative=occurrence.initiative,
            users=_invitees(occurrence),
            kind=NotificationKind.MEETING,
            title=f"Moved: {occurrence.series.title} is now on "
            f"{_local(occurrence, start):%d %b at %H:%M}",
            body=note,
            url=occurrence.get_absolute_url(),
            target=occurrence,
            actor=actor,
        )
    return occurrence


def _local(occurrence: Occurrence, when: dt.datetime) -> dt.datetime:
    return timezone.localtime(when, recurrence.zone(occurrence.series.time_zone))


def _invitees(occurrence: Occurrence) -> list:
    series = occurrence.series
    people = list(series.members.all())
    partner_ids = list(series.partners.values_list("pk", flat=True))
    if partner_ids:
        people += [
            m.user
            for m in Membership.objects.filter(
                initiative_id=series.initiative_id, partner_id__in=partner_ids
            ).select_related("user")
        ]
    if series.facilitator_id:
        people.append(series.facilitator)
    return people


# --- Agenda ----------------------------------------------------------------------------------


def _next_order(occurrence: Occurrence) -> int:
    return (occurrence.items.aggregate(n=Max("order"))["n"] or 0) + 1


def agenda_draft(*, actor, occurrence: Occurrence, today: dt.date | None = None) -> list:
    """Add to the agenda what the evidence says needs attention (nothing twice)."""
    from ..selectors import agenda_evidence

    if occurrence.status != OccurrenceStatus.SCHEDULED:
        raise ApplicationError(
            "Only the agenda of a meeting still to be held can be drafted.", code="conflict"
        )
    present = set(occurrence.items.exclude(source_key="").values_list("source_key", flat=True))
    found = [e for e in agenda_evidence(occurrence, today=today) if e["key"] not in present]
    with transaction.atomic():
        order = _next_order(occurrence)
        items = []
        if not occurrence.items.exists() and occurrence.series.agenda_template:
            for line in occurrence.series.agenda_template.splitlines():
                line = line.strip().lstrip("-*").strip()
                if line:
                    items.append(
                        AgendaItem(
                            initiative_id=occurrence.initiative_id,
                            occurrence=occurrence,
                            order=order,
                            title=line[:300],
                            source=ItemSource.MANUAL,
                        )
                    )
                    order += 1
        for evidence in found:
            item = AgendaItem(
                initiative_id=occurrence.initiative_id,
                occurrence=occurrence,
                order=order,
                title=evidence["title"][:300],
                notes=evidence.get("notes", ""),
                source=evidence["source"],
                source_key=evidence["key"],
                outcome=evidence.get("outcome"),
                indicator=evidence.get("indicator"),
            )
            if evidence.get("activity_type"):
                item.activity_type = evidence["activity_type"]
                item.activity_id = evidence["activity_id"]
                item.activity_title = evidence["activity_title"]
            items.append(item)
            order += 1
        AgendaItem.objects.bulk_create(items)
        backlog = [e["backlog_id"] for e in found if e.get("backlog_id")]
        if backlog:
            BacklogTopic.objects.filter(pk__in=backlog).update(scheduled_in=occurrence)
        occurrence.agenda_drafted_at = timezone.now()
        _bump(occurrence)
        occurrence.save(update_fields=["agenda_drafted_at", "sequence", "updated_at"])
        audit_record(
            actor=actor,
            verb="drafted the agenda of",
            target=occurrence,
            changes={"items_added": len(items)},
        )
    return items


def agenda_item_add(
    *,
    actor,
    occurrence: Occurrence,
    title: str,
    notes: str = "",
    minutes_estimate: int = 10,
    outcome=None,
    indicator=None,
    activity=None,
) -> AgendaItem:
    title = clean_text(title, "title", required=True, limit=300)
    notes = clean_text(notes, "notes")
    if occurrence.is_closed or occurrence.is_cancelled:
        raise ApplicationError(
            "The meeting is closed or cancelled: its agenda cannot change.", code="conflict"
        )
    check_same_initiative(occurrence.initiative, outcome, "outcome")
    check_same_initiative(occurrence.initiative, indicator, "indicator")
    with transaction.atomic():
        item = AgendaItem(
            initiative_id=occurrence.initiative_id,
            occurrence=occurrence,
            order=_next_order(occurrence),
            title=title,
            notes=notes,
            minutes_estimate=max(1, min(int(minutes_estimate or 10), 480)),
            outcome=outcome,
            indicator=indicator,
        )
        link_activity(item, activity)
        item.save()
        audit_record(actor=actor, verb="added", target=item, changes={"title": title})
    return item


def agenda_item_update(*, actor, item: AgendaItem, **fields) -> AgendaItem:
    allowed = {"title", "notes", "minutes_estimate", "outcome", "indicator", "order"}
    unknown = set(fields) - allowed
    if unknown:
        raise ApplicationError(f"Cannot change {', '.join(sorted(unknown))}.")
    if item.occurrence.is_closed:
        raise ApplicationError("The meeting is closed: its agenda cannot change.", code="conflict")
    if "title" in fields:
        fields["title"] = clean_text(fields["title"], "title", required=True, limit=300)
    if "notes" in fields:
        fields["notes"] = clean_text(fields["notes"], "notes")
    check_same_initiative(item.initiative, fields.get("outcome"), "outcome")
    check_same_initiative(item.initiative, fields.get("indicator"), "indicator")
    names = sorted(fields)
    before = snapshot(item, names)
    with transaction.atomic():
        for name, value in fields.items():
            setattr(item, name, value)
        changes = diff(before, snapshot(item, names))
        if changes:
            item.save()
            audit_record(actor=actor, verb="updated", target=item, changes=changes)
    return item


def agenda_item_remove(*, actor, item: AgendaItem) -> None:
    if item.occurrence.is_closed:
        raise ApplicationError("The meeting is closed: its agenda cannot change.", code="conflict")
    with transaction.atomic():
        BacklogTopic.objects.filter(scheduled_in=item.occurrence, title=item.title).update(
            scheduled_in=None
        )
        audit_record(actor=actor, verb="removed", target=item, changes={"title": item.title})
        item.delete()


def backlog_add(*, actor, series: TouchpointSeries, title: str, note: str = "") -> BacklogTopic:
    title = clean_text(title, "title", required=True, limit=300)
    with transaction.atomic():
        topic = BacklogTopic.objects.create(
            initiative_id=series.initiative_id,
            series=series,
            title=title,
            note=clean_text(note, "note"),
            added_by=actor_or_none(actor),
        )
        audit_record(actor=actor, verb="added a topic to", target=series, changes={"topic": title})
    return topic


# --- Attendance, minutes, closing ------------------------------------------------------------


def attendance_record(
    *, actor, occurrence: Occurrence, present=(), apologies=(), partners=()
) -> list[Attendance]:
    initiative = occurrence.initiative
    for user in [*present, *apologies]:
        check_member(initiative, user, "present")
    for partner in partners:
        check_partner(initiative, partner, "partners")
    rows = [
        Attendance(
            initiative=initiative,
            occurrence=occurrence,
            user=u,
            status=AttendanceStatus.PRESENT,
        )
        for u in present
    ]
    rows += [
        Attendance(
            initiative=initiative,
            occurrence=occurrence,
            user=u,
            status=AttendanceStatus.APOLOGIES,
        )
        for u in apologies
        if u not in present
    ]
    rows += [
        Attendance(
            initiative=initiative,
            occurrence=occurrence,
            partner=p,
            status=AttendanceStatus.PRESENT,
        )
        for p in partners
    ]
    with transaction.atomic():
        occurrence.attendance.all().delete()
        created = Attendance.objects.bulk_create(rows)
        audit_record(
            actor=actor,
            verb="recorded attendance of",
            target=occurrence,
            changes={
                "present": len(list(present)),
                "apologies": len(list(apologies)),
                "partners": len(list(partners)),
            },
        )
    return created


def minutes_save(*, actor, occurrence: Occurrence, minutes: str) -> Occurrence:
    minutes = clean_text(minutes, "minutes", limit=100_000)
    if occurrence.minutes_state == MinutesState.LOCKED:
        raise ApplicationError(
            "The minutes are locked and can no longer change.",
            errors={"minutes": ["Locked."]},
            code="conflict",
        )
    if occurrence.is_cancelled:
        raise ApplicationError("A cancelled meeting has no minutes.", code="conflict")
    before = snapshot(occurrence, ["minutes"])
    with transaction.atomic():
        occurrence.minutes = minutes
        changes = diff(before, snapshot(occurrence, ["minutes"]))
        if changes:
            occurrence.save(update_fields=["minutes", "updated_at"])
            audit_record(
                actor=actor, verb="edited the minutes of", target=occurrence, changes=changes
            )
    return occurrence


def attendees(occurrence: Occurrence) -> list:
    return [
        a.user
        for a in occurrence.attendance.filter(
            user__isnull=False, status=AttendanceStatus.PRESENT
        ).select_related("user")
    ]


def minutes_open_corrections(*, actor, occurrence: Occurrence) -> Occurrence:
    if occurrence.minutes_state != MinutesState.DRAFT:
        raise ApplicationError(
            f"The minutes are {occurrence.get_minutes_state_display().lower()}.", code="conflict"
        )
    if not occurrence.minutes.strip():
        raise ApplicationError(
            "Write the minutes before asking attendees to correct them.",
            errors={"minutes": ["Write the minutes first."]},
        )
    days = occurrence.series.correction_days
    with transaction.atomic():
        occurrence.minutes_state = MinutesState.CORRECTIONS
        occurrence.corrections_until = timezone.now() + dt.timedelta(days=days)
        occurrence.save(update_fields=["minutes_state", "corrections_until", "updated_at"])
        audit_record(
            actor=actor,
            verb="opened the minutes for corrections",
            target=occurrence,
            changes={"corrections_until": occurrence.corrections_until},
        )
        notify_people(
            initiative=occurrence.initiative,
            users=attendees(occurrence),
            kind=NotificationKind.MEETING,
            title=f"Minutes to check: {occurrence}",
            body=f"Send corrections within {days} days.",
            url=occurrence.get_absolute_url(),
            target=occurrence,
            actor=actor,
        )
    return occurrence


def minutes_correct(*, actor, occurrence: Occurrence, body: str) -> MinutesCorrection:
    body = clean_text(body, "body", required=True, limit=5000, label="correction")
    if occurrence.minutes_state != MinutesState.CORRECTIONS:
        raise ApplicationError("The minutes are not open for corrections.", code="conflict")
    if occurrence.corrections_until and occurrence.corrections_until < timezone.now():
        raise ApplicationError("The time for corrections has passed.", code="conflict")
    with transaction.atomic():
        correction = MinutesCorrection.objects.create(
            initiative=occurrence.initiative, occurrence=occurrence, author=actor, body=body
        )
        audit_record(
            actor=actor, verb="suggested a correction to", target=occurrence, changes={"body": body}
        )
        facilitator = occurrence.series.facilitator
        notify_people(
            initiative=occurrence.initiative,
            users=[facilitator] if facilitator else [],
            kind=NotificationKind.MEETING,
            title=f"A correction to the minutes of {occurrence}",
            body=body,
            url=occurrence.get_absolute_url(),
            target=occurrence,
            actor=actor,
        )
    return correction


def minutes_lock(*, actor, occurrence: Occurrence) -> Occurrence:
    if occurrence.minutes_state == MinutesState.LOCKED:
        raise ApplicationError("The minutes are already locked.", code="conflict")
    if not occurrence.minutes.strip():
        raise ApplicationError(
            "There are no minutes to lock.", errors={"minutes": ["Write the minutes first."]}
        )
    with transaction.atomic():
        previous = occurrence.minutes_state
        occurrence.minutes_state = MinutesState.LOCKED
        occurrence.minutes_locked_at = timezone.now()
        occurrence.save(update_fields=["minutes_state", "minutes_locked_at", "updated_at"])
        audit_record(
            actor=actor,
            verb="locked the minutes of",
            target=occurrence,
            changes={"minutes_state": {"from": previous, "to": MinutesState.LOCKED}},
        )
    return occurrence


def meeting_close(*, actor, occurrence: Occurrence, results: dict | None = None) -> Occurrence:
    """Record each item's result; unfinished items carry over to the next meeting of the
    series with their history; the meeting is closed."""
    if occurrence.status != OccurrenceStatus.SCHEDULED:
        raise ApplicationError(
            f"This meeting is {occurrence.get_status_display().lower()}.", code="conflict"
        )
    if occurrence.start > timezone.now():
        raise ApplicationError(
            "A meeting can be closed once it has started.",
            errors={"__all__": ["Wait until the meeting has taken place."]},
            code="conflict",
        )
    results = results or {}
    items = list(occurrence.items.all())
    by_uid = {str(i.uid): i for i in items}
    for key, (result, _note) in results.items():
        if str(key) not in by_uid:
            raise ApplicationError("An agenda item is not part of this meeting.")
        check_choice(result, ItemOutcome, "result")
    with transaction.atomic():
        for uid, (result, note) in results.items():
            item = by_uid[str(uid)]
            item.result, item.result_note = result, clean_text(note, "result_note", limit=5000)
        for item in items:
            if item.result == ItemOutcome.OPEN:
                item.result = ItemOutcome.UNFINISHED
        AgendaItem.objects.bulk_update(items, ["result", "result_note"])
        carried = _carry_over(occurrence, [i for i in items if i.result not in FINISHED_OUTCOMES])
        occurrence.status = OccurrenceStatus.CLOSED
        occurrence.closed_at = timezone.now()
        occurrence.closed_by = actor_or_none(actor)
        occurrence.save(update_fields=["status", "closed_at", "closed_by", "updated_at"])
        audit_record(
            actor=actor,
            verb="closed",
            target=occurrence,
            changes={
                "status": {"from": OccurrenceStatus.SCHEDULED, "to": OccurrenceStatus.CLOSED},
                "carried_over": carried,
            },
        )
        emit(initiative=occurrence.initiative, event_type="meeting.closed", obj=occurrence)
    return occurrence


def _carry_over(occurrence: Occurrence, items: list[AgendaItem]) -> int:
    if not items:
        return 0
    following = (
        Occurrence.objects.filter(
            series_id=occurrence.series_id,
            status=OccurrenceStatus.SCHEDULED,
            start__gt=occurrence.start,
        )
        .order_by("start")
        .first()
    )
    if following is None:
        return 0
    order = _next_order(following)
    copies = []
    for item in items:
        copies.append(
            AgendaItem(
                initiative_id=item.initiative_id,
                occurrence=following,
                order=order,
                title=item.title,
                notes=item.notes,
                source=ItemSource.CARRIED,
                source_key=item.source_key,
                minutes_estimate=item.minutes_estimate,
                outcome_id=item.outcome_id,
                indicator_id=item.indicator_id,
                activity_type_id=item.activity_type_id,
                activity_id=item.activity_id,
                activity_title=item.activity_title,
                carried_from=item,
            )
        )
        order += 1
    AgendaItem.objects.bulk_create(copies)
    return len(copies)
