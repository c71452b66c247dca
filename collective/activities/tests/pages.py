"""Mutually reinforcing activities' main pages for the accessibility and phone-width checks
(tests/pages.py)."""

from tests.pages import (
    BACKBONE,
    COALITION,
    COALITION_BACKBONE,
    COMPANY,
    CONTRIBUTOR,
    LEAD,
    LEADS,
    MEMBERS,
    VIEWER,
    Page,
    partner_uid,
    url,
)

# Drawings rendered by script: the checks wait for their SVG.
CHART = ".chart-canvas svg"
MAP = ".map-canvas svg"
OPERATIONS = partner_uid(COMPANY, "Onboarding Operations")


def _activity(title: str):
    def resolve() -> str:
        from collective.activities.models import Activity

        return str(Activity.objects.get(initiative__slug=COMPANY, title=title).uid)

    return resolve


def _outcome(prefix: str):
    def resolve() -> str:
        from collective.agenda.models import Outcome

        return str(
            Outcome.objects.get(
                initiative__slug=COMPANY, title__startswith=prefix, retired=False
            ).uid
        )

    return resolve


def _claim():
    """A claim of another partner than the lead's, which the lead may review."""
    from collective.activities.models import Contribution

    return str(
        Contribution.objects.filter(initiative__slug=COMPANY, outcome__isnull=False)
        .exclude(activity__partner__name="Onboarding Operations")
        .order_by("pk")
        .values_list("uid", flat=True)
        .first()
    )


def _round(status: str):
    def resolve() -> str:
        from collective.activities.models import SurveyRound

        return str(
            SurveyRound.objects.filter(initiative__slug=COMPANY, status=status)
            .order_by("-pk")
            .values_list("uid", flat=True)
            .first()
        )

    return resolve


TRACKER = _activity("Single onboarding tracker")

PAGES = [
    Page("activities", url("activities:index", slug=COMPANY), roles=MEMBERS),
    Page(
        "activities (coalition)",
        url("activities:index", slug=COALITION),
        roles=(COALITION_BACKBONE,),
    ),
    Page("new activity", url("activities:activity-create", slug=COMPANY), roles=(LEAD,)),
    Page(
        "activity",
        url("activities:activity-detail", slug=COMPANY, uid=TRACKER),
        roles=(BACKBONE, LEAD, CONTRIBUTOR, VIEWER),
    ),
    Page("edit activity", url("activities:activity-edit", slug=COMPANY, uid=TRACKER), roles=LEADS),
    Page("new claim", url("activities:claim-create", slug=COMPANY, uid=TRACKER), roles=(LEAD,)),
    Page("review a claim", url("activities:claim-review", slug=COMPANY, uid=_claim), roles=(LEAD,)),
    Page("alignment", url("activities:alignment", slug=COMPANY), roles=(BACKBONE, VIEWER)),
    Page("gaps", url("activities:gaps", slug=COMPANY), roles=(BACKBONE, VIEWER)),
    Page("overlaps", url("activities:overlaps", slug=COMPANY), roles=(BACKBONE, VIEWER)),
    Page("network", url("activities:network", slug=COMPANY), roles=(BACKBONE, VIEWER), ready=MAP),
    Page("map", url("activities:map", slug=COMPANY), roles=(BACKBONE, VIEWER), ready=MAP),
    Page(
        "contribution",
        url("activities:contribution", slug=COMPANY, uid=_outcome("Customers can do")),
        roles=(BACKBONE, VIEWER),
    ),
    Page(
        "timeline", url("activities:timeline", slug=COMPANY), roles=(BACKBONE, VIEWER), ready=CHART
    ),
    Page("strengths", url("activities:strengths", slug=COMPANY), roles=(BACKBONE, VIEWER)),
    Page("rate strengths", url("activities:strengths-rate", slug=COMPANY), roles=(LEAD,)),
    Page("surveys", url("activities:surveys", slug=COMPANY), roles=(BACKBONE, VIEWER)),
    Page("new survey round", url("activities:survey-create", slug=COMPANY)),
    Page("survey round", url("activities:survey-detail", slug=COMPANY, uid=_round("closed"))),
    Page(
        "answer the survey",
        url("activities:survey-answer", slug=COMPANY, uid=_round("open")),
        roles=(LEAD,),
    ),
]
