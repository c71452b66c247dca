"""Repeatable reliability checks against a real gunicorn and worker on 127.0.0.1.

    .venv/bin/python reliability/run.py writers        # 50 API writers for 60 s
    .venv/bin/python reliability/run.py crash-server   # kill -9 of gunicorn under load
    .venv/bin/python reliability/run.py load           # dashboard and series under load
    .venv/bin/python reliability/run.py crash-import   # kill -9 of the worker while "Saving…"
    .venv/bin/python reliability/run.py all            # every check (make reliability)

Each check runs on SQLite by default, on PostgreSQL when DATABASE_URL points at one (its own
database, `<name>_rel`). Results go to reliability/results/<check>-<database>.json and the
figures to docs/reliability.md. A check exits non-zero when it finds an error, a lost
acknowledged write, a half-saved import or a stored figure that differs from a rebuild.
"""

from __future__ import annotations

import argparse
import datetime
import json
import random
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from reliability.harness import (
    PASSWORD,
    RESULTS_DIR,
    Client,
    Server,
    Worker,
    figures_equal_rebuild,
    latency_summary,
    machine,
    post_form,
    running,
    setup_django,
    vendor,
)

SLUG = "reliability"
PROJECTS = 20


@dataclass
class World:
    slug: str
    backbone: str
    contributors: list[str]
    partners: list[str]  # uid per contributor's project
    root: str


def build_world() -> World:
    """The peer workload's programme (1 -> 4 -> 20 partners, every aggregation kind), a backbone
    and one contributor per project."""
    from bench import peer
    from collective.core.choices import Role
    from collective.core.models import Membership
    from collective.core.services import user_create

    backbone = user_create(username="rel-backbone", email="b@example.org", password=PASSWORD)
    initiative, root, _regions, projects, _inds = peer.build(SLUG, backbone)
    contributors = []
    for i, project in enumerate(projects[:PROJECTS]):
        user = user_create(username=f"rel-c{i}", email=f"c{i}@example.org", password=PASSWORD)
        # Set-up data, not the path measured: the membership is written directly, as the demo does.
        Membership.objects.create(
            initiative=initiative, user=user, role=Role.CONTRIBUTOR, partner=project
        )
        contributors.append(user.username)
    return World(
        slug=initiative.slug,
        backbone=backbone.username,
        contributors=contributors,
        partners=[str(p.uid) for p in projects[:PROJECTS]],
        root=str(root.uid),
    )


def token_for(port: int, username: str) -> str:
    client = Client(port)
    status, body = client.request(
        "POST", "/api/v1/auth/token/", {"username": username, "password": PASSWORD}
    )
    client.close()
    if status != 200:
        raise RuntimeError(f"No token for {username}: {status} {body[:200]!r}")
    return json.loads(body)["token"]


def writer_keys(world: World, writer: int) -> list[dict]:
    """The values one writer owns: its project's indicators over its own band of quarters, so
    no two writers write the same value (the last acknowledged value of each is known)."""
    from bench import peer

    partner = world.partners[writer % PROJECTS]
    band = writer // PROJECTS
    quarters = peer.QUARTERS[band * 8 : band * 8 + 8]
    keys = []
    for period in quarters:
        for ind in peer.INDICATORS:
            for breakdown in ind.breakdown_values or ("",):
                keys.append(
                    {
                        "indicator": ind.code,
                        "partner": partner,
                        "period": period,
                        "breakdown": breakdown,
                        "ratio": ind.aggregation == "ratio",
                    }
                )
    return keys


@dataclass
class Outcome:
    acked: dict = field(default_factory=dict)  # key -> value the server acknowledged last
    uncertain: dict = field(default_factory=dict)  # key -> values sent without an answer
    latencies: list = field(default_factory=list)
    statuses: dict = field(default_factory=dict)
    errors: list = field(default_factory=list)
    locked: int = 0


