"""`manage.py restore`: put a backup made by `manage.py backup` back (see docs/deploy.md)."""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db import connections

from collective.core import backup


class Command(BaseCommand):
    help = (
        "Restore a backup into an empty database (the configured one, or --into DATABASE_URL). "
        "An existing database is replaced only with --replace. Stop the web and worker "
        "processes first."
    )

    def add_arguments(self, parser):
        parser.add_argument("path", help="The backup file (.sqlite3 or .pgdump).")
        parser.add_argument(
            "--into",
            metavar="DATABASE_URL",
            help="Restore into this database instead of the configured one.",
        )
        parser.add_argument(
            "--replace",
            action="store_true",
            help="Overwrite a database that has data (everything in it is lost).",
        )
        parser.add_argument(
            "--noinput", "--no-input", action="store_false", dest="interactive", default=True
        )

    def handle(self, *args, path, into=None, replace=False, interactive=True, **options):
        source = Path(path)
        try:
            target = backup.Target.from_url(into) if into else backup.Target.from_settings()
            if source.suffix != target.suffix:
                raise backup.BackupError(
                    f"{source.name} is not a {target.engine} backup ({target.suffix})."
                )
            if replace and interactive:
                answer = input(
                    f"Replace everything in {target.name} with {source.name}? Type 'yes': "
                )
                if answer.strip().lower() != "yes":
                    raise CommandError("Nothing was restored.")
            connections.close_all()
            backup.restore(source, target, replace=replace)
            tables = backup.fingerprints(target)
        except backup.BackupError as error:
            raise CommandError(str(error)) from error
        rows = sum(count for count, _ in tables.values())
        self.stdout.write(
            f"Restored {source} into {target.name}: {len(tables)} tables, {rows:,} rows."
        )
