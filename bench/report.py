"""Render benchmark results (bench/results/*.json) as the Markdown tables of docs/performance.md.

    .venv/bin/python bench/report.py bench/results/latest-sqlite.json \\
        bench/results/latest-postgresql.json
"""

from __future__ import annotations

import json
import sys
from pathlib import Path


def run_label(r: dict) -> str:
    """Which database and which run: several runs may share a table."""
    return f"{r['database']} · {r['date'][:16].replace('T', ' ')} · {r.get('commit', '?')}"


def _times(ratio: float) -> str:
    """'3.2× faster' or '1.1× slower' (ratio = theirs ÷ ours)."""
    if ratio >= 1:
        return f"{ratio:g}× faster"
    return f"{round(1 / ratio, 1):g}× slower"


def _fmt(n, digits: int = 0) -> str:
    if n is None:
        return "—"
    return f"{n:,.{digits}f}"


def machine(results: list[dict]) -> str:
    m = results[0]["machine"]
    versions = ", ".join(
        dict.fromkeys(
            f"{r['database']} {r['machine'].get('postgresql') or r['machine']['sqlite']}"
            for r in results
        )
    )
    return (
        f"{m['cpus']} CPUs, {m['ram_gib']} GiB RAM, Python {m['python']}, pandas "
        f"{m.get('pandas')}, {versions}; {m['platform']}"
    )


def _floor(f: dict | None) -> str:
    if not f:
        return "—"
    st = f["stages"]
    return (
        f"{_fmt(f['rows_per_s'])} ({_fmt(f['rows_per_s_without_rollups'])}): parse "
        f"{st['parse_s']} s, stage {st['stage_s']} s, insert {st['insert_s']} s, history "
        f"{st['history_s']} s, roll-ups {st['rollups_s']} s"
    )


