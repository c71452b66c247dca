"""The admin shows measurement data to superusers, read-only."""

from __future__ import annotations

import pytest
from django.urls import reverse

from collective.measurement.tests.helpers import save_value

MODELS = [
    "indicator", "target", "reportingassignment", "observation", "observationhistory",
    "rollup", "indicatorstatus", "narrative", "importjob",
]  # fmt: skip


@pytest.mark.parametrize("model", MODELS)
def test_admin_lists_are_read_only(model, world, bb, make_indicator, client):

    people = make_indicator("PEOPLE")
    save_value(actor=bb, indicator=people, partner=world.partner, period="2025-01", value=1)
    bb.is_staff = bb.is_superuser = True
    bb.save()
    client.force_login(bb)
    response = client.get(reverse(f"admin:measurement_{model}_changelist"))
    assert response.status_code == 200
    assert client.get(reverse(f"admin:measurement_{model}_add")).status_code == 403
