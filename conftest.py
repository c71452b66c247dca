"""Shared fixtures: a small initiative with one person in every role, and one outsider."""

from __future__ import annotations

import os
from dataclasses import dataclass, field

import pytest

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

ROLES = ["anonymous", "outsider", "viewer", "contributor", "lead", "backbone"]


@dataclass
class World:
    initiative: object
    other: object
    partner: object
    subpartner: object
    other_partner: object
    users: dict = field(default_factory=dict)
    extra: dict = field(default_factory=dict)


@pytest.fixture
def world(db):
    from collective.core.choices import Role
    from tests.factories import UserFactory, add_member, make_initiative, make_partner

    backbone = UserFactory(username="bb", display_name="Bea Backbone")
    initiative = make_initiative(backbone, name="Acme Change", slug="acme")
    partner = make_partner(initiative, "Operations", actor=backbone)
    subpartner = make_partner(initiative, "Ops Team North", parent=partner, actor=backbone)
    other_partner = make_partner(initiative, "Sales", actor=backbone)
    users = {"backbone": backbone}
    users["lead"] = add_member(
        initiative, UserFactory(username="ld"), role=Role.PARTNER_LEAD, partner=partner
    )
    users["contributor"] = add_member(
        initiative, UserFactory(username="ct"), role=Role.CONTRIBUTOR, partner=partner
    )
    users["viewer"] = add_member(initiative, UserFactory(username="vw"), role=Role.VIEWER)
    outsider = UserFactory(username="os")
    other = make_initiative(outsider, name="Other Initiative", slug="other")
    users["outsider"] = outsider
    return World(
        initiative=initiative,
        other=other,
        partner=partner,
        subpartner=subpartner,
        other_partner=other_partner,
        users=users,
    )


@pytest.fixture
def client_as(client, world):
    """client_as(role) -> a Django test client signed in as that role (or anonymous)."""

    def make(role: str):
        if role != "anonymous":
            client.force_login(world.users[role])
        return client

    return make


@pytest.fixture
def api_as(world):
    from rest_framework.test import APIClient

    def make(role: str):
        api = APIClient()
        if role != "anonymous":
            api.force_authenticate(world.users[role])
        return api

    return make


@pytest.fixture(autouse=True)
def _fresh_rate_limits():
    """Request counts of the throttles live in the cache: each test starts from none, so the
    real limits apply within a test and never leak into the next one."""
    from django.core.cache import cache

    cache.clear()