def write_loop(port, token, slug, keys, stop_at, outcome, lock, seed, max_requests=100_000):
    """POST one value per request until `stop_at`; remember what the server acknowledged."""
    rng = random.Random(seed)
    client = Client(port, token)
    path = f"/api/v1/initiatives/{slug}/observations/"
    sent = 0
    while time.monotonic() < stop_at and sent < max_requests:
        key = keys[sent % len(keys)]
        sent += 1
        body = {k: key[k] for k in ("indicator", "partner", "period", "breakdown")}
        if key["ratio"]:
            den = rng.randint(40, 120)
            body["numerator"] = str(rng.randint(10, den))
            body["denominator"] = str(den)
            value = (body["numerator"], body["denominator"])
        else:
            body["value"] = str(rng.randint(0, 100_000) / 10)
            value = body["value"]
        ident = (key["indicator"], key["partner"], key["period"], key["breakdown"])
        start = time.perf_counter()
        try:
            status, data = client.request("POST", path, body)
        except OSError as exc:
            with lock:
                outcome.uncertain.setdefault(ident, []).append(value)
                outcome.statuses["connection error"] = (
                    outcome.statuses.get("connection error", 0) + 1
                )
                if len(outcome.errors) < 20:
                    outcome.errors.append(f"{type(exc).__name__}: {exc}")
            time.sleep(0.05)
            continue
        elapsed = time.perf_counter() - start
        with lock:
            outcome.latencies.append(elapsed)
            outcome.statuses[status] = outcome.statuses.get(status, 0) + 1
            if status in (200, 201):
                outcome.acked[ident] = value
                outcome.uncertain.pop(ident, None)
            else:
                text = data[:300].decode("utf-8", "replace")
                if "locked" in text.lower():
                    outcome.locked += 1
                if len(outcome.errors) < 20:
                    outcome.errors.append(f"{status}: {text}")
    client.close()


def check_acknowledged(world: World, outcome: Outcome) -> dict:
    """Every acknowledged write is stored with the value acknowledged last (or, when a later
    request got no answer, with one of the values sent since)."""
    from collective.measurement.models import Observation

    stored = {}
    for o in Observation.objects.filter(initiative__slug=world.slug).values(
        "indicator__code",
        "partner__uid",
        "period",
        "breakdown",
        "value",
        "numerator",
        "denominator",
    ):
        ident = (o["indicator__code"], str(o["partner__uid"]), o["period"], o["breakdown"])
        stored[ident] = o
    lost = []
    for ident, value in outcome.acked.items():
        row = stored.get(ident)
        candidates = [value, *outcome.uncertain.get(ident, [])]
        if row is None or not any(_same(row, v) for v in candidates):
            lost.append(ident)
    return {"acknowledged_values": len(outcome.acked), "lost": len(lost), "lost_examples": lost[:5]}


def _same(row, value) -> bool:
    if isinstance(value, tuple):
        return (
            row["numerator"] is not None
            and Decimal(row["numerator"]) == Decimal(value[0])
            and Decimal(row["denominator"]) == Decimal(value[1])
        )
    return row["value"] is not None and Decimal(row["value"]) == Decimal(value)


def run_writers(port, tokens, world, *, writers, seconds, outcome=None, seed=0):
    outcome = outcome or Outcome()
    lock = threading.Lock()
    stop_at = time.monotonic() + seconds
    threads = [
        threading.Thread(
            target=write_loop,
            args=(
                port,
                tokens[w % len(tokens)],
                world.slug,
                writer_keys(world, w),
                stop_at,
                outcome,
                lock,
                seed * 1000 + w,
            ),
            daemon=True,
        )
        for w in range(writers)
    ]
    for t in threads:
        t.start()
    return outcome, threads


def _initiative(world):
    from collective.core.models import Initiative

    return Initiative.objects.get(slug=world.slug)


