"""Shared measurement's links on the partner page (collective/measurement/partner_links.py)."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from collective.measurement.tests.helpers import save_value

pytestmark = pytest.mark.django_db

PAST = "2025-03"


@pytest.fixture
def reported(world, bb, make_indicator):
    """Operations reports DAYS (one value in) and PEOPLE (nothing in); Sales reports nothing."""
    from collective.measurement import services

    days = make_indicator("DAYS", name="Days to go live", unit="days")
    people = make_indicator("PEOPLE", name="People helped", unit="people")
    for indicator in (days, people):
        services.assignment_set(actor=bb, indicator=indicator, partner=world.partner)
    save_value(actor=bb, indicator=days, partner=world.partner, period=PAST, value=30)
    return days, people


def _page(client, world, partner) -> str:
    url = reverse("core:partner-detail", kwargs={"slug": "acme", "uid": partner.uid})
    response = client.get(url)
    assert response.status_code == 200
    return response.content.decode()


def _section(html: str) -> str:
    match = re.search(r'<section class="card mb-3 partner-links".*?</section>', html, re.S)
    return match.group(0) if match else ""


def test_partner_page_links_scorecard_dashboard_reporting_and_completeness(
    reported, client_as, world
):
    section = _section(_page(client_as("backbone"), world, world.partner))
    uid = world.partner.uid
    assert "Shared measurement" in section
    assert f'href="/i/acme/measures/partners/{uid}/"' in section
    assert f'href="/i/acme/measures/?partner={uid}"' in section
    assert f'href="/i/acme/measures/my-reporting/?partner={uid}"' in section
    assert f'href="/i/acme/measures/completeness/?partner={uid}"' in section
    assert "2 measures:" in section


def test_figures_agree_with_the_pages_they_link(reported, client_as, world):
    client = client_as("backbone")
    section = _section(_page(client, world, world.partner))
    reporting = client.get(
        reverse("measurement:my-reporting", kwargs={"slug": "acme"}),
        {"partner": str(world.partner.uid)},
    ).content.decode()
    overdue = int(
        re.search(
            r'figure-value[^"]*">(\d+)</div><div class="figure-label">values overdue', reporting
        ).group(1)
    )
    if overdue:
        assert f"{overdue} value{'s' if overdue > 1 else ''} overdue" in section
    else:
        assert "overdue" not in section
    scorecard = client.get(
        reverse("measurement:scorecard", kwargs={"slug": "acme", "uid": world.partner.uid})
    ).content.decode()
    tiles = re.findall(r'status-tile">.*?<span class="status-count">(\d+)</span>', scorecard, re.S)
    note = re.search(r"(\d+) measures?: ([^<]*)\.", section)
    assert int(note.group(1)) == sum(int(n) for n in tiles) == 2
    assert sum(int(n) for n in re.findall(r"(\d+) [a-z ]+", note.group(2))) == 2


def test_reporting_duties_only_where_the_reporting_page_opens(reported, client_as, world):
    viewer = _section(_page(client_as("viewer"), world, world.partner))
    assert "Scorecard" in viewer and "Reporting duties" not in viewer
    client = client_as("contributor")  # acts for Operations
    assert "Reporting duties" in _section(_page(client, world, world.partner))
    assert "Reporting duties" in _section(_page(client, world, world.subpartner))
    assert "Reporting duties" not in _section(_page(client, world, world.other_partner))
    # The page it links agrees: open for the own branch, refused for another partner.
    url = reverse("measurement:my-reporting", kwargs={"slug": "acme"})
    assert client.get(url, {"partner": str(world.subpartner.uid)}).status_code == 200
    assert client.get(url, {"partner": str(world.other_partner.uid)}).status_code == 403


def test_a_partner_without_measures_says_so(reported, client_as, world):
    section = _section(_page(client_as("backbone"), world, world.other_partner))
    assert "Reports no measure yet." in section
    assert "Is not asked to report any measure." in section


def test_partner_page_query_count(reported, client_as, world, django_assert_max_num_queries):
    client = client_as("backbone")
    _page(client, world, world.partner)
    with django_assert_max_num_queries(18):
        _page(client, world, world.partner)
