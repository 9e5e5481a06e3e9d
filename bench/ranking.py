"""Time one quarter's ranking, `figures.assessment.assess`, against the floor.

    DATABASE_URL=sqlite:////tmp/fuling_bench_50k.sqlite3 python bench/ranking.py [--quarter 4] [--runs 5] [--explain]

The floor is ONE hand-written GROUP BY query that sums the same weighted credit per
unit (agreement capital of counted projects signed in the period plus their verified
supplementary agreements dated in it, and arrived capital in the period, with origin
weights and the 80/20 joint split): the least any ranking
has to ask of the database. Its sums must equal assess()'s agreement_capital and
arrived_capital actuals to 4 decimals; the script prints OK or MISMATCH.

Each side runs once to warm the connection and caches, then `--runs` times; the script
prints min and median. `--explain` also times each of assess()'s aggregate queries
alone and prints its plan (EXPLAIN ANALYZE on PostgreSQL, EXPLAIN QUERY PLAN on SQLite).
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "fuling_invest.settings")

import django  # noqa: E402

django.setup()

from django.db import connection  # noqa: E402

from figures.assessment import assess, rules_for  # noqa: E402
from projects.models import Arrival, Cooperation, Project, SupplementaryAgreement  # noqa: E402
from targets import scoring  # noqa: E402

PROJECT = Project._meta.db_table
COOPERATION = Cooperation._meta.db_table
ARRIVAL = Arrival._meta.db_table
AGREEMENT = SupplementaryAgreement._meta.db_table

# Written for PostgreSQL and SQLite alike: CAST(%s AS NUMERIC) keeps the rule numbers
# exact on PostgreSQL and makes them numbers (not text) on SQLite. It reads the same
# columns assess() reads, including the stored cooperating_count.
FLOOR_SQL = f"""
WITH counted AS (
    SELECT p.id, p.lead_unit_id, p.cooperating_count AS n,
           CASE WHEN p.signed_on >= %(start)s THEN p.agreement_capital ELSE 0 END AS agreed,
           CASE p.origin WHEN 'outside_city' THEN CAST(%(w_outside_city)s AS NUMERIC)
                         WHEN 'inside_city' THEN CAST(%(w_inside_city)s AS NUMERIC)
                         ELSE CAST(%(w_inside_district)s AS NUMERIC) END AS weight
    FROM {PROJECT} p
    WHERE p.status = 'approved' AND p.signed_on <= %(end)s AND p.origin IN %(origins)s
      AND (p.agreement_capital >= CAST(%(key)s AS NUMERIC)
           OR p.agreement_capital >= CAST(%(large)s AS NUMERIC)
           OR p.agreement_capital >= CAST(%(major)s AS NUMERIC)
           OR p.expected_output >= CAST(%(large_output)s AS NUMERIC)
           OR p.expected_output >= CAST(%(major_output)s AS NUMERIC)
           OR p.agreement_capital >= CASE p.sector WHEN 'industrial' THEN CAST(%(general_industrial)s AS NUMERIC)
                                                   ELSE CAST(%(general_non_industrial)s AS NUMERIC) END)
),
credit AS (
    SELECT c.id, c.lead_unit_id, c.agreed + COALESCE(s.amount, 0) AS agreed, c.weight, c.n, COALESCE(a.amount, 0) AS arrived
    FROM counted c
    LEFT JOIN (SELECT project_id, SUM(amount) AS amount FROM {ARRIVAL}
               WHERE arrived_on BETWEEN %(start)s AND %(end)s AND verified GROUP BY project_id) a ON a.project_id = c.id
    LEFT JOIN (SELECT project_id, SUM(amount) AS amount FROM {AGREEMENT}
               WHERE signed_on BETWEEN %(start)s AND %(end)s AND verified GROUP BY project_id) s ON s.project_id = c.id
)
SELECT unit_id, SUM(agreed * share), SUM(arrived * share)
FROM (
    SELECT lead_unit_id AS unit_id, agreed, arrived,
           CASE WHEN n = 0 THEN weight ELSE weight * CAST(%(lead_share)s AS NUMERIC) END AS share
    FROM credit
    UNION ALL
    SELECT co.unit_id, agreed, arrived, weight * (1.0 - CAST(%(lead_share)s AS NUMERIC)) / n AS share
    FROM credit JOIN {COOPERATION} co ON co.project_id = credit.id
) shares
GROUP BY unit_id
"""


def floor_params(period: scoring.Period, rules: scoring.Rules) -> dict:
    weights = rules.origin_weights
    return {
        "start": period.start,
        "end": period.end,
        "origins": tuple(o.value for o in rules.counted_origins()),
        "w_outside_city": weights[scoring.Origin.OUTSIDE_CITY],
        "w_inside_city": weights[scoring.Origin.INSIDE_CITY],
        "w_inside_district": weights[scoring.Origin.INSIDE_DISTRICT],
        "lead_share": rules.lead_share,
        "major": rules.major_investment,
        "major_output": rules.major_output,
        "large": rules.large_investment,
        "large_output": rules.large_output,
        "key": rules.key_investment,
        "general_industrial": rules.general_industrial_investment,
        "general_non_industrial": rules.general_non_industrial_investment,
    }


def floor_query(period: scoring.Period, rules: scoring.Rules) -> tuple[str, list]:
    """FLOOR_SQL with positional %s placeholders, which both backends accept."""
    params = floor_params(period, rules)
    sql, ordered = FLOOR_SQL, []
    # Expand named placeholders in order of appearance (SQLite's Django cursor takes only %s).
    while "%(" in sql:
        start = sql.index("%(")
        end = sql.index(")s", start)
        value = params[sql[start + 2 : end]]
        if isinstance(value, tuple):
            placeholder = "(" + ", ".join(["%s"] * len(value)) + ")"
            ordered.extend(value)
        else:
            placeholder = "%s"
            ordered.append(value)
        sql = sql[:start] + placeholder + sql[end + 2 :]
    return sql, ordered


def run_floor(sql: str, params: list) -> dict[int, tuple[Decimal, Decimal]]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return {unit: (Decimal(str(agreed)), Decimal(str(arrived))) for unit, agreed, arrived in cursor.fetchall()}


def timed(function, runs: int) -> tuple[list[float], object]:
    result = function()  # warm-up: connection, caches, the rule set row
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        result = function()
        times.append(time.perf_counter() - started)
    return times, result


def compare(results: list[scoring.UnitResult], floor: dict[int, tuple[Decimal, Decimal]]) -> list[str]:
    """Units whose actuals differ from the floor's sums by 0.00005亿 or more."""
    tolerance = Decimal("0.00005")
    mismatches = []
    for result in results:
        agreed, arrived = floor.get(result.unit.id, (Decimal(0), Decimal(0)))
        for indicator, expected in (
            (scoring.Indicator.AGREEMENT_CAPITAL, agreed),
            (scoring.Indicator.ARRIVED_CAPITAL, arrived),
        ):
            actual = result.indicators[indicator].actual
            if abs(actual - expected) >= tolerance:
                mismatches.append(f"{result.unit.name} {indicator.value}: assess {actual:.6f}, floor {expected:.6f}")
    return mismatches


