"""Fixes from the acceptance review of the measurement pages: numbers as people type them,
honest due-date wording, empty states, the public story card, rates not by colour alone."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from collective.core import services as core_services
from collective.measurement import services
from collective.measurement.tests.pages_data import make_measures

pytestmark = pytest.mark.django_db


def _url(world, name, **kwargs):
    return reverse(f"measurement:{name}", kwargs={"slug": world.initiative.slug, **kwargs})


def test_grid_shows_saved_ratio_parts_without_trailing_zeros(world, client_as):
    make_measures(world)
    response = client_as("contributor").get(_url(world, "grid"), {"period": "2026-06"})
    html = response.content.decode()
    key = next(row["key"] for row in response.context["rows"] if row["indicator"].code == "RATE")
    numerator = re.search(rf'name="numerator-{key}"\s+placeholder="num."\s+value="([^"]*)"', html)
    denominator = re.search(
        rf'name="denominator-{key}"\s+placeholder="den."\s+value="([^"]*)"', html
    )
    assert numerator and numerator.group(1) == "10"
    assert denominator and denominator.group(1) == "20"
    assert ".000000" not in html


def test_grid_does_not_call_a_complete_period_late(world, client_as):
    make_measures(world)
    client = client_as("contributor")
    done = client.get(_url(world, "grid"), {"period": "2026-06"})
    assert done.context["all_in"] is True
    text = done.content.decode()
    assert "all values in" in text
    assert "days late" not in text
    # A period with nothing in yet keeps the reminder of how late it is.
    waiting = client.get(_url(world, "grid"), {"period": "2026-07"})
    assert waiting.context["all_in"] is False
    assert "all values in" not in waiting.content.decode()


def test_my_reporting_explains_a_partner_without_duties(world, client_as):
    response = client_as("backbone").get(
        _url(world, "my-reporting"), {"partner": str(world.partner.uid)}
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert f"{world.partner.name} has no reporting duties" in html
    assert "values overdue" not in html  # no row of zero figures


def test_my_reporting_with_duties_keeps_its_figures(world, client_as):
    make_measures(world)
    html = client_as("contributor").get(_url(world, "my-reporting")).content.decode()
    assert "has no reporting duties" not in html
    assert "values overdue" in html


def test_indicator_form_shows_decimals_as_people_type_them(world, client_as):
    make_measures(world)
    response = client_as("backbone").get(_url(world, "indicator-edit", code="DAYS"))
    form = response.context["form"]
    assert form["baseline_value"].value() == "41"
    assert form["max_value"].value() == "365"
    assert form["min_value"].value() == "0"
    assert "41.000000" not in response.content.decode()


def test_public_story_uses_the_story_card_and_a_readable_period(world, client):
    measures = make_measures(world)
    bb = world.users["backbone"]
    core_services.initiative_update(actor=bb, initiative=world.initiative, visibility="public")
    services.indicator_update(actor=bb, indicator=measures.days, is_public=True)
    services.narrative_save(
        actor=bb,
        indicator=measures.days,
        period="2026-06",
        story="The curve turned.",
        what_works="Weekly case conferencing.",
    )
    html = client.get(_url(world, "indicator-public", code="DAYS")).content.decode()
    assert 'class="card story-card"' in html
    assert "Story behind the curve (Jun 2026)" in html


def test_completeness_marks_low_rates_with_an_icon_and_words(world, client_as):
    make_measures(world)  # values up to 2026-06 only: later periods are missing
    html = client_as("backbone").get(_url(world, "completeness")).content.decode()
    assert "(low)</span>" in html
    assert 'bi-exclamation-circle" aria-hidden="true"></i> ' in html


def test_scrolling_chart_table_can_be_reached_with_the_keyboard(world, client_as):
    make_measures(world)
    html = client_as("viewer").get(_url(world, "indicator-detail", code="DAYS")).content.decode()
    assert re.search(r'class="chart-table[^"]*"[^>]*tabindex="0" role="region" aria-label="', html)


def test_chart_x_axis_keeps_labels_apart():
    from collective.measurement.charts import base_spec

    assert base_spec(title="t", description="d")["config"]["axisX"]["labelSeparation"] >= 8


def test_ratio_parts_read_as_typed_in_history_and_tables(world, client_as):
    from collective.measurement.models import Observation

    make_measures(world)
    client = client_as("viewer")
    observation = Observation.objects.get(
        indicator__code="RATE", partner=world.partner, period="2026-06"
    )
    history = client.get(_url(world, "observation-detail", uid=observation.uid)).content.decode()
    assert "10 / 20" in history
    assert "10.00" not in history
    page = client.get(_url(world, "indicator-detail", code="RATE")).content.decode()
    assert "10 / 20" in page


def test_plain_keeps_real_decimals_and_drops_padding():
    from decimal import Decimal

    from collective.measurement.templatetags.measures import plain

    assert plain(Decimal("7.000000")) == "7"
    assert plain(Decimal("1234.500000")) == "1,234.5"
    assert plain(Decimal("1E+2")) == "100"
    assert plain(None) == "—"


@pytest.mark.parametrize("name", ["index", "completeness"])
def test_page_filters_do_not_leak_into_the_top_bar_search(name, world, client_as):
    make_measures(world)
    html = client_as("backbone").get(_url(world, name), {"level": "outcome"}).content.decode()
    top_bar = re.search(r'<input id="topbar-q"[^>]*>', html, re.S)
    assert top_bar and "level=outcome" not in top_bar.group(0)
    assert 'value=""' in top_bar.group(0)


def test_computed_indicator_offers_no_data_entry(world, client_as):
    make_measures(world)
    services.indicator_create(
        actor=world.users["backbone"],
        initiative=world.initiative,
        code="SPEED",
        name="Speed",
        formula="DONE / DAYS",
    )
    client = client_as("contributor")
    computed = client.get(_url(world, "indicator-detail", code="SPEED")).content.decode()
    assert "Enter data</a>" not in computed  # nobody reports it: it is computed
    reported = client.get(_url(world, "indicator-detail", code="DAYS")).content.decode()
    assert "Enter data</a>" in reported
