"""Mutually reinforcing activities: what each partner does, what it claims to contribute to,
what depends on what, partner strengths, overlap decisions and the relationship survey.

Activities link to the agenda's stable `Outcome` and to shared measurement's `Indicator`;
contribution claims are reviewed by other partners (contribution, not attribution).
"""

import uuid

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse

from collective.core.models import InitiativeOwned, Partner

from .choices import (
    ActivityStatus,
    Collaboration,
    Lever,
    OverlapDecisionKind,
    RoundStatus,
    Strength,
    Verdict,
)

RATING = [MinValueValidator(1), MaxValueValidator(4)]


class Capability(InitiativeOwned):
    """A strength partners can have, from the initiative's list (the backbone keeps it)."""

    initiative = models.ForeignKey(
        "core.Initiative", on_delete=models.CASCADE, related_name="capabilities"
    )
    name = models.CharField(max_length=100)
    description = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["initiative", "name"]
        verbose_name_plural = "capabilities"
        constraints = [
            models.UniqueConstraint(fields=["initiative", "name"], name="capability_name_unique")
        ]

    def __str__(self) -> str:
        return self.name


class PartnerStrength(InitiativeOwned):
    """A partner's own rating of one capability: 1 (some) to 4 (a leading strength)."""

    partner = models.ForeignKey(Partner, on_delete=models.CASCADE, related_name="+")
    capability = models.ForeignKey(Capability, on_delete=models.CASCADE, related_name="ratings")
    level = models.PositiveSmallIntegerField(validators=RATING)
    note = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["capability", "-level"]
        constraints = [
            models.UniqueConstraint(fields=["partner", "capability"], name="strength_unique"),
            models.CheckConstraint(
                condition=Q(level__gte=1, level__lte=4), name="strength_level_1_4"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.partner} — {self.capability} ({self.level})"


class Activity(InitiativeOwned):
    initiative = models.ForeignKey(
        "core.Initiative", on_delete=models.CASCADE, related_name="activities"
    )
    uid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    partner = models.ForeignKey(Partner, on_delete=models.PROTECT, related_name="activities")
    title = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    status = models.CharField(
        max_length=10, choices=ActivityStatus.choices, default=ActivityStatus.PLANNED
    )
    lever = models.CharField(
        "systems-change lever",
        max_length=20,
        choices=Lever.choices,
        default=Lever.PROGRAMME,
        help_text="Which condition of the system this activity changes — or a programme or "
        "service that helps people directly.",
    )
    start = models.DateField(null=True, blank=True)
    end = models.DateField(null=True, blank=True)
    lead_person = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    supporting_partners = models.ManyToManyField(
        Partner, blank=True, related_name="supported_activities"
    )
    percent_complete = models.PositiveSmallIntegerField(
        default=0, validators=[MaxValueValidator(100)]
    )
    budget = models.DecimalField(max_digits=14, decimal_places=2, null=True, blank=True)
    funder = models.CharField(max_length=200, blank=True)
    measures = models.ManyToManyField(
        "measurement.Indicator",
        blank=True,
        related_name="measured_activities",
        help_text="The activity's own performance measures (indicators of level activity or "
        "output: how much, how well, is anyone better off).",
    )
    # Set when something it depends on slipped; cleared when the owner acknowledges it.
    waiting_reason = models.CharField(max_length=300, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )

    class Meta:
        ordering = ["initiative", "title"]
        verbose_name_plural = "activities"
        indexes = [models.Index(fields=["initiative", "partner"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(start__isnull=True)
                | Q(end__isnull=True)
                | Q(end__gte=models.F("start")),
                name="activity_end_after_start",
            ),
            models.CheckConstraint(
                condition=Q(percent_complete__lte=100), name="activity_percent_0_100"
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse(
            "activities:activity-detail", kwargs={"slug": self.initiative.slug, "uid": self.uid}
        )


class ProgressEntry(InitiativeOwned):
    """A dated note in the activity's progress log (with the % complete at that time)."""

    activity = models.ForeignKey(Activity, on_delete=models.CASCADE, related_name="progress")
    date = models.DateField()
    note = models.TextField()
    percent_complete = models.PositiveSmallIntegerField(
        null=True, blank=True, validators=[MaxValueValidator(100)]
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )

    class Meta:
        ordering = ["activity", "-date", "-id"]
        verbose_name_plural = "progress entries"

    def __str__(self) -> str:
        return f"{self.activity} {self.date}"


class Milestone(InitiativeOwned):
    activity = models.ForeignKey(Activity, on_delete=models.CASCADE, related_name="milestones")
    title = models.CharField(max_length=200)
    due = models.DateField(null=True, blank=True)
    done_on = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["activity", "due", "id"]

    def __str__(self) -> str:
        return self.title


class Dependency(InitiativeOwned):
    """`activity` needs `needs` (that one must deliver first). Cycles are refused."""

    activity = models.ForeignKey(Activity, on_delete=models.CASCADE, related_name="dependencies")
    needs = models.ForeignKey(Activity, on_delete=models.CASCADE, related_name="dependents")
    note = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["activity", "needs"]
        verbose_name_plural = "dependencies"
        constraints = [
            models.UniqueConstraint(fields=["activity", "needs"], name="dependency_unique"),
            models.CheckConstraint(
                condition=~Q(activity=models.F("needs")), name="dependency_not_self"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.activity} needs {self.needs}"


class Contribution(InitiativeOwned):
    """A contribution claim: the activity works toward an outcome or an indicator."""

    uid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    activity = models.ForeignKey(Activity, on_delete=models.CASCADE, related_name="claims")
    outcome = models.ForeignKey(
        "agenda.Outcome",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="contributions",
    )
    indicator = models.ForeignKey(
        "measurement.Indicator",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="contributions",
    )
    strength = models.CharField(max_length=10, choices=Strength.choices, default=Strength.DIRECT)
    rationale = models.TextField(help_text="How the activity contributes — the causal story.")
    evidence = models.TextField(blank=True, help_text="What shows it works: findings, data.")
    links = models.JSONField(default=list, blank=True)
    alternatives = models.TextField(
        "alternative explanations considered",
        blank=True,
        help_text="What else could explain a change (other partners, the economy, …).",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )

    class Meta:
        ordering = ["activity", "id"]
        indexes = [models.Index(fields=["initiative", "outcome"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(outcome__isnull=False) | Q(indicator__isnull=False),
                name="contribution_has_target",
            ),
            models.UniqueConstraint(
                fields=["activity", "outcome"],
                condition=Q(outcome__isnull=False),
                name="contribution_outcome_unique",
            ),
            models.UniqueConstraint(
                fields=["activity", "indicator"],
                condition=Q(indicator__isnull=False),
                name="contribution_indicator_unique",
            ),
        ]

    def __str__(self) -> str:
        target = self.outcome or self.indicator
        return f"{self.activity} → {target}"


class ClaimReview(InitiativeOwned):
    """Another partner's (or the backbone's) verdict on a claim: substantiated or contested."""

    contribution = models.ForeignKey(Contribution, on_delete=models.CASCADE, related_name="reviews")
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    partner = models.ForeignKey(
        Partner, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    verdict = models.CharField(max_length=15, choices=Verdict.choices)
    comment = models.TextField()

    class Meta:
        ordering = ["contribution", "-updated_at"]
        constraints = [
            models.UniqueConstraint(fields=["contribution", "reviewer"], name="one_review_each")
        ]

    def __str__(self) -> str:
        return f"{self.get_verdict_display()} by {self.reviewer}"


class OverlapDecision(InitiativeOwned):
    """What the backbone decided about a pair of activities that look alike.

    The pair is stored in id order. `fingerprint` is a hash of both texts at the time: a
    "not an overlap" whose texts have been rewritten since no longer hides the pair.
    """

    first = models.ForeignKey(Activity, on_delete=models.CASCADE, related_name="+")
    second = models.ForeignKey(Activity, on_delete=models.CASCADE, related_name="+")
    decision = models.CharField(max_length=12, choices=OverlapDecisionKind.choices)
    note = models.TextField(blank=True)
    fingerprint = models.CharField(max_length=64)
    score = models.FloatField(default=0)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )

    class Meta:
        ordering = ["-updated_at"]
        constraints = [
            models.UniqueConstraint(fields=["first", "second"], name="overlap_pair_unique"),
            models.CheckConstraint(condition=Q(first__lt=models.F("second")), name="overlap_order"),
        ]

    def __str__(self) -> str:
        return f"{self.first} / {self.second}: {self.get_decision_display()}"


class OverlapScan(InitiativeOwned):
    """A background run of overlap detection over all pairs, with progress."""

    uid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    state = models.CharField(max_length=10, default="queued")  # queued, running, done, failed
    threshold = models.FloatField()
    total = models.PositiveIntegerField(default=0)
    processed = models.PositiveIntegerField(default=0)
    results = models.JSONField(default=list, blank=True)
    message = models.CharField(max_length=300, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"Overlap scan {self.created_at:%Y-%m-%d %H:%M} ({self.state})"


class HelpTie(InitiativeOwned):
    """Help one partner gave another (from the communication condition's help-offered event)."""

    from_partner = models.ForeignKey(Partner, on_delete=models.CASCADE, related_name="+")
    to_partner = models.ForeignKey(Partner, on_delete=models.CASCADE, related_name="+")
    count = models.PositiveIntegerField(default=0)
    last_at = models.DateTimeField()

    class Meta:
        ordering = ["-last_at"]
        constraints = [
            models.UniqueConstraint(fields=["from_partner", "to_partner"], name="help_tie_unique")
        ]

    def __str__(self) -> str:
        return f"{self.from_partner} helped {self.to_partner} ×{self.count}"


class SurveyRound(InitiativeOwned):
    """A round of the relationship survey (the PARTNER tool's questions)."""

    uid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    title = models.CharField(max_length=200)
    status = models.CharField(max_length=10, choices=RoundStatus.choices, default=RoundStatus.OPEN)
    opened_on = models.DateField()
    closed_on = models.DateField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )

    class Meta:
        ordering = ["initiative", "-opened_on", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["initiative"],
                condition=Q(status="open"),
                name="one_open_survey_round",
            )
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse(
            "activities:survey-detail", kwargs={"slug": self.initiative.slug, "uid": self.uid}
        )


class SurveyAnswer(InitiativeOwned):
    """One partner's answer about another partner in a round."""

    round = models.ForeignKey(SurveyRound, on_delete=models.CASCADE, related_name="answers")
    respondent = models.ForeignKey(Partner, on_delete=models.CASCADE, related_name="+")
    about = models.ForeignKey(Partner, on_delete=models.CASCADE, related_name="+")
    collaboration = models.CharField(max_length=15, choices=Collaboration.choices)
    reliability = models.PositiveSmallIntegerField(null=True, blank=True, validators=RATING)
    mission = models.PositiveSmallIntegerField(null=True, blank=True, validators=RATING)
    openness = models.PositiveSmallIntegerField(null=True, blank=True, validators=RATING)
    power = models.PositiveSmallIntegerField(null=True, blank=True, validators=RATING)
    involvement = models.PositiveSmallIntegerField(null=True, blank=True, validators=RATING)
    resources = models.PositiveSmallIntegerField(null=True, blank=True, validators=RATING)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )

    class Meta:
        ordering = ["round", "respondent", "about"]
        constraints = [
            models.UniqueConstraint(fields=["round", "respondent", "about"], name="answer_unique"),
            models.CheckConstraint(
                condition=~Q(respondent=models.F("about")), name="answer_not_self"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.respondent} about {self.about}: {self.collaboration}"
