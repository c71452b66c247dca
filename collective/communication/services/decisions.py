"""The decision register: decisions taken in a meeting, by the backbone, or asynchronously
(a proposal with a deadline, a quorum, and support / objection / abstention with reasons)."""

from __future__ import annotations

import datetime as dt

from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone

from collective.core import hooks
from collective.core.audit import audit_record
from collective.core.errors import ApplicationError
from collective.core.models import Membership

from ..choices import DecisionMethod, DecisionStatus, NotificationKind, Stance
from ..models import Decision, DecisionVote
from .common import actor_or_none, check_choice, check_member, check_same_initiative, clean_text
from .notifications import notify_people
from .webhooks import emit


def _next_number(initiative) -> int:
    return (Decision.objects.filter(initiative=initiative).aggregate(n=Max("number"))["n"] or 0) + 1


def _check_links(initiative, outcomes, indicators, occurrence):
    for outcome in outcomes or []:
        check_same_initiative(initiative, outcome, "outcomes")
    for indicator in indicators or []:
        check_same_initiative(initiative, indicator, "indicators")
    check_same_initiative(initiative, occurrence, "occurrence")


def _members(initiative):
    return [m.user for m in Membership.objects.filter(initiative=initiative).select_related("user")]


def _taken(decision: Decision, actor) -> None:
    """What follows a decision being taken: the register's event, people told, webhooks."""
    hooks.notify(
        hooks.DECISION_TAKEN, actor=actor, initiative=decision.initiative, decision=decision
    )
    notify_people(
        initiative=decision.initiative,
        users=_members(decision.initiative),
        kind=NotificationKind.DECISION,
        title=f"Decision D{decision.number}: {decision.title}",
        body=decision.statement,
        url=decision.get_absolute_url(),
        target=decision,
        actor=actor,
    )
    emit(initiative=decision.initiative, event_type="decision.taken", obj=decision)


def decision_record(
    *,
    actor,
    initiative,
    title: str,
    statement: str,
    method: str = DecisionMethod.MEETING,
    occurrence=None,
    consulted: str = "",
    owner=None,
    review_date: dt.date | None = None,
    outcomes=(),
    indicators=(),
    proposal: str = "",
) -> Decision:
    """A decision taken now: in a meeting, or by the backbone on members' behalf."""
    title = clean_text(title, "title", required=True, limit=200)
    statement = clean_text(statement, "statement", required=True, label="decision")
    proposal = clean_text(proposal, "proposal")
    consulted = clean_text(consulted, "consulted", label="who was consulted")
    check_choice(method, DecisionMethod, "method")
    if method == DecisionMethod.ASYNC:
        raise ApplicationError(
            "An asynchronous decision starts as a proposal.",
            errors={"method": ["Propose it instead, with a deadline."]},
        )
    if method == DecisionMethod.MEETING and occurrence is None:
        raise ApplicationError(
            "Say in which meeting it was taken.", errors={"occurrence": ["Choose the meeting."]}
        )
    check_member(initiative, owner, "owner")
    _check_links(initiative, outcomes, indicators, occurrence)
    now = timezone.now()
    if review_date is not None and review_date <= timezone.localdate(now):
        raise ApplicationError(
            "The review date must be in the future.",
            errors={"review_date": ["Choose a later day."]},
        )
    try:
        with transaction.atomic():
            decision = Decision.objects.create(
                initiative=initiative,
                number=_next_number(initiative),
                title=title,
                proposal=proposal,
                statement=statement,
                method=method,
                status=DecisionStatus.TAKEN,
                occurrence=occurrence,
                consulted=consulted,
                owner=owner,
                review_date=review_date,
                decided_at=now,
                decided_by=actor_or_none(actor),
                created_by=actor_or_none(actor),
            )
            decision.outcomes.set(outcomes or [])
            decision.indicators.set(indicators or [])
            audit_record(
                actor=actor,
                verb="recorded",
                target=decision,
                changes={"method": method, "statement": statement, "review_date": review_date},
            )
            _taken(decision, actor)
    except IntegrityError as exc:
        raise ApplicationError(
            "Another decision was recorded at the same moment; try again.", code="conflict"
        ) from exc
    return decision


def decision_propose(
    *,
    actor,
    initiative,
    title: str,
    proposal: str,
    deadline: dt.datetime,
    asked,
    quorum_percent: int = 50,
    owner=None,
    review_date: dt.date | None = None,
    outcomes=(),
    indicators=(),
) -> Decision:
    title = clean_text(title, "title", required=True, limit=200)
    proposal = clean_text(proposal, "proposal", required=True)
    errors = {}
    now = timezone.now()
    if deadline is None or deadline <= now:
        errors["deadline"] = ["The deadline must be in the future."]
    try:
        quorum_percent = int(quorum_percent)
    except (TypeError, ValueError):
        quorum_percent = -1
    if not 1 <= quorum_percent <= 100:
        errors["quorum_percent"] = ["A share between 1 and 100 per cent."]
    asked = list(dict.fromkeys(asked or []))
    if not asked:
        errors["asked"] = ["Ask at least one person."]
    if errors:
        raise ApplicationError(
            "The proposal cannot be opened: " + " ".join(m for v in errors.values() for m in v),
            errors=errors,
        )
    for person in asked:
        check_member(initiative, person, "asked")
    check_member(initiative, owner, "owner")
    _check_links(initiative, outcomes, indicators, None)
    with transaction.atomic():
        decision = Decision.objects.create(
            initiative=initiative,
            number=_next_number(initiative),
            title=title,
            proposal=proposal,
            method=DecisionMethod.ASYNC,
            status=DecisionStatus.PROPOSED,
            deadline=deadline,
            quorum_percent=quorum_percent,
            owner=owner,
            review_date=review_date,
            created_by=actor_or_none(actor),
        )
        decision.asked.set(asked)
        decision.outcomes.set(outcomes or [])
        decision.indicators.set(indicators or [])
        audit_record(
            actor=actor,
            verb="proposed",
            target=decision,
            changes={"deadline": deadline, "quorum_percent": quorum_percent, "asked": len(asked)},
        )
        notify_people(
            initiative=initiative,
            users=asked,
            kind=NotificationKind.DECISION,
            title=f"Your view is asked: {title}",
            body=f"Respond before {timezone.localtime(deadline):%d %b %Y %H:%M}.",
            url=decision.get_absolute_url(),
            target=decision,
            actor=actor,
        )
    return decision


