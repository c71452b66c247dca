"""Generate a large initiative: a partner tree, indicators of every kind, monthly observations.

Default run is small (seconds). Parameters reach 2,000 partners x 300 indicators x 60 monthly
periods (up to ~36M cells; a target observation count picks how many partners report each
indicator). It can write the observations as a CSV in the import's long format and/or load them
straight into the database with raw bulk inserts (for setting up the 1M/10M read benchmarks);
roll-ups are then computed by the engine's own refresh function, so pages read real roll-ups.

    .venv/bin/python bench/generate.py --csv bench/data/large.csv            # small, CSV only
    .venv/bin/python bench/generate.py --partners 2000 --indicators 300 --periods 60 \\
        --observations 10000000 --load                                     # 10M into bench DB
"""

from __future__ import annotations

import argparse
import csv
import datetime
import math
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import DATA_DIR, setup_django, timer

CSV_HEADER = ["indicator", "partner", "period", "breakdown", "value", "numerator", "denominator"]
GOAL_DRIFT = 0.008  # per period: the improvement the targets ask for
SETUP_CACHE_KIB = 4 * 1024 * 1024  # SQLite page cache of the bulk set-up (not of measured reads)


# --- Periods ---------------------------------------------------------------------------------


def month_code(start: str, offset: int) -> str:
    year, month = (int(x) for x in start.split("-"))
    index = year * 12 + month - 1 + offset
    return f"{index // 12:04d}-{index % 12 + 1:02d}"


def month_start(code: str) -> datetime.date:
    year, month = (int(x) for x in code.split("-"))
    return datetime.date(year, month, 1)


def quarter_code(start: str, offset: int) -> str:
    year, q = start.split("-Q")
    index = int(year) * 4 + int(q) - 1 + offset
    return f"{index // 4:04d}-Q{index % 4 + 1}"


def quarter_start(code: str) -> datetime.date:
    year, q = code.split("-Q")
    return datetime.date(int(year), (int(q) - 1) * 3 + 1, 1)


# --- What to generate ------------------------------------------------------------------------


@dataclass(frozen=True)
class Kind:
    """One indicator template; the large initiative cycles through these."""

    suffix: str
    name: str
    aggregation: str
    cumulative: bool = False
    breakdown_dimension: str = ""
    breakdown_values: tuple[str, ...] = ()
    value_type: str = "number"
    direction: str = "increase"
    level: str = "output"
    rba_question: str = "how_much"
    unit: str = ""
    formula: str = ""  # "{SUM}" placeholders are replaced by the codes of the same cycle
    scale: str = "count"  # count | score | ratio


KINDS = [
    Kind("SUM", "People served", "sum", unit="people"),
    Kind(
        "MEAN",
        "Satisfaction score",
        "mean",
        level="outcome",
        rba_question="how_well",
        scale="score",
        unit="points",
    ),
    Kind(
        "MIN",
        "Lowest site coverage",
        "min",
        value_type="percent",
        level="outcome",
        rba_question="how_well",
        scale="score",
        unit="%",
    ),
    Kind("MAX", "Peak daily capacity", "max", scale="score", unit="places"),
    Kind("LAST", "Staff in post", "last", scale="score", unit="staff"),
    Kind(
        "RATE",
        "Share placed in stable housing",
        "ratio",
        value_type="ratio",
        level="outcome",
        rba_question="better_off",
        scale="ratio",
        unit="%",
    ),
    Kind(
        "CUM",
        "Sessions delivered (running total)",
        "sum",
        cumulative=True,
        rba_question="how_much",
        unit="sessions",
    ),
    Kind(
        "AGE",
        "Young people reached by age group",
        "sum",
        breakdown_dimension="Age group",
        breakdown_values=("0-17", "18-24", "25+"),
        level="outcome",
        unit="people",
    ),
    Kind(
        "WAIT",
        "Days waiting by region",
        "mean",
        breakdown_dimension="Region",
        breakdown_values=("North", "South", "East", "West"),
        direction="decrease",
        level="outcome",
        rba_question="how_well",
        scale="score",
        unit="days",
    ),
    Kind(
        "PER",
        "People served per session",
        "sum",
        formula="{SUM} / {CUM}",
        level="output",
        rba_question="how_well",
    ),
]


