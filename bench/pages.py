"""Time the browser app's heaviest pages on a bench database, as a reviewer sees them.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/fuling_bench_500k python bench/pages.py [--runs 5]

Each page is requested through Django's test client (the whole view, templates included,
no network), once to warm up, then `--runs` times; the script prints the median and the
number of queries. Data: bench/generate.py (the same database as bench/ranking.py). A
reviewer account `bench-reviewer` is created if missing. Figures: docs/performance.md.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "fuling_invest.settings")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402

# Static files straight from the source folders: production serves collected, hashed ones.
settings.STORAGES = {**settings.STORAGES, "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}

from django.contrib.auth.models import Group, User  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext, setup_test_environment  # noqa: E402

from bench.ranking import counts, ms, timed  # noqa: E402
from access.roles import Role  # noqa: E402
from reports.services import generate_bulletin  # noqa: E402
from targets.models import Unit, UnitKind  # noqa: E402

PAGES = [
    ("dashboard 2021 Q4", "/?year=2021&quarter=4"),
    ("project list, first page", "/projects/"),
    ("project list, one unit, 2021", "/projects/?year=2021&unit={park}"),
    ("project list, sorted by tier", "/projects/?year=2021&sort=-tier"),
    ("project list, keyword", "/projects/?keyword=投资方4999"),
    ("review queue", "/projects/review/"),
    ("special groups 2021 Q4", "/groups/?year=2021&quarter=4"),
    ("targets 2021", "/targets/2021/"),
    ("unit page, a park, 2021 Q4", "/units/{park}/?year=2021&quarter=4"),
    ("export, one unit, 2021 Q1", "/projects/export.xlsx?unit={park}&signed_from=2021-01-01&signed_to=2021-03-31"),
    ("reports page", "/reports/"),
    ("bulletin 2021 Q4, web view", "/reports/{bulletin}/"),
    ("bulletin 2021 Q4, PDF", "/reports/{bulletin}/pdf/"),
]


def reviewer_client() -> Client:
    user, _ = User.objects.get_or_create(username="bench-reviewer")
    user.groups.add(Group.objects.get_or_create(name=Role.REVIEWER.value)[0])
    client = Client()
    client.force_login(user)
    return client


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--only", help="time only the pages whose name contains this")
    args = parser.parse_args(argv)
    setup_test_environment()  # the test client needs it to collect responses
    client = reviewer_client()
    park = Unit.objects.filter(kind=UnitKind.PARK).order_by("sort_order", "pk").first().pk  # the first park
    print(f"database: {connection.vendor} {connection.settings_dict['NAME']}; {counts()}")
    # What the worker does for the year-end assessment: the snapshot, the PDF, the Excel, stored.
    times, generated = timed(lambda: generate_bulletin(year=2021, quarter=4), args.runs)
    print(f"{'generate bulletin 2021 Q4':32} median {ms(statistics.median(times)):>9}  min {ms(min(times)):>9}  (worker)")
    bulletin = generated.bulletin.pk
    for name, url in PAGES:
        if args.only and args.only not in name:
            continue
        url = url.format(park=park, bulletin=bulletin)

        def get():
            response = client.get(url)
            assert response.status_code == 200, (url, response.status_code)
            return response

        times, _ = timed(get, args.runs)
        with CaptureQueriesContext(connection) as queries:
            get()
        print(f"{name:32} median {ms(statistics.median(times)):>9}  min {ms(min(times)):>9}  {len(queries)} queries")


if __name__ == "__main__":
    main()
