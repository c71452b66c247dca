"""The indicator page (chart, table, definition, freshness, story) and the definition, target,
reporting-duty and story editors."""

from __future__ import annotations

import json
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from collective.core import services as core_services
from collective.measurement import services
from collective.measurement.models import Indicator, Narrative, ReportingAssignment, Target
from collective.measurement.tests.pages_data import make_measures

pytestmark = pytest.mark.django_db


def _url(world, name="indicator-detail", code="DAYS", **extra):
    return reverse(
        f"measurement:{name}", kwargs={"slug": world.initiative.slug, "code": code, **extra}
    )


def _spec(html: str) -> dict:
    match = re.search(
        r'<script id="chart-spec-\w+" type="application/json">(.*?)</script>', html, re.S
    )
    assert match, "no chart spec on the page"
    return json.loads(match.group(1))


def test_indicator_page_has_chart_spec_description_table_and_definition(world, client_as):
    make_measures(world)
    html = client_as("viewer").get(_url(world)).content.decode()
    spec = _spec(html)
    assert spec["title"]["text"] == "Days to go live"
    assert spec["config"]["font"].startswith("system-ui")
    kinds = {row["kind"] for row in spec["data"]["values"]}
    assert {"Actual", "Target"} <= kinds
    # The one-line description says what the chart shows.
    assert "Days to go live fell from 42 days to 27 days over 6 months" in html
    assert "target 14 days by Dec 2026" in html
    # The data-table alternative is in the page (shown without JavaScript).
    assert (
        'class="chart-table' in html and '<th scope="row" class="fw-normal">Mar 2026</th>' in html
    )
    for label in (
        "Level",
        "Question it answers",
        "Direction",
        "Aggregation across partners",
        "Cumulative",
        "Valid range",
        "Breakdown",
        "Baseline",
        "Owner",
        "Linked outcomes",
        "Data source",
    ):
        assert f"<dt>{label}</dt>" in html, label
    assert "41 days in Dec 2025" in html
    # Only formula indicators have a formula row (test_pages_polish).
    assert "<dt>Formula</dt>" not in html
    assert "Who reports, and data freshness" in html and "Operations" in html


def test_chart_modes_per_partner_and_by_breakdown(world, client_as):
    make_measures(world)
    client = client_as("viewer")
    spec = _spec(client.get(_url(world, code="DONE"), {"by": "breakdown"}).content.decode())
    series = {row["series"] for row in spec["data"]["values"] if row["kind"] == "Actual"}
    assert series == {"North", "South"}
    spec = _spec(client.get(_url(world, code="RATE"), {"by": "partner"}).content.decode())
    series = {row["series"] for row in spec["data"]["values"] if row["kind"] == "Actual"}
    assert series == {"Operations", "Sales"}
    # An indicator without a breakdown falls back to the collective chart.
    html = client.get(_url(world, code="RATE"), {"by": "breakdown"}).content.decode()
    assert "By breakdown" not in html and _spec(html)


def test_chart_toggle_over_htmx_returns_only_the_chart(world, client_as):
    make_measures(world)
    response = client_as("viewer").get(
        _url(world, code="RATE"), {"by": "partner"}, headers={"HX-Request": "true"}
    )
    html = response.content.decode()
    assert "<html" not in html and "Definition" not in html
    assert 'id="chart-spec-partner"' in html and "Per partner" in html


def test_cumulative_indicator_shows_the_running_total(world, client_as):
    make_measures(world)
    html = client_as("viewer").get(_url(world, code="DONE")).content.decode()
    # Each month 2 partners × 2 regions report 10+n(+1): the running total after 6 months.
    total = sum(2 * (10 + n) + 2 * (11 + n) for n in range(6))
    assert f"{total:,} customers" in html


def test_indicator_page_query_count_does_not_grow_with_observations(world, client_as):
    measures = make_measures(world)
    client = client_as("viewer")
    client.get(_url(world))
    with CaptureQueriesContext(connection) as few:
        client.get(_url(world))
    rows = [
        {"indicator": "DAYS", "partner": "Ops Team North", "period": f"2025-{m:02d}", "value": 30}
        for m in range(1, 13)
    ]
    services.assignment_set(
        actor=world.users["backbone"], indicator=measures.days, partner=world.subpartner
    )
    services.observations_upsert(
        actor=world.users["backbone"], initiative=world.initiative, rows=rows, source="api"
    )
    with CaptureQueriesContext(connection) as many:
        client.get(_url(world))
    assert len(many) <= len(few) + 1  # one more reporter row is fine, per-value queries are not
    assert len(many) <= 22


