"""The common agenda in real Chromium: a contributor proposes an amendment, the backbone
accepts it and adopts the new version, the diff shows the change, and the lead endorses."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from tests.e2e.conftest import login, shot

SLUG = "faster-onboarding"
NEW_VISION = "Every new customer is live and getting real value within 10 days of signing."


def test_amend_accept_adopt_diff_endorse(demo, new_page):
    # A contributor sees the open consultation and proposes better wording for the vision.
    cora = new_page()
    login(cora, "contributor")
    cora.goto(f"/i/{SLUG}/agenda/")
    expect(cora.get_by_role("heading", name="Common agenda", level=1)).to_be_visible()
    shot(cora, "agenda-index-contributor")
    cora.get_by_role("link", name="Have your say").click()
    expect(cora.get_by_role("heading", name="Consultation on v3")).to_be_visible()
    cora.get_by_role("link", name="Propose amendment to Vision").click()
    expect(cora.get_by_role("radio", name="Amendment")).to_be_checked()
    proposed = cora.get_by_label("Your proposed text (amendments)")
    expect(proposed).to_have_value(re.compile("within 14 days"))
    expect(proposed).to_be_focused()  # keyboard users land where they write
    proposed.fill(NEW_VISION)
    cora.get_by_label("Your comment").fill("Ten days is what our best customers already get.")
    shot(cora, "agenda-consultation-compose")
    cora.get_by_role("button", name="Post", exact=True).click()
    expect(cora.get_by_role("status")).to_contain_text("your amendment is posted")
    mine = cora.locator("article.consultation-item", has_text="Ten days is what our best")
    expect(mine.locator("ins").first).to_contain_text("real")
    expect(mine).to_contain_text("Awaiting decision")
    shot(cora, "agenda-consultation")

    # The backbone accepts it with a reason; the draft now carries the text.
    bea = new_page()
    login(bea, "backbone")
    bea.goto(f"/i/{SLUG}/agenda/v/3/consultation/")
    item = bea.locator("article.consultation-item", has_text="Ten days is what our best")
    item.get_by_text("Decide").click()
    item.get_by_label("Accept and apply").check()
    item.get_by_label(re.compile("^Reason")).fill("Customers asked for it; Onboarding Ops agrees.")
    item.get_by_role("button", name="Record decision").click()
    expect(bea.get_by_role("status")).to_contain_text("accepted and applied to the draft")
    expect(item).to_contain_text("Accepted")
    shot(bea, "agenda-consultation-backbone")
    bea.goto(f"/i/{SLUG}/agenda/v/3/voices/")
    expect(bea.get_by_role("heading", name=re.compile("Whose voices"))).to_be_visible()
    shot(bea, "agenda-voices")

    # The backbone adopts v3 (closing the consultation); it becomes the agenda.
    bea.goto(f"/i/{SLUG}/agenda/v/3/")
    shot(bea, "agenda-draft-backbone")
    bea.get_by_role("link", name="Adopt v3").first.click()
    bea.get_by_label("Rationale").fill("Faster target after the consultation.")
    shot(bea, "agenda-adopt")
    bea.get_by_role("button", name="Adopt v3").click()
    expect(bea.get_by_role("status")).to_contain_text("Version 3 is the adopted agenda")
    expect(bea.get_by_text(NEW_VISION)).to_be_visible()
    shot(bea, "agenda-index-adopted-v3")

    # The diff page shows the change from v2 to v3.
    bea.goto(f"/i/{SLUG}/agenda/diff/?from=2&to=3")
    vision = bea.get_by_role("region", name="Changes to the vision")
    expect(vision.locator("ins").first).to_contain_text("real")
    expect(vision.locator("del").first).to_contain_text("14")
    expect(bea.get_by_text("Added", exact=False).first).to_be_visible()
    shot(bea, "agenda-diff")
    bea.get_by_role("link", name="History").click()
    expect(bea.get_by_role("heading", name="History of the agenda")).to_be_visible()
    shot(bea, "agenda-history")

    # The lead of Onboarding Operations endorses v3.
    leo = new_page()
    login(leo, "lead")
    leo.goto(f"/i/{SLUG}/agenda/")
    leo.get_by_role("link", name="Endorse v3 for Onboarding Operations").click()
    leo.get_by_role("radio", name="Endorsed", exact=True).check()
    expect(leo.get_by_label("Reservations", exact=True)).to_be_hidden()  # only with reservations
    shot(leo, "agenda-endorse")
    leo.get_by_role("button", name="Record position").click()
    expect(leo.get_by_role("status")).to_contain_text("Onboarding Operations: endorsed v3")
    row = leo.get_by_role("row", name=re.compile("Onboarding Operations"))
    expect(row.get_by_role("cell").nth(0)).to_contain_text("Endorsed")
    shot(leo, "agenda-endorsements")

    # The button says what was recorded; the lead changes it to "does not endorse", with a reason.
    leo.get_by_role("link", name=re.compile(r"^Endorsed v3 for Onboarding Operations")).click()
    leo.get_by_role("radio", name="Does not endorse").check()
    why = leo.get_by_label("Why not")
    expect(why).to_be_visible()
    leo.get_by_role("button", name="Record the change").click()
    expect(leo.get_by_text("Required when not endorsing.")).to_be_visible()
    leo.get_by_label("Why not").fill("Hand-offs need two more people first.")
    leo.get_by_role("button", name="Record the change").click()
    expect(leo.get_by_role("status")).to_contain_text("Onboarding Operations: does not endorse v3")
    row = leo.get_by_role("row", name=re.compile("Onboarding Operations"))
    expect(row.get_by_role("cell").nth(0)).to_contain_text("Does not endorse")
    expect(row.get_by_role("cell").nth(0)).to_contain_text("Hand-offs need two more people first.")
    expect(
        leo.get_by_role("link", name=re.compile(r"^Does not endorse v3 for Onboarding Operations"))
    ).to_be_visible()
    shot(leo, "agenda-endorsements-declined")
    assert not cora.js_errors and not bea.js_errors and not leo.js_errors


def test_agenda_pages_render(demo, new_page):
    """Public reading, print view, editing forms and a stale save, for review by eye."""
    anon = new_page()
    anon.goto("/i/youth-housing/agenda/")
    expect(anon.get_by_role("heading", name="Common agenda", level=1)).to_be_visible()
    expect(anon.get_by_text("Have your say")).to_have_count(0)
    shot(anon, "agenda-public-anonymous")
    anon.goto("/i/youth-housing/agenda/v/2/print/")
    expect(anon.get_by_role("heading", name=re.compile("Version 2"))).to_be_visible()
    shot(anon, "agenda-print")

    bea = new_page()
    login(bea, "backbone")
    bea.goto(f"/i/{SLUG}/agenda/v/3/edit/")
    shot(bea, "agenda-edit-text")
    # Someone else saves meanwhile (another tab): our save is refused and our text is kept.
    other = new_page()
    login(other, "backbone")
    other.goto(f"/i/{SLUG}/agenda/v/3/edit/")
    other.get_by_label("Vision").fill("Their vision, saved first.")
    other.get_by_role("button", name="Save draft").click()
    expect(other.get_by_role("status")).to_contain_text("saved")
    bea.get_by_label("Vision").fill("My vision, saved second.")
    bea.get_by_role("button", name="Save draft").click()
    expect(bea.get_by_role("alert")).to_contain_text("Someone else saved this draft")
    expect(bea.get_by_role("textbox", name="Vision")).to_have_value("My vision, saved second.")
    shot(bea, "agenda-edit-conflict")
    bea.goto(f"/i/{SLUG}/agenda/v/3/outcomes/new/")
    shot(bea, "agenda-outcome-form")
    bea.goto(f"/i/{SLUG}/agenda/v/3/")
    bea.get_by_role(
        "button", name=re.compile("Move “Customers rate their onboarding.*” up")
    ).click()
    expect(bea.locator("#outcome-tree")).to_contain_text("Customers rate")
    # Removing an outcome that measures link to says so before anything happens.
    bea.get_by_role(
        "link", name=re.compile("Remove “Sales hand-off notes are complete at signing”")
    ).click()
    expect(bea.get_by_role("note")).to_contain_text("Linked to it: 1 indicator")
    shot(bea, "agenda-outcome-remove")
    bea.get_by_role("link", name="Cancel").click()
    bea.goto(f"/i/{SLUG}/agenda/v/2/")
    shot(bea, "agenda-version-adopted")
    bea.goto(f"/i/{SLUG}/")
    shot(bea, "agenda-overview-card")
    assert not anon.js_errors and not bea.js_errors and not other.js_errors
