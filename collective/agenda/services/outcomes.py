"""The outcome tree of a working version: add, edit, move and remove outcomes."""

from __future__ import annotations

from collections.abc import Iterable

from django.db import transaction
from django.db.models import Max

from collective.core.audit import audit_record, diff, snapshot
from collective.core.errors import CONFLICT, ApplicationError
from collective.core.models import Partner

from ..choices import Horizon
from ..models import AgendaVersion, Outcome, OutcomeNode
from ._common import (
    KIND_AT_DEPTH,
    MAX_DEPTH,
    MAX_NOTE,
    NODE_FIELDS,
    _check_choice,
    _check_length,
    _check_partner,
    _claim_revision,
    _outcome_in_use,
    _require_working,
    sync_outcomes,
)


def _depth(node: OutcomeNode | None) -> int:
    depth = -1
    while node is not None:
        depth += 1
        node = node.parent
    return depth


def _subtree_height(node: OutcomeNode) -> int:
    children = list(node.children.all())
    return 0 if not children else 1 + max(_subtree_height(c) for c in children)


def _validate_node_fields(version: AgendaVersion, fields: dict) -> None:
    if "statement" in fields:
        fields["statement"] = (fields["statement"] or "").strip()
        if not fields["statement"]:
            raise ApplicationError(
                "Say what the outcome is, in one sentence.", errors={"statement": ["Required."]}
            )
        if len(fields["statement"]) > 300:
            raise ApplicationError(
                "The statement is too long.", errors={"statement": ["At most 300 characters."]}
            )
    if "description" in fields:
        _check_length(fields["description"], MAX_NOTE, "description")
    if "horizon" in fields:
        _check_choice(fields["horizon"], Horizon, "horizon")
    if "lead_partner" in fields:
        _check_partner(version.initiative, fields["lead_partner"], "lead_partner")
    if "co_partners" in fields:
        for partner in fields["co_partners"]:
            _check_partner(version.initiative, partner, "co_partners")


def _set_kinds(node: OutcomeNode, depth: int) -> None:
    kind = KIND_AT_DEPTH[depth]
    if node.kind != kind:
        node.kind = kind
        node.save(update_fields=["kind"])
    for child in node.children.all():
        _set_kinds(child, depth + 1)


def outcome_add(
    *,
    actor,
    version: AgendaVersion,
    revision,
    statement: str,
    parent: OutcomeNode | None = None,
    description: str = "",
    horizon: str = Horizon.MEDIUM,
    lead_partner: Partner | None = None,
    co_partners: Iterable[Partner] = (),
) -> OutcomeNode:
    _require_working(version)
    co_partners = list(co_partners or [])
    fields = {
        "statement": statement,
        "description": (description or "").strip(),
        "horizon": horizon,
        "lead_partner": lead_partner,
        "co_partners": co_partners,
    }
    _validate_node_fields(version, fields)
    if parent is not None and parent.version_id != version.pk:
        raise ApplicationError(
            "The parent outcome is not part of this version.",
            errors={"parent": ["Choose an outcome of this version."]},
        )
    depth = _depth(parent) + 1
    if depth > MAX_DEPTH:
        raise ApplicationError(
            "Sub-outcomes cannot have sub-outcomes of their own: the tree is goal → outcomes "
            "→ sub-outcomes.",
            errors={"parent": ["Choose a goal or an outcome."]},
        )
    with transaction.atomic():
        _claim_revision(version, revision)
        outcome = Outcome.objects.create(
            initiative=version.initiative, title=fields["statement"], kind=KIND_AT_DEPTH[depth]
        )
        order = (
            OutcomeNode.objects.filter(version=version, parent=parent).aggregate(n=Max("order"))[
                "n"
            ]
            or 0
        ) + 1
        node = OutcomeNode.objects.create(
            version=version,
            outcome=outcome,
            parent=parent,
            kind=KIND_AT_DEPTH[depth],
            statement=fields["statement"],
            description=fields["description"],
            horizon=horizon,
            lead_partner=lead_partner,
            order=order,
        )
        node.co_partners.set(co_partners)
        audit_record(
            actor=actor,
            verb="added outcome",
            target=outcome,
            changes={"version": version.number, "statement": node.statement},
        )
        sync_outcomes(version.initiative)
    return node


