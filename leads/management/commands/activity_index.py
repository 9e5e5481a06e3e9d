import json

from django.core.management import BaseCommand, CommandError

from figures.activity_index import KIND_ORDER, WeekIndex, compute_week, store_week
from figures.assessment import NoRuleSet
from figures.totals import KIND_LABELS
from lib import display
from targets.activity_index import PART_LABELS, PARTS, BadWeek, UnitIndex, Week


class Command(BaseCommand):
    help = "计算某一 ISO 周（周一至周日）各园区、各部门的招商活跃指数和排名（domain.md §11）。"

    def add_arguments(self, parser):
        # Read as text, so a bad value gets the same Chinese message as on the page.
        parser.add_argument("--year", required=True, help="ISO 年份，如 2021")
        parser.add_argument("--week", required=True, help="ISO 周次 1–53")
        parser.add_argument("--format", choices=["table", "json"], default="table", help="输出格式")
        parser.add_argument("--store", action="store_true", help="同时保存（替换该周已保存的指数）")

    def handle(self, *args, year, week, format, store, **options):
        try:
            asked = Week.parse(year, week)
            computed = store_week(asked) if store else compute_week(asked)
        except (BadWeek, NoRuleSet) as error:
            raise CommandError(str(error)) from None
        if computed.borrows_rules:
            self.stderr.write(f"{asked.year}年尚未设置考核规则，各部分权重沿用{computed.rules_year}年的规则。")
        if format == "json":
            self.stdout.write(json.dumps(as_json(computed), ensure_ascii=False, indent=1))
        else:
            self.stdout.write(as_table(computed))
        if store:
            self.stderr.write(f"已保存{asked}的招商活跃指数（{len(computed.results)}个单位）。")


def as_json(computed: WeekIndex) -> dict:
    week = computed.week
    return {
        "year": week.year,
        "week": week.week,
        "start": week.start.isoformat(),
        "end": week.end.isoformat(),
        "units": [unit_json(r) for r in computed.results],
    }


def unit_json(result: UnitIndex) -> dict:
    return {
        "unit": result.unit.name,
        "kind": result.unit.kind,
        "rank": result.rank,
        "index": display.plain(result.index),
        "parts": {part: {"count": p.count, "score": display.plain(p.score)} for part, p in result.parts.items()},
    }


COLUMNS = [("排名", 4), ("单位", 14), ("指数", 7), *[(PART_LABELS[part], 14) for part in PARTS]]


def as_table(computed: WeekIndex) -> str:
    week = computed.week
    lines = [f"{week}（{week.start:%Y-%m-%d}至{week.end:%Y-%m-%d}）招商活跃指数", "各部分：次数 得分"]
    for kind in KIND_ORDER:
        lines += ["", f"【{KIND_LABELS[kind]}】", "  ".join(display.pad(title, w) for title, w in COLUMNS)]
        for r in computed.of_kind(kind):
            parts = [f"{r.parts[part].count} {display.score(r.parts[part].score)}" for part in PARTS]
            cells = [str(r.rank), r.unit.name, display.score(r.index), *parts]
            lines.append("  ".join(display.pad(text, w) for text, (_, w) in zip(cells, COLUMNS)))
    return "\n".join(line.rstrip() for line in lines)
