"""Time the bulletin's PDF, `reports.pdf.render_pdf`, on a synthetic year-end snapshot.

    python bench/bulletin.py [--projects 420] [--runs 5] [--seed 2021]

The snapshot is built in memory (no database): 6 parks and 16 departments with every
indicator, 12 special groups, the 5311 block and `--projects` listed projects, whose
names and cooperating units are long enough that many rows wrap, as real ones do. 420
projects make a bulletin of about 30 pages. The first render (which registers the font)
is timed apart; then `--runs` renders; the script prints min and median seconds and the
page count. The goal is a median under 2 s.
"""

from __future__ import annotations

import argparse
import datetime
import os
import random
import re
import statistics
import sys
import time
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "fuling_invest.settings")

import django  # noqa: E402

django.setup()

from reports.pdf import render_pdf  # noqa: E402
from reports.snapshot import (  # noqa: E402
    Cell,
    FiveYearBlock,
    GroupRow,
    KindSection,
    ProjectRow,
    Snapshot,
    SnapshotGoalRow,
    SnapshotTotalRow,
    UnitRow,
)
from targets.scoring import Indicator  # noqa: E402

ZERO = Decimal(0)
CENT = Decimal("0.0001")
PARK_INDICATORS = [i.value for i in Indicator]
# As the district's targets: departments have no 非工业 nor 到位资金 target.
DEPARTMENT_INDICATORS = PARK_INDICATORS[:4]
SECTORS = ["装备制造", "新材料", "现代农业", "数字经济", "文旅康养", "商贸物流", "生物医药", "页岩气化工"]


def synthetic_snapshot(*, projects: int = 420, seed: int = 2021, year: int = 2021, quarter: int = 4) -> Snapshot:
    """A consistent snapshot: rates are actual ÷ target, scores the sum of points, ranks by score."""
    rng = random.Random(seed)
    time_progress = Decimal(quarter) / 4
    parks = _section(rng, "park", "园区", [f"第{n}号产业园区" for n in range(1, 7)], PARK_INDICATORS)
    departments = _section(rng, "department", "区级部门", [f"区第{n}号工作局" for n in range(1, 17)], DEPARTMENT_INDICATORS)
    sections = [parks, departments]
    groups = [
        GroupRow(n, f"第{n}号产业专项招商组", f"组长{n}", rng.randint(0, 12), _money(rng, 80), _money(rng, 30))
        for n in range(1, 13)
    ]
    end = datetime.date(year, quarter * 3, 30 if quarter in (2, 3) else 31)
    return Snapshot(
        year=year,
        quarter=quarter,
        issuer="基准测试区招商投资局",
        district="基准测试区",
        system_title="招商引资目标考核系统",
        issued_on=end + datetime.timedelta(days=5),
        as_of=end,
        time_progress=time_progress,
        summary=[f"{year}年（基准测试数据）全区招商引资情况。" * 6, "各单位完成情况见下表。" * 8],
        totals=[_total_row(indicator, sections) for indicator in Indicator],
        sections=sections,
        groups=groups,
        projects=[_project(rng, n, year, quarter, sections, groups) for n in range(1, projects + 1)],
        five_year=FiveYearBlock(
            "5311", year, year + 4, Decimal("0.2"),
            [SnapshotGoalRow("累计协议资金", Decimal("691.05"), Decimal(3000), Decimal("0.23035"), "亿元", f"{year}年1月1日起签约")],
        ),
        five_year_note="",
        target_tables=[],
        rules_summary="基准测试规则：来源权重 市外 100%、区外市内 20%、区内 0%；完成率计分上限 120%。",
    )


def _money(rng: random.Random, upper: int) -> Decimal:
    return (Decimal(rng.random()) * upper).quantize(CENT)


def _cell(rng: random.Random, indicator: str, weight: Decimal) -> Cell:
    is_count = Indicator(indicator).is_count
    target = Decimal(rng.randint(0, 6)) if is_count else Decimal(rng.randint(0, 160))
    actual = Decimal(rng.randint(0, 8)) if is_count else _money(rng, 200)
    if not target:
        return Cell(actual, None, None)
    rate = actual / target
    return Cell(actual, target, rate, min(rate, Decimal("1.2")) * weight)


