"""htmx partials: a history restore gets the whole page, and every page varies on HX-Request."""

from __future__ import annotations

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db

HTMX = {"HX-Request": "true"}
RESTORE = {"HX-Request": "true", "HX-History-Restore-Request": "true"}


def _vary(response) -> set[str]:
    return {v.strip().lower() for v in response.get("Vary", "").split(",")}


@pytest.mark.parametrize(
    "name", ["core:member-list", "core:audit-log", "measurement:index", "measurement:completeness"]
)
def test_history_restore_gets_the_full_page(name, world, client_as):
    client = client_as("backbone")
    url = reverse(name, kwargs={"slug": world.initiative.slug})
    partial = client.get(url, headers=HTMX)
    assert partial.status_code == 200 and b"<html" not in partial.content
    restored = client.get(url, headers=RESTORE)
    assert restored.status_code == 200 and b"<html" in restored.content
    full = client.get(url)
    for response in (partial, restored, full):
        assert "hx-request" in _vary(response)


def test_indicator_chart_partial_is_not_served_on_history_restore(world, client_as):
    from collective.measurement import services

    services.indicator_create(
        actor=world.users["backbone"], initiative=world.initiative, code="PEOPLE", name="People"
    )
    client = client_as("viewer")
    url = reverse("measurement:indicator-detail", kwargs={"slug": "acme", "code": "PEOPLE"})
    partial = client.get(url, {"by": "partner"}, headers=HTMX)
    assert b"<html" not in partial.content
    restored = client.get(url, {"by": "partner"}, headers=RESTORE)
    assert b"<html" in restored.content and "hx-request" in _vary(restored)


def test_json_responses_do_not_vary_on_htmx(world, api_as):
    response = api_as("viewer").get("/api/v1/initiatives/")
    assert response.status_code == 200 and "hx-request" not in _vary(response)
