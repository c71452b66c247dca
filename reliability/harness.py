"""What every reliability check needs: its own database, a real gunicorn and worker on 127.0.0.1,
HTTP clients, and a consistency check of the stored figures.

Traffic goes only to the servers this harness starts on the loopback address; every loop is
bounded in time and count and stops by itself.
"""

from __future__ import annotations

import http.client
import json
import os
import signal
import socket
import statistics
import subprocess
import sys
import time
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlencode, urlsplit, urlunsplit

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
DATA_DIR = Path(os.environ.get("RELIABILITY_DATA_DIR") or HERE / "data")
RESULTS_DIR = HERE / "results"
HOST = "127.0.0.1"
PASSWORD = "reliability-password"  # noqa: S105 - throwaway accounts of a throwaway database
SECRET_KEY = "reliability-only-" + "x" * 40

if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))


def database_url() -> str:
    """The harness's own database: a file under reliability/data/, or `<name>_rel` on
    the PostgreSQL server DATABASE_URL points at."""
    url = os.environ.get("DATABASE_URL", "")
    if url.startswith(("postgres://", "postgresql://")):
        parts = urlsplit(url)
        name = (parts.path.lstrip("/") or "collective").removesuffix("_rel") + "_rel"
        return urlunsplit(parts._replace(path="/" + name))
    return f"sqlite:///{DATA_DIR / 'reliability.sqlite3'}"


def server_env(url: str) -> dict:
    """The environment of the servers and of this process: same database, same settings."""
    env = dict(os.environ)
    env.update(
        DATABASE_URL=url,
        DJANGO_SETTINGS_MODULE="config.settings",
        COLLECTIVE_VAR_DIR=str(DATA_DIR / "var"),
        COLLECTIVE_MANIFEST_STATIC="false",
        SECRET_KEY=SECRET_KEY,
        DEBUG="false",
        ALLOWED_HOSTS="127.0.0.1,localhost",
        LOG_LEVEL="WARNING",
        # The writers are many on purpose: the checks measure the database, not the throttle.
        API_THROTTLE_USER=os.environ.get("API_THROTTLE_USER", "1000000/minute"),
        API_THROTTLE_ANON=os.environ.get("API_THROTTLE_ANON", "1000000/minute"),
        # Every writer asks the token endpoint for its token at once, from 127.0.0.1.
        API_THROTTLE_AUTH=os.environ.get("API_THROTTLE_AUTH", "1000000/minute"),
        LOGIN_THROTTLE=os.environ.get("LOGIN_THROTTLE", "1000000/minute"),  # readers sign in
        PYTHONUNBUFFERED="1",
    )
    return env


def _fresh_database(url: str) -> None:
    if url.startswith("sqlite"):
        path = Path(url.removeprefix("sqlite:///"))
        path.parent.mkdir(parents=True, exist_ok=True)
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
        return
    import psycopg

    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    admin = urlunsplit(parts._replace(path="/postgres"))
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')


def setup_django(*, fresh: bool) -> str:
    """Point this process at the harness database (emptied when `fresh`), migrate."""
    DATA_DIR.mkdir(parents=True, exist_ok=True)
    url = database_url()
    if fresh:
        _fresh_database(url)
    os.environ.update(server_env(url))
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", interactive=False, verbosity=0)
    return url


def vendor() -> str:
    from django.db import connection

    return connection.vendor


def free_port() -> int:
    with socket.socket() as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


