"""Consultation: comments, amendments, concerns, support, replies, decisions; nudging voices."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from collective.core.audit import audit_record
from collective.core.choices import Level
from collective.core.errors import CONFLICT, ApplicationError
from collective.core.models import Partner
from collective.core.rules import membership_for

from .. import notify
from ..choices import ItemKind, ItemStatus, Section, VersionStatus
from ..models import AgendaVersion, ConsultationItem, Outcome, OutcomeNode
from ._common import (
    MAX_NOTE,
    MAX_TEXT,
    _bump_revision,
    _check_choice,
    _check_length,
    _check_partner,
    sync_outcomes,
)


def current_text(version: AgendaVersion, section: str, outcome: Outcome | None) -> str:
    if section == Section.OUTCOME:
        node = OutcomeNode.objects.filter(version=version, outcome=outcome).first()
        return node.statement if node else ""
    return getattr(version, section)


def item_create(
    *,
    actor,
    version: AgendaVersion,
    kind: str,
    section: str = "",
    outcome: Outcome | None = None,
    body: str = "",
    proposed_text: str = "",
    parent: ConsultationItem | None = None,
) -> ConsultationItem:
    """A comment, amendment, concern or support — or a reply to one (`parent`)."""
    if version.status != VersionStatus.CONSULTATION:
        raise ApplicationError(
            "The consultation on this version is closed: comments and amendments are no "
            "longer taken. Talk to the backbone if something important was missed.",
            code="closed",
            kind=CONFLICT,
        )
    _check_choice(kind, ItemKind, "kind")
    body = (body or "").strip()
    proposed_text = (proposed_text or "").strip()
    if parent is not None:
        if parent.version_id != version.pk:
            raise ApplicationError("You can only reply within the same consultation.")
        if kind != ItemKind.COMMENT:
            raise ApplicationError(
                "Replies are comments; propose an amendment on the section itself.",
                errors={"kind": ["Replies are comments."]},
            )
        section, outcome = parent.section, parent.outcome
    _check_choice(section, Section, "section")
    if section == Section.OUTCOME:
        if (
            outcome is None
            or not OutcomeNode.objects.filter(version=version, outcome=outcome).exists()
        ):
            raise ApplicationError(
                "Choose an outcome of this version.", errors={"outcome": ["Not in this version."]}
            )
    else:
        outcome = None
    if kind in (ItemKind.COMMENT, ItemKind.CONCERN) and not body:
        raise ApplicationError(f"Write your {kind} first.", errors={"body": ["Required."]})
    _check_length(body, MAX_NOTE, "body")
    if (
        kind == ItemKind.SUPPORT
        and ConsultationItem.objects.filter(
            version=version,
            author=actor,
            kind=ItemKind.SUPPORT,
            section=section,
            outcome=outcome,
            parent=None,
        ).exists()
    ):
        raise ApplicationError(
            "You already support this part: your support is counted once. Add a comment to "
            "say more.",
            code="duplicate",
            kind=CONFLICT,
        )
    base_text = ""
    if kind == ItemKind.AMENDMENT:
        base_text = current_text(version, section, outcome)
        if not proposed_text:
            raise ApplicationError(
                "Write the text you propose instead.", errors={"proposed_text": ["Required."]}
            )
        if proposed_text == base_text.strip():
            raise ApplicationError(
                "Your proposed text is the same as the current text: change it first.",
                errors={"proposed_text": ["Same as the current text."]},
            )
        if section == Section.OUTCOME and len(proposed_text) > 300:
            raise ApplicationError(
                "An outcome statement has at most 300 characters.",
                errors={"proposed_text": ["At most 300 characters."]},
            )
        _check_length(proposed_text, MAX_TEXT, "proposed_text")
    else:
        proposed_text = ""
    membership = membership_for(actor, version.initiative)
    with transaction.atomic():
        item = ConsultationItem.objects.create(
            initiative=version.initiative,
            version=version,
            parent=parent,
            kind=kind,
            section=section,
            outcome=outcome,
            author=actor,
            partner=membership.partner if membership else None,
            body=body,
            proposed_text=proposed_text,
            base_text=base_text,
        )
        audit_record(
            actor=actor,
            verb=f"{'replied' if parent else 'added ' + kind}",
            target=item,
            changes={"version": version.number, "section": section},
        )
        if parent is not None and parent.author_id and parent.author_id != actor.pk:
            notify.schedule(notify.reply_posted, item)
    return item


def amendment_decide(
    *, actor, item: ConsultationItem, accept: bool, reason: str
) -> ConsultationItem:
    """Accept (apply the text to the draft) or decline an amendment, with a reason."""
    version = item.version
    if item.kind != ItemKind.AMENDMENT or item.parent_id is not None:
        raise ApplicationError("Only amendments are accepted or declined.")
    if item.status != ItemStatus.OPEN:
        raise ApplicationError(
            f"This amendment was already {item.get_status_display().lower()}.",
            code="decided",
            kind=CONFLICT,
        )
    if version.status != VersionStatus.CONSULTATION:
        raise ApplicationError(
            "The consultation is closed: amendments can no longer be decided.",
            code="closed",
            kind=CONFLICT,
        )
    reason = (reason or "").strip()
    if not reason:
        raise ApplicationError(
            "Give the reason for your decision: the author and everyone else will read it.",
            errors={"reason": ["Give the reason: the author and everyone else will read it."]},
        )
    _check_length(reason, MAX_NOTE, "reason")
    applied: dict = {}
    with transaction.atomic():
        if accept:
            if item.section == Section.OUTCOME:
                node = OutcomeNode.objects.filter(version=version, outcome=item.outcome).first()
                if node is None:
                    raise ApplicationError(
                        "That outcome is no longer in the draft, so the amendment cannot be "
                        "applied. Decline it, or add the outcome back first.",
                        code="gone",
                        kind=CONFLICT,
                    )
                applied["statement"] = {"from": node.statement, "to": item.proposed_text}
                node.statement = item.proposed_text
                node.save(update_fields=["statement"])
            else:
                applied[item.section] = {
                    "from": getattr(version, item.section),
                    "to": item.proposed_text,
                }
                setattr(version, item.section, item.proposed_text)
                version.save(update_fields=[item.section, "updated_at"])
            _bump_revision(version)
            sync_outcomes(version.initiative)
        item.status = ItemStatus.ACCEPTED if accept else ItemStatus.DECLINED
        item.decision_reason = reason
        item.decided_by = actor
        item.decided_at = timezone.now()
        item.save(
            update_fields=["status", "decision_reason", "decided_by", "decided_at", "updated_at"]
        )
        audit_record(
            actor=actor,
            verb="accepted amendment" if accept else "declined amendment",
            target=item,
            changes={"version": version.number, "reason": reason, **applied},
        )
        notify.schedule(notify.amendment_decided, item)
    return item


def voices_nudge(
    *, actor, version: AgendaVersion, partner: Partner | None = None, level: str | None = None
) -> int:
    """Email the members of a partner (or at a level) who have not taken part yet.

    `level`: a `Level` value, "none" (people who gave no level), or None/"" for any level."""
    from ..selectors import voices_silent_members

    if version.status != VersionStatus.CONSULTATION:
        raise ApplicationError(
            "Nudge people while the consultation is open.", code="closed", kind=CONFLICT
        )
    level = level or None  # a form's empty choice: any level
    if partner is None and level is None:
        raise ApplicationError("Choose a partner or a level to nudge.")
    if level is not None and level != "none" and level not in Level.values:
        raise ApplicationError(
            f"'{level}' is not a level.", errors={"level": [f"Choose one of: {Level.values}."]}
        )
    _check_partner(version.initiative, partner, "partner")
    members = voices_silent_members(version, partner=partner, level=level)
    recipients = [m for m in members if m.user.email]
    if not recipients:
        raise ApplicationError(
            "Everyone there has taken part already, or has no email address.", code="nobody"
        )
    with transaction.atomic():
        audit_record(
            actor=actor,
            verb="nudged",
            target=version,
            changes={
                "partner": partner.name if partner else None,
                "level": level or None,
                "people": len(recipients),
            },
        )
        notify.schedule(notify.voices_nudged, version, recipients, actor)
    return len(recipients)