def test_freshness_says_how_late_a_partner_is(world, client_as):
    make_measures(world)
    html = client_as("viewer").get(_url(world)).content.decode()
    assert re.search(r"\d+ days late", html)


def test_story_behind_the_curve_is_shown_beside_the_chart(world, client_as):
    measures = make_measures(world)
    services.narrative_save(
        actor=world.users["lead"],
        indicator=measures.days,
        period="2026-06",
        story="Hand-offs got **faster**.",
        factors="New playbook",
        partners_text="Sales",
        what_works="Joint kick-offs",
        action_plan="Pilot in Q3",
    )
    html = client_as("viewer").get(_url(world), {"period": "2026-06"}).content.decode()
    assert "<strong>faster</strong>" in html
    for heading in ("The story", "Factors", "Partners who could help", "What works", "Action plan"):
        assert heading in html


def test_lead_writes_the_story(world, client_as):
    make_measures(world)
    client = client_as("lead")
    url = _url(world, name="narrative-edit", period="2026-06")
    assert client.get(url).status_code == 200
    response = client.post(url, {"story": "Sales shares notes", "partners": [world.partner.pk]})
    assert response.status_code == 302
    narrative = Narrative.objects.get(indicator__code="DAYS", period="2026-06")
    assert narrative.story == "Sales shares notes"
    assert list(narrative.partners.all()) == [world.partner]
    empty = client.post(_url(world, name="narrative-edit", period="2026-05"), {})
    assert empty.status_code == 200 and "at least one part" in empty.content.decode()


def test_create_indicator_with_help_texts(world, client_as):
    client = client_as("backbone")
    url = reverse("measurement:indicator-create", kwargs={"slug": world.initiative.slug})
    html = client.get(url).content.decode()
    for term in (
        "Population: well-being of a whole population",
        "How much did we do?",
        "percentages are never averaged",
        "running total",
        "(ENROLLED / ELIGIBLE)",
    ):
        assert term in html, term
    response = client.post(
        url,
        {
            "code": "live_rate",
            "name": "Live rate",
            "level": "outcome",
            "rba_question": "better_off",
            "value_type": "percent",
            "decimals": "1",
            "direction": "increase",
            "frequency": "quarter",
            "aggregation": "ratio",
            "breakdown_values": "",
            "min_value": "0",
            "max_value": "100",
        },
    )
    assert response.status_code == 302
    indicator = Indicator.objects.get(initiative=world.initiative, code="LIVE_RATE")
    assert response["Location"].endswith("/measures/LIVE_RATE/reporting/")
    assert indicator.frequency == "quarter" and indicator.max_value == 100


