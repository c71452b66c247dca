"""Background tasks of activities (run by `manage.py db_worker`). Each is defined next to the
service that queues it, so no service imports this module; this module lists them."""

from .services.overlaps import overlap_scan_task

__all__ = ["overlap_scan_task"]
