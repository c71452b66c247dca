"""Agenda versions: drafts, content edits, consultation open/close with its summary, adoption."""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone

from collective.core.audit import audit_record, diff, snapshot
from collective.core.errors import CONFLICT, ApplicationError
from collective.core.models import Initiative, Membership

from .. import notify
from ..choices import ItemKind, ItemStatus, VersionStatus
from ..models import AgendaVersion, OutcomeNode
from ._common import (
    MAX_TEXT,
    VERSION_FIELDS,
    _check_length,
    _claim_revision,
    _require_working,
    sync_outcomes,
    working_version,
)


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
    from ..diff import TEXT_LABELS, diff_snapshots
    from ..selectors import item_target_label, snapshot_of

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
