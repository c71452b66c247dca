"""Writes of activities: create, update (with slip detection), progress, milestones,
dependencies (cycles refused) and the waiting flag of activities whose dependency slipped."""

from __future__ import annotations

import datetime
from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.utils import timezone

from collective.core import hooks
from collective.core.audit import audit_record, diff, snapshot
from collective.core.errors import CONFLICT, ApplicationError
from collective.core.models import Initiative, Membership, Partner

from ..choices import ActivityStatus, Lever
from ..models import Activity, Dependency, Milestone, ProgressEntry
from ._common import (
    MAX_TITLE,
    check_choice,
    check_partner,
    check_text,
    require_acts_for,
)

ACTIVITY_FIELDS = [
    "partner",
    "title",
    "description",
    "status",
    "lever",
    "start",
    "end",
    "lead_person",
    "percent_complete",
    "budget",
    "funder",
]
SLIPPING = (ActivityStatus.PAUSED, ActivityStatus.STOPPED)


def _check_dates(start, end) -> None:
    if start and end and end < start:
        raise ApplicationError(
            f"The end ({end:%d %b %Y}) is before the start ({start:%d %b %Y}).",
            errors={"end": ["The end must be on or after the start."]},
        )


def _check_percent(value) -> int:
    try:
        number = int(value)
    except (TypeError, ValueError):
        number = -1
    if not 0 <= number <= 100:
        raise ApplicationError(
            f"% complete must be between 0 and 100, not '{value}'.",
            errors={"percent_complete": ["A whole number from 0 to 100."]},
        )
    return number


def _check_budget(value) -> Decimal | None:
    if value in (None, ""):
        return None
    try:
        number = Decimal(str(value))
    except InvalidOperation:
        number = Decimal(-1)
    if not number.is_finite() or number < 0 or number >= Decimal("1e12"):
        raise ApplicationError(
            f"The budget must be a positive amount, not '{value}'.",
            errors={"budget": ["A positive amount, e.g. 25000."]},
        )
    return number.quantize(Decimal("0.01"))


def _check_person(initiative: Initiative, person) -> None:
    if (
        person is not None
        and not Membership.objects.filter(initiative=initiative, user=person).exists()
    ):
        raise ApplicationError(
            "The lead person must be a member of this initiative.",
            errors={"lead_person": ["Choose a member of this initiative."]},
        )


def _check_supporters(initiative, partner, supporters) -> list[Partner]:
    supporters = list(supporters or [])
    for p in supporters:
        check_partner(initiative, p, "supporting_partners")
    return [p for p in supporters if p.pk != partner.pk]


def _check_measures(initiative, measures) -> list:
    measures = list(measures or [])
    for indicator in measures:
        if indicator.initiative_id != initiative.pk:
            raise ApplicationError(
                "That indicator belongs to another initiative.",
                errors={"measures": ["Choose indicators of this initiative."]},
            )
        if indicator.level not in ("activity", "output"):
            raise ApplicationError(
                f"{indicator.code} measures {indicator.get_level_display().split(' —')[0].lower()}"
                " level: an activity's own measures are of level activity or output.",
                errors={"measures": ["Choose indicators of level activity or output."]},
            )
    return measures


