"""Shared measurement in real Chromium: the baseline forecast is drawn and named where it runs
along the baseline, a bad dashboard filter says what it ignored, a formula indicator's
definition links its inputs, and a phone-width chart keeps its legend inside the page."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import login, shot

SLUG = "faster-onboarding"


# The demo's values are generated relative to today: on this day NEW_CUSTOMERS' first period
# with data (its baseline) is May 2024, at 32 customers.
@pytest.mark.today("2026-11-28")
def test_flat_baseline_forecast_is_visible_and_named(demo, page):
    login(page, "backbone")
    page.goto(f"/i/{SLUG}/measures/NEW_CUSTOMERS/")
    canvas = page.locator(".chart-canvas svg")
    expect(canvas).to_be_visible()
    expect(canvas).to_contain_text("Baseline forecast (flat: no earlier trend)")
    # The line itself: a level path (no height, so not "visible" to Playwright) in the baseline
    # forecast's own colour, across most of the plot.
    line = page.locator('.chart-canvas g.mark-line path[stroke="#8f3f71"]')
    expect(line).to_have_count(1)
    plot = canvas.bounding_box()
    assert line.bounding_box()["width"] > plot["width"] * 0.6
    expect(page.locator(".chart-description")).to_contain_text(
        "baseline forecast (if nothing changes): flat at 32 customers from May 2024"
    )
    shot(page, "measures-polish-baseline-forecast-flat")
    assert not page.js_errors


def test_phone_chart_keeps_its_legend_inside(demo, new_page):
    page = new_page(390, 900)
    login(page, "contributor")
    page.goto(f"/i/{SLUG}/measures/NEW_CUSTOMERS/")
    svg = page.locator(".chart-canvas svg")
    expect(svg).to_be_visible()
    box = svg.bounding_box()
    canvas = page.locator(".chart-canvas").bounding_box()
    assert box["x"] + box["width"] <= canvas["x"] + canvas["width"] + 1
    shot(page, "measures-polish-chart-390")


def test_bad_dashboard_filter_is_ignored_with_a_message(demo, page):
    login(page, "backbone")
    page.goto(f"/i/{SLUG}/measures/?status=bogus&partner=nobody")
    notice = page.locator(".filter-ignored")
    expect(notice).to_contain_text("Status “bogus” was ignored")
    expect(notice).to_contain_text("Partner “nobody” was ignored")
    expect(page.locator('[aria-invalid="true"]')).to_have_count(0)
    expect(page.locator(".measures-table tbody tr").first).to_be_visible()
    shot(page, "measures-polish-bad-filter")


def test_formula_definition_links_its_inputs(demo, page):
    login(page, "viewer")
    page.goto(f"/i/{SLUG}/measures/ACTIVATION/")
    definition = page.locator("section", has=page.locator("#definition-heading"))
    expect(definition).not_to_contain_text("Aggregation across partners")
    definition.locator("code.formula").get_by_role("link", name="NEW_CUSTOMERS").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("New customers signed")
    shot(page, "measures-polish-formula-input")
