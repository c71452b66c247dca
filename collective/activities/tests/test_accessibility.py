"""Every page of activities has one h1, a main landmark and a label for every field."""

from __future__ import annotations

import pytest

from collective.activities import services
from collective.core.tests.test_accessibility import PageAudit

from .helpers import basic, indicator


@pytest.fixture
def pages(world):
    data = basic(world)
    indicator(world, "HANDOFF_DAYS", outcome=data["outcomes"][1])
    services.capabilities_add_defaults(actor=None, initiative=world.initiative)
    survey = services.round_open(actor=None, initiative=world.initiative, title="Spring")
    base = f"/i/{world.initiative.slug}/activities/"
    ops, claim = data["ops_activity"], data["sales_claim"]
    return [
        base,
        base + "new/",
        ops.get_absolute_url(),
        f"{base}a/{ops.uid}/edit/",
        f"{base}a/{ops.uid}/claims/new/",
        f"{base}claims/{claim.uid}/review/",
        base + "alignment/",
        base + "alignment/?view=table",
        base + "gaps/",
        f"{base}gaps/?leaves={world.partner.uid}",
        base + "overlaps/",
        base + "network/",
        base + "network/?view=survey",
        base + "map/",
        f"{base}outcomes/{data['outcomes'][1].uid}/",
        base + "timeline/",
        base + "strengths/",
        f"{base}strengths/rate/?partner={world.partner.uid}",
        base + "surveys/",
        base + "surveys/new/",
        survey.get_absolute_url(),
        f"{base}surveys/{survey.uid}/answer/?partner={world.partner.uid}",
    ]


def test_pages_have_one_h1_a_main_landmark_and_labelled_fields(world, client, pages):
    client.force_login(world.users["backbone"])
    for url in pages:
        response = client.get(url)
        assert response.status_code == 200, url
        audit = PageAudit()
        audit.feed(response.content.decode())
        assert audit.h1 == 1, f"{url}: {audit.h1} h1"
        assert "main" in audit.tags, url
        assert not audit.unlabelled(), f"{url}: fields without a label {audit.unlabelled()}"
        assert not audit.images_without_alt, url
