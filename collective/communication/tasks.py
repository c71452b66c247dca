"""Background tasks of continuous communication (run by `manage.py db_worker`).

Each task takes ids and is defined next to the service that schedules it (so no service imports
this module and the app has no import cycle); this module lists them all.
"""

from __future__ import annotations

from .services.notifications import send_notification_emails
from .services.webhooks import deliver_webhook

__all__ = ["deliver_webhook", "send_notification_emails"]
