"""Shared measurement's main pages for the accessibility and phone-width checks (tests/pages.py)."""

from tests.pages import (
    ANONYMOUS,
    BACKBONE,
    COALITION,
    COMPANY,
    CONTRIBUTOR,
    CONTRIBUTORS,
    LEAD,
    MEMBERS,
    VIEWER,
    Page,
    partner_uid,
    url,
)

CHART = ".chart-canvas svg"
OPERATIONS = partner_uid(COMPANY, "Onboarding Operations")


def _observation():
    from collective.measurement.models import Observation

    return (
        Observation.objects.filter(
            indicator__initiative__slug=COMPANY, partner__name="Onboarding Operations"
        )
        .order_by("-period_start")
        .values_list("uid", flat=True)
        .first()
    )


def _import_job():
    """A checked (not confirmed) import of two values, so the preview page has rows."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from collective.core.models import Initiative, User
    from collective.measurement import services

    text = (
        "indicator,partner,period,value\n"
        "NEW_CUSTOMERS,Sales,2025-01,40\n"
        "NEW_CUSTOMERS,Nobody,2025-01,40\n"
    )
    job = services.import_start(
        actor=User.objects.get(username="backbone"),
        initiative=Initiative.objects.get(slug=COMPANY),
        uploaded_file=SimpleUploadedFile("values.csv", text.encode(), content_type="text/csv"),
    )
    return job.uid


def _latest_period() -> str:
    from collective.measurement.models import Observation

    return (
        Observation.objects.filter(
            indicator__initiative__slug=COMPANY, indicator__code="DAYS_TO_LIVE"
        )
        .order_by("-period_start")
        .values_list("period", flat=True)
        .first()
    )


def _public_code():
    from collective.measurement.models import Indicator

    return (
        Indicator.objects.filter(initiative__slug=COALITION, is_public=True)
        .order_by("code")
        .values_list("code", flat=True)
        .first()
    )


PAGES = [
    Page("dashboard", url("measurement:index", slug=COMPANY), roles=MEMBERS),
    Page(
        "indicator",
        url("measurement:indicator-detail", slug=COMPANY, code="DAYS_TO_LIVE"),
        roles=(BACKBONE, VIEWER),
        ready=CHART,
    ),
    Page(
        "ratio indicator",
        url("measurement:indicator-detail", slug=COMPANY, code="LIVE_14D_PCT"),
        roles=(CONTRIBUTOR,),
        ready=CHART,
    ),
    Page("new indicator", url("measurement:indicator-create", slug=COMPANY)),
    Page("edit indicator", url("measurement:indicator-edit", slug=COMPANY, code="DAYS_TO_LIVE")),
    Page("archive indicator", url("measurement:indicator-archive", slug=COMPANY, code="WORKSHOPS")),
    Page(
        "story behind the curve",
        url("measurement:narrative-edit", slug=COMPANY, code="DAYS_TO_LIVE", period=_latest_period),
        roles=(BACKBONE, LEAD),
    ),
    Page("targets", url("measurement:target-list", slug=COMPANY, code="DAYS_TO_LIVE")),
    Page("reporting duties", url("measurement:assignment-list", slug=COMPANY, code="DAYS_TO_LIVE")),
    Page("data grid", url("measurement:grid", slug=COMPANY), roles=CONTRIBUTORS),
    Page("my reporting", url("measurement:my-reporting", slug=COMPANY), roles=CONTRIBUTORS),
    Page("completeness", url("measurement:completeness", slug=COMPANY), roles=MEMBERS),
    Page("review queue", url("measurement:review-queue", slug=COMPANY)),
    Page("import", url("measurement:import", slug=COMPANY), roles=(BACKBONE, LEAD)),
    Page("import preview", url("measurement:import-detail", slug=COMPANY, uid=_import_job)),
    Page(
        "partner scorecard",
        url("measurement:scorecard", slug=COMPANY, uid=OPERATIONS),
        roles=(BACKBONE, LEAD, VIEWER),
    ),
    Page(
        "value",
        url("measurement:observation-detail", slug=COMPANY, uid=_observation),
        roles=(BACKBONE, CONTRIBUTOR),
    ),
    Page(
        "delete value",
        url("measurement:observation-delete", slug=COMPANY, uid=_observation),
        roles=(CONTRIBUTOR,),
    ),
    Page("public dashboard", url("measurement:index", slug=COALITION), roles=(ANONYMOUS,)),
    Page(
        "public indicator",
        url("measurement:indicator-public", slug=COALITION, code=_public_code),
        roles=(ANONYMOUS,),
        ready=CHART,
    ),
]