def activity_create(
    *,
    actor,
    initiative: Initiative,
    partner: Partner,
    title: str,
    description: str = "",
    status: str = ActivityStatus.PLANNED,
    lever: str = Lever.PROGRAMME,
    start: datetime.date | None = None,
    end: datetime.date | None = None,
    lead_person=None,
    supporting_partners=(),
    percent_complete: int = 0,
    budget=None,
    funder: str = "",
    measures=(),
) -> Activity:
    check_partner(initiative, partner, "partner")
    require_acts_for(actor, partner, "add activities")
    title = check_text(title, "title", required=True, limit=MAX_TITLE)
    description = check_text(description, "description")
    funder = check_text(funder, "funder", limit=200)
    check_choice(status, ActivityStatus, "status")
    check_choice(lever, Lever, "lever")
    _check_dates(start, end)
    percent_complete = _check_percent(percent_complete)
    budget = _check_budget(budget)
    _check_person(initiative, lead_person)
    supporters = _check_supporters(initiative, partner, supporting_partners)
    measures = _check_measures(initiative, measures)
    with transaction.atomic():
        activity = Activity.objects.create(
            initiative=initiative,
            partner=partner,
            title=title,
            description=description,
            status=status,
            lever=lever,
            start=start,
            end=end,
            lead_person=lead_person,
            percent_complete=percent_complete,
            budget=budget,
            funder=funder,
            created_by=actor if getattr(actor, "is_authenticated", False) else None,
        )
        activity.supporting_partners.set(supporters)
        activity.measures.set(measures)
        audit_record(
            actor=actor,
            verb="activity.create",
            target=activity,
            changes={
                **snapshot(activity, ACTIVITY_FIELDS),
                "supporting_partners": [p.name for p in supporters],
            },
        )
    return activity


def _slip_reason(before: dict, activity: Activity) -> str:
    if activity.status in SLIPPING and before["status"] != activity.status:
        return f"“{activity.title}” is {activity.get_status_display().lower()}."
    old_end, new_end = before["end"], activity.end
    if old_end and new_end and new_end > old_end:
        return (
            f"“{activity.title}” now ends {new_end:%d %b %Y} instead of {old_end:%d %b %Y} "
            f"({(new_end - old_end).days} days later)."
        )
    return ""


def activity_update(*, actor, activity: Activity, **fields) -> Activity:
    """Change the activity's fields; an end moved later, a pause or a stop flags the activities
    waiting on it and tells their owners (through the core's activity-slipped hook)."""
    initiative = activity.initiative
    unknown = set(fields) - {*ACTIVITY_FIELDS, "supporting_partners", "measures"}
    if unknown:
        raise ValueError(f"Unknown activity fields: {sorted(unknown)}")
    require_acts_for(actor, activity.partner, "change activities")
    if "partner" in fields and fields["partner"] != activity.partner:
        check_partner(initiative, fields["partner"], "partner")
        require_acts_for(actor, fields["partner"], "move activities")
    if "title" in fields:
        fields["title"] = check_text(fields["title"], "title", required=True, limit=MAX_TITLE)
    if "description" in fields:
        fields["description"] = check_text(fields["description"], "description")
    if "funder" in fields:
        fields["funder"] = check_text(fields["funder"], "funder", limit=200)
    if "status" in fields:
        check_choice(fields["status"], ActivityStatus, "status")
    if "lever" in fields:
        check_choice(fields["lever"], Lever, "lever")
    _check_dates(fields.get("start", activity.start), fields.get("end", activity.end))
    if "percent_complete" in fields:
        fields["percent_complete"] = _check_percent(fields["percent_complete"])
    if "budget" in fields:
        fields["budget"] = _check_budget(fields["budget"])
    if "lead_person" in fields:
        _check_person(initiative, fields["lead_person"])
    partner = fields.get("partner", activity.partner)
    supporters = (
        _check_supporters(initiative, partner, fields.pop("supporting_partners"))
        if "supporting_partners" in fields
        else None
    )
    measures = _check_measures(initiative, fields.pop("measures")) if "measures" in fields else None
    before = snapshot(activity, ACTIVITY_FIELDS)
    before_raw = {"status": activity.status, "end": activity.end}
    with transaction.atomic():
        for name, value in fields.items():
            setattr(activity, name, value)
        activity.save()
        changes = diff(before, snapshot(activity, ACTIVITY_FIELDS))
        if supporters is not None:
            old = sorted(p.name for p in activity.supporting_partners.all())
            activity.supporting_partners.set(supporters)
            new = sorted(p.name for p in supporters)
            if old != new:
                changes["supporting_partners"] = {"from": old, "to": new}
        if measures is not None:
            old = sorted(i.code for i in activity.measures.all())
            activity.measures.set(measures)
            new = sorted(i.code for i in measures)
            if old != new:
                changes["measures"] = {"from": old, "to": new}
        if changes:
            audit_record(actor=actor, verb="activity.update", target=activity, changes=changes)
        reason = _slip_reason(before_raw, activity)
        if reason:
            _flag_waiting(actor, activity, reason)
    return activity


