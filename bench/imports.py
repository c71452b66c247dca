"""Benchmark of a big import along the user's path: a 200 MB CSV uploaded through the import page
to a real gunicorn, checked by the worker (`manage.py db_worker`), confirmed on the page, and
saved by the worker — while a browser polls the job's page as the page itself does.

Measures (issue 9 item 4): the worker's peak memory (VmHWM of its process, read from /proc
while it runs), the longest any web request took (upload, every poll, confirm), and the time of
each step. Targets: worker peak ≤ 500 MB, no web request over 2 s, every value saved and the
roll-ups equal to a rebuild.

    .venv/bin/python bench/imports.py               # 200 MB
    .venv/bin/python bench/imports.py --mb 20       # a smaller file
    DATABASE_URL=postgres://... .venv/bin/python bench/imports.py

Uses its own database (bench/data/imports/, or <DATABASE_URL name>_rel on PostgreSQL, like the
reliability harness it borrows its servers from) and writes bench/results/imports-<db>.json.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import sys
import threading
import time
from pathlib import Path

BENCH = Path(__file__).resolve().parent
os.environ.setdefault("RELIABILITY_DATA_DIR", str(BENCH / "data" / "imports"))
sys.path.insert(0, str(BENCH.parent))

from bench.common import RESULTS_DIR  # noqa: E402
from reliability.harness import (  # noqa: E402
    DATA_DIR,
    Client,
    Server,
    Worker,
    figures_equal_rebuild,
    machine,
    post_form,
    running,
    setup_django,
    vendor,
)

TARGETS = {"worker_peak_mb": 500, "web_request_max_s": 2.0}
SLUG = "bench-imports"
PASSWORD = "bench-pw-1"  # noqa: S105 - a throwaway account of a throwaway database
INDICATORS = 50
PERIODS = [f"{2000 + m // 12}-{m % 12 + 1:02d}" for m in range(240)]  # 2000-01 .. 2019-12


def build(partners: int):
    """An initiative with `partners` teams and monthly indicators, every team asked to report
    every indicator (set-up through the services; duties in bulk, as the generator does)."""
    from collective.core import services as core_services
    from collective.core.services import user_create
    from collective.measurement import services
    from collective.measurement.models import ReportingAssignment

    user = user_create(username="bench-imports", email="b@example.org", password=PASSWORD)
    initiative = core_services.initiative_create(actor=user, name="Import bench", slug=SLUG)
    teams = [
        core_services.partner_create(actor=user, initiative=initiative, name=f"Team {i:04d}")
        for i in range(partners)
    ]
    indicators = [
        services.indicator_create(
            actor=user,
            initiative=initiative,
            code=f"IND{i:02d}",
            name=f"Indicator {i}",
            frequency="month",
        )
        for i in range(INDICATORS)
    ]
    ReportingAssignment.objects.bulk_create(
        ReportingAssignment(initiative=initiative, indicator=ind, partner=team, due_days=15)
        for ind in indicators
        for team in teams
    )
    return user, initiative, [t.name for t in teams]


def write_csv(path: Path, teams: list[str], megabytes: float) -> int:
    """Rows indicator × team × month (each value once) until the file would pass `megabytes`
    (the import's limit is 200 MB)."""
    limit = int(megabytes * 1024 * 1024)
    written = rows = 0
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w") as fh:
        header = "indicator,partner,period,value\n"
        fh.write(header)
        written = len(header)
        for period in PERIODS:
            for team in teams:
                lines = [f"IND{i:02d},{team},{period},{(rows + i) % 997}.5\n" for i in range(50)]
                chunk = "".join(lines)
                if written + len(chunk) > limit:
                    return rows
                fh.write(chunk)
                written += len(chunk)
                rows += len(lines)
    raise SystemExit("Not enough distinct values for that size: raise --partners.")


def peak_mb(pid: int) -> float | None:
    """The process's peak resident memory (VmHWM), in MB."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return round(int(line.split()[1]) / 1024, 1)
    except OSError:
        return None
    return None


class Browser:
    """The signed-in user: timed requests, and the page polled every second while a job runs
    (as the import page's htmx does)."""

    def __init__(self, port: int, username: str, password: str):
        self.client = Client(port, timeout=600)
        self.client.login(username, password)
        self.timings: list[tuple[str, float]] = []

    def timed(self, label: str, call):
        start = time.perf_counter()
        out = call()
        self.timings.append((label, time.perf_counter() - start))
        return out

    def poll_until(self, path: str, uid: str, states: tuple[str, ...], timeout: float, report=None):
        from collective.measurement.models import ImportJob

        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            self.timed("poll", lambda: self.client.request("GET", path))
            job = ImportJob.objects.get(uid=uid)
            if report:
                report(job)
            if job.state in states:
                return job
            time.sleep(1.0)
        raise RuntimeError(f"job {uid} did not reach {states} within {timeout} s")


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--mb", type=float, default=200.0, help="size of the CSV file")
    parser.add_argument("--partners", type=int, default=500)
    args = parser.parse_args(argv)
    url = setup_django(fresh=True)
    _user, initiative, teams = build(args.partners)
    path = DATA_DIR / "import.csv"
    rows = write_csv(path, teams, args.mb)
    size = path.stat().st_size
    print(f"== imports: {rows:,} values, {size / 2**20:.0f} MB", flush=True)
    result: dict = {"values": rows, "file_mb": round(size / 2**20, 1)}
    with running(Server(url, workers=2, name="bench-imports-server")) as server:
        server.wait_ready()
        worker = Worker(url, name="bench-imports-worker")
        with running(worker):
            peak = {"mb": 0.0}
            stop = threading.Event()

            def watch():
                while not stop.wait(0.5):
                    mb = peak_mb(worker.proc.pid)
                    if mb:
                        peak["mb"] = max(peak["mb"], mb)

            watcher = threading.Thread(target=watch, daemon=True)
            watcher.start()
            browser = Browser(server.port, "bench-imports", PASSWORD)
            base = f"/i/{SLUG}/measures/import/"
            # The browser's copy of the file (this process), not the server's.
            files = {"file": ("import.csv", path.read_bytes(), "text/csv")}
            start = time.perf_counter()
            status, body, location = browser.timed(
                "upload", lambda: post_form(browser.client, base, {"layout": "long"}, files)
            )
            files.clear()
            if status != 302:
                raise RuntimeError(f"upload refused: {status} {body[:300]!r}")
            uid = location.rstrip("/").rsplit("/", 1)[-1]
            page = f"{base}{uid}/"
            partial = RESULTS_DIR / f"imports-{vendor()}.partial.json"

            def report(job):
                """What is known so far (a run cut short still tells its figures)."""
                partial.write_text(json.dumps({
                    **result, "job": f"{job.state}: {job.message} ({job.processed_rows:,})",
                    "worker_peak_mb_so_far": peak["mb"],
                    "web_request_max_s_so_far": round(max(s for _l, s in browser.timings), 3),
                    "elapsed_s": round(time.perf_counter() - start, 1),
                }, indent=2) + "\n")  # fmt: skip

            job = browser.poll_until(
                page, uid, ("previewed", "failed"), timeout=7200, report=report
            )
            result["upload_to_preview_s"] = round(time.perf_counter() - start, 1)
            if job.state != "previewed":
                raise RuntimeError(f"check failed: {job.message}")
            preview_peak = peak["mb"]
            result["preview"] = {k: job.mapping.get(k) for k in
                                 ("create", "update", "unchanged", "error_count")}  # fmt: skip
            start = time.perf_counter()
            status, _body, _loc = browser.timed(
                "confirm", lambda: post_form(browser.client, f"{base}{uid}/confirm/")
            )
            job = browser.poll_until(page, uid, ("done", "failed"), timeout=7200, report=report)
            result["confirm_to_done_s"] = round(time.perf_counter() - start, 1)
            stop.set()
            watcher.join()
            final = peak_mb(worker.proc.pid)
            result["worker_peak_mb"] = max(peak["mb"], final or 0)
            result["worker_peak_mb_checking"] = preview_peak
            result["outcome"] = {"state": job.state, "message": job.message}
    from collective.measurement.models import Observation

    result["stored_values"] = Observation.objects.filter(initiative=initiative).count()
    by_kind: dict[str, list[float]] = {}
    for label, seconds in browser.timings:
        by_kind.setdefault(label, []).append(seconds)
    result["web_requests"] = {
        label: {"count": len(v), "max_s": round(max(v), 3)} for label, v in by_kind.items()
    }
    result["web_request_max_s"] = round(max(s for _l, s in browser.timings), 3)
    result["figures"] = figures_equal_rebuild(initiative)
    result["targets"] = TARGETS
    result["ok"] = (
        job.state == "done"
        and result["stored_values"] == rows
        and result["worker_peak_mb"] <= TARGETS["worker_peak_mb"]
        and result["web_request_max_s"] <= TARGETS["web_request_max_s"]
        and result["figures"]["rollups_wrong"] == 0
    )
    out = {
        "workload": "imports",
        "database": vendor(),
        "started": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
        "machine": machine(),
        **result,
    }
    RESULTS_DIR.mkdir(parents=True, exist_ok=True)
    target = RESULTS_DIR / f"imports-{vendor()}.json"
    target.write_text(json.dumps(out, indent=2, default=str) + "\n")
    (RESULTS_DIR / f"imports-{vendor()}.partial.json").unlink(missing_ok=True)
    print(json.dumps(out, indent=2, default=str), flush=True)
    return 0 if result["ok"] else 1


if __name__ == "__main__":
    sys.exit(main())
