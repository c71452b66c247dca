"""Fixtures of the shared-measurement tests: indicators of every kind on the `world` tree."""

from __future__ import annotations

import pytest


@pytest.fixture
def bb(world):
    return world.users["backbone"]


@pytest.fixture
def make_indicator(world, bb):
    from collective.measurement import services

    def make(code="PEOPLE", **fields):
        fields.setdefault("name", code.title())
        return services.indicator_create(actor=bb, initiative=world.initiative, code=code, **fields)

    return make


@pytest.fixture
def people(make_indicator):
    """A monthly indicator summed across partners."""
    return make_indicator("PEOPLE", name="People helped", unit="people")
