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