def check_writers(args) -> dict:
    url = setup_django(fresh=True)
    world = build_world()
    with running(Server(url, workers=args.workers)) as server:
        server.wait_ready()
        tokens = [token_for(server.port, u) for u in world.contributors]
        start = time.perf_counter()
        outcome, threads = run_writers(
            server.port, tokens, world, writers=args.writers, seconds=args.seconds
        )
        for t in threads:
            t.join()
        wall = time.perf_counter() - start
    requests = sum(v for v in outcome.statuses.values())
    result = {
        "writers": args.writers,
        "seconds": round(wall, 1),
        "requests": requests,
        "writes_per_s": round(len(outcome.latencies) / wall, 1),
        "statuses": {str(k): v for k, v in outcome.statuses.items()},
        "errors": sum(v for k, v in outcome.statuses.items() if k not in (200, 201)),
        "database_locked": outcome.locked,
        "latency": latency_summary(outcome.latencies),
        "acknowledged": check_acknowledged(world, outcome),
        "figures": figures_equal_rebuild(_initiative(world)),
        "error_examples": outcome.errors[:5],
    }
    result["ok"] = (
        result["errors"] == 0
        and result["acknowledged"]["lost"] == 0
        and result["figures"]["rollups_wrong"] == 0
        and result["figures"]["statuses_wrong"] == 0
    )
    return result


def check_crash_server(args) -> dict:
    """Writers keep writing while gunicorn is killed with SIGKILL and started again."""
    url = setup_django(fresh=True)
    world = build_world()
    server = Server(url, workers=args.workers, name="crash-server")
    server.start()
    server.wait_ready()
    tokens = [token_for(server.port, u) for u in world.contributors]
    outcome, threads = run_writers(
        server.port, tokens, world, writers=args.writers, seconds=args.seconds, seed=1
    )
    time.sleep(args.seconds / 3)
    server.kill9()
    killed_at = time.perf_counter()
    time.sleep(1.0)
    server.start()
    ready = server.wait_ready()
    # Recovery: from the restart until the writers' requests succeed again.
    recovery = time.perf_counter() - killed_at
    for t in threads:
        t.join()
    server.stop()
    unanswered = sum(len(v) for v in outcome.uncertain.values())
    result = {
        "writers": args.writers,
        "seconds": args.seconds,
        "statuses": {str(k): v for k, v in outcome.statuses.items()},
        "server_errors": sum(
            v for k, v in outcome.statuses.items() if isinstance(k, int) and k >= 500
        ),
        "requests_without_answer": unanswered,
        "restart_to_first_answer_s": round(ready, 2),
        "kill_to_service_s": round(recovery, 2),
        "acknowledged": check_acknowledged(world, outcome),
        "figures": figures_equal_rebuild(_initiative(world)),
        "error_examples": outcome.errors[:5],
    }
    result["ok"] = (
        result["server_errors"] == 0
        and result["acknowledged"]["lost"] == 0
        and result["figures"]["rollups_wrong"] == 0
        and result["figures"]["statuses_wrong"] == 0
    )
    return result


def check_load(args) -> dict:
    """Concurrent readers of the dashboard page (signed in) and the series endpoint (token)."""
    url = setup_django(fresh=True)
    world = build_world()
    with running(Server(url, workers=args.workers)) as server:
        server.wait_ready()
        tokens = [token_for(server.port, world.backbone)]
        # Data to read: one pass of the writers.
        _outcome, threads = run_writers(server.port, tokens, world, writers=20, seconds=15)
        for t in threads:
            t.join()
        targets = {
            "dashboard": f"/i/{world.slug}/measures/",
            "series": f"/api/v1/initiatives/{world.slug}/indicators/PEOPLE/series/",
        }
        results = {}
        for name, path in targets.items():
            latencies, statuses = [], {}
            lock = threading.Lock()
            page = path.startswith("/i/")
            clients = [
                Client(server.port, None if page else tokens[0]) for _ in range(args.readers)
            ]
            for client in clients:
                if page:
                    client.login(world.backbone)
            stop_at = time.monotonic() + args.seconds

            def reader(
                client,
                path=path,
                latencies=latencies,
                statuses=statuses,
                lock=lock,
                stop_at=stop_at,
            ):
                n = 0
                while time.monotonic() < stop_at and n < 100_000:
                    n += 1
                    start = time.perf_counter()
                    try:
                        status, _ = client.request("GET", path)
                    except OSError:
                        status = "connection error"
                    with lock:
                        latencies.append(time.perf_counter() - start)
                        statuses[status] = statuses.get(status, 0) + 1
                client.close()

            readers = [threading.Thread(target=reader, args=(c,), daemon=True) for c in clients]
            start = time.perf_counter()
            for t in readers:
                t.start()
            for t in readers:
                t.join()
            wall = time.perf_counter() - start
            results[name] = {
                "readers": args.readers,
                "seconds": round(wall, 1),
                "requests_per_s": round(len(latencies) / wall, 1),
                "latency": latency_summary(latencies),
                "statuses": {str(k): v for k, v in statuses.items()},
                "errors": sum(v for k, v in statuses.items() if k != 200),
            }
    results["ok"] = all(r["errors"] == 0 and r["latency"]["count"] for r in results.values())
    return results


