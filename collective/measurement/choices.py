"""Choices of shared measurement."""

from django.db import models


class ValueType(models.TextChoices):
    NUMBER = "number", "Number"
    PERCENT = "percent", "Percent"
    CURRENCY = "currency", "Currency"
    RATIO = "ratio", "Ratio (numerator ÷ denominator)"


class Direction(models.TextChoices):
    INCREASE = "increase", "Higher is better"
    DECREASE = "decrease", "Lower is better"
    MAINTAIN = "maintain", "Keep at the target"


class IndicatorLevel(models.TextChoices):
    POPULATION = "population", "Population — conditions of well-being for a whole population"
    OUTCOME = "outcome", "Outcome — a change for the people or customers served"
    OUTPUT = "output", "Output — what the partners produce or deliver"
    ACTIVITY = "activity", "Activity — the work itself"


class RbaQuestion(models.TextChoices):
    HOW_MUCH = "how_much", "How much did we do?"
    HOW_WELL = "how_well", "How well did we do it?"
    BETTER_OFF = "better_off", "Is anyone better off?"


class Frequency(models.TextChoices):
    WEEK = "week", "Weekly"
    MONTH = "month", "Monthly"
    QUARTER = "quarter", "Quarterly"
    YEAR = "year", "Yearly"


class Aggregation(models.TextChoices):
    SUM = "sum", "Sum of partners"
    MEAN = "mean", "Mean of partners"
    MIN = "min", "Lowest partner value"
    MAX = "max", "Highest partner value"
    LAST = "last", "Most recently reported value"
    RATIO = "ratio", "Combine numerators and denominators (never average percentages)"


class ObservationStatus(models.TextChoices):
    SUBMITTED = "submitted", "Submitted"
    APPROVED = "approved", "Approved"
    RETURNED = "returned", "Returned for correction"


class Source(models.TextChoices):
    FORM = "form", "Form"
    IMPORT = "import", "Import"
    API = "api", "API"


class Status(models.TextChoices):
    ON_TRACK = "on_track", "On track"
    AT_RISK = "at_risk", "At risk"
    OFF_TRACK = "off_track", "Off track"
    NO_DATA = "no_data", "No data"


class ImportState(models.TextChoices):
    UPLOADED = "uploaded", "Uploaded"
    PREVIEWED = "previewed", "Checked — waiting for confirmation"
    QUEUED = "queued", "Queued"
    RUNNING = "running", "Importing"
    DONE = "done", "Done"
    FAILED = "failed", "Failed"
