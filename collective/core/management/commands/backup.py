"""`manage.py backup`: a consistent copy of the database with its own tools (see docs/deploy.md)."""

from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from collective.core import backup


class Command(BaseCommand):
    help = (
        "Back up the database: SQLite with its online backup API, PostgreSQL with pg_dump. "
        "Writes collective-<time>.sqlite3 / .pgdump into BACKUP_DIR (or --output), checks that "
        "it reads back, and keeps the newest --keep backups."
    )

    def add_arguments(self, parser):
        parser.add_argument("--output", help="The file to write (default: BACKUP_DIR/...).")
        parser.add_argument(
            "--keep",
            type=int,
            default=0,
            help="Afterwards, delete all but the newest N backups in the folder (0: keep all).",
        )
        parser.add_argument(
            "--verify",
            action="store_true",
            help="SQLite: also compare every table of the copy with the database.",
        )

    def handle(self, *args, output=None, keep=0, verify=False, **options):
        try:
            target = backup.Target.from_settings()
            stamp = timezone.now().strftime("%Y%m%d-%H%M%S")
            path = (
                Path(output)
                if output
                else Path(settings.BACKUP_DIR) / f"collective-{stamp}{target.suffix}"
            )
            backup.backup(target, path)
            backup.check(path, target.engine)
            if verify and target.engine == "sqlite":
                copy = backup.Target("sqlite", str(path))
                if backup.fingerprints(copy) != backup.fingerprints(target):
                    raise CommandError(f"{path} differs from the database: do not rely on it.")
            removed = backup.prune(path.parent, keep, target.suffix) if keep else []
        except backup.BackupError as error:
            raise CommandError(str(error)) from error
        size = path.stat().st_size
        self.stdout.write(f"Backed up {target.engine} to {path} ({size:,} bytes).")
        for old in removed:
            self.stdout.write(f"Removed the older backup {old}.")
