"""Events one app raises and other apps react to; listeners register in their AppConfig.ready().

The app that owns a change calls `notify(EVENT, actor=..., initiative=..., **details)` inside
its service's transaction; listeners decide how to follow up (usually by scheduling a task or a
notification with `transaction.on_commit`). The core names the events so that an app can listen
to one without importing the app that raises it. Shared measurement, for instance, recomputes its
roll-ups when a partner moves in the tree or the initiative turns data review on or off; the
communication condition turns slipped activities and decisions into notifications.

Every listener takes keyword arguments and must accept details it does not use (`**details`).
"""

from __future__ import annotations

from collections.abc import Callable

# Raised by the core.
PARTNER_TREE_CHANGED = "partner_tree_changed"  # details: none
REVIEW_SETTING_CHANGED = "review_setting_changed"  # details: none
# Raised by condition apps (details named beside each).
ACTIVITY_SLIPPED = "activity_slipped"  # activity, waiting (activities flagged), reason
DECISION_TAKEN = "decision_taken"  # decision
COORDINATION_REQUESTED = "coordination_requested"  # first, second (activities), note
HELP_OFFERED = "help_offered"  # from_partner, to_partner, post

_listeners: dict[str, list[Callable]] = {}


def listen(event: str, listener: Callable) -> None:
    listeners = _listeners.setdefault(event, [])
    if listener not in listeners:
        listeners.append(listener)


def notify(event: str, *, actor, initiative, **details) -> None:
    for listener in _listeners.get(event, []):
        listener(actor=actor, initiative=initiative, **details)
