"""The foundation journey in real Chromium: sign in, switch initiative, invite, accept, listed."""

from __future__ import annotations

import re

from django.core import mail
from playwright.sync_api import expect

from tests.e2e.conftest import login, shot


def test_backbone_invites_a_person_who_joins(demo, new_page):
    page = new_page()
    login(page, "backbone")
    expect(page.get_by_role("heading", name="Your initiatives")).to_be_visible()
    shot(page, "home")

    # Open the company initiative through the switcher.
    page.get_by_role("link", name="Faster Customer Onboarding").first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Faster Customer Onboarding")
    shot(page, "overview")

    # Invite a new person as contributor for Sales.
    page.get_by_role("navigation", name="Faster Customer Onboarding").get_by_role(
        "link", name="Members"
    ).click()
    shot(page, "members")
    page.get_by_role("link", name="Invite people").first.click()
    page.get_by_label("Email addresses").fill("newcomer@example.org")
    page.get_by_label("Role").select_option("contributor")
    page.get_by_label("Partner").select_option(label="Sales")
    shot(page, "invite")
    page.get_by_role("button", name="Send invitation").click()
    expect(page.get_by_role("status")).to_contain_text("Invitation sent to newcomer@example.org")
    expect(page.get_by_role("cell", name="newcomer@example.org", exact=True)).to_be_visible()

    # The email holds the single-use link.
    assert mail.outbox, "no invitation email was sent"
    link = re.search(r"https?://\S+/invitations/\S+/", mail.outbox[-1].body).group(0)
    path = link[link.index("/invitations/") :]

    # A second browser context: the invited person creates an account and joins.
    guest = new_page()
    guest.goto(path)
    expect(guest.get_by_role("heading", name="Join Faster Customer Onboarding")).to_be_visible()
    shot(guest, "invitation-accept")
    guest.get_by_label("Username").fill("newcomer")
    guest.get_by_label("Display name").fill("Nia Newcomer")
    guest.get_by_label("Function or department").fill("Sales")
    guest.get_by_label("Level").select_option("staff")
    guest.get_by_label("Password", exact=True).fill("a-long-secret-42")
    guest.get_by_label("Password (again)").fill("a-long-secret-42")
    guest.get_by_role("button", name="Create account and join").click()
    expect(guest.get_by_role("heading", level=1)).to_have_text("Faster Customer Onboarding")

    # The link is single use.
    guest.goto(path)
    expect(guest.get_by_text("already been used")).to_be_visible()

    # The backbone sees the new member listed.
    page.reload()
    expect(page.get_by_role("cell", name=re.compile("^Nia Newcomer"))).to_be_visible()

    # Switch to the other initiative through the top-bar switcher (viewer belongs to both).
    viewer = new_page()
    login(viewer, "viewer")
    viewer.get_by_role("link", name="Faster Customer Onboarding").first.click()
    viewer.get_by_role("button", name=re.compile("Switch initiative")).click()
    viewer.get_by_role("link", name="Youth Housing Stability Coalition").click()
    expect(viewer.get_by_role("heading", level=1)).to_have_text("Youth Housing Stability Coalition")
    assert not page.js_errors and not guest.js_errors and not viewer.js_errors


def test_main_pages_screenshots(demo, new_page):
    """Every main page renders for the backbone without a JS error; screenshots for review."""
    page = new_page()
    login(page, "backbone")
    slug = "faster-onboarding"
    pages = {
        "partners": f"/i/{slug}/partners/",
        "agenda": f"/i/{slug}/agenda/",
        "measures": f"/i/{slug}/measures/",
        "activities": f"/i/{slug}/activities/",
        "communication": f"/i/{slug}/communication/",
        "backbone": f"/i/{slug}/backbone/",
        "audit-log": f"/i/{slug}/audit/",
        "settings": f"/i/{slug}/settings/",
        "profile": "/accounts/profile/",
        "api-docs": "/api/docs/",
    }
    for name, url in pages.items():
        response = page.goto(url)
        assert response.status < 400, f"{url}: {response.status}"
        page.wait_for_load_state("networkidle")
        shot(page, name)
    assert not page.js_errors, page.js_errors
    # A narrow screen keeps the navigation usable.
    phone = new_page(width=390, height=844)
    login(phone, "lead")
    phone.goto(f"/i/{slug}/")
    shot(phone, "overview-phone")
    expect(phone.get_by_role("link", name="Measures", exact=True)).to_be_visible()
