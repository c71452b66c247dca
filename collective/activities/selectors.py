"""Reads of activities, scoped to an initiative: activities, claims, outcomes and indicators to
pick from, strengths, survey rounds. The analyses (alignment, gaps, overlaps, network, map,
charts) live in their own modules and read through here."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from django.db.models import Count, Prefetch, Q, QuerySet
from django.http import Http404

from collective.agenda import selectors as agenda_selectors
from collective.agenda.models import Outcome
from collective.core.models import Initiative, Partner
from collective.core.selectors import partner_tree
from collective.measurement.models import Indicator, ReportingAssignment

from . import similarity
from .choices import ActivityStatus, OverlapDecisionKind
from .models import (
    Activity,
    Capability,
    ClaimReview,
    Contribution,
    Dependency,
    OverlapDecision,
    OverlapScan,
    PartnerStrength,
    SurveyAnswer,
    SurveyRound,
)
from .similarity import Doc

LIVE_OVERLAP_LIMIT = 400  # above this many activities, overlaps come from a background scan

# --- Activities ------------------------------------------------------------------------------


def activity_list(initiative: Initiative) -> QuerySet[Activity]:
    """The initiative's activities with partner, lead person and claim counts (one query)."""
    return (
        Activity.objects.filter(initiative=initiative)
        .select_related("partner", "lead_person", "initiative")
        .annotate(
            claim_count=Count("claims", distinct=True),
            contested_count=Count(
                "claims__reviews", filter=Q(claims__reviews__verdict="contested"), distinct=True
            ),
        )
        .order_by("partner__name", "title")
    )


def activity_get(initiative: Initiative, uid) -> Activity:
    activity = (
        Activity.objects.filter(initiative=initiative, uid=uid)
        .select_related("partner", "lead_person", "initiative", "created_by")
        .first()
    )
    if activity is None:
        raise Http404("No such activity.")
    return activity


def activity_detail(activity: Activity) -> dict:
    """Everything the activity page shows, in a fixed number of queries."""
    claims = list(
        Contribution.objects.filter(activity=activity)
        .select_related("outcome", "indicator", "created_by")
        .prefetch_related(
            Prefetch(
                "reviews",
                queryset=ClaimReview.objects.select_related("reviewer", "partner").order_by(
                    "-updated_at"
                ),
            )
        )
    )
    needs = list(
        Dependency.objects.filter(activity=activity).select_related("needs__partner", "needs")
    )
    dependents = list(
        Dependency.objects.filter(needs=activity).select_related("activity__partner", "activity")
    )
    return {
        "claims": claims,
        "needs": needs,
        "dependents": dependents,
        "progress": list(activity.progress.select_related("author")[:50]),
        "milestones": list(activity.milestones.all()),
        "supporters": list(activity.supporting_partners.order_by("name")),
        "measures": list(activity.measures.order_by("code")),
    }


def claim_get(initiative: Initiative, uid) -> Contribution:
    claim = (
        Contribution.objects.filter(initiative=initiative, uid=uid)
        .select_related("activity__partner", "activity__initiative", "outcome", "indicator")
        .first()
    )
    if claim is None:
        raise Http404("No such claim.")
    return claim


def claim_list(initiative: Initiative) -> QuerySet[Contribution]:
    return (
        Contribution.objects.filter(initiative=initiative)
        .select_related("activity__partner", "outcome", "indicator")
        .prefetch_related(
            Prefetch("reviews", queryset=ClaimReview.objects.select_related("partner"))
        )
        .order_by("activity__title", "id")
    )


def dependency_get(initiative: Initiative, pk: int) -> Dependency:
    dependency = (
        Dependency.objects.filter(initiative=initiative, pk=pk)
        .select_related("activity__partner", "needs")
        .first()
    )
    if dependency is None:
        raise Http404("No such dependency.")
    return dependency


# --- What activities link to -----------------------------------------------------------------


