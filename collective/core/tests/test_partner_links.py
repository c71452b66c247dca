"""The partner page's plug-in point: each condition app may link what it holds about a partner."""

from __future__ import annotations

import pytest
from django.urls import reverse

from collective.core import conditions
from collective.core.conditions import Condition, PartnerLink

pytestmark = pytest.mark.django_db

FAKE = Condition(
    key="fake",
    number=9,
    title="Fake condition",
    nav_label="Fake",
    icon="star",
    url_prefix="fake",
    purpose="",
    tip="",
    partner_links="collective.core.tests.test_partner_links.fake_links",
)
SILENT = Condition(
    key="silent",
    number=10,
    title="Silent condition",
    nav_label="Silent",
    icon="moon",
    url_prefix="silent",
    purpose="",
    tip="",
    partner_links="collective.core.tests.test_partner_links.no_links",
)
PLAIN = Condition(
    key="plain", number=11, title="Plain", nav_label="Plain", icon="x", url_prefix="plain",
    purpose="", tip="",
)  # fmt: skip


def fake_links(partner, user):
    return [
        ("Its things", f"/things/{partner.uid}/", "box"),  # a plain tuple is enough
        PartnerLink("Its log", "/log/", note=f"seen by {user.username}"),
    ]


def no_links(partner, user):
    return []


@pytest.fixture
def fake_registry(monkeypatch):
    # Only the links: the navigation still reads the real registry.
    monkeypatch.setattr(conditions, "linking_conditions", lambda: [FAKE, SILENT])


def test_only_conditions_with_a_provider_are_asked(monkeypatch):
    monkeypatch.setattr(conditions, "conditions", lambda: [FAKE, SILENT, PLAIN])
    assert conditions.linking_conditions() == [FAKE, SILENT]


def test_links_come_from_each_condition_that_has_some(fake_registry, world):
    found = conditions.partner_links(world.partner, world.users["viewer"])
    assert found == [
        (
            FAKE,
            [
                PartnerLink("Its things", f"/things/{world.partner.uid}/", "box", ""),
                PartnerLink("Its log", "/log/", "", "seen by vw"),
            ],
        )
    ]


def test_partner_page_shows_the_links(fake_registry, client_as, world):
    url = reverse("core:partner-detail", kwargs={"slug": "acme", "uid": world.partner.uid})
    html = client_as("viewer").get(url).content.decode()
    assert "Operations in the initiative" in html
    assert "Fake condition" in html and "Silent condition" not in html
    assert f'href="/things/{world.partner.uid}/"' in html
    assert "seen by vw" in html


def test_partner_page_without_links_has_no_empty_card(monkeypatch, client_as, world):
    monkeypatch.setattr(conditions, "linking_conditions", lambda: [SILENT])
    url = reverse("core:partner-detail", kwargs={"slug": "acme", "uid": world.partner.uid})
    assert "in the initiative" not in client_as("viewer").get(url).content.decode()
