"""Shared measurement: indicators, targets, reporting duties, observations and roll-ups.

Pages never scan raw observations: `Rollup` holds each indicator's value per period for every
partner subtree (scope = a partner) and for the whole initiative (scope = NULL), and
`IndicatorStatus` holds the latest value, status and sparkline per indicator and scope. Both
are maintained by the services on every write.
"""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse

from collective.core.models import InitiativeOwned, Partner

from .choices import (
    Aggregation,
    Direction,
    Frequency,
    ImportState,
    IndicatorLevel,
    ObservationStatus,
    RbaQuestion,
    Source,
    Status,
    ValueType,
)

DECIMAL = {"max_digits": 24, "decimal_places": 6}


class Indicator(InitiativeOwned):
    initiative = models.ForeignKey(
        "core.Initiative", on_delete=models.CASCADE, related_name="indicators"
    )
    uid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    code = models.CharField(
        max_length=40,
        help_text="Short, stable code used in imports, formulas and the API, e.g. DAYS_TO_LIVE.",
    )
    name = models.CharField(max_length=200)
    definition = models.TextField(
        blank=True, help_text="Exactly what is counted and how — the definition everyone agreed."
    )
    unit = models.CharField(max_length=30, blank=True, help_text="e.g. days, people, %, €.")
    value_type = models.CharField(
        max_length=10, choices=ValueType.choices, default=ValueType.NUMBER
    )
    direction = models.CharField(
        max_length=10, choices=Direction.choices, default=Direction.INCREASE
    )
    level = models.CharField(
        max_length=12, choices=IndicatorLevel.choices, default=IndicatorLevel.OUTCOME
    )
    rba_question = models.CharField(
        "results-based accountability question",
        max_length=12,
        choices=RbaQuestion.choices,
        default=RbaQuestion.BETTER_OFF,
    )
    frequency = models.CharField(max_length=10, choices=Frequency.choices, default=Frequency.MONTH)
    aggregation = models.CharField(
        max_length=10, choices=Aggregation.choices, default=Aggregation.SUM
    )
    cumulative = models.BooleanField(
        default=False,
        help_text="Values are counts per period that add up over time (show the running total).",
    )
    formula = models.CharField(
        max_length=500,
        blank=True,
        help_text="Computed from other indicators' codes, e.g. (ENROLLED / ELIGIBLE) * 100. "
        "Leave empty for reported indicators.",
    )
    outcomes = models.ManyToManyField("agenda.Outcome", blank=True, related_name="indicators")
    owner_partner = models.ForeignKey(
        Partner, on_delete=models.SET_NULL, null=True, blank=True, related_name="owned_indicators"
    )
    data_source = models.CharField(max_length=300, blank=True)
    min_value = models.DecimalField(null=True, blank=True, **DECIMAL)
    max_value = models.DecimalField(null=True, blank=True, **DECIMAL)
    breakdown_dimension = models.CharField(
        max_length=60, blank=True, help_text="Optional, e.g. 'Age group' or 'Region'."
    )
    breakdown_values = models.JSONField(
        default=list, blank=True, help_text="The allowed values of the breakdown dimension."
    )
    baseline_value = models.DecimalField(null=True, blank=True, **DECIMAL)
    baseline_period = models.CharField(max_length=10, blank=True)
    decimals = models.PositiveSmallIntegerField(default=1)
    is_public = models.BooleanField(
        "public",
        default=False,
        help_text="Anyone may see this indicator if the initiative is public.",
    )
    archived = models.BooleanField(default=False)

    class Meta:
        ordering = ["initiative", "code"]
        constraints = [
            models.UniqueConstraint(fields=["initiative", "code"], name="indicator_code_unique")
        ]

    def __str__(self) -> str:
        return f"{self.code} — {self.name}"

    def get_absolute_url(self) -> str:
        return reverse(
            "measurement:indicator-detail",
            kwargs={"slug": self.initiative.slug, "code": self.code},
        )


