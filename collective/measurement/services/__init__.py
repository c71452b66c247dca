"""Writes of shared measurement: indicators, targets, reporting duties, values, reviews, stories,
imports and roll-up rebuilds.

Every write validates first, runs in one transaction, records an audit entry and keeps the
roll-ups and statuses fresh (`engine`). Values have one door, `observations_upsert`, which the
entry grid, the API (one object or a list), imports and the demo loader all call.

The package is split by capability; callers use `from collective.measurement import services`.
"""

from .import_effects import import_undo
from .imports import (
    import_confirm,
    import_preview,
    import_retry,
    import_start,
    imports_recover,
)
from .indicators import (
    BREAKDOWN_VALUES_MAX,
    indicator_archive,
    indicator_create,
    indicator_update,
)
from .narratives import narrative_save
from .observations import (
    BulkResult,
    observation_delete,
    observation_review,
    observations_review_bulk,
    observations_upsert,
)
from .rollups import rollups_rebuild
from .targets import assignment_delete, assignment_set, target_delete, target_set
from .validation import observation_check, parse_number

__all__ = [
    "BREAKDOWN_VALUES_MAX",
    "BulkResult",
    "assignment_delete",
    "assignment_set",
    "import_confirm",
    "import_preview",
    "import_retry",
    "import_start",
    "import_undo",
    "imports_recover",
    "indicator_archive",
    "indicator_create",
    "indicator_update",
    "narrative_save",
    "observation_check",
    "observation_delete",
    "observation_review",
    "observations_review_bulk",
    "observations_upsert",
    "parse_number",
    "rollups_rebuild",
    "target_delete",
    "target_set",
]