def _flag_waiting(actor, activity: Activity, reason: str) -> list[Activity]:
    waiting = list(
        Activity.objects.filter(dependencies__needs=activity)
        .exclude(status__in=[ActivityStatus.DONE, ActivityStatus.STOPPED])
        .select_related("partner", "initiative")
        .distinct()
    )
    if not waiting:
        return []
    flag = f"Waiting on: {reason}"[:300]
    Activity.objects.filter(pk__in=[a.pk for a in waiting]).update(
        waiting_reason=flag, updated_at=timezone.now()
    )
    for a in waiting:
        a.waiting_reason = flag
    audit_record(
        actor=actor,
        verb="activity.slipped",
        target=activity,
        changes={"reason": reason, "waiting": [a.title for a in waiting]},
    )
    hooks.notify(
        hooks.ACTIVITY_SLIPPED,
        actor=actor,
        initiative=activity.initiative,
        activity=activity,
        waiting=waiting,
        reason=reason,
    )
    return waiting


def waiting_clear(*, actor, activity: Activity) -> Activity:
    """The owner has seen that a dependency slipped and planned around it."""
    require_acts_for(actor, activity.partner, "acknowledge delays")
    if not activity.waiting_reason:
        return activity
    with transaction.atomic():
        old = activity.waiting_reason
        activity.waiting_reason = ""
        activity.save(update_fields=["waiting_reason", "updated_at"])
        audit_record(
            actor=actor,
            verb="activity.waiting_clear",
            target=activity,
            changes={"waiting_reason": {"from": old, "to": ""}},
        )
    return activity


def activity_delete(*, actor, activity: Activity) -> None:
    require_acts_for(actor, activity.partner, "remove activities")
    with transaction.atomic():
        audit_record(
            actor=actor,
            verb="activity.delete",
            target=activity,
            changes=snapshot(activity, ["partner", "title", "status"]),
        )
        activity.delete()


# --- Progress and milestones ------------------------------------------------------------------


def progress_add(
    *,
    actor,
    activity: Activity,
    note: str,
    date: datetime.date | None = None,
    percent_complete=None,
) -> ProgressEntry:
    require_acts_for(actor, activity.partner, "report progress")
    note = check_text(note, "note", required=True, limit=5_000)
    date = date or timezone.localdate()
    if date > timezone.localdate() + datetime.timedelta(days=1):
        raise ApplicationError(
            "Progress is recorded for today or earlier.",
            errors={"date": ["Choose today or a date in the past."]},
        )
    percent = None if percent_complete in (None, "") else _check_percent(percent_complete)
    with transaction.atomic():
        entry = ProgressEntry.objects.create(
            initiative=activity.initiative,
            activity=activity,
            date=date,
            note=note,
            percent_complete=percent,
            author=actor if getattr(actor, "is_authenticated", False) else None,
        )
        changes = {"note": note, "date": str(date)}
        if percent is not None and percent != activity.percent_complete:
            changes["percent_complete"] = {"from": activity.percent_complete, "to": percent}
            activity.percent_complete = percent
            update = ["percent_complete", "updated_at"]
            if activity.status == ActivityStatus.PLANNED and percent > 0:
                activity.status = ActivityStatus.ACTIVE
                changes["status"] = {"from": ActivityStatus.PLANNED, "to": ActivityStatus.ACTIVE}
                update.append("status")
            activity.save(update_fields=update)
        audit_record(actor=actor, verb="activity.progress", target=activity, changes=changes)
    return entry


