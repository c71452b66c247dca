"""Authorization cases of the shared-measurement API (see tests/matrix.py)."""

from collective.measurement.tests.helpers import save_value
from tests.matrix import BACKBONE_ONLY, CONTRIBUTORS, MEMBERS, Case

PAST = "2025-03"


def _indicator(w):
    from collective.measurement import services
    from collective.measurement.models import Indicator

    indicator = Indicator.objects.filter(initiative=w.initiative, code="PEOPLE").first()
    if indicator is None:
        indicator = services.indicator_create(
            actor=w.users["backbone"], initiative=w.initiative, code="PEOPLE", name="People"
        )
    return indicator


def _code(w):
    return {"slug": w.initiative.slug, "code": _indicator(w).code}


def _observation(w, partner):

    obs, _ = save_value(
        actor=w.users["backbone"], indicator=_indicator(w), partner=partner, period=PAST, value=4
    )
    return {"slug": w.initiative.slug, "uid": obs.uid}


def _own_observation(w):
    return _observation(w, w.partner)


def _other_observation(w):
    return _observation(w, w.other_partner)


def _target(w):
    from collective.measurement import services

    target = services.target_set(
        actor=w.users["backbone"], indicator=_indicator(w), period="2026-12", value=100
    )
    return {"slug": w.initiative.slug, "pk": target.pk}


def _assignment(w):
    from collective.measurement import services

    assignment = services.assignment_set(
        actor=w.users["backbone"], indicator=_indicator(w), partner=w.other_partner
    )
    return {"slug": w.initiative.slug, "pk": assignment.pk}


def _slug_with_indicator(w):
    _indicator(w)
    return {"slug": w.initiative.slug}


CASES = [
    Case("api:indicator-list", MEMBERS, kwargs=_slug_with_indicator, api=True),
    Case(
        "api:indicator-list",
        BACKBONE_ONLY,
        api=True,
        method="post",
        data=lambda w: {"code": "NEW_ONE", "name": "New one", "frequency": "quarter"},
    ),
    Case("api:indicator-detail", MEMBERS, kwargs=_code, api=True),
    Case(
        "api:indicator-detail",
        BACKBONE_ONLY,
        kwargs=_code,
        api=True,
        method="patch",
        data=lambda w: {"name": "People reached"},
    ),
    Case(
        "api:indicator-detail",
        BACKBONE_ONLY,
        kwargs=_code,
        api=True,
        method="put",
        data=lambda w: {"code": "PEOPLE", "name": "People reached", "unit": "people"},
    ),
    Case("api:indicator-detail", BACKBONE_ONLY, kwargs=_code, api=True, method="delete"),
    Case("api:indicator-series", MEMBERS, kwargs=_code, api=True),
    Case("api:observation-list", MEMBERS, kwargs=_slug_with_indicator, api=True),
    Case(
        "api:observation-list",
        CONTRIBUTORS,
        kwargs=_slug_with_indicator,
        api=True,
        method="post",
        data=lambda w: [
            {"indicator": "PEOPLE", "partner": str(w.partner.uid), "period": PAST, "value": 9}
        ],
        note="own-partner",
    ),
    Case("api:observation-detail", MEMBERS, kwargs=_own_observation, api=True),
    Case(
        "api:observation-detail",
        CONTRIBUTORS,
        kwargs=_own_observation,
        api=True,
        method="delete",
        note="own-partner",
    ),
    Case(
        "api:observation-detail",
        BACKBONE_ONLY,
        kwargs=_other_observation,
        api=True,
        method="delete",
        note="other-partner",
    ),
    Case(
        "api:observation-review",
        BACKBONE_ONLY,
        kwargs=_own_observation,
        api=True,
        method="post",
        data=lambda w: {"approve": True},
    ),
    Case("api:target-list", MEMBERS, kwargs=_slug_with_indicator, api=True),
    Case(
        "api:target-list",
        BACKBONE_ONLY,
        kwargs=_slug_with_indicator,
        api=True,
        method="post",
        data=lambda w: {"indicator": "PEOPLE", "period": "2026-06", "value": "50"},
    ),
    Case("api:target-detail", MEMBERS, kwargs=_target, api=True),
    Case("api:target-detail", BACKBONE_ONLY, kwargs=_target, api=True, method="delete"),
    Case("api:assignment-list", MEMBERS, kwargs=_slug_with_indicator, api=True),
    Case(
        "api:assignment-list",
        BACKBONE_ONLY,
        kwargs=_slug_with_indicator,
        api=True,
        method="post",
        data=lambda w: {"indicator": "PEOPLE", "partner": str(w.partner.uid), "due_days": 10},
    ),
    Case("api:assignment-detail", MEMBERS, kwargs=_assignment, api=True),
    Case("api:assignment-detail", BACKBONE_ONLY, kwargs=_assignment, api=True, method="delete"),
]
