"""Benchmark of continuous communication: `run_reminders` at scale and the updates feed page.

Builds (in its own database) one initiative with 200 partners, 2,000 people, a year of weekly
and monthly touchpoints, a year of action items and decisions, reporting duties for every
partner, and 50,000 updates; then times, through the real entry points only:
  1. `manage.py run_reminders` (first run, and a second run that must send nothing);
  2. the updates feed page (test client, signed in) at 50,000 updates, plain and filtered;
  3. the query count of a page with the notification bell.

    .venv/bin/python bench/communication.py            # full size (about 2 minutes)
    .venv/bin/python bench/communication.py --quick    # a tenth of everything

Targets: run_reminders ≤ 10 s and idempotent; feed ≤ 150 ms at 50,000 updates; bell ≤ 2
queries. Writes bench/results/communication-latest.json.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import random
import sys
import time
from pathlib import Path

BENCH = Path(__file__).resolve().parent
os.environ.setdefault("BENCH_DATA_DIR", str(BENCH / "data" / "communication"))
os.environ.setdefault("EMAIL_BACKEND", "django.core.mail.backends.locmem.EmailBackend")
sys.path.insert(0, str(BENCH.parent))

from bench.common import RESULTS_DIR, machine, repeat, setup_django, timer  # noqa: E402

TARGETS = {"run_reminders_s": 10.0, "feed_ms": 150.0, "bell_queries": 2}


def build(scale: float) -> dict:
    from django.contrib.auth import get_user_model
    from django.utils import timezone

    from collective.communication import services
    from collective.communication.models import ActionItem, Decision, Update
    from collective.core import services as core_services
    from collective.core.models import Membership, Partner
    from collective.measurement.models import Indicator, ReportingAssignment

    User = get_user_model()
    rng = random.Random(7)
    n_partners, n_people = int(200 * scale), int(2000 * scale)
    n_actions, n_updates = int(6000 * scale), int(50_000 * scale)
    now = timezone.now()
    today = timezone.localdate()
    backbone = User.objects.create_user("bench-backbone", "bb@bench.local", "x")
    initiative = core_services.initiative_create(
        actor=backbone, name="Bench initiative", slug="bench"
    )
    Partner.objects.bulk_create(
        [
            Partner(initiative=initiative, name=f"Partner {i:03d}", short_name=f"P{i:03d}")
            for i in range(n_partners)
        ]
    )
    partners = list(Partner.objects.filter(initiative=initiative))
    for p in partners:  # materialised paths, as the partner service would keep them
        p.path = f"/{p.pk}/"
    Partner.objects.bulk_update(partners, ["path"])
    User.objects.bulk_create(
        [
            User(username=f"person{i:04d}", email=f"person{i:04d}@bench.local")
            for i in range(n_people)
        ]
    )
    users = list(User.objects.filter(username__startswith="person").order_by("pk"))
    Membership.objects.bulk_create(
        [
            Membership(
                initiative=initiative,
                user=u,
                partner=partners[i % n_partners],
                role="partner_lead" if i < n_partners else "contributor",
            )
            for i, u in enumerate(users)
        ]
    )
    indicators = Indicator.objects.bulk_create(
        [Indicator(initiative=initiative, code=f"IND{i}", name=f"Indicator {i}") for i in range(10)]
    )
    ReportingAssignment.objects.bulk_create(
        [
            ReportingAssignment(
                initiative=initiative,
                indicator=ind,
                partner=p,
                due_days=10,
                starts_period=f"{today.year - 1}-{today.month:02d}",
            )
            for ind in indicators
            for p in partners
        ]
    )
    first = (now - dt.timedelta(days=365)).replace(tzinfo=None, second=0, microsecond=0)
    for i in range(max(2, int(20 * scale))):
        services.series_create(
            actor=backbone,
            initiative=initiative,
            title=f"Forum {i}",
            kind="working",
            cadence="weekly" if i % 2 else "monthly",
            first_start=first + dt.timedelta(days=i),
            time_zone="Europe/London",
            facilitator=users[i],
        )
    ActionItem.objects.bulk_create(
        [
            ActionItem(
                initiative=initiative,
                title=f"Action {i}",
                owner=users[rng.randrange(n_people)],
                due_date=today + dt.timedelta(days=rng.randint(-365, 60)),
                status=rng.choice(["open", "open", "in_progress", "done", "done", "done"]),
            )
            for i in range(n_actions)
        ],
        batch_size=2000,
    )
    Decision.objects.bulk_create(
        [
            Decision(
                initiative=initiative,
                number=i + 1,
                title=f"Decision {i}",
                statement="Decided.",
                method="meeting",
                status="taken",
                decided_at=now - dt.timedelta(days=rng.randint(1, 365)),
                review_date=today + dt.timedelta(days=rng.randint(-200, 100)),
                owner=users[rng.randrange(n_people)],
            )
            for i in range(int(300 * scale))
        ]
    )
    kinds = ["progress", "learning", "risk", "help_wanted"]
    for start in range(0, n_updates, 5000):
        Update.objects.bulk_create(
            [
                Update(
                    initiative=initiative,
                    kind=kinds[i % 4],
                    title=f"Update {i}",
                    body="Progress this week.",
                    partner=partners[i % n_partners],
                    author=users[i % n_people],
                    created_at=now - dt.timedelta(minutes=i),
                )
                for i in range(start, min(start + 5000, n_updates))
            ]
        )
    return {
        "initiative": initiative,
        "viewer": users[-1],
        "partners": n_partners,
        "people": n_people,
        "actions": n_actions,
        "updates": n_updates,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="A tenth of the data.")
    parser.add_argument("--out", default=str(RESULTS_DIR / "communication-latest.json"))
    args = parser.parse_args()
    scale = 0.1 if args.quick else 1.0
    url = setup_django(fresh=True)
    from django.core import mail
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from collective.communication.models import Notification, ReminderLog, WebhookDelivery

    with timer() as t_build:
        world = build(scale)
    mail.outbox = []
    results = {
        "when": time.strftime("%Y-%m-%d %H:%M"),
        "database": "postgresql" if url.startswith("postgres") else "sqlite",
        "load_average_before": os.getloadavg(),
        "machine": machine(),
        "size": {k: world[k] for k in ("partners", "people", "actions", "updates")},
        "build_s": round(t_build.seconds, 1),
    }
    with open(os.devnull, "w") as devnull:
        with timer() as first:
            call_command("run_reminders", stdout=devnull)
        sent_first = ReminderLog.objects.count()
        emails_first = len(getattr(mail, "outbox", []))
        with timer() as second:
            call_command("run_reminders", stdout=devnull)
    results["run_reminders"] = {
        "first_s": round(first.seconds, 2),
        "first_cpu_s": round(first.cpu, 2),
        "second_s": round(second.seconds, 2),
        "reminders_first": sent_first,
        "reminders_second": ReminderLog.objects.count() - sent_first,
        "notifications": Notification.objects.count(),
        "emails_first": emails_first,
        "webhook_deliveries": WebhookDelivery.objects.count(),
    }
    client = Client()
    client.force_login(world["viewer"])
    feed = f"/i/{world['initiative'].slug}/communication/updates/"
    for path in (feed, feed + "?kind=risk", feed + "?page=50"):
        assert client.get(path).status_code == 200, path
    results["feed_page"] = {
        "plain": repeat(lambda: client.get(feed)),
        "filtered_kind": repeat(lambda: client.get(feed + "?kind=risk")),
        "page_50": repeat(lambda: client.get(feed + "?page=50")),
    }
    from django.template import Context, Template
    from django.test import RequestFactory

    request = RequestFactory().get("/")
    request.user = world["viewer"]
    with CaptureQueriesContext(connection) as ctx:
        Template("{% include 'communication/_bell.html' %}").render(Context({"request": request}))
    with CaptureQueriesContext(connection) as page_ctx:
        client.get(feed)
    results["queries"] = {"bell": len(ctx.captured_queries), "feed_page": len(page_ctx)}
    results["load_average_after"] = os.getloadavg()
    results["targets"] = TARGETS
    results["met"] = {
        "run_reminders_s": results["run_reminders"]["first_s"] <= TARGETS["run_reminders_s"],
        "idempotent": results["run_reminders"]["reminders_second"] == 0,
        "feed_ms": results["feed_page"]["plain"]["median_ms"] <= TARGETS["feed_ms"],
        "bell_queries": results["queries"]["bell"] <= TARGETS["bell_queries"],
    }
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    Path(args.out).write_text(json.dumps(results, indent=2, default=str))
    print(json.dumps(results, indent=2, default=str))


if __name__ == "__main__":
    main()
