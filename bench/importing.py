"""Time a large Excel import the way the browser's confirm runs it, and a project save made meanwhile.

    DATABASE_URL=sqlite:////tmp/bench_import.sqlite3 python bench/importing.py --rows 20000
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench_import python bench/importing.py --rows 20000

Writes a workbook of `--rows` new projects (no codes: each gets an automatic one; every
fifth with a cooperating unit), then times the phases of `confirm_batch`: reading and checking
the file, reserving the codes (a transaction of its own), and the write transaction. On
SQLite the write transaction holds the database's one writer: a project saved meanwhile
waits for it (up to the 20 s timeout of settings.py), so that phase is the one to keep short.
`--concurrent-save` also saves a project from another thread once the write has begun and
prints how long that save took. The database needs the reference data (the fixture is loaded
if it has no units); the imported projects stay, so use a database of its own.
"""

from __future__ import annotations

import argparse
import datetime
import os
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "fuling_invest.settings")

import django  # noqa: E402

django.setup()

import openpyxl  # noqa: E402
from django.contrib.auth import get_user_model  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection, connections, transaction  # noqa: E402

from projects import services  # noqa: E402
from projects.importing import writing  # noqa: E402
from projects.importing.permissions import check_permissions  # noqa: E402
from projects.importing.reading import parse_workbook  # noqa: E402
from targets.models import Unit  # noqa: E402

HEADERS = ["项目名称", "投资方", "牵头单位", "配合单位", "产业类型", "项目来源", "协议资金（亿元）", "签约日期"]


def write_file(path: Path, rows: int, units: list[str]) -> None:
    workbook = openpyxl.Workbook(write_only=True)
    sheet = workbook.create_sheet("项目")
    sheet.append(HEADERS)
    for n in range(rows):
        lead = units[n % len(units)]
        cooperating = units[(n + 1) % len(units)] if n % 5 == 0 else None
        signed = datetime.date(2021, 1 + n % 12, 1 + n % 28)
        sheet.append([f"导入基准项目{n:05d}", f"基准投资方{n % 997}", lead, cooperating, "工业", "市外", 1 + n % 30, signed])
    workbook.save(path)


def concurrent_save(user, lead: Unit, started: threading.Event, took: list[float]) -> None:
    started.wait()
    time.sleep(0.2)  # well inside the write phase
    begin = time.perf_counter()
    try:
        facts = {"name": "导入期间保存的项目", "investor": "某某", "lead_unit": lead, "sector": "industrial",
                 "origin": "outside_city", "agreement_capital": 1, "signed_on": datetime.date(2021, 6, 1)}  # fmt: skip
        project = services.create_project(user=user, facts=facts, cooperating_unit_ids=[])
        took.append(time.perf_counter() - begin)
        print(f"  concurrent save: {project.code} after {took[0]:.2f} s")
    except Exception as error:  # what the user would have seen
        print(f"  concurrent save FAILED after {time.perf_counter() - begin:.2f} s: {error!r}")
    finally:
        connections.close_all()


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=20000)
    parser.add_argument("--concurrent-save", action="store_true")
    args = parser.parse_args(argv)
    if not Unit.objects.exists():
        call_command("loaddata", "fuling_2021", verbosity=0)
    units = list(Unit.objects.assessed().order_by("sort_order").values_list("name", flat=True))
    user = get_user_model().objects.filter(is_superuser=True).first() or get_user_model().objects.create_superuser(
        "bench_importer", password=None
    )
    print(f"database: {connection.vendor} {connection.settings_dict['NAME']}; {args.rows} rows")
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "import.xlsx"
        write_file(path, args.rows, units)
        begin = time.perf_counter()
        plan = parse_workbook(path)
        check_permissions(plan, user=user)
        assert plan.ok, plan.problems[:5]
        print(f"  read and check:       {time.perf_counter() - begin:7.2f} s  (no write lock)")
    begin = time.perf_counter()
    codes = writing.reserve_codes_for(plan)
    print(f"  reserve codes:        {time.perf_counter() - begin:7.2f} s  (own transaction, committed)")
    started, took = threading.Event(), []
    saver = None
    if args.concurrent_save:
        lead = Unit.objects.assessed().order_by("sort_order").first()
        saver = threading.Thread(target=concurrent_save, args=(user, lead, started, took))
        saver.start()
    begin = time.perf_counter()
    with transaction.atomic():
        started.set()
        result = writing.apply_plan(plan=plan, approve=False, user=user, codes=codes)
    print(f"  write transaction:    {time.perf_counter() - begin:7.2f} s  ({len(result.created)} projects created)")
    if saver:
        saver.join()


if __name__ == "__main__":
    main()