IMPORT_SITES = 40  # breakdown values of the imported indicator: 25 partners x 312 months x 40


def _import_file(world) -> tuple[bytes, int]:
    """A CSV of one monthly indicator for every partner, month (2000-01..2025-12) and site:
    ~312,000 values (~12 MB), so saving takes long enough to be killed in the middle."""
    from collective.core.models import Partner

    names = list(Partner.objects.filter(initiative__slug=world.slug).values_list("name", flat=True))
    lines = ["indicator,partner,period,breakdown,value"]
    for year in range(2000, 2026):
        for month in range(1, 13):
            for name in names:
                for site in range(IMPORT_SITES):
                    lines.append(f"REL_IMPORT,{name},{year}-{month:02d},S{site},{month + site}")
    return ("\n".join(lines) + "\n").encode(), len(lines) - 1


def _import_counts(initiative) -> dict:
    from collective.measurement.models import Observation, ObservationHistory, Rollup

    return {
        "values": Observation.objects.filter(initiative=initiative).count(),
        "history": ObservationHistory.objects.filter(initiative=initiative).count(),
        "rollups": Rollup.objects.filter(initiative=initiative).count(),
    }


def _wait_job(uid, until, timeout: float, poll=None):
    """Poll the job (and the page, when `poll` is given, as a browser does) until `until(job)`."""
    from collective.measurement.models import ImportJob

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if poll:
            poll()
        job = ImportJob.objects.get(uid=uid)
        if until(job):
            return job
        time.sleep(0.1)
    job = ImportJob.objects.get(uid=uid)
    raise RuntimeError(f"Import {uid} stayed {job.state} ({job.message}) for {timeout} s")


