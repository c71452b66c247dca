"""Pages of activities: full pages and htmx partials, forms with errors next to fields, CSV
downloads, and query counts that do not grow with the data."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from collective.activities import services
from collective.activities.models import Activity, Contribution
from tests.factories import make_partner

from .helpers import D, activity, basic, claim, indicator, outcomes


def _grow(world, n: int):
    """n more partners, each with an activity claiming two outcomes, reviewed, with progress,
    a milestone and a dependency on the first activity."""
    _goal, handoff, sub = outcomes(world)
    first = None
    backbone = world.users["backbone"]
    for i in range(n):
        p = make_partner(
            world.initiative, f"Grown {world.extra.setdefault('grown', 0) + i}", actor=backbone
        )
        a = activity(
            world,
            f"Grown work {p.name}",
            partner=p,
            start=D(2026, 1, 1),
            end=D(2026, 9, 1),
            supporting_partners=[world.partner],
        )
        claim(world, a, handoff)
        c = claim(world, a, sub, strength="indirect")
        services.claim_review(actor=backbone, claim=c, verdict="contested", comment="Why?")
        services.progress_add(
            actor=backbone, activity=a, note="Going", date=D(2026, 2, 1), percent_complete=20
        )
        services.milestone_add(actor=backbone, activity=a, title="Half way")
        if first is None:
            first = a
        else:
            services.dependency_add(actor=backbone, activity=a, needs=first)
    world.extra["grown"] += n
    return first


def _count(client, url) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(ctx.captured_queries)


PAGES = [
    "",
    "?status=planned",
    "alignment/",
    "alignment/?view=table",
    "gaps/",
    "overlaps/",
    "network/",
    "map/",
    "map.json",
    "timeline/",
    "timeline/?by=outcome",
    "strengths/",
    "surveys/",
]


@pytest.mark.parametrize("page", PAGES)
def test_query_count_does_not_grow_with_the_data(world, client, page):
    data = basic(world)
    services.capabilities_add_defaults(actor=None, initiative=world.initiative)
    client.force_login(world.users["backbone"])
    url = f"/i/{world.initiative.slug}/activities/{page}"
    _grow(world, 2)
    small = _count(client, url)
    _grow(world, 6)
    assert _count(client, url) <= small, f"{url}: the query count grows with the data"
    assert small <= 30
    del data


def test_activity_page_query_count_is_constant(world, client):
    data = basic(world)
    client.force_login(world.users["lead"])
    first = _grow(world, 2)
    url = first.get_absolute_url()
    small = _count(client, url)
    _grow(world, 5)  # more dependents of `first`, more claims elsewhere
    assert _count(client, url) == small
    del data


def test_contribution_and_network_survey_pages_are_constant(world, client):
    _goal, handoff, _sub = outcomes(world)
    indicator(world, "HANDOFF_DAYS", outcome=handoff)
    survey = services.round_open(actor=None, initiative=world.initiative, title="Spring")
    client.force_login(world.users["viewer"])
    base = f"/i/{world.initiative.slug}/activities/"
    urls = [
        f"{base}outcomes/{handoff.uid}/",
        f"{base}network/?view=survey",
        survey.get_absolute_url(),
    ]
    _grow(world, 2)
    small = [_count(client, u) for u in urls]
    _grow(world, 5)
    assert [_count(client, u) for u in urls] == small


def test_empty_list_teaches_and_offers_the_first_step(world, client):
    client.force_login(world.users["lead"])
    page = client.get(f"/i/{world.initiative.slug}/activities/").content.decode()
    assert "No activities mapped yet" in page
    assert "Define team contribution according to strengths" in page
    assert "Add the first activity" in page
    client.force_login(world.users["viewer"])
    page = client.get(f"/i/{world.initiative.slug}/activities/").content.decode()
    assert "Add the first activity" not in page


def test_list_filters_htmx_partial_and_csv(world, client):
    data = basic(world)
    client.force_login(world.users["viewer"])
    url = f"/i/{world.initiative.slug}/activities/"
    page = client.get(url, {"partner": str(world.other_partner.uid)}).content.decode()
    assert data["sales_activity"].title in page and data["ops_activity"].title not in page
    partial = client.get(url, {"q": "checklist"}, HTTP_HX_REQUEST="true").content.decode()
    assert "<html" not in partial and data["ops_activity"].title in partial
    csv = client.get(url, {"format": "csv"})
    assert csv["Content-Type"].startswith("text/csv")
    assert data["ops_activity"].title in csv.content.decode("utf-8-sig")
    bad = client.get(url, {"partner": "not-a-uid"})
    assert bad.status_code == 200 and "No activity matches" in bad.content.decode()


def test_create_form_keeps_input_and_shows_errors_next_to_fields(world, client):
    client.force_login(world.users["lead"])
    url = f"/i/{world.initiative.slug}/activities/new/"
    response = client.post(
        url,
        {
            "title": "Backwards plan",
            "partner": str(world.partner.uid),
            "status": "planned",
            "lever": "practices",
            "percent_complete": "0",
            "start": "2026-05-01",
            "end": "2026-04-01",
        },
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert "The end must be on or after the start." in page
    assert 'value="Backwards plan"' in page
    assert not Activity.objects.exists()
    # The lead cannot pick another partner: it is not among the choices.
    response = client.post(
        url,
        {
            "title": "Theirs",
            "partner": str(world.other_partner.uid),
            "status": "planned",
            "lever": "practices",
            "percent_complete": "0",
        },
    )
    assert "Select a valid choice" in response.content.decode()
    response = client.post(
        url,
        {
            "title": "Ours",
            "partner": str(world.partner.uid),
            "status": "planned",
            "lever": "practices",
            "percent_complete": "0",
            "start": "2026-01-01",
            "end": "2026-03-01",
        },
    )
    made = Activity.objects.get(title="Ours")
    assert response.status_code == 302 and response["Location"].endswith(
        f"/a/{made.uid}/claims/new/"
    )


def test_claim_form_and_review_flow(world, client):
    data = basic(world)
    goal, _handoff, _sub = outcomes(world)
    client.force_login(world.users["lead"])
    ops = data["ops_activity"]
    url = f"/i/{world.initiative.slug}/activities/a/{ops.uid}/claims/new/"
    missing = client.post(url, {"strength": "direct", "rationale": ""})
    assert "This field is required." in missing.content.decode()
    ok = client.post(
        url,
        {
            "outcome": str(goal.uid),
            "strength": "direct",
            "rationale": "Faster hand-offs make customers live sooner.",
            "links": "https://example.org/a\nhttps://example.org/b",
        },
    )
    assert ok.status_code == 302
    made = Contribution.objects.get(activity=ops, outcome=goal)
    assert made.links == ["https://example.org/a", "https://example.org/b"]
    review = f"/i/{world.initiative.slug}/activities/claims/{data['sales_claim'].uid}/review/"
    client.post(review, {"verdict": "contested", "comment": "No template seen yet."})
    page = client.get(data["sales_activity"].get_absolute_url()).content.decode()
    assert "Contested" in page and "No template seen yet." in page


def test_progress_by_htmx_returns_the_log(world, client):
    data = basic(world)
    client.force_login(world.users["contributor"])
    url = f"/i/{world.initiative.slug}/activities/a/{data['ops_activity'].uid}/progress/"
    response = client.post(
        url, {"note": "Pilot with two customers", "percent_complete": "30"}, HTTP_HX_REQUEST="true"
    )
    body = response.content.decode()
    assert "<html" not in body and "Pilot with two customers" in body
    bad = client.post(url, {"note": "", "percent_complete": "300"}, HTTP_HX_REQUEST="true")
    assert "invalid-feedback" in bad.content.decode()


def test_dependency_cycle_is_refused_on_the_page(world, client):
    data = basic(world)
    services.dependency_add(actor=None, activity=data["ops_activity"], needs=data["sales_activity"])
    client.force_login(world.users["backbone"])
    url = f"/i/{world.initiative.slug}/activities/a/{data['sales_activity'].uid}/dependencies/"
    response = client.post(url, {"needs": str(data["ops_activity"].uid)}, follow=True)
    assert "This would make a cycle" in response.content.decode()


def test_alignment_heat_map_links_to_the_activities_behind_a_cell(world, client):
    data = basic(world)
    client.force_login(world.users["viewer"])
    page = client.get(f"/i/{world.initiative.slug}/activities/alignment/").content.decode()
    handoff = data["outcomes"][1]
    assert f"?partner={world.partner.uid}&amp;outcome={handoff.uid}" in page
    assert "Operations on Hand-offs take less than a day: 1 activity, 1 direct" in page
    csv = client.get(f"/i/{world.initiative.slug}/activities/alignment/?format=csv")
    assert "Operations,Hand-offs take less than a day,1,1,0,0,0" in csv.content.decode("utf-8-sig")


def test_gaps_page_and_what_if_partial(world, client):
    basic(world)
    client.force_login(world.users["viewer"])
    url = f"/i/{world.initiative.slug}/activities/gaps/"
    page = client.get(url).content.decode()
    assert "Outcomes nobody works on" in page and "Next step" in page
    partial = client.get(url, {"leaves": str(world.partner.uid)}, HTTP_HX_REQUEST="true")
    assert "If <strong>Operations</strong> left" in partial.content.decode()


def test_strengths_rating_form_refuses_other_partners(world, client):
    services.capabilities_add_defaults(actor=None, initiative=world.initiative)
    client.force_login(world.users["lead"])
    url = f"/i/{world.initiative.slug}/activities/strengths/rate/"
    page = client.get(url).content.decode()
    assert "How strong is Operations" in page
    # A lead cannot choose another partner with ?partner=: they always rate their own.
    page = client.get(url, {"partner": str(world.other_partner.uid)}).content.decode()
    assert "How strong is Operations" in page


def test_survey_answer_form_keeps_answers_when_refused(world, client):
    survey = services.round_open(actor=None, initiative=world.initiative, title="Spring")
    client.force_login(world.users["lead"])
    url = f"/i/{world.initiative.slug}/activities/surveys/{survey.uid}/answer/"
    p = world.other_partner.pk
    response = client.post(url, {f"p{p}_collaboration": "coordination", f"p{p}_reliability": "3"})
    assert response.status_code == 302
    assert survey.answers.get(about=world.other_partner).reliability == 3
    assert survey.answers.get(about=world.subpartner).collaboration == "none"
    refused = client.post(url, {f"p{p}_collaboration": "coordination", f"p{p}_reliability": "9"})
    assert refused.status_code == 200
    assert "Select a valid choice" in refused.content.decode()
    assert survey.answers.get(about=world.other_partner).reliability == 3