class Recorder:
    """Keeps every statement assess() sends, with its parameters, to replay it alone."""

    def __init__(self):
        self.statements = []

    def __call__(self, execute, sql, params, many, context):
        self.statements.append((sql, params))
        return execute(sql, params, many, context)


def explain(period: scoring.Period, runs: int) -> None:
    recorder = Recorder()
    with connection.execute_wrapper(recorder):
        assess(period)
    aggregates = [(sql, params) for sql, params in recorder.statements if "GROUP BY" in sql]
    names = [
        "signings and supplementary agreements, lead",
        "signings and supplementary agreements, cooperating",
        "arrival groups, lead",
        "arrival groups, cooperating",
    ]
    for name, (sql, params) in zip(names, aggregates, strict=True):
        def one(sql=sql, params=params):
            with connection.cursor() as cursor:
                cursor.execute(sql, params)
                return len(cursor.fetchall())

        times, rows = timed(one, runs)
        print(f"\n=== {name}: {rows} rows, min {min(times) * 1000:.0f} ms, median {statistics.median(times) * 1000:.0f} ms")
        print(sql)
        prefix = "EXPLAIN (ANALYZE, BUFFERS) " if connection.vendor == "postgresql" else "EXPLAIN QUERY PLAN "
        with connection.cursor() as cursor:
            cursor.execute(prefix + sql, params)
            for row in cursor.fetchall():
                print("  ", " | ".join(str(column) for column in row))


def counts() -> str:
    approved = Project.objects.approved().count()
    return (
        f"{Project.objects.count()} projects ({approved} approved), "
        f"{Cooperation.objects.count()} cooperations, {Arrival.objects.count()} arrivals, "
        f"{SupplementaryAgreement.objects.count()} supplementary agreements"
    )


def ms(seconds: float) -> str:
    return f"{seconds * 1000:.0f} ms"


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--year", type=int, default=2021)
    parser.add_argument("--quarter", type=int, default=4)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--explain", action="store_true", help="time and explain each aggregate query of assess()")
    args = parser.parse_args(argv)

    period = scoring.Period(args.year, args.quarter)
    rules = rules_for(period.year)
    print(f"database: {connection.vendor} {connection.settings_dict['NAME']}; {counts()}")
    print(f"period: {period.year} Q{period.quarter} ({period.start} – {period.end}), {args.runs} runs after one warm-up")

    assess_times, results = timed(lambda: assess(period), args.runs)
    sql, params = floor_query(period, rules)
    floor_times, floor = timed(lambda: run_floor(sql, params), args.runs)

    for name, times in (("assess()", assess_times), ("floor", floor_times)):
        runs = ", ".join(ms(t) for t in times)
        print(f"{name:9} min {ms(min(times)):>8}  median {ms(statistics.median(times)):>8}   ({runs})")
    print(
        f"ratio     min {min(assess_times) / min(floor_times):.2f}×   "
        f"median {statistics.median(assess_times) / statistics.median(floor_times):.2f}×"
    )
    mismatches = compare(results, floor)
    print("floor vs assess(): " + ("OK" if not mismatches else "MISMATCH"))
    for line in mismatches:
        print("  " + line)
    if args.explain:
        explain(period, args.runs)
    if mismatches:
        sys.exit(1)


if __name__ == "__main__":
    main()
