"""What the public reads of shared measurement (see collective/core/public.py): public
indicators of a public initiative — the shared result and its breakdown, never a partner's own
numbers, name or uid (not even the owner partner), as the public indicator page shows them."""

from collective.core.public import Public, fields, paginated

STATUS = (
    "status",
    "reason",
    "latest_period",
    "latest_value",
    "target_period",
    "target_value",
    "forecast_value",
    "updated_at",
)
INDICATOR_FIELDS = (
    "uid",
    "code",
    "name",
    "definition",
    "unit",
    "value_type",
    "direction",
    "level",
    "rba_question",
    "frequency",
    "aggregation",
    "cumulative",
    "formula",
    "outcomes",
    "outcomes[]",
    "owner_partner",  # null for the public
    "data_source",
    "min_value",
    "max_value",
    "breakdown_dimension",
    "breakdown_values",
    "breakdown_values[]",
    "baseline_value",
    "baseline_period",
    "decimals",
    "is_public",
    "archived",
    "status",
    *(f"status.{name}" for name in STATUS),
)
POINT = ("period", "value")
SERIES_FIELDS = (
    "indicator",
    *(
        f"indicator.{name}"
        for name in (
            "code",
            "name",
            "unit",
            "decimals",
            "direction",
            "frequency",
            "aggregation",
            "cumulative",
            "value_type",
            "breakdown_dimension",
        )
    ),
    "scope",
    "scope_name",
    "by",
    # by=breakdown: one column per breakdown value (never per partner for the public).
    "columns",
    "columns[]",
    "columns[].uid",
    "columns[].name",
    "columns[].label",
    "columns_total",
    "periods",
    "periods[]",
    *(
        f"periods[].{name}"
        for name in (
            "period",
            "label",
            "start",
            "value",
            "numerator",
            "denominator",
            "reporting_partners",
            "target",
            "status",
            "breakdown",
            "breakdown.*",
        )
    ),
    "baseline",
    "baseline.period",
    "baseline.value",
    *(f"{line}{tail}" for line in ("targets", "forecast", "baseline_forecast")
      for tail in ("", "[]", "[].period", "[].value")),
    "status",
    *(f"status.{name}" for name in (*STATUS, "label")),
)  # fmt: skip

PUBLIC = [
    Public(
        "measurement:indicator-public",
        "A public indicator: the collective value over time, its breakdown, status, target and "
        "story. No partner's values, name or the owner partner.",
        probes=("by=partner", "by=breakdown"),
        page=True,
    ),
    Public(
        "api:indicator-list",
        "Public indicators (owner partner null).",
        fields=paginated(*INDICATOR_FIELDS),
    ),
    Public(
        "api:indicator-detail",
        "A public indicator (owner partner null).",
        fields=fields(*INDICATOR_FIELDS),
    ),
    Public(
        "api:indicator-series",
        "The collective series and its breakdown; `by=partner` and `scope` are refused (403).",
        fields=fields(*SERIES_FIELDS),
        probes=("by=partner", "by=breakdown", "scope={partner}"),
    ),
]
