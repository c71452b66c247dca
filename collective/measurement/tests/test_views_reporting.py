"""My reporting, completeness and timeliness (with downloads), and the partner scorecard."""

from __future__ import annotations

import csv
import io

import pytest
from django.urls import reverse

from collective.measurement.tests.pages_data import make_measures

pytestmark = pytest.mark.django_db


# The page lists recent periods only: on this day the data of pages_data (Jan–Jun 2026) is
# recent, June is the latest period done and July onwards is overdue.
@pytest.mark.today("2026-11-28")
def test_my_reporting_shows_overdue_periods_with_days_late(world, client_as):
    make_measures(world)
    response = client_as("contributor").get(
        reverse("measurement:my-reporting", kwargs={"slug": "acme"})
    )
    html = response.content.decode()
    assert response.context["partner"] == world.partner
    assert "Reporting of Operations" in html
    assert response.context["groups"]["overdue"], "July onwards has no values"
    assert "days late" in html
    first = response.context["groups"]["overdue"][0]
    assert f"?partner={world.partner.uid}&amp;period={first['period']}" in html
    assert response.context["groups"]["done"][0]["period"] == "2026-06"


def test_my_reporting_without_a_partner_explains(world, client_as):
    html = (
        client_as("viewer")
        .get(reverse("measurement:my-reporting", kwargs={"slug": "acme"}))
        .content.decode()
    )
    assert "You do not report for a partner" in html


def test_backbone_looks_at_any_partner_and_others_only_at_their_branch(world, client_as):
    make_measures(world)
    url = reverse("measurement:my-reporting", kwargs={"slug": "acme"})
    response = client_as("backbone").get(url, {"partner": str(world.other_partner.uid)})
    assert response.context["partner"] == world.other_partner
    assert (
        client_as("contributor").get(url, {"partner": str(world.other_partner.uid)}).status_code
        == 403
    )


def test_completeness_counts_expected_received_and_on_time(world, client_as):
    make_measures(world)
    response = client_as("viewer").get(
        reverse("measurement:completeness", kwargs={"slug": "acme"}), {"periods": "24"}
    )
    html = response.content.decode()
    totals = response.context["totals"]
    assert totals["expected"] > totals["received"] > 0
    assert "By partner" in html and "By measure" in html and "Missing values" in html
    assert "Operations" in html and "Sales" in html


def test_completeness_filters_and_htmx_partial(world, client_as):
    make_measures(world)
    client = client_as("viewer")
    url = reverse("measurement:completeness", kwargs={"slug": "acme"})
    response = client.get(
        url,
        {"partner": str(world.partner.uid), "indicator": "DAYS"},
        headers={"HX-Request": "true"},
    )
    html = response.content.decode()
    assert "<html" not in html
    assert {r["partner"] for r in response.context["report"]["rows"]} == {world.partner}


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_completeness_downloads(fmt, world, client_as):
    make_measures(world)
    response = client_as("viewer").get(
        reverse("measurement:completeness", kwargs={"slug": "acme"}), {"format": fmt}
    )
    assert response.status_code == 200
    assert response["Content-Disposition"] == f'attachment; filename="acme-completeness.{fmt}"'
    if fmt == "csv":
        rows = list(csv.reader(io.StringIO(response.content.decode())))
        assert rows[0][:3] == ["partner", "indicator", "period"]
        assert len(rows) > 1 and rows[1][1] in {"DAYS", "DONE", "RATE"}
    else:
        from openpyxl import load_workbook

        sheet = load_workbook(io.BytesIO(response.content)).active
        assert sheet.cell(1, 1).value == "partner"


def test_scorecard_shows_values_status_and_contribution_share(world, client_as):
    make_measures(world)
    url = reverse("measurement:scorecard", kwargs={"slug": "acme", "uid": world.partner.uid})
    response = client_as("viewer").get(url)
    html = response.content.decode()
    rows = {row.indicator.code: row for row in response.context["card"].rows}
    assert set(rows) == {"DAYS", "DONE", "RATE"}
    # DONE is summed: Operations' running total against the collective one.
    assert rows["DONE"].share is not None and 0 < rows["DONE"].share < 100
    assert rows["DAYS"].share is None and rows["DAYS"].share_note == "not a sum"
    assert "Operations — scorecard" in html and "%" in html


def test_scorecard_partner_switch_redirects(world, client_as):
    make_measures(world)
    url = reverse("measurement:scorecard", kwargs={"slug": "acme", "uid": world.partner.uid})
    response = client_as("viewer").get(url, {"partner": str(world.other_partner.uid)})
    assert response.status_code == 302 and str(world.other_partner.uid) in response["Location"]


def test_scorecard_query_count(world, client_as, django_assert_max_num_queries):
    make_measures(world)
    client = client_as("viewer")
    url = reverse("measurement:scorecard", kwargs={"slug": "acme", "uid": world.partner.uid})
    with django_assert_max_num_queries(16):
        assert client.get(url).status_code == 200
