"""The import workbook's sheets and columns, defined once; and how each kind of cell is read.

The parser (reading.py) and the template (template.py) both take headers, required flags,
parsers, help texts and dropdowns from PROJECTS and ARRIVALS.
"""

from __future__ import annotations

import datetime
import difflib
import re
import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import models

from groups.models import SpecialGroup
from lib.text import without_controls
from targets.models import Organisation, Unit, UnitKind

from landing.models import MILESTONE_ORDER
from landing.stages import Stage

from ..models import UNUSUAL_AMOUNT_ABOVE, ZERO_AGREEMENT_CAPITAL, Origin, Sector

MONEY_STEP = Decimal("0.0001")  # 1万元
MAX_AMOUNT = Decimal("10000")  # 亿元; more is a unit mistake (元 or 万元 typed as 亿元)
DATE_FORMAT = "yyyy-mm-dd"
MONEY_FORMAT = "0.00##"
TEXT_FORMAT = "@"


@dataclass(frozen=True)
class Problem:
    """One thing wrong with the file, located the way a user finds it in Excel."""

    sheet: str | None
    row: int | None  # Excel's row number
    column: str | None  # the header
    message: str

    def __str__(self) -> str:
        place = (self.sheet or "") + (f" 第{self.row}行" if self.row else "") + (f"「{self.column}」" if self.column else "")
        return f"{place.strip()}：{self.message}" if place else self.message


class CellError(ValueError):
    """A cell's value cannot be used; the message is shown to the user as is."""


@dataclass
class Lookups:
    """The names a cell may refer to, loaded once per file."""

    units: dict[str, Unit]
    groups: dict[str, SpecialGroup]

    @classmethod
    def load(cls) -> Lookups:
        return cls(
            units={unit.name: unit for unit in Unit.objects.exclude(kind=UnitKind.OTHER)},
            groups={group.name: group for group in SpecialGroup.objects.all()},
        )


Parser = Callable[[Any, Lookups], Any]


# --- Reading cells ------------------------------------------------------------------------


def _text(value: Any) -> str:
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return without_controls(str(value)).strip()


def did_you_mean(name: str, names: Iterable[str]) -> str:
    close = difflib.get_close_matches(name, list(names), n=1, cutoff=0.6)
    return f"是否应为“{close[0]}”？" if close else ""


def parse_text(value: Any, lookups: Lookups) -> str:
    return _text(value)


def _decimal(value: Any) -> Decimal:
    if isinstance(value, float):
        # Excel keeps 15 significant digits; a float's 16th and 17th are binary noise
        # (=0.1+0.2 caches 0.30000000000000004). Formatting is exact: no float arithmetic.
        text = format(value, ".15g")
    elif isinstance(value, (int, str, Decimal)) and not isinstance(value, bool):
        text = unicodedata.normalize("NFKC", str(value)).strip()
    else:
        raise CellError(f"“{_text(value)}”不是数字。")
    try:
        amount = Decimal(text)
    except InvalidOperation:
        raise CellError(f"“{text}”不是数字。") from None
    if not amount.is_finite():
        raise CellError(f"“{text}”不是有效的数字。")
    return amount


def _money(value: Any, *, positive: bool) -> Decimal:
    amount = _decimal(value)
    if positive and amount <= 0:
        raise CellError(f"金额必须大于0（现为 {amount}）。")
    if amount < 0:
        raise CellError(f"金额不能为负数（现为 {amount}）。")
    if amount > MAX_AMOUNT:
        raise CellError(f"金额 {amount} 亿元超过 {MAX_AMOUNT} 亿元，不合常理；请确认单位是亿元，而不是万元或元。")
    if amount != amount.quantize(MONEY_STEP):
        raise CellError(f"金额 {amount} 的小数超过4位：金额以亿元为单位，精确到万元（0.0001亿元）。")
    return amount.quantize(MONEY_STEP)


def parse_money(value: Any, lookups: Lookups) -> Decimal:
    return _money(value, positive=False)


def parse_positive_money(value: Any, lookups: Lookups) -> Decimal:
    return _money(value, positive=True)


