"""Reads of values: lists, history, the review queue, returned values, import jobs."""

from __future__ import annotations

from django.db.models import QuerySet

from collective.core.models import Initiative

from ..choices import ObservationStatus
from ..models import ImportJob, Observation, ObservationHistory


def observation_list(initiative: Initiative) -> QuerySet[Observation]:
    """Values of the initiative (every member reads them), in a stable order;
    `filters.ObservationFilter` narrows it."""
    qs = Observation.objects.filter(initiative=initiative).select_related(
        "indicator", "partner", "submitted_by"
    )
    return qs.order_by("indicator__code", "period_start", "partner__name", "breakdown")


def latest_observations(indicator, limit: int = 12) -> QuerySet[Observation]:
    """The most recent values reported for the indicator (by the index on period_start)."""
    return (
        Observation.objects.filter(indicator=indicator)
        .select_related("partner", "submitted_by")
        .order_by("-period_start", "partner__name", "breakdown")[:limit]
    )


def observation_history(observation) -> QuerySet[ObservationHistory]:
    return ObservationHistory.objects.filter(observation=observation).select_related("changed_by")


def review_queue(initiative) -> QuerySet[Observation]:
    """Values waiting for the backbone's review, oldest first."""
    return (
        Observation.objects.filter(initiative=initiative, status=ObservationStatus.SUBMITTED)
        .select_related("indicator", "partner", "submitted_by")
        .order_by("submitted_at", "id")
    )


def returned_for(initiative, partner) -> QuerySet[Observation]:
    """Values returned to this partner (subtree) for correction."""
    return (
        Observation.objects.filter(
            initiative=initiative,
            status=ObservationStatus.RETURNED,
            partner__path__startswith=partner.path,
        )
        .select_related("indicator", "partner", "reviewed_by")
        .order_by("-reviewed_at")
    )


def import_jobs(initiative, user=None) -> QuerySet[ImportJob]:
    qs = ImportJob.objects.filter(initiative=initiative).select_related("created_by")
    if user is not None:
        qs = qs.filter(created_by=user)
    return qs.order_by("-created_at")
