"""Recompute every roll-up and status from the raw values: `manage.py measurement_rebuild`.

Needed after changes the measurement services do not see happen: a partner moved in the tree,
review of submitted data switched off, values loaded straight into the database.
"""

from django.core.management.base import BaseCommand, CommandError

from collective.core.models import Initiative
from collective.measurement import services


class Command(BaseCommand):
    help = "Recompute the roll-ups and statuses of one initiative (or of all of them)."

    def add_arguments(self, parser):
        parser.add_argument("slugs", nargs="*", help="Initiative slugs (default: all).")

    def handle(self, *args, slugs=(), **options):
        initiatives = Initiative.objects.order_by("slug")
        if slugs:
            initiatives = initiatives.filter(slug__in=slugs)
            missing = set(slugs) - set(initiatives.values_list("slug", flat=True))
            if missing:
                raise CommandError(f"No initiative called {', '.join(sorted(missing))}.")
        for initiative in initiatives:
            pairs = services.rollups_rebuild(actor=None, initiative=initiative)
            self.stdout.write(f"{initiative.slug}: {pairs:,} indicator × scope pairs refreshed")
