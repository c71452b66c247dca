"""The data entry grid: one atomic save, errors per cell with the typed values kept, "same as
last period", inline validation, the own-partner rule; review; value history."""

from __future__ import annotations

import pytest
from django.urls import reverse

from collective.core import services as core_services
from collective.measurement.models import Observation
from collective.measurement.tests.helpers import save_value
from collective.measurement.tests.pages_data import make_measures

pytestmark = pytest.mark.django_db


def _grid(world):
    return reverse("measurement:grid", kwargs={"slug": world.initiative.slug})


def _keys(response) -> dict[tuple[str, str], str]:
    """(indicator code, breakdown) -> the grid key of the row."""
    return {
        (row["indicator"].code, row["breakdown"]): row["key"] for row in response.context["rows"]
    }


def test_grid_lists_the_partners_indicators_times_breakdown_values(world, client_as):
    make_measures(world)
    response = client_as("contributor").get(_grid(world), {"period": "2026-07"})
    assert response.status_code == 200
    assert response.context["partner"] == world.partner
    assert set(_keys(response)) == {
        ("DAYS", ""),
        ("DONE", "North"),
        ("DONE", "South"),
        ("RATE", ""),
    }
    html = response.content.decode()
    # Every input has a label; the ratio asks for its numerator and denominator.
    assert html.count('class="visually-hidden" for="value-') == 3
    assert 'name="numerator-' in html and 'name="denominator-' in html
    assert "Same as last period" in html
    assert 'hx-post="/i/acme/measures/enter/check/"' in html


def test_default_period_is_the_latest_one_due(world, client_as):
    make_measures(world)
    response = client_as("contributor").get(_grid(world))
    period = response.context["period"]
    states = {c["code"]: c["state"] for c in response.context["period_choices"]}
    assert states[period] in ("overdue", "due")
    later = [code for code, state in states.items() if code > period]
    assert all(states[code] not in ("overdue", "due") for code in later)


def test_save_writes_every_value_at_once(world, client_as):
    make_measures(world)
    client = client_as("contributor")
    keys = _keys(client.get(_grid(world), {"period": "2026-07"}))
    response = client.post(
        f"{_grid(world)}?partner={world.partner.uid}&period=2026-07",
        {
            "partner": str(world.partner.uid),
            "period": "2026-07",
            f"value-{keys['DAYS', '']}": "21",
            f"note-{keys['DAYS', '']}": "New playbook",
            f"value-{keys['DONE', 'North']}": "1,200",
            f"numerator-{keys['RATE', '']}": "9",
            f"denominator-{keys['RATE', '']}": "20",
        },
    )
    assert response.status_code == 302
    saved = Observation.objects.filter(partner=world.partner, period="2026-07")
    assert {(o.indicator.code, o.breakdown): o.value for o in saved} == {
        ("DAYS", ""): 21,
        ("DONE", "North"): 1200,
        ("RATE", ""): 45,
    }
    assert saved.get(indicator__code="DAYS").note == "New playbook"
    assert saved.get(indicator__code="DAYS").source == "form"
    follow = client.get(response["Location"])
    assert "Saved: 3 new." in follow.content.decode()


