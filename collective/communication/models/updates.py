"""The updates feed: progress, learning, risk and help wanted, with replies and offers of help."""

import uuid

from django.conf import settings
from django.db import models
from django.urls import reverse

from collective.core.models import InitiativeOwned, Partner

from ..choices import UpdateKind
from .links import ActivityLink


class Update(InitiativeOwned, ActivityLink):
    uid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    kind = models.CharField(max_length=12, choices=UpdateKind.choices)
    title = models.CharField(max_length=200)
    body = models.TextField(blank=True)
    partner = models.ForeignKey(
        Partner, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    outcome = models.ForeignKey(
        "agenda.Outcome",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="communication_updates",
    )
    indicator = models.ForeignKey(
        "measurement.Indicator",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="communication_updates",
    )
    resolved_at = models.DateTimeField(null=True, blank=True, help_text="Help wanted: resolved.")
    reply_count = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["initiative", "-created_at", "-id"]),
            models.Index(fields=["initiative", "kind", "-created_at"]),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse(
            "communication:update-detail", kwargs={"slug": self.initiative.slug, "uid": self.uid}
        )


class UpdateReply(InitiativeOwned):
    update = models.ForeignKey(Update, on_delete=models.CASCADE, related_name="replies")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    body = models.TextField()

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"Reply to {self.update_id}"


class HelpOffer(InitiativeOwned):
    """Another partner offers help on a help-wanted post: a tie between two partners."""

    update = models.ForeignKey(Update, on_delete=models.CASCADE, related_name="offers")
    partner = models.ForeignKey(Partner, on_delete=models.CASCADE, related_name="+")
    offered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    message = models.TextField()
    accepted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at"]
        constraints = [
            models.UniqueConstraint(fields=["update", "partner"], name="one_offer_per_partner")
        ]

    def __str__(self) -> str:
        return f"{self.partner_id} offers help on {self.update_id}"
