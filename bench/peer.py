"""The peer workload: the same job an open-source Django results framework (Akvo RSR) was
measured on, on this machine: 414 s to save and roll up 10,000 values (24 ms per value saved,
then 360 ms per roll-up job) and 1.3–1.9 s to read one programme-level result.

A programme with 4 regions of 5 projects each (1 -> 4 -> 20 = 25 partners); indicators of every
aggregation kind, a cumulative one and two broken down by a dimension; quarterly periods; the 20
projects report 10,000 values. Written (i) one value per request: a `POST` of one object to the
API's `observations/` for each value, and (ii) in one `POST` of the list (an atomic bulk upsert)
— what users call, through Django's test client with token authentication (the whole request:
middleware, authentication, permission, the service, the response; no network). Afterwards the
roll-ups must be fresh: the programme's figures are recomputed independently from the raw values
and compared. Then the top-level series of each indicator is read through the API.
"""

from __future__ import annotations

import json
import math
import random
import time
from dataclasses import dataclass
from decimal import Decimal

from bench.generate import quarter_code

AKVO = {
    "save_and_rollup_s": 414.0,
    "per_value_saved_ms": 24.0,
    "per_rollup_job_ms": 360.0,
    "read_programme_result_s": [1.3, 1.9],
    # Its REST API, one value per request (the figure issue #8 quotes).
    "rest_per_value_ms": 68.0,
}

AGE_GROUPS = ["0-4", "5-11", "12-17", "18-24", "25-64", "65+"]
SERVICES = ["Outreach", "Shelter", "Counselling", "Training", "Health", "Legal", "Employment"]


@dataclass(frozen=True)
class PeerIndicator:
    code: str
    name: str
    aggregation: str
    cumulative: bool = False
    breakdown_dimension: str = ""
    breakdown_values: tuple[str, ...] = ()
    value_type: str = "number"
    direction: str = "increase"


INDICATORS = [
    PeerIndicator("PEOPLE", "People reached", "sum"),
    PeerIndicator("SATISF", "Satisfaction score", "mean"),
    PeerIndicator("COVER", "Lowest coverage of a site", "min", value_type="percent"),
    PeerIndicator("PEAK", "Peak capacity used", "max"),
    PeerIndicator("STAFF", "Staff in post", "last"),
    PeerIndicator("HOUSED", "Share housed after 6 months", "ratio", value_type="ratio"),
    PeerIndicator("TRAINED", "People trained (running total)", "sum", cumulative=True),
    PeerIndicator(
        "YOUTH",
        "People reached by age group",
        "sum",
        breakdown_dimension="Age group",
        breakdown_values=tuple(AGE_GROUPS),
    ),
    PeerIndicator(
        "HOURS",
        "Support hours by service",
        "sum",
        breakdown_dimension="Service",
        breakdown_values=tuple(SERVICES),
    ),
]
QUARTERS = [quarter_code("2019-Q1", i) for i in range(25)]  # 25 quarters x 20 projects x 20


def values_per_report() -> int:
    return sum(max(1, len(ind.breakdown_values)) for ind in INDICATORS)


def build(slug: str, actor):
    """Initiative, the 1 -> 4 -> 20 partner tree, indicators and duties, through the services."""
    from collective.core import services as core_services
    from collective.measurement import services

    initiative = core_services.initiative_create(
        actor=actor, name=f"Peer workload {slug}", slug=slug
    )
    root = core_services.partner_create(actor=actor, initiative=initiative, name="Programme")
    regions, projects = [], []
    for r in range(4):
        region = core_services.partner_create(
            actor=actor, initiative=initiative, name=f"Region {r + 1}", parent=root
        )
        regions.append(region)
        for p in range(5):
            projects.append(
                core_services.partner_create(
                    actor=actor,
                    initiative=initiative,
                    name=f"Project {r + 1}.{p + 1}",
                    parent=region,
                )
            )
    indicators = {}
    for ind in INDICATORS:
        indicators[ind.code] = services.indicator_create(
            actor=actor,
            initiative=initiative,
            code=ind.code,
            name=ind.name,
            frequency="quarter",
            aggregation=ind.aggregation,
            cumulative=ind.cumulative,
            value_type=ind.value_type,
            direction=ind.direction,
            breakdown_dimension=ind.breakdown_dimension,
            breakdown_values=list(ind.breakdown_values),
        )
        for project in projects:
            services.assignment_set(actor=actor, indicator=indicators[ind.code], partner=project)
    return initiative, root, regions, projects, indicators


