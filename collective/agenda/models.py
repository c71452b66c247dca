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

from .choices import (
    Horizon,
    ItemKind,
    ItemStatus,
    OutcomeKind,
    Section,
    Stance,
    VersionStatus,
)


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
            # One working version (draft or in consultation) at a time.
            models.UniqueConstraint(
                fields=["initiative"],
                condition=models.Q(status__in=["draft", "consultation"]),
                name="one_working_agenda_version",
            ),
        ]

    def __str__(self) -> str:
        return f"Agenda v{self.number}" + (f" — {self.title}" if self.title else "")

    @property
    def is_working(self) -> bool:
        """A draft or a version in consultation: its content can still change."""
        return self.status in (VersionStatus.DRAFT, VersionStatus.CONSULTATION)

    @property
    def consultation_is_open(self) -> bool:
        return self.status == VersionStatus.CONSULTATION

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


class ConsultationItem(InitiativeOwned):
    """A comment, amendment, concern or support on a section or outcome of a version.

    Replies point to their `parent` and share its target. An amendment carries the proposed
    replacement text and the text it was written against (`base_text`), so the decision can
    still be shown as a diff after the draft has moved on.
    """

    uid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    version = models.ForeignKey(
        AgendaVersion, on_delete=models.CASCADE, related_name="consultation_items"
    )
    parent = models.ForeignKey(
        "self", on_delete=models.CASCADE, null=True, blank=True, related_name="replies"
    )
    kind = models.CharField(max_length=12, choices=ItemKind.choices, default=ItemKind.COMMENT)
    section = models.CharField(max_length=20, choices=Section.choices)
    outcome = models.ForeignKey(
        Outcome, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    # The partner the author spoke for when writing: voices are counted by it.
    partner = models.ForeignKey(
        Partner, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    body = models.TextField(blank=True)
    proposed_text = models.TextField(blank=True)
    base_text = models.TextField(blank=True)
    status = models.CharField(max_length=10, choices=ItemStatus.choices, default=ItemStatus.OPEN)
    decision_reason = models.TextField(blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["version", "created_at", "id"]
        indexes = [models.Index(fields=["version", "section"])]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} on {self.get_section_display().lower()}"


class Endorsement(InitiativeOwned):
    """Where a partner stands on an adopted version: endorsed, endorsed with reservations (what
    would need to change), or does not endorse (and why)."""

    version = models.ForeignKey(
        AgendaVersion, on_delete=models.CASCADE, related_name="endorsements"
    )
    partner = models.ForeignKey(Partner, on_delete=models.CASCADE, related_name="+")
    stance = models.CharField(max_length=15, choices=Stance.choices, default=Stance.ENDORSED)
    reservations = models.TextField(blank=True)
    reason = models.TextField(blank=True)  # why the partner does not endorse
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )

    class Meta:
        ordering = ["version", "partner__path"]
        constraints = [
            models.UniqueConstraint(
                fields=["version", "partner"], name="one_endorsement_per_partner"
            )
        ]

    def __str__(self) -> str:
        return f"{self.partner} — {self.get_stance_display().lower()} v{self.version.number}"
