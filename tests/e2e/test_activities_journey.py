"""Mutually reinforcing activities in real Chromium: a partner lead adds an activity with a claim
on an outcome, the alignment matrix and the system map show it, another partner contests the
claim, and the backbone marks the overlap it creates "coordinate"."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from tests.e2e.conftest import login, shot

SLUG = "faster-onboarding"
TITLE = "Weekly onboarding webinars for small customers"
OUTCOME = "Customers can do the first set-up steps themselves"


def test_add_claim_matrix_map_contest_coordinate(demo, new_page):
    # Leo, lead of Onboarding Operations, adds an activity and claims its contribution.
    leo = new_page()
    login(leo, "lead")
    leo.goto(f"/i/{SLUG}/activities/")
    expect(leo.get_by_role("heading", name="Mutually reinforcing activities")).to_be_visible()
    leo.get_by_role("link", name="Add an activity").click()
    leo.get_by_label("Title").fill(TITLE)
    leo.get_by_label("Description").fill(
        "Group webinars every week that walk small customers through the first set-up steps."
    )
    leo.get_by_label("Systems-change lever").select_option("programme")
    leo.get_by_label("Start").fill("2026-09-01")
    leo.get_by_label("End").fill("2027-03-31")
    shot(leo, "activities-add")
    leo.get_by_role("button", name="Add the activity").click()
    expect(leo.get_by_role("status")).to_contain_text("is added")
    outcome = leo.get_by_label("Outcome", exact=True)
    outcome.select_option(outcome.locator("option", has_text=OUTCOME).get_attribute("value"))
    leo.get_by_label("Rationale").fill("Customers who attend do the first steps themselves.")
    leo.get_by_label("Alternative explanations considered").fill("The in-app guide helps too.")
    shot(leo, "activities-claim")
    leo.get_by_role("button", name="Save the claim").click()
    expect(leo.get_by_role("status")).to_contain_text(f"Claim on “{OUTCOME}” recorded")
    expect(leo.get_by_role("link", name=OUTCOME)).to_be_visible()
    shot(leo, "activities-detail-lead")

    # The alignment matrix counts it in Onboarding Operations' row; the map lists it.
    leo.goto(f"/i/{SLUG}/activities/alignment/")
    cell = leo.get_by_role("link", name=re.compile(r"^Onboarding Operations on Customers can do"))
    expect(cell).to_have_text("1")
    shot(leo, "activities-alignment")
    leo.goto(f"/i/{SLUG}/activities/map/")
    expect(leo.get_by_role("img", name=re.compile("nodes and .* links"))).to_be_visible()
    leo.get_by_text("Activities (", exact=False).click()
    expect(leo.locator(".map-list").get_by_role("link", name=TITLE)).to_be_visible()
    shot(leo, "activities-map")
    assert not leo.js_errors, leo.js_errors

    # Sam, lead of Sales, contests the claim.
    sam = new_page()
    login(sam, "sam.sales")
    sam.goto(f"/i/{SLUG}/activities/?q=Weekly+onboarding")
    sam.get_by_role("link", name=TITLE).click()
    sam.get_by_role("link", name="Review the claim").click()
    sam.get_by_label("Contested").check()
    sam.get_by_label("Comment").fill("Set-up tickets from small customers have not dropped yet.")
    sam.get_by_role("button", name="Record my review").click()
    expect(sam.get_by_role("status")).to_contain_text("marked the claim contested")
    expect(sam.locator("article.claim")).to_contain_text("Contested by Sales")
    shot(sam, "activities-contested")

    # The backbone sees the overlap with SMB Success's webinars and asks them to coordinate.
    bea = new_page(390, 900)
    login(bea, "backbone")
    bea.goto(f"/i/{SLUG}/activities/overlaps/")
    pair = bea.locator("article.overlap", has_text=TITLE)
    expect(pair).to_contain_text("Onboarding webinars for small customers")
    pair.get_by_label("Coordination note").fill("One webinar series, run by SMB Success.")
    shot(bea, "activities-overlaps-phone")
    pair.get_by_role("button", name="Coordinate").click()
    expect(bea.get_by_role("status")).to_contain_text("asked to coordinate")
    coordinated = bea.get_by_role("region", name=re.compile("Being coordinated"))
    expect(coordinated).to_contain_text("One webinar series, run by SMB Success.")
    assert bea.evaluate("document.documentElement.scrollWidth") <= 390
    shot(bea, "activities-coordinated-phone")