def _section(rng: random.Random, kind: str, label: str, names: list[str], indicators: list[str]) -> KindSection:
    weight = Decimal(100) / len(indicators)
    unranked = []
    for name in names:
        cells = {i: _cell(rng, i, weight) if i in indicators else Cell(ZERO, None, None) for i in PARK_INDICATORS}
        points = [c.points for c in cells.values() if c.points is not None]
        unranked.append((name, sum(points, ZERO) if points else None, cells))
    unranked.sort(key=lambda item: -(item[1] or ZERO))
    rows = [
        UnitRow(name, rank if score is not None else None, score, cells)
        for rank, (name, score, cells) in enumerate(unranked, start=1)
    ]
    total = {}
    for indicator in Indicator:
        actual = sum((row.cells[indicator.value].actual for row in rows), ZERO)
        targets = [row.cells[indicator.value].target for row in rows if row.cells[indicator.value].target is not None]
        target = sum(targets, ZERO) if targets else None
        total[indicator.value] = Cell(actual, target, actual / target if target else None)
    return KindSection(kind, label, indicators, rows, total)


def _total_row(indicator: Indicator, sections: list[KindSection]) -> SnapshotTotalRow:
    parks, departments = (section.total[indicator.value] for section in sections)
    actual = parks.actual + departments.actual
    targets = [c.target for c in (parks, departments) if c.target is not None]
    target = sum(targets, ZERO) if targets else None
    district = Cell(actual, target, actual / target if target else None)
    return SnapshotTotalRow(indicator.label, indicator.is_count, parks, departments, district)


def _project(rng, n, year, quarter, sections, groups) -> ProjectRow:
    units = [row.name for section in sections for row in section.rows]
    lead = rng.choice(units)
    cooperating = rng.sample([u for u in units if u != lead], rng.choice([0, 0, 1, 2, 4]))
    sector = rng.choice(SECTORS)
    return ProjectRow(
        code=f"BENCH{year}-{n:05d}",
        name=f"{sector}项目（{n}号）" + "扩能改造及配套设施建设" * rng.randint(0, 3),
        tier=rng.choice(["重大项目", "较大项目"]),
        lead_unit=lead,
        cooperating_units="、".join(cooperating),
        origin=rng.choice(["市外", "区外市内"]),
        sector=rng.choice(["工业", "非工业"]),
        agreement_capital=_money(rng, 60),
        expected_output=rng.choice([None, _money(rng, 120)]),
        signed_on=datetime.date(year, quarter * 3 - 2 + rng.randint(0, 2), rng.randint(1, 28)),
        group=rng.choice(groups).name if rng.random() < 0.7 else "",
    )


def page_count(pdf: bytes) -> int:
    """Pages of a ReportLab PDF: its page objects (not the /Pages tree node)."""
    return len(re.findall(rb"/Type /Page\b(?!s)", pdf))


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--projects", type=int, default=420)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--seed", type=int, default=2021)
    args = parser.parse_args(argv)

    snapshot = synthetic_snapshot(projects=args.projects, seed=args.seed)
    started = time.perf_counter()
    pdf = render_pdf(snapshot)
    first = time.perf_counter() - started
    times = []
    for _ in range(args.runs):
        started = time.perf_counter()
        pdf = render_pdf(snapshot)
        times.append(time.perf_counter() - started)
    print(f"bulletin: {args.projects} listed projects, {page_count(pdf)} pages, {len(pdf) / 1024:.0f} KiB")
    print(f"first render (registers the font) {first:.3f} s; then {args.runs} runs")
    runs = ", ".join(f"{t:.3f}" for t in times)
    print(f"render_pdf min {min(times):.3f} s  median {statistics.median(times):.3f} s   ({runs})")


if __name__ == "__main__":
    main()
