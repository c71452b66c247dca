"""Gaps: where the mutually reinforcing activities leave holes, each with a suggested next step
and the partners whose strengths fit it; and "what if partner X leaves".

Reads a fixed number of queries (outcome tree, partners, claims with their activities,
indicators per outcome, reporting assignments, dependencies, strengths), then works in Python.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

import networkx as nx
from django.urls import reverse

from collective.core.models import Initiative, Partner

from . import selectors
from .choices import Lever
from .models import Activity, Capability, Contribution, Dependency, PartnerStrength
from .similarity import words

KIND_TITLES = {
    "no_activity": "Outcomes nobody works on",
    "no_indicator": "Outcomes without an indicator",
    "fragile": "Fragile outcomes: only one partner works on them",
    "single_point": "Outcomes that hang on one partner's activity",
    "programme_only": "Outcomes served only by programmes",
    "unreported": "Indicators nobody reports",
    "idle_partner": "Partners contributing to no outcome",
    "articulation": "Partners the network cannot lose",
}
# Words that point to the capabilities a kind of gap needs, besides the outcome's own words.
HINTS = {
    "no_indicator": "data evaluation measurement",
    "unreported": "data evaluation measurement reporting",
    "programme_only": "policy advocacy practices funding relationships community engagement",
}


@dataclass
class Suggestion:
    partner: Partner
    score: float
    reason: str


@dataclass
class Gap:
    kind: str
    title: str
    detail: str
    next_step: str
    url: str = ""
    subject_uid: str = ""
    suggestions: list[Suggestion] = field(default_factory=list)


@dataclass(frozen=True)
class Act:
    """What the gaps need of an activity (read as plain values, not model instances)."""

    pk: int
    partner_id: int
    lever: str


@dataclass
class Coverage:
    """Who works on what: the facts every gap is computed from."""

    outcomes: list  # (Outcome, depth) in tree order
    partners: list[Partner]
    partners_of: dict[int, set[int]]  # outcome id -> partner ids with a claim on it
    activities_of: dict[int, list[Act]]  # outcome id -> activities claiming it
    needs: dict[int, set[int]]  # activity id -> ids it needs
    activity_partner: dict[int, int]
    indicators_of: dict[int, list]
    reported: set[int]
    indicators: list


def coverage(initiative: Initiative) -> Coverage:
    outcomes = selectors.outcomes_current(initiative)
    partners = selectors.partners(initiative)
    partners_of: dict[int, set[int]] = defaultdict(set)
    activities_of: dict[int, list[Act]] = defaultdict(list)
    claims = (
        Contribution.objects.filter(initiative=initiative, outcome__isnull=False)
        .exclude(activity__status="stopped")
        .values_list("outcome_id", "activity_id", "activity__partner_id", "activity__lever")
        .order_by("outcome_id", "activity_id")
    )
    for outcome_id, activity_id, partner_id, lever in claims:
        partners_of[outcome_id].add(partner_id)
        activities_of[outcome_id].append(Act(activity_id, partner_id, lever))
    needs: dict[int, set[int]] = defaultdict(set)
    for a, b in Dependency.objects.filter(initiative=initiative).values_list(
        "activity_id", "needs_id"
    ):
        needs[a].add(b)
    activity_partner = dict(
        Activity.objects.filter(initiative=initiative).values_list("pk", "partner_id")
    )
    return Coverage(
        outcomes=outcomes,
        partners=partners,
        partners_of=partners_of,
        activities_of=activities_of,
        needs=needs,
        activity_partner=activity_partner,
        indicators_of=selectors.indicators_by_outcome(initiative),
        reported=selectors.indicators_reported(initiative),
        indicators=list(selectors.indicator_choices(initiative)),
    )


class Matcher:
    """Partners whose strengths fit a need: their rated capabilities and their own strengths
    text, compared word by word with the need (outcome wording + what the gap needs)."""

    def __init__(self, initiative: Initiative, partners: list[Partner]):
        self.partners = partners
        capabilities = {c.pk: c for c in Capability.objects.filter(initiative=initiative)}
        self.rated: dict[int, list[tuple[Capability, int]]] = defaultdict(list)
        for partner_id, capability_id, level in PartnerStrength.objects.filter(
            initiative=initiative
        ).values_list("partner_id", "capability_id", "level"):
            self.rated[partner_id].append((capabilities[capability_id], level))
        self.cap_words = {
            pk: set(words(f"{c.name} {c.description}")) for pk, c in capabilities.items()
        }
        self.own_words = {p.pk: set(words(p.strengths)) for p in partners}

    def suggest(self, need: str, *, exclude: set[int] = frozenset(), limit: int = 3):
        need_words = set(words(need))
        found = []
        for p in self.partners:
            if p.pk in exclude:
                continue
            score, reasons = 0.0, []
            for capability, level in self.rated.get(p.pk, []):
                hits = need_words & self.cap_words[capability.pk]
                if hits:
                    score += level * len(hits)
                    reasons.append(f"{capability.name} ({level}/4)")
            own = need_words & self.own_words[p.pk]
            if own:
                score += 1.5 * len(own)
                reasons.append("says it is strong at " + ", ".join(sorted(own)[:3]))
            if score:
                found.append(Suggestion(p, score, "; ".join(reasons)))
        found.sort(key=lambda s: (-s.score, s.partner.name))
        return found[:limit]


def _blockers(cov: Coverage, outcome_id: int) -> set[int]:
    """Partners every activity on the outcome (transitively) needs — of other partners."""
    common: set[int] | None = None
    for activity in cov.activities_of.get(outcome_id, []):
        reach, stack = set(), [activity.pk]
        while stack:
            for nxt in cov.needs.get(stack.pop(), ()):
                if nxt not in reach:
                    reach.add(nxt)
                    stack.append(nxt)
        partners = {cov.activity_partner[a] for a in reach} - {activity.partner_id}
        common = partners if common is None else common & partners
        if not common:
            return set()
    return common or set()


def partner_outcome_graph(cov: Coverage) -> nx.Graph:
    graph = nx.Graph()
    graph.add_nodes_from((f"p{p.pk}" for p in cov.partners), kind="partner")
    for outcome, _depth in cov.outcomes:
        graph.add_node(f"o{outcome.pk}", kind="outcome")
        for partner_id in cov.partners_of.get(outcome.pk, ()):
            graph.add_edge(f"p{partner_id}", f"o{outcome.pk}")
    return graph


def articulation_partners(cov: Coverage) -> set[int]:
    graph = partner_outcome_graph(cov)
    return {int(n[1:]) for n in nx.articulation_points(graph) if n.startswith("p")}


def gap_list(initiative: Initiative) -> list[Gap]:
    cov = coverage(initiative)
    matcher = Matcher(initiative, cov.partners)
    slug = initiative.slug
    by_id = {p.pk: p for p in cov.partners}
    add_url = reverse("activities:activity-create", kwargs={"slug": slug})
    gaps: list[Gap] = []

    def outcome_url(outcome) -> str:
        return reverse("activities:contribution", kwargs={"slug": slug, "uid": outcome.uid})

    for outcome, _depth in cov.outcomes:
        partners = cov.partners_of.get(outcome.pk, set())
        acts = cov.activities_of.get(outcome.pk, [])
        if not acts:
            gaps.append(
                Gap(
                    "no_activity",
                    outcome.title,
                    "No activity claims a contribution to this outcome.",
                    "Ask the suggested partners whether they could take it on, or add an "
                    "activity with a claim on it.",
                    add_url,
                    str(outcome.uid),
                    matcher.suggest(outcome.title),
                )
            )
        elif len(partners) == 1:
            (only,) = partners
            gaps.append(
                Gap(
                    "fragile",
                    outcome.title,
                    f"Only {by_id[only].name} works on it ({len(acts)} "
                    f"activit{'y' if len(acts) == 1 else 'ies'}); if it stepped back, nobody "
                    "would.",
                    "Find a second partner to share the work and the learning.",
                    outcome_url(outcome),
                    str(outcome.uid),
                    matcher.suggest(outcome.title, exclude={only}),
                )
            )
        if acts and len(partners) > 1:
            blockers = _blockers(cov, outcome.pk)
            for blocker in sorted(blockers):
                gaps.append(
                    Gap(
                        "single_point",
                        outcome.title,
                        f"Every activity on it waits on work of {by_id[blocker].name}.",
                        f"Agree a fallback with {by_id[blocker].name}, or find a second partner "
                        "for what it delivers.",
                        outcome_url(outcome),
                        str(outcome.uid),
                        matcher.suggest(outcome.title, exclude={blocker}),
                    )
                )
        if acts and all(a.lever == Lever.PROGRAMME for a in acts):
            gaps.append(
                Gap(
                    "programme_only",
                    outcome.title,
                    f"{len(acts)} activit{'y' if len(acts) == 1 else 'ies'}, all programmes or "
                    "services: nothing changes the policies, practices, resource flows, "
                    "relationships, power or mental models behind it.",
                    "Add an activity that pulls a systems-change lever.",
                    outcome_url(outcome),
                    str(outcome.uid),
                    matcher.suggest(f"{outcome.title} {HINTS['programme_only']}", exclude=partners),
                )
            )
        if not cov.indicators_of.get(outcome.pk):
            gaps.append(
                Gap(
                    "no_indicator",
                    outcome.title,
                    "No indicator measures this outcome, so nobody can tell whether it moves.",
                    "Agree an indicator with the partners in shared measurement.",
                    reverse("measurement:indicator-create", kwargs={"slug": slug}),
                    str(outcome.uid),
                    matcher.suggest(f"{outcome.title} {HINTS['no_indicator']}"),
                )
            )
    for indicator in cov.indicators:
        if indicator.formula or indicator.pk in cov.reported:
            continue
        gaps.append(
            Gap(
                "unreported",
                f"{indicator.code} — {indicator.name}",
                "No partner is asked to report it.",
                "Assign a reporting partner.",
                reverse(
                    "measurement:assignment-list", kwargs={"slug": slug, "code": indicator.code}
                ),
                str(indicator.uid),
                matcher.suggest(f"{indicator.name} {HINTS['unreported']}"),
            )
        )
    contributing = set().union(*cov.partners_of.values()) if cov.partners_of else set()
    for partner in cov.partners:
        if partner.pk in contributing:
            continue
        gaps.append(
            Gap(
                "idle_partner",
                partner.name,
                "None of its activities claims a contribution to an outcome of the agenda.",
                "Map its work to the outcomes, starting from its strengths.",
                reverse("activities:strengths", kwargs={"slug": slug}) + f"?partner={partner.uid}",
                str(partner.uid),
            )
        )
    for partner_id in sorted(articulation_partners(cov), key=lambda pk: by_id[pk].name):
        lost = [o for o, _d in cov.outcomes if cov.partners_of.get(o.pk) == {partner_id}]
        gaps.append(
            Gap(
                "articulation",
                by_id[partner_id].name,
                "If it left, the partnership would split"
                + (f" and {len(lost)} outcome(s) would lose all coverage." if lost else "."),
                "See what would happen and plan for it.",
                reverse("activities:gaps", kwargs={"slug": slug})
                + f"?leaves={by_id[partner_id].uid}#what-if",
                str(by_id[partner_id].uid),
            )
        )
    return gaps


@dataclass
class WhatIf:
    partner: Partner
    lost: list  # outcomes that would lose all coverage
    weakened: list  # outcomes left with one partner
    stranded: list[Activity]  # other partners' activities that need its activities
    components_before: int
    components_after: int


def what_if(initiative: Initiative, partner: Partner) -> WhatIf:
    cov = coverage(initiative)
    lost, weakened = [], []
    for outcome, _d in cov.outcomes:
        partners = cov.partners_of.get(outcome.pk, set())
        if partner.pk in partners:
            if len(partners) == 1:
                lost.append(outcome)
            elif len(partners) == 2:
                weakened.append(outcome)
    theirs = {a for a, p in cov.activity_partner.items() if p == partner.pk}
    stranded_ids = {a for a, needs in cov.needs.items() if needs & theirs and a not in theirs}
    stranded = list(
        Activity.objects.filter(pk__in=stranded_ids).select_related("partner").order_by("title")
    )
    graph = partner_outcome_graph(cov)
    before = nx.number_connected_components(graph)
    graph.remove_node(f"p{partner.pk}")
    # The partner itself is gone; outcomes it alone served become isolated and count too.
    after = nx.number_connected_components(graph)
    return WhatIf(partner, lost, weakened, stranded, before, after)
