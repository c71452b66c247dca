"""Changes in the core that other apps must follow up: they register listeners in ready().

Shared measurement, for instance, must recompute its roll-ups when a partner moves in the tree
(subtree totals change) or when the initiative turns data review on or off (which values count
changes). The core calls `notify(...)` inside the service's transaction; listeners decide how
(usually by scheduling a background task on commit).
"""

from __future__ import annotations

from collections.abc import Callable

PARTNER_TREE_CHANGED = "partner_tree_changed"
REVIEW_SETTING_CHANGED = "review_setting_changed"

_listeners: dict[str, list[Callable]] = {}


def listen(event: str, listener: Callable) -> None:
    listeners = _listeners.setdefault(event, [])
    if listener not in listeners:
        listeners.append(listener)


def notify(event: str, *, actor, initiative) -> None:
    for listener in _listeners.get(event, []):
        listener(actor=actor, initiative=initiative)