class Process:
    """A child process in its own process group, so `kill -9` takes all of it (gunicorn's
    master and workers alike)."""

    def __init__(self, args: list[str], env: dict, log: Path):
        self.args, self.env, self.log = args, env, log
        self.proc: subprocess.Popen | None = None

    def start(self) -> None:
        self.log.parent.mkdir(parents=True, exist_ok=True)
        self.proc = subprocess.Popen(  # noqa: S603 - our own commands, fixed arguments
            self.args,
            cwd=ROOT,
            env=self.env,
            stdout=self.log.open("ab"),
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    def kill9(self) -> None:
        if self.proc and self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait(timeout=30)

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.kill9()


class Server(Process):
    """gunicorn as the deployment guide runs it, on a free loopback port."""

    def __init__(self, url: str, *, workers: int = 3, threads: int = 1, name: str = "server"):
        self.port = free_port()
        bin_dir = Path(sys.executable).parent
        args = [
            str(bin_dir / "gunicorn"),
            "config.wsgi",
            "--bind",
            f"{HOST}:{self.port}",
            "--workers",
            str(workers),
            "--threads",
            str(threads),
            "--timeout",
            "120",
            "--no-control-socket",
        ]
        super().__init__(args, server_env(url), DATA_DIR / "logs" / f"{name}.log")

    def wait_ready(self, timeout: float = 60.0) -> float:
        """Seconds until the server answers its first request."""
        start = time.perf_counter()
        while time.perf_counter() - start < timeout:
            try:
                conn = http.client.HTTPConnection(HOST, self.port, timeout=5)
                conn.request("GET", "/api/v1/")
                if conn.getresponse().status == 200:
                    return time.perf_counter() - start
            except OSError:
                pass
            time.sleep(0.05)
        raise RuntimeError(f"gunicorn did not answer within {timeout} s (see {self.log})")


class Worker(Process):
    """The background worker (`manage.py db_worker`)."""

    def __init__(self, url: str, name: str = "worker"):
        args = [sys.executable, "manage.py", "db_worker", "--interval", "0.2"]
        super().__init__(args, server_env(url), DATA_DIR / "logs" / f"{name}.log")


class Client:
    """One keep-alive HTTP connection to the server (one per thread)."""

    def __init__(self, port: int, token: str | None = None, timeout: float = 60.0):
        self.port, self.token, self.timeout = port, token, timeout
        self.conn: http.client.HTTPConnection | None = None
        self.cookies: dict[str, str] = {}

    def _connection(self) -> http.client.HTTPConnection:
        if self.conn is None:
            self.conn = http.client.HTTPConnection(HOST, self.port, timeout=self.timeout)
        return self.conn

    def close(self) -> None:
        if self.conn is not None:
            self.conn.close()
            self.conn = None

    def request(self, method: str, path: str, body=None, headers=None) -> tuple[int, bytes]:
        headers = dict(headers or {})
        if self.token:
            headers["Authorization"] = f"Token {self.token}"
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        if isinstance(body, dict | list):
            body = json.dumps(body)
            headers["Content-Type"] = "application/json"
        try:
            conn = self._connection()
            conn.request(method, path, body=body, headers=headers)
            response = conn.getresponse()
            data = response.read()
        except (OSError, http.client.HTTPException):
            self.close()
            raise
        for header, value in response.getheaders():
            if header.lower() == "set-cookie":
                name, _, rest = value.partition("=")
                self.cookies[name.strip()] = rest.split(";", 1)[0]
        if response.getheader("Connection", "").lower() == "close":
            self.close()
        return response.status, data

    def login(self, username: str, password: str = PASSWORD) -> None:
        """Sign in through the login page, as a browser does (CSRF cookie and field)."""
        status, _ = self.request("GET", "/accounts/login/")
        csrf = self.cookies.get("csrftoken", "")
        form = urlencode({"username": username, "password": password, "csrfmiddlewaretoken": csrf})
        status, _ = self.request(
            "POST",
            "/accounts/login/",
            body=form,
            headers={
                "Content-Type": "application/x-www-form-urlencoded",
                "Referer": f"http://{HOST}:{self.port}/accounts/login/",
            },
        )
        if status != 302 or "sessionid" not in self.cookies:
            raise RuntimeError(f"Signing in as {username} failed ({status}).")


def post_form(client: Client, path: str, fields: dict | None = None, files: dict | None = None):
    """POST a form as a browser does (CSRF cookie and field; multipart when there are files):
    (status, body, the Location header or "")."""
    if "csrftoken" not in client.cookies:
        client.request("GET", path.rsplit("/", 2)[0] + "/")
    fields = {**(fields or {}), "csrfmiddlewaretoken": client.cookies.get("csrftoken", "")}
    headers = {"Referer": f"http://{HOST}:{client.port}{path}"}
    if files:
        boundary = "----reliability" + os.urandom(8).hex()
        parts = []
        for name, value in fields.items():
            parts.append(
                f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n'
                f"{value}\r\n".encode()
            )
        for name, (filename, content, content_type) in files.items():
            parts.append(
                f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; '
                f'filename="{filename}"\r\nContent-Type: {content_type}\r\n\r\n'.encode()
                + content
                + b"\r\n"
            )
        parts.append(f"--{boundary}--\r\n".encode())
        body = b"".join(parts)
        headers["Content-Type"] = f"multipart/form-data; boundary={boundary}"
    else:
        body = urlencode(fields)
        headers["Content-Type"] = "application/x-www-form-urlencoded"
    conn = client._connection()
    if client.cookies:
        headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in client.cookies.items())
    conn.request("POST", path, body=body, headers=headers)
    response = conn.getresponse()
    data = response.read()
    client.close()
    return response.status, data, response.getheader("Location", "")