def outcome_update(*, actor, node: OutcomeNode, revision, **fields) -> OutcomeNode:
    unknown = set(fields) - set(NODE_FIELDS)
    if unknown:
        raise ApplicationError(f"Cannot change {', '.join(sorted(unknown))}.")
    version = node.version
    _require_working(version)
    if "description" in fields:
        fields["description"] = (fields["description"] or "").strip()
    if "co_partners" in fields:
        fields["co_partners"] = list(fields["co_partners"] or [])
    _validate_node_fields(version, fields)
    before = snapshot(node, ["statement", "description", "horizon", "lead_partner"])
    before_co = sorted(p.name for p in node.co_partners.all())
    with transaction.atomic():
        _claim_revision(version, revision)
        co_partners = fields.pop("co_partners", None)
        for name, value in fields.items():
            setattr(node, name, value)
        node.save()
        changes = diff(
            before, snapshot(node, ["statement", "description", "horizon", "lead_partner"])
        )
        if co_partners is not None:
            node.co_partners.set(co_partners)
            after_co = sorted(p.name for p in co_partners)
            if after_co != before_co:
                # Names as text, so the audit page reads "Sales → Operations, Sales".
                changes["co_partners"] = {
                    "from": ", ".join(before_co) or None,
                    "to": ", ".join(after_co) or None,
                }
        audit_record(
            actor=actor,
            verb="changed outcome",
            target=node.outcome,
            changes={"version": version.number, **changes},
        )
        sync_outcomes(version.initiative)
    return node


def outcome_move(
    *,
    actor,
    node: OutcomeNode,
    revision,
    parent: OutcomeNode | None = None,
    direction: str = "",
) -> OutcomeNode:
    """Move a node under another parent (to the end), or one place up/down among siblings."""
    version = node.version
    _require_working(version)
    with transaction.atomic():
        if direction:
            if direction not in ("up", "down"):
                raise ApplicationError("Move up or down.", errors={"direction": ["up or down"]})
            siblings = list(
                OutcomeNode.objects.filter(version=version, parent_id=node.parent_id).order_by(
                    "order", "id"
                )
            )
            index = next(i for i, s in enumerate(siblings) if s.pk == node.pk)
            other = index - 1 if direction == "up" else index + 1
            if other < 0 or other >= len(siblings):
                raise ApplicationError(
                    f"This outcome is already the {'first' if direction == 'up' else 'last'} "
                    "at its level.",
                    code="edge",
                )
            _claim_revision(version, revision)
            siblings[index], siblings[other] = siblings[other], siblings[index]
            for position, sibling in enumerate(siblings, start=1):
                if sibling.order != position:
                    sibling.order = position
                    sibling.save(update_fields=["order"])
            audit_record(
                actor=actor,
                verb="reordered outcome",
                target=node.outcome,
                changes={"version": version.number, "direction": direction},
            )
            node.refresh_from_db()
            return node
        if parent is not None:
            if parent.version_id != version.pk:
                raise ApplicationError(
                    "The new parent is not part of this version.",
                    errors={"parent": ["Choose an outcome of this version."]},
                )
            ancestor = parent
            while ancestor is not None:
                if ancestor.pk == node.pk:
                    raise ApplicationError(
                        "An outcome cannot sit under itself or one of its own sub-outcomes.",
                        errors={"parent": ["Choose an outcome outside this branch."]},
                    )
                ancestor = ancestor.parent
        new_depth = _depth(parent) + 1
        if new_depth + _subtree_height(node) > MAX_DEPTH:
            raise ApplicationError(
                "That would make the tree deeper than goal → outcome → sub-outcome.",
                errors={"parent": ["Choose a higher level, or move the sub-outcomes first."]},
            )
        old_parent = node.parent
        _claim_revision(version, revision)
        node.parent = parent
        node.order = (
            OutcomeNode.objects.filter(version=version, parent=parent)
            .exclude(pk=node.pk)
            .aggregate(n=Max("order"))["n"]
            or 0
        ) + 1
        node.save(update_fields=["parent", "order"])
        _set_kinds(node, new_depth)
        audit_record(
            actor=actor,
            verb="moved outcome",
            target=node.outcome,
            changes={
                "version": version.number,
                "parent": {
                    "from": str(old_parent) if old_parent else None,
                    "to": str(parent) if parent else None,
                },
            },
        )
        sync_outcomes(version.initiative)
    return node


def outcome_remove(*, actor, node: OutcomeNode, revision) -> None:
    version = node.version
    _require_working(version)
    if node.children.exists():
        raise ApplicationError(
            f"'{node.statement}' has sub-outcomes: move or remove them first.",
            code="has_children",
            kind=CONFLICT,
        )
    with transaction.atomic():
        _claim_revision(version, revision)
        outcome = node.outcome
        audit_record(
            actor=actor,
            verb="removed outcome",
            target=outcome,
            changes={"version": version.number, "statement": node.statement},
        )
        node.delete()
        if not _outcome_in_use(outcome):
            # Never adopted, never discussed and nothing links to it: nothing to keep.
            outcome.delete()
        sync_outcomes(version.initiative)
