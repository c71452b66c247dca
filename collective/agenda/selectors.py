"""Reads of the common agenda: versions, outcome trees, consultation threads, voices, grid."""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field

from django.db.models import Count, Prefetch, Q, QuerySet
from django.http import Http404

from collective.core.choices import ROLE_RANK, Level, Role
from collective.core.models import Initiative, Membership, Partner
from collective.core.selectors import partner_tree

from .choices import (
    ENDORSING,
    TEXT_SECTIONS,
    ItemKind,
    ItemStatus,
    Section,
    Stance,
    VersionStatus,
)
from .diff import TEXT_FIELDS, AgendaSnapshot, NodeData
from .models import AgendaVersion, ConsultationItem, Endorsement, Outcome, OutcomeNode

WORKING = (VersionStatus.DRAFT, VersionStatus.CONSULTATION)


# --- Versions --------------------------------------------------------------------------------


def version_list(initiative: Initiative) -> QuerySet[AgendaVersion]:
    return (
        AgendaVersion.objects.filter(initiative=initiative)
        .select_related("adopted_by", "created_by", "based_on")
        .annotate(
            outcome_count=Count("nodes", distinct=True),
            item_count=Count("consultation_items", distinct=True),
        )
        .order_by("-number")
    )


def version_get(initiative: Initiative, number: int) -> AgendaVersion:
    version = (
        AgendaVersion.objects.filter(initiative=initiative, number=number)
        .select_related("initiative", "adopted_by", "based_on")
        .first()
    )
    if version is None:
        raise Http404("No such agenda version.")
    return version


def version_adopted(initiative: Initiative) -> AgendaVersion | None:
    return (
        AgendaVersion.objects.filter(initiative=initiative, status=VersionStatus.ADOPTED)
        .select_related("adopted_by")
        .first()
    )


def version_working(initiative: Initiative) -> AgendaVersion | None:
    return AgendaVersion.objects.filter(initiative=initiative, status__in=WORKING).first()


def version_current(initiative: Initiative) -> AgendaVersion | None:
    """The adopted version, else the latest draft (what measures and activities link to)."""
    return version_adopted(initiative) or (
        AgendaVersion.objects.filter(initiative=initiative).order_by("-number").first()
    )


# --- Outcome tree ----------------------------------------------------------------------------


def outcome_tree(version: AgendaVersion | None) -> list[OutcomeNode]:
    """The version's nodes depth-first (siblings by order); each node gets `.depth`."""
    if version is None:
        return []
    nodes = list(
        OutcomeNode.objects.filter(version=version)
        .select_related("outcome", "lead_partner")
        .prefetch_related(Prefetch("co_partners", queryset=Partner.objects.order_by("name")))
        .order_by("order", "id")
    )
    children: dict[int | None, list[OutcomeNode]] = defaultdict(list)
    for node in nodes:
        children[node.parent_id].append(node)
    ordered: list[OutcomeNode] = []

    def walk(parent_id, depth):
        for node in children.get(parent_id, []):
            node.depth = depth
            node.child_count = len(children.get(node.pk, []))
            ordered.append(node)
            walk(node.pk, depth + 1)

    walk(None, 0)
    return ordered


def outcome_choices(initiative: Initiative) -> list[tuple[Outcome, int]]:
    """The current outcome tree as a flat list of (Outcome, depth) in tree order.

    Used by shared measurement (and activities) for pickers and filters.
    """
    return [(node.outcome, node.depth) for node in outcome_tree(version_current(initiative))]


def outcome_links(outcome: Outcome, shown: int = 5) -> list[str]:
    """What the other capabilities link to this outcome, e.g. ["2 indicators (A, B)"]."""
    links = []
    for rel in Outcome._meta.related_objects:
        opts = rel.related_model._meta
        if opts.app_label == "agenda":
            continue
        linked = list(getattr(outcome, rel.get_accessor_name()).all()[: shown + 1])
        if not linked:
            continue
        count = (
            len(linked)
            if len(linked) <= shown
            else (getattr(outcome, rel.get_accessor_name()).count())
        )
        names = ", ".join(str(obj) for obj in linked[:shown])
        more = f" and {count - shown} more" if count > shown else ""
        noun = opts.verbose_name if count == 1 else opts.verbose_name_plural
        links.append(f"{count} {noun} ({names}{more})")
    return links


def node_get(version: AgendaVersion, uid) -> OutcomeNode:
    node = (
        OutcomeNode.objects.filter(version=version, outcome__uid=uid)
        .select_related("outcome", "parent", "version__initiative", "lead_partner")
        .first()
    )
    if node is None:
        raise Http404("No such outcome in this version.")
    return node


