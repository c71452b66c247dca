"""The decision register: decisions taken in a meeting or asynchronously, and their review."""

import uuid

from django.conf import settings
from django.db import models
from django.urls import reverse

from collective.core.models import InitiativeOwned

from ..choices import DecisionMethod, DecisionStatus, Stance


class Decision(InitiativeOwned):
    uid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    number = models.PositiveIntegerField()
    title = models.CharField(max_length=200)
    proposal = models.TextField(blank=True, help_text="What is proposed and why (Markdown).")
    statement = models.TextField(
        blank=True, help_text="The decision as recorded by the backbone (Markdown)."
    )
    method = models.CharField(max_length=10, choices=DecisionMethod.choices)
    status = models.CharField(
        max_length=10, choices=DecisionStatus.choices, default=DecisionStatus.PROPOSED
    )
    occurrence = models.ForeignKey(
        "communication.Occurrence",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="decisions",
    )
    deadline = models.DateTimeField(null=True, blank=True)
    quorum_percent = models.PositiveSmallIntegerField(
        default=50, help_text="Share of those asked who must respond for the proposal to count."
    )
    asked = models.ManyToManyField(settings.AUTH_USER_MODEL, blank=True, related_name="+")
    consulted = models.TextField(blank=True, help_text="Who was consulted, and how.")
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    review_date = models.DateField(null=True, blank=True)
    reviewed_at = models.DateTimeField(null=True, blank=True)
    review_note = models.TextField(blank=True)
    # Named (not hidden) so the agenda can say what links to an outcome before removing it.
    outcomes = models.ManyToManyField("agenda.Outcome", blank=True, related_name="decisions")
    indicators = models.ManyToManyField(
        "measurement.Indicator", blank=True, related_name="decisions"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )

    class Meta:
        ordering = ["-number"]
        constraints = [
            models.UniqueConstraint(fields=["initiative", "number"], name="decision_number")
        ]

    def __str__(self) -> str:
        return f"D{self.number} {self.title}"

    def get_absolute_url(self) -> str:
        return reverse(
            "communication:decision-detail",
            kwargs={"slug": self.initiative.slug, "number": self.number},
        )


class DecisionVote(InitiativeOwned):
    decision = models.ForeignKey(Decision, on_delete=models.CASCADE, related_name="votes")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    stance = models.CharField(max_length=10, choices=Stance.choices)
    reason = models.TextField(blank=True)

    class Meta:
        ordering = ["created_at"]
        constraints = [
            models.UniqueConstraint(fields=["decision", "user"], name="one_vote_per_person")
        ]

    def __str__(self) -> str:
        return f"{self.user} {self.stance} D{self.decision.number}"
