"""Benchmark of shared measurement (what `make bench` runs).

Measures, each against yardsticks computed in the same run:
  1. import rows/s: a long-format CSV through the engine's import (check + confirm), vs (a) the
     same rows bulk-inserted by the bare driver (sqlite3 executemany / PostgreSQL COPY);
  2. dashboard server time at growing observation counts (default 100k; --full adds 1M and 10M),
     rendering the real page as a backbone member, vs (b) pandas computing the same figures
     from the CSV;
  3. the series endpoint at each of those sizes, vs pandas computing the same series;
  4. the peer workload (10,000 quarterly values in a 1 -> 4 -> 20 partner tree), one value per
     API request and all in one API request (the bulk upsert), roll-ups verified, then the
     top-level series read — compared with Akvo RSR's figures on this machine.

    .venv/bin/python bench/run.py --quick          # < 30 s, smoke run
    .venv/bin/python bench/run.py                  # default: import 100k, dashboard at 100k
    .venv/bin/python bench/run.py --full           # dashboard at 100k, 1M and 10M
    make bench BENCH_ARGS="--scales 100k,1M"

Uses its own database (bench/data/bench.sqlite3, or <DATABASE_URL name>_bench on PostgreSQL)
and writes bench/results/latest.json (or --out).
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import resource
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import baselines, generate
from bench.common import DATA_DIR, RESULTS_DIR, machine, repeat, setup_django, timer

TARGETS = {
    "import_rows_per_s_sqlite": 100_000,
    "dashboard_ms_at_10m": 150,
    "dashboard_growth_100k_to_10m": 2.0,
    "peer_bulk_s": 2.0,
    # Issue #8: one value per API request (Akvo RSR's REST path: 68 ms a value).
    "peer_one_at_a_time_s": 60.0,
    "peer_series_ms": 50.0,
}


def parse_count(text: str) -> int:
    text = text.strip().lower().replace("_", "")
    factor = 1
    if text.endswith("k"):
        factor, text = 1_000, text[:-1]
    elif text.endswith("m"):
        factor, text = 1_000_000, text[:-1]
    return int(float(text) * factor)


def label(n: int) -> str:
    if n >= 1_000_000 and n % 1_000_000 == 0:
        return f"{n // 1_000_000}M"
    if n >= 1_000 and n % 1_000 == 0:
        return f"{n // 1_000}k"
    return str(n)


def git_commit() -> str:
    """The commit measured (with "+changes" when the work tree differs from it)."""
    import shutil
    import subprocess

    root = Path(__file__).resolve().parent.parent
    git = shutil.which("git")
    if git is None:
        return "unknown"
    try:
        head = subprocess.run(  # noqa: S603 - fixed arguments, our own git
            [git, "rev-parse", "--short", "HEAD"],
            cwd=root,
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
        dirty = subprocess.run(  # noqa: S603 - fixed arguments, our own git
            [git, "status", "--porcelain", "--untracked-files=no", "--", "collective"],
            cwd=root,
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown"
    return head + ("+changes" if dirty else "")


def log(msg: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {msg}", flush=True)


# --- 1. import -------------------------------------------------------------------------------


def bench_import(rows: int, actor) -> dict:
    from bench import engine
    from collective.measurement.models import Observation

    spec = generate.Spec(
        slug="bench-import", partners=200, indicators=30, periods=36, observations=rows
    )
    plan = generate.make_plan(spec)
    reporters = plan.reporters_for(rows)
    built = generate.build_initiative(plan, actor=actor)
    generate.assign_reporters(plan, built, 0, reporters)
    path = DATA_DIR / "import.csv"
    n = generate.write_csv(plan, path, 0, reporters)
    log(f"import: {n:,} rows in {path.name}; checking and importing through the engine")
    with timer() as t_check:
        job = engine.import_check(built.initiative, actor, path)
    preview = engine.import_summary(job)
    if preview["errors"]:
        raise RuntimeError(f"the generated file has row errors: {preview['errors'][:3]}")
    with timer() as t_apply, engine.stages() as spent:
        job = engine.import_apply(job, actor)
    stored = Observation.objects.filter(initiative=built.initiative).count()
    assert stored == n, f"imported {stored} of {n} rows"
    engine_s = t_check.seconds + t_apply.seconds
    log(f"import: engine {n / engine_s:,.0f} rows/s; raw driver insert of the same rows")
    ids = {
        "initiative_id": built.initiative.pk,
        "indicator_ids": {ind.code: ind.pk for ind in built.indicators},
        "partner_ids": {p.name: p.pk for p in built.partners},
        "period_starts": {p: generate.month_start(p) for p in spec.period_codes},
        "actor_id": actor.pk,
    }
    raw = baselines.raw_insert_csv(path, **ids)
    # The same with time-ordered uids: how much of the floor is the random uid index?
    from collective.core.ids import uuid7

    raw_ordered = baselines.raw_insert_csv(path, **ids, make_uid=uuid7)
    # The floor of the set-based design: staging, INSERT ... SELECT, history and roll-ups in SQL.
    from collective.measurement.engine.rollups import Tree

    scopes_of = Tree.load(built.initiative.pk).chains
    floor = baselines.set_based_floor(path, **ids, scopes_of=scopes_of)
    return {
        "rows": n,
        "check_s": round(t_check.seconds, 3),
        "apply_s": round(t_apply.seconds, 3),
        "total_s": round(engine_s, 3),
        "rows_per_s": round(n / engine_s),
        "cpu_s": round(t_check.cpu + t_apply.cpu, 3),
        "rows_per_cpu_s": round(n / (t_check.cpu + t_apply.cpu)),
        "raw": raw,
        "raw_time_ordered_uid": raw_ordered,
        "set_based_floor": floor,
        "engine_vs_raw": round(raw["rows_per_s"] / (n / engine_s), 2),
        "preview_counts": {k: preview[k] for k in ("create", "update", "unchanged")},
        # Of apply_s: the roll-up and status refreshes; the rest reads, re-checks and writes.
        "apply_stages": spent,
    }


# --- 2./3. dashboard and series at growing sizes ---------------------------------------------


def pandas_meta(plan, built) -> dict:
    from collective.measurement.models import Target

    targets = {
        t.indicator_id: float(t.value)
        for t in Target.objects.filter(indicator__initiative=built.initiative, partner=None)
    }
    meta = {}
    for i, kind in enumerate(plan.kinds):
        code = plan.codes[i]
        info = {
            "aggregation": kind.aggregation,
            "cumulative": kind.cumulative,
            "direction": kind.direction,
            "percent": kind.value_type == "percent",
            "target": targets.get(built.indicators[i].pk),
        }
        if kind.formula:
            info["formula"] = generate.formula_for(plan, i)
            info["inputs"] = [c for c in plan.codes if c in info["formula"].split()]
        meta[code] = info
    return meta


def bench_reads(
    scales: list[int],
    actor,
    *,
    partners: int,
    indicators: int,
    periods: int,
    series_codes: int = 3,
    on_step=None,
) -> list[dict]:
    from django.db import connection
    from django.test import Client
    from django.urls import reverse
    from rest_framework.test import APIClient

    from bench import engine
    from collective.measurement.models import Observation, Rollup

    spec = generate.Spec(
        slug="bench-read",
        partners=partners,
        indicators=indicators,
        periods=periods,
        observations=max(scales),
    )
    plan = generate.make_plan(spec)
    log(f"reads: {len(plan.tree):,} partners, {len(plan.codes)} indicators, {periods} months")
    with timer() as t:
        built = generate.build_initiative(plan, actor=actor)
    log(f"reads: initiative built through the services in {t.seconds:.1f} s")
    client = Client()
    client.force_login(actor)
    api = APIClient()
    api.force_authenticate(actor)
    dashboard_url = reverse("measurement:index", kwargs={"slug": spec.slug})
    # One series per kind of interest: a sum, a ratio and a breakdown indicator.
    picks = [plan.codes[i] for i in plan.reported if plan.kinds[i].suffix in ("SUM", "RATE", "AGE")]
    picks = picks[:series_codes]
    csvs, results, done, total_loaded = [], [], 0, 0
    for scale in scales:
        reporters = plan.reporters_for(scale)
        step = {"target_observations": scale, "label": label(scale)}
        if reporters > done:
            path = DATA_DIR / f"reads-{len(csvs) + 1}.csv"
            with timer() as t:
                generate.write_csv(plan, path, done, reporters)
            csvs.append(path)
            generate.assign_reporters(plan, built, done, reporters)
            with timer() as t_load:
                loaded = generate.load_raw(plan, built, done, reporters)
            log(
                f"reads {label(scale)}: +{loaded:,} observations loaded raw in "
                f"{t_load.seconds:.1f} s ({loaded / t_load.seconds:,.0f} rows/s)"
            )
            step["raw_load_rows_per_s"] = round(loaded / t_load.seconds)
            total_loaded += loaded
            generate.set_targets(plan, built)
            # Above 1M observations the set-up's rebuild gets a big SQLite page cache.
            cache = generate.SETUP_CACHE_KIB if total_loaded > 1_500_000 else None
            step["rollup_refresh_page_cache_kib"] = cache
            with timer() as t_roll:
                engine.refresh_all(built.initiative, actor, page_cache_kib=cache)
            step["rollup_refresh_s"] = round(t_roll.seconds, 2)
            step["rollup_refresh_cpu_s"] = round(t_roll.cpu, 2)
            step["peak_rss_gib"] = round(
                resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024 / 1024, 2
            )
            log(f"reads {label(scale)}: roll-ups and statuses refreshed in {t_roll.seconds:.1f} s")
            done = reporters
        step["observations"] = Observation.objects.filter(initiative=built.initiative).count()
        step["rollups"] = Rollup.objects.filter(initiative=built.initiative).count()
        step["reporters_per_indicator"] = done

        def dashboard():
            response = client.get(dashboard_url)
            assert response.status_code == 200, response.status_code
            return response

        # Count with an execute wrapper: with CONN_MAX_AGE=0 (SQLite) each request closes the
        # connection at its end, which also empties a CaptureQueriesContext log.
        queries = []

        def count(execute, sql, params, many, context, seen=queries):
            seen.append(sql)
            return execute(sql, params, many, context)

        with connection.execute_wrapper(count):
            page = dashboard()
        step["dashboard"] = repeat(dashboard)
        step["dashboard"]["queries"] = len(queries)
        step["dashboard"]["bytes"] = len(page.content)
        series = {}
        for code in picks:
            url = reverse("api:indicator-series", kwargs={"slug": spec.slug, "code": code})

            def get(url=url):
                response = api.get(url)
                assert response.status_code == 200, (response.status_code, response.content[:200])

            series[code] = repeat(get)
        step["series"] = series
        log(
            f"reads {label(scale)}: dashboard {step['dashboard']['median_ms']} ms "
            f"({step['dashboard']['queries']} queries), series "
            + ", ".join(f"{c} {s['median_ms']} ms" for c, s in series.items())
        )
        meta = pandas_meta(plan, built)
        pd_dash = baselines.pandas_dashboard(csvs, meta)
        frame = pd_dash.pop("frame")
        figures = pd_dash.pop("figures")
        pd_series = {code: baselines.pandas_series(frame, code, meta) for code in picks}
        del frame
        step["pandas"] = {"dashboard": pd_dash, "series_compute": pd_series}
        step["agreement"] = engine.compare_latest(built.initiative, figures)
        step["dashboard_vs_pandas"] = round(pd_dash["total_ms"] / step["dashboard"]["median_ms"], 1)
        log(
            f"reads {label(scale)}: pandas {pd_dash['total_ms']:.0f} ms "
            f"(read_csv {pd_dash['read_csv_ms']:.0f} + compute {pd_dash['compute_ms']:.0f}); "
            f"latest values agree on {step['agreement']['agree']}/{step['agreement']['compared']}"
        )
        results.append(step)
        if on_step:
            on_step(results)
    return results


# --- Report ----------------------------------------------------------------------------------


def verdicts(result: dict) -> list[tuple[str, str, str, bool | None]]:
    """(what, measured, target, met) rows of the summary."""
    out = []
    imp = result.get("import")
    if imp:
        target = TARGETS["import_rows_per_s_sqlite"]
        met = imp["rows_per_s"] >= target if result["database"] == "sqlite" else None
        out.append(("import rows/s", f"{imp['rows_per_s']:,}", f">= {target:,} (SQLite)", met))
    reads = result.get("reads") or []
    if reads:
        last, first = reads[-1], reads[0]
        ms = last["dashboard"]["median_ms"]
        at_10m = last["target_observations"] >= 10_000_000
        out.append(
            (
                f"dashboard at {last['label']}",
                f"{ms} ms",
                f"<= {TARGETS['dashboard_ms_at_10m']} ms at 10M",
                ms <= TARGETS["dashboard_ms_at_10m"] if at_10m else None,
            )
        )
        if len(reads) > 1:
            growth = ms / first["dashboard"]["median_ms"]
            out.append(
                (
                    f"dashboard growth {first['label']} -> {last['label']}",
                    f"{growth:.2f}x",
                    f"< {TARGETS['dashboard_growth_100k_to_10m']}x",
                    growth < TARGETS["dashboard_growth_100k_to_10m"] if at_10m else None,
                )
            )
    peer = result.get("peer")
    if peer:
        b, s = peer["bulk_api"], peer["one_at_a_time"]
        full = b["values"] >= 10_000
        out.append(
            (
                "peer bulk (API)",
                f"{b['seconds']} s",
                f"<= {TARGETS['peer_bulk_s']} s",
                b["seconds"] <= TARGETS["peer_bulk_s"] if full else None,
            )
        )
        out.append(
            (
                "peer one value per API request",
                f"{s['seconds']} s",
                f"<= {TARGETS['peer_one_at_a_time_s']} s",
                s["seconds"] <= TARGETS["peer_one_at_a_time_s"] if full else None,
            )
        )
        out.append(
            (
                "peer top-level series",
                f"{peer['series_read']['max_ms']} ms",
                f"<= {TARGETS['peer_series_ms']} ms",
                peer["series_read"]["max_ms"] <= TARGETS["peer_series_ms"],
            )
        )
        out.append(
            (
                "peer roll-ups verified",
                f"{b['verify']['mismatches'] + s['verify']['mismatches']} mismatches",
                "0",
                b["verify"]["mismatches"] + s["verify"]["mismatches"] == 0,
            )
        )
    return out


def print_table(result: dict) -> None:
    load = result["load_average"]
    print()
    print(
        f"Shared measurement benchmark — {result['date']} — {result['database']} "
        f"({result['machine']['cpus']} CPUs, {result['machine']['ram_gib']} GiB; load average "
        f"{load['start'][0]} at the start, {load['end'][0]} at the end)"
    )
    imp = result.get("import")
    if imp:
        print(f"\nImport of {imp['rows']:,} CSV rows")
        print(
            f"  engine (check + confirm)  {imp['rows_per_s']:>12,} rows/s  "
            f"({imp['check_s']} s + {imp['apply_s']} s; {imp['rows_per_cpu_s']:,} rows per CPU s)"
        )
        print(
            f"  raw {imp['raw']['method']:<21} {imp['raw']['rows_per_s']:>12,} rows/s  "
            f"(engine is {imp['engine_vs_raw']}x slower)"
        )
        print(
            f"  the same, time-ordered uids {imp['raw_time_ordered_uid']['rows_per_s']:>10,} rows/s"
        )
        floor = imp.get("set_based_floor")
        if floor:
            print(
                f"  set-based floor (SQL only) {floor['rows_per_s']:>11,} rows/s  "
                f"({floor['rows_per_s_without_rollups']:,} without roll-ups; {floor['stages']})"
            )
        stages = imp.get("apply_stages")
        if stages:
            print(
                f"  engine's confirm: roll-ups {stages['rollups_s']} s, "
                f"status {stages['status_s']} s"
            )
    reads = result.get("reads") or []
    if reads:
        print(
            "\nReads          observations  roll-ups   dashboard (CPU)   queries  pandas "
            "(csv+compute)  series (median)"
        )
        for r in reads:
            series = ", ".join(f"{c} {s['median_ms']}" for c, s in r["series"].items())
            d = r["dashboard"]
            print(
                f"  {r['label']:<12} {r['observations']:>12,} {r['rollups']:>10,} "
                f"{d['median_ms']:>8} ms ({d['cpu_median_ms']}) {d['queries']:>5} "
                f"{r['pandas']['dashboard']['total_ms']:>11,.0f} ms "
                f"({r['dashboard_vs_pandas']}x)  {series} ms"
            )
    peer = result.get("peer")
    if peer:
        s, b, rd = peer["one_at_a_time"], peer["bulk_api"], peer["series_read"]
        akvo = peer["akvo_rsr"]
        print(
            f"\nPeer workload: {b['values']:,} values, 25 partners, {peer['indicators']} "
            f"indicators, {peer['quarters']} quarters (Akvo RSR: {akvo['save_and_rollup_s']} s,"
            f" read {akvo['read_programme_result_s'][0]}–{akvo['read_programme_result_s'][1]} s)"
        )
        print(
            f"  one per request {s['seconds']:>8} s  ({s['ms_per_value']} ms/value, CPU "
            f"{s['cpu_s']} s; {peer['ratios']['one_at_a_time_vs_akvo']}x faster than Akvo RSR)"
        )
        floor = s.get("commit_floor")
        if floor:
            print(
                f"    the same number of empty one-row transactions: {floor['seconds']} s "
                f"({floor['ms_per_commit']} ms per commit)"
            )
        print(
            f"  bulk via API    {b['seconds']:>8} s  (CPU {b['cpu_s']} s; "
            f"{peer['ratios']['bulk_vs_akvo']}x faster)"
        )
        print(f"  top-level series read: median {rd['median_ms']} ms, slowest {rd['max_ms']} ms")
    print("\nTargets")
    for what, measured, target, met in verdicts(result):
        mark = {True: "met", False: "MISSED", None: "n/a at this size"}[met]
        print(f"  {what:<34} {measured:>16}   target {target:<22} {mark}")


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description="Benchmark of shared measurement.")
    parser.add_argument("--quick", action="store_true", help="a smoke run in under 30 s")
    parser.add_argument("--full", action="store_true", help="dashboard at 100k, 1M and 10M")
    parser.add_argument("--scales", help="observation counts, e.g. 100k,1M,10M")
    parser.add_argument("--import-rows", type=parse_count, default=None)
    parser.add_argument("--partners", type=int, default=2000)
    parser.add_argument("--indicators", type=int, default=300)
    parser.add_argument("--periods", type=int, default=60)
    parser.add_argument("--skip", default="", help="comma list of: import, reads, peer")
    parser.add_argument("--out", type=Path, default=RESULTS_DIR / "latest.json")
    args = parser.parse_args(argv)
    skip = {s.strip() for s in args.skip.split(",") if s.strip()}

    if args.quick:
        scales = [parse_count(s) for s in (args.scales or "20k").split(",")]
        import_rows = args.import_rows or 5_000
        args.partners, args.indicators, args.periods = 60, 20, 24
        peer_quarters = 2
    else:
        default = "100k,1M,10M" if args.full else "100k"
        scales = [parse_count(s) for s in (args.scales or default).split(",")]
        import_rows = args.import_rows or 100_000
        peer_quarters = None

    started = time.perf_counter()
    load_start = [round(x, 2) for x in os.getloadavg()]
    url = setup_django(fresh=True)
    from bench import peer
    from bench.common import is_postgres
    from bench.generate import bench_user

    if peer_quarters:
        peer.QUARTERS[:] = peer.QUARTERS[:peer_quarters]
    actor = bench_user()
    result = {
        "date": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
        "commit": git_commit(),
        "database": "postgresql" if is_postgres() else "sqlite",
        "database_url": url.split("@")[-1],
        "machine": machine(),
        "args": {
            "quick": args.quick,
            "scales": scales,
            "import_rows": import_rows,
            "partners": args.partners,
            "indicators": args.indicators,
            "periods": args.periods,
        },
        "targets": TARGETS,
    }
    partial = args.out.with_name(f"{args.out.stem}-{result['database']}.partial.json")

    def save(**more) -> None:
        """What is measured so far, in case a long run is stopped."""
        partial.parent.mkdir(parents=True, exist_ok=True)
        partial.write_text(json.dumps({**result, **more}, indent=2, default=str) + "\n")

    if "import" not in skip:
        result["import"] = bench_import(import_rows, actor)
        save()
    if "reads" not in skip:
        result["reads"] = bench_reads(
            scales,
            actor,
            partners=args.partners,
            indicators=args.indicators,
            periods=args.periods,
            on_step=lambda steps: save(reads=steps),
        )
        save()
    if "peer" not in skip:
        log("peer workload: one value per API request, then all in one request")
        result["peer"] = peer.run(actor)
    result["seconds"] = round(time.perf_counter() - started, 1)
    # The machine may be shared (tests of other developers): say how busy it was.
    result["load_average"] = {"start": load_start, "end": [round(x, 2) for x in os.getloadavg()]}
    result["verdicts"] = [
        {"what": w, "measured": m, "target": t, "met": ok} for w, m, t, ok in verdicts(result)
    ]
    print_table(result)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    text = json.dumps(result, indent=2, default=str) + "\n"
    args.out.write_text(text)
    partial.unlink(missing_ok=True)
    # Also kept per database, so docs/performance.md can show SQLite and PostgreSQL side by side.
    per_db = args.out.with_name(f"{args.out.stem}-{result['database']}.json")
    per_db.write_text(text)
    print(f"\nwrote {args.out} and {per_db.name} ({result['seconds']} s in all)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
