"""The pipeline import workbook's three sheets and their columns, defined once for the reader and
the template; and the cells only this import has: credit codes, regions, list memberships, links.

The cells both imports share (text, dates, money, units, groups, choices) are read by the project
import's parsers (projects/importing/columns.py), given this import's Lookups.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from typing import Any

from chains.models import ChainNode
from groups.models import SpecialGroup
from lib.credit_code import is_valid_credit_code
from lib.text import whole_number
from projects.importing.columns import (
    DATE_FORMAT,
    MONEY_FORMAT,
    TEXT_FORMAT,
    CellError,
    Column,
    SheetSpec,
    choice_parser,
    did_you_mean,
    parse_date,
    parse_group,
    parse_money,
    parse_text,
    parse_unit,
)
from targets.models import Unit, UnitKind

from ..models import ActivityKind, Channel, LeadStage, ListName
from ..regions import REGIONS as PROVINCES

ABROAD = "境外"  # a region whose second part is any country or city name, whether or not PROVINCES lists it
ITEM_SEPARATORS = re.compile(r"[;；\n]+")
PATH_SEPARATORS = re.compile(r"\s*[/／›>]\s*")
YEARS = range(1900, 2101)


@dataclass
class Lookups:
    """The names a cell may refer to, loaded once per file."""

    units: dict[str, Unit]
    groups: dict[str, SpecialGroup]
    links: dict[str, ChainNode]  # by path, 数字经济/集成电路/芯片设计
    links_by_name: dict[str, list[ChainNode]]

    @classmethod
    def load(cls) -> Lookups:
        links = list(ChainNode.objects.links())
        by_name: dict[str, list[ChainNode]] = {}
        for link in links:
            by_name.setdefault(link.name, []).append(link)
        return cls(
            units={unit.name: unit for unit in Unit.objects.exclude(kind=UnitKind.OTHER)},
            groups={group.name: group for group in SpecialGroup.objects.all()},
            links={link.path: link for link in links},
            links_by_name=by_name,
        )


def _normal(value: Any) -> str:
    """The cell as text, full-width forms as ASCII (ＡＢ１２ → AB12)."""
    return unicodedata.normalize("NFKC", parse_text(value, None))


# --- Credit codes, regions, lists, links ------------------------------------------------------


def parse_credit_code(value: Any, lookups: Lookups) -> str:
    code = re.sub(r"\s+", "", _normal(value)).upper()
    if len(code) != 18:
        raise CellError(f"统一社会信用代码应为18位，“{code}”有{len(code)}位。")
    if not is_valid_credit_code(code):
        raise CellError(f"“{code}”不是有效的统一社会信用代码（含不允许的字符，或校验位不符），请核对。")
    return code


CITIES = {city: province for province, cities in PROVINCES.items() for city in cities}


def parse_region(value: Any, lookups: Lookups) -> tuple[str, str]:
    """(province, city) from 广东省深圳市, 广东省/深圳市, 广东省, or a city alone (深圳市).

    The city must be one of the province's (leads/regions.py); 境外 takes any name after it.
    """
    text = _normal(value)  # NFKC reads ／ as /
    parts = [part for part in re.split(r"\s*/\s*", text) if part]
    if len(parts) == 1:
        parts = parts[0].split(maxsplit=1)  # 广东省 深圳市
    if len(parts) == 1:
        province, city = _split_region(parts[0])
    elif len(parts) == 2:
        province, city = parts
    else:
        raise CellError(f"“{text}”不是有效的地区：请填写省份和城市，如“广东省深圳市”或“广东省/深圳市”。")
    if province == ABROAD:
        if len(city) > 30:
            raise CellError("境外地区名称不能超过30个字。")
        return province, city
    if province not in PROVINCES:
        raise CellError(f"找不到省份“{province}”。{did_you_mean(province, PROVINCES)}请填写全称，如“广东省”“广西壮族自治区”。")
    if city and city not in PROVINCES[province]:
        raise CellError(f"{province}没有“{city}”。{did_you_mean(city, PROVINCES[province])}请填写地级市的全称，如“深圳市”。")
    return province, city


def _split_region(text: str) -> tuple[str, str]:
    if text.startswith(ABROAD):
        return ABROAD, text[len(ABROAD) :]
    if text in PROVINCES:
        return text, ""
    if text in CITIES:
        return CITIES[text], text
    for province in sorted(PROVINCES, key=len, reverse=True):
        if text.startswith(province):
            return province, text[len(province) :]
    return text, ""


def parse_lists(value: Any, lookups: Lookups) -> list[tuple[str, int | None, int | None]]:
    """List memberships, 世界500强:2021:123；上市公司 → [(list, year, rank), …], each list-year once."""
    by_label = {label: name for name, label in ListName.choices}
    memberships, errors = [], []
    for item in filter(None, (part.strip() for part in ITEM_SEPARATORS.split(_normal(value)))):
        parts = [part.strip() for part in item.split(":")]  # ：is : once normalised
        label, numbers = parts[0], parts[1:]
        if label not in by_label:
            errors.append(f"“{label}”不是可选的榜单（{'、'.join(by_label)}）。")
            continue
        if len(numbers) > 2:
            errors.append(f"“{item}”格式不对：应为“榜单:年份:名次”，年份和名次可省略。")
            continue
        year, rank = (_whole(number) for number in [*numbers, "", ""][:2])
        if numbers and numbers[0] and year not in YEARS:
            errors.append(f"“{item}”中的年份“{numbers[0]}”不是有效的年份。")
            continue
        if len(numbers) == 2 and numbers[1] and not (rank and rank > 0):
            errors.append(f"“{item}”中的名次“{numbers[1]}”不是正整数。")
            continue
        membership = (by_label[label], year, rank)
        if any(known[:2] == membership[:2] for known in memberships):
            errors.append(f"“{label}”{year or ''}重复填写。")
            continue
        memberships.append(membership)
    if errors:
        raise CellError("".join(errors))
    return memberships


def _whole(text: str) -> int | None:
    number = whole_number(text)
    return number if number is not None else (0 if text else None)


def _link(text: str, lookups: Lookups) -> ChainNode:
    path = "/".join(PATH_SEPARATORS.split(text.strip()))
    link = lookups.links.get(path)
    if link is None and "/" not in path:
        named = lookups.links_by_name.get(path, [])
        if len(named) > 1:
            paths = "、".join(node.path for node in named)
            raise CellError(f"有多个环节名为“{path}”（{paths}），请填写完整路径。")
        link = named[0] if named else None
    if link is None:
        raise CellError(f"找不到产业链环节“{text}”。{did_you_mean(path, lookups.links)}请填写环节的完整路径，如“主导产业/产业链/环节”。")
    if not link.is_active:
        raise CellError(f"产业链环节“{link.path}”已停用。")
    return link


def parse_link(value: Any, lookups: Lookups) -> int:
    return _link(_normal(value), lookups).pk


def parse_links(value: Any, lookups: Lookups) -> list[int]:
    """Links separated by ；(or ; or line breaks), each once."""
    link_ids, errors = [], []
    for text in filter(None, (part.strip() for part in ITEM_SEPARATORS.split(_normal(value)))):
        try:
            link = _link(text, lookups)
        except CellError as error:
            errors.append(str(error))
            continue
        if link.pk in link_ids:
            errors.append(f"产业链环节“{link.path}”重复填写。")
        link_ids.append(link.pk)
    if errors:
        raise CellError("".join(errors))
    return link_ids


# --- The three sheets ---------------------------------------------------------------------------


def _active_unit_names(lookups: Lookups) -> list[str]:
    return [unit.name for unit in lookups.units.values() if unit.is_active]


def _group_names(lookups: Lookups) -> list[str]:
    return list(lookups.groups)


def _list_labels(lookups: Lookups) -> list[str]:
    return list(ListName.labels)


def _importable_stages(lookups: Lookups) -> list[str]:
    return [stage.label for stage in LeadStage if stage != LeadStage.SIGNED]


def _labels(choices) -> Any:
    return lambda lookups: list(choices.labels)


ENTERPRISES = SheetSpec(
    "目标企业",
    (
        Column("企业名称", "name", parse_text, width=30, example="某某科技股份有限公司", help="企业全称，系统中唯一。"),
        Column(
            "统一社会信用代码", "credit_code", parse_credit_code, required=False, default="", number_format=TEXT_FORMAT,
            width=22, example="91500102MA6000000F",
            help="18位统一社会信用代码，按国家标准（GB 32100-2015）核对校验位；可不填。重复导入时先按代码、再按企业名称找到已有企业并更新。",
        ),
        Column(
            "所在地区", "region", parse_region, required=False, default=("", ""), width=20, example="广东省深圳市",
            help="省份全称加地级市全称，如“广东省深圳市”或“广东省/深圳市”；也可只填省份（“广东省”）或只填城市（“深圳市”）。"
            "直辖市填到区县，如“上海市浦东新区”；境外企业填“境外/国家或城市”，如“境外/新加坡”。",
        ),
        Column(
            "榜单", "memberships", parse_lists, required=False, default=[], options=_list_labels, strict=False,
            width=30, example="世界500强:2021:123；上市公司",
            help="“榜单:年份:名次”，年份和名次可省略；多个用分号“；”分隔。榜单可选：" + "、".join(ListName.labels) + "。",
        ),
        Column(
            "产业链环节", "chain_links", parse_links, required=False, default=[], width=30,
            example="某主导产业/某产业链/某环节",
            help="企业对应的产业链环节：完整路径“主导产业/产业链/环节”，或名称唯一的环节名；多个用分号“；”分隔。",
        ),
    ),
    required=False,
)

LEADS = SheetSpec(
    "线索",
    (
        Column("线索编号", "code", parse_text, number_format=TEXT_FORMAT, width=16, example="XS2021-001",
               help="线索的编号，系统中唯一；重复导入时按编号更新已有线索。"),
        Column("线索名称", "name", parse_text, width=30, example="某某科技华南基地项目", help="线索的名称。"),
        Column(
            "目标企业", "enterprise", parse_text, required=False, width=30, example="某某科技股份有限公司",
            help="企业名称或统一社会信用代码：“目标企业”表中的企业，或系统中已有的企业；可不填。",
        ),
        Column("责任单位", "owner_unit", parse_unit, options=_active_unit_names, width=16, example="某某园区",
               help="跟进线索的单位，须与系统中的单位名称完全一致。"),
        Column("责任人", "responsible_person", parse_text, width=12, example="张三", help="在跟线索（线索、接洽、洽谈、拟签约）必填。"),
        Column("专项招商组", "group", parse_group, required=False, options=_group_names, width=20, help="可不填。"),
        Column("渠道", "channel", choice_parser(Channel), required=False, default=Channel.OTHER, options=_labels(Channel),
               example="拜访招商", help="招商渠道，不填为“其他”。"),
        Column(
            "阶段", "stage", choice_parser(LeadStage), options=_importable_stages, example="洽谈",
            help="线索、接洽、洽谈、拟签约、暂缓 或 终止。“已签约”须关联签约项目，不能导入。",
        ),
        Column("意向投资额（亿元）", "intended_investment", parse_money, required=False, number_format=MONEY_FORMAT, width=18,
               example="10", help="单位亿元，不能为负数，最多4位小数；可不填。"),
        Column("下一步", "next_step", parse_text, width=24, example="6月上门拜访董事长", help="在跟线索必填。"),
        Column("截止日期", "deadline", parse_date, number_format=DATE_FORMAT, example="2021-06-30",
               help="下一步的截止日期；在跟线索必填，过期即为逾期。"),
        Column("恢复日期", "resume_on", parse_date, required=False, number_format=DATE_FORMAT, example="2021-09-01",
               help="暂缓的线索恢复跟进的日期，阶段为“暂缓”时必填。"),
        Column("终止原因", "stop_reason", parse_text, required=False, default="", width=24, example="企业投资计划取消",
               help="阶段为“终止”时必填。"),
        Column("产业链环节", "chain_link", parse_link, required=False, width=30, example="某主导产业/某产业链/某环节",
               help="线索对应的一个产业链环节，写法同“目标企业”表；可不填。"),
    ),
    required=False,
)

ACTIVITIES = SheetSpec(
    "活动",
    (
        Column("日期", "date", parse_date, number_format=DATE_FORMAT, example="2021-06-08", help="活动的日期。"),
        Column("单位", "unit", parse_unit, options=_active_unit_names, width=16, example="某某园区", help="开展活动的单位。"),
        Column("类型", "kind", choice_parser(ActivityKind), options=_labels(ActivityKind), example="外出拜访",
               help="、".join(ActivityKind.labels) + "。"),
        Column("事由", "summary", parse_text, width=30, example="拜访某某科技洽谈华南基地",
               help="活动的内容。日期、单位、类型、事由都相同的活动视为同一条，重复导入时更新而不重复登记。"),
        Column("参加人员", "participants", parse_text, required=False, default="", width=20, example="张三、李四", help="可不填。"),
        Column("地点", "place", parse_text, required=False, default="", width=16, help="可不填。"),
        Column("线索编号", "lead", parse_text, required=False, number_format=TEXT_FORMAT, width=16, example="XS2021-001",
               help="活动所属线索：“线索”表中的线索，或系统中已有的线索；可不填。"),
        Column("目标企业", "enterprise", parse_text, required=False, width=30, example="某某科技股份有限公司",
               help="企业名称或统一社会信用代码，写法同“线索”表；可不填。"),
    ),
    required=False,
)

SHEETS = (ENTERPRISES, LEADS, ACTIVITIES)
# Empty cells the lead rules check with the row's stage (checking.py), in their own words.
STAGE_DEPENDENT = ("responsible_person", "next_step", "deadline")
