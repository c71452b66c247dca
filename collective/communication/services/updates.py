"""The updates feed: partners post progress, learning, risks and help wanted; replies; another
partner offers help on a help-wanted post (a tie between the two partners)."""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from collective.core import hooks
from collective.core.audit import audit_record
from collective.core.errors import ApplicationError
from collective.core.models import Membership

from ..choices import NotificationKind, UpdateKind
from ..models import HelpOffer, Update, UpdateReply
from .common import (
    actor_or_none,
    check_choice,
    check_partner,
    check_same_initiative,
    clean_text,
    link_activity,
    membership_of,
)
from .notifications import notify_people
from .webhooks import emit


def update_post(
    *,
    actor,
    initiative,
    kind: str,
    title: str,
    body: str = "",
    partner=None,
    outcome=None,
    indicator=None,
    activity=None,
) -> Update:
    check_choice(kind, UpdateKind, "kind")
    title = clean_text(title, "title", required=True, limit=200)
    body = clean_text(body, "body")
    membership = membership_of(initiative, actor)
    if partner is None and membership is not None:
        partner = membership.partner
    check_partner(initiative, partner, "partner")
    if (
        partner is not None
        and membership is not None
        and membership.role != "backbone"
        and (membership.partner is None or not partner.path.startswith(membership.partner.path))
    ):
        raise ApplicationError(
            "You can post only for your own partner.",
            errors={"partner": ["Choose your own partner."]},
            code="forbidden",
        )
    check_same_initiative(initiative, outcome, "outcome")
    check_same_initiative(initiative, indicator, "indicator")
    with transaction.atomic():
        update = Update(
            initiative=initiative,
            kind=kind,
            title=title,
            body=body,
            partner=partner,
            author=actor_or_none(actor),
            outcome=outcome,
            indicator=indicator,
        )
        link_activity(update, activity)
        update.save()
        audit_record(
            actor=actor, verb="posted", target=update, changes={"kind": kind, "title": title}
        )
        if kind in (UpdateKind.HELP_WANTED, UpdateKind.RISK):
            leads = [
                m.user
                for m in Membership.objects.filter(
                    initiative=initiative, role__in=["partner_lead", "backbone"]
                ).select_related("user")
            ]
            notify_people(
                initiative=initiative,
                users=leads,
                kind=NotificationKind.UPDATE,
                title=f"{update.get_kind_display()}: {title}"
                + (f" ({partner.label})" if partner else ""),
                body=body[:500],
                url=update.get_absolute_url(),
                target=update,
                actor=actor,
            )
        emit(initiative=initiative, event_type="update.posted", obj=update)
    return update


def update_reply(*, actor, update: Update, body: str) -> UpdateReply:
    body = clean_text(body, "body", required=True, limit=5000, label="reply")
    with transaction.atomic():
        reply = UpdateReply.objects.create(
            initiative=update.initiative, update=update, author=actor, body=body
        )
        Update.objects.filter(pk=update.pk).update(reply_count=F("reply_count") + 1)
        audit_record(actor=actor, verb="replied to", target=update, changes={"body": body})
        notify_people(
            initiative=update.initiative,
            users=[update.author],
            kind=NotificationKind.UPDATE,
            title=f"{actor} replied to “{update.title}”",
            body=body[:500],
            url=update.get_absolute_url(),
            target=update,
            actor=actor,
        )
    return reply


def help_offer(*, actor, update: Update, message: str, partner=None) -> HelpOffer:
    message = clean_text(message, "message", required=True, limit=5000)
    if update.kind != UpdateKind.HELP_WANTED:
        raise ApplicationError("Help can be offered only on a help-wanted post.", code="conflict")
    if update.resolved_at:
        raise ApplicationError(
            "This request for help is resolved; thank you all the same.", code="conflict"
        )
    membership = membership_of(update.initiative, actor)
    partner = partner or (membership.partner if membership else None)
    if partner is None:
        raise ApplicationError(
            "Help is offered by a partner: you act for none in this initiative.",
            errors={"partner": ["Choose the partner that offers help."]},
        )
    check_partner(update.initiative, partner, "partner")
    if update.partner_id and partner.pk == update.partner_id:
        raise ApplicationError(
            "A partner cannot offer help on its own request.",
            errors={"partner": ["Another partner must offer."]},
        )
    try:
        with transaction.atomic():
            offer = HelpOffer.objects.create(
                initiative=update.initiative,
                update=update,
                partner=partner,
                offered_by=actor,
                message=message,
            )
            audit_record(
                actor=actor,
                verb="offered help on",
                target=update,
                changes={"partner": partner.name, "message": message},
            )
            hooks.notify(
                hooks.HELP_OFFERED,
                actor=actor,
                initiative=update.initiative,
                from_partner=partner,
                to_partner=update.partner,
                post=update,
            )
            notify_people(
                initiative=update.initiative,
                users=[update.author],
                kind=NotificationKind.UPDATE,
                title=f"{partner.label} offers help with “{update.title}”",
                body=message[:500],
                url=update.get_absolute_url(),
                target=update,
                actor=actor,
            )
            emit(initiative=update.initiative, event_type="help.offered", obj=update)
    except IntegrityError as exc:
        raise ApplicationError(
            f"{partner.name} has already offered help on this post.", code="conflict"
        ) from exc
    return offer


def help_resolve(*, actor, update: Update, offer: HelpOffer | None = None) -> Update:
    if update.kind != UpdateKind.HELP_WANTED:
        raise ApplicationError("Only a help-wanted post can be resolved.", code="conflict")
    with transaction.atomic():
        now = timezone.now()
        update.resolved_at = now
        update.save(update_fields=["resolved_at", "updated_at"])
        if offer is not None:
            if offer.update_id != update.pk:
                raise ApplicationError("That offer belongs to another post.")
            offer.accepted_at = now
            offer.save(update_fields=["accepted_at", "updated_at"])
        audit_record(
            actor=actor,
            verb="resolved",
            target=update,
            changes={"accepted_offer": offer.partner.name if offer else None},
        )
    return update
