"""Pages of continuous communication: full page and htmx partial, query counts that do not
grow with the data, the notification bell (≤ 2 queries), and bad input kept in the form."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.template import Context, Template
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from collective.communication import services
from collective.communication.models import ActionItem, Notification, TouchpointSeries

from .helpers import (
    make_action,
    make_decision,
    make_feedback,
    make_series,
    make_update,
    past_meeting,
)

SLUG = "acme"


def _queries(client, url, **extra) -> tuple[int, object]:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url, **extra)
    assert response.status_code == 200, url
    return len(ctx.captured_queries), response


@pytest.fixture
def bb(client, world):
    client.force_login(world.users["backbone"])
    return client


def _grow(world, n):
    for i in range(n):
        make_update(world, title=f"Update {i}")
        make_action(world, title=f"Action {i}")
        make_feedback(world, body=f"Feedback {i}")


@pytest.mark.parametrize(
    "path",
    [
        "",
        "updates/",
        "actions/",
        "actions/mine/",
        "decisions/",
        "feedback/",
        "touchpoints/",
        "discussions/",
        "notifications/",
        "meetings/",
    ],
)
def test_query_count_does_not_grow_with_the_data(world, bb, path):
    make_series(world)
    make_decision(world)
    _grow(world, 2)
    url = f"/i/{SLUG}/communication/{path}"
    before, _ = _queries(bb, url)
    _grow(world, 15)
    after, response = _queries(bb, url)
    assert after == before, f"{url}: {before} → {after} queries"
    assert after <= 25
    assert b'class="comm-nav"' in response.content


def test_meeting_page_and_its_htmx_partial(world, bb):
    meeting = past_meeting(world)
    services.agenda_item_add(actor=world.users["backbone"], occurrence=meeting, title="Risks")
    before, page = _queries(bb, meeting.get_absolute_url())
    assert b"Risks" in page.content and b"<html" in page.content
    for i in range(10):
        services.agenda_item_add(actor=world.users["backbone"], occurrence=meeting, title=f"I{i}")
    after, _ = _queries(bb, meeting.get_absolute_url())
    assert after == before
    partial = bb.get(meeting.get_absolute_url(), HTTP_HX_REQUEST="true")
    assert b"<html" not in partial.content and b'id="agenda"' in partial.content


def test_feed_partial_for_htmx(world, bb):
    make_update(world, kind="risk", title="A risk")
    make_update(world, kind="progress", title="Progress")
    response = bb.get(f"/i/{SLUG}/communication/updates/?kind=risk", HTTP_HX_REQUEST="true")
    assert b"<html" not in response.content
    assert b"A risk" in response.content and b"Progress" not in response.content


def test_the_bell_costs_at_most_two_queries(world, django_assert_max_num_queries):
    make_action(world)  # a notification for the contributor
    request = RequestFactory().get("/")
    request.user = world.users["contributor"]
    template = Template("{% include 'communication/_bell.html' %}")
    with django_assert_max_num_queries(2):
        html = template.render(Context({"request": request}))
    assert 'data-testid="bell-count"' in html and "New action for you" in html


def test_the_bell_is_in_the_top_bar_of_every_page(world, client):
    make_action(world)
    client.force_login(world.users["contributor"])
    for url in (f"/i/{SLUG}/", f"/i/{SLUG}/agenda/", "/"):
        content = client.get(url).content.decode()
        assert 'class="nav-item dropdown bell"' in content, url
        assert '1<span class="visually-hidden"> unread</span>' in content
    client.logout()
    assert "bell-toggle" not in client.get("/accounts/login/").content.decode()


def test_opening_a_notification_marks_it_read(world, client):
    action = make_action(world)
    note = Notification.objects.get(user=world.users["contributor"])
    client.force_login(world.users["contributor"])
    response = client.get(f"/i/{SLUG}/communication/notifications/{note.pk}/open/")
    assert response.status_code == 302 and response["Location"] == action.get_absolute_url()
    note.refresh_from_db()
    assert note.read_at is not None


def test_empty_states_teach(world, bb):
    content = bb.get(f"/i/{SLUG}/communication/").content.decode()
    assert "No touchpoints yet" in content and "Plan the first touchpoint" in content
    content = bb.get(f"/i/{SLUG}/communication/feedback/").content.decode()
    assert "keep momentum and engagement" in content


def test_bad_input_is_kept_in_the_form_with_the_error_beside_the_field(world, bb):
    past = (timezone.localdate() - dt.timedelta(days=3)).isoformat()
    response = bb.post(
        f"/i/{SLUG}/communication/actions/new/",
        {"title": "Keep my words", "owner": world.users["contributor"].pk, "due_date": past},
    )
    content = response.content.decode()
    assert response.status_code == 200
    assert "is in the past" in content and 'value="Keep my words"' in content
    assert not ActionItem.objects.exists()
    response = bb.post(
        f"/i/{SLUG}/communication/touchpoints/new/",
        {
            "title": "Odd",
            "kind": "working",
            "first_start": "2031-01-07T10:00",
            "time_zone": "Europe/London",
            "duration_minutes": 60,
            "cadence": "custom",
            "rrule": "FREQ=HOURLY",
            "correction_days": 5,
        },
    )
    assert "FREQ must be" in response.content.decode()
    assert not TouchpointSeries.objects.exists()


def test_unsubscribe_one_click(world, client):
    from collective.communication.models import NotificationPreference
    from collective.communication.services.notifications import unsubscribe_token

    url = f"/i/{SLUG}/communication/unsubscribe/{unsubscribe_token(world.users['viewer'])}/"
    assert client.get(url).status_code == 200
    response = client.post(url, {"List-Unsubscribe": "One-Click"})
    assert response.status_code == 200
    assert NotificationPreference.objects.get(user=world.users["viewer"]).email_mode == "none"
    bad = client.post(f"/i/{SLUG}/communication/unsubscribe/nope/")
    assert bad.status_code == 404
    assert client.get(f"/i/{SLUG}/communication/unsubscribe/nope/").status_code == 404
    # A valid token of someone who is not a member of this initiative names nothing here.
    outsider = unsubscribe_token(world.users["outsider"])
    assert client.get(f"/i/{SLUG}/communication/unsubscribe/{outsider}/").status_code == 404


def test_close_meeting_page_records_results(world, client):
    meeting = past_meeting(world)
    item = services.agenda_item_add(actor=world.users["backbone"], occurrence=meeting, title="X")
    client.force_login(world.users["contributor"])  # the facilitator
    response = client.post(
        f"/i/{SLUG}/communication/meetings/{meeting.uid}/close/",
        {f"result_{item.uid}": "unfinished", f"note_{item.uid}": "Out of time"},
    )
    assert response.status_code == 302
    meeting.refresh_from_db()
    assert meeting.is_closed
    follow = client.get(response["Location"]).content.decode()
    assert "1 unfinished item carried over" in follow


def test_recording_a_decision_in_a_meeting_from_the_page(world, bb):
    meeting = past_meeting(world)
    response = bb.post(
        f"/i/{SLUG}/communication/decisions/new/?meeting={meeting.uid}",
        {
            "title": "Shared form",
            "statement": "We use it.",
            "method": "meeting",
            "occurrence": meeting.pk,
        },
    )
    assert response.status_code == 302 and response["Location"] == meeting.get_absolute_url()
    assert meeting.decisions.count() == 1


def test_search_and_overview_card(world, bb):
    make_decision(world, title="Adopt the shared hand-off form")
    make_update(world, title="Hand-off pilot went well")
    content = bb.get(f"/i/{SLUG}/search/?q=hand-off").content.decode()
    assert "D1 Adopt the shared hand-off form" in content
    assert "Hand-off pilot went well" in content
    overview = bb.get(f"/i/{SLUG}/").content.decode()
    assert "open actions" in overview and "feedback waiting" in overview


def test_the_agenda_can_tell_what_communication_links_to_an_outcome(world, bb):
    from django.urls import reverse

    from collective.agenda.tests.helpers import draft_with_tree

    version, _goal, _outcome, outcome = draft_with_tree(world)  # a leaf: removable
    services.decision_record(
        actor=world.users["backbone"],
        initiative=world.initiative,
        title="Fund it",
        statement="We fund it.",
        method="backbone",
        outcomes=[outcome.outcome],
    )
    make_action(world, outcome=outcome.outcome)
    url = reverse(
        "agenda:outcome-remove",
        kwargs={"slug": SLUG, "number": version.number, "uid": outcome.outcome.uid},
    )
    response = bb.get(url)
    assert response.status_code == 200
    content = response.content.decode()
    assert "D1 Fund it" in content and "Draft the hand-off checklist" in content
