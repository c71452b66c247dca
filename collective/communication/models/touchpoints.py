"""Touchpoints: recurring series, their occurrences, agendas, attendance and minutes."""

import datetime as dt
import uuid

from django.conf import settings
from django.db import models
from django.urls import reverse

from collective.core.models import InitiativeOwned, Partner

from ..choices import (
    AttendanceStatus,
    Cadence,
    ItemOutcome,
    ItemSource,
    MinutesState,
    OccurrenceStatus,
    TouchpointKind,
)
from .links import ActivityLink


class TouchpointSeries(InitiativeOwned):
    uid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    title = models.CharField(max_length=200)
    kind = models.CharField(max_length=20, choices=TouchpointKind.choices)
    purpose = models.TextField(blank=True)
    cadence = models.CharField(max_length=12, choices=Cadence.choices, default=Cadence.MONTHLY)
    rrule = models.CharField(
        max_length=300, help_text="The recurrence as an iCalendar RRULE (kept by the services)."
    )
    # Wall-clock date and time in the series' time zone: occurrences keep the time of day
    # across daylight saving.
    first_date = models.DateField(help_text="Date of the first meeting.")
    start_time = models.TimeField(help_text="Local start time in the series' time zone.")
    time_zone = models.CharField(max_length=64, default="UTC")
    duration_minutes = models.PositiveIntegerField(default=60)
    facilitator = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    location = models.CharField(max_length=300, blank=True, help_text="A place or a link.")
    agenda_template = models.TextField(blank=True)
    correction_days = models.PositiveSmallIntegerField(default=5)
    partners = models.ManyToManyField(Partner, blank=True, related_name="+")
    members = models.ManyToManyField(settings.AUTH_USER_MODEL, blank=True, related_name="+")
    # Raised on every change of the series: calendar clients replace what they hold.
    sequence = models.PositiveIntegerField(default=0)
    ended = models.BooleanField(default=False)

    class Meta:
        ordering = ["initiative", "title"]

    def __str__(self) -> str:
        return self.title

    @property
    def first_start(self) -> dt.datetime:
        """The first meeting's start as a naive local time in the series' time zone."""
        return dt.datetime.combine(self.first_date, self.start_time)

    def get_absolute_url(self) -> str:
        return reverse(
            "communication:series-detail", kwargs={"slug": self.initiative.slug, "uid": self.uid}
        )


class Occurrence(InitiativeOwned):
    uid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    series = models.ForeignKey(
        TouchpointSeries, on_delete=models.CASCADE, related_name="occurrences"
    )
    # The start the rule gives (RECURRENCE-ID); `start` differs when the occurrence was moved.
    original_start = models.DateTimeField()
    start = models.DateTimeField(db_index=True)
    end = models.DateTimeField()
    status = models.CharField(
        max_length=10, choices=OccurrenceStatus.choices, default=OccurrenceStatus.SCHEDULED
    )
    location = models.CharField(max_length=300, blank=True)
    note = models.CharField(max_length=300, blank=True, help_text="Why it was moved or cancelled.")
    minutes = models.TextField(blank=True)
    minutes_state = models.CharField(
        max_length=12, choices=MinutesState.choices, default=MinutesState.DRAFT
    )
    corrections_until = models.DateTimeField(null=True, blank=True)
    minutes_locked_at = models.DateTimeField(null=True, blank=True)
    agenda_drafted_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    sequence = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["start"]
        constraints = [
            models.UniqueConstraint(
                fields=["series", "original_start"], name="one_occurrence_per_instance"
            )
        ]
        indexes = [models.Index(fields=["initiative", "status", "start"])]

    def __str__(self) -> str:
        return f"{self.series.title} — {self.start:%Y-%m-%d}"

    @property
    def is_moved(self) -> bool:
        return self.start != self.original_start

    @property
    def is_cancelled(self) -> bool:
        return self.status == OccurrenceStatus.CANCELLED

    @property
    def is_closed(self) -> bool:
        return self.status == OccurrenceStatus.CLOSED

    def get_absolute_url(self) -> str:
        return reverse(
            "communication:meeting-detail", kwargs={"slug": self.initiative.slug, "uid": self.uid}
        )


class BacklogTopic(InitiativeOwned):
    """A topic waiting for a meeting of the series; the next agenda draft picks it up."""

    series = models.ForeignKey(TouchpointSeries, on_delete=models.CASCADE, related_name="backlog")
    title = models.CharField(max_length=300)
    note = models.TextField(blank=True)
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    scheduled_in = models.ForeignKey(
        Occurrence, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["created_at"]

    def __str__(self) -> str:
        return self.title


class AgendaItem(InitiativeOwned, ActivityLink):
    uid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    occurrence = models.ForeignKey(Occurrence, on_delete=models.CASCADE, related_name="items")
    order = models.PositiveIntegerField(default=0)
    title = models.CharField(max_length=300)
    notes = models.TextField(blank=True)
    source = models.CharField(max_length=20, choices=ItemSource.choices, default=ItemSource.MANUAL)
    # The evidence the item stands for (a key per source, so a redraft does not add it twice).
    source_key = models.CharField(max_length=80, blank=True)
    minutes_estimate = models.PositiveSmallIntegerField(default=10)
    outcome = models.ForeignKey(
        "agenda.Outcome",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="agenda_items",
    )
    indicator = models.ForeignKey(
        "measurement.Indicator",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="agenda_items",
    )
    result = models.CharField(max_length=12, choices=ItemOutcome.choices, default=ItemOutcome.OPEN)
    result_note = models.TextField(blank=True)
    carried_from = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="carried_to"
    )

    class Meta:
        ordering = ["occurrence", "order", "id"]

    def __str__(self) -> str:
        return self.title

    def history(self) -> list["AgendaItem"]:
        """The earlier meetings this item was carried from, oldest first."""
        chain, item = [], self.carried_from
        while item is not None and len(chain) < 50:
            chain.append(item)
            item = item.carried_from
        return list(reversed(chain))


class Attendance(InitiativeOwned):
    occurrence = models.ForeignKey(Occurrence, on_delete=models.CASCADE, related_name="attendance")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    partner = models.ForeignKey(
        Partner, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    status = models.CharField(
        max_length=10, choices=AttendanceStatus.choices, default=AttendanceStatus.PRESENT
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["occurrence", "user"],
                condition=models.Q(user__isnull=False),
                name="attendance_person_once",
            ),
            models.UniqueConstraint(
                fields=["occurrence", "partner"],
                condition=models.Q(user__isnull=True),
                name="attendance_partner_once",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user_id or self.partner_id} at {self.occurrence_id}"


class MinutesCorrection(InitiativeOwned):
    occurrence = models.ForeignKey(Occurrence, on_delete=models.CASCADE, related_name="corrections")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    body = models.TextField()
    applied = models.BooleanField(default=False)

    class Meta:
        ordering = ["created_at"]

    def __str__(self) -> str:
        return f"Correction to {self.occurrence_id}"
