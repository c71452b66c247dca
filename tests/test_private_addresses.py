"""A signed-in person who is not a member cannot learn whether a private initiative's address
exists: every URL of the project answers exactly the same (status, content type, body) for an
existing private initiative as for a slug no initiative has. Secret links (feedback, calendar,
unsubscribe) are compared with a wrong token: the holder of the right one was given the
address."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from collective.core.public import entry_for
from tests.test_authorization_matrix import CASES

pytestmark = pytest.mark.django_db

GHOST = "no-such-initiative"
CSRF = re.compile(r'("X-CSRFToken": "|name="csrfmiddlewaretoken" value=")[^"]+')


def _answer(case, world, client, kwargs, slug):
    kwargs = {**kwargs, "slug": slug}
    url = reverse(case.name, kwargs=kwargs)
    data = case.data(world) if case.data else {}
    user = world.users["outsider"]
    if case.api:
        api = APIClient()
        api.force_authenticate(user)
        response = getattr(api, case.method)(url, data, format="json")
    else:
        client.force_login(user)
        response = getattr(client, case.method)(url, data)
    body = response.content.decode("utf-8", "replace").replace(slug, "<slug>")
    body = CSRF.sub("<csrf>", body)  # a fresh masked token on every page
    return (
        response.status_code,
        response.get("Content-Type"),
        response.get("Location", "").replace(slug, "<slug>"),
        body,
    )


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_a_private_initiative_answers_like_a_missing_one(case, world, client):
    kwargs = case.kwargs(world)
    if "slug" not in kwargs or world.initiative.visibility != "private":
        return  # not an initiative's address, or a case that made it public
    entry = entry_for(case.name, case.method)
    if entry is not None and entry.link_kwarg:
        # A secret link: its holder was given the address. A wrong token must say nothing.
        kwargs = {**kwargs, entry.link_kwarg: "not-a-valid-token"}
    existing = _answer(case, world, client, kwargs, world.initiative.slug)
    missing = _answer(case, world, client, kwargs, GHOST)
    assert existing == missing, (case.id, existing[:3], missing[:3])
    assert existing[0] in (404, 405), (case.id, existing[0])
