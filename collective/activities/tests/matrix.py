"""Authorization cases of the activities URLs, pages and API (see tests/matrix.py).

The world: Operations (lead and contributor act for it) and Sales (no one of the matrix roles
acts for it). Operations' activity is changed by its lead and the backbone; Sales' claim is
reviewed by Operations' lead and the backbone (a partner never reviews its own claims).
"""

from tests.matrix import BACKBONE_ONLY, CONTRIBUTORS, LEADS, MEMBERS, Case


def _basic(w):
    from collective.activities.tests.helpers import basic

    return basic(w)


def _slug(w):
    _basic(w)
    return {"slug": w.initiative.slug}


def _ops(w):
    return {"slug": w.initiative.slug, "uid": _basic(w)["ops_activity"].uid}


def _ops_claim(w):
    return {"slug": w.initiative.slug, "uid": _basic(w)["ops_claim"].uid}


def _sales_claim(w):
    return {"slug": w.initiative.slug, "uid": _basic(w)["sales_claim"].uid}


def _milestone(w):
    from collective.activities import services

    act = _basic(w)["ops_activity"]
    m = services.milestone_add(actor=None, activity=act, title="Checklist drafted")
    return {"slug": w.initiative.slug, "uid": act.uid, "pk": m.pk}


def _dependency(w):
    from collective.activities import services

    data = _basic(w)
    d = services.dependency_add(
        actor=None, activity=data["ops_activity"], needs=data["sales_activity"]
    )
    return {"slug": w.initiative.slug, "uid": data["ops_activity"].uid, "pk": d.pk}


def _outcome(w):
    from collective.activities.tests.helpers import outcomes

    return {"slug": w.initiative.slug, "uid": outcomes(w)[1].uid}


def _capability(w):
    from collective.activities import services

    c = services.capability_create(actor=None, initiative=w.initiative, name="Data")
    return {"slug": w.initiative.slug, "pk": c.pk}


def _capability_slug(w):
    _capability(w)
    return {"slug": w.initiative.slug}


def _round(w):
    from collective.activities import services

    r = services.round_open(actor=None, initiative=w.initiative, title="Spring round")
    w.extra["round"] = r
    return {"slug": w.initiative.slug, "uid": r.uid}


def _scan(w):
    from collective.activities.models import OverlapScan

    s = OverlapScan.objects.create(initiative=w.initiative, threshold=0.4, state="done")
    return {"slug": w.initiative.slug, "uid": s.uid}


def _pair(w):
    data = _basic(w)
    return {
        "first": str(data["ops_activity"].uid),
        "second": str(data["sales_activity"].uid),
        "decision": "coordinate",
        "note": "One template for both",
    }


def _api_pair(w):
    data = _basic(w)
    return {
        "first": str(data["ops_activity"].uid),
        "second": str(data["sales_activity"].uid),
        "decision": "not_overlap",
    }


CASES = [
    # Pages
    Case("activities:index", MEMBERS),
    Case("activities:index", MEMBERS, kwargs=_slug, note="with-data"),
    Case("activities:activity-create", LEADS),
    Case(
        "activities:activity-create",
        LEADS,
        method="post",
        kwargs=_slug,
        data=lambda w: {
            "title": "New",
            "partner": str(w.partner.uid),
            "status": "planned",
            "lever": "practices",
            "percent_complete": "0",
        },
    ),
    Case("activities:activity-detail", MEMBERS, kwargs=_ops),
    Case("activities:activity-edit", LEADS, kwargs=_ops),
    Case("activities:activity-delete", LEADS, kwargs=_ops),
    Case("activities:activity-delete", LEADS, kwargs=_ops, method="post"),
    Case(
        "activities:activity-progress",
        CONTRIBUTORS,
        kwargs=_ops,
        method="post",
        data=lambda w: {"note": "Half done", "percent_complete": "50"},
    ),
    Case("activities:activity-acknowledge", LEADS, kwargs=_ops, method="post"),
    Case(
        "activities:milestone-add",
        CONTRIBUTORS,
        kwargs=_ops,
        method="post",
        data=lambda w: {"title": "Pilot"},
    ),
    Case(
        "activities:milestone-done",
        CONTRIBUTORS,
        kwargs=_milestone,
        method="post",
        data=lambda w: {"done": "1"},
    ),
    Case(
        "activities:dependency-add",
        LEADS,
        kwargs=_ops,
        method="post",
        data=lambda w: {"needs": str(w.extra["sales_activity"].uid)},
    ),
    Case("activities:dependency-remove", LEADS, kwargs=_dependency, method="post"),
    Case("activities:claim-create", LEADS, kwargs=_ops),
    Case("activities:claim-edit", LEADS, kwargs=_ops_claim),
    Case("activities:claim-remove", LEADS, kwargs=_ops_claim, method="post"),
    Case("activities:claim-review", LEADS, kwargs=_sales_claim),
    Case(
        "activities:claim-review",
        LEADS,
        kwargs=_sales_claim,
        method="post",
        data=lambda w: {"verdict": "contested", "comment": "Not seen yet"},
    ),
    Case("activities:alignment", MEMBERS, kwargs=_slug),
    Case("activities:gaps", MEMBERS, kwargs=_slug),
    Case("activities:overlaps", MEMBERS, kwargs=_slug),
    Case("activities:overlap-decide", BACKBONE_ONLY, kwargs=_slug, method="post", data=_pair),
    Case(
        "activities:overlap-scan",
        BACKBONE_ONLY,
        kwargs=_slug,
        method="post",
        data=lambda w: {"threshold": "0.4"},
    ),
    Case("activities:overlap-scan-detail", MEMBERS, kwargs=_scan),
    Case("activities:network", MEMBERS, kwargs=_slug),
    Case("activities:map", MEMBERS, kwargs=_slug),
    Case("activities:map-json", MEMBERS, kwargs=_slug),
    Case("activities:contribution", MEMBERS, kwargs=_outcome),
    Case("activities:timeline", MEMBERS, kwargs=_slug),
    Case("activities:strengths", MEMBERS, kwargs=_capability_slug),
    Case("activities:strengths-rate", LEADS, kwargs=_capability_slug),
    Case(
        "activities:capability-add",
        BACKBONE_ONLY,
        method="post",
        data=lambda w: {"name": "Facilitation"},
    ),
    Case("activities:capability-edit", BACKBONE_ONLY, kwargs=_capability),
    Case("activities:capability-remove", BACKBONE_ONLY, kwargs=_capability, method="post"),
    Case("activities:surveys", MEMBERS),
    Case("activities:survey-create", BACKBONE_ONLY),
    Case(
        "activities:survey-create",
        BACKBONE_ONLY,
        method="post",
        data=lambda w: {"title": "Autumn round"},
    ),
    Case("activities:survey-detail", MEMBERS, kwargs=_round),
    Case("activities:survey-answer", LEADS, kwargs=_round),
    Case("activities:survey-close", BACKBONE_ONLY, kwargs=_round, method="post"),
]