@dataclass
class Spec:
    slug: str = "bench-large"
    partners: int = 60
    indicators: int = 20
    periods: int = 24
    observations: int = 20_000
    first_period: str = "2021-01"
    seed: int = 4
    missing: float = 0.02  # share of (partner, period) cells never reported

    @property
    def period_codes(self) -> list[str]:
        return [month_code(self.first_period, i) for i in range(self.periods)]


@dataclass
class Plan:
    """The shape derived from a Spec: tree, indicator kinds, who reports what."""

    spec: Spec
    tree: list[tuple[str, int | None]]  # (partner name, parent index)
    leaves: list[int]
    kinds: list[Kind]  # per indicator
    codes: list[str]
    reported: list[int]  # indicators that receive observations (not formulas)
    # per indicator: sum / count / min / max of period-0 values (for baselines and targets)
    first: dict[int, dict] = field(default_factory=dict)

    def reporter(self, indicator: int, j: int) -> int:
        """The j-th leaf reporting an indicator: a rotation, so indicators differ in reporters."""
        return self.leaves[(indicator * 37 + j) % len(self.leaves)]

    def cells_per_reporter(self) -> int:
        return sum(
            max(1, len(self.kinds[i].breakdown_values)) * self.spec.periods for i in self.reported
        )

    def reporters_for(self, observations: int) -> int:
        wanted = round(observations / ((1 - self.spec.missing) * self.cells_per_reporter()))
        return max(1, min(len(self.leaves), wanted))


