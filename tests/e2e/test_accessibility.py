"""Every main page, as each person who sees it, at desktop and phone width: axe-core finds nothing
serious or critical, the page is never wider than the screen, and nothing scrolls sideways except
regions made for it (named and reachable by keyboard).

The pages come from `collective/<app>/tests/pages.py` of the core and of every registered
condition app (see tests/pages.py); a condition app without such a list is checked on its
landing page, so a new app is covered from its first page and adds its own list as it grows.

The apps are split in two shards of about the same number of checks, one per test module
(this one and test_accessibility_more.py), so the two test workers share the work.
"""

from __future__ import annotations

import pytest

from collective.core.conditions import optional_module, registry
from tests.e2e.accessibility import axe_findings, load_axe, overflow, sideways_scrollers
from tests.e2e.conftest import login, shot
from tests.pages import ANONYMOUS, BACKBONE, COMPANY, Page, url

PHONE = 390


def _app_pages() -> dict[str, list[Page]]:
    pages = {"core": optional_module("collective.core.tests.pages").PAGES}
    for r in registry():
        module = optional_module(f"{r.config.name}.tests.pages")
        if module is not None:
            pages[r.condition.key] = module.PAGES
        else:
            landing = Page(
                "landing page",
                url(r.condition.url_name, slug=COMPANY),
                roles=(BACKBONE,),
                sideways_ok=True,  # until the app lists its pages and stacks its tables
            )
            pages[r.condition.key] = [landing]
    return pages


APP_PAGES = _app_pages()
SHARDS = 2


def _cost(app: str) -> int:
    return sum(len(tuple(p.roles)) * len(p.widths) for p in APP_PAGES[app])


def shard(index: int) -> list[str]:
    """The apps of shard `index`: the costliest first, each to the lighter shard."""
    shards: list[list[str]] = [[] for _ in range(SHARDS)]
    for app in sorted(APP_PAGES, key=lambda a: (-_cost(a), a)):
        min(shards, key=lambda apps: sum(_cost(a) for a in apps)).append(app)
    return shards[index]


def test_every_condition_app_is_checked():
    assert set(APP_PAGES) == {"core", *(r.condition.key for r in registry())}
    assert sorted(a for i in range(SHARDS) for a in shard(i)) == sorted(APP_PAGES)
    for app, pages in APP_PAGES.items():
        names = [p.name for p in pages]
        assert len(names) == len(set(names)), f"{app}: two pages with the same name"


def _check(page, item: Page, path: str, width: int) -> list[str]:
    response = page.goto(path)
    if response is None or response.status != item.status:
        got = response.status if response else "nothing"
        return [f"answered {got} (expected {item.status})"]
    if item.ready:
        page.locator(item.ready).first.wait_for(state="attached", timeout=10_000)
    problems = axe_findings(page)
    problems += overflow(page, width)
    if width <= PHONE and not item.sideways_ok:
        problems += sideways_scrollers(page)
    problems += [f"script error: {e}" for e in page.js_errors]
    page.js_errors.clear()
    return problems


def check_app(app: str, new_page) -> None:
    items = [(item, item.path()) for item in APP_PAGES[app]]
    roles = sorted({role for item, _ in items for role in item.roles})
    failures: list[str] = []
    checked = 0
    for role in roles:
        page = new_page()
        load_axe(page.context)
        page.emulate_media(reduced_motion="reduce")
        if role != ANONYMOUS:
            login(page, role)
        for item, path in items:
            if role not in item.roles:
                continue
            for width in item.widths:
                page.set_viewport_size({"width": width, "height": 900})
                problems = _check(page, item, path, width)
                checked += 1
                if problems:
                    where = f"{app}: {item.name} as {role} at {width} px ({path})"
                    failures.append(where + "\n    " + "\n    ".join(problems))
                    shot(page, f"a11y-{app}-{item.name}-{role}-{width}")
    assert checked, f"no page of {app} was checked"
    assert not failures, f"{len(failures)} of {checked} checks failed:\n" + "\n".join(failures)


@pytest.mark.parametrize("app", shard(0))
def test_main_pages_are_accessible_at_desktop_and_phone_width(app, demo, new_page):
    check_app(app, new_page)
