"""Common agenda: versions of the agenda and their outcome trees.

An `Outcome` is the stable identity of an outcome across agenda versions (its `uid` never
changes); measures and activities link to it. Each version holds its own wording and place in
the tree as `OutcomeNode` rows. `Outcome.title` is the current wording (of the adopted version,
or of the draft while none is adopted), kept by the agenda services for cheap reads elsewhere.
"""

import uuid

from django.conf import settings
from django.db import models
from django.urls import reverse

from collective.core.models import InitiativeOwned, Partner

from .choices import Horizon, OutcomeKind, VersionStatus


class AgendaVersion(InitiativeOwned):
    uid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    number = models.PositiveIntegerField()
    status = models.CharField(
        max_length=20, choices=VersionStatus.choices, default=VersionStatus.DRAFT
    )
    title = models.CharField(max_length=200, blank=True)
    problem_statement = models.TextField(blank=True)
    vision = models.TextField(blank=True)
    principles = models.TextField("guiding principles", blank=True)
    rationale = models.TextField(
        blank=True, help_text="Why this version differs from the one before it."
    )
    learning = models.TextField(
        blank=True, help_text="The learning or feedback that drove this version."
    )
    based_on = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    consultation_opened_at = models.DateTimeField(null=True, blank=True)
    consultation_closed_at = models.DateTimeField(null=True, blank=True)
    consultation_summary = models.TextField(blank=True)
    adopted_at = models.DateTimeField(null=True, blank=True)
    adopted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # Optimistic locking: every save of the draft's content bumps it; a stale save is refused.
    revision = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["initiative", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["initiative", "number"], name="agenda_version_number"),
            models.UniqueConstraint(
                fields=["initiative"],
                condition=models.Q(status="adopted"),
                name="one_adopted_agenda_version",
            ),
        ]

    def __str__(self) -> str:
        return f"Agenda v{self.number}" + (f" — {self.title}" if self.title else "")

    def get_absolute_url(self) -> str:
        return reverse(
            "agenda:version-detail", kwargs={"slug": self.initiative.slug, "number": self.number}
        )


class Outcome(InitiativeOwned):
    """The stable identity of an outcome across versions; measures and activities link here."""

    uid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    title = models.CharField(max_length=300, help_text="Current wording (kept by the services).")
    kind = models.CharField(max_length=20, choices=OutcomeKind.choices, default=OutcomeKind.OUTCOME)
    retired = models.BooleanField(
        default=False, help_text="Not in the adopted version any more (kept for history)."
    )

    class Meta:
        ordering = ["initiative", "title"]

    def __str__(self) -> str:
        return self.title


class OutcomeNode(models.Model):
    """An outcome as one agenda version words it and places it in the tree."""

    version = models.ForeignKey(AgendaVersion, on_delete=models.CASCADE, related_name="nodes")
    outcome = models.ForeignKey(Outcome, on_delete=models.PROTECT, related_name="nodes")
    parent = models.ForeignKey(
        "self", on_delete=models.CASCADE, null=True, blank=True, related_name="children"
    )
    kind = models.CharField(max_length=20, choices=OutcomeKind.choices, default=OutcomeKind.OUTCOME)
    statement = models.CharField(max_length=300)
    description = models.TextField(blank=True)
    horizon = models.CharField(max_length=10, choices=Horizon.choices, default=Horizon.MEDIUM)
    lead_partner = models.ForeignKey(
        Partner, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    co_partners = models.ManyToManyField(Partner, blank=True, related_name="+")
    order = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["version", "order", "id"]
        constraints = [
            models.UniqueConstraint(fields=["version", "outcome"], name="one_node_per_version")
        ]

    def __str__(self) -> str:
        return self.statement