class Target(models.Model):
    initiative = models.ForeignKey("core.Initiative", on_delete=models.CASCADE, related_name="+")
    indicator = models.ForeignKey(Indicator, on_delete=models.CASCADE, related_name="targets")
    period = models.CharField(max_length=10)
    period_start = models.DateField()
    partner = models.ForeignKey(
        Partner, on_delete=models.CASCADE, null=True, blank=True, related_name="targets"
    )
    value = models.DecimalField(**DECIMAL)

    class Meta:
        ordering = ["indicator", "period_start"]
        constraints = [
            models.UniqueConstraint(
                fields=["indicator", "period"],
                condition=Q(partner__isnull=True),
                name="target_collective_unique",
            ),
            models.UniqueConstraint(
                fields=["indicator", "period", "partner"],
                condition=Q(partner__isnull=False),
                name="target_partner_unique",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.indicator.code} {self.period} target {self.value}"


class ReportingAssignment(InitiativeOwned):
    """Who reports what: the partner reports the indicator, due N days after each period ends."""

    indicator = models.ForeignKey(Indicator, on_delete=models.CASCADE, related_name="assignments")
    partner = models.ForeignKey(Partner, on_delete=models.CASCADE, related_name="assignments")
    due_days = models.PositiveSmallIntegerField(
        default=15, help_text="Days after the end of each period when the value is due."
    )
    starts_period = models.CharField(
        max_length=10, blank=True, help_text="First period to report (empty: from the start)."
    )
    active = models.BooleanField(default=True)

    class Meta:
        ordering = ["indicator", "partner"]
        constraints = [
            models.UniqueConstraint(fields=["indicator", "partner"], name="assignment_unique")
        ]

    def __str__(self) -> str:
        return f"{self.partner} reports {self.indicator.code}"


class Observation(InitiativeOwned):
    """One reported value: (indicator, partner, period, breakdown value) is unique."""

    uid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    # No single-column indexes on these foreign keys: the composite indexes below start with
    # them, and every index slows the bulk imports down.
    indicator = models.ForeignKey(
        Indicator, on_delete=models.PROTECT, related_name="observations", db_index=False
    )
    partner = models.ForeignKey(
        Partner, on_delete=models.PROTECT, related_name="observations", db_index=False
    )
    period = models.CharField(max_length=10)
    period_start = models.DateField()
    breakdown = models.CharField(max_length=60, blank=True, default="")
    value = models.DecimalField(null=True, blank=True, **DECIMAL)
    numerator = models.DecimalField(null=True, blank=True, **DECIMAL)
    denominator = models.DecimalField(null=True, blank=True, **DECIMAL)
    note = models.TextField(blank=True)
    status = models.CharField(
        max_length=10, choices=ObservationStatus.choices, default=ObservationStatus.SUBMITTED
    )
    source = models.CharField(max_length=10, choices=Source.choices, default=Source.FORM)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        db_index=False,
    )
    submitted_at = models.DateTimeField(null=True, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        db_index=False,
    )
    reviewed_at = models.DateTimeField(null=True, blank=True)
    review_comment = models.TextField(blank=True)

    class Meta:
        ordering = ["indicator", "period_start", "partner"]
        constraints = [
            models.UniqueConstraint(
                fields=["indicator", "partner", "period", "breakdown"], name="observation_unique"
            )
        ]
        indexes = [
            models.Index(fields=["indicator", "period_start"]),
            models.Index(fields=["partner", "period_start"]),
        ]

    def __str__(self) -> str:
        return f"{self.indicator.code} {self.partner} {self.period}: {self.value}"


class ObservationHistory(models.Model):
    """Every change of an observation is kept: who, when, from where, and the values."""

    initiative = models.ForeignKey("core.Initiative", on_delete=models.CASCADE, related_name="+")
    observation = models.ForeignKey(Observation, on_delete=models.CASCADE, related_name="history")
    action = models.CharField(max_length=20)
    value = models.DecimalField(null=True, blank=True, **DECIMAL)
    numerator = models.DecimalField(null=True, blank=True, **DECIMAL)
    denominator = models.DecimalField(null=True, blank=True, **DECIMAL)
    note = models.TextField(blank=True)
    status = models.CharField(max_length=10, choices=ObservationStatus.choices)
    source = models.CharField(max_length=10, choices=Source.choices)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        db_index=False,
    )
    changed_at = models.DateTimeField()

    class Meta:
        ordering = ["observation", "-changed_at", "-id"]

    def __str__(self) -> str:
        return f"{self.action} {self.observation_id} at {self.changed_at}"


class Rollup(models.Model):
    """An indicator's value for one period over a partner subtree (or the whole initiative)."""

    initiative = models.ForeignKey("core.Initiative", on_delete=models.CASCADE, related_name="+")
    indicator = models.ForeignKey(
        Indicator, on_delete=models.CASCADE, related_name="rollups", db_index=False
    )
    period = models.CharField(max_length=10)
    period_start = models.DateField()
    scope = models.ForeignKey(
        Partner, on_delete=models.CASCADE, null=True, blank=True, related_name="rollups"
    )
    breakdown = models.CharField(max_length=60, blank=True, default="")
    value = models.DecimalField(null=True, blank=True, **DECIMAL)
    numerator = models.DecimalField(null=True, blank=True, **DECIMAL)
    denominator = models.DecimalField(null=True, blank=True, **DECIMAL)
    reporting_partners = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["indicator", "period_start"]
        constraints = [
            models.UniqueConstraint(
                fields=["indicator", "period", "breakdown"],
                condition=Q(scope__isnull=True),
                name="rollup_collective_unique",
            ),
            models.UniqueConstraint(
                fields=["indicator", "period", "scope", "breakdown"],
                condition=Q(scope__isnull=False),
                name="rollup_scope_unique",
            ),
        ]
        indexes = [models.Index(fields=["indicator", "scope", "breakdown", "period_start"])]

    def __str__(self) -> str:
        return f"{self.indicator_id} {self.period} scope={self.scope_id}: {self.value}"