def parse_money_change(value: Any, lookups: Lookups) -> Decimal:
    """A change of agreement capital (补充协议): an increase, or a reduction written negative; never 0."""
    amount = _decimal(value)
    if amount == 0:
        raise CellError("协议资金变化不能为 0：增资填正数，减资填负数。")
    return _money(abs(amount), positive=True).copy_sign(amount)


def parse_agreement_capital(value: Any, lookups: Lookups) -> Decimal:
    amount = _money(value, positive=False)
    if amount == 0:
        raise CellError(ZERO_AGREEMENT_CAPITAL)
    return amount


DATE_TEXT = re.compile(r"(?P<y>\d{4})(?P<sep>[-/.])(?P<m>\d{1,2})(?P=sep)(?P<d>\d{1,2})(?:\s+\d{1,2}:\d{2}(?::\d{2})?)?")
CHINESE_DATE_TEXT = re.compile(r"(?P<y>\d{4})年(?P<m>\d{1,2})月(?P<d>\d{1,2})日?")


def parse_date(value: Any, lookups: Lookups) -> datetime.date:
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    if isinstance(value, str):
        text = unicodedata.normalize("NFKC", value).strip()
        match = DATE_TEXT.fullmatch(text) or CHINESE_DATE_TEXT.fullmatch(text)
        if match:
            try:
                return datetime.date(int(match["y"]), int(match["m"]), int(match["d"]))
            except ValueError:
                raise CellError(f"“{text}”不是有效的日期。") from None
    raise CellError(f"“{_text(value)}”不是日期，请填写如 2021-03-15 的日期。")


def choice_parser(choices: type[models.TextChoices]) -> Parser:
    """Read a choice's Chinese label into its stored value."""
    by_label = {label: value for value, label in choices.choices}

    def parse(value: Any, lookups: Lookups) -> str:
        text = _text(value)
        if text not in by_label:
            raise CellError(f"“{text}”不是可选的值，请填写：{'、'.join(by_label)}。")
        return by_label[text]

    return parse


def _unit(name: str, lookups: Lookups) -> Unit:
    unit = lookups.units.get(name)
    if unit is None:
        raise CellError(f"找不到单位“{name}”。{did_you_mean(name, lookups.units)}")
    if not unit.is_active:
        raise CellError(f"单位“{name}”已停用。")
    return unit


def parse_unit(value: Any, lookups: Lookups) -> int:
    return _unit(_text(value), lookups).pk


UNIT_SEPARATORS = re.compile(r"[、，,;；\s]+")


def parse_units(value: Any, lookups: Lookups) -> list[int]:
    """Unit names separated by 、 (or ，,;； or line breaks), each at most once."""
    unit_ids, errors = [], []
    for name in filter(None, UNIT_SEPARATORS.split(_text(value))):
        try:
            unit = _unit(name, lookups)
        except CellError as error:
            errors.append(str(error))
            continue
        if unit.pk in unit_ids:
            errors.append(f"单位“{name}”重复填写。")
        unit_ids.append(unit.pk)
    if errors:
        raise CellError("".join(errors))
    return unit_ids


def parse_group(value: Any, lookups: Lookups) -> int:
    name = _text(value)
    group = lookups.groups.get(name)
    if group is None:
        raise CellError(f"找不到专项招商组“{name}”。{did_you_mean(name, lookups.groups)}")
    return group.pk


# --- The two sheets ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Column:
    header: str
    field: str  # the model field it fills; full_clean's errors map back to the header through it
    parse: Parser
    required: bool = True  # the column must exist and every row must fill it ; an empty cell of a fact
    # Project.REQUIRED_TO_SUBMIT names is told in that rule's words
    default: Any = None  # the value of an empty optional cell
    help: str = ""
    example: str = ""
    number_format: str = "General"
    width: int = 14
    options: Callable[[Lookups], list[str]] | None = None  # the template's dropdown
    strict: bool = True  # the dropdown refuses other values
    in_template: bool = True  # False: a retired column, still read to tell what replaced it

    # `help` and `example` name the organisation's code prefix and places as {prefix} and {origins}.
    def help_for(self, organisation: Organisation) -> str:
        return self.help.format_map(_organisation_words(organisation))

    def example_for(self, organisation: Organisation) -> str:
        return self.example.format_map(_organisation_words(organisation))


