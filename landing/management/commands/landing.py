import json

from django.core.management import BaseCommand, CommandError

from figures.assessment import NoRuleSet
from figures.landing import Landing, UnitLanding, landing
from figures.totals import KIND_LABELS
from lib import display
from targets.scoring import Period

BAD_YEAR = "年度须为整数，如 2021。"
BAD_QUARTER = "季度须为 1–4 的整数。"


class Command(BaseCommand):
    help = "某季度末（年初至季末签约的项目）各责任单位的开工率、投产率和超时限未开工项目（domain.md §9）。"

    def add_arguments(self, parser):
        # Read as text, so a bad value gets a Chinese message (argparse's own would be English).
        parser.add_argument("--year", required=True, help="签约年度，如 2021")
        parser.add_argument("--quarter", required=True, help="季度 1–4（计至季末）")
        parser.add_argument("--format", choices=["table", "json"], default="table", help="输出格式")

    def handle(self, *args, year, quarter, format, **options):
        try:
            computed = landing(parse_period(year, quarter))
        except NoRuleSet as error:
            raise CommandError(str(error)) from None
        if format == "json":
            self.stdout.write(json.dumps(as_json(computed), ensure_ascii=False, indent=1))
        else:
            self.stdout.write(as_table(computed))


def parse_period(year: str, quarter: str) -> Period:
    try:
        year_number = int(year)
    except ValueError:
        raise CommandError(f"{BAD_YEAR}收到“{year}”。") from None
    try:
        return Period(year_number, int(quarter))
    except ValueError:
        raise CommandError(f"{BAD_QUARTER}收到“{quarter}”。") from None


def as_json(computed: Landing) -> dict:
    return {
        "year": computed.period.year,
        "quarter": computed.period.quarter,
        "as_of": computed.as_of.isoformat(),
        "start_limit_days": computed.rules.start_limit_days,
        "units": [unit_json(row) for row in computed.units],
    }


def unit_json(row: UnitLanding) -> dict:
    return {
        "unit": row.unit.name,
        "kind": row.unit.kind,
        "signed": row.signed,
        "started": row.started,
        "start_rate": display.ratio(row.start_rate),
        "producing": row.producing,
        "produce_rate": display.ratio(row.produce_rate),
        "overdue_not_started": [
            {"code": p.code, "name": p.name, "signed_on": p.signed_on.isoformat(), "deadline": p.deadline.isoformat()}
            for p in row.overdue
        ],
    }


COLUMNS = [("单位", 14), ("签约", 6), ("开工", 6), ("开工率", 9), ("投产", 6), ("投产率", 9), ("超时限未开工", 12)]


def as_table(computed: Landing) -> str:
    period = computed.period
    lines = [
        f"{period.year}年第{period.quarter}季度（截至{computed.as_of:%Y-%m-%d}）项目落地情况",
        f"年初至季末签约、已审核计入考核的项目；开工时限：签约后 {computed.rules.start_limit_days} 天",
    ]
    for kind, label in KIND_LABELS.items():
        lines += ["", f"【{label}】", "  ".join(display.pad(title, w) for title, w in COLUMNS)]
        for row in (row for row in computed.units if row.unit.kind == kind):
            cells = [
                row.unit.name,
                str(row.signed),
                str(row.started),
                display.rate(row.start_rate),
                str(row.producing),
                display.rate(row.produce_rate),
                str(row.overdue_count),
            ]
            lines.append("  ".join(display.pad(text, w) for text, (_, w) in zip(cells, COLUMNS)))
    overdue = [(row.unit, p) for row in computed.units for p in row.overdue]
    if overdue:
        lines += ["", "【超时限未开工项目】"]
        lines += [
            f"{unit.name}  {p.code}  {p.name}  签约 {p.signed_on:%Y-%m-%d}  时限 {p.deadline:%Y-%m-%d}  超期 {p.days_overdue} 天"
            for unit, p in overdue
        ]
    return "\n".join(line.rstrip() for line in lines)