def percentile(samples: list[float], p: float) -> float | None:
    if not samples:
        return None
    ordered = sorted(samples)
    k = max(0, min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1))))
    return ordered[k]


def latency_summary(samples_s: list[float]) -> dict:
    ms = [s * 1000 for s in samples_s]
    return {
        "count": len(ms),
        "p50_ms": round(percentile(ms, 50) or 0, 1),
        "p99_ms": round(percentile(ms, 99) or 0, 1),
        "max_ms": round(max(ms), 1) if ms else None,
        "mean_ms": round(statistics.fmean(ms), 1) if ms else None,
    }


def figures_snapshot(initiative) -> dict:
    """Every stored roll-up and status of the initiative, keyed so two snapshots compare."""
    from collective.measurement.models import IndicatorStatus, Rollup

    rollups = {
        (r["indicator_id"], r["period"], r["scope_id"], r["breakdown"]): (
            _num(r["value"]),
            _num(r["numerator"]),
            _num(r["denominator"]),
        )
        for r in Rollup.objects.filter(initiative=initiative).values(
            "indicator_id", "period", "scope_id", "breakdown", "value", "numerator", "denominator"
        )
    }
    statuses = {
        (s["indicator_id"], s["scope_id"]): (s["status"], _num(s["latest_value"]))
        for s in IndicatorStatus.objects.filter(initiative=initiative).values(
            "indicator_id", "scope_id", "status", "latest_value"
        )
    }
    return {"rollups": rollups, "statuses": statuses}


def _num(value):
    return None if value is None else round(float(value), 4)


def figures_equal_rebuild(initiative) -> dict:
    """Compare the stored figures with a full recomputation from the raw values."""
    from collective.measurement import services

    before = figures_snapshot(initiative)
    services.rollups_rebuild(actor=None, initiative=initiative)
    after = figures_snapshot(initiative)
    wrong_rollups = [
        k
        for k in before["rollups"].keys() | after["rollups"].keys()
        if before["rollups"].get(k) != after["rollups"].get(k)
    ]
    wrong_statuses = [
        k
        for k in before["statuses"].keys() | after["statuses"].keys()
        if before["statuses"].get(k) != after["statuses"].get(k)
    ]
    return {
        "rollup_cells": len(after["rollups"]),
        "rollups_wrong": len(wrong_rollups),
        "statuses": len(after["statuses"]),
        "statuses_wrong": len(wrong_statuses),
        "examples": [repr(k) for k in (wrong_rollups + wrong_statuses)[:5]],
    }


@contextmanager
def running(process: Process):
    process.start()
    try:
        yield process
    finally:
        process.stop()


def machine() -> dict:
    import platform

    load = os.getloadavg()
    return {
        "python": platform.python_version(),
        "cpus": os.cpu_count(),
        "load_average_1_5_15": [round(x, 2) for x in load],
    }