def milestone_add(
    *, actor, activity: Activity, title: str, due: datetime.date | None = None
) -> Milestone:
    require_acts_for(actor, activity.partner, "plan milestones")
    title = check_text(title, "title", required=True, limit=MAX_TITLE)
    if due and activity.start and due < activity.start:
        raise ApplicationError(
            "A milestone cannot be due before the activity starts.",
            errors={"due": [f"On or after {activity.start:%d %b %Y}."]},
        )
    with transaction.atomic():
        milestone = Milestone.objects.create(
            initiative=activity.initiative, activity=activity, title=title, due=due
        )
        audit_record(
            actor=actor,
            verb="milestone.create",
            target=milestone,
            changes={"activity": activity.title, "title": title, "due": due},
        )
    return milestone


def milestone_set_done(*, actor, milestone: Milestone, done: bool) -> Milestone:
    require_acts_for(actor, milestone.activity.partner, "update milestones")
    new = timezone.localdate() if done else None
    if bool(milestone.done_on) == done:
        return milestone
    with transaction.atomic():
        old = milestone.done_on
        milestone.done_on = new
        milestone.save(update_fields=["done_on", "updated_at"])
        audit_record(
            actor=actor,
            verb="milestone.update",
            target=milestone,
            changes={"done_on": {"from": old and str(old), "to": new and str(new)}},
        )
    return milestone


# --- Dependencies ----------------------------------------------------------------------------


def _path(initiative, start: Activity, goal: Activity) -> list[int] | None:
    """A path of needs-edges from `start` to `goal` (ids), or None: adding goal→start closes it."""
    edges: dict[int, list[int]] = {}
    for a, b in Dependency.objects.filter(initiative=initiative).values_list(
        "activity_id", "needs_id"
    ):
        edges.setdefault(a, []).append(b)
    stack, seen, parent = [start.pk], {start.pk}, {start.pk: None}
    while stack:
        node = stack.pop()
        if node == goal.pk:
            path = []
            while node is not None:
                path.append(node)
                node = parent[node]
            return path[::-1]
        for nxt in edges.get(node, []):
            if nxt not in seen:
                seen.add(nxt)
                parent[nxt] = node
                stack.append(nxt)
    return None


def dependency_add(*, actor, activity: Activity, needs: Activity, note: str = "") -> Dependency:
    """`activity` needs `needs` to deliver first. A dependency that closes a cycle is refused."""
    require_acts_for(actor, activity.partner, "plan dependencies")
    if needs.initiative_id != activity.initiative_id:
        raise ApplicationError(
            "That activity belongs to another initiative.",
            errors={"needs": ["Choose an activity of this initiative."]},
        )
    if needs.pk == activity.pk:
        raise ApplicationError(
            "An activity cannot depend on itself.",
            errors={"needs": ["Choose another activity."]},
        )
    note = check_text(note, "note", limit=300)
    with transaction.atomic():
        # Lock the initiative's dependency graph while checking: two concurrent additions
        # (a→b and b→a) must not both pass.
        Initiative.objects.select_for_update().filter(pk=activity.initiative_id).first()
        if Dependency.objects.filter(activity=activity, needs=needs).exists():
            raise ApplicationError(
                f"“{activity.title}” already depends on “{needs.title}”.",
                errors={"needs": ["Already a dependency."]},
                code=CONFLICT,
            )
        cycle = _path(activity.initiative, needs, activity)
        if cycle:
            titles = dict(Activity.objects.filter(pk__in=cycle).values_list("pk", "title"))
            chain = " → ".join(f"“{titles[pk]}”" for pk in [activity.pk, *cycle])
            raise ApplicationError(
                f"This would make a cycle: {chain}. An activity cannot (indirectly) wait on "
                "itself.",
                errors={"needs": ["This dependency would close a cycle."]},
            )
        dependency = Dependency.objects.create(
            initiative=activity.initiative, activity=activity, needs=needs, note=note
        )
        audit_record(
            actor=actor,
            verb="dependency.create",
            target=activity,
            changes={"needs": needs.title, "note": note},
        )
    return dependency


def dependency_remove(*, actor, dependency: Dependency) -> None:
    require_acts_for(actor, dependency.activity.partner, "plan dependencies")
    with transaction.atomic():
        audit_record(
            actor=actor,
            verb="dependency.delete",
            target=dependency.activity,
            changes={"needs": dependency.needs.title},
        )
        dependency.delete()
