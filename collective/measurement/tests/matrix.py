"""Authorization cases of shared measurement: pages here, API cases in matrix_api.py."""

from collective.measurement.tests.helpers import save_value
from tests.matrix import BACKBONE_ONLY, CONTRIBUTORS, LEADS, MEMBERS, Case

from .matrix_api import CASES as API_CASES

PAST = "2025-03"


def _indicator(w):
    """DAYS: reported by Operations (the lead's and contributor's partner), with a value."""
    from collective.measurement import services
    from collective.measurement.models import Indicator

    indicator = Indicator.objects.filter(initiative=w.initiative, code="DAYS").first()
    if indicator is None:
        bb = w.users["backbone"]
        indicator = services.indicator_create(
            actor=bb, initiative=w.initiative, code="DAYS", name="Days to go live", unit="days"
        )
        services.assignment_set(actor=bb, indicator=indicator, partner=w.partner)
        save_value(actor=bb, indicator=indicator, partner=w.partner, period=PAST, value=30)
    return indicator


def _slug(w):
    _indicator(w)
    return {"slug": w.initiative.slug}


def _code(w):
    return {"slug": w.initiative.slug, "code": _indicator(w).code}


def _period(w):
    return {**_code(w), "period": PAST}


def _observation(w, partner):

    obs, _ = save_value(
        actor=w.users["backbone"], indicator=_indicator(w), partner=partner, period=PAST, value=7
    )
    return {"slug": w.initiative.slug, "uid": obs.uid}


def _own_observation(w):
    return _observation(w, w.partner)


def _other_observation(w):
    return _observation(w, w.other_partner)


def _target(w):
    from collective.measurement import services

    target = services.target_set(
        actor=w.users["backbone"], indicator=_indicator(w), period="2026-12", value=14
    )
    return {**_code(w), "pk": target.pk}


def _assignment(w):
    from collective.measurement import services

    assignment = services.assignment_set(
        actor=w.users["backbone"], indicator=_indicator(w), partner=w.other_partner
    )
    return {**_code(w), "pk": assignment.pk}


def _partner(w):
    _indicator(w)
    return {"slug": w.initiative.slug, "uid": w.partner.uid}


def _download(fmt: str):
    def kwargs(w):
        return {**_slug(w), "fmt": fmt}

    return kwargs


def _csv(text: str):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile("values.csv", text.encode(), content_type="text/csv")


def _job(w):
    from collective.measurement import services

    job = services.import_start(
        actor=w.users["backbone"],
        initiative=w.initiative,
        uploaded_file=_csv(f"indicator,partner,period,value\nDAYS,Operations,{PAST},21\n"),
    )
    return {"slug": w.initiative.slug, "uid": job.uid}


def _job_kwargs(w):
    _indicator(w)
    return _job(w)


def _grid_values(w):
    indicator = _indicator(w)
    return {
        "partner": str(w.partner.uid),
        "period": PAST,
        "save": "1",
        f"value-{indicator.pk}-0": "25",
        f"note-{indicator.pk}-0": "",
    }


def _check_values(w):
    indicator = _indicator(w)
    return {
        "partner": str(w.partner.uid),
        "period": PAST,
        "indicator": indicator.code,
        "key": f"{indicator.pk}-0",
        f"value-{indicator.pk}-0": "25",
    }


def _indicator_form(w):
    return {
        "code": "NEW_ONE",
        "name": "New one",
        "level": "outcome",
        "rba_question": "better_off",
        "value_type": "number",
        "decimals": "1",
        "direction": "increase",
        "frequency": "quarter",
        "aggregation": "sum",
    }


def _story(w):
    return {"story": "Hand-offs got faster once Sales shared the kick-off notes."}


