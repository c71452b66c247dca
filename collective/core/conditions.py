"""The registry of condition apps: the one list the navigation, URLs, API, demo and overview read.

A condition app (common agenda, shared measurement, …) declares itself by giving its AppConfig a
`condition = Condition(...)` attribute. Everything that lists the conditions asks `registry()`,
which reads the installed apps, so adding a condition means writing its app (and listing it in
INSTALLED_APPS) — the core never names one. What each app offers is found by convention, by
module name inside the app:

- `urls.py` — its pages, mounted at `/i/<slug>/<condition.url_prefix>/` (namespace = `key`);
- `api.py` — `initiative_urlpatterns`, mounted at `/api/v1/initiatives/<slug>/`;
- `demo.py` — `load(world)`, called by `manage.py load_demo` in condition order;
- `tests/matrix.py` — `CASES` of the authorization matrix;
- `condition.summary` — dotted path of `f(initiative, user) -> Summary`, its overview card;
- `condition.topbar` — a template the top bar includes on every page (e.g. a notification bell);
  it renders with the page's context (`request`, `user`, `current_initiative`).
- `condition.partner_links` — dotted path of `f(partner, user) -> list[PartnerLink]` (or plain
  `(label, url, icon)` tuples): what the app holds about one partner, linked from the partner page.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from importlib import import_module
from types import ModuleType
from typing import NamedTuple

from django.apps import AppConfig, apps
from django.utils.module_loading import import_string


@dataclass(frozen=True)
class Condition:
    key: str  # also the app label and the URL namespace
    number: int
    title: str
    nav_label: str
    icon: str
    url_prefix: str  # /i/<slug>/<url_prefix>/
    purpose: str
    tip: str
    summary: str = ""  # dotted path of the overview card's provider
    topbar: str = ""  # template name included in the top bar of every page
    partner_links: str = ""  # dotted path of the partner page's links provider

    @property
    def url_name(self) -> str:
        return f"{self.key}:index"


@dataclass(frozen=True)
class Registered:
    condition: Condition
    config: AppConfig

    def module(self, name: str) -> ModuleType | None:
        """The app's module `name` (e.g. "api", "demo", "tests.matrix"), or None if it has none."""
        return optional_module(f"{self.config.name}.{name}")


def optional_module(dotted: str) -> ModuleType | None:
    try:
        return import_module(dotted)
    except ModuleNotFoundError as exc:
        # Only a missing module counts as "none"; a broken import inside it must surface.
        if exc.name != dotted:
            raise
        return None


def registry() -> list[Registered]:
    """The installed condition apps, in the framework's order."""
    found = [
        Registered(config.condition, config)
        for config in apps.get_app_configs()
        if isinstance(getattr(config, "condition", None), Condition)
    ]
    return sorted(found, key=lambda r: r.condition.number)


def conditions() -> list[Condition]:
    return [r.condition for r in registry()]


def condition(key: str) -> Condition:
    for registered in registry():
        if registered.condition.key == key:
            return registered.condition
    raise LookupError(f"No condition app '{key}' is installed.")


@dataclass
class Summary:
    """What a condition shows on the overview: a few figures and the next thing to do."""

    figures: list[tuple[str, str]] = field(default_factory=list)
    next_step: tuple[str, str] | None = None  # (label, url)
    started: bool = False


SummaryProvider = Callable[..., Summary]


def summaries(initiative, user) -> list[tuple[Condition, Summary]]:
    result = []
    for c in conditions():
        provider: SummaryProvider | None = import_string(c.summary) if c.summary else None
        result.append((c, provider(initiative, user) if provider else Summary()))
    return result


class PartnerLink(NamedTuple):
    """A link on the partner page to what a condition app holds about that partner."""

    label: str
    url: str
    icon: str = ""  # a Bootstrap Icons name, without "bi-"
    note: str = ""  # one short line: a figure or a status ("2 values overdue")


def partner_links(partner, user) -> list[tuple[Condition, list[PartnerLink]]]:
    """Each condition's links about the partner that the user may open, in framework order.

    Providers check the user's permissions themselves and return only links that user can
    follow; a condition with nothing to show is left out.
    """
    result = []
    for c in linking_conditions():
        links = [PartnerLink(*link) for link in import_string(c.partner_links)(partner, user)]
        if links:
            result.append((c, links))
    return result


def linking_conditions() -> list[Condition]:
    return [c for c in conditions() if c.partner_links]