def rows(projects, *, seed: int = 414) -> list[dict]:
    """The 10,000 values: each quarter, each project reports every indicator (per breakdown)."""
    rng = random.Random(seed)
    out = []
    for q, period in enumerate(QUARTERS):
        for p, project in enumerate(projects):
            for ind in INDICATORS:
                for b in ind.breakdown_values or ("",):
                    row = {
                        "indicator": ind.code,
                        "partner": str(project.uid),
                        "period": period,
                        "breakdown": b,
                    }
                    level = 50 + 3 * p + q * 1.5
                    if ind.aggregation == "ratio":
                        den = rng.randint(40, 120)
                        row["numerator"] = str(round(den * rng.uniform(0.4, 0.8)))
                        row["denominator"] = str(den)
                    else:
                        row["value"] = str(round(level * rng.uniform(0.8, 1.2), 1))
                    out.append(row)
    return out


def expected_collective(rows_: list[dict], code: str, period: str, breakdown: str = ""):
    """The collective value recomputed from raw values, independently of the engine."""
    ind = next(i for i in INDICATORS if i.code == code)
    upto = QUARTERS[: QUARTERS.index(period) + 1] if ind.cumulative else [period]
    mine = [r for r in rows_ if r["indicator"] == code and r["period"] in upto]
    if breakdown:
        mine = [r for r in mine if r["breakdown"] == breakdown]
    if not mine:
        return None
    if ind.aggregation == "ratio":
        num = sum(Decimal(r["numerator"]) for r in mine)
        den = sum(Decimal(r["denominator"]) for r in mine)
        return num / den
    # Total over breakdown values per partner and period, then across partners.
    per = {}
    for r in mine:
        per.setdefault((r["partner"], r["period"]), Decimal(0))
        per[(r["partner"], r["period"])] += Decimal(r["value"])
    values = list(per.values())
    if ind.aggregation == "sum":
        return sum(values)
    if ind.aggregation == "mean":
        return sum(values) / len(values)
    if ind.aggregation == "min":
        return min(values)
    if ind.aggregation == "max":
        return max(values)
    # "last": the most recently written value among the partners of the period.
    return Decimal(mine[-1]["value"])


def verify(initiative, root, rows_: list[dict]) -> dict:
    """Compare every collective and programme-level roll-up with the independent figure."""
    from django.db.models import Q

    from collective.measurement.models import Rollup

    checked, mismatches = 0, []
    rows_at_top = Rollup.objects.filter(
        Q(scope__isnull=True) | Q(scope=root), initiative=initiative
    ).values_list("indicator__code", "period", "scope_id", "breakdown", "value")
    rollups = {(code, period, sid, bd): value for code, period, sid, bd, value in rows_at_top}
    scopes = [None, root.pk]
    for ind in INDICATORS:
        for period in QUARTERS:
            for breakdown in ["", *ind.breakdown_values]:
                want = expected_collective(rows_, ind.code, period, breakdown)
                for scope in scopes:
                    got = rollups.get((ind.code, period, scope, breakdown))
                    checked += 1
                    if want is None and got is None:
                        continue
                    if (
                        got is None
                        or want is None
                        or not math.isclose(float(got), float(want), rel_tol=1e-6, abs_tol=1e-6)
                    ):
                        mismatches.append(
                            {
                                "indicator": ind.code,
                                "period": period,
                                "scope": scope,
                                "breakdown": breakdown,
                                "engine": None if got is None else str(got),
                                "expected": None if want is None else str(want),
                            }
                        )
    return {"checked": checked, "mismatches": len(mismatches), "examples": mismatches[:5]}


def _api(actor):
    """An API client that authenticates as a script would: `Authorization: Token ...`, with
    a token made the way a user makes one (hashed at rest; each request looks it up)."""
    from rest_framework.test import APIClient

    from collective.core import services as core_services

    _token, secret = core_services.api_token_create(actor=actor, name="benchmark")
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {secret}")
    return api


def run_one_at_a_time(actor) -> dict:
    """Every value in a request of its own: POST one object to `observations/`."""
    from django.urls import reverse

    from bench import engine

    initiative, root, _regions, projects, _indicators = build("peer-single", actor)
    data = rows(projects)
    api = _api(actor)
    url = reverse("api:observation-list", kwargs={"slug": initiative.slug})
    bodies = [json.dumps(row) for row in data]
    start, cpu = time.perf_counter(), time.process_time()
    with engine.stages() as spent:
        for body in bodies:
            response = api.post(url, body, content_type="application/json")
            if response.status_code not in (200, 201):
                raise RuntimeError(
                    f"one-value POST answered {response.status_code}: {response.content[:500]}"
                )
    seconds, cpu = time.perf_counter() - start, time.process_time() - cpu
    check = verify(initiative, root, data)
    return {
        "values": len(data),
        "requests": len(data),
        "seconds": round(seconds, 2),
        "cpu_s": round(cpu, 2),
        "stages": spent,
        "ms_per_value": round(seconds * 1000 / len(data), 3),
        "verify": check,
        "initiative": initiative.slug,
    }


