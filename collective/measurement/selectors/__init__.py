"""Reads of shared measurement, scoped to what the user may see.

Pages and the API read roll-ups and statuses (kept fresh by the services), never scan raw
observations: the dashboard reads `IndicatorStatus`, a series three small indexed queries.
Each read states what it costs in queries. Lists are narrowed by the FilterSets of `filters`
(one per list, shared by the page and the API); the partner filter means one thing everywhere —
the partner and every partner below it (`partners`).

The package is split by what is read; callers use `from collective.measurement import selectors`.
"""

from .indicators import (
    LEVEL_RANK,
    SORT_ORDERS,
    STATUS_RANK,
    Reporter,
    assignment_list,
    collective_status,
    dashboard_indicators,
    indicator_get,
    indicator_list,
    indicator_status,
    indicator_statuses,
    narratives,
    reporters,
    status_counts,
    target_list,
    targets,
    with_status,
)
from .observations import (
    import_jobs,
    latest_observations,
    observation_history,
    observation_list,
    returned_for,
    review_queue,
)
from .overview import Scorecard, ScorecardRow, indicator_search, scorecard
from .partners import in_subtree, partner_find
from .reporting import completeness, grid, overdue_count, reporting_duties
from .timeseries import MAX_PARTNER_COLUMNS, series

__all__ = [
    "LEVEL_RANK",
    "MAX_PARTNER_COLUMNS",
    "SORT_ORDERS",
    "STATUS_RANK",
    "Reporter",
    "Scorecard",
    "ScorecardRow",
    "assignment_list",
    "collective_status",
    "completeness",
    "dashboard_indicators",
    "grid",
    "import_jobs",
    "in_subtree",
    "indicator_get",
    "indicator_list",
    "indicator_search",
    "indicator_status",
    "indicator_statuses",
    "latest_observations",
    "narratives",
    "observation_history",
    "observation_list",
    "overdue_count",
    "partner_find",
    "reporters",
    "reporting_duties",
    "returned_for",
    "review_queue",
    "scorecard",
    "series",
    "status_counts",
    "target_list",
    "targets",
    "with_status",
]
