"""Writes of the common agenda: versions, the outcome tree, consultation, endorsements.

Every service validates, runs in one transaction, records an audit entry and schedules its
notifications on commit. Changes to a working version's content are guarded by its
`revision` (optimistic locking): the caller says which revision it edited, and a stale save
is refused instead of silently overwriting someone else's work.

The package is split by capability; callers use `from collective.agenda import services`.
"""

from ._common import MAX_NOTE, MAX_TEXT, NODE_FIELDS, VERSION_FIELDS, sync_outcomes
from .consultation import amendment_decide, current_text, item_create, voices_nudge
from .endorsements import endorsement_record
from .outcomes import outcome_add, outcome_move, outcome_remove, outcome_update
from .versions import (
    agenda_adopt,
    agenda_draft_create,
    agenda_update,
    consultation_close,
    consultation_open,
    consultation_summary,
)

__all__ = [
    "MAX_NOTE",
    "MAX_TEXT",
    "NODE_FIELDS",
    "VERSION_FIELDS",
    "agenda_adopt",
    "agenda_draft_create",
    "agenda_update",
    "amendment_decide",
    "consultation_close",
    "consultation_open",
    "consultation_summary",
    "current_text",
    "endorsement_record",
    "item_create",
    "outcome_add",
    "outcome_move",
    "outcome_remove",
    "outcome_update",
    "sync_outcomes",
    "voices_nudge",
]