class IndicatorStatus(models.Model):
    """Latest value, target, status, forecast and sparkline of an indicator for one scope."""

    initiative = models.ForeignKey("core.Initiative", on_delete=models.CASCADE, related_name="+")
    indicator = models.ForeignKey(Indicator, on_delete=models.CASCADE, related_name="statuses")
    scope = models.ForeignKey(
        Partner, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.NO_DATA)
    reason = models.CharField(max_length=300, blank=True)
    latest_period = models.CharField(max_length=10, blank=True)
    latest_value = models.DecimalField(null=True, blank=True, **DECIMAL)
    target_period = models.CharField(max_length=10, blank=True)
    target_value = models.DecimalField(null=True, blank=True, **DECIMAL)
    forecast_value = models.DecimalField(null=True, blank=True, **DECIMAL)
    sparkline = models.JSONField(default=list, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["indicator"],
                condition=Q(scope__isnull=True),
                name="status_collective_unique",
            ),
            models.UniqueConstraint(
                fields=["indicator", "scope"],
                condition=Q(scope__isnull=False),
                name="status_scope_unique",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.indicator_id} scope={self.scope_id}: {self.status}"


class Narrative(InitiativeOwned):
    """The story behind the curve for one indicator and period."""

    indicator = models.ForeignKey(Indicator, on_delete=models.CASCADE, related_name="narratives")
    period = models.CharField(max_length=10)
    story = models.TextField(
        "story behind the curve", blank=True, help_text="Why does the curve look like this?"
    )
    factors = models.TextField(blank=True, help_text="The forces at work, positive and negative.")
    partners_text = models.TextField(
        "partners who could help", blank=True, help_text="Who has a role to play in doing better?"
    )
    partners = models.ManyToManyField(Partner, blank=True, related_name="+")
    what_works = models.TextField(
        blank=True, help_text="What works to turn the curve — evidence and ideas."
    )
    action_plan = models.TextField(blank=True, help_text="What we propose to do, by whom, when.")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )

    class Meta:
        ordering = ["indicator", "-period"]
        constraints = [
            models.UniqueConstraint(fields=["indicator", "period"], name="narrative_unique")
        ]

    def __str__(self) -> str:
        return f"Story behind {self.indicator.code} {self.period}"


class ImportJob(InitiativeOwned):
    """A spreadsheet import: uploaded, checked (preview + row errors), then applied atomically."""

    uid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    file = models.FileField(upload_to="imports/%Y/%m/")
    filename = models.CharField(max_length=255)
    layout = models.CharField(max_length=10, default="long")
    mapping = models.JSONField(default=dict, blank=True)
    state = models.CharField(
        max_length=10, choices=ImportState.choices, default=ImportState.UPLOADED
    )
    only_valid = models.BooleanField(default=False)
    total_rows = models.PositiveIntegerField(default=0)
    processed_rows = models.PositiveIntegerField(default=0)
    created_count = models.PositiveIntegerField(default=0)
    updated_count = models.PositiveIntegerField(default=0)
    unchanged_count = models.PositiveIntegerField(default=0)
    errors = models.JSONField(default=list, blank=True)
    message = models.TextField(blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"Import {self.filename} ({self.state})"


class ImportRow(models.Model):
    """A checked row of an import, kept from the preview until the import is confirmed.

    Confirming writes the staged rows with a few set-based statements instead of reading and
    checking the file a second time (see `services.imports`). Plain ids, no foreign keys: the
    rows live minutes, and `services.imports.fingerprint` tells when indicators or partners
    changed since the check (then the file is read and checked again)."""

    job = models.ForeignKey(ImportJob, on_delete=models.CASCADE, related_name="+")
    row = models.PositiveIntegerField()
    indicator_id = models.BigIntegerField()
    partner_id = models.BigIntegerField()
    period = models.CharField(max_length=10)
    period_start = models.DateField()
    breakdown = models.CharField(max_length=60, blank=True, default="")
    value = models.DecimalField(null=True, blank=True, **DECIMAL)
    numerator = models.DecimalField(null=True, blank=True, **DECIMAL)
    denominator = models.DecimalField(null=True, blank=True, **DECIMAL)
    note = models.TextField(blank=True)
    has_note = models.BooleanField(default=False)

    def __str__(self) -> str:
        return f"Import row {self.row} of job {self.job_id}"
