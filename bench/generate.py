"""Fill a database with seeded synthetic projects for the ranking benchmark.

    DATABASE_URL=sqlite:////tmp/fuling_bench_50k.sqlite3 python bench/generate.py --projects 50000
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/fuling_bench python bench/generate.py --projects 500000 --reset

`--projects N` is the number of *approved* projects; about 5% more projects in other
statuses come on top. Every project gets exactly three arrival entries, most dated
2021, some 2020 or 2022. The same seed gives the same data on every database.

Rows are written in bulk, bypassing the ORM (executemany on SQLite, COPY on
PostgreSQL): 500k projects and 1.5M arrivals load in minutes rather than an hour.
Bench projects carry the code prefix BENCH-, which is what `--reset` deletes.
"""

from __future__ import annotations

import argparse
import datetime
import os
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "fuling_invest.settings")

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.core.management.color import no_style  # noqa: E402
from django.db import connection, transaction  # noqa: E402

from projects.models import Arrival, Cooperation, Origin, Project, Sector, Stage, Status  # noqa: E402
from targets.models import RuleSet, Unit, UnitKind  # noqa: E402

CODE_PREFIX = "BENCH-"
NON_APPROVED_SHARE = 0.05
CREATED_AT = datetime.datetime(2022, 1, 10, 9, 0, tzinfo=datetime.UTC)



# --- Reference data ------------------------------------------------------------------


def ensure_reference_data() -> None:
    """The 22 units with their 2021 targets and the 2021 rule set: the project's fixture."""
    if Unit.objects.assessed().count() >= 22 and RuleSet.objects.filter(year=2021).exists():
        return
    call_command("loaddata", "fuling_2021", verbosity=0)
    print("loaded fixture fuling_2021")


# --- Synthetic projects ----------------------------------------------------------------
# Money is generated in whole 万元 (1e-4 亿元) integers, so it is exact in every database.


def random_day(rng: random.Random, first: datetime.date, last: datetime.date) -> datetime.date:
    return first + datetime.timedelta(days=rng.randint(0, (last - first).days))


def agreement_capital(rng: random.Random) -> int:
    """Most projects 0.01–5亿 (skewed small), some 5–10亿, a few 10–60亿; in 万元."""
    roll = rng.random()
    if roll < 0.01:
        return rng.randint(100_000, 600_000)
    if roll < 0.04:
        return rng.randint(50_000, 100_000)
    return int(100 * (500 ** rng.random()))  # log-uniform between 100万 and 5亿


def expected_output(rng: random.Random, capital: int) -> int | None:
    """A third of the projects state an output, usually 0.5–3× the investment."""
    if rng.random() >= 1 / 3:
        return None
    if rng.random() < 0.01:
        return rng.randint(300_000, 800_000)  # a big-output project, large or major by output
    return int(capital * rng.uniform(0.5, 3))


def arrival_dates(rng: random.Random, signed_on: datetime.date | None) -> list[datetime.date]:
    """Three entries, mostly in 2021; some in 2022, and in 2020 for projects signed then."""
    start = signed_on or datetime.date(2021, 1, 1)
    dates = []
    for _ in range(3):
        roll = rng.random()
        if roll < 0.1:
            dates.append(random_day(rng, datetime.date(2022, 1, 1), datetime.date(2022, 12, 31)))
        elif roll < 0.2 and start.year == 2020:
            dates.append(random_day(rng, start, datetime.date(2020, 12, 31)))
        else:
            dates.append(random_day(rng, max(start, datetime.date(2021, 1, 1)), datetime.date(2021, 12, 31)))
    return sorted(dates)


def generate(rng: random.Random, approved: int, units: list[int], parks: list[int], first_id: dict):
    """Rows for projects, cooperations and arrivals: one dict per row, keyed by column name."""
    others = round(approved * NON_APPROVED_SHARE / (1 - NON_APPROVED_SHARE))
    statuses = [Status.APPROVED] * approved + [
        rng.choice([Status.DRAFT, Status.SUBMITTED, Status.RETURNED, Status.WITHDRAWN]) for _ in range(others)
    ]
    rng.shuffle(statuses)
    origins = [Origin.OUTSIDE_CITY] * 6 + [Origin.INSIDE_CITY] * 3 + [Origin.INSIDE_DISTRICT]
    stages = list(Stage)
    projects, cooperations, arrivals = [], [], []
    project_id, cooperation_id, arrival_id = first_id["project"], first_id["cooperation"], first_id["arrival"]
    for number, status in enumerate(statuses, start=1):
        # Parks lead most projects (about 78%): they carry 580 of the 680亿 agreement target.
        lead = rng.choice(parks) if rng.random() < 0.7 else rng.choice(units)
        capital = agreement_capital(rng)
        signed_on = random_day(rng, datetime.date(2020, 1, 1), datetime.date(2021, 12, 31))
        if status == Status.DRAFT and rng.random() < 0.5:
            signed_on = None
        reviewed = status in (Status.APPROVED, Status.RETURNED)
        projects.append(
            {
                "id": project_id,
                "code": f"{CODE_PREFIX}{number:07d}",
                "name": f"基准测试项目{number}",
                "investor": f"投资方{rng.randint(1, 5000)}",
                "lead_unit_id": lead,
                "group_id": None,
                "sector": Sector.INDUSTRIAL if rng.random() < 0.55 else Sector.NON_INDUSTRIAL,
                "origin": rng.choice(origins),
                "agreement_capital": capital,
                "expected_output": expected_output(rng, capital),
                "signed_on": signed_on,
                "stage": rng.choice(stages),
                "status": status,
                "return_reason": "材料不全" if status == Status.RETURNED else "",
                "submitted_at": CREATED_AT if status != Status.DRAFT else None,
                "reviewed_at": CREATED_AT if reviewed else None,
                "reviewed_by_id": None,
                "created_by_id": None,
                "created_at": CREATED_AT,
                "updated_at": CREATED_AT,
                "version": 1,
            }
        )
        partners = rng.sample([u for u in units if u != lead], rng.randint(1, 3)) if rng.random() < 0.2 else []
        projects[-1]["cooperating_count"] = len(partners)  # what Project.set_cooperating_units keeps
        for unit in partners:
            cooperations.append({"id": cooperation_id, "project_id": project_id, "unit_id": unit})
            cooperation_id += 1
        for day in arrival_dates(rng, signed_on):
            amount = max(1, int(capital * rng.uniform(0.02, 0.3)))
            arrivals.append(
                {
                    "id": arrival_id,
                    "project_id": project_id,
                    "arrived_on": day,
                    "amount": amount,
                    "note": "",
                    "evidence": "",
                    "evidence_name": "",
                    "verified": rng.random() < 0.5,
                    "verified_by_id": None,
                    "verified_at": None,
                    "created_by_id": None,
                    "created_at": CREATED_AT,
                }
            )
            arrival_id += 1
        project_id += 1
    return projects, cooperations, arrivals


