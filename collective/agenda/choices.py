"""Choices of the common agenda."""

from django.db import models


class VersionStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    CONSULTATION = "consultation", "In consultation"
    ADOPTED = "adopted", "Adopted"
    SUPERSEDED = "superseded", "Superseded"


class Horizon(models.TextChoices):
    SHORT = "short", "Short term (up to 1 year)"
    MEDIUM = "medium", "Medium term (1–3 years)"
    LONG = "long", "Long term (3+ years)"


class OutcomeKind(models.TextChoices):
    GOAL = "goal", "Goal"
    OUTCOME = "outcome", "Outcome"
    SUB_OUTCOME = "sub_outcome", "Sub-outcome"