def _api_ops(w):
    return _ops(w)


API_CASES = [
    Case("api:activities-list", MEMBERS, api=True, kwargs=_slug),
    Case(
        "api:activities-list",
        LEADS,
        api=True,
        method="post",
        data=lambda w: {"title": "Via the API", "partner": str(w.partner.uid)},
    ),
    Case("api:activities-detail", MEMBERS, api=True, kwargs=_ops),
    Case(
        "api:activities-detail",
        LEADS,
        api=True,
        kwargs=_ops,
        method="patch",
        data=lambda w: {"percent_complete": 40},
    ),
    Case("api:activities-detail", LEADS, api=True, kwargs=_ops, method="delete"),
    Case(
        "api:activities-progress",
        CONTRIBUTORS,
        api=True,
        kwargs=_ops,
        method="post",
        data=lambda w: {"note": "Pilot started", "percent_complete": 20},
    ),
    Case(
        "api:activities-dependencies",
        LEADS,
        api=True,
        kwargs=_ops,
        method="post",
        data=lambda w: {"needs": str(w.extra["sales_activity"].uid)},
    ),
    Case("api:contributions-list", MEMBERS, api=True, kwargs=_slug),
    Case(
        "api:contributions-list",
        LEADS,
        api=True,
        kwargs=_slug,
        method="post",
        data=lambda w: {
            "activity": str(w.extra["ops_activity"].uid),
            "outcome": str(w.extra["outcomes"][2].uid),
            "rationale": "Notes arrive complete.",
        },
    ),
    Case("api:contributions-detail", MEMBERS, api=True, kwargs=_ops_claim),
    Case(
        "api:contributions-detail",
        LEADS,
        api=True,
        kwargs=_ops_claim,
        method="patch",
        data=lambda w: {"strength": "indirect"},
    ),
    Case("api:contributions-detail", LEADS, api=True, kwargs=_ops_claim, method="delete"),
    Case(
        "api:contributions-review",
        LEADS,
        api=True,
        kwargs=_sales_claim,
        method="post",
        data=lambda w: {"verdict": "substantiated", "comment": "We use the template."},
    ),
    Case("api:alignment", MEMBERS, api=True, kwargs=_slug),
    Case("api:gaps", MEMBERS, api=True, kwargs=_slug),
    Case("api:overlaps", MEMBERS, api=True, kwargs=_slug),
    Case("api:overlaps", BACKBONE_ONLY, api=True, kwargs=_slug, method="post", data=_api_pair),
    Case("api:network", MEMBERS, api=True, kwargs=_slug),
    Case("api:capabilities-list", MEMBERS, api=True),
    Case(
        "api:capabilities-list",
        BACKBONE_ONLY,
        api=True,
        method="post",
        data=lambda w: {"name": "Data"},
    ),
    Case("api:survey-rounds-list", MEMBERS, api=True),
    Case(
        "api:survey-rounds-list",
        BACKBONE_ONLY,
        api=True,
        method="post",
        data=lambda w: {"title": "Spring"},
    ),
    Case(
        "api:survey-answers",
        LEADS,
        api=True,
        kwargs=_round,
        method="post",
        data=lambda w: {
            "respondent": str(w.partner.uid),
            "answers": [
                {
                    "about": str(w.other_partner.uid),
                    "collaboration": "coordination",
                    "reliability": 3,
                }
            ],
        },
    ),
]
CASES += API_CASES