def make_plan(spec: Spec) -> Plan:
    n = max(3, spec.partners)
    top = max(1, n // 100)
    middle = max(1, n // 10)
    tree: list[tuple[str, int | None]] = []
    for i in range(top):
        tree.append((f"Org {i + 1:03d}", None))
    for j in range(middle):
        tree.append((f"Dept {j + 1:04d}", j % top))
    leaves = []
    for k in range(n - top - middle):
        leaves.append(len(tree))
        tree.append((f"Team {k + 1:05d}", top + k % middle))
    kinds, codes = [], []
    for i in range(spec.indicators):
        kind = KINDS[i % len(KINDS)]
        kinds.append(kind)
        codes.append(f"{kind.suffix}{i // len(KINDS) + 1:03d}")
    # A formula needs its whole cycle; a truncated last cycle drops it.
    reported = [i for i, kind in enumerate(kinds) if not kind.formula]
    keep = [
        i
        for i, kind in enumerate(kinds)
        if not kind.formula or i - i % len(KINDS) + len(KINDS) <= spec.indicators
    ]
    kinds = [kinds[i] for i in keep]
    codes = [codes[i] for i in keep]
    reported = [keep.index(i) for i in reported]
    return Plan(spec=spec, tree=tree, leaves=leaves, kinds=kinds, codes=codes, reported=reported)


def formula_for(plan: Plan, indicator: int) -> str:
    kind = plan.kinds[indicator]
    cycle = plan.codes[indicator][len(kind.suffix) :]
    return kind.formula.format(**{k.suffix: f"{k.suffix}{cycle}" for k in KINDS})


# --- Values ----------------------------------------------------------------------------------


def _drift(spec: Spec, indicator: int) -> float:
    rng = np.random.default_rng([spec.seed, indicator, 0])
    return float(rng.uniform(-0.004, 0.014))


def block(plan: Plan, indicator: int, j: int) -> list[tuple]:
    """Rows (period index, breakdown, value, numerator, denominator) of one reporter."""
    spec = plan.spec
    kind = plan.kinds[indicator]
    rng = np.random.default_rng([spec.seed, indicator, j + 1])
    t = np.arange(spec.periods)
    drift = _drift(spec, indicator)
    present = rng.random(spec.periods) >= spec.missing
    breakdowns = kind.breakdown_values or ("",)
    rows = []
    for b in breakdowns:
        noise = 1 + rng.normal(0, 0.06, spec.periods)
        if kind.scale == "ratio":
            den = np.round(rng.uniform(50, 500) * (1 + rng.normal(0, 0.05, spec.periods)))
            den = np.maximum(den, 1)
            rate = np.clip(rng.uniform(0.35, 0.7) * (1 + drift * t) * noise, 0.01, 0.99)
            num = np.round(den * rate)
            for p in np.flatnonzero(present):
                rows.append((int(p), b, None, float(num[p]), float(den[p])))
            continue
        if kind.scale == "score":
            base = rng.uniform(40, 90)
            sign = -1 if kind.direction == "decrease" else 1
            values = np.round(base * (1 + sign * drift * t) * noise, 1)
        else:
            base = rng.lognormal(math.log(100), 0.5)
            values = np.round(np.maximum(base * (1 + drift * t) * noise, 0))
        for p in np.flatnonzero(present):
            rows.append((int(p), b, float(values[p]), None, None))
    return rows


def _note_first(plan: Plan, indicator: int, rows: list[tuple]) -> None:
    stats = plan.first.setdefault(
        indicator,
        {"sum": 0.0, "count": 0, "min": math.inf, "max": -math.inf, "num": 0.0, "den": 0.0},
    )
    for period, _b, value, num, den in rows:
        if period != 0:
            continue
        if value is None:
            stats["num"] += num
            stats["den"] += den
            stats["count"] += 1
            continue
        stats["sum"] += value
        stats["count"] += 1
        stats["min"] = min(stats["min"], value)
        stats["max"] = max(stats["max"], value)


def observations(plan: Plan, start: int, stop: int, *, note: bool = False) -> Iterator[tuple]:
    """(indicator, partner index, period index, breakdown, value, numerator, denominator)
    for reporters [start, stop) of every reported indicator; `note` keeps period-0 figures."""
    for i in plan.reported:
        for j in range(start, stop):
            rows = block(plan, i, j)
            if note:
                _note_first(plan, i, rows)
            partner = plan.reporter(i, j)
            for period, b, value, num, den in rows:
                yield i, partner, period, b, value, num, den


def first_value(plan: Plan, indicator: int) -> float | None:
    """The collective value of period 0 (per the indicator's aggregation)."""
    s = plan.first.get(indicator)
    if not s or not s["count"]:
        return None
    kind = plan.kinds[indicator]
    if kind.scale == "ratio":
        return s["num"] / s["den"] if s["den"] else None
    return {
        "sum": s["sum"],
        "mean": s["sum"] / s["count"],
        "min": s["min"],
        "max": s["max"],
        "last": s["sum"] / s["count"],
    }[kind.aggregation]


def target_period(plan: Plan) -> str:
    return month_code(plan.spec.first_period, plan.spec.periods - 1 + 12)


def target_value(plan: Plan, indicator: int) -> float | None:
    """What the collective should reach 12 months after the data ends, if it improved by
    GOAL_DRIFT a period: indicators drifting faster are on track, slower ones are not."""
    kind = plan.kinds[indicator]
    start = first_value(plan, indicator)
    if start is None:
        return None
    horizon = plan.spec.periods - 1 + 12
    if kind.cumulative:
        return start * plan.spec.periods * (1 + GOAL_DRIFT * horizon / 2) * 1.2
    sign = -1 if kind.direction == "decrease" else 1
    value = start * (1 + sign * GOAL_DRIFT * horizon)
    if kind.scale == "ratio":
        value = min(value, 0.95)
    return round(value, 4)


# --- Writers ---------------------------------------------------------------------------------


def write_csv(plan: Plan, path: Path, start: int, stop: int, *, partner_names=None) -> int:
    """Write reporters [start, stop) as the import's long format; return the row count."""
    names = partner_names or [name for name, _ in plan.tree]
    periods = plan.spec.period_codes
    path.parent.mkdir(parents=True, exist_ok=True)
    count = 0
    with path.open("w", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(CSV_HEADER)
        for i, partner, period, b, value, num, den in observations(plan, start, stop):
            writer.writerow(
                [
                    plan.codes[i],
                    names[partner],
                    periods[period],
                    b,
                    "" if value is None else _num(value),
                    "" if num is None else _num(num),
                    "" if den is None else _num(den),
                ]
            )
            count += 1
    return count


def _num(x: float) -> str:
    return str(int(x)) if x == int(x) else repr(x)


# --- The database ----------------------------------------------------------------------------


@dataclass
class Built:
    initiative: object
    actor: object
    partners: list  # Partner objects in plan.tree order
    indicators: list  # Indicator objects in plan.codes order (None for skipped)


def bench_user(username: str = "bench-backbone"):
    from django.contrib.auth import get_user_model

    user_model = get_user_model()
    user, created = user_model.objects.get_or_create(
        username=username, defaults={"display_name": "Bench Backbone"}
    )
    if created:
        user.set_unusable_password()
        user.save()
    return user


def build_initiative(plan: Plan, *, actor=None) -> Built:
    """Initiative, partners and indicators through the services (partners and indicators are
    few; observations are what is large)."""
    from collective.core import services as core_services
    from collective.measurement import services

    actor = actor or bench_user()
    initiative = core_services.initiative_create(
        actor=actor, name=f"Benchmark {plan.spec.slug}", slug=plan.spec.slug
    )
    partners = []
    for name, parent in plan.tree:
        partners.append(
            core_services.partner_create(
                actor=actor,
                initiative=initiative,
                name=name,
                parent=partners[parent] if parent is not None else None,
            )
        )
    indicators = []
    for i, kind in enumerate(plan.kinds):
        indicators.append(
            services.indicator_create(
                actor=actor,
                initiative=initiative,
                code=plan.codes[i],
                name=f"{kind.name} {plan.codes[i]}",
                definition=f"Generated for the benchmark: {kind.name.lower()}.",
                unit=kind.unit,
                value_type=kind.value_type,
                direction=kind.direction,
                level=kind.level,
                rba_question=kind.rba_question,
                frequency="month",
                aggregation=kind.aggregation,
                cumulative=kind.cumulative,
                formula=formula_for(plan, i) if kind.formula else "",
                breakdown_dimension=kind.breakdown_dimension,
                breakdown_values=list(kind.breakdown_values),
                is_public=i % 3 == 0,
            )
        )
    return Built(initiative=initiative, actor=actor, partners=partners, indicators=indicators)


def assign_reporters(plan: Plan, built: Built, start: int, stop: int) -> int:
    """Reporting duties of reporters [start, stop): raw bulk insert (set-up, not measured)."""
    from collective.measurement.models import ReportingAssignment

    rows = [
        ReportingAssignment(
            initiative=built.initiative,
            indicator=built.indicators[i],
            partner=built.partners[plan.reporter(i, j)],
            due_days=15,
        )
        for i in plan.reported
        for j in range(start, stop)
    ]
    ReportingAssignment.objects.bulk_create(rows, batch_size=2000, ignore_conflicts=True)
    return len(rows)


OBSERVATION_COLUMNS = [
    "created_at",
    "updated_at",
    "initiative_id",
    "uid",
    "indicator_id",
    "partner_id",
    "period",
    "period_start",
    "breakdown",
    "value",
    "numerator",
    "denominator",
    "note",
    "status",
    "source",
    "submitted_by_id",
    "submitted_at",
    "reviewed_by_id",
    "reviewed_at",
    "review_comment",
]


def load_raw(plan: Plan, built: Built, start: int, stop: int) -> int:
    """Insert observations of reporters [start, stop) with raw bulk inserts (sqlite3
    executemany or PostgreSQL COPY) — the fast set-up path of the read benchmarks."""
    from django.db import connection, transaction
    from django.utils import timezone

    from collective.core.ids import uuid7
    from collective.measurement.models import Observation

    table = Observation._meta.db_table
    now = timezone.now()
    periods = plan.spec.period_codes
    starts = [month_start(p) for p in periods]
    ind_ids = [ind.pk for ind in built.indicators]
    part_ids = [p.pk for p in built.partners]
    init_id = built.initiative.pk
    actor_id = built.actor.pk
    postgres = connection.vendor == "postgresql"

    def rows():
        for i, partner, period, b, value, num, den in observations(plan, start, stop, note=True):
            yield (
                now,
                now,
                init_id,
                # Time-ordered, as the engine's own bulk writes make them.
                uuid7() if postgres else uuid7().hex,
                ind_ids[i],
                part_ids[partner],
                periods[period],
                starts[period],
                b,
                value,
                num,
                den,
                "",
                "submitted",
                "import",
                actor_id,
                now,
                None,
                None,
                "",
            )

    count = 0
    if postgres:
        with transaction.atomic(), connection.cursor() as cursor:
            columns = ", ".join(OBSERVATION_COLUMNS)
            with cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
                for row in rows():
                    copy.write_row(row)
                    count += 1
    else:
        connection.ensure_connection()
        raw = connection.connection
        marks = ", ".join("?" for _ in OBSERVATION_COLUMNS)
        sql = f"INSERT INTO {table} ({', '.join(OBSERVATION_COLUMNS)}) VALUES ({marks})"
        # Set-up only: a big page cache and a commit every 500k rows keep the indexes in
        # memory and the WAL small; the measured reads use the settings' own connection.
        (default_cache,) = raw.execute("PRAGMA cache_size").fetchone()
        raw.execute(f"PRAGMA cache_size = -{SETUP_CACHE_KIB}")
        batch = []

        def flush():
            raw.execute("BEGIN")
            raw.executemany(sql, batch)
            raw.execute("COMMIT")

        try:
            for row in rows():
                batch.append(
                    (
                        row[0].isoformat(),
                        row[1].isoformat(),
                        *row[2:7],
                        row[7].isoformat(),
                        *row[8:16],
                        row[16].isoformat(),
                        *row[17:],
                    )
                )
                if len(batch) >= 500_000:
                    flush()
                    count += len(batch)
                    batch.clear()
            if batch:
                flush()
                count += len(batch)
        finally:
            raw.execute(f"PRAGMA cache_size = {int(default_cache)}")
    if postgres:
        with connection.cursor() as cursor:
            cursor.execute(f"ANALYZE {table}")
    return count


def set_targets(plan: Plan, built: Built) -> None:
    """Baselines (period 0) and one collective target 12 months past the data, per indicator."""
    from collective.measurement import services

    period = target_period(plan)
    for i in plan.reported:
        value = target_value(plan, i)
        if value is None:
            continue
        services.target_set(
            actor=built.actor, indicator=built.indicators[i], period=period, value=value
        )
        baseline = first_value(plan, i)
        services.indicator_update(
            actor=built.actor,
            indicator=built.indicators[i],
            baseline_value=round(baseline, 4),
            baseline_period=plan.spec.period_codes[0],
        )


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--partners", type=int, default=Spec.partners)
    parser.add_argument("--indicators", type=int, default=Spec.indicators)
    parser.add_argument("--periods", type=int, default=Spec.periods, help="monthly periods")
    parser.add_argument("--observations", type=int, default=Spec.observations)
    parser.add_argument("--seed", type=int, default=Spec.seed)
    parser.add_argument("--csv", type=Path, help="write the observations here (long format)")
    parser.add_argument(
        "--load", action="store_true", help="build the initiative in the bench DB and load it"
    )
    args = parser.parse_args(argv)
    spec = Spec(
        partners=args.partners,
        indicators=args.indicators,
        periods=args.periods,
        observations=args.observations,
        seed=args.seed,
    )
    plan = make_plan(spec)
    reporters = plan.reporters_for(spec.observations)
    print(
        f"{len(plan.tree)} partners ({len(plan.leaves)} reporting teams), "
        f"{len(plan.codes)} indicators, {spec.periods} monthly periods, "
        f"{reporters} reporters per indicator"
    )
    if args.csv:
        with timer() as t:
            n = write_csv(plan, args.csv, 0, reporters)
        print(f"wrote {n:,} rows to {args.csv} in {t.seconds:.1f} s")
    if args.load:
        from bench.engine import refresh_all

        setup_django(fresh=True)
        with timer() as t:
            built = build_initiative(plan)
            assign_reporters(plan, built, 0, reporters)
        print(f"initiative, partners, indicators and duties in {t.seconds:.1f} s")
        with timer() as t:
            n = load_raw(plan, built, 0, reporters)
        print(f"loaded {n:,} observations (raw bulk insert) in {t.seconds:.1f} s")
        set_targets(plan, built)
        with timer() as t:
            refresh_all(built.initiative, built.actor)
        print(f"roll-ups and statuses refreshed by the engine in {t.seconds:.1f} s")
    if not args.csv and not args.load:
        print(f"nothing to do: pass --csv PATH and/or --load (the bench database is in {DATA_DIR})")


if __name__ == "__main__":
    main()