def snapshot_of(version: AgendaVersion, nodes: list[OutcomeNode] | None = None) -> AgendaSnapshot:
    nodes = outcome_tree(version) if nodes is None else nodes
    by_pk = {n.pk: n for n in nodes}
    return AgendaSnapshot(
        texts={name: getattr(version, name) for name in TEXT_FIELDS},
        nodes={
            str(n.outcome.uid): NodeData(
                statement=n.statement,
                parent=str(by_pk[n.parent_id].outcome.uid) if n.parent_id in by_pk else None,
                kind=n.kind,
                horizon=n.horizon,
                lead=n.lead_partner.name if n.lead_partner else None,
                co=frozenset(p.name for p in n.co_partners.all()),
                order=n.order,
                description=n.description,
            )
            for n in nodes
        },
    )


# --- Consultation ----------------------------------------------------------------------------


def target_key(section: str, outcome: Outcome | None) -> str:
    return f"outcome:{outcome.uid}" if section == Section.OUTCOME and outcome else section


def item_target_label(item: ConsultationItem) -> str:
    if item.section == Section.OUTCOME:
        return f"Outcome “{item.outcome.title}”" if item.outcome else "A removed outcome"
    return Section(item.section).label


def consultation_items(version: AgendaVersion) -> list[ConsultationItem]:
    return list(
        ConsultationItem.objects.filter(version=version)
        .select_related("author", "partner", "outcome", "decided_by")
        .order_by("created_at", "id")
    )


@dataclass
class Target:
    key: str
    label: str
    section: str
    text: str
    node: OutcomeNode | None = None
    items: list = field(default_factory=list)  # top-level items, each with .thread
    counts: Counter = field(default_factory=Counter)

    @property
    def summary(self) -> str:
        """e.g. "2 comments · 1 amendment" (replies are not counted)."""
        words = {
            ItemKind.COMMENT: ("comment", "comments"),
            ItemKind.AMENDMENT: ("amendment", "amendments"),
            ItemKind.CONCERN: ("concern", "concerns"),
            ItemKind.SUPPORT: ("support", "support"),
        }
        parts = [
            f"{self.counts[kind]} {one if self.counts[kind] == 1 else many}"
            for kind, (one, many) in words.items()
            if self.counts[kind]
        ]
        return " · ".join(parts)


def consultation_threads(
    version: AgendaVersion, nodes: list[OutcomeNode], items: list[ConsultationItem]
) -> list[Target]:
    """Every section and outcome of the version with its threads (replies nested)."""
    targets = [
        Target(key=s.value, label=s.label, section=s.value, text=getattr(version, s.value))
        for s in TEXT_SECTIONS
    ]
    for node in nodes:
        targets.append(
            Target(
                key=f"outcome:{node.outcome.uid}",
                label=node.statement,
                section=Section.OUTCOME,
                text=node.statement,
                node=node,
            )
        )
    by_key = {t.key: t for t in targets}
    replies: dict[int, list[ConsultationItem]] = defaultdict(list)
    for item in items:
        item.replies_list = replies[item.pk]
        if item.parent_id:
            replies[item.parent_id].append(item)
    for item in items:
        if item.parent_id:
            continue
        key = target_key(item.section, item.outcome)
        target = by_key.get(key)
        if target is None:  # an outcome removed from the draft since
            target = Target(
                key=key,
                label=f"{item.outcome.title} (removed)" if item.outcome else "Removed outcome",
                section=item.section,
                text="",
            )
            by_key[key] = target
            targets.append(target)
        target.items.append(item)
        target.counts[item.kind] += 1
    return targets


def consultation_counts(version: AgendaVersion) -> dict[str, int]:
    return ConsultationItem.objects.filter(version=version).aggregate(
        total=Count("id"),
        open_amendments=Count(
            "id", filter=Q(kind=ItemKind.AMENDMENT, status=ItemStatus.OPEN, parent=None)
        ),
        concerns=Count("id", filter=Q(kind=ItemKind.CONCERN)),
        support=Count("id", filter=Q(kind=ItemKind.SUPPORT)),
        people=Count("author", distinct=True),
    )


# --- Diverse voices --------------------------------------------------------------------------


@dataclass
class VoiceRow:
    key: str
    label: str
    members: int = 0
    heard: int = 0  # members who contributed
    items: int = 0
    partner: Partner | None = None

    @property
    def silent(self) -> int:
        return self.members - self.heard

    @property
    def share(self) -> float:
        return 100.0 * self.heard / self.members if self.members else 0.0


@dataclass
class Voices:
    people_in: int
    people_heard: int
    by_partner: list[VoiceRow]
    by_function: list[VoiceRow]
    by_level: list[VoiceRow]
    other_voices: int  # contributions from people no longer members / not counted

    @property
    def unheard_partners(self) -> list[VoiceRow]:
        """Partners nobody has spoken for, including those with nobody in the initiative yet."""
        return [r for r in self.by_partner if not r.heard]

    @property
    def unheard_levels(self) -> list[VoiceRow]:
        return [r for r in self.by_level if not r.heard]