def _organisation_words(organisation: Organisation) -> dict[str, str]:
    return {"prefix": organisation.code_prefix, "origins": organisation.origin_help()}


@dataclass(frozen=True)
class SheetSpec:
    title: str
    columns: tuple[Column, ...]
    required: bool

    def header_of(self, field_name: str | None) -> str | None:
        return next((column.header for column in self.columns if column.field == field_name), None)

    @property
    def template_columns(self) -> tuple[Column, ...]:
        """The columns the blank template offers: all but the retired ones."""
        return tuple(column for column in self.columns if column.in_template)


def _active_unit_names(lookups: Lookups) -> list[str]:
    return [unit.name for unit in lookups.units.values() if unit.is_active]


def _group_names(lookups: Lookups) -> list[str]:
    return list(lookups.groups)


def _labels(choices: type[models.TextChoices]) -> Callable[[Lookups], list[str]]:
    return lambda lookups: list(choices.labels)


# --- Milestones (landing): their actual dates, and the retired 项目阶段 column ------------------

RETIRED_STAGE = "retired_stage"  # not a field: the row's value of the old 项目阶段 column, if any


def milestone_field(kind: str) -> str:
    """A project row's value holding a milestone's actual date: `milestone_started`."""
    return f"milestone_{kind}"


def parse_retired_stage(value: Any, lookups: Lookups) -> None:
    """签约 says nothing a date would not; any other stage must be given as its milestone's date."""
    text = _text(value)
    if text == Stage.SIGNED.label:
        return None
    raise CellError(
        f"“项目阶段”列已停用（此行填的是“{text}”）：项目阶段由节点日期得出，请删除这一列，"
        f"改在“注册日期”“开工日期”“投产日期”“达产日期”列填写各节点的实际日期（如开工的项目填开工日期）。"
    )


KEPT = "留空不改动系统中已填的节点。审核员勾选“导入后直接审核通过”（命令行 --approve）时视为已核实，否则待审核员核实。"
MILESTONE_HELP = {
    "registered": "公司在本地注册的实际日期，可不填（本地现有企业的项目不填）；不能早于签约日期、不能晚于今天。",
    "started": "开工的实际日期，可不填；不能早于签约日期和注册日期、不能晚于今天。",
    "producing": "投产的实际日期，可不填；须先有开工日期，不能早于开工日期、不能晚于今天。",
    "full_production": "达产的实际日期，可不填；须先有投产日期，不能早于投产日期、不能晚于今天。",
}
MILESTONE_FIELDS = {kind: milestone_field(kind) for kind in MILESTONE_ORDER}
MILESTONE_COLUMNS = tuple(
    Column(
        f"{kind.label}日期", milestone_field(kind), parse_date, required=False, number_format=DATE_FORMAT,
        example="2021-09-01" if kind == "started" else "", help=MILESTONE_HELP[kind] + KEPT,
    )
    for kind in MILESTONE_ORDER
)