def check_crash_import(args) -> dict:
    """kill -9 of the worker while it saves a confirmed import: nothing is half-saved, the job is
    failed with a message once its lease has run out, and retrying it from the page saves every
    value, with figures equal to a rebuild."""
    url = setup_django(fresh=True)
    from collective.core.models import User
    from collective.measurement import leases, services

    world = build_world()
    initiative = _initiative(world)

    services.indicator_create(
        actor=User.objects.get(username=world.backbone),
        initiative=initiative,
        code="REL_IMPORT",
        name="Reliability import",
        frequency="month",
        breakdown_dimension="Site",
        breakdown_values=[f"S{i}" for i in range(IMPORT_SITES)],
    )
    content, values = _import_file(world)
    base = f"/i/{world.slug}/measures/import/"
    lease = leases.lease_seconds()
    result: dict = {"values_in_file": values, "file_mb": round(len(content) / 2**20, 1),
                    "lease_s": lease}  # fmt: skip
    with running(Server(url, workers=2, name="crash-import-server")) as server:
        server.wait_ready()
        browser = Client(server.port)
        browser.login(world.backbone)
        worker = Worker(url, name="crash-import-worker")
        worker.start()
        try:
            start = time.perf_counter()
            status, _body, location = post_form(
                browser, base, {"layout": "long"}, {"file": ("values.csv", content, "text/csv")}
            )
            result["upload_request_s"] = round(time.perf_counter() - start, 2)
            if status != 302:
                raise RuntimeError(f"Upload refused: {status} {_body[:300]!r}")
            uid = location.rstrip("/").rsplit("/", 1)[-1]
            job = _wait_job(uid, lambda j: j.state == "previewed", timeout=600)
            result["checked_s"] = round(time.perf_counter() - start, 1)
            before = _import_counts(initiative)
            # The indicator has no reporting duties: the preview warns, and the user accepts.
            status, _body, _loc = post_form(
                browser, f"{base}{uid}/confirm/", {"unassigned": "include"}
            )
            if status != 302:
                raise RuntimeError(f"Confirm refused: {status}")
            job = _wait_job(
                uid,
                lambda j: j.state == "running" and j.message.startswith("Saving"),
                timeout=300,
            )
            time.sleep(args.kill_after)
            worker.kill9()
            killed_at = time.perf_counter()
            job.refresh_from_db()
            result["killed_while"] = f"{job.state}: {job.message}"
            after_kill = _import_counts(initiative)
            result["half_saved"] = after_kill != before
            result["counts_before_and_after_kill"] = {"before": before, "after": after_kill}
            page = f"{base}{uid}/"
            failed = _wait_job(
                uid,
                lambda j: j.state == "failed",
                timeout=lease + 120,
                poll=lambda: browser.request("GET", page),
            )
            result["kill_to_failed_s"] = round(time.perf_counter() - killed_at, 1)
            result["failed_message"] = failed.message
            _status, body = browser.request("GET", page)
            result["page_offers_retry"] = b"Retry the import" in body
            result["figures_after_kill"] = figures_equal_rebuild(initiative)
            worker = Worker(url, name="crash-import-worker-2")
            worker.start()
            retried_at = time.perf_counter()
            status, _body, _loc = post_form(browser, f"{base}{uid}/retry/")
            done = _wait_job(uid, lambda j: j.state in ("done", "failed"), timeout=900)
            result["retry_to_done_s"] = round(time.perf_counter() - retried_at, 1)
            result["retry"] = {"state": done.state, "message": done.message,
                               "created": done.created_count}  # fmt: skip
            result["figures_after_retry"] = figures_equal_rebuild(initiative)
            result["counts_after_retry"] = _import_counts(initiative)
        finally:
            worker.stop()
    result["ok"] = (
        not result["half_saved"]
        and result["killed_while"].startswith("running: Saving")
        and result["failed_message"].startswith("The worker stopped while saving")
        and result["page_offers_retry"]
        and result["retry"]["state"] == "done"
        and result["retry"]["created"] == values
        and result["counts_after_retry"]["values"] == before["values"] + values
        and all(
            result[f][k] == 0
            for f in ("figures_after_kill", "figures_after_retry")
            for k in ("rollups_wrong", "statuses_wrong")
        )
    )
    return result


CHECKS = {
    "writers": check_writers,
    "crash-server": check_crash_server,
    "load": check_load,
    "crash-import": check_crash_import,
}


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("check", choices=[*CHECKS, "all"])
    parser.add_argument("--writers", type=int, default=50)
    parser.add_argument("--readers", type=int, default=8)
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--workers", type=int, default=3, help="gunicorn workers")
    parser.add_argument(
        "--kill-after", type=float, default=1.0, help="crash-import: seconds into the save"
    )
    args, rest = parser.parse_known_args(argv)
    if args.check == "all":
        # Each check sets Django up on an empty database: one process per check.
        failed = []
        for name in CHECKS:
            code = subprocess.call(  # noqa: S603 - this script, our own arguments
                [sys.executable, __file__, name, *(argv or sys.argv[1:])[1:]]
            )
            if code:
                failed.append(name)
        print(f"FAILED: {', '.join(failed)}" if failed else "All reliability checks passed.")
        return 1 if failed else 0
    if rest:
        parser.error(f"unknown arguments: {rest}")
    print(f"== {args.check}", flush=True)
    started = datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds")
    result = CHECKS[args.check](args)
    db = vendor()
    result = {
        "check": args.check,
        "database": db,
        "started": started,
        "machine": machine(),
        **result,
    }
    RESULTS_DIR.mkdir(parents=True, exist_ok=True)
    out = RESULTS_DIR / f"{args.check}-{db}.json"
    out.write_text(json.dumps(result, indent=2, default=str) + "\n")
    print(json.dumps(result, indent=2, default=str), flush=True)
    if not result.get("ok"):
        print(f"FAILED: {args.check}", flush=True)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
