"""Every measurement page renders for the backbone, in every chart mode, with real data."""

from __future__ import annotations

import pytest
from django.urls import reverse

from collective.measurement.tests.pages_data import make_measures

SLUG_PAGES = [
    "index",
    "indicator-create",
    "grid",
    "my-reporting",
    "completeness",
    "review-queue",
    "import",
]
INDICATOR_PAGES = [
    "indicator-detail",
    "indicator-public",
    "indicator-edit",
    "indicator-archive",
    "target-list",
    "assignment-list",
]


@pytest.fixture
def measures(world):
    return make_measures(world)


@pytest.mark.parametrize("name", SLUG_PAGES)
def test_initiative_pages_render(name, world, measures, client_as):
    client = client_as("backbone")
    response = client.get(reverse(f"measurement:{name}", kwargs={"slug": world.initiative.slug}))
    assert response.status_code == 200
    assert response.content.count(b"<h1") == 1


@pytest.mark.parametrize("code", ["DAYS", "DONE", "RATE"])
@pytest.mark.parametrize("name", INDICATOR_PAGES)
def test_indicator_pages_render(name, code, world, measures, client_as):
    client = client_as("backbone")
    url = reverse(f"measurement:{name}", kwargs={"slug": world.initiative.slug, "code": code})
    response = client.get(url)
    assert response.status_code == 200
    assert response.content.count(b"<h1") == 1


@pytest.mark.parametrize("by", ["collective", "partner", "breakdown"])
@pytest.mark.parametrize("code", ["DAYS", "DONE", "RATE"])
def test_every_chart_mode_renders(by, code, world, measures, client_as):
    client = client_as("viewer")
    url = reverse(
        "measurement:indicator-detail", kwargs={"slug": world.initiative.slug, "code": code}
    )
    response = client.get(url, {"by": by})
    assert response.status_code == 200
    assert b'type="application/json"' in response.content


def test_story_history_and_scorecard_pages_render(world, measures, client_as):
    from collective.measurement.models import Observation

    client = client_as("backbone")
    slug = world.initiative.slug
    observation = Observation.objects.filter(indicator=measures.days).first()
    urls = [
        reverse(
            "measurement:narrative-edit", kwargs={"slug": slug, "code": "DAYS", "period": "2026-06"}
        ),
        reverse("measurement:observation-detail", kwargs={"slug": slug, "uid": observation.uid}),
        reverse("measurement:observation-delete", kwargs={"slug": slug, "uid": observation.uid}),
        reverse("measurement:scorecard", kwargs={"slug": slug, "uid": world.partner.uid}),
    ]
    for url in urls:
        response = client.get(url)
        assert response.status_code == 200, url
        assert response.content.count(b"<h1") == 1


@pytest.mark.parametrize(("fmt", "layout"), [("csv", "long"), ("xlsx", "wide")])
def test_export_downloads(fmt, layout, world, measures, client_as):
    client = client_as("viewer")
    response = client.get(
        reverse("measurement:export", kwargs={"slug": world.initiative.slug}),
        {"format": fmt, "layout": layout},
    )
    assert response.status_code == 200
    assert "attachment" in response["Content-Disposition"]
    assert response.content


def test_export_refuses_an_unknown_format(world, client_as):
    response = client_as("viewer").get(
        reverse("measurement:export", kwargs={"slug": world.initiative.slug}), {"format": "pdf"}
    )
    assert response.status_code == 400
