"""Action items: created in a meeting, from a decision or on their own; done by their owner."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone

from collective.core.audit import audit_record, diff, snapshot
from collective.core.errors import ApplicationError

from ..choices import ActionStatus, NotificationKind
from ..models import ActionItem
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

ACTION_FIELDS = [
    "title",
    "description",
    "owner",
    "owner_partner",
    "due_date",
    "status",
    "outcome",
    "indicator",
]


def _owner_leads(initiative, partner):
    from collective.core.models import Membership

    if partner is None:
        return []
    return [
        m.user
        for m in Membership.objects.filter(
            initiative=initiative, partner=partner, role__in=["partner_lead"]
        ).select_related("user")
    ]


def _check_links(initiative, *, outcome=None, indicator=None, occurrence=None, decision=None):
    check_same_initiative(initiative, outcome, "outcome")
    check_same_initiative(initiative, indicator, "indicator")
    check_same_initiative(initiative, occurrence, "occurrence")
    check_same_initiative(initiative, decision, "decision")


def action_create(
    *,
    actor,
    initiative,
    title: str,
    due_date: dt.date,
    owner=None,
    owner_partner=None,
    description: str = "",
    occurrence=None,
    decision=None,
    outcome=None,
    indicator=None,
    activity=None,
    today: dt.date | None = None,
) -> ActionItem:
    title = clean_text(title, "title", required=True, limit=300)
    description = clean_text(description, "description")
    today = today or timezone.localdate()
    errors = {}
    if due_date is None:
        errors["due_date"] = ["Give a due date."]
    elif due_date < today:
        errors["due_date"] = [f"The due date {due_date:%d %b %Y} is in the past."]
    if owner is None and owner_partner is None:
        errors["owner"] = ["Name a person or a partner who owns it."]
    if errors:
        raise ApplicationError(
            "The action cannot be created: " + " ".join(m for v in errors.values() for m in v),
            errors=errors,
        )
    check_member(initiative, owner, "owner")
    check_partner(initiative, owner_partner, "owner_partner")
    _check_links(
        initiative, outcome=outcome, indicator=indicator, occurrence=occurrence, decision=decision
    )
    with transaction.atomic():
        action = ActionItem(
            initiative=initiative,
            title=title,
            description=description,
            owner=owner,
            owner_partner=owner_partner,
            due_date=due_date,
            occurrence=occurrence,
            decision=decision,
            outcome=outcome,
            indicator=indicator,
            created_by=actor_or_none(actor),
        )
        link_activity(action, activity)
        action.save()
        audit_record(
            actor=actor,
            verb="created",
            target=action,
            changes=snapshot(action, ["title", "owner", "owner_partner", "due_date"]),
        )
        people = [owner] if owner else _owner_leads(initiative, owner_partner)
        notify_people(
            initiative=initiative,
            users=people,
            kind=NotificationKind.ASSIGNMENT,
            title=f"New action for you: {title}",
            body=f"Due {due_date:%d %b %Y}." + (f"\n\n{description}" if description else ""),
            url=action.get_absolute_url(),
            target=action,
            actor=actor,
        )
        emit(initiative=initiative, event_type="action.created", obj=action)
    return action


def action_update(*, actor, action: ActionItem, **fields) -> ActionItem:
    unknown = set(fields) - set(ACTION_FIELDS)
    if unknown:
        raise ApplicationError(f"Cannot change {', '.join(sorted(unknown))}.")
    initiative = action.initiative
    if "title" in fields:
        fields["title"] = clean_text(fields["title"], "title", required=True, limit=300)
    if "description" in fields:
        fields["description"] = clean_text(fields["description"], "description")
    if "status" in fields:
        check_choice(fields["status"], ActionStatus, "status")
    if "owner" in fields:
        check_member(initiative, fields["owner"], "owner")
    if "owner_partner" in fields:
        check_partner(initiative, fields["owner_partner"], "owner_partner")
    if (
        "due_date" in fields
        and fields["due_date"] != action.due_date
        and (fields["due_date"] is None or fields["due_date"] < timezone.localdate())
    ):
        raise ApplicationError(
            "A new due date cannot be in the past.",
            errors={"due_date": ["Choose today or a later day."]},
        )
    _check_links(initiative, outcome=fields.get("outcome"), indicator=fields.get("indicator"))
    owner = fields.get("owner", action.owner)
    partner = fields.get("owner_partner", action.owner_partner)
    if owner is None and partner is None:
        raise ApplicationError(
            "An action needs an owner.", errors={"owner": ["Name a person or a partner."]}
        )
    before = snapshot(action, ACTION_FIELDS)
    previous_owner = action.owner_id
    with transaction.atomic():
        for name, value in fields.items():
            setattr(action, name, value)
        if action.status == ActionStatus.DONE and action.done_at is None:
            action.done_at = timezone.now()
        elif action.status != ActionStatus.DONE:
            action.done_at = None
        changes = diff(before, snapshot(action, ACTION_FIELDS))
        if not changes:
            return action
        action.save()
        audit_record(actor=actor, verb="updated", target=action, changes=changes)
        if action.owner_id and action.owner_id != previous_owner:
            notify_people(
                initiative=initiative,
                users=[action.owner],
                kind=NotificationKind.ASSIGNMENT,
                title=f"Action passed to you: {action.title}",
                body=f"Due {action.due_date:%d %b %Y}.",
                url=action.get_absolute_url(),
                target=action,
                actor=actor,
            )
        if "status" in changes and action.status == ActionStatus.DONE:
            emit(initiative=initiative, event_type="action.completed", obj=action)
            if action.created_by_id and action.created_by_id != getattr(actor, "pk", None):
                notify_people(
                    initiative=initiative,
                    users=[action.created_by],
                    kind=NotificationKind.MEETING,
                    title=f"Done: {action.title}",
                    url=action.get_absolute_url(),
                    target=action,
                    actor=actor,
                )
    return action
