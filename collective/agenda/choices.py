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


class Section(models.TextChoices):
    """The parts of an agenda version people comment on (an outcome is its own target)."""

    PROBLEM = "problem_statement", "Problem statement"
    VISION = "vision", "Vision"
    PRINCIPLES = "principles", "Guiding principles"
    OUTCOME = "outcome", "Outcome"


TEXT_SECTIONS = [Section.PROBLEM, Section.VISION, Section.PRINCIPLES]


class ItemKind(models.TextChoices):
    COMMENT = "comment", "Comment"
    AMENDMENT = "amendment", "Amendment"
    CONCERN = "concern", "Concern"
    SUPPORT = "support", "Support"


class ItemStatus(models.TextChoices):
    """Only amendments are decided; other items stay `open`."""

    OPEN = "open", "Open"
    ACCEPTED = "accepted", "Accepted"
    DECLINED = "declined", "Declined"


class Stance(models.TextChoices):
    ENDORSED = "endorsed", "Endorsed"
    RESERVATIONS = "reservations", "Endorsed with reservations"
    DECLINED = "declined", "Does not endorse"


# Stances that count as standing behind the agenda.
ENDORSING = (Stance.ENDORSED, Stance.RESERVATIONS)
