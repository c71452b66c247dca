"""Continuous communication in real Chromium: an agenda drafted from the evidence, a meeting
closed with a decision and an action, the owner sees it in "my actions" and the bell, and
feedback moves to "acted on" with a public response. Then every page at 1280 and 390 px."""

from __future__ import annotations

import datetime as dt
import re

from django.utils import timezone
from playwright.sync_api import expect

from tests.e2e.conftest import login, shot

SLUG = "faster-onboarding"
BASE = f"/i/{SLUG}/communication"


def test_meeting_decision_action_bell_and_feedback(demo, new_page):
    bea = new_page()
    login(bea, "backbone")
    bea.goto(f"{BASE}/touchpoints/")
    expect(bea.get_by_role("heading", name="Touchpoints", level=1)).to_be_visible()
    shot(bea, "communication-touchpoints")

    # An agenda drafted from the evidence for the next steering group.
    bea.get_by_role("link", name="Steering group", exact=True).click()
    bea.get_by_role("region", name="Next meetings").get_by_role("link").first.click()
    bea.get_by_role("button", name="Draft agenda from evidence").first.click()
    expect(bea.get_by_role("status")).to_contain_text("added from the evidence")
    agenda = bea.locator("#agenda")
    expect(agenda).to_contain_text("Matters arising")
    expect(agenda).to_contain_text("Unanswered feedback")
    expect(agenda).to_contain_text("Onboarding survey results")  # from the topic backlog
    shot(bea, "communication-agenda-drafted")

    # The last steering group is flagged as not closed: record a decision and an action there.
    bea.goto(f"{BASE}/touchpoints/")
    flagged = bea.get_by_role("region", name="Meetings not closed")
    flagged.get_by_role("link", name=re.compile("Steering group")).first.click()
    expect(bea.get_by_text("Not closed")).to_be_visible()
    bea.get_by_role("link", name="Record a decision").click()
    bea.get_by_label("Title").fill("One shared hand-off form")
    bea.get_by_label("The decision").fill("Every partner uses the shared hand-off form from May.")
    bea.get_by_label("Who was consulted").fill("Partner leads and two frontline teams.")
    shot(bea, "communication-decision-form")
    bea.get_by_role("button", name="Record decision").click()
    expect(bea.get_by_role("status")).to_contain_text("recorded; members were told")
    bea.get_by_role("link", name="Add an action").click()
    bea.get_by_label("Title").fill("Roll out the shared hand-off form")
    bea.get_by_label("Owner", exact=True).select_option(label="Cora Contributor")
    due = timezone.localdate() + dt.timedelta(days=10)
    bea.get_by_label("Due date").fill(due.isoformat())
    bea.get_by_role("button", name="Create action").click()
    expect(bea.get_by_role("status")).to_contain_text("Action created")
    expect(bea.get_by_role("region", name="Decisions")).to_contain_text("One shared hand-off form")
    bea.get_by_role("link", name="Close meeting").click()
    shot(bea, "communication-meeting-close")
    bea.get_by_role("button", name="Close meeting").click()
    expect(bea.get_by_role("status")).to_contain_text("Meeting closed")
    expect(bea.get_by_text("Closed", exact=True).first).to_be_visible()
    shot(bea, "communication-meeting-closed")

    # The owner sees the action in "my actions" and in the bell.
    cora = new_page()
    login(cora, "contributor")
    cora.goto(f"{BASE}/actions/mine/")
    expect(cora.get_by_role("link", name="Roll out the shared hand-off form")).to_be_visible()
    shot(cora, "communication-my-actions")
    expect(cora.get_by_test_id("bell-count")).to_be_visible()
    cora.locator("#bell-toggle").click()
    menu = cora.locator(".bell-menu")
    expect(menu).to_contain_text("New action for you: Roll out the shared hand-off form")
    shot(cora, "communication-bell")
    menu.get_by_role("link", name=re.compile("Roll out the shared hand-off form")).first.click()
    expect(cora.get_by_role("heading", name="Roll out the shared hand-off form")).to_be_visible()
    cora.get_by_role("button", name="Mark done").click()
    expect(cora.get_by_role("status")).to_contain_text("Marked “done”")

    # Feedback moves to "acted on" with a response people can read.
    bea.goto(f"{BASE}/feedback/")
    column = bea.get_by_role("region", name=re.compile("Being considered"))
    column.get_by_role("link").first.click()
    bea.get_by_label("Move to").select_option(label="Acted on")
    bea.get_by_label("Public response (you said, we did)").fill(
        "You said the dashboard is hard to read on a phone; the phone layout is now fixed."
    )
    bea.get_by_role("button", name="Save").click()
    expect(bea.get_by_role("status")).to_contain_text("Feedback updated")
    expect(bea.get_by_role("region", name="We did")).to_contain_text("phone layout is now fixed")
    expect(bea.get_by_text("Acted on").first).to_be_visible()
    shot(bea, "communication-feedback-acted-on")
    assert not bea.js_errors and not cora.js_errors


PAGES = [
    "",
    "touchpoints/",
    "meetings/",
    "decisions/",
    "actions/",
    "actions/mine/",
    "updates/",
    "discussions/",
    "feedback/",
    "surveys/",
    "notifications/",
    "calendar/",
    "webhooks/",
    "settings/",
    "touchpoints/new/",
    "actions/new/",
    "decisions/propose/",
]


def _no_sideways_scroll(page) -> bool:
    return page.evaluate(
        "document.documentElement.scrollWidth <= document.documentElement.clientWidth + 1"
    )


def test_every_page_at_desktop_and_phone_width(demo, new_page):
    from collective.communication.models import Decision, Feedback, Survey, Update, WebhookEndpoint

    decision = Decision.objects.filter(initiative__slug=SLUG, method="async").first()
    detail_pages = [
        decision.get_absolute_url(),
        Update.objects.filter(initiative__slug=SLUG, kind="help_wanted").first().get_absolute_url(),
        Feedback.objects.filter(initiative__slug=SLUG).first().get_absolute_url(),
        Survey.objects.filter(initiative__slug=SLUG).first().get_absolute_url(),
        WebhookEndpoint.objects.filter(initiative__slug=SLUG).first().get_absolute_url(),
    ]
    for width in (1280, 390):
        page = new_page(width=width)
        login(page, "backbone")
        for path in [f"{BASE}/{p}" for p in PAGES] + detail_pages:
            page.goto(path)
            expect(page.locator("h1").first).to_be_visible()
            assert _no_sideways_scroll(page), f"{path} scrolls sideways at {width}px"
            name = path.strip("/").replace(f"i/{SLUG}/communication", "communication")
            shot(page, f"{name or 'communication'}-{width}")
        assert not page.js_errors