PAGE_CASES = [
    Case("measurement:index", MEMBERS),
    Case("measurement:indicator-create", BACKBONE_ONLY),
    Case("measurement:indicator-create", BACKBONE_ONLY, method="post", data=_indicator_form),
    Case("measurement:indicator-detail", MEMBERS, kwargs=_code),
    # The public page: anyone when the indicator and the initiative are public; this initiative
    # is private, so members only.
    Case("measurement:indicator-public", MEMBERS, kwargs=_code),
    Case("measurement:indicator-edit", BACKBONE_ONLY, kwargs=_code),
    Case(
        "measurement:indicator-edit",
        BACKBONE_ONLY,
        kwargs=_code,
        method="post",
        data=lambda w: {**_indicator_form(w), "code": "DAYS", "frequency": "month"},
    ),
    Case("measurement:indicator-archive", BACKBONE_ONLY, kwargs=_code),
    Case("measurement:indicator-archive", BACKBONE_ONLY, kwargs=_code, method="post"),
    Case("measurement:target-list", BACKBONE_ONLY, kwargs=_code),
    Case(
        "measurement:target-list",
        BACKBONE_ONLY,
        kwargs=_code,
        method="post",
        data=lambda w: {"period": "2026-12", "value": "14"},
    ),
    Case("measurement:target-delete", BACKBONE_ONLY, kwargs=_target, method="post"),
    Case("measurement:assignment-list", BACKBONE_ONLY, kwargs=_code),
    Case(
        "measurement:assignment-list",
        BACKBONE_ONLY,
        kwargs=_code,
        method="post",
        data=lambda w: {"partner": w.other_partner.pk, "due_days": "10", "active": "on"},
    ),
    Case("measurement:assignment-delete", BACKBONE_ONLY, kwargs=_assignment, method="post"),
    Case("measurement:narrative-edit", LEADS, kwargs=_period),
    Case("measurement:narrative-edit", LEADS, kwargs=_period, method="post", data=_story),
    Case("measurement:observation-detail", MEMBERS, kwargs=_own_observation),
    Case(
        "measurement:observation-review",
        BACKBONE_ONLY,
        kwargs=_own_observation,
        method="post",
        data=lambda w: {"decision": "approve"},
    ),
    Case("measurement:observation-delete", CONTRIBUTORS, kwargs=_own_observation, note="own"),
    Case(
        "measurement:observation-delete",
        CONTRIBUTORS,
        kwargs=_own_observation,
        method="post",
        note="own",
    ),
    Case(
        "measurement:observation-delete",
        BACKBONE_ONLY,
        kwargs=_other_observation,
        method="post",
        note="other-partner",
    ),
    # The grid: contributors and leads for their own partner, the backbone for any.
    Case("measurement:grid", CONTRIBUTORS, kwargs=_slug),
    Case("measurement:grid", CONTRIBUTORS, kwargs=_slug, method="post", data=_grid_values),
    Case("measurement:grid-check", CONTRIBUTORS, kwargs=_slug, method="post", data=_check_values),
    Case("measurement:my-reporting", MEMBERS, kwargs=_slug),
    Case("measurement:completeness", MEMBERS, kwargs=_slug),
    Case("measurement:review-queue", BACKBONE_ONLY, kwargs=_slug),
    Case("measurement:import", CONTRIBUTORS, kwargs=_slug),
    Case(
        "measurement:import",
        CONTRIBUTORS,
        kwargs=_slug,
        method="post",
        data=lambda w: {
            "file": _csv(f"indicator,partner,period,value\nDAYS,Operations,{PAST},21\n"),
            "layout": "long",
        },
    ),
    Case("measurement:import-detail", CONTRIBUTORS, kwargs=_job_kwargs),
    # Only the person who uploaded the file (here the backbone) or the backbone confirms it.
    Case("measurement:import-confirm", BACKBONE_ONLY, kwargs=_job_kwargs, method="post"),
    Case("measurement:import-retry", BACKBONE_ONLY, kwargs=_job_kwargs, method="post"),
    Case("measurement:import-undo", BACKBONE_ONLY, kwargs=_job_kwargs, method="post"),
    Case("measurement:export", MEMBERS, kwargs=_slug),
    Case("measurement:scorecard", MEMBERS, kwargs=_partner),
    Case("measurement:initiative-scorecard", MEMBERS, kwargs=_slug),
    Case("measurement:scorecard-download", MEMBERS, kwargs=_download("xlsx"), note="xlsx"),
    Case("measurement:scorecard-download", MEMBERS, kwargs=_download("pdf"), note="pdf"),
    # The public scorecard and the embeds: anyone when the initiative is public (see
    # public.py and tests/test_public_surface.py); this initiative is private, so members only.
    Case("measurement:scorecard-public", MEMBERS, kwargs=_slug),
    Case("measurement:scorecard-embed", MEMBERS, kwargs=_slug),
    Case("measurement:indicator-embed", MEMBERS, kwargs=_code),
]

CASES = [*PAGE_CASES, *API_CASES]
