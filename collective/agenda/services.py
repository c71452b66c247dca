"""Writes of the common agenda: versions, the outcome tree, consultation, endorsements.

Every service validates, runs in one transaction, records an audit entry and schedules its
notifications on commit. Changes to a working version's content are guarded by its
`revision` (optimistic locking): the caller says which revision it edited, and a stale save
is refused instead of silently overwriting someone else's work.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db import IntegrityError, transaction
from django.db.models import F, Max
from django.utils import timezone

from collective.core.audit import audit_record, diff, snapshot
from collective.core.choices import Level
from collective.core.errors import CONFLICT, FORBIDDEN, ApplicationError
from collective.core.models import Initiative, Membership, Partner
from collective.core.rules import membership_for

from . import notify
from .choices import (
    Horizon,
    ItemKind,
    ItemStatus,
    OutcomeKind,
    Section,
    Stance,
    VersionStatus,
)
from .models import AgendaVersion, ConsultationItem, Endorsement, Outcome, OutcomeNode

VERSION_FIELDS = ["title", "problem_statement", "vision", "principles", "rationale", "learning"]
NODE_FIELDS = ["statement", "description", "horizon", "lead_partner", "co_partners"]
WORKING = (VersionStatus.DRAFT, VersionStatus.CONSULTATION)
MAX_DEPTH = 2  # goal (0) -> outcome (1) -> sub-outcome (2)
# Generous limits: an agenda is read by people, and a pasted book would bury it.
MAX_TEXT = 20_000  # problem statement, vision, principles, rationale, learning
MAX_NOTE = 5_000  # comments, concerns, replies, reasons, reservations, outcome descriptions
KIND_AT_DEPTH = {0: OutcomeKind.GOAL, 1: OutcomeKind.OUTCOME, 2: OutcomeKind.SUB_OUTCOME}


# --- Helpers ---------------------------------------------------------------------------------


def _require_working(version: AgendaVersion, doing: str = "change") -> None:
    if not version.is_working:
        raise ApplicationError(
            f"Version {version.number} is {version.get_status_display().lower()}: you cannot "
            f"{doing} it. Start a new draft to propose changes.",
            code="not_working",
            kind=CONFLICT,
        )


def _claim_revision(version: AgendaVersion, revision) -> None:
    """Bump the revision if it is still the one the caller edited; refuse a stale save.

    Call inside the transaction of the write, after validation: the compare-and-set is one
    UPDATE, so two concurrent saves cannot both pass.
    """
    try:
        revision = int(revision)
    except (TypeError, ValueError) as exc:
        raise ApplicationError(
            "The form is missing the draft's revision; reload the page and try again.",
            errors={"revision": ["Required."]},
            code="stale",
        ) from exc
    updated = AgendaVersion.objects.filter(
        pk=version.pk, revision=revision, status__in=WORKING
    ).update(revision=F("revision") + 1, updated_at=timezone.now())
    if not updated:
        current = AgendaVersion.objects.get(pk=version.pk)
        if current.status not in WORKING:
            raise ApplicationError(
                f"Version {version.number} is {current.get_status_display().lower()} now and "
                "cannot be changed.",
                code="not_working",
                kind=CONFLICT,
            )
        raise ApplicationError(
            f"Someone else saved this draft while you were editing it (you edited revision "
            f"{revision}, it is now at revision {current.revision}). Compare your change with "
            "the saved version and save again.",
            errors={"revision": ["The draft changed since you opened it."]},
            code="stale",
            kind=CONFLICT,
        )
    version.revision = revision + 1


def _bump_revision(version: AgendaVersion) -> None:
    AgendaVersion.objects.filter(pk=version.pk).update(
        revision=F("revision") + 1, updated_at=timezone.now()
    )
    version.refresh_from_db(fields=["revision", "updated_at"])


def _check_choice(value, choices, field: str) -> None:
    if value not in choices.values:
        raise ApplicationError(
            f"'{value}' is not a valid {field.replace('_', ' ')}.",
            errors={field: [f"Choose one of: {', '.join(choices.values)}."]},
        )


def _check_length(value: str, limit: int, field: str) -> None:
    if len(value) > limit:
        raise ApplicationError(
            f"The {field.replace('_', ' ')} is too long ({len(value):,} characters; at most "
            f"{limit:,}).",
            errors={field: [f"At most {limit:,} characters."]},
        )


def _check_partner(initiative: Initiative, partner: Partner | None, field: str) -> None:
    if partner is not None and partner.initiative_id != initiative.pk:
        raise ApplicationError(
            "That partner belongs to another initiative.",
            errors={field: ["Choose a partner of this initiative."]},
        )


def working_version(initiative: Initiative) -> AgendaVersion | None:
    return AgendaVersion.objects.filter(initiative=initiative, status__in=WORKING).first()


def sync_outcomes(initiative: Initiative) -> None:
    """Keep `Outcome.title/kind/retired` in step with the adopted and working versions.

    The wording is the adopted version's, else the working draft's; an outcome is retired
    when it is in neither (it stays for history and for what links to it).
    """
    nodes = OutcomeNode.objects.filter(
        version__initiative=initiative,
        version__status__in=[VersionStatus.ADOPTED, *WORKING],
    ).values_list("outcome_id", "statement", "kind", "version__status")
    current: dict[int, tuple[str, str]] = {}
    for outcome_id, statement, kind, status in nodes:
        if status == VersionStatus.ADOPTED or outcome_id not in current:
            current[outcome_id] = (statement, kind)
    changed = []
    for outcome in Outcome.objects.filter(initiative=initiative):
        if outcome.pk in current:
            title, kind = current[outcome.pk]
            retired = False
        else:
            title, kind, retired = outcome.title, outcome.kind, True
        if (outcome.title, outcome.kind, outcome.retired) != (title, kind, retired):
            outcome.title, outcome.kind, outcome.retired = title, kind, retired
            changed.append(outcome)
    if changed:
        Outcome.objects.bulk_update(changed, ["title", "kind", "retired", "updated_at"])


def _outcome_in_use(outcome: Outcome) -> bool:
    """True when a version, a consultation item or another capability links to it."""
    if outcome.nodes.exists():
        return True
    for rel in Outcome._meta.related_objects:
        if rel.related_model is OutcomeNode:
            continue
        accessor = rel.get_accessor_name()
        if accessor and getattr(outcome, accessor).exists():
            return True
    return False


# --- Versions --------------------------------------------------------------------------------


def agenda_draft_create(*, actor, initiative: Initiative, title: str = "") -> AgendaVersion:
    """Start a new draft: a copy of the adopted version (or of the latest one), or empty."""
    if working_version(initiative) is not None:
        raise ApplicationError(
            "There is already a draft or a consultation in progress: finish it first.",
            code="working_exists",
            kind=CONFLICT,
        )
    base = (
        AgendaVersion.objects.filter(initiative=initiative, status=VersionStatus.ADOPTED).first()
        or AgendaVersion.objects.filter(initiative=initiative).order_by("-number").first()
    )
    try:
        return _draft_create(actor, initiative, title, base)
    except IntegrityError as exc:  # someone started a draft at the same moment
        raise ApplicationError(
            "Someone else started a draft at the same moment: open it instead.",
            code="working_exists",
            kind=CONFLICT,
        ) from exc


def _draft_create(actor, initiative, title, base) -> AgendaVersion:
    with transaction.atomic():
        number = (
            AgendaVersion.objects.filter(initiative=initiative).aggregate(n=Max("number"))["n"] or 0
        ) + 1
        version = AgendaVersion.objects.create(
            initiative=initiative,
            number=number,
            status=VersionStatus.DRAFT,
            title=(title or "").strip()[:200],
            problem_statement=base.problem_statement if base else "",
            vision=base.vision if base else "",
            principles=base.principles if base else "",
            based_on=base,
            created_by=actor if getattr(actor, "is_authenticated", False) else None,
        )
        if base is not None:
            _copy_tree(base, version)
        audit_record(
            actor=actor,
            verb="created",
            target=version,
            changes={"number": number, "based_on": base.number if base else None},
        )
        sync_outcomes(initiative)
    return version


def _copy_tree(source: AgendaVersion, target: AgendaVersion) -> None:
    nodes = list(source.nodes.prefetch_related("co_partners").order_by("parent_id", "order"))
    copies: dict[int, OutcomeNode] = {}
    # Parents first: a node's parent has a smaller depth, so sort by depth.
    depth: dict[int, int] = {}
    by_id = {n.pk: n for n in nodes}

    def depth_of(node):
        if node.pk not in depth:
            depth[node.pk] = 0 if node.parent_id is None else depth_of(by_id[node.parent_id]) + 1
        return depth[node.pk]

    for node in sorted(nodes, key=depth_of):
        copy = OutcomeNode.objects.create(
            version=target,
            outcome_id=node.outcome_id,
            parent=copies.get(node.parent_id),
            kind=node.kind,
            statement=node.statement,
            description=node.description,
            horizon=node.horizon,
            lead_partner_id=node.lead_partner_id,
            order=node.order,
        )
        copy.co_partners.set(node.co_partners.all())
        copies[node.pk] = copy


def agenda_update(*, actor, version: AgendaVersion, revision, **fields) -> AgendaVersion:
    unknown = set(fields) - set(VERSION_FIELDS)
    if unknown:
        raise ApplicationError(f"Cannot change {', '.join(sorted(unknown))}.")
    _require_working(version)
    for name, value in fields.items():
        fields[name] = (value or "").strip()
    if "title" in fields and len(fields["title"]) > 200:
        raise ApplicationError(
            "The title is too long.", errors={"title": ["At most 200 characters."]}
        )
    for name, value in fields.items():
        _check_length(value, MAX_TEXT, name)
    before = snapshot(version, VERSION_FIELDS)
    with transaction.atomic():
        _claim_revision(version, revision)
        for name, value in fields.items():
            setattr(version, name, value)
        changes = diff(before, snapshot(version, VERSION_FIELDS))
        if changes:
            version.save(update_fields=[*changes.keys(), "updated_at"])
            audit_record(actor=actor, verb="updated", target=version, changes=changes)
    return version


def consultation_open(*, actor, version: AgendaVersion) -> AgendaVersion:
    if version.status != VersionStatus.DRAFT:
        raise ApplicationError(
            f"Only a draft can go to consultation; version {version.number} is "
            f"{version.get_status_display().lower()}.",
            code="bad_status",
            kind=CONFLICT,
        )
    if not (version.problem_statement or version.vision or version.nodes.exists()):
        raise ApplicationError(
            "Write at least the problem statement, the vision or one outcome before asking "
            "people for their views.",
            code="empty",
        )
    with transaction.atomic():
        version.status = VersionStatus.CONSULTATION
        version.consultation_opened_at = timezone.now()
        version.consultation_closed_at = None
        version.save(
            update_fields=[
                "status",
                "consultation_opened_at",
                "consultation_closed_at",
                "updated_at",
            ]
        )
        audit_record(actor=actor, verb="opened consultation", target=version)
        members = list(
            Membership.objects.filter(initiative=version.initiative)
            .exclude(user=actor)
            .select_related("user")
        )
        notify.schedule(notify.consultation_opened, version, members)
    return version


def consultation_close(*, actor, version: AgendaVersion) -> AgendaVersion:
    if version.status != VersionStatus.CONSULTATION:
        raise ApplicationError(
            f"Version {version.number} is not in consultation.", code="bad_status", kind=CONFLICT
        )
    with transaction.atomic():
        version.status = VersionStatus.DRAFT
        version.consultation_closed_at = timezone.now()
        version.consultation_summary = consultation_summary(version)
        version.save(
            update_fields=[
                "status",
                "consultation_closed_at",
                "consultation_summary",
                "updated_at",
            ]
        )
        audit_record(actor=actor, verb="closed consultation", target=version)
    return version


def _md(text: str, limit: int | None = None) -> str:
    """User text as one line of Markdown that reads literally (no markup, no broken tables)."""
    text = " ".join((text or "").split())
    if limit and len(text) > limit:
        text = text[: limit - 1].rstrip() + "…"
    for char in "\\`*_[]|#":
        text = text.replace(char, "\\" + char)
    return text.replace("<", "&lt;").replace(">", "&gt;")


def _plural(count: int, one: str, many: str) -> str:
    return f"{count} {one if count == 1 else many}"


def consultation_summary(version: AgendaVersion) -> str:
    """Markdown: what changed and why (decided amendments and the draft against the version it
    started from), and what people said per part of the agenda."""
    from .diff import TEXT_LABELS, diff_snapshots
    from .selectors import item_target_label, snapshot_of

    items = list(
        version.consultation_items.select_related("author", "partner", "outcome", "decided_by")
    )
    amendments = [i for i in items if i.kind == ItemKind.AMENDMENT and i.parent_id is None]
    lines = ["### What changed and why", ""]
    for status, heading in (
        (ItemStatus.ACCEPTED, "Accepted amendments"),
        (ItemStatus.DECLINED, "Declined amendments"),
        (ItemStatus.OPEN, "Amendments not decided when the consultation closed"),
    ):
        chosen = [a for a in amendments if a.status == status]
        if not chosen:
            continue
        lines.append(f"**{heading} ({len(chosen)})**")
        lines.append("")
        for a in chosen:
            who = a.author.name if a.author else "a former member"
            if a.partner:
                who += f" ({a.partner.name})"
            line = f"- *{_md(item_target_label(a))}* — proposed by {_md(who)}"
            if status == ItemStatus.ACCEPTED:
                line += f" — now reads “{_md(a.proposed_text, 160)}”"
            if a.decision_reason:
                line += f" — reason: {_md(a.decision_reason)}"
            lines.append(line)
        lines.append("")
    if not amendments:
        lines += ["No amendments were proposed.", ""]
    if version.based_on_id:
        change = diff_snapshots(snapshot_of(version.based_on), snapshot_of(version))
        lines.append(f"**The draft compared with v{version.based_on.number}**")
        lines.append("")
        if change.is_empty:
            lines.append(f"- Nothing differs from v{version.based_on.number} yet.")
        for label, group in (
            ("Outcomes added", change.added.values()),
            ("Outcomes removed", change.removed.values()),
        ):
            group = list(group)
            if group:
                names = "; ".join(f"“{_md(n.statement, 120)}”" for n in group)
                lines.append(f"- {label} ({len(group)}): {names}")
        if change.reworded:
            names = "; ".join(f"“{_md(c.after.statement, 120)}”" for c in change.reworded)
            lines.append(f"- Outcomes reworded ({len(change.reworded)}): {names}")
        if change.moved:
            lines.append(f"- {_plural(len(change.moved), 'outcome', 'outcomes')} moved in the tree")
        if change.texts:
            parts = ", ".join(TEXT_LABELS[name].lower() for name in change.texts)
            lines.append(f"- Text changed: {parts}")
        lines.append("")
    lines += [
        "### What people said",
        "",
        "| Part of the agenda | Comments | Concerns | Support | Amendments |",
        "|---|---:|---:|---:|---:|",
    ]
    counts: dict[str, dict[str, int]] = {}
    for item in items:
        label = _md(item_target_label(item), 120)
        row = counts.setdefault(label, dict.fromkeys(ItemKind.values, 0))
        row[item.kind] += 1
    for label, row in counts.items():
        lines.append(
            f"| {label} | {row['comment']} | {row['concern']} | {row['support']} | "
            f"{row['amendment']} |"
        )
    if not counts:
        lines.append("| (nothing was said) | 0 | 0 | 0 | 0 |")
    voices = {i.author_id for i in items if i.author_id}
    partners = {i.partner_id for i in items if i.partner_id}
    lines += [
        "",
        f"{_plural(len(items), 'contribution', 'contributions')} from "
        f"{_plural(len(voices), 'person', 'people')} and "
        f"{_plural(len(partners), 'partner', 'partners')}.",
    ]
    return "\n".join(lines)


def agenda_adopt(
    *, actor, version: AgendaVersion, rationale: str | None = None, learning: str | None = None
) -> AgendaVersion:
    """Adopt a working version: it replaces the adopted one, which becomes superseded."""
    _require_working(version, "adopt")
    for name, value in (("rationale", rationale), ("learning", learning)):
        _check_length(value or "", MAX_TEXT, name)
    if not version.nodes.exists():
        raise ApplicationError(
            "A version with no outcomes cannot be adopted: add the goal and the outcomes "
            "everyone aims for first.",
            errors={"outcomes": ["Add at least one outcome."]},
            code="no_outcomes",
        )
    with transaction.atomic():
        if version.status == VersionStatus.CONSULTATION:
            consultation_close(actor=actor, version=version)
        now = timezone.now()
        previous = AgendaVersion.objects.filter(
            initiative=version.initiative, status=VersionStatus.ADOPTED
        ).first()
        if previous is not None:
            previous.status = VersionStatus.SUPERSEDED
            previous.save(update_fields=["status", "updated_at"])
            audit_record(actor=actor, verb="superseded", target=previous)
        if rationale is not None:
            version.rationale = rationale.strip()
        if learning is not None:
            version.learning = learning.strip()
        version.status = VersionStatus.ADOPTED
        version.adopted_at = now
        version.adopted_by = actor if getattr(actor, "is_authenticated", False) else None
        version.save(
            update_fields=[
                "status",
                "adopted_at",
                "adopted_by",
                "rationale",
                "learning",
                "updated_at",
            ]
        )
        audit_record(
            actor=actor,
            verb="adopted",
            target=version,
            changes={"superseded": previous.number if previous else None},
        )
        sync_outcomes(version.initiative)
        leads = list(
            Membership.objects.filter(
                initiative=version.initiative, role="partner_lead", partner__isnull=False
            ).select_related("user", "partner")
        )
        notify.schedule(notify.version_adopted, version, leads)
    return version


# --- Outcome tree ----------------------------------------------------------------------------


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


# --- Consultation ----------------------------------------------------------------------------


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


# --- Endorsements ----------------------------------------------------------------------------


def endorsement_record(
    *, actor, version: AgendaVersion, partner: Partner, stance: str, reservations: str = ""
) -> Endorsement:
    _check_choice(stance, Stance, "stance")
    if version.status != VersionStatus.ADOPTED:
        raise ApplicationError(
            f"Only the adopted version can be endorsed; version {version.number} is "
            f"{version.get_status_display().lower()}.",
            code="not_adopted",
            kind=CONFLICT,
        )
    _check_partner(version.initiative, partner, "partner")
    membership = membership_for(actor, version.initiative)
    if membership is None or membership.partner_id != partner.pk:
        raise ApplicationError(
            f"Only the lead of {partner.name} records its endorsement.",
            code="not_lead",
            kind=FORBIDDEN,
        )
    reservations = (reservations or "").strip()
    if stance == Stance.RESERVATIONS and not reservations:
        raise ApplicationError(
            "Say what your reservations are, so they can be worked on.",
            errors={"reservations": ["Required when endorsing with reservations."]},
        )
    _check_length(reservations, MAX_NOTE, "reservations")
    if stance == Stance.ENDORSED:
        reservations = ""
    with transaction.atomic():
        previous = (
            Endorsement.objects.filter(version=version, partner=partner)
            .values("stance", "reservations")
            .first()
        ) or {"stance": None, "reservations": ""}
        endorsement, _created = Endorsement.objects.update_or_create(
            version=version,
            partner=partner,
            defaults={
                "initiative": version.initiative,
                "stance": stance,
                "reservations": reservations,
                "recorded_by": actor,
            },
        )
        audit_record(
            actor=actor,
            verb="endorsed" if stance == Stance.ENDORSED else "endorsed with reservations",
            target=endorsement,
            changes={
                "version": version.number,
                "partner": partner.name,
                **diff(previous, {"stance": stance, "reservations": reservations}),
            },
        )
    return endorsement


# --- Diverse voices --------------------------------------------------------------------------


def voices_nudge(
    *, actor, version: AgendaVersion, partner: Partner | None = None, level: str = ""
) -> int:
    """Email the members of a partner (or at a level) who have not taken part yet."""
    from .selectors import voices_silent_members

    if version.status != VersionStatus.CONSULTATION:
        raise ApplicationError(
            "Nudge people while the consultation is open.", code="closed", kind=CONFLICT
        )
    if partner is None and not level:
        raise ApplicationError("Choose a partner or a level to nudge.")
    if level and level != "none" and level not in Level.values:
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
