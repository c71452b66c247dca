"""Shared measurement in real Chromium: a contributor enters data in the grid (with inline
validation), imports a file with an error, sees the row error, fixes the file, imports it, and
the chart on the indicator page changes. Every measurement page is screenshotted."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from tests.e2e.conftest import login, shot

SLUG = "faster-onboarding"
CODE = "DAYS_TO_LIVE"
NAME = "Days from signature to go-live"


def _current_period():
    from collective.measurement import periods

    return periods.current("month")


def _csv(*rows: str) -> dict:
    text = "indicator,partner,period,value,note\n" + "\n".join(rows) + "\n"
    return {"name": "days.csv", "mimeType": "text/csv", "buffer": text.encode()}


def _description(page) -> str:
    return page.locator(".chart-description").inner_text()


def test_enter_import_fix_and_see_the_chart_change(demo, new_page):
    period = _current_period()
    cora = new_page()
    login(cora, "contributor")

    # The dashboard: every indicator with its sparkline, value, target and status.
    cora.goto(f"/i/{SLUG}/measures/")
    expect(cora.get_by_role("heading", name="Measures", level=1)).to_be_visible()
    expect(cora.locator("svg.sparkline").first).to_be_visible()
    shot(cora, "measures-dashboard-contributor")

    # The grid of her partner: inline validation, then one save.
    cora.get_by_role("link", name="Enter data").first.click()
    expect(cora.get_by_role("heading", level=1)).to_contain_text(
        "Enter data: Onboarding Operations"
    )
    period_menu = cora.get_by_label("Period", exact=True)
    if period_menu.input_value() != period.code:  # the grid opens on the earliest period due
        period_menu.select_option(period.code)  # choosing a period reloads the grid
        cora.wait_for_url(re.compile(rf"period={period.code}"))
    expect(cora.get_by_role("heading", level=1)).to_contain_text(period.label)
    cell = cora.get_by_label(f"{NAME}, {period.label}", exact=True)
    cell.fill("-5")
    cell.press("Tab")
    row = cora.locator("tr", has=cell)
    expect(row.locator(".grid-message")).to_contain_text("below the lowest valid value")
    expect(cell).to_have_attribute("aria-invalid", "true")
    shot(cora, "measures-grid-inline-error")
    cell.fill("12")
    cell.press("Enter")  # Enter moves down a row, it does not submit
    expect(row.locator(".grid-message")).to_contain_text("valid")
    expect(cell).not_to_have_attribute("aria-invalid", "true")
    cora.get_by_label(f"Note on {NAME}").fill("Two early go-lives")
    shot(cora, "measures-grid")
    cora.get_by_role("button", name="Save all values").click()
    expect(cora.get_by_role("status").first).to_contain_text("Saved: 1 new.")
    expect(cora.get_by_label(f"{NAME}, {period.label}", exact=True)).to_have_value("12")

    # The indicator page: the chart and its description now end at 12 days.
    cora.goto(f"/i/{SLUG}/measures/{CODE}/")
    expect(cora.locator(".chart-canvas svg")).to_be_visible()
    expect(cora.locator(".chart-description")).to_contain_text("to 12 days")
    before = _description(cora)
    shot(cora, "measures-indicator")

    # Import a file with an error: the row error is shown, and nothing can be imported yet.
    cora.goto(f"/i/{SLUG}/measures/import/")
    shot(cora, "measures-import")
    cora.get_by_label("Spreadsheet").set_input_files(
        _csv(
            f"{CODE},Onboarding Operations,{period.code},9,Corrected count",
            f"{CODE},Onboarding Operations,{period.code[:4]}-Q1,11,",
        )
    )
    cora.get_by_role("button", name="Check the file").click()
    expect(cora.get_by_role("heading", name="Import of days.csv")).to_be_visible()
    expect(cora.get_by_text("1 row of the file has a problem")).to_be_visible()
    errors = cora.get_by_role("table", name=re.compile("Rows with a problem"))
    expect(errors.get_by_role("row").nth(1)).to_contain_text("3")
    expect(errors).to_contain_text("per month")
    import_button = cora.get_by_role("button", name=re.compile(r"^Import \d+ value"))
    expect(import_button).to_be_disabled()
    shot(cora, "measures-import-preview-error")

    # Fix the file and import it again: every row is valid, and it is saved.
    cora.get_by_role("link", name="Upload another file").click()
    cora.get_by_label("Spreadsheet").set_input_files(
        _csv(f"{CODE},Onboarding Operations,{period.code},9,Corrected count")
    )
    cora.get_by_role("button", name="Check the file").click()
    expect(cora.get_by_text("Every row is valid")).to_be_visible()
    shot(cora, "measures-import-preview")
    cora.get_by_role("button", name="Import 1 value").click()
    expect(cora.get_by_role("heading", name="Imported")).to_be_visible()
    expect(cora.get_by_text(re.compile(r"0 new, 1 updated"))).to_be_visible()
    shot(cora, "measures-import-done")

    # The chart changed: its description and its data table show 9 days now.
    cora.goto(f"/i/{SLUG}/measures/{CODE}/")
    expect(cora.locator(".chart-canvas svg")).to_be_visible()
    expect(cora.locator(".chart-description")).to_contain_text("to 9 days")
    assert _description(cora) != before
    cora.get_by_role("button", name="Show table").click()
    table = cora.locator(".chart-table table")
    expect(table).to_be_visible()
    expect(table.get_by_role("row", name=re.compile(rf"^{period.label} "))).to_contain_text(
        "9 days"
    )
    shot(cora, "measures-indicator-table")
    cora.get_by_role("button", name="Show chart").click()
    expect(cora.locator(".chart-canvas svg")).to_be_visible()

    # Per partner: the toggle swaps the chart without a page load.
    cora.get_by_role("link", name="Per partner").click()
    expect(cora.locator(".chart-canvas svg")).to_be_visible()
    expect(cora.get_by_role("link", name="Per partner")).to_have_attribute("aria-current", "true")
    shot(cora, "measures-indicator-per-partner")

    # The value's history shows both versions.
    cora.goto(f"/i/{SLUG}/measures/{CODE}/")
    cora.get_by_role("link", name=f"History of Onboarding Operations {period.label}").click()
    expect(cora.get_by_role("heading", level=1)).to_contain_text("Onboarding Operations")
    expect(cora.locator("table")).to_contain_text("Corrected count")
    shot(cora, "measures-value-history")

    cora.goto(f"/i/{SLUG}/measures/my-reporting/")
    expect(cora.get_by_role("heading", name="Reporting of Onboarding Operations")).to_be_visible()
    shot(cora, "measures-my-reporting")
    assert not cora.js_errors, cora.js_errors


def test_every_measurement_page_for_the_backbone(demo, new_page):
    bea = new_page()
    login(bea, "backbone")
    base = f"/i/{SLUG}/measures"
    pages = {
        "measures-dashboard": f"{base}/",
        "measures-dashboard-grouped": f"{base}/?group=level&sort=status",
        "measures-indicator-breakdown": f"{base}/ACTIVATION/?by=breakdown",
        "measures-indicator-ratio": f"{base}/LIVE_14D_PCT/",
        "measures-indicator-edit": f"{base}/{CODE}/edit/",
        "measures-targets": f"{base}/{CODE}/targets/",
        "measures-duties": f"{base}/{CODE}/reporting/",
        "measures-story-edit": f"{base}/{CODE}/story/2026-01/",
        "measures-new-indicator": f"{base}/new/",
        "measures-completeness": f"{base}/completeness/",
        "measures-review": f"{base}/review/",
        "measures-grid-backbone": f"{base}/enter/",
    }
    for name, url in pages.items():
        response = bea.goto(url)
        assert response.status < 400, f"{url}: {response.status}"
        bea.wait_for_load_state("networkidle")
        shot(bea, name)
    # A partner's scorecard, from the indicator page; then one with sub-partners.
    bea.goto(f"{base}/{CODE}/")
    reporters = bea.locator("section", has=bea.locator("#reporters-heading"))
    reporters.get_by_role("link", name="Enterprise Success").click()
    expect(bea.get_by_role("heading", name="Enterprise Success — scorecard")).to_be_visible()
    bea.get_by_label("Show the scorecard of").select_option(label="Customer Success")
    expect(bea.get_by_role("heading", name="Customer Success — scorecard")).to_be_visible()
    expect(bea.locator("main")).to_contain_text("%")
    shot(bea, "measures-scorecard")
    assert not bea.js_errors, bea.js_errors

    # The public page of a public indicator of the public coalition, read anonymously.
    guest = new_page()
    guest.goto("/i/youth-housing/measures/")
    assert "/accounts/login/" in guest.url  # the measures list is for members
    from collective.measurement.models import Indicator

    public = Indicator.objects.filter(initiative__slug="youth-housing", is_public=True).first()
    assert public is not None, "the demo coalition has a public indicator"
    guest.goto(f"/i/youth-housing/measures/public/{public.code}/")
    expect(guest.get_by_role("heading", name=public.name, level=1)).to_be_visible()
    expect(guest.locator(".chart-canvas svg")).to_be_visible()
    shot(guest, "measures-public-indicator")
    assert not guest.js_errors, guest.js_errors
