"""The five conditions of collective impact, as the navigation and the overview show them.

Each condition's app registers a summary provider in its AppConfig.ready(); the overview page
asks every provider for its figures and next step, so a new capability plugs in without
touching the core.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Condition:
    key: str
    number: int
    title: str
    icon: str
    url_name: str
    purpose: str
    tip: str
    nav_label: str


CONDITIONS = [
    Condition(
        key="agenda",
        number=1,
        title="Common agenda",
        nav_label="Agenda",
        icon="compass",
        url_name="agenda:index",
        purpose="Create a clear, co-designed understanding of the problem and the outcomes "
        "you're aiming for.",
        tip="Involve diverse voices across levels and functions to ensure shared ownership and "
        "relevance.",
    ),
    Condition(
        key="measurement",
        number=2,
        title="Shared measurement",
        nav_label="Measures",
        icon="graph-up-arrow",
        url_name="measurement:index",
        purpose="Agree on what success looks like, and track it together.",
        tip="Use a consistent set of objectives and KPIs across teams and keep data visible and "
        "transparent.",
    ),
    Condition(
        key="activities",
        number=3,
        title="Mutually reinforcing activities",
        nav_label="Activities",
        icon="diagram-3",
        url_name="activities:index",
        purpose="Define team contribution according to strengths, and ensure everyone works "
        "toward the same goal.",
        tip="Map how each team or function supports the broader change effort using a "
        "strength-based lens.",
    ),
    Condition(
        key="communication",
        number=4,
        title="Continuous communication",
        nav_label="Communication",
        icon="chat-square-text",
        url_name="communication:index",
        purpose="Establish regular touchpoints, updates, and forums to surface learning and "
        "recalibrate.",
        tip="Use feedback loops to keep momentum and engagement and to provide opportunities "
        "for continuous learning and adaptation.",
    ),
    Condition(
        key="backbone",
        number=5,
        title="Backbone support",
        nav_label="Backbone",
        icon="life-preserver",
        url_name="backbone:index",
        purpose="Appoint a small team or function to coordinate, facilitate, and track progress.",
        tip="Coordination is a special skillset: what matters most is that the backbone stays "
        "neutral and focused on enabling collaboration.",
    ),
]

CONDITIONS_BY_KEY = {c.key: c for c in CONDITIONS}


@dataclass
class Summary:
    """What a condition shows on the overview: a few figures and the next thing to do."""

    figures: list[tuple[str, str]] = field(default_factory=list)
    next_step: tuple[str, str] | None = None  # (label, url)
    started: bool = False


SummaryProvider = Callable[..., Summary]
_providers: dict[str, SummaryProvider] = {}


def register_summary(key: str, provider: SummaryProvider) -> None:
    _providers[key] = provider


def summaries(initiative, user) -> list[tuple[Condition, Summary]]:
    result = []
    for condition in CONDITIONS:
        provider = _providers.get(condition.key)
        result.append((condition, provider(initiative, user) if provider else Summary()))
    return result
