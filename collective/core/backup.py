"""Backups with the database's own tools, and a fingerprint of every table to prove a copy equal.

- SQLite: the online backup API (a consistent copy while the site runs, WAL included);
- PostgreSQL: `pg_dump --format=custom` and `pg_restore` (the password goes through the
  environment, never the command line).

`manage.py backup` and `manage.py restore` are thin wrappers; see docs/deploy.md.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import sqlite3
import subprocess
from dataclasses import dataclass
from pathlib import Path

import dj_database_url
from django.conf import settings


class BackupError(Exception):
    """A backup or restore that cannot go ahead, with what to do about it."""


@dataclass(frozen=True)
class Target:
    """A database to back up or restore into, from Django's settings or a DATABASE_URL."""

    engine: str  # "sqlite" or "postgresql"
    name: str
    user: str = ""
    password: str = ""
    host: str = ""
    port: str = ""

    @classmethod
    def from_settings(cls, alias: str = "default") -> Target:
        return cls._from(settings.DATABASES[alias])

    @classmethod
    def from_url(cls, url: str) -> Target:
        return cls._from(dj_database_url.parse(url))

    @classmethod
    def _from(cls, db: dict) -> Target:
        engine = db["ENGINE"]
        if engine.endswith("sqlite3"):
            return cls("sqlite", str(db["NAME"]))
        if "postgresql" in engine:
            return cls(
                "postgresql",
                db["NAME"],
                db.get("USER") or "",
                db.get("PASSWORD") or "",
                db.get("HOST") or "",
                str(db.get("PORT") or ""),
            )
        raise BackupError(f"Backups support SQLite and PostgreSQL, not {engine}.")

    @property
    def suffix(self) -> str:
        return ".sqlite3" if self.engine == "sqlite" else ".pgdump"

    def pg_env(self) -> dict[str, str]:
        env = dict(os.environ)
        for key, value in (
            ("PGHOST", self.host),
            ("PGPORT", self.port),
            ("PGUSER", self.user),
            ("PGPASSWORD", self.password),
            ("PGDATABASE", self.name),
        ):
            if value:
                env[key] = value
        return env

    def connect(self):
        """A plain DB-API connection (not Django's), for copies and fingerprints."""
        if self.engine == "sqlite":
            return sqlite3.connect(self.name)
        import psycopg

        return psycopg.connect(
            dbname=self.name,
            user=self.user or None,
            password=self.password or None,
            host=self.host or None,
            port=self.port or None,
        )


def _tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        raise BackupError(
            f"{name} is not installed: install the PostgreSQL client tools of your server's "
            "version (Debian: apt-get install postgresql-client)."
        )
    return path


def _run(command: list[str], target: Target) -> None:
    done = subprocess.run(  # noqa: S603 (fixed tool, arguments are ours)
        command, env=target.pg_env(), capture_output=True, text=True, check=False
    )
    if done.returncode != 0:
        raise BackupError(f"{Path(command[0]).name} failed: {done.stderr.strip()[:2000]}")


def backup(target: Target, path: Path) -> Path:
    """Write a consistent copy of `target` to `path` (a new file)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    if path.exists():
        raise BackupError(f"{path} exists already: choose another name.")
    if target.engine == "sqlite":
        source = sqlite3.connect(target.name)
        copy = sqlite3.connect(path)
        try:
            with copy:
                source.backup(copy)
        finally:
            copy.close()
            source.close()
    else:
        _run(
            [
                _tool("pg_dump"),
                "--format=custom",
                "--no-owner",
                "--no-privileges",
                f"--file={path}",
                target.name,
            ],
            target,
        )
    path.chmod(0o600)  # it holds everything, password hashes included
    return path


def check(path: Path, engine: str) -> None:
    """Read the backup back: SQLite's integrity check, or pg_restore's table of contents."""
    if engine == "sqlite":
        connection = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            result = connection.execute("PRAGMA integrity_check").fetchone()[0]
        finally:
            connection.close()
        if result != "ok":
            raise BackupError(f"The backup {path} is damaged: {result}")
    else:
        _run([_tool("pg_restore"), "--list", str(path)], Target("postgresql", ""))


def is_empty(target: Target) -> bool:
    return not table_names(target)


def restore(path: Path, target: Target, *, replace: bool = False) -> None:
    """Copy the backup at `path` into `target`. An existing database is replaced only when
    `replace` is true (the caller asked twice); otherwise it must be empty."""
    if not path.exists():
        raise BackupError(f"No backup at {path}.")
    if not replace and not is_empty(target):
        raise BackupError(
            f"The database {target.name} is not empty: restore into an empty database, or "
            "pass --replace to overwrite it."
        )
    if target.engine == "sqlite":
        source = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        destination = sqlite3.connect(target.name)
        try:
            source.backup(destination)
        finally:
            destination.close()
            source.close()
    else:
        command = [
            _tool("pg_restore"),
            "--no-owner",
            "--no-privileges",
            "--single-transaction",
            "--exit-on-error",
            f"--dbname={target.name}",
        ]
        if replace:
            command += ["--clean", "--if-exists"]
        _run([*command, str(path)], target)


def table_names(target: Target) -> list[str]:
    connection = target.connect()
    try:
        if target.engine == "sqlite":
            rows = connection.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' "
                "AND name NOT LIKE 'sqlite_%' ORDER BY name"
            ).fetchall()
        else:
            rows = connection.execute(
                "SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename"
            ).fetchall()
        return [name for (name,) in rows]
    finally:
        connection.close()


def fingerprints(target: Target) -> dict[str, tuple[int, str]]:
    """{table: (row count, SHA-256 of its rows)} for every table: two databases with equal
    fingerprints hold the same data. Rows are hashed in a sorted order, so the order the
    database returns them in does not matter."""
    result = {}
    connection = target.connect()
    try:
        for table in table_names(target):
            quoted = '"' + table.replace('"', '""') + '"'
            rows = connection.execute(f"SELECT * FROM {quoted}").fetchall()  # noqa: S608
            digest = hashlib.sha256()
            for line in sorted(repr(tuple(row)) for row in rows):
                digest.update(line.encode("utf-8", "surrogatepass"))
                digest.update(b"\n")
            result[table] = (len(rows), digest.hexdigest())
    finally:
        connection.close()
    return result


def prune(directory: Path, keep: int, suffix: str) -> list[Path]:
    """Delete all but the newest `keep` backups (by name: they carry their time)."""
    backups = sorted(directory.glob(f"collective-*{suffix}"))
    doomed = backups[:-keep] if keep > 0 else []
    for path in doomed:
        path.unlink()
    return doomed
