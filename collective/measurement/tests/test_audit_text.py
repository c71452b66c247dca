"""The audit log in sentences (core/audit_text.py, measurement/audit_text.py; issue 10 item 7)."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from collective.measurement.tests.helpers import save_value

pytestmark = pytest.mark.django_db


def _log(client) -> str:
    html = client.get(reverse("core:audit-log", kwargs={"slug": "acme"})).content.decode()
    return re.sub(r"\s+", " ", html)


def test_a_changed_value_reads_as_a_sentence_with_old_and_new(world, bb, make_indicator, client):
    from collective.measurement import services

    days = make_indicator("DAYS", name="Days to live", unit="days")
    services.assignment_set(actor=bb, indicator=days, partner=world.partner)
    lead = world.users["lead"]
    lead.display_name = "Cora"
    lead.save(update_fields=["display_name"])
    save_value(actor=lead, indicator=days, partner=world.partner, period="2026-11", value="21.1")
    save_value(actor=lead, indicator=days, partner=world.partner, period="2026-11", value="36")
    client.force_login(bb)
    text = _log(client)
    assert "Cora changed <em>Days to live</em> for Operations, Nov 2026: 21.1 → 36" in text
    assert "Cora entered <em>Days to live</em> for Operations, Nov 2026: 21.1" in text


def test_a_bulk_save_expands_to_its_values(world, bb, make_indicator, client):
    from collective.measurement import services

    days = make_indicator("DAYS", name="Days to live", unit="days")
    services.assignment_set(actor=bb, indicator=days, partner=world.partner)
    services.assignment_set(actor=bb, indicator=days, partner=world.other_partner)
    services.observations_upsert(
        actor=bb,
        initiative=world.initiative,
        source="import",
        rows=[
            {"indicator": "DAYS", "partner": "Operations", "period": "2026-10", "value": 18},
            {"indicator": "DAYS", "partner": "Sales", "period": "2026-10", "value": 1234},
        ],
    )
    client.force_login(bb)
    text = _log(client)
    assert "imported 2 values (2 new, 0 changed, 0 unchanged)" in text
    assert "<em>Days to live</em> for Operations, Oct 2026: 18" in text
    assert "<em>Days to live</em> for Sales, Oct 2026: 1,234" in text


def test_other_entries_name_fields_as_people_do(world, bb, client):
    from collective.core import services as core_services

    core_services.initiative_update(
        actor=bb, initiative=world.initiative, review_observations=True, stage="late"
    )
    client.force_login(bb)
    text = _log(client)
    assert "updated the initiative <em>Acme Change</em>" in text
    assert 'Review observations:</span> <del aria-label="was">no</del>' in text
    assert "review_observations" not in text
