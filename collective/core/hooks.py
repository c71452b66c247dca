"""Events one app raises and other apps react to; listeners register in their AppConfig.ready().

The app that owns a change calls `notify(EVENT, actor=..., initiative=..., **details)` inside
its service's transaction; listeners decide how to follow up (usually by scheduling a task or a
notification with `transaction.on_commit`). The core names the events so that an app can listen
to one without importing the app that raises it. Shared measurement, for instance, recomputes its
roll-ups when a partner moves in the tree or the initiative turns data review on or off; the
communication condition turns slipped activities and decisions into notifications. Any app can
tell people about a change without knowing who delivers the message: it raises ANNOUNCED with an
`Announcement` (`announce`), and falls back to its own way (e.g. email) when no app listens.

Every listener takes keyword arguments and must accept details it does not use (`**details`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

# Raised by the core.
PARTNER_TREE_CHANGED = "partner_tree_changed"  # details: none
REVIEW_SETTING_CHANGED = "review_setting_changed"  # details: none
# Raised by condition apps (details named beside each).
ACTIVITY_SLIPPED = "activity_slipped"  # activity, waiting (activities flagged), reason
DECISION_TAKEN = "decision_taken"  # decision
COORDINATION_REQUESTED = "coordination_requested"  # first, second (activities), note
HELP_OFFERED = "help_offered"  # from_partner, to_partner, post
# Raised by any app: something people should hear about (details: announcement).
ANNOUNCED = "announced"


@dataclass(frozen=True)
class Announcement:
    """What a change says to people, raised with ANNOUNCED by the app that owns the change and
    delivered by whichever app listens (the bell, email and digests of continuous communication).
    Neither side imports the other: the raising app says who is told and what they read.

    `topic` names the event as "<app>.<event>" (e.g. "agenda.version_adopted"); its first part
    says what kind of thing it is about, the rest is for webhooks and filters."""

    topic: str
    title: str
    users: tuple = field(default_factory=tuple)  # the people told (the actor is left out)
    body: str = ""
    url: str = ""
    target: Any = None  # the object it is about (its uid or pk and label are kept)


_listeners: dict[str, list[Callable]] = {}


def listen(event: str, listener: Callable) -> None:
    listeners = _listeners.setdefault(event, [])
    if listener not in listeners:
        listeners.append(listener)


def notify(event: str, *, actor, initiative, **details) -> None:
    for listener in _listeners.get(event, []):
        listener(actor=actor, initiative=initiative, **details)


def listening(event: str) -> bool:
    """Whether an app reacts to `event` (an app may tell people its own way when none does)."""
    return bool(_listeners.get(event))


def announce(announcement: Announcement, *, actor, initiative) -> bool:
    """Raise ANNOUNCED; False when no app delivers announcements."""
    if not listening(ANNOUNCED):
        return False
    notify(ANNOUNCED, actor=actor, initiative=initiative, announcement=announcement)
    return True
