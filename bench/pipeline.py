"""Time the pipeline's pages (lead board, lead list, battle map, weekly activity index) on a
bench database, as a reviewer and as one park's staff see them, against the issue's goals.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/fuling_bench_500k python bench/pipeline.py [--runs 7]

Data: bench/generate.py with --enterprises/--leads/--activities. Each page is requested through
Django's test client (the whole view, templates included, no network), once to warm up, then
`--runs` times; the script prints the median and the minimum, the number of queries of one more
request, and the goal with OK (median within it) or MISSED. The accounts `bench-reviewer` and
`bench-park-staff` (staff of the first park) are created if missing. Also times the pure
computation of one week's index (`figures.activity_index`) when that exists. A URL name that
does not resolve, or a function that is not there, is reported and skipped, never fatal.
"""

from __future__ import annotations

import argparse
import importlib
import inspect
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
from django.urls import NoReverseMatch, reverse  # noqa: E402

from access.roles import Role  # noqa: E402
from bench.ranking import ms, timed  # noqa: E402
from leads.models import Activity, Lead, TargetEnterprise  # noqa: E402
from projects.models import Project  # noqa: E402
from targets.models import Membership, Unit, UnitKind  # noqa: E402

WEEK = (2021, 23)
# (label, URL name, query string, goal in ms): the goals.
PAGES = [
    ("lead board", "lead_board", "", 250),
    ("lead list, first page", "lead_list", "", 250),
    ("battle map", "battle_map", "", 500),
    (f"activity index {WEEK[0]} W{WEEK[1]}", "activity_index", f"?year={WEEK[0]}&week={WEEK[1]}", 200),
]
INDEX_GOAL = 200
# Where one week's index may be computed: the module, then the names tried in it.
INDEX_MODULE = "figures.activity_index"
INDEX_NAMES = ("compute_week", "activity_index", "week_index", "weekly_index", "index_of_week", "compute")


def reviewer() -> User:
    user, _ = User.objects.get_or_create(username="bench-reviewer")
    user.groups.add(Group.objects.get_or_create(name=Role.REVIEWER.value)[0])
    return user


def park_staff(park: Unit) -> User:
    user, _ = User.objects.get_or_create(username="bench-park-staff")
    user.groups.add(Group.objects.get_or_create(name=Role.STAFF.value)[0])
    Membership.objects.update_or_create(user=user, defaults={"unit": park})
    return user


def park_and_users() -> tuple[Unit, list[tuple[str, Client]]]:
    """The first park, and logged-in clients for the bench reviewer and that park's staff."""
    park = Unit.objects.filter(kind=UnitKind.PARK, is_active=True).order_by("sort_order", "pk").first()
    if park is None:
        sys.exit("no park in this database: run bench/generate.py first")
    return park, [("reviewer", client_for(reviewer())), ("park staff", client_for(park_staff(park)))]


def client_for(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def counts() -> str:
    return (
        f"{Project.objects.count()} projects, {TargetEnterprise.objects.count()} enterprises, "
        f"{Lead.objects.count()} leads ({Lead.objects.open().count()} open), {Activity.objects.count()} activities "
        f"({Activity.objects.filter(date__week=WEEK[1], date__iso_year=WEEK[0]).count()} in {WEEK[0]} W{WEEK[1]})"
    )


def verdict(median_ms: float, goal: int) -> str:
    return f"goal {goal} ms {'OK' if median_ms <= goal else 'MISSED'}"


def line(name: str, times: list[float], queries: int, goal: int) -> str:
    median = statistics.median(times)
    return (
        f"{name:44} median {ms(median):>8}  min {ms(min(times)):>8}  {queries:>3} queries  "
        f"{verdict(median * 1000, goal)}"
    )


def time_page(client: Client, who: str, label: str, url_name: str, query: str, goal: int, runs: int) -> str:
    name = f"{label} ({who})"
    try:
        url = reverse(url_name) + query
    except NoReverseMatch:
        return f"{name:44} skipped: the URL name '{url_name}' does not resolve (not built yet?)"

    def get():
        response = client.get(url)
        if response.status_code != 200:
            raise RuntimeError(f"{url} answered {response.status_code}")
        return response

    try:
        times, _ = timed(get, runs)
        with CaptureQueriesContext(connection) as queries:
            get()
    except Exception as error:  # a page being written by someone else may fail: say so, go on
        return f"{name:44} failed: {type(error).__name__}: {error}"
    return line(name, times, len(queries), goal)


def find_index_function(spec: str | None):
    """The function computing one week's index, or the reason there is none."""
    if spec:
        module_name, _, names = spec.partition(":")
        names = (names,) if names else INDEX_NAMES
    else:
        module_name, names = INDEX_MODULE, INDEX_NAMES
    try:
        module = importlib.import_module(module_name)
    except ImportError as error:
        parent, _, attribute = module_name.rpartition(".")
        try:  # figures.activity_index may be a function of the figures package
            function = getattr(importlib.import_module(parent), attribute, None) if parent else None
        except ImportError:
            function = None
        if callable(function):
            return function, f"{module_name}"
        return None, f"not available ({error})"
    if callable(module):
        return module, module_name
    for name in names:
        function = getattr(module, name, None)
        if callable(function):
            return function, f"{module_name}.{name}"
    return None, f"not available: {module_name} has none of {', '.join(names)}"


def call_for_week(function, year: int, week: int):
    """Call with year and week by keyword when the parameters are named so, with one Week
    (targets.activity_index.Week) when the function takes a single one, else positionally."""
    try:
        parameters = inspect.signature(function).parameters
    except (TypeError, ValueError):
        return function(year, week)
    if len(parameters) == 1:
        from targets.activity_index import Week

        return function(Week(year, week))
    keywords = {}
    for name in parameters:
        if name in ("year", "iso_year"):
            keywords[name] = year
        elif name in ("week", "iso_week"):
            keywords[name] = week
    if len(keywords) == 2:
        return function(**keywords)
    return function(year, week)


def time_index_function(spec: str | None, runs: int) -> str:
    label = f"index computation {WEEK[0]} W{WEEK[1]}"
    function, where = find_index_function(spec)
    if function is None:
        return f"{label:44} {where}"
    name = f"{label} ({where})"
    try:
        times, _ = timed(lambda: call_for_week(function, *WEEK), runs)
        with CaptureQueriesContext(connection) as queries:
            call_for_week(function, *WEEK)
    except Exception as error:
        return f"{name:44} failed: {type(error).__name__}: {error}"
    return line(name, times, len(queries), INDEX_GOAL)


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--only", help="time only the pages whose label contains this")
    parser.add_argument(
        "--index-function",
        help=f"module[:function] computing one week's index (default: {INDEX_MODULE}, trying {', '.join(INDEX_NAMES)})",
    )
    args = parser.parse_args(argv)
    setup_test_environment()  # the test client needs it to collect responses
    park, users = park_and_users()
    print(f"database: {connection.vendor} {connection.settings_dict['NAME']}; {counts()}")
    print(f"park staff: bench-park-staff, staff of {park.name} (unit {park.pk})")
    print(f"{args.runs} runs after one warm-up; OK when the median is within the goal")
    for label, url_name, query, goal in PAGES:
        if args.only and args.only not in label:
            continue
        for who, client in users:
            print(time_page(client, who, label, url_name, query, goal, args.runs), flush=True)
    if not args.only or args.only in "index computation":  # --only index, --only computation
        print(time_index_function(args.index_function, args.runs))


if __name__ == "__main__":
    main()