# --- Writing fast ------------------------------------------------------------------------

MONEY_COLUMNS = {"agreement_capital", "expected_output", "amount"}


def as_db_value(column: str, value):
    if value is None:
        return None
    if column in MONEY_COLUMNS:
        return f"{value // 10000}.{value % 10000:04d}"  # 万元 integer -> 亿元 text, exact
    if isinstance(value, datetime.datetime):
        return connection.ops.adapt_datetimefield_value(value)
    if isinstance(value, datetime.date):
        return connection.ops.adapt_datefield_value(value)
    return value


def write(model, rows: list[dict], batch: int = 50_000) -> None:
    if not rows:
        return
    table = connection.ops.quote_name(model._meta.db_table)
    columns = list(rows[0])
    column_list = ", ".join(connection.ops.quote_name(c) for c in columns)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            with cursor.cursor.copy(f"COPY {table} ({column_list}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row([as_db_value(c, row[c]) for c in columns])
        return
    placeholders = ", ".join(["%s"] * len(columns))
    sql = f"INSERT INTO {table} ({column_list}) VALUES ({placeholders})"
    with connection.cursor() as cursor:
        for start in range(0, len(rows), batch):
            chunk = rows[start : start + batch]
            cursor.executemany(sql, [[as_db_value(c, row[c]) for c in columns] for row in chunk])


@transaction.atomic
def write_all(projects: list[dict], cooperations: list[dict], arrivals: list[dict]) -> None:
    write(Project, projects)
    write(Cooperation, cooperations)
    write(Arrival, arrivals)
    reset_sequences()


def assessed_units() -> tuple[list[int], list[int]]:
    """Ids of the assessed units, and of the parks among them, in a stable order."""
    units = Unit.objects.assessed().order_by("pk")
    return list(units.values_list("pk", flat=True)), list(units.filter(kind=UnitKind.PARK).values_list("pk", flat=True))


def next_ids() -> dict:
    def after(model):
        last = model.objects.order_by("-pk").values_list("pk", flat=True).first()
        return (last or 0) + 1

    return {"project": after(Project), "cooperation": after(Cooperation), "arrival": after(Arrival)}


def reset_sequences() -> None:
    """Explicit ids leave PostgreSQL's sequences behind; SQLite follows by itself."""
    statements = connection.ops.sequence_reset_sql(no_style(), [Project, Cooperation, Arrival])
    with connection.cursor() as cursor:
        for sql in statements:
            cursor.execute(sql)


def delete_bench_data() -> None:
    bench = f"SELECT id FROM {Project._meta.db_table} WHERE code LIKE %s"
    with transaction.atomic(), connection.cursor() as cursor:
        for model in (Arrival, Cooperation):
            cursor.execute(f"DELETE FROM {model._meta.db_table} WHERE project_id IN ({bench})", [CODE_PREFIX + "%"])
        cursor.execute(f"DELETE FROM {Project._meta.db_table} WHERE code LIKE %s", [CODE_PREFIX + "%"])


def analyze() -> None:
    """Fresh statistics; on PostgreSQL also the visibility map, as autovacuum would set it
    soon after a load, so index-only scans do not fetch the heap."""
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE" if connection.vendor == "postgresql" else "ANALYZE")


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--projects", type=int, required=True, help="number of approved projects")
    parser.add_argument("--seed", type=int, default=2021)
    parser.add_argument("--reset", action="store_true", help="delete previous bench data first")
    args = parser.parse_args(argv)

    print(f"database: {connection.vendor} {connection.settings_dict['NAME']}")
    if args.reset:
        started = time.perf_counter()
        delete_bench_data()
        print(f"deleted previous bench data in {time.perf_counter() - started:.1f} s")
    elif Project.objects.filter(code__startswith=CODE_PREFIX).exists():
        sys.exit("bench data already present: pass --reset to replace it")
    ensure_reference_data()

    units, parks = assessed_units()
    started = time.perf_counter()
    projects, cooperations, arrivals = generate(random.Random(args.seed), args.projects, units, parks, next_ids())
    print(
        f"generated {len(projects)} projects, {len(cooperations)} cooperations, {len(arrivals)} arrivals "
        f"in {time.perf_counter() - started:.1f} s"
    )
    started = time.perf_counter()
    write_all(projects, cooperations, arrivals)
    print(f"written in {time.perf_counter() - started:.1f} s")
    started = time.perf_counter()
    analyze()
    print(f"(VACUUM) ANALYZE in {time.perf_counter() - started:.1f} s")


if __name__ == "__main__":
    main()
