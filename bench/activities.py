"""Benchmark of mutually reinforcing activities: the pages and API at 200 partners, 60 outcomes,
1,000 activities and 3,000 claims, requested through Django's test client (the real views,
middleware and templates; no network, no private functions).

    .venv/bin/python bench/activities.py                  # SQLite (bench/data/bench.sqlite3)
    DATABASE_URL=postgres://... .venv/bin/python bench/activities.py
    .venv/bin/python bench/activities.py --partners 50 --activities 200 --claims 600 --quick

Targets (issue 11): alignment matrix page ≤ 150 ms with a constant query count; map JSON
≤ 300 ms; gaps ≤ 200 ms; overlap detection over all pairs ≤ 2 s (a background task with
progress); network measures ≤ 500 ms. Results go to bench/results/activities-<database>.json.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import RESULTS_DIR, is_postgres, machine, repeat, setup_django

VERBS = [
    "Train",
    "Coach",
    "Map",
    "Fund",
    "Pilot",
    "Redesign",
    "Automate",
    "Review",
    "Convene",
    "Measure",
    "Publish",
    "Mentor",
    "Screen",
    "House",
    "Support",
]
OBJECTS = [
    "hand-off notes",
    "case workers",
    "host families",
    "security reviews",
    "billing set-up",
    "school counsellors",
    "data sharing",
    "eviction defence",
    "apprenticeships",
    "intake line",
    "integration templates",
    "peer mentors",
    "youth voice",
    "rent deposits",
    "outreach teams",
    "kick-off calls",
    "set-up guides",
    "dashboards",
    "volunteer hosts",
    "legal clinics",
]
AUDIENCES = [
    "new customers",
    "young people",
    "care leavers",
    "families",
    "small customers",
    "enterprise customers",
    "tenants",
    "pupils",
    "frontline staff",
    "volunteers",
]
PLACES = [
    "the north district",
    "the county",
    "the city centre",
    "rural villages",
    "every region",
    "the pilot sites",
    "schools",
    "shelters",
]
WORDS = [
    "plan",
    "pilot",
    "weekly",
    "monthly",
    "shared",
    "template",
    "checklist",
    "evidence",
    "review",
    "budget",
    "partners",
    "training",
    "session",
    "workshop",
    "report",
    "survey",
    "outreach",
    "referral",
    "placement",
    "housing",
    "income",
    "deposit",
    "tenancy",
    "school",
    "counsellor",
    "data",
    "dashboard",
    "integration",
    "configuration",
    "security",
    "agreement",
    "billing",
    "invoice",
    "onboarding",
    "kick-off",
    "customer",
    "volunteer",
    "host",
    "mentor",
    "apprentice",
    "wage",
    "employer",
    "clinic",
    "eviction",
    "defence",
    "advice",
    "rights",
    "landlord",
    "voucher",
    "rent",
    "case",
    "worker",
    "assessment",
    "screening",
    "risk",
    "early",
    "identification",
    "same-night",
    "bed",
    "shelter",
    "hostel",
    "transition",
]


def log(msg: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {msg}", flush=True)


def build(partners: int, outcomes: int, activities: int, claims: int, seed: int = 11):
    """The large initiative: partners and the agenda through the services; activities, claims,
    supporters, dependencies and reviews in bulk (the benchmark measures reads)."""
    from django.contrib.auth import get_user_model

    from collective.activities.models import (
        Activity,
        ClaimReview,
        Contribution,
        Dependency,
    )
    from collective.agenda import services as agenda
    from collective.core import services as core
    from collective.core.models import Membership
    from collective.measurement.models import Indicator

    rng = random.Random(seed)
    user = get_user_model().objects.create_user("bench-backbone", password=None)
    initiative = core.initiative_create(actor=user, name="Bench initiative", slug="bench")
    log(f"partners: {partners}")
    made = []
    for i in range(partners):
        parent = made[rng.randrange(len(made))] if made and i % 4 == 3 else None
        made.append(
            core.partner_create(
                actor=user, initiative=initiative, name=f"Partner {i:03d}", parent=parent
            )
        )
    Membership.objects.filter(initiative=initiative, user=user).update(partner=made[0])
    log(f"agenda with {outcomes} outcomes")
    version = agenda.agenda_draft_create(actor=user, initiative=initiative, title="Bench")
    goals = []
    for i in range(outcomes):
        parent = goals[i % len(goals)] if goals and i >= 6 else None
        version.refresh_from_db()
        node = agenda.outcome_add(
            actor=user,
            version=version,
            revision=version.revision,
            statement=f"Outcome {i:02d}: {rng.choice(OBJECTS)} work for {rng.choice(AUDIENCES)}",
            parent=parent,
        )
        if i < 6:
            goals.append(node)
    version.refresh_from_db()
    agenda.agenda_adopt(actor=user, version=version, rationale="Bench")
    from collective.agenda.models import Outcome

    outcome_ids = list(Outcome.objects.filter(initiative=initiative).values_list("pk", flat=True))
    for i, pk in enumerate(outcome_ids[: outcomes // 2]):
        ind = Indicator.objects.create(
            initiative=initiative, code=f"IND_{i:02d}", name=f"Indicator {i}", level="outcome"
        )
        ind.outcomes.add(pk)
    log(f"{activities} activities, {claims} claims")
    today = datetime.date(2026, 6, 1)
    rows = []
    for i in range(activities):
        start = today + datetime.timedelta(days=rng.randint(-400, 200))
        rows.append(
            Activity(
                initiative=initiative,
                partner=made[i % partners],
                title=f"{rng.choice(VERBS)} {rng.choice(OBJECTS)} for {rng.choice(AUDIENCES)} in "
                f"{rng.choice(PLACES)}",
                description=" ".join(rng.choice(WORDS) for _ in range(rng.randint(12, 30))),
                status=rng.choice(["planned", "active", "active", "paused", "done"]),
                lever=rng.choice(
                    [
                        "programme",
                        "programme",
                        "practices",
                        "policies",
                        "resource_flows",
                        "relationships",
                        "power",
                        "mental_models",
                    ]
                ),
                start=start,
                end=start + datetime.timedelta(days=rng.randint(30, 500)),
                percent_complete=rng.randint(0, 100),
            )
        )
    Activity.objects.bulk_create(rows, batch_size=500)
    acts = list(Activity.objects.filter(initiative=initiative).order_by("pk"))
    through = Activity.supporting_partners.through
    through.objects.bulk_create(
        [
            through(activity_id=a.pk, partner_id=made[rng.randrange(partners)].pk)
            for a in acts
            if rng.random() < 0.6
        ],
        ignore_conflicts=True,
    )
    pairs = set()
    while len(pairs) < claims:
        pairs.add((acts[rng.randrange(len(acts))].pk, rng.choice(outcome_ids)))
    Contribution.objects.bulk_create(
        [
            Contribution(
                initiative=initiative,
                activity_id=a,
                outcome_id=o,
                strength=rng.choice(["direct", "indirect"]),
                rationale="Bench claim",
            )
            for a, o in pairs
        ],
        batch_size=1000,
    )
    # Dependencies: a forest (always on an earlier activity), so there is no cycle.
    Dependency.objects.bulk_create(
        [
            Dependency(
                initiative=initiative, activity_id=acts[i].pk, needs_id=acts[rng.randrange(i)].pk
            )
            for i in range(1, len(acts))
            if rng.random() < 0.3
        ],
        ignore_conflicts=True,
    )
    claim_ids = list(
        Contribution.objects.filter(initiative=initiative).values_list("pk", flat=True)
    )
    ClaimReview.objects.bulk_create(
        [
            ClaimReview(
                initiative=initiative,
                contribution_id=pk,
                reviewer=user,
                verdict=rng.choice(["substantiated", "contested"]),
                comment="Bench",
            )
            for pk in rng.sample(claim_ids, min(600, len(claim_ids)))
        ]
    )
    return initiative, user, made


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description="Benchmark of activities.")
    parser.add_argument("--partners", type=int, default=200)
    parser.add_argument("--outcomes", type=int, default=60)
    parser.add_argument("--activities", type=int, default=1000)
    parser.add_argument("--claims", type=int, default=3000)
    parser.add_argument("--quick", action="store_true", help="fewer repetitions")
    args = parser.parse_args(argv)
    load_before = os.getloadavg()
    setup_django(fresh=True)
    from django.db import connection
    from django.test import Client

    from collective.activities.models import OverlapScan

    started = time.perf_counter()
    initiative, user, partners = build(args.partners, args.outcomes, args.activities, args.claims)
    log(f"built in {time.perf_counter() - started:.1f} s")
    client = Client()
    client.force_login(user)
    base = f"/i/{initiative.slug}/activities/"
    api = f"/api/v1/initiatives/{initiative.slug}/"
    times = 3 if args.quick else 7
    results: dict = {}

    def measure(name, method, url, target_ms, data=None):
        def call():
            response = getattr(client, method)(url, data or {})
            assert response.status_code in (200, 302), (url, response.status_code)

        call()
        count = [0]

        def counter(execute, sql, params, many, context):
            count[0] += 1
            return execute(sql, params, many, context)

        with connection.execute_wrapper(counter):
            call()
        figures = repeat(call, times=times, warmup=1)
        figures.update(queries=count[0], target_ms=target_ms, url=url)
        figures["ok"] = figures["median_ms"] <= target_ms
        results[name] = figures
        log(
            f"{name:28} {figures['median_ms']:8.1f} ms wall, {figures['cpu_median_ms']:7.1f} ms "
            f"CPU (target {target_ms}) {figures['queries']} queries"
        )

    measure("alignment page", "get", base + "alignment/", 150)
    measure("alignment page 2", "get", base + "alignment/?page=2", 150)
    measure("alignment API", "get", api + "alignment/", 150)
    measure("map JSON (overview)", "get", base + "map.json", 300)
    measure("map JSON (one partner)", "get", base + f"map.json?partner={partners[1].uid}", 300)
    measure("map JSON (every activity)", "get", base + "map.json?view=detail", 300)
    measure("gaps page", "get", base + "gaps/", 200)
    measure("gaps API", "get", api + "gaps/", 200)
    measure("network page (evidence)", "get", base + "network/", 500)
    measure("network API (evidence)", "get", api + "network/", 500)
    # Overlap detection over all pairs, through the real background task: the POST queues the
    # scan, the immediate backend runs it on commit, in this process, with progress saved.
    measure(
        "overlap scan (all pairs)", "post", base + "overlaps/scan/", 2000, {"threshold": "0.45"}
    )
    scan = OverlapScan.objects.filter(initiative=initiative).first()
    results["overlap scan (all pairs)"].update(
        candidate_pairs=scan.total, pairs_found=len(scan.results), state=scan.state
    )
    measure("overlaps API", "get", api + "overlaps/", 2000)
    load_after = os.getloadavg()
    out = {
        "when": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
        "database": "postgresql" if is_postgres() else "sqlite",
        "scale": vars(args),
        "machine": machine(),
        "load_before": [round(x, 2) for x in load_before],
        "load_after": [round(x, 2) for x in load_after],
        "results": results,
    }
    RESULTS_DIR.mkdir(exist_ok=True)
    path = RESULTS_DIR / f"activities-{out['database']}.json"
    path.write_text(json.dumps(out, indent=2) + "\n")
    log(f"load average before {load_before}, after {load_after}; wrote {path}")
    return 0 if all(r["ok"] for r in results.values()) else 1


if __name__ == "__main__":
    raise SystemExit(main())
