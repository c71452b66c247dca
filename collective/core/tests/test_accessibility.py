"""Pages have landmarks, one h1, and a label for every field; the admin works for superusers."""

from __future__ import annotations

from html.parser import HTMLParser

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


class PageAudit(HTMLParser):
    def __init__(self):
        super().__init__()
        self.tags: list[str] = []
        self.h1 = 0
        self.fields: list[dict] = []
        self.label_for: set[str] = set()
        self.images_without_alt = 0

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        self.tags.append(tag)
        if tag == "h1":
            self.h1 += 1
        if tag == "label" and attrs.get("for"):
            self.label_for.add(attrs["for"])
        if tag in {"input", "select", "textarea"} and attrs.get("type") not in {
            "hidden",
            "submit",
            "button",
        }:
            self.fields.append(attrs)
        if tag == "img" and "alt" not in attrs:
            self.images_without_alt += 1

    def unlabelled(self) -> list[str]:
        return [
            f.get("name", "?")
            for f in self.fields
            if f.get("id") not in self.label_for
            and not f.get("aria-label")
            and not f.get("aria-labelledby")
        ]


PAGES = [
    ("core:home", {}),
    ("core:initiative-create", {}),
    ("core:profile", {}),
    ("core:initiative-overview", {"slug": "acme"}),
    ("core:initiative-settings", {"slug": "acme"}),
    ("core:partner-list", {"slug": "acme"}),
    ("core:partner-create", {"slug": "acme"}),
    ("core:member-list", {"slug": "acme"}),
    ("core:member-invite", {"slug": "acme"}),
    ("core:audit-log", {"slug": "acme"}),
    ("core:search", {"slug": "acme"}),
    ("password_change", {}),
]


@pytest.mark.parametrize(("name", "kwargs"), PAGES, ids=[p[0] for p in PAGES])
def test_page_structure(name, kwargs, client_as):
    response = client_as("backbone").get(reverse(name, kwargs=kwargs))
    assert response.status_code == 200
    audit = PageAudit()
    audit.feed(response.content.decode())
    assert audit.h1 == 1, "one page title"
    for landmark in ("header", "nav", "main", "footer"):
        assert landmark in audit.tags, f"missing <{landmark}>"
    assert audit.unlabelled() == []
    assert audit.images_without_alt == 0


def test_login_page_structure(client):
    audit = PageAudit()
    audit.feed(client.get(reverse("login")).content.decode())
    assert audit.h1 == 1 and "main" in audit.tags and audit.unlabelled() == []


def test_admin_works_for_superusers(client, world):
    from django.contrib.auth import get_user_model

    admin = get_user_model().objects.create_superuser("root", "root@example.org", "x-secret-99")
    client.force_login(admin)
    for url in [
        "/admin/",
        "/admin/core/initiative/",
        "/admin/core/partner/",
        "/admin/core/membership/",
        "/admin/core/user/",
        "/admin/core/auditevent/",
        f"/admin/core/initiative/{world.initiative.pk}/change/",
    ]:
        assert client.get(url).status_code == 200, url
    client.force_login(world.users["backbone"])
    assert client.get("/admin/").status_code == 302  # not staff: sent to the admin login


@pytest.mark.parametrize("path", ["/accounts/login/", "/"])
def test_pages_link_a_favicon_that_exists(path, client):
    """An SVG icon for current browsers, an .ico for the rest, an opaque touch icon for phones."""
    import re

    from django.contrib.staticfiles import finders
    from django.templatetags.static import static

    html = client.get(path).content.decode()
    links = dict(re.findall(r'<link rel="(icon|apple-touch-icon)" href="([^"]+)"[^>]*>', html))
    icons = re.findall(r'<link rel="icon" href="([^"]+)"', html)
    expected = ["collective/favicon.ico", "collective/favicon.svg"]
    assert icons == [static(name) for name in expected]
    assert links["apple-touch-icon"] == static("collective/apple-touch-icon.png")
    for name in [*expected, "collective/apple-touch-icon.png"]:
        assert finders.find(name), f"{name} is not a static file"