def imports(results: list[dict]) -> str:
    lines = [
        "| run | rows | engine: check + confirm (of which roll-ups + status) | engine rows/s "
        "| raw driver insert rows/s "
        "| raw is … × faster | set-based floor rows/s (without roll-ups) |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    for r in results:
        i = r.get("import")
        if not i:
            continue
        lines.append(
            f"| {run_label(r)} | {_fmt(i['rows'])} | {i['check_s']} s + {i['apply_s']} s "
            f"({i.get('apply_stages', {}).get('rollups_s', '—')} + "
            f"{i.get('apply_stages', {}).get('status_s', '—')} s) | "
            f"**{_fmt(i['rows_per_s'])}** ({_fmt(i.get('rows_per_cpu_s'))} per CPU s) | "
            f"{_fmt(i['raw']['rows_per_s'])} ({i['raw']['method']}); time-ordered uids "
            f"{_fmt(i.get('raw_time_ordered_uid', {}).get('rows_per_s'))} | "
            f"{i['engine_vs_raw']} | {_floor(i.get('set_based_floor'))} |"
        )
    return "\n".join(lines)


def reads(results: list[dict]) -> str:
    lines = [
        "| run | observations | roll-up rows | roll-up rebuild | dashboard (median) "
        "| queries | pandas: read CSV + compute | pandas ÷ dashboard | series (median) "
        "| pandas series compute |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---|---|",
    ]
    for r in results:
        for s in r.get("reads") or []:
            series = "<br>".join(f"{c} {v['median_ms']} ms" for c, v in s["series"].items())
            pseries = "<br>".join(
                f"{c} {v['ms']} ms" for c, v in s["pandas"]["series_compute"].items()
            )
            pd = s["pandas"]["dashboard"]
            lines.append(
                f"| {run_label(r)} | {_fmt(s['observations'])} | {_fmt(s['rollups'])} | "
                f"{s.get('rollup_refresh_s', '—')} s | **{s['dashboard']['median_ms']} ms** "
                f"(CPU {s['dashboard'].get('cpu_median_ms', '—')}) | "
                f"{s['dashboard']['queries']} | {_fmt(pd['total_ms'])} ms "
                f"({_fmt(pd['read_csv_ms'])} + {_fmt(pd['compute_ms'])}) | "
                f"{s['dashboard_vs_pandas']}× | {series} | {pseries} |"
            )
    return "\n".join(lines)


def _commits(s: dict) -> str:
    floor = s.get("commit_floor")
    if not floor:
        return ""
    return f"; {floor['transactions']:,} empty commits alone: {floor['seconds']} s"


def peer(results: list[dict]) -> str:
    lines = [
        "| run | one value per API request | per value | bulk (one API POST) | per value "
        "| top-level series read (median / slowest) | roll-ups checked |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    for r in results:
        p = r.get("peer")
        if not p:
            continue
        s, b, rd = p["one_at_a_time"], p["bulk_api"], p["series_read"]
        checked = s["verify"]["checked"] + b["verify"]["checked"]
        wrong = s["verify"]["mismatches"] + b["verify"]["mismatches"]
        lines.append(
            f"| {run_label(r)} | **{s['seconds']} s** (CPU {s.get('cpu_s', '—')} s; roll-ups "
            f"{s.get('stages', {}).get('rollups_s', '—')} s, status "
            f"{s.get('stages', {}).get('status_s', '—')} s{_commits(s)}) | "
            f"{s['ms_per_value']} ms | "
            f"**{b['seconds']} s** (CPU {b.get('cpu_s', '—')} s) | {b['ms_per_value']} ms | "
            f"{rd['median_ms']} / "
            f"{rd['max_ms']} ms | {checked:,} cells, {wrong} wrong |"
        )
    return "\n".join(lines)


def peer_vs_akvo(results: list[dict]) -> str:
    lines = [
        "| run | Akvo RSR save + roll up | ours, one value per request | ratio "
        "| Akvo RSR REST, per value | ours, per request | ratio | ours, bulk | ratio "
        "| Akvo RSR programme result read | our series read (slowest) | ratio |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in results:
        p = r.get("peer")
        if not p:
            continue
        a, one = p["akvo_rsr"], p["one_at_a_time"]
        rest = a.get("rest_per_value_ms")
        rest_ratio = p["ratios"].get("one_per_request_vs_akvo_rest")
        lines.append(
            f"| {run_label(r)} | {a['save_and_rollup_s']} s | {one['seconds']} s | "
            f"{_times(p['ratios']['one_at_a_time_vs_akvo'])} | "
            f"{f'{rest:g} ms' if rest else '—'} | {one['ms_per_value']} ms | "
            f"{_times(rest_ratio) if rest_ratio else '—'} | {p['bulk_api']['seconds']} s | "
            f"{_times(p['ratios']['bulk_vs_akvo'])} | {a['read_programme_result_s'][0]}–"
            f"{a['read_programme_result_s'][1]} s | {p['series_read']['max_ms']} ms | "
            f"{_times(p['ratios']['series_vs_akvo_fastest'])} |"
        )
    return "\n".join(lines)


def verdicts(results: list[dict]) -> str:
    lines = ["| run | what | measured | target | |", "|---|---|---:|---|---|"]
    mark = {True: "met", False: "**missed**", None: "not applicable"}
    for r in results:
        for v in r.get("verdicts", []):
            lines.append(
                f"| {run_label(r)} | {v['what']} | {v['measured']} | {v['target']} | "
                f"{mark[v['met']]} |"
            )
    return "\n".join(lines)


def main(paths: list[str]) -> None:
    results = [json.loads(Path(p).read_text()) for p in paths]
    print(f"Machine: {machine(results)}\n")
    for r in results:
        parts = [k for k in ("import", "reads", "peer") if r.get(k)]
        sizes = ", ".join(s["label"] for s in r.get("reads") or [])
        load = r.get("load_average", {})
        print(
            f"- {run_label(r)}: {' + '.join(parts)}{f' ({sizes})' if sizes else ''}; "
            f"{r['seconds']:,.0f} s; load average {load.get('start', ['?'])[0]} → "
            f"{load.get('end', ['?'])[0]}"
        )
    print("\n### Import\n")
    print(imports(results))
    print("\n### Dashboard and series\n")
    print(reads(results))
    print("\n### Peer workload\n")
    print(peer(results))
    print()
    print(peer_vs_akvo(results))
    print("\n### Targets\n")
    print(verdicts(results))


if __name__ == "__main__":
    main(sys.argv[1:] or ["bench/results/latest.json"])
