"""The partner network, two views of the same partners.

- The **evidence network** is built from the platform: partners that lead and support the same
  activity, cross-partner dependencies, outcomes a small group works on together, and help one
  partner gave another (from the communication condition's help-offered event).
- The **survey network** comes from a relationship survey round (the PARTNER tool): a tie when
  either partner reports working with the other above "none", with trust and value scores.

Measures (networkx): density, degree centralisation (Freeman), each partner's degree and
betweenness; the mismatches between the two views, both ways.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from itertools import combinations
from statistics import mean

import networkx as nx

from collective.core.models import Initiative, Partner

from . import selectors
from .choices import COLLABORATION_RANK, TRUST_FIELDS, VALUE_FIELDS, Collaboration
from .models import Activity, Contribution, Dependency, HelpTie, SurveyAnswer, SurveyRound

# Working on the same outcome is a tie only in a group small enough to know each other.
SMALL_GROUP = 8
# Above this many ties, betweenness is estimated from a sample of partners (and says so).
EXACT_BETWEENNESS_EDGES = 4_000
SAMPLE = 64

EDGE_KINDS = {
    "activity": "lead and support the same activity",
    "dependency": "one's activity needs the other's",
    "outcome": "work on the same outcome (in a small group)",
    "help": "one helped the other",
}


@dataclass
class Measures:
    nodes: int
    edges: int
    density: float
    centralisation: float
    degree: dict[int, int]
    betweenness: dict[int, float]
    estimated: bool = False


def measures(graph: nx.Graph) -> Measures:
    n = graph.number_of_nodes()
    degree = dict(graph.degree())
    if n > 2:
        top = max(degree.values())
        centralisation = sum(top - d for d in degree.values()) / ((n - 1) * (n - 2))
    else:
        centralisation = 0.0
    estimated = graph.number_of_edges() > EXACT_BETWEENNESS_EDGES and n > SAMPLE
    betweenness = (
        nx.betweenness_centrality(graph, k=SAMPLE, seed=7)
        if estimated
        else nx.betweenness_centrality(graph)
    )
    return Measures(
        nodes=n,
        edges=graph.number_of_edges(),
        density=nx.density(graph) if n > 1 else 0.0,
        centralisation=centralisation,
        degree=degree,
        betweenness=betweenness,
        estimated=estimated,
    )


def _key(a: int, b: int) -> tuple[int, int]:
    return (a, b) if a < b else (b, a)


def evidence_edges(initiative: Initiative) -> dict[tuple[int, int], dict[str, int]]:
    """(partner, partner) → {kind: count} from the platform's records (four queries)."""
    edges: dict[tuple[int, int], dict[str, int]] = defaultdict(lambda: defaultdict(int))
    through = Activity.supporting_partners.through
    for owner, supporter in through.objects.filter(activity__initiative=initiative).values_list(
        "activity__partner_id", "partner_id"
    ):
        if owner != supporter:
            edges[_key(owner, supporter)]["activity"] += 1
    for a, b in Dependency.objects.filter(initiative=initiative).values_list(
        "activity__partner_id", "needs__partner_id"
    ):
        if a != b:
            edges[_key(a, b)]["dependency"] += 1
    groups: dict[int, set[int]] = defaultdict(set)
    for outcome_id, partner_id in (
        Contribution.objects.filter(initiative=initiative, outcome__isnull=False)
        .values_list("outcome_id", "activity__partner_id")
        .distinct()
    ):
        groups[outcome_id].add(partner_id)
    for members in groups.values():
        if 1 < len(members) <= SMALL_GROUP:
            for a, b in combinations(sorted(members), 2):
                edges[(a, b)]["outcome"] += 1
    for a, b, count in HelpTie.objects.filter(initiative=initiative).values_list(
        "from_partner_id", "to_partner_id", "count"
    ):
        if a != b:
            edges[_key(a, b)]["help"] += count
    return {k: dict(v) for k, v in edges.items()}


@dataclass
class PartnerRow:
    partner: Partner
    degree: int = 0
    betweenness: float = 0.0
    trust: float | None = None
    value: float | None = None
    answers_received: int = 0
    responded: bool = False
    trend: list = field(default_factory=list)  # [(round title, trust, value)]


@dataclass
class NetworkView:
    kind: str  # "evidence" or "survey"
    partners: list[Partner]
    rows: list[PartnerRow]
    edges: list[tuple[Partner, Partner, dict]]
    measures: Measures
    survey: SurveyRound | None = None
    respondents: int = 0


def _graph(partners: list[Partner], ties) -> nx.Graph:
    graph = nx.Graph()
    graph.add_nodes_from(p.pk for p in partners)
    graph.add_edges_from(ties)
    return graph


def evidence_network(initiative: Initiative) -> NetworkView:
    partners = selectors.partners(initiative)
    by_id = {p.pk: p for p in partners}
    edges = evidence_edges(initiative)
    graph = _graph(partners, edges.keys())
    m = measures(graph)
    rows = [
        PartnerRow(p, degree=m.degree.get(p.pk, 0), betweenness=m.betweenness.get(p.pk, 0.0))
        for p in partners
    ]
    listed = [
        (by_id[a], by_id[b], kinds) for (a, b), kinds in edges.items() if a in by_id and b in by_id
    ]
    listed.sort(key=lambda e: (e[0].name, e[1].name))
    return NetworkView("evidence", partners, rows, listed, m)


