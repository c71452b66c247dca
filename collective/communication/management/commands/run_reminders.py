"""Send due reminders and digests, keep touchpoints planned ahead, retry webhook deliveries.

Idempotent: run it every hour (or more often) from cron or a systemd timer; the same reminder or
digest is never sent twice.
"""

from django.core.management.base import BaseCommand

from collective.communication.services import run_reminders


class Command(BaseCommand):
    help = "Send due reminders and digests (safe to run as often as you like)."

    def add_arguments(self, parser):
        parser.add_argument("--no-digests", action="store_true", help="Reminders only.")

    def handle(self, *args, **options):
        counts = run_reminders(digests=not options["no_digests"])
        self.stdout.write(", ".join(f"{value} {name}" for name, value in counts.items()))
