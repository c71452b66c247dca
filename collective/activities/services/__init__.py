"""Writes of mutually reinforcing activities — the one door per write, split by capability."""

from .activities import (
    activity_create,
    activity_delete,
    activity_update,
    dependency_add,
    dependency_remove,
    milestone_add,
    milestone_set_done,
    progress_add,
    waiting_clear,
)
from .claims import claim_create, claim_remove, claim_review, claim_update
from .overlaps import (
    check_threshold,
    help_record,
    overlap_decide,
    overlap_decision_remove,
    overlap_scan_run,
    overlap_scan_start,
)
from .strengths import (
    capabilities_add_defaults,
    capability_create,
    capability_remove,
    capability_update,
    strengths_rate,
)
from .surveys import round_close, round_open, survey_answer

__all__ = [
    "activity_create",
    "activity_delete",
    "activity_update",
    "capabilities_add_defaults",
    "capability_create",
    "capability_remove",
    "capability_update",
    "check_threshold",
    "claim_create",
    "claim_remove",
    "claim_review",
    "claim_update",
    "dependency_add",
    "dependency_remove",
    "help_record",
    "milestone_add",
    "milestone_set_done",
    "overlap_decide",
    "overlap_decision_remove",
    "overlap_scan_run",
    "overlap_scan_start",
    "progress_add",
    "round_close",
    "round_open",
    "strengths_rate",
    "survey_answer",
    "waiting_clear",
]
