"""Action items: who does what by when, linked to where it came from."""

import uuid

from django.conf import settings
from django.db import models
from django.urls import reverse

from collective.core.models import InitiativeOwned, Partner

from ..choices import ActionStatus
from .links import ActivityLink


class ActionItem(InitiativeOwned, ActivityLink):
    uid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    title = models.CharField(max_length=300)
    description = models.TextField(blank=True)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    owner_partner = models.ForeignKey(
        Partner, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    due_date = models.DateField(db_index=True)
    status = models.CharField(
        max_length=12, choices=ActionStatus.choices, default=ActionStatus.OPEN
    )
    done_at = models.DateTimeField(null=True, blank=True)
    occurrence = models.ForeignKey(
        "communication.Occurrence",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="actions",
    )
    decision = models.ForeignKey(
        "communication.Decision",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="actions",
    )
    outcome = models.ForeignKey(
        "agenda.Outcome",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="action_items",
    )
    indicator = models.ForeignKey(
        "measurement.Indicator",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="action_items",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )

    class Meta:
        ordering = ["due_date", "id"]
        indexes = [models.Index(fields=["initiative", "status", "due_date"])]

    def __str__(self) -> str:
        return self.title

    @property
    def is_open(self) -> bool:
        return self.status in (ActionStatus.OPEN, ActionStatus.IN_PROGRESS)

    def get_absolute_url(self) -> str:
        return reverse(
            "communication:action-detail", kwargs={"slug": self.initiative.slug, "uid": self.uid}
        )
