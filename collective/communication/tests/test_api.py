"""API contracts of continuous communication: shapes, filters, errors and the same rules."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from collective.communication.models import ActionItem, DecisionVote, WebhookEndpoint

from .helpers import make_action, make_proposal, make_update

BASE = "/api/v1/initiatives/acme/"


def test_action_items_create_filter_and_update(world, api_as):
    api = api_as("contributor")
    due = (timezone.localdate() + dt.timedelta(days=5)).isoformat()
    response = api.post(
        BASE + "action-items/",
        {"title": "Call Legal", "owner": "ct", "due_date": due},
        format="json",
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["owner"] == "ct" and body["status"] == "open" and body["overdue"] is False
    uid = body["uid"]
    listed = api.get(BASE + "action-items/", {"status": "open"}).json()
    assert listed["count"] == 1 and listed["results"][0]["uid"] == uid
    assert api.get(BASE + "action-items/", {"status": "done"}).json()["count"] == 0
    assert api.get(BASE + "action-items/", {"mine": "1"}).json()["count"] == 1
    done = api.patch(BASE + f"action-items/{uid}/", {"status": "done"}, format="json")
    assert done.status_code == 200 and done.json()["done_at"]


def test_bad_input_answers_with_field_errors_and_saves_nothing(world, api_as):
    api = api_as("contributor")
    past = (timezone.localdate() - dt.timedelta(days=1)).isoformat()
    response = api.post(
        BASE + "action-items/", {"title": "Late", "owner": "ct", "due_date": past}, format="json"
    )
    assert response.status_code == 400
    assert "in the past" in response.json()["errors"]["due_date"][0]
    unknown = api.post(BASE + "action-items/", {"title": "X", "status2": "y"}, format="json")
    assert unknown.status_code == 400 and "status2" in unknown.json()["errors"]
    assert not ActionItem.objects.exists()
    hook = api_as("backbone").post(
        BASE + "webhooks/", {"name": "X", "url": "http://169.254.169.254/"}, format="json"
    )
    assert hook.status_code == 400 and "link-local" in hook.json()["errors"]["url"][0]
    assert not WebhookEndpoint.objects.exists()


def test_votes_once_and_not_after_the_deadline(world, api_as):
    proposal = make_proposal(world)
    api = api_as("viewer")
    url = BASE + f"decisions/{proposal.number}/vote/"
    assert api.post(url, {"stance": "support"}, format="json").status_code == 201
    again = api.post(url, {"stance": "object", "reason": "No"}, format="json")
    assert again.status_code == 409 and "already responded" in again.json()["message"]
    import time_machine

    with time_machine.travel(proposal.deadline + dt.timedelta(seconds=1)):
        late = api_as("lead").post(url, {"stance": "support"}, format="json")
    assert late.status_code == 409 and "deadline" in late.json()["message"]
    assert DecisionVote.objects.count() == 1
    detail = api.get(BASE + f"decisions/{proposal.number}/").json()
    assert detail["tally"]["responded"] == 1 and detail["method"] == "async"


def test_updates_feed_filters_and_sanitised_html(world, api_as):
    make_update(world, kind="risk", title="Supplier risk", body="<script>x()</script>**Late**")
    make_update(world, kind="progress", title="Going well")
    api = api_as("viewer")
    risks = api.get(BASE + "updates/", {"kind": "risk"}).json()
    assert [u["title"] for u in risks["results"]] == ["Supplier risk"]
    html = risks["results"][0]["body_html"]
    assert "<script" not in html and "<strong>Late</strong>" in html
    by_partner = api.get(BASE + "updates/", {"partner": str(world.partner.uid)}).json()
    assert by_partner["count"] == 2


def test_notifications_are_ones_own(world, api_as):
    make_action(world)
    mine = api_as("contributor").get(BASE + "notifications/").json()
    assert mine["count"] == 1 and mine["results"][0]["kind"] == "assignment"
    assert api_as("viewer").get(BASE + "notifications/").json()["count"] == 0
    pk = mine["results"][0]["id"]
    read = api_as("contributor").post(BASE + f"notifications/{pk}/read/")
    assert read.status_code == 200 and read.json()["read_at"]
    prefs = api_as("viewer").put(
        BASE + "notifications/preferences/",
        {"email_mode": "weekly", "time_zone": "Nowhere/City"},
        format="json",
    )
    assert prefs.status_code == 400 and "time_zone" in prefs.json()["errors"]


def test_touchpoint_with_a_malformed_rrule(world, api_as):
    response = api_as("backbone").post(
        BASE + "touchpoints/",
        {
            "title": "Odd",
            "kind": "working",
            "cadence": "custom",
            "rrule": "FREQ=WEEKLY;BYDAY=FUNDAY",
            "first_start": "2031-01-07T10:00:00",
            "time_zone": "Europe/London",
        },
        format="json",
    )
    assert response.status_code == 400 and "rrule" in response.json()["errors"]


def test_schema_builds(world, client):
    response = client.get("/api/schema/")
    assert response.status_code == 200
    text = response.content.decode()
    assert "/api/v1/initiatives/{slug}/action-items/" in text
    assert "/api/v1/initiatives/{slug}/webhooks/{uid}/replay/" in text
