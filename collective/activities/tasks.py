"""Background tasks of activities (run by `manage.py db_worker`): they take ids, load, and call
the services."""

from django_tasks import task


@task()
def overlap_scan_task(*, scan_id: int) -> str:
    """Overlap detection over all pairs of an initiative's activities, with progress."""
    from .models import OverlapScan
    from .services import overlap_scan_run

    scan = OverlapScan.objects.select_related("initiative").get(pk=scan_id)
    return overlap_scan_run(scan).state