def run_bulk_api(actor) -> dict:
    from django.urls import reverse

    initiative, root, _regions, projects, _indicators = build("peer-bulk", actor)
    data = rows(projects)
    api = _api(actor)
    url = reverse("api:observation-list", kwargs={"slug": initiative.slug})
    body = json.dumps(data)
    start, cpu = time.perf_counter(), time.process_time()
    response = api.post(url, body, content_type="application/json")
    seconds, cpu = time.perf_counter() - start, time.process_time() - cpu
    if response.status_code not in (200, 201):
        raise RuntimeError(f"bulk upsert answered {response.status_code}: {response.content[:500]}")
    check = verify(initiative, root, data)
    return {
        "values": len(data),
        "seconds": round(seconds, 3),
        "cpu_s": round(cpu, 3),
        "ms_per_value": round(seconds * 1000 / len(data), 4),
        "response": {k: v for k, v in response.json().items() if k != "errors"},
        "verify": check,
        "initiative": initiative.slug,
    }


def read_series(actor, slug: str) -> dict:
    """Top-level series of every indicator through the API (median of 7 after 2 warm-ups)."""
    from django.urls import reverse
    from rest_framework.test import APIClient

    from bench.common import repeat

    api = APIClient()
    api.force_authenticate(actor)
    out = {}
    for ind in INDICATORS:
        url = reverse("api:indicator-series", kwargs={"slug": slug, "code": ind.code})

        def get(url=url):
            response = api.get(url)
            assert response.status_code == 200, (response.status_code, response.content[:300])

        out[ind.code] = repeat(get)
    medians = [v["median_ms"] for v in out.values()]
    return {
        "per_indicator": out,
        "median_ms": sorted(medians)[len(medians) // 2],
        "max_ms": max(medians),
    }


def commit_floor(count: int) -> dict:
    """The same number of transactions doing nothing but update one row and commit: what
    one-at-a-time writes cost at the least on this database and disk (on PostgreSQL each commit
    waits for the write-ahead log to reach the disk; SQLite in WAL mode with synchronous=NORMAL
    does not sync at each commit)."""
    from django.db import connection, transaction

    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE IF EXISTS bench_commit_floor")
        cursor.execute("CREATE TABLE bench_commit_floor (id INTEGER PRIMARY KEY, n INTEGER)")
        cursor.execute("INSERT INTO bench_commit_floor VALUES (1, 0)")
    start, cpu = time.perf_counter(), time.process_time()
    for _ in range(count):
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("UPDATE bench_commit_floor SET n = n + 1 WHERE id = 1")
    seconds, cpu = time.perf_counter() - start, time.process_time() - cpu
    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE bench_commit_floor")
    return {
        "transactions": count,
        "seconds": round(seconds, 2),
        "cpu_s": round(cpu, 2),
        "ms_per_commit": round(seconds * 1000 / count, 3),
    }


def run(actor) -> dict:
    single = run_one_at_a_time(actor)
    single["commit_floor"] = commit_floor(single["values"])
    bulk = run_bulk_api(actor)
    series = read_series(actor, bulk["initiative"])
    return {
        "partners": 25,
        "indicators": len(INDICATORS),
        "quarters": len(QUARTERS),
        "values_per_project_quarter": values_per_report(),
        "one_at_a_time": single,
        "bulk_api": bulk,
        "series_read": series,
        "akvo_rsr": AKVO,
        # Per value, so a reduced run (--quick) compares like with like.
        "ratios": {
            "one_at_a_time_vs_akvo": round(
                AKVO["save_and_rollup_s"] / 10_000 / (single["seconds"] / single["values"]), 1
            ),
            "one_per_request_vs_akvo_rest": round(
                AKVO["rest_per_value_ms"] / single["ms_per_value"], 1
            ),
            "bulk_vs_akvo": round(
                AKVO["save_and_rollup_s"] / 10_000 / (bulk["seconds"] / bulk["values"]), 1
            ),
            "series_vs_akvo_fastest": round(
                AKVO["read_programme_result_s"][0] * 1000 / series["max_ms"], 1
            ),
        },
    }