def outcomes_current(initiative: Initiative) -> list[tuple[Outcome, int]]:
    """The outcomes of the adopted agenda (or the working draft before one is adopted), in tree
    order with their depth."""
    return agenda_selectors.outcome_choices(initiative)


def outcome_get(initiative: Initiative, uid) -> Outcome:
    outcome = Outcome.objects.filter(initiative=initiative, uid=uid).first()
    if outcome is None:
        raise Http404("No such outcome.")
    return outcome


def indicator_choices(initiative: Initiative, *, levels: tuple[str, ...] = ()) -> QuerySet:
    qs = Indicator.objects.filter(initiative=initiative, archived=False)
    if levels:
        qs = qs.filter(level__in=levels)
    return qs.order_by("code")


def indicators_by_outcome(initiative: Initiative) -> dict[int, list[Indicator]]:
    """Outcome id → its indicators (not archived), one query."""
    result: dict[int, list[Indicator]] = defaultdict(list)
    through = Indicator.outcomes.through
    rows = through.objects.filter(
        indicator__initiative=initiative, indicator__archived=False
    ).select_related("indicator")
    for row in rows:
        result[row.outcome_id].append(row.indicator)
    return result


def indicator_outcome_pairs(initiative: Initiative, outcome_uids) -> list[tuple[str, str]]:
    """(indicator code, outcome uid) for the indicators measuring the given outcomes."""
    through = Indicator.outcomes.through
    return [
        (code, str(uid))
        for code, uid in through.objects.filter(
            indicator__initiative=initiative,
            indicator__archived=False,
            outcome__uid__in=list(outcome_uids),
        ).values_list("indicator__code", "outcome__uid")
    ]


def indicators_reported(initiative: Initiative) -> set[int]:
    """Ids of indicators some partner is asked to report (an active reporting assignment)."""
    return set(
        ReportingAssignment.objects.filter(initiative=initiative, active=True).values_list(
            "indicator_id", flat=True
        )
    )


def partners(initiative: Initiative) -> list[Partner]:
    return partner_tree(initiative)


# --- Strengths -------------------------------------------------------------------------------


def capability_list(initiative: Initiative) -> QuerySet[Capability]:
    return (
        Capability.objects.filter(initiative=initiative)
        .annotate(rated=Count("ratings"))
        .order_by("name")
    )


def capability_get(initiative: Initiative, pk: int) -> Capability:
    capability = Capability.objects.filter(initiative=initiative, pk=pk).first()
    if capability is None:
        raise Http404("No such capability.")
    return capability


def strengths_by_partner(initiative: Initiative) -> dict[int, dict[int, int]]:
    """partner id → {capability id: level}."""
    result: dict[int, dict[int, int]] = defaultdict(dict)
    for partner_id, capability_id, level in PartnerStrength.objects.filter(
        initiative=initiative
    ).values_list("partner_id", "capability_id", "level"):
        result[partner_id][capability_id] = level
    return result


def strong_at(initiative: Initiative, capability: Capability) -> list[tuple[Partner, int]]:
    """Partners that rate themselves on the capability, strongest first."""
    rows = (
        PartnerStrength.objects.filter(initiative=initiative, capability=capability)
        .select_related("partner")
        .order_by("-level", "partner__name")
    )
    return [(r.partner, r.level) for r in rows]


# --- Overlaps --------------------------------------------------------------------------------


def overlap_docs(initiative: Initiative) -> list[Doc]:
    """The activities overlap detection compares (all but stopped ones), in two queries."""
    outcomes: dict[int, set[int]] = defaultdict(set)
    for activity_id, outcome_id in Contribution.objects.filter(
        initiative=initiative, outcome__isnull=False
    ).values_list("activity_id", "outcome_id"):
        outcomes[activity_id].add(outcome_id)
    rows = (
        Activity.objects.filter(initiative=initiative)
        .exclude(status=ActivityStatus.STOPPED)
        .values_list("pk", "partner_id", "title", "description", "start", "end")
        .order_by("pk")
    )
    return [
        Doc(
            id=pk,
            partner_id=partner_id,
            text=f"{title}\n{description}",
            outcomes=frozenset(outcomes.get(pk, ())),
            start=start,
            end=end,
        )
        for pk, partner_id, title, description, start, end in rows
    ]


