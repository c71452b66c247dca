"""Defence in depth: the Content-Security-Policy and Permissions-Policy on every page, and the
one way to let another site frame a page (`frame_ancestors`)."""

from __future__ import annotations

import pytest
from django.http import HttpResponse
from django.test import RequestFactory

from collective.core.security import clean_origins, frame_ancestors

pytestmark = pytest.mark.django_db


def _policy(response) -> dict[str, str]:
    parts = [p.strip() for p in response["Content-Security-Policy"].split(";") if p.strip()]
    return {p.split()[0]: " ".join(p.split()[1:]) for p in parts}


@pytest.mark.parametrize("url", ["/", "/accounts/login/", "/i/acme/", "/api/v1/", "/api/docs/"])
def test_every_answer_carries_the_policies(client, world, url):
    client.force_login(world.users["backbone"])
    response = client.get(url)
    assert response.status_code == 200
    policy = _policy(response)
    assert policy["script-src"].startswith("'self'")
    assert "unsafe-inline" not in policy["script-src"] and "unsafe-eval" not in str(policy)
    assert policy["frame-ancestors"] == "'none'" and policy["object-src"] == "'none'"
    assert response["X-Frame-Options"] == "DENY"
    assert "camera=()" in response["Permissions-Policy"]
    assert "geolocation=()" in response["Permissions-Policy"]


def test_pages_have_no_inline_scripts(client, world):
    """Every <script> of a page has a src, or is data (type="application/json")."""
    import re

    client.force_login(world.users["backbone"])
    for url in ("/", "/i/acme/", "/i/acme/measures/", "/i/acme/agenda/", "/accounts/profile/"):
        html = client.get(url).content.decode()
        for tag in re.findall(r"<script\b[^>]*>", html):
            assert "src=" in tag or 'type="application/json"' in tag, (url, tag)
        assert not re.search(r"\son[a-z]+=", html), url  # no inline event handlers


def test_frame_ancestors_opens_framing_to_the_given_origins_only():
    from csp.middleware import CSPMiddleware
    from django.middleware.clickjacking import XFrameOptionsMiddleware

    @frame_ancestors(lambda request: ["https://partner.example.org", "javascript:alert(1)"])
    def embed(request):
        return HttpResponse("chart")

    @frame_ancestors(lambda request: [])
    def closed(request):
        return HttpResponse("chart")

    def serve(view):
        return CSPMiddleware(XFrameOptionsMiddleware(view))(RequestFactory().get("/embed/"))

    opened = serve(embed)
    assert _policy(opened)["frame-ancestors"] == "https://partner.example.org"
    assert "X-Frame-Options" not in opened
    shut = serve(closed)
    assert _policy(shut)["frame-ancestors"] == "'none'" and shut["X-Frame-Options"] == "DENY"


def test_only_plain_https_origins_may_frame():
    assert clean_origins(
        [
            "https://Example.org/",
            "https://a.example.org:8443",
            "http://evil.example",
            "https://x.org; script-src *",
            "*",
            "http://localhost:8000",
        ]
    ) == ["https://example.org", "https://a.example.org:8443", "http://localhost:8000"]
