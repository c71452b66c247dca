"""Roll-ups follow changes made in the core: a partner moving, review switched on or off."""

from __future__ import annotations

import pytest

from collective.core import services as core_services
from collective.measurement.models import Rollup
from collective.measurement.tests.helpers import save_value

pytestmark = pytest.mark.django_db


def _collective_and_scopes(indicator, period):
    return dict(
        Rollup.objects.filter(indicator=indicator, period=period, breakdown="").values_list(
            "scope_id", "value"
        )
    )


def test_moving_a_partner_recomputes_subtree_rollups(
    world, bb, make_indicator, django_capture_on_commit_callbacks
):
    people = make_indicator("PEOPLE")
    save_value(actor=bb, indicator=people, partner=world.subpartner, period="2024-01", value=3)
    assert _collective_and_scopes(people, "2024-01")[world.partner.pk] == 3
    with django_capture_on_commit_callbacks(execute=True):
        core_services.partner_update(actor=bb, partner=world.subpartner, parent=world.other_partner)
    values = _collective_and_scopes(people, "2024-01")
    assert values[world.other_partner.pk] == 3
    assert values[None] == 3
    assert world.partner.pk not in values


def test_switching_review_recomputes_what_counts(
    world, bb, make_indicator, django_capture_on_commit_callbacks
):
    people = make_indicator("PEOPLE")
    contributor = world.users["contributor"]
    with django_capture_on_commit_callbacks(execute=True):
        core_services.initiative_update(
            actor=bb, initiative=world.initiative, review_observations=True
        )
    save_value(
        actor=contributor, indicator=people, partner=world.partner, period="2024-01", value=5
    )
    assert _collective_and_scopes(people, "2024-01").get(None) in (None, 0)
    with django_capture_on_commit_callbacks(execute=True):
        core_services.initiative_update(
            actor=bb, initiative=world.initiative, review_observations=False
        )
    assert _collective_and_scopes(people, "2024-01")[None] == 5
