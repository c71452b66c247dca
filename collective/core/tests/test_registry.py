"""The registry of condition apps: every condition app is in it, and everything reads it."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
from django.apps import apps
from django.urls import get_resolver, reverse

from collective.core import conditions
from collective.core.conditions import Condition, registry

COLLECTIVE = Path(conditions.__file__).resolve().parents[1]
# Apps of the platform that are not conditions of collective impact.
NOT_CONDITIONS = {"collective.core", "collective.api"}
FRAMEWORK = ["agenda", "measurement", "activities", "communication", "backbone"]


def _platform_apps():
    return [c for c in apps.get_app_configs() if c.name.startswith("collective.")]


def test_every_platform_app_but_core_and_api_is_a_registered_condition():
    registered = {r.config.name for r in registry()}
    missing = [c.name for c in _platform_apps() if c.name not in NOT_CONDITIONS | registered]
    assert not missing, f"Apps that are not in the registry of condition apps: {missing}"


def test_the_five_conditions_are_registered_in_the_frameworks_order():
    found = [c.key for c in conditions.conditions()]
    assert found == FRAMEWORK
    assert [c.number for c in conditions.conditions()] == [1, 2, 3, 4, 5]
    prefixes = [c.url_prefix for c in conditions.conditions()]
    assert len(set(prefixes)) == len(prefixes)


def test_a_condition_app_missing_from_the_registry_is_noticed(monkeypatch):
    config = apps.get_app_config("activities")
    monkeypatch.delattr(type(config), "condition")
    assert "activities" not in [c.key for c in conditions.conditions()]
    with pytest.raises(AssertionError, match=r"collective\.activities"):
        test_every_platform_app_but_core_and_api_is_a_registered_condition()
    with pytest.raises(LookupError):
        conditions.condition("activities")


def test_a_new_condition_app_is_found_without_editing_the_core(monkeypatch):
    config = apps.get_app_config("backbone")
    renamed = Condition(**{**config.condition.__dict__, "nav_label": "Console"})
    monkeypatch.setattr(type(config), "condition", renamed)
    assert conditions.condition("backbone").nav_label == "Console"


def test_every_condition_mounts_its_pages_and_api(world):
    slug = world.initiative.slug
    for r in registry():
        assert reverse(r.condition.url_name, kwargs={"slug": slug}) == (
            f"/i/{slug}/{r.condition.url_prefix}/"
        )
        api = r.module("api")
        for pattern in getattr(api, "initiative_urlpatterns", []) if api else []:
            if pattern.name:
                assert f"api:{pattern.name}" in _api_names()


def _api_names():
    names = set()

    def walk(patterns, ns=""):
        for p in patterns:
            if hasattr(p, "url_patterns"):
                walk(p.url_patterns, p.namespace or ns)
            elif p.name:
                names.add(f"{ns}:{p.name}")

    walk(get_resolver().url_patterns)
    return names


@pytest.mark.django_db
def test_navigation_and_overview_list_every_registered_condition(client_as, world):
    client = client_as("viewer")
    html = client.get(reverse("core:initiative-overview", kwargs={"slug": "acme"})).content
    html = html.decode()
    for c in conditions.conditions():
        url = reverse(c.url_name, kwargs={"slug": "acme"})
        assert html.count(f'href="{url}"') >= 2, c.key  # side navigation and overview card
        assert c.title in html


def test_the_core_does_not_import_the_api_app():
    offenders = []
    for path in (COLLECTIVE / "core").rglob("*.py"):
        tree = ast.parse(path.read_text())
        for node in ast.walk(tree):
            names = []
            if isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module]
            elif isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            offenders += [
                f"{path.relative_to(COLLECTIVE)}: {n}"
                for n in names
                if n == "collective.api" or n.startswith("collective.api.")
            ]
    assert not offenders


def test_partner_groups_come_from_each_conditions_ties_module(monkeypatch, world):
    """A condition app reports partners coming together in its `ties.py`; the others, without
    one (or without the function), report nothing."""
    import types

    reported = types.SimpleNamespace(partner_groups=lambda initiative: [("meeting", [1, 2])])
    original = conditions.Registered.module

    def module(self, name):
        if name != "ties":
            return original(self, name)
        return {"agenda": reported, "measurement": types.SimpleNamespace()}.get(self.condition.key)

    monkeypatch.setattr(conditions.Registered, "module", module)
    assert conditions.partner_groups(world.initiative) == [
        conditions.PartnerGroup("meeting", frozenset({1, 2}))
    ]