def survey_ties(answers: list[SurveyAnswer]) -> dict[tuple[int, int], dict]:
    """(partner, partner) → {"levels": {respondent id: level}} for ties above "none"."""
    ties: dict[tuple[int, int], dict] = {}
    for a in answers:
        if COLLABORATION_RANK[a.collaboration] <= COLLABORATION_RANK[Collaboration.NONE]:
            continue
        tie = ties.setdefault(_key(a.respondent_id, a.about_id), {"levels": {}})
        tie["levels"][a.respondent_id] = a.collaboration
    return ties


def _scores(answers: list[SurveyAnswer]) -> dict[int, tuple[float | None, float | None, int]]:
    """partner id → (trust, value, answers about it): means of the ratings others gave it."""
    trust: dict[int, list[float]] = defaultdict(list)
    value: dict[int, list[float]] = defaultdict(list)
    count: dict[int, int] = defaultdict(int)
    for a in answers:
        t = [getattr(a, f) for f in TRUST_FIELDS if getattr(a, f) is not None]
        v = [getattr(a, f) for f in VALUE_FIELDS if getattr(a, f) is not None]
        if t:
            trust[a.about_id].append(mean(t))
        if v:
            value[a.about_id].append(mean(v))
        if t or v:
            count[a.about_id] += 1
    ids = set(trust) | set(value)
    return {
        pk: (
            round(mean(trust[pk]), 2) if trust[pk] else None,
            round(mean(value[pk]), 2) if value[pk] else None,
            count[pk],
        )
        for pk in ids
    }


def survey_network(initiative: Initiative, survey: SurveyRound) -> NetworkView:
    partners = selectors.partners(initiative)
    by_id = {p.pk: p for p in partners}
    answers = list(SurveyAnswer.objects.filter(round=survey))
    ties = survey_ties(answers)
    graph = _graph(partners, ties.keys())
    m = measures(graph)
    scores = _scores(answers)
    respondents = {a.respondent_id for a in answers}
    trend = trends(initiative)
    rows = []
    for p in partners:
        trust, value, received = scores.get(p.pk, (None, None, 0))
        rows.append(
            PartnerRow(
                p,
                degree=m.degree.get(p.pk, 0),
                betweenness=m.betweenness.get(p.pk, 0.0),
                trust=trust,
                value=value,
                answers_received=received,
                responded=p.pk in respondents,
                trend=trend.get(p.pk, []),
            )
        )
    listed = [(by_id[a], by_id[b], t) for (a, b), t in ties.items() if a in by_id and b in by_id]
    listed.sort(key=lambda e: (e[0].name, e[1].name))
    return NetworkView(
        "survey", partners, rows, listed, m, survey=survey, respondents=len(respondents)
    )


def trends(initiative: Initiative) -> dict[int, list[tuple[str, float | None, float | None]]]:
    """partner id → [(round title, trust, value)] over every round, oldest first (one query)."""
    rounds = list(SurveyRound.objects.filter(initiative=initiative).order_by("opened_on", "id"))
    answers: dict[int, list[SurveyAnswer]] = defaultdict(list)
    for a in SurveyAnswer.objects.filter(initiative=initiative):
        answers[a.round_id].append(a)
    result: dict[int, list] = defaultdict(list)
    for r in rounds:
        scores = _scores(answers.get(r.pk, []))
        for pk, (trust, value, _n) in scores.items():
            result[pk].append((r.title, trust, value))
    return result


@dataclass
class Mismatch:
    first: Partner
    second: Partner
    kind: str  # "reported_only" or "work_only"
    detail: str


def mismatches(initiative: Initiative, survey: SurveyRound) -> list[Mismatch]:
    """Ties people report without shared work on the platform, and shared work nobody reports
    (only between partners of which at least one answered the round)."""
    partners = {p.pk: p for p in selectors.partners(initiative)}
    evidence = evidence_edges(initiative)
    answers = list(SurveyAnswer.objects.filter(round=survey))
    reported = survey_ties(answers)
    respondents = {a.respondent_id for a in answers}
    found = []
    for (a, b), tie in reported.items():
        if (a, b) not in evidence and a in partners and b in partners:
            who = ", ".join(
                f"{partners[r].name} says {Collaboration(level).label.split(' —')[0].lower()}"
                for r, level in tie["levels"].items()
            )
            found.append(
                Mismatch(
                    partners[a],
                    partners[b],
                    "reported_only",
                    f"{who}, but they share no activity, dependency, small-group outcome or help "
                    "on the platform.",
                )
            )
    for (a, b), kinds in evidence.items():
        if (a, b) in reported or not ({a, b} & respondents):
            continue
        if a in partners and b in partners:
            what = ", ".join(f"{n} × {EDGE_KINDS[k].split(' (')[0]}" for k, n in kinds.items())
            found.append(
                Mismatch(
                    partners[a],
                    partners[b],
                    "work_only",
                    f"They work together on the platform ({what}), but nobody reported the "
                    "relationship in this round.",
                )
            )
    found.sort(key=lambda m: (m.kind, m.first.name, m.second.name))
    return found


def round_measures(initiative: Initiative) -> list[tuple[SurveyRound, Measures]]:
    """Density, centralisation and ties of every round's survey network, oldest first (two
    queries): how the partnership's relationships change over time."""
    partners = selectors.partners(initiative)
    rounds = list(SurveyRound.objects.filter(initiative=initiative).order_by("opened_on", "id"))
    answers: dict[int, list[SurveyAnswer]] = defaultdict(list)
    for a in SurveyAnswer.objects.filter(initiative=initiative):
        answers[a.round_id].append(a)
    return [(r, measures(_graph(partners, survey_ties(answers[r.pk]).keys()))) for r in rounds]
