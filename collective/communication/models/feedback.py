"""Feedback loops that are closed: you said, we did."""

import uuid

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.urls import reverse

from collective.core.models import InitiativeOwned, Partner

from ..choices import FeedbackStatus, FeedbackTheme


class Feedback(InitiativeOwned):
    uid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    theme = models.CharField(max_length=20, choices=FeedbackTheme.choices)
    body = models.TextField()
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    partner = models.ForeignKey(
        Partner, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    anonymous = models.BooleanField(default=False)
    via_link = models.BooleanField(default=False, help_text="Given through the public link.")
    status = models.CharField(
        max_length=12, choices=FeedbackStatus.choices, default=FeedbackStatus.NEW
    )
    response = models.TextField(blank=True, help_text="The public answer: you said, we did.")
    responded_at = models.DateTimeField(null=True, blank=True)
    responded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    closed_at = models.DateTimeField(null=True, blank=True)
    # What it led to (an agenda version, a decision, an activity): any object, by type and id.
    led_to_type = models.ForeignKey(
        ContentType, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    led_to_id = models.CharField(max_length=64, blank=True)
    led_to_label = models.CharField(max_length=300, blank=True)
    led_to_url = models.CharField(max_length=500, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["initiative", "status"])]

    def __str__(self) -> str:
        return f"Feedback on {self.get_theme_display().lower()}"

    @property
    def led_to_change(self) -> bool:
        return bool(self.led_to_type_id or self.led_to_label)

    def get_absolute_url(self) -> str:
        return reverse(
            "communication:feedback-detail", kwargs={"slug": self.initiative.slug, "uid": self.uid}
        )
