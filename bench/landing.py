"""Time the landing and supervision pages (落地跟踪, the key tasks' matrix, a signing event) on a
bench database, as a reviewer and as one park's staff see them, against the goal of 500 ms.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/fuling_bench_500k python bench/landing.py [--runs 7]

Data: bench/generate.py (its approved projects carry milestones; it writes a year of key-task
reports). Each page is requested through Django's test client (the whole view, templates
included, no network), once to warm up, then `--runs` times; the script prints the median and the
minimum, the number of queries of one more request, and OK (median within the goal) or MISSED.
Also times the figures alone (`figures.landing.landing`, what `manage.py landing` prints, and
`figures.supervision.task_matrix`). The accounts `bench-reviewer` and `bench-park-staff` are
created if missing, as bench/pipeline.py does.
"""

from __future__ import annotations

import argparse
import datetime
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.pipeline import line, park_and_users, time_page  # noqa: E402  (sets Django up)
from bench.ranking import timed  # noqa: E402
from django.db import connection  # noqa: E402
from django.test.utils import CaptureQueriesContext, setup_test_environment  # noqa: E402

from figures.landing import landing, landing_as_of  # noqa: E402
from figures.supervision import task_matrix  # noqa: E402
from landing.models import Milestone  # noqa: E402
from projects.models import Project  # noqa: E402
from supervision.models import TaskReport  # noqa: E402
from targets.models import RuleSet, Unit  # noqa: E402
from targets.scoring import Period  # noqa: E402

GOAL = 500
YEAR, QUARTER = 2021, 4
PERIOD = f"?year={YEAR}&quarter={QUARTER}"


def pages(park: Unit) -> list[tuple[str, str, str, int]]:
    """(label, URL name, query string, goal in ms)."""
    return [
        ("落地跟踪, district", "landing_tracking", PERIOD, GOAL),
        ("落地跟踪, one park", "landing_tracking", f"{PERIOD}&unit={park.pk}", GOAL),
        ("key tasks' matrix", "task_matrix", PERIOD, GOAL),
    ]


def time_figures(runs: int) -> list[str]:
    period = Period(YEAR, QUARTER)
    as_of = landing_as_of(period, datetime.date.today())
    rule_sets = list(RuleSet.objects.all())
    today = datetime.date.today()
    lines = []
    for name, compute in (
        ("landing figures, every unit", lambda: landing(period, as_of=as_of, rule_sets=rule_sets, units=None)),
        ("matrix figures", lambda: task_matrix(year=YEAR, quarter=QUARTER, today=today)),
    ):
        times, _ = timed(compute, runs)
        with CaptureQueriesContext(connection) as queries:
            compute()
        lines.append(line(name, times, len(queries), GOAL))
    return lines


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args(argv)
    setup_test_environment()  # the test client needs it to collect responses
    park, users = park_and_users()
    print(
        f"database: {connection.vendor} {connection.settings_dict['NAME']}; {Project.objects.count()} projects, "
        f"{Milestone.objects.count()} milestones, {TaskReport.objects.filter(year=YEAR).count()} key-task reports of {YEAR}"
    )
    print(f"park staff: bench-park-staff, staff of {park.name} (unit {park.pk}); {YEAR} Q{QUARTER}")
    print(f"{args.runs} runs after one warm-up; OK when the median is within the goal")
    for label, url_name, query, goal in pages(park):
        for who, client in users:
            if who == "park staff" and not label.endswith("one park"):
                continue  # staff see their own unit's page; the matrix is the bureau's and the leaders
            print(time_page(client, who, label, url_name, query, goal, args.runs), flush=True)
    for text in time_figures(args.runs):
        print(text, flush=True)


if __name__ == "__main__":
    main()
