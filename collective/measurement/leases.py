"""Leases on import jobs: who is working on a job, and whether that process is still alive.

A process that checks or saves an import holds the job's lease for as long as it works: an
exclusive `flock` on a file named after the job, and a heartbeat (the job's `updated_at`, renewed
every few seconds by a thread with its own database connection). The operating system releases
the lock the moment the process dies, even by `kill -9`, so a job still marked running whose
lock is free and whose heartbeat is older than the lease was abandoned.

Why both: on SQLite a long "Saving…" transaction holds the database's write lock, so the
heartbeat cannot be written while the worker is alive and busy — the file lock tells that it
is. On PostgreSQL the heartbeat keeps being written during the save, so a worker on another
machine (whose file lock this machine cannot see) is still known to be alive.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import threading
from collections.abc import Callable, Iterator
from pathlib import Path

from django.conf import settings
from django.db import DatabaseError, connection


def lease_seconds() -> float:
    return float(getattr(settings, "IMPORT_LEASE_SECONDS", 30))


def _directory() -> Path:
    """One directory per database, shared by the web processes and the worker of a site."""
    base = Path(getattr(settings, "IMPORT_LEASE_DIR", "") or Path(settings.MEDIA_ROOT) / "leases")
    name = str(connection.settings_dict.get("NAME") or "default")
    path = base / hashlib.sha256(name.encode()).hexdigest()[:16]
    path.mkdir(parents=True, exist_ok=True)
    return path


def _path(key: str) -> Path:
    return _directory() / f"{key}.lock"


@contextlib.contextmanager
def hold(key: str, beat: Callable[[], None] | None = None) -> Iterator[None]:
    """Hold the lease on `key` while the block runs; `beat` (a write of the heartbeat) is called
    every third of the lease from a thread (its failures — "database is locked" during our own
    long transaction on SQLite — are ignored: the lock still says we are alive)."""
    path = _path(key)
    handle = path.open("a+")
    try:
        fcntl.flock(handle.fileno(), fcntl.LOCK_EX)
        stop = threading.Event()
        thread = None
        if beat is not None:
            thread = threading.Thread(target=_beat, args=(beat, stop), daemon=True)
            thread.start()
        try:
            yield
        finally:
            stop.set()
            if thread is not None:
                thread.join()
            fcntl.flock(handle.fileno(), fcntl.LOCK_UN)
    finally:
        handle.close()
        with contextlib.suppress(OSError):
            path.unlink()


def _beat(beat: Callable[[], None], stop: threading.Event) -> None:
    from django.db import connections

    try:
        while not stop.wait(lease_seconds() / 3):
            with contextlib.suppress(DatabaseError):
                beat()
    finally:
        connections.close_all()  # this thread's own connections


def held(key: str) -> bool:
    """Whether a live process on this machine holds the lease on `key`."""
    path = _path(key)
    if not path.exists():
        return False
    try:
        handle = path.open("a+")
    except OSError:
        return False
    try:
        fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return True
    else:
        fcntl.flock(handle.fileno(), fcntl.LOCK_UN)
        return False
    finally:
        handle.close()
