"""Shared helpers of the benchmark: a separate database, Django set-up, timing, machine facts."""

from __future__ import annotations

import os
import platform
import statistics
import sys
import time
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

BENCH_DIR = Path(__file__).resolve().parent
ROOT = BENCH_DIR.parent
DATA_DIR = Path(os.environ.get("BENCH_DATA_DIR") or BENCH_DIR / "data")
RESULTS_DIR = BENCH_DIR / "results"

if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))


def bench_database_url() -> str:
    """The benchmark's own database, never the development one under var/.

    SQLite (default): a file under bench/data/. PostgreSQL (when DATABASE_URL points at one):
    the same server, database name + "_bench".
    """
    url = os.environ.get("DATABASE_URL", "")
    if url.startswith(("postgres://", "postgresql://")):
        parts = urlsplit(url)
        name = parts.path.lstrip("/") or "collective"
        if not name.endswith("_bench"):
            name += "_bench"
        return urlunsplit(parts._replace(path="/" + name))
    return f"sqlite:///{DATA_DIR / 'bench.sqlite3'}"


def _create_postgres_database(url: str, *, fresh: bool) -> None:
    import psycopg

    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    admin = urlunsplit(parts._replace(path="/postgres"))
    with psycopg.connect(admin, autocommit=True) as conn:
        if fresh:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            conn.execute(f'CREATE DATABASE "{name}"')


_LOCK = None


def _lock_data_dir() -> None:
    """One benchmark at a time per data folder: a second run would empty the first one's DB."""
    import fcntl

    global _LOCK
    _LOCK = (DATA_DIR / ".lock").open("w")
    try:
        fcntl.flock(_LOCK, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        raise SystemExit(
            f"Another benchmark is running on {DATA_DIR}; wait for it, or set BENCH_DATA_DIR "
            "(SQLite) to use another folder."
        ) from None


def setup_django(*, fresh: bool = True) -> str:
    """Point Django at the benchmark database (emptied when `fresh`), migrate, return its URL."""
    DATA_DIR.mkdir(parents=True, exist_ok=True)
    _lock_data_dir()
    url = bench_database_url()
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    # Uploaded import files and the generated secret key stay inside bench/data/.
    os.environ["COLLECTIVE_VAR_DIR"] = str(DATA_DIR / "var")
    os.environ["COLLECTIVE_MANIFEST_STATIC"] = "false"
    # Background jobs (roll-up refreshes, large imports) run in-process, so a timing includes them.
    os.environ["TASKS_BACKEND"] = "django_tasks.backends.immediate.ImmediateBackend"
    # The peer workload posts 10,000 values one per request as fast as it can; the per-user API
    # throttle (a deployment setting, 1200/m by default) would refuse most of them. The
    # throttle still runs on every request, with a rate the benchmark does not reach.
    os.environ.setdefault("API_THROTTLE_USER", "1000000/m")
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    os.environ.setdefault("DEBUG", "false")
    if url.startswith("sqlite"):
        path = Path(url.removeprefix("sqlite:///"))
        if fresh:
            for suffix in ("", "-wal", "-shm"):
                Path(f"{path}{suffix}").unlink(missing_ok=True)
    else:
        _create_postgres_database(url, fresh=fresh)

    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command

    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    call_command("migrate", interactive=False, verbosity=0)
    return url


def is_postgres() -> bool:
    from django.db import connection

    return connection.vendor == "postgresql"


@contextmanager
def timer():
    """with timer() as t: ...; t.seconds (wall clock) and t.cpu (this process's CPU time).

    On a shared machine the wall clock also counts waiting for a CPU; the CPU time does not
    (but it leaves out work done by another process, e.g. the PostgreSQL server)."""

    class T:
        seconds = 0.0
        cpu = 0.0

    t = T()
    start, cpu = time.perf_counter(), time.process_time()
    try:
        yield t
    finally:
        t.seconds = time.perf_counter() - start
        t.cpu = time.process_time() - cpu


def repeat(fn, *, times: int = 7, warmup: int = 2) -> dict:
    """Median, min and max wall time of `fn()` in milliseconds after `warmup` calls, and the
    median CPU time of this process."""
    for _ in range(warmup):
        fn()
    samples, cpu = [], []
    for _ in range(times):
        start, c = time.perf_counter(), time.process_time()
        fn()
        samples.append((time.perf_counter() - start) * 1000)
        cpu.append((time.process_time() - c) * 1000)
    return {
        "median_ms": round(statistics.median(samples), 2),
        "min_ms": round(min(samples), 2),
        "max_ms": round(max(samples), 2),
        "cpu_median_ms": round(statistics.median(cpu), 2),
        "runs": times,
    }


def machine() -> dict:
    import sqlite3

    info = {
        "python": platform.python_version(),
        "platform": platform.platform(),
        "cpus": os.cpu_count(),
        "ram_gib": None,
        "sqlite": sqlite3.sqlite_version,
        "postgresql": None,
    }
    try:
        with open("/proc/meminfo") as fh:
            kib = int(fh.readline().split()[1])
        info["ram_gib"] = round(kib / 1024 / 1024, 1)
    except (OSError, ValueError, IndexError):
        pass
    try:
        from django.db import connection

        if connection.vendor == "postgresql":
            with connection.cursor() as cur:
                cur.execute("SHOW server_version")
                info["postgresql"] = cur.fetchone()[0]
    except Exception:  # machine facts are best effort; Django may not be set up
        info["postgresql"] = None
    try:
        import pandas

        info["pandas"] = pandas.__version__
    except ImportError:
        info["pandas"] = None
    return info
