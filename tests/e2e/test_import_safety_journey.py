"""Safe imports in real Chromium: the backbone imports a file that overwrites an approved value and
gives a value for a partner with no reporting duty; the preview shows both warnings and each
collective figure before → after; she accepts the warning, imports, then undoes the import and
the value is back."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from tests.e2e.conftest import login, shot

SLUG = "faster-onboarding"


def _case():
    """An approved value to overwrite, and a partner with no duty for the same indicator."""
    from collective.core.models import Partner
    from collective.measurement.models import Observation

    approved = (
        Observation.objects.filter(
            initiative__slug=SLUG, status="approved", breakdown="", value__isnull=False,
            indicator__aggregation="sum",
        )
        .select_related("indicator", "partner")
        .order_by("-period_start", "id")
        .first()
    )  # fmt: skip
    indicator = approved.indicator
    free = (
        Partner.objects.filter(initiative__slug=SLUG)
        .exclude(assignments__indicator=indicator, assignments__active=True)
        .exclude(pk=approved.partner_id)
        .order_by("name")
        .first()
    )
    return approved, free


def test_import_accept_warnings_see_before_after_and_undo(demo, new_page):
    from collective.measurement import periods
    from collective.measurement.models import Observation

    approved, free = _case()
    code, period, old = approved.indicator.code, approved.period, approved.value
    new = old + 5
    text = (
        "indicator,partner,period,value\n"
        f"{code},{approved.partner.name},{period},{new}\n"
        f"{code},{free.name},{period},3\n"
    )
    bea = new_page()
    login(bea, "backbone")
    bea.goto(f"/i/{SLUG}/measures/import/")
    bea.get_by_label("Spreadsheet").set_input_files(
        {"name": "safe.csv", "mimeType": "text/csv", "buffer": text.encode()}
    )
    bea.get_by_role("button", name="Check the file").click()
    expect(bea.get_by_role("heading", name="Import of safe.csv")).to_be_visible()

    # Before anything is saved: the two warnings and the effect on the collective figure.
    unassigned = bea.locator("#import-unassigned")
    expect(unassigned).to_contain_text("1 value for partners with no reporting duty")
    expect(unassigned).to_contain_text(free.name)
    overwrites = bea.locator("#import-overwrites")
    expect(overwrites).to_contain_text("1 approved value will be overwritten")
    old_text = f"{old.normalize():f}"
    new_text = f"{new.normalize():f}"
    expect(overwrites).to_contain_text(f"{old_text} → {new_text}")
    effect = bea.locator("#import-effect")
    expect(effect).to_contain_text("Effect on the collective figures")
    expect(effect.get_by_role("row", name=re.compile(periods.label(period)))).to_be_visible()
    shot(bea, "measures-import-safety-preview")

    # The value with no duty must be accepted (or left out) before importing.
    bea.get_by_label("Import them anyway").check()
    bea.get_by_role("button", name=re.compile(r"^Import 2 values")).click()
    expect(bea.get_by_role("heading", name="Imported")).to_be_visible()
    expect(bea.get_by_text(re.compile(r"1 new, 1 updated"))).to_be_visible()
    saved = Observation.objects.get(pk=approved.pk)
    assert saved.value == new

    # Undo the whole import: asked once, then the previous value is back.
    bea.once("dialog", lambda dialog: dialog.accept())
    bea.get_by_role("button", name="Undo this import").click()
    expect(bea.locator("#import-undone")).to_contain_text("1 value restored, 1 new value removed")
    expect(bea.get_by_role("button", name="Undo this import")).to_have_count(0)
    shot(bea, "measures-import-undone")
    assert Observation.objects.get(pk=approved.pk).value == old
    assert (
        not Observation.objects.filter(partner=free, indicator=approved.indicator)
        .filter(period=period)
        .exists()
    )
    assert not bea.js_errors
