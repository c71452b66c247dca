"""Shared fixtures: a small initiative with one person in every role, and one outsider.

The clock: `--today=YYYY-MM-DD` (or `COLLECTIVE_TEST_TODAY=...`) runs the whole session with
the clock set to that day (10:00 UTC, or the time given as `YYYY-MM-DDTHH:MM`), moving
forward from there, in every process and thread (the live server's too), so the suite can be
proven on any date: `make test-dates` runs it on a month start, a month end and a leap day.
A test whose expectations depend on the demo's dates says which day it was written for with
`@pytest.mark.today("2026-05-15")`.
"""

from __future__ import annotations

import datetime
import os
from dataclasses import dataclass, field

import pytest
import time_machine

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


def _moment(text: str) -> datetime.datetime:
    """A day ("2028-02-29", at 10:00) or a moment ("2026-12-31T23:30"), in UTC."""
    try:
        value = datetime.datetime.fromisoformat(text)
    except ValueError as exc:
        raise pytest.UsageError(f"Not a date: {text!r} (use YYYY-MM-DD).") from exc
    if len(text) == 10:
        value = value.replace(hour=10)
    return value.replace(tzinfo=datetime.UTC) if value.tzinfo is None else value


def pytest_addoption(parser):
    parser.addoption(
        "--today",
        default=os.environ.get("COLLECTIVE_TEST_TODAY") or None,
        help="Run the session with the clock at this date (YYYY-MM-DD[THH:MM], UTC); "
        "the clock moves on from there. Default: $COLLECTIVE_TEST_TODAY, else the real date.",
    )


def pytest_configure(config):
    config.addinivalue_line(
        "markers",
        "today(date): run this test with the clock at this date (YYYY-MM-DD), moving forward",
    )
    today = config.getoption("--today")
    if today:
        # tick=True: time goes on (sessions, timeouts and "an hour ago" keep working).
        config._collective_clock = time_machine.travel(_moment(today), tick=True)
        config._collective_clock.start()


def pytest_unconfigure(config):
    clock = getattr(config, "_collective_clock", None)
    if clock is not None:
        clock.stop()


def pytest_report_header(config):
    today = config.getoption("--today")
    return f"clock: {_moment(today).isoformat()} (frozen, ticking)" if today else None


@pytest.fixture(autouse=True)
def _today(request):
    """Tests marked `@pytest.mark.today("YYYY-MM-DD")` run on that day."""
    marker = request.node.get_closest_marker("today")
    if marker is None:
        yield
        return
    with time_machine.travel(_moment(marker.args[0]), tick=True):
        yield


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