def decision_vote(*, actor, decision: Decision, stance: str, reason: str = "") -> DecisionVote:
    check_choice(stance, Stance, "stance")
    reason = clean_text(reason, "reason", limit=5000)
    if decision.status != DecisionStatus.PROPOSED:
        raise ApplicationError(
            f"D{decision.number} is {decision.get_status_display().lower()}: responses are closed.",
            code="conflict",
        )
    if decision.deadline and timezone.now() >= decision.deadline:
        raise ApplicationError(
            f"The deadline for responses passed on "
            f"{timezone.localtime(decision.deadline):%d %b %Y at %H:%M}; your response was not "
            "recorded.",
            errors={"stance": ["Responses are closed."]},
            code="conflict",
        )
    if not decision.asked.filter(pk=actor.pk).exists():
        raise ApplicationError(
            "Only the people asked can respond to this proposal.", code="forbidden"
        )
    if stance == Stance.OBJECT and not reason:
        raise ApplicationError(
            "Say why you object, so the proposal can be improved.",
            errors={"reason": ["Give your reason."]},
        )
    if DecisionVote.objects.filter(decision=decision, user=actor).exists():
        raise ApplicationError(
            "You have already responded to this proposal; a second response is not recorded.",
            errors={"stance": ["You already responded."]},
            code="conflict",
        )
    try:
        with transaction.atomic():
            vote = DecisionVote.objects.create(
                initiative=decision.initiative,
                decision=decision,
                user=actor,
                stance=stance,
                reason=reason,
            )
            audit_record(
                actor=actor,
                verb="responded to",
                target=decision,
                changes={"stance": stance, "reason": reason},
            )
    except IntegrityError as exc:
        raise ApplicationError(
            "You have already responded to this proposal.",
            errors={"stance": ["You already responded."]},
            code="conflict",
        ) from exc
    return vote


def decision_conclude(
    *,
    actor,
    decision: Decision,
    statement: str,
    consulted: str = "",
    review_date: dt.date | None = None,
    owner=None,
) -> Decision:
    """The backbone writes the outcome of a proposal (it need not follow the majority)."""
    statement = clean_text(statement, "statement", required=True, label="decision")
    consulted = clean_text(consulted, "consulted", label="who was consulted")
    if decision.status != DecisionStatus.PROPOSED:
        raise ApplicationError(
            f"D{decision.number} is already {decision.get_status_display().lower()}.",
            code="conflict",
        )
    if review_date is not None and review_date <= timezone.localdate():
        raise ApplicationError(
            "The review date must be in the future.",
            errors={"review_date": ["Choose a later day."]},
        )
    check_member(decision.initiative, owner, "owner")
    from ..selectors import decision_tally

    tally = decision_tally(decision)
    with transaction.atomic():
        decision.statement = statement
        decision.consulted = consulted or (
            f"{tally['asked']} people asked; {tally['responded']} responded "
            f"({tally['support']} support, {tally['object']} object, {tally['abstain']} abstain)."
        )
        decision.status = DecisionStatus.TAKEN
        decision.decided_at = timezone.now()
        decision.decided_by = actor_or_none(actor)
        if review_date is not None:
            decision.review_date = review_date
        if owner is not None:
            decision.owner = owner
        decision.save()
        audit_record(
            actor=actor,
            verb="concluded",
            target=decision,
            changes={
                "status": {"from": DecisionStatus.PROPOSED, "to": DecisionStatus.TAKEN},
                "statement": statement,
                "quorum_met": tally["quorum_met"],
            },
        )
        _taken(decision, actor)
    return decision


def decision_withdraw(*, actor, decision: Decision, reason: str = "") -> Decision:
    if decision.status != DecisionStatus.PROPOSED:
        raise ApplicationError("Only an open proposal can be withdrawn.", code="conflict")
    with transaction.atomic():
        decision.status = DecisionStatus.WITHDRAWN
        decision.review_note = clean_text(reason, "reason")
        decision.save(update_fields=["status", "review_note", "updated_at"])
        audit_record(actor=actor, verb="withdrew", target=decision, changes={"reason": reason})
    return decision


def decision_review(*, actor, decision: Decision, note: str) -> Decision:
    note = clean_text(note, "note", required=True, label="review note")
    if decision.status != DecisionStatus.TAKEN:
        raise ApplicationError("Only a decision that was taken can be reviewed.", code="conflict")
    with transaction.atomic():
        decision.reviewed_at = timezone.now()
        decision.review_note = note
        decision.save(update_fields=["reviewed_at", "review_note", "updated_at"])
        audit_record(actor=actor, verb="reviewed", target=decision, changes={"note": note})
    return decision
