"""Every URL of the project for every role: allowed or refused as the rules say."""

from __future__ import annotations

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from collective.core.conditions import optional_module, registry
from conftest import ROLES
from tests.matrix import ANONYMOUS, OUTSIDER

# The core and the API wiring, plus every registered condition app.
APPS = ["collective.core", *(r.config.name for r in registry()), "collective.api"]
# URL names that need no case: the Django admin has its own staff checks.
EXEMPT_NAMESPACES = {"admin"}


def _all_cases():
    cases = []
    for app in APPS:
        module = optional_module(f"{app}.tests.matrix")
        if module is not None:
            cases.extend(module.CASES)
    return cases


CASES = _all_cases()


def _url_names(patterns=None, namespace=""):
    names = set()
    for p in patterns if patterns is not None else get_resolver().url_patterns:
        if isinstance(p, URLResolver):
            ns = p.namespace or ""
            full = f"{namespace}:{ns}".strip(":") if ns else namespace
            if ns in EXEMPT_NAMESPACES:
                continue
            names |= _url_names(p.url_patterns, full)
        elif isinstance(p, URLPattern) and p.name:
            names.add(f"{namespace}:{p.name}" if namespace else p.name)
    return names


def test_every_url_has_a_case():
    covered = {c.name for c in CASES}
    # DRF's format-suffix twins share the same view; the matrix checks the plain ones.
    missing = sorted(n for n in _url_names() - covered if not n.endswith("-format"))
    assert not missing, f"URLs without an authorization case: {missing}"


def _is_login_redirect(response) -> bool:
    return response.status_code == 302 and "/accounts/login/" in response.get("Location", "")


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_authorization(case, role, world, client):
    from rest_framework.test import APIClient

    kwargs = case.kwargs(world)
    url = reverse(case.name, kwargs=kwargs)
    data = case.data(world) if case.data else {}
    user = world.users.get(role)
    if case.api:
        api = APIClient()
        if user:
            api.force_authenticate(user)
        response = getattr(api, case.method)(url, data, format="json")
    else:
        if user:
            client.force_login(user)
        response = getattr(client, case.method)(url, data)
    status = response.status_code
    assert status < 500, f"{case.id} as {role}: server error {status}"
    if role in case.allowed:
        assert status not in (401, 403, 404) and not _is_login_redirect(response), (
            f"{case.id}: {role} should be allowed, got {status}"
        )
        return
    if role == ANONYMOUS:
        if case.api:
            assert status in (401, 403), f"{case.id}: anonymous got {status}"
        else:
            assert _is_login_redirect(response), f"{case.id}: anonymous got {status}"
    elif role == OUTSIDER:
        assert status == case.outsider_status, f"{case.id}: outsider got {status}"
    else:
        assert status == case.member_status, (
            f"{case.id}: {role} should be refused with {case.member_status}, got {status}"
        )
