"""Background tasks of shared measurement (run by `manage.py db_worker`).

Each task takes ids, loads, and calls a service. A task is defined next to the service that
schedules it (so the service needs no import of this module, and the app's imports have no
cycle); this module names them all in one place.
"""

from .services.imports import import_check, import_run
from .services.rollups import rollups_rebuild_task, schedule_rebuild

__all__ = ["import_check", "import_run", "rollups_rebuild_task", "schedule_rebuild"]
