import json

from django.core.management import BaseCommand, CommandError

from figures.assessment import NoRuleSet, assess
from figures.totals import KIND_LABELS
from lib import display
from targets.scoring import Indicator, Period, UnitResult


class Command(BaseCommand):
    help = "按季度（年初至季末累计）计算各责任单位的完成情况、得分和排名。"

    def add_arguments(self, parser):
        parser.add_argument("--year", type=int, required=True, help="考核年度，如 2021")
        parser.add_argument("--quarter", type=int, required=True, choices=[1, 2, 3, 4], help="季度 1–4")
        parser.add_argument("--format", choices=["table", "json"], default="table", help="输出格式")

    def handle(self, *args, year, quarter, format, **options):
        period = Period(year, quarter)
        try:
            results = assess(period)
        except NoRuleSet as error:
            raise CommandError(str(error)) from None
        if format == "json":
            self.stdout.write(json.dumps(as_json(period, results), ensure_ascii=False, indent=1))
        else:
            self.stdout.write(as_table(period, results))


def as_json(period: Period, results: list[UnitResult]) -> dict:
    return {
        "year": period.year,
        "quarter": period.quarter,
        "as_of": period.end.isoformat(),
        "time_progress": str(period.time_progress.quantize(display.CENT)),
        "units": [
            {
                "unit": r.unit.name,
                "kind": r.unit.kind,
                "rank": r.rank,
                "score": display.plain(r.score),
                "indicators": {i.value: indicator_json(r, i) for i in Indicator},
            }
            for r in results
        ],
    }


def indicator_json(result: UnitResult, indicator: Indicator) -> dict:
    item = result.indicators[indicator]
    if indicator.is_count:
        target = None if item.target is None else int(item.target)
        actual = int(item.actual)
    else:
        target, actual = display.plain(item.target), display.plain(item.actual)
    return {"target": target, "actual": actual, "rate": display.plain(item.rate), "points": display.plain(item.points)}


COLUMNS = [
    ("排名", 4),
    ("单位", 14),
    ("得分", 7),
    *[(i.label, 20 if not i.is_count else 14) for i in Indicator],
]


def as_table(period: Period, results: list[UnitResult]) -> str:
    lines = [
        f"{period.year}年第{period.quarter}季度（截至{period.end:%Y-%m-%d}）  序时进度 {display.rate(period.time_progress)}",
        "各指标：实际/目标 完成率；金额单位：亿元",
    ]
    for kind, label in KIND_LABELS.items():
        lines += ["", f"【{label}】", "  ".join(display.pad(title, w) for title, w in COLUMNS)]
        for r in (r for r in results if r.unit.kind == kind):
            cells = [str(r.rank or "–"), r.unit.name, display.score(r.score)] + [cell(r, i) for i in Indicator]
            lines.append("  ".join(display.pad(text, w) for text, (_, w) in zip(cells, COLUMNS)))
    return "\n".join(line.rstrip() for line in lines)


def cell(result: UnitResult, indicator: Indicator) -> str:
    item = result.indicators[indicator]
    actual = display.amount(item.actual, indicator.is_count)
    if item.target is None:
        return actual
    return f"{actual}/{display.amount(item.target, indicator.is_count)} {display.rate(item.rate)}"