def _participants(initiative: Initiative) -> list[Membership]:
    """Members who can take part in a consultation (contributors, leads and backbone)."""
    minimum = ROLE_RANK[Role.CONTRIBUTOR]
    return [
        m
        for m in Membership.objects.filter(initiative=initiative).select_related("user", "partner")
        if ROLE_RANK[m.role] >= minimum
    ]


def voices(version: AgendaVersion) -> Voices:
    members = _participants(version.initiative)
    item_rows = list(
        ConsultationItem.objects.filter(version=version).values_list("author_id", "partner_id")
    )
    authors = Counter(a for a, _p in item_rows if a)
    partner_items = Counter(p for _a, p in item_rows if p)
    heard_ids = set(authors)
    partners = partner_tree(version.initiative)

    by_partner = []
    for partner in partners:
        in_partner = [m for m in members if m.partner_id == partner.pk]
        by_partner.append(
            VoiceRow(
                key=str(partner.uid),
                label=partner.name,
                members=len(in_partner),
                heard=sum(1 for m in in_partner if m.user_id in heard_ids),
                items=partner_items.get(partner.pk, 0),
                partner=partner,
            )
        )
    functions: dict[str, VoiceRow] = {}
    for m in members:
        name = m.user.function.strip() or "Function not given"
        row = functions.setdefault(name, VoiceRow(key=name, label=name))
        row.members += 1
        if m.user_id in heard_ids:
            row.heard += 1
            row.items += authors[m.user_id]
    by_level = []
    for value, label in [*Level.choices, ("", "Level not given")]:
        at_level = [m for m in members if m.user.level == value]
        if not at_level and value == "":
            continue
        by_level.append(
            VoiceRow(
                key=value or "none",
                label=label,
                members=len(at_level),
                heard=sum(1 for m in at_level if m.user_id in heard_ids),
                items=sum(authors[m.user_id] for m in at_level),
            )
        )
    member_ids = {m.user_id for m in members}
    return Voices(
        people_in=len(members),
        people_heard=len(heard_ids & member_ids),
        by_partner=by_partner,
        by_function=sorted(functions.values(), key=lambda r: (-r.members, r.label)),
        by_level=by_level,
        other_voices=sum(n for a, n in authors.items() if a not in member_ids),
    )


def voices_silent_members(
    version: AgendaVersion, *, partner: Partner | None = None, level: str | None = None
) -> list[Membership]:
    """Participants who have not taken part yet, of one partner and/or at one level (a
    `Level` value, or "none" for people who gave no level); None filters nothing."""
    heard = set(
        ConsultationItem.objects.filter(version=version).values_list("author_id", flat=True)
    )
    members = [m for m in _participants(version.initiative) if m.user_id not in heard]
    if partner is not None:
        members = [m for m in members if m.partner_id == partner.pk]
    if level is not None:
        members = [m for m in members if m.user.level == ("" if level == "none" else level)]
    return members


# --- Endorsements ----------------------------------------------------------------------------


@dataclass(frozen=True)
class EndorsementCell:
    version: AgendaVersion
    endorsement: Endorsement | None

    @property
    def closed(self) -> bool:
        """A superseded version can no longer be endorsed: a missing stance stays missing."""
        return self.version.status != VersionStatus.ADOPTED


@dataclass
class EndorsementGrid:
    versions: list[AgendaVersion]
    rows: list[tuple[Partner, list[EndorsementCell]]]
    adopted: AgendaVersion | None
    endorsed: int  # partners that endorse the adopted version (with or without reservations)
    partners: int
    with_reservations: int = 0
    declined: int = 0  # partners that do not endorse it


def endorsement_grid(initiative: Initiative) -> EndorsementGrid:
    versions = list(
        AgendaVersion.objects.filter(
            initiative=initiative, status__in=[VersionStatus.ADOPTED, VersionStatus.SUPERSEDED]
        ).order_by("-number")
    )
    partners = partner_tree(initiative)
    endorsements = {
        (e.version_id, e.partner_id): e
        for e in Endorsement.objects.filter(version__in=versions).select_related("recorded_by")
    }
    rows = [
        (p, [EndorsementCell(v, endorsements.get((v.pk, p.pk))) for v in versions])
        for p in partners
    ]
    adopted = next((v for v in versions if v.status == VersionStatus.ADOPTED), None)
    stances = [e.stance for (v, _p), e in endorsements.items() if adopted and v == adopted.pk]
    endorsed = sum(1 for s in stances if s in ENDORSING)
    with_reservations = stances.count(Stance.RESERVATIONS)
    return EndorsementGrid(
        versions=versions,
        rows=rows,
        adopted=adopted,
        endorsed=endorsed,
        partners=len(partners),
        with_reservations=with_reservations,
        declined=stances.count(Stance.DECLINED),
    )


def endorsement_for(version: AgendaVersion, partner: Partner | None) -> Endorsement | None:
    if partner is None:
        return None
    return Endorsement.objects.filter(version=version, partner=partner).first()