def test_one_bad_cell_saves_nothing_and_keeps_what_was_typed(world, client_as):
    make_measures(world)
    client = client_as("contributor")
    keys = _keys(client.get(_grid(world), {"period": "2026-07"}))
    response = client.post(
        _grid(world),
        {
            "partner": str(world.partner.uid),
            "period": "2026-07",
            f"value-{keys['DAYS', '']}": "500",  # above the valid range (0 to 365)
            f"value-{keys['DONE', 'North']}": "12",
            f"value-{keys['DONE', 'South']}": "twelve",
        },
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert "Nothing was saved" in html
    assert "above the highest valid value" in html
    assert "&#x27;twelve&#x27; is not a number." in html
    assert 'value="twelve"' in html and 'value="12"' in html and 'value="500"' in html
    assert html.count('aria-invalid="true"') == 2
    assert not Observation.objects.filter(period="2026-07").exists()


def test_same_as_last_period_without_javascript(world, client_as):
    make_measures(world)
    client = client_as("contributor")
    keys = _keys(client.get(_grid(world), {"period": "2026-07"}))
    response = client.post(
        _grid(world), {"partner": str(world.partner.uid), "period": "2026-07", "fill": "all"}
    )
    assert response.status_code == 200
    html = response.content.decode()
    # June's values are copied into the empty cells (not saved yet), with a note.
    assert f'id="value-{keys["DAYS", ""]}" name="value-{keys["DAYS", ""]}"' in html
    assert 'value="25"' in html  # DAYS of Operations in June: 40 - 3*5
    assert "Unchanged since last period." in html
    assert not Observation.objects.filter(period="2026-07").exists()
    saved = client.post(
        _grid(world),
        {
            "partner": str(world.partner.uid),
            "period": "2026-07",
            f"value-{keys['DAYS', '']}": "25",
            f"note-{keys['DAYS', '']}": "Unchanged",
        },
    )
    assert saved.status_code == 302


def test_contributor_enters_only_for_their_own_partner(world, client_as):
    make_measures(world)
    client = client_as("contributor")
    assert client.get(_grid(world), {"partner": str(world.other_partner.uid)}).status_code == 403
    response = client.post(
        _grid(world),
        {"partner": str(world.other_partner.uid), "period": "2026-07", "value-1-0": "3"},
    )
    assert response.status_code == 403
    # A sub-partner is within the contributor's branch.
    assert client.get(_grid(world), {"partner": str(world.subpartner.uid)}).status_code == 200


def test_backbone_enters_for_any_partner(world, client_as):
    make_measures(world)
    response = client_as("backbone").get(_grid(world), {"partner": str(world.other_partner.uid)})
    assert response.status_code == 200 and response.context["partner"] == world.other_partner


def test_inline_check_explains_a_bad_value(world, client_as):
    make_measures(world)
    client = client_as("contributor")
    url = reverse("measurement:grid-check", kwargs={"slug": world.initiative.slug})
    base = {"partner": str(world.partner.uid), "period": "2026-07", "indicator": "DAYS", "key": "k"}
    bad = client.post(url, {**base, "value-k": "-3"}, headers={"HX-Request": "true"})
    assert bad.status_code == 200 and "below the lowest valid value" in bad.content.decode()
    good = client.post(url, {**base, "value-k": "12"}, headers={"HX-Request": "true"})
    assert "grid-ok" in good.content.decode() and "grid-problem" not in good.content.decode()
    other = client.post(url, {**base, "partner": str(world.other_partner.uid), "value-k": "1"})
    assert other.status_code == 403


def test_review_flow_submit_return_and_approve(world, client_as):
    measures = make_measures(world)
    core_services.initiative_update(
        actor=world.users["backbone"], initiative=world.initiative, review_observations=True
    )
    contributor = client_as("contributor")
    keys = _keys(contributor.get(_grid(world), {"period": "2026-07"}))
    contributor.post(
        _grid(world),
        {"partner": str(world.partner.uid), "period": "2026-07", f"value-{keys['DAYS', '']}": "22"},
    )
    observation = Observation.objects.get(indicator=measures.days, period="2026-07")
    assert observation.status == "submitted"
    backbone = client_as("backbone")
    queue = backbone.get(reverse("measurement:review-queue", kwargs={"slug": "acme"}))
    assert observation.indicator.code in queue.content.decode()
    review_url = reverse(
        "measurement:observation-review", kwargs={"slug": "acme", "uid": observation.uid}
    )
    backbone.post(review_url, {"decision": "return", "comment": ""})
    observation.refresh_from_db()
    assert observation.status == "submitted"  # a return needs a comment
    backbone.post(review_url, {"decision": "return", "comment": "Use calendar days"})
    observation.refresh_from_db()
    assert observation.status == "returned"
    contributor.force_login(world.users["contributor"])
    reporting = contributor.get(reverse("measurement:my-reporting", kwargs={"slug": "acme"}))
    assert "Use calendar days" in reporting.content.decode()
    backbone.force_login(world.users["backbone"])  # client_as shares one client
    backbone.post(review_url, {"decision": "approve", "next": "queue"})
    observation.refresh_from_db()
    assert observation.status == "approved"


def test_history_of_a_value(world, client_as):
    measures = make_measures(world)
    bb = world.users["backbone"]
    save_value(
        actor=bb,
        indicator=measures.days,
        partner=world.partner,
        period="2026-06",
        value=24,
        note="Corrected",
    )
    observation = Observation.objects.get(
        indicator=measures.days, partner=world.partner, period="2026-06"
    )
    url = reverse("measurement:observation-detail", kwargs={"slug": "acme", "uid": observation.uid})
    html = client_as("viewer").get(url).content.decode()
    assert "Corrected" in html and "24 days" in html and "25 days" in html
    partial = client_as("viewer").get(url, headers={"HX-Request": "true"}).content.decode()
    assert "<html" not in partial and "Corrected" in partial


def test_contributor_deletes_an_own_value_after_confirming(world, client_as):
    measures = make_measures(world)
    observation = Observation.objects.filter(indicator=measures.days, partner=world.partner).first()
    client = client_as("contributor")
    url = reverse("measurement:observation-delete", kwargs={"slug": "acme", "uid": observation.uid})
    assert "Delete the value" in client.get(url).content.decode()
    assert client.post(url).status_code == 302
    assert not Observation.objects.filter(pk=observation.pk).exists()