def overlap_decisions(initiative: Initiative) -> dict[tuple[int, int], OverlapDecision]:
    return {
        (d.first_id, d.second_id): d
        for d in OverlapDecision.objects.filter(initiative=initiative).select_related("decided_by")
    }


def overlap_scan_latest(initiative: Initiative) -> OverlapScan | None:
    return OverlapScan.objects.filter(initiative=initiative).first()


@dataclass
class OverlapPairs:
    pairs: list[dict]
    live: bool
    scan: OverlapScan | None
    activity_count: int


def overlap_pairs(initiative: Initiative, threshold: float) -> OverlapPairs:
    """Pairs at or above the threshold: computed now for up to LIVE_OVERLAP_LIMIT activities,
    else read from the latest background scan (scans keep pairs down to 0.3)."""
    count = Activity.objects.filter(initiative=initiative).count()
    scan = overlap_scan_latest(initiative)
    live = count <= LIVE_OVERLAP_LIMIT
    if live:
        docs = overlap_docs(initiative)
        pairs = [p.__dict__ for p in similarity.detect(docs, threshold=threshold)]
    elif scan is not None and scan.state == "done":
        pairs = [p for p in scan.results if p["score"] >= threshold]
    else:
        pairs = []
    return OverlapPairs(pairs, live, scan, count)


def overlap_rows(initiative: Initiative, pairs: list[dict]):
    """Pairs with their activities and decisions: (pending, coordinating, dismissed count). A
    pair marked "not an overlap" stays hidden while both texts are as they were."""
    ids = {p["first"] for p in pairs} | {p["second"] for p in pairs}
    acts = Activity.objects.filter(pk__in=ids).select_related("partner", "initiative").in_bulk()
    decisions = overlap_decisions(initiative)
    pending, coordinating, dismissed = [], [], 0
    for p in pairs:
        first, second = acts.get(p["first"]), acts.get(p["second"])
        if first is None or second is None:
            continue
        decision = decisions.get((first.pk, second.pk))
        row = {**p, "a": first, "b": second, "decision": decision}
        if decision and decision.decision == OverlapDecisionKind.NOT_OVERLAP:
            stamp = similarity.fingerprint(
                f"{first.title}\n{first.description}", f"{second.title}\n{second.description}"
            )
            if stamp == decision.fingerprint:
                dismissed += 1
                continue
            row["rewritten"] = True
        if decision and decision.decision == OverlapDecisionKind.COORDINATE:
            coordinating.append(row)
        else:
            pending.append(row)
    return pending, coordinating, dismissed


def overlap_scan_get(initiative: Initiative, uid) -> OverlapScan:
    scan = OverlapScan.objects.filter(initiative=initiative, uid=uid).first()
    if scan is None:
        raise Http404("No such scan.")
    return scan


# --- Surveys ---------------------------------------------------------------------------------


def round_list(initiative: Initiative) -> QuerySet[SurveyRound]:
    return (
        SurveyRound.objects.filter(initiative=initiative)
        .annotate(
            answer_count=Count("answers"),
            respondent_count=Count("answers__respondent", distinct=True),
        )
        .order_by("-opened_on", "-id")
    )


def round_get(initiative: Initiative, uid) -> SurveyRound:
    survey = SurveyRound.objects.filter(initiative=initiative, uid=uid).first()
    if survey is None:
        raise Http404("No such survey round.")
    return survey


def round_open_now(initiative: Initiative) -> SurveyRound | None:
    return SurveyRound.objects.filter(initiative=initiative, status="open").first()


def answers_of(survey: SurveyRound, respondent: Partner | None = None) -> list[SurveyAnswer]:
    qs = SurveyAnswer.objects.filter(round=survey).select_related("respondent", "about")
    if respondent is not None:
        qs = qs.filter(respondent=respondent)
    return list(qs)