PROJECTS = SheetSpec(
    "项目",
    (
        Column(
            "项目编号", "code", parse_text, required=False, default="", number_format=TEXT_FORMAT, width=16,
            example="{prefix}2021-00001",
            help="填写系统中已有项目的编号，即更新该项目；留空时按“牵头单位＋项目名称＋签约日期”找到已有项目并更新，"
            "找不到就新建，并自动编号（{prefix}＋签约年份＋5位序号，如 {prefix}2021-00001）；填写系统中没有的编号，则用该编号新建。",
        ),
        Column("项目名称", "name", parse_text, width=30, example="某某新材料产业园项目", help="项目全称。"),
        Column(
            "投资方", "investor", parse_text, width=24, example="某某集团有限公司",
            help="投资企业的全称。导入的项目即提交审核，必须填写。",
        ),
        Column(
            "牵头单位", "lead_unit", parse_unit, options=_active_unit_names, width=16, example="某某园区",
            help="负责项目的责任单位，须与系统中的单位名称完全一致（见“可选值”工作表）。",
        ),
        Column(
            "配合单位", "cooperating_units", parse_units, required=False, default=[], options=_active_unit_names,
            strict=False, width=24, example="区商务委、区经济信息委",
            help="联合招商的配合单位，可填多个，用顿号“、”分隔（也可用逗号、分号）；不能包含牵头单位，不能重复；没有就留空。"
            "更新已有项目时，以本表填写的配合单位为准。",
        ),
        Column(
            "专项招商组", "group", parse_group, required=False, options=_group_names, width=20,
            help="项目所属的专项招商组名称（见“可选值”工作表），可不填。",
        ),
        Column("产业类型", "sector", choice_parser(Sector), options=_labels(Sector), example="工业", help="工业 或 非工业。"),
        Column(
            "项目来源", "origin", choice_parser(Origin), options=_labels(Origin), example="市外",
            help="{origins}",
        ),
        Column(
            "协议资金（亿元）", "agreement_capital", parse_agreement_capital, number_format=MONEY_FORMAT, width=18, example="25",
            help="协议约定的投资额，单位亿元，最多4位小数（精确到万元），如 0.05 即 500万元；不能为 0。"
            f"超过牵头单位当年全年目标或超过 {UNUSUAL_AMOUNT_ABOVE} 亿元的，检查时会提醒核对。",
        ),
        Column(
            "预计产值（亿元）", "expected_output", parse_money, required=False, number_format=MONEY_FORMAT, width=18,
            example="60", help="达产后预计年产值，单位亿元，可不填。",
        ),
        Column(
            "签约日期", "signed_on", parse_date, number_format=DATE_FORMAT, example="2021-03-15",
            help="Excel 日期，或 2021-03-15 格式的文字（也可写作 2021/03/15、2021.03.15）。导入的项目即提交审核，必须填写；"
            "该项目的到位日期不能早于签约日期。",
        ),
        *MILESTONE_COLUMNS,
        Column(
            "项目阶段", RETIRED_STAGE, parse_retired_stage, required=False, in_template=False,
            help="已停用：项目阶段由节点的实际日期得出，请改填“开工日期”等列。",
        ),
    ),
    required=True,
)

ARRIVALS = SheetSpec(
    "到位资金",
    (
        Column(
            "项目编号", "project", parse_text, number_format=TEXT_FORMAT, width=16, example="{prefix}2021-00001",
            help="到位资金所属项目的编号：“项目”表中填写的编号，或系统中已有项目的编号。",
        ),
        Column("到位日期", "arrived_on", parse_date, number_format=DATE_FORMAT, example="2021-10-15", help="资金到位的日期。"),
        Column(
            "到位金额（亿元）", "amount", parse_positive_money, number_format=MONEY_FORMAT, width=18, example="3",
            help="本次到位的金额，单位亿元，须大于0，最多4位小数。",
        ),
        Column("备注", "note", parse_text, required=False, default="", width=30, help="可不填。"),
    ),
    required=False,
)

# Supplementary agreements (补充协议, domain.md §8): one is identified by project + date + amount.
AGREEMENTS = SheetSpec(
    "补充协议",
    (
        Column(
            "项目编号", "project", parse_text, number_format=TEXT_FORMAT, width=16, example="{prefix}2021-00001",
            help="补充协议所属项目的编号：“项目”表中填写的编号，或系统中已有项目的编号。项目须已审核（或本次导入即审核通过）。",
        ),
        Column(
            "签订日期", "signed_on", parse_date, number_format=DATE_FORMAT, example="2022-03-01",
            help="补充协议的签订日期：不能早于项目的签约日期，不能晚于今天；按这一日期计入当期协议资金。",
        ),
        Column(
            "协议资金变化（亿元）", "amount", parse_money_change, number_format=MONEY_FORMAT, width=20, example="5",
            help="增资填正数，减资填负数（如 -0.5），单位亿元，最多4位小数，不能为 0；减资后项目的协议资金合计不能小于 0。"
            "补充协议不新增项目个数，也不改变项目等级。",
        ),
        Column("备注", "note", parse_text, required=False, default="", width=30, help="可不填。"),
    ),
    required=False,
)

SHEETS = (PROJECTS, ARRIVALS, AGREEMENTS)
