"""The measures dashboard: empty state, actions by role, filters, htmx partial, query counts,
the overview card and the search provider."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from collective.measurement import services
from collective.measurement.tests.helpers import save_value
from collective.measurement.tests.pages_data import make_measures

pytestmark = pytest.mark.django_db


def _url(world):
    return reverse("measurement:index", kwargs={"slug": world.initiative.slug})


def test_empty_dashboard_teaches_and_offers_the_first_indicator(world, client_as):
    html = client_as("backbone").get(_url(world)).content.decode()
    assert "Agree on what success looks like, and track it together" in html
    assert "keep data visible and transparent" in html
    assert "Add the first indicator" in html
    viewer_html = client_as("viewer").get(_url(world)).content.decode()
    assert "Add the first indicator" not in viewer_html


@pytest.mark.parametrize(
    ("role", "present", "absent"),
    [
        ("backbone", ["New indicator", "Import data", "My reporting", "Completeness"], []),
        ("contributor", ["Enter data", "Import data", "My reporting"], ["New indicator"]),
        ("viewer", ["My reporting", "Completeness"], ["New indicator", "Enter data", "Import"]),
    ],
)
def test_actions_by_role(role, present, absent, world, client_as):
    make_measures(world)
    html = client_as(role).get(_url(world)).content.decode()
    for text in present:
        assert text in html, text
    for text in absent:
        assert text not in html, text


def test_rows_show_formatted_values_targets_status_and_sparkline(world, client_as):
    make_measures(world)
    html = client_as("viewer").get(_url(world)).content.decode()
    # DAYS: mean of 25 and 29 days in 2026-06; target 14 days by 2026-12 (shown as labels).
    assert "27 days" in html
    assert "14 days" in html and "by Dec 2026" in html
    # RATE: ratio of summed numerators and denominators, shown as a percent with one decimal.
    assert "50.0%" in html
    assert 'class="sparkline"' in html
    assert "status status-" in html and "bi bi-" in html  # icon and word, not colour alone


def test_status_and_level_filters(world, client_as):
    make_measures(world)
    client = client_as("viewer")
    outputs = client.get(_url(world), {"level": "output"}).content.decode()
    assert "Customers onboarded" in outputs and "Days to go live" not in outputs
    statuses = {
        status: client.get(_url(world), {"status": status}).content.decode()
        for status in ("on_track", "at_risk", "off_track", "no_data")
    }
    # Every indicator appears under exactly one status.
    for name in ("Days to go live", "Customers onboarded", "Live within 14 days"):
        assert sum(name in html for html in statuses.values()) == 1, name


def test_partner_and_outcome_filters(world, client_as):
    from collective.agenda.models import Outcome

    measures = make_measures(world)
    outcome = Outcome.objects.create(initiative=world.initiative, title="Customers live fast")
    services.indicator_update(
        actor=world.users["backbone"], indicator=measures.days, outcomes=[outcome]
    )
    client = client_as("viewer")
    html = client.get(_url(world), {"outcome": outcome.pk}).content.decode()
    assert "Days to go live" in html and "Customers onboarded" not in html
    html = client.get(_url(world), {"partner": str(world.subpartner.uid)}).content.decode()
    assert "No indicator matches these filters" in html


def test_search_sort_and_group(world, client_as):
    make_measures(world)
    client = client_as("viewer")
    html = client.get(_url(world), {"q": "live"}).content.decode()
    assert "Live within 14 days" in html and "Customers onboarded" not in html
    grouped = client.get(_url(world), {"group": "level"}).content.decode()
    assert grouped.index("Outcome — a change") < grouped.index("Output — what the partners")
    by_name = client.get(_url(world), {"sort": "name"}).content.decode()
    assert by_name.index("Customers onboarded") < by_name.index("Days to go live")


def test_htmx_request_gets_only_the_table(world, client_as):
    make_measures(world)
    response = client_as("viewer").get(
        _url(world), {"level": "outcome"}, headers={"HX-Request": "true"}
    )
    html = response.content.decode()
    assert "<html" not in html and "<table" in html
    assert "Days to go live" in html and "Customers onboarded" not in html


def _add_indicators(world, n):
    bb = world.users["backbone"]
    for i in range(n):
        indicator = services.indicator_create(
            actor=bb, initiative=world.initiative, code=f"EXTRA{i}", name=f"Extra {i}"
        )
        services.assignment_set(actor=bb, indicator=indicator, partner=world.partner)
        save_value(
            actor=bb, indicator=indicator, partner=world.partner, period="2026-03", value=i + 1
        )


def test_dashboard_query_count_is_constant_in_the_number_of_indicators(world, client_as):
    make_measures(world)
    client = client_as("viewer")
    client.get(_url(world))  # warm the session and membership caches
    with CaptureQueriesContext(connection) as few:
        assert client.get(_url(world)).status_code == 200
    _add_indicators(world, 12)
    with CaptureQueriesContext(connection) as many:
        assert client.get(_url(world)).status_code == 200
    assert len(many) == len(few), [q["sql"] for q in many.captured_queries]
    assert len(many) <= 14
    # The dashboard reads statuses, never raw observations.
    assert not any("measurement_observation" in q["sql"] for q in many.captured_queries)


def test_dashboard_query_count_with_filters(world, client_as, django_assert_max_num_queries):
    make_measures(world)
    _add_indicators(world, 5)
    client = client_as("viewer")
    with django_assert_max_num_queries(14):
        response = client.get(
            _url(world), {"status": "off_track", "level": "outcome", "sort": "status"}
        )
    assert response.status_code == 200


def test_overview_card_shows_status_figures_and_next_step(world, client_as):
    make_measures(world)
    html = (
        client_as("contributor")
        .get(reverse("core:initiative-overview", kwargs={"slug": world.initiative.slug}))
        .content.decode()
    )
    assert "on track" in html and "values overdue" in html
    from collective.core.conditions import summaries

    summary = dict(summaries(world.initiative, world.users["backbone"]))
    card = next(s for c, s in summary.items() if c.key == "measurement")
    assert card.started and card.figures[0][0] == "on track"
    assert card.figures[0][1].endswith("/3")


def test_overview_card_of_an_empty_initiative_asks_for_the_first_indicator(world):
    from collective.core.conditions import summaries

    card = next(
        s for c, s in summaries(world.initiative, world.users["backbone"]) if c.key == "measurement"
    )
    assert card.next_step[0] == "Add the first indicator"


def test_search_finds_indicators_for_members(world, client_as):
    make_measures(world)
    response = client_as("viewer").get(
        reverse("core:search", kwargs={"slug": world.initiative.slug}), {"q": "onboarded"}
    )
    assert "Customers onboarded (DONE)" in response.content.decode()


def test_a_very_long_partner_list_offers_the_top_level_and_the_chosen_one(
    world, client_as, monkeypatch
):
    from collective.measurement.filters import DashboardFilter

    make_measures(world)
    monkeypatch.setattr(DashboardFilter, "MAX_PARTNER_CHOICES", 2)
    client = client_as("viewer")
    choices = dict(client.get(_url(world)).context["form"].fields["partner"].choices)
    assert str(world.subpartner.uid) not in choices  # below the top level
    assert str(world.partner.uid) in choices and str(world.other_partner.uid) in choices
    response = client.get(_url(world), {"partner": str(world.subpartner.uid)})
    choices = dict(response.context["form"].fields["partner"].choices)
    assert str(world.subpartner.uid) in choices
    assert "No indicator matches these filters" in response.content.decode()
