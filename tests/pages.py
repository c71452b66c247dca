"""The main pages of the project, per app, for the checks that visit every one of them in Chromium.

Each app lists its pages in `collective/<app>/tests/pages.py` as `PAGES = [Page(...)]`, with the
demo logins (`manage.py load_demo`) that see the page; `tests/e2e/test_accessibility.py`
collects the lists of the core and of every registered condition app and runs axe-core on each
page as each of those people, at desktop and phone width, and checks that nothing is wider than
the phone. A new app adds its pages by adding its own `tests/pages.py`.

Paths are resolved only after the demo is loaded, so a page may name demo objects lazily:
`url("measurement:indicator-detail", slug=COMPANY, code="DAYS_TO_LIVE")` or with a callable for
any argument (`uid=partner_uid(COMPANY, "Onboarding Operations")`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

# Demo initiatives (collective/*/demo.py).
COMPANY = "faster-onboarding"  # private; backbone, lead, contributor, viewer
COALITION = "youth-housing"  # public; coalition is its backbone, viewer a viewer

# Demo logins, and the anonymous visitor.
ANONYMOUS = "anonymous"
BACKBONE = "backbone"
LEAD = "lead"
CONTRIBUTOR = "contributor"
VIEWER = "viewer"
COALITION_BACKBONE = "coalition"

MEMBERS = (BACKBONE, LEAD, CONTRIBUTOR, VIEWER)
CONTRIBUTORS = (BACKBONE, LEAD, CONTRIBUTOR)
LEADS = (BACKBONE, LEAD)


@dataclass(frozen=True)
class Page:
    name: str  # shown in failures, e.g. "measurement: dashboard"
    path: Callable[[], str]  # called after the demo is loaded
    roles: Iterable[str] = (BACKBONE,)
    # A CSS selector to wait for before checking (e.g. a chart drawn by script).
    ready: str = ""
    # Widths to check; every main page is checked at desktop and phone width.
    widths: tuple[int, ...] = field(default=(1280, 390))
    status: int = 200  # what the page answers (the error pages answer 403 and 404)
    # Whether a table may scroll sideways on a phone instead of stacking; only the landing
    # page checked for an app that has no page list yet.
    sideways_ok: bool = False


def url(name: str, **kwargs) -> Callable[[], str]:
    """A lazy reverse(): keyword values may be callables, resolved when the path is needed."""

    def resolve() -> str:
        from django.urls import reverse

        return reverse(name, kwargs={k: v() if callable(v) else v for k, v in kwargs.items()})

    return resolve


def partner_uid(slug: str, name: str) -> Callable[[], str]:
    def resolve() -> str:
        from collective.core.models import Partner

        return str(Partner.objects.get(initiative__slug=slug, name=name).uid)

    return resolve
