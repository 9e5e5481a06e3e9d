"""The benchmark's key-task reports (bench/generate.py) and the landing benchmark (bench/landing.py)
at a tiny size: the reports are what the models allow, written once, deleted with the bench data;
every page and figure the benchmark times answers."""

import random

from bench import generate, landing
from supervision.models import ReportState, TaskReport


def small_bench(projects: int = 40) -> None:
    units, parks = generate.assessed_units()
    generate.write_all(*generate.generate(random.Random(3), projects, units, parks, generate.next_ids()))


def test_a_year_of_key_task_reports_is_written_once_and_deleted_with_the_bench_data(fuling_2021):
    written = generate.write_task_reports()
    assert written == TaskReport.objects.filter(year=generate.TASK_REPORT_YEAR).count() > 15 * 4
    for report in TaskReport.objects.all()[:40]:
        report.full_clean()
    states = set(TaskReport.objects.filter(quarter=4).values_list("state", flat=True))
    assert {ReportState.SUBMITTED, ReportState.DUE, ReportState.RETURNED} <= states
    assert not TaskReport.objects.exclude(quarter=4).exclude(state=ReportState.SUBMITTED).exists()
    assert generate.write_task_reports() == 0, "a year that has reports is left as it is"
    generate.delete_bench_data()
    assert not TaskReport.objects.exists()


def test_the_landing_benchmark_times_every_page_and_figure(fuling_2021, capsys, monkeypatch):
    small_bench()
    generate.write_task_reports()
    monkeypatch.setattr(landing, "setup_test_environment", lambda: None)  # pytest has set it up
    landing.main(["--runs", "1"])
    out = capsys.readouterr().out
    assert "failed" not in out and "skipped" not in out
    timed = [line for line in out.splitlines() if " median " in line and " queries " in line]
    assert len(timed) == 6, out  # the district, one park twice, the matrix, two figures
    assert all(("OK" in line) or ("MISSED" in line) for line in timed)