def test_create_refusal_is_shown_next_to_the_field_and_keeps_input(world, client_as):
    make_measures(world)
    client = client_as("backbone")
    url = reverse("measurement:indicator-create", kwargs={"slug": world.initiative.slug})
    response = client.post(
        url,
        {
            "code": "DAYS",
            "name": "Kept name",
            "level": "outcome",
            "rba_question": "how_much",
            "value_type": "number",
            "decimals": "1",
            "direction": "increase",
            "frequency": "month",
            "aggregation": "sum",
            "formula": "",
        },
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert 'id="id_code_error"' in html and "already used" in html
    assert 'value="Kept name"' in html


def test_changing_the_frequency_of_an_indicator_with_data_is_refused_with_a_reason(
    world, client_as
):
    make_measures(world)
    client = client_as("backbone")
    response = client.post(
        _url(world, name="indicator-edit"),
        {
            "name": "Days to go live",
            "level": "outcome",
            "rba_question": "how_well",
            "value_type": "number",
            "decimals": "1",
            "direction": "decrease",
            "frequency": "quarter",
            "aggregation": "mean",
            "unit": "days",
        },
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert 'id="id_frequency_error"' in html
    assert "Cannot change once values are reported." in html
    assert Indicator.objects.get(code="DAYS").frequency == "month"


def test_edit_saves_and_keeps_the_code(world, client_as):
    make_measures(world)
    client = client_as("backbone")
    response = client.post(
        _url(world, name="indicator-edit"),
        {
            "code": "CHANGED",
            "name": "Days from signature to live",
            "level": "outcome",
            "rba_question": "how_well",
            "value_type": "number",
            "decimals": "0",
            "direction": "decrease",
            "frequency": "month",
            "aggregation": "mean",
            "unit": "days",
            "baseline_value": "41",
            "baseline_period": "2025-12",
        },
    )
    assert response.status_code == 302
    indicator = Indicator.objects.get(initiative=world.initiative, code="DAYS")
    assert indicator.name == "Days from signature to live" and indicator.decimals == 0


def test_targets_editor_sets_and_removes_targets(world, client_as):
    measures = make_measures(world)
    client = client_as("backbone")
    url = _url(world, name="target-list")
    response = client.post(url, {"period": "2027-06", "value": "10", "partner": world.partner.pk})
    assert response.status_code == 302
    target = Target.objects.get(indicator=measures.days, period="2027-06")
    assert target.partner == world.partner
    bad = client.post(url, {"period": "2027-Q2", "value": "10"})
    assert bad.status_code == 200 and "per month" in bad.content.decode()
    client.post(_url(world, name="target-delete", pk=target.pk))
    assert not Target.objects.filter(pk=target.pk).exists()


def test_duties_editor_assigns_and_removes_partners(world, client_as):
    measures = make_measures(world)
    client = client_as("backbone")
    url = _url(world, name="assignment-list")
    response = client.post(
        url,
        {
            "partner": world.subpartner.pk,
            "due_days": "20",
            "starts_period": "2026-01",
            "active": "on",
        },
    )
    assert response.status_code == 302
    assignment = ReportingAssignment.objects.get(indicator=measures.days, partner=world.subpartner)
    assert assignment.due_days == 20 and assignment.starts_period == "2026-01"
    html = client.get(url).content.decode()
    assert "Ops Team North" in html
    client.post(_url(world, name="assignment-delete", pk=assignment.pk))
    assert not ReportingAssignment.objects.filter(pk=assignment.pk).exists()


def test_archive_asks_once_then_hides_the_indicator(world, client_as):
    make_measures(world)
    client = client_as("backbone")
    url = _url(world, name="indicator-archive")
    assert "Archive the indicator" in client.get(url).content.decode()
    assert client.post(url).status_code == 302
    assert Indicator.objects.get(code="DAYS").archived
    dashboard = client.get(reverse("measurement:index", kwargs={"slug": world.initiative.slug}))
    assert "Days to go live" not in dashboard.content.decode()


def test_public_indicator_page_is_readable_anonymously(world, client):
    measures = make_measures(world)
    core_services.initiative_update(
        actor=world.users["backbone"], initiative=world.initiative, visibility="public"
    )
    url = _url(world, name="indicator-public")
    assert client.get(url).status_code == 404  # not marked public yet
    services.indicator_update(
        actor=world.users["backbone"], indicator=measures.days, is_public=True
    )
    response = client.get(url)
    html = response.content.decode()
    assert response.status_code == 200
    assert "Days to go live" in html and _spec(html)
    assert "Who reports" not in html  # the public page shows the measure, not the reporting
    # Each partner's own numbers stay with the members.
    assert "Per partner" not in html
    per_partner = client.get(url, {"by": "partner"}).content.decode()
    assert '"kind": "Actual", "series": "All partners"' in per_partner


def test_computed_indicator_shows_its_formula_and_inputs(world, client_as):
    make_measures(world)
    services.indicator_create(
        actor=world.users["backbone"],
        initiative=world.initiative,
        code="SPEED",
        name="Speed",
        formula="DONE / DAYS",
    )
    html = client_as("viewer").get(_url(world, code="SPEED")).content.decode()
    assert "How it is computed" in html and "<code>DONE / DAYS</code>" in html
    assert "Customers onboarded" in html and "Days to go live" in html
    assert "No partner reports this measure yet" not in html
