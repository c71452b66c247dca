"""Rebuilding every roll-up and status of an initiative, by hand or in the background.

The core raises hooks when a partner moves in the tree (subtree totals change) or when an
initiative turns data review on or off (which values count changes); `schedule_rebuild` listens
and runs `rollups_rebuild_task` once the change is committed. The task is defined here, next to
the service that schedules it, so the service needs no import of `tasks` (which lists it).
"""

from __future__ import annotations

from django.db import models, transaction
from django_tasks import task

from collective.core.audit import audit_record
from collective.core.models import Initiative

from ..engine import rollups, status
from ..models import Indicator, IndicatorStatus, Observation, Rollup


def rollups_rebuild(*, actor, initiative: Initiative, batch: int | None = None) -> int:
    """Recompute every roll-up and status of the initiative (after moving partners, after a
    raw bulk load...). Indicators are processed in batches, so memory stays bounded however
    many values there are; formula indicators follow their inputs."""
    ids = list(
        Indicator.objects.filter(initiative=initiative)
        .order_by(models.F("formula").asc(), "id")
        .values_list("id", flat=True)
    )
    if batch is None:
        # About half a million values per batch: statuses read every roll-up of a batch.
        values = Observation.objects.filter(initiative=initiative).count()
        per_indicator = max(1, values // max(1, len(ids)))
        batch = max(1, min(20, 500_000 // per_indicator))
    changed = 0
    with transaction.atomic():
        Rollup.objects.filter(initiative=initiative).delete()
        IndicatorStatus.objects.filter(initiative=initiative).delete()
        for start in range(0, len(ids), batch):
            chunk = ids[start : start + batch]
            pairs = rollups.refresh(initiative, dict.fromkeys(chunk, None), rollups.ALL)
            status.refresh(initiative, pairs | {(i, None) for i in chunk})
            changed += len(pairs)
        audit_record(actor=actor, verb="rebuilt roll-ups", target=initiative, changes={})
    return changed


@task()
def rollups_rebuild_task(*, initiative_id: int, actor_id: int | None = None) -> int:
    """Recompute every roll-up and status of an initiative (after a partner moved, or after
    review was switched on or off)."""
    from django.contrib.auth import get_user_model

    initiative = Initiative.objects.get(pk=initiative_id)
    actor = get_user_model().objects.filter(pk=actor_id).first() if actor_id else None
    return rollups_rebuild(actor=actor, initiative=initiative)


def schedule_rebuild(*, actor, initiative, **details) -> None:
    """Core hook listener: rebuild in the background once the change is committed."""
    actor_id = actor.pk if getattr(actor, "is_authenticated", False) else None
    transaction.on_commit(
        lambda: rollups_rebuild_task.enqueue(initiative_id=initiative.pk, actor_id=actor_id)
    )
