"""Background tasks of shared measurement (run by `manage.py db_worker`).

Tasks take ids, load, and call the import functions, which go through the services.
"""

from django_tasks import task


@task()
def import_check(*, job_id: int) -> str:
    """Read a big uploaded file and build its preview (nothing is written)."""
    from .imports import check
    from .models import ImportJob

    job = ImportJob.objects.select_related("initiative", "created_by").get(pk=job_id)
    return check(job).state


@task()
def import_run(*, job_id: int) -> str:
    """Apply a confirmed import atomically, recording progress on the job."""
    from .imports import run
    from .models import ImportJob

    job = ImportJob.objects.select_related("initiative", "created_by").get(pk=job_id)
    return run(job).state


@task()
def rollups_rebuild_task(*, initiative_id: int, actor_id: int | None = None) -> int:
    """Recompute every roll-up and status of an initiative (after a partner moved, or after
    review was switched on or off)."""
    from django.contrib.auth import get_user_model

    from collective.core.models import Initiative

    from .services import rollups_rebuild

    initiative = Initiative.objects.get(pk=initiative_id)
    actor = get_user_model().objects.filter(pk=actor_id).first() if actor_id else None
    return rollups_rebuild(actor=actor, initiative=initiative)


def schedule_rebuild(*, actor, initiative, **details) -> None:
    """Core hook listener: rebuild in the background once the change is committed."""
    from django.db import transaction

    actor_id = actor.pk if getattr(actor, "is_authenticated", False) else None
    transaction.on_commit(
        lambda: rollups_rebuild_task.enqueue(initiative_id=initiative.pk, actor_id=actor_id)
    )
