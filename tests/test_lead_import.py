"""The Excel import of the pipeline (import_leads): target enterprises, leads and activities, and its
template (import_leads_template)."""

import datetime
import io
from decimal import Decimal

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from openpyxl.utils import column_index_from_string

from chains.models import Level
from leads.importing import apply_lead_plan, parse_lead_workbook
from leads.importing.columns import parse_lists, parse_region
from leads.models import Activity, ActivityKind, Channel, Lead, LeadStage, ListMembership, TargetEnterprise
from lib.xlsx import put
from projects.importing.columns import CellError
from tests.factories import (
    ActivityFactory,
    ChainNodeFactory,
    LeadFactory,
    ProjectFactory,
    SpecialGroupFactory,
    TargetEnterpriseFactory,
    UnitFactory,
)
from tests.formula_texts import HYPERLINK

ENTERPRISE_HEADERS = ["企业名称", "统一社会信用代码", "所在地区", "榜单", "产业链环节"]
LEAD_HEADERS = [
    "线索编号", "线索名称", "目标企业", "责任单位", "责任人", "专项招商组", "渠道", "阶段",
    "意向投资额（亿元）", "下一步", "截止日期", "恢复日期", "终止原因",
]  # fmt: skip
ACTIVITY_HEADERS = ["日期", "单位", "类型", "事由", "参加人员", "线索编号", "目标企业"]
GROUP = "电子信息专项招商组"
CODE = "9144030071526726XG"  # a real code: its check character is right
OTHER_CODE = "91330100799655058B"


# --- Building real workbooks -----------------------------------------------------------------


def enterprise_row(**cells):
    row = {
        "企业名称": "深圳某某芯片有限公司",
        "统一社会信用代码": CODE,
        "所在地区": "广东省深圳市",
        "榜单": "世界500强:2021:123；上市公司",
        "产业链环节": "数字经济/集成电路/芯片设计",
    }
    return row | cells


def lead_row(**cells):
    row = {
        "线索编号": "XS-001",
        "线索名称": "芯片封测基地",
        "目标企业": "深圳某某芯片有限公司",
        "责任单位": "涪陵新城区",
        "责任人": "张三",
        "专项招商组": None,
        "渠道": "拜访招商",
        "阶段": "洽谈",
        "意向投资额（亿元）": 12.5,
        "下一步": "拜访董事长",
        "截止日期": datetime.date(2021, 6, 30),
        "恢复日期": None,
        "终止原因": None,
    }
    return row | cells


def activity_row(**cells):
    row = {
        "日期": datetime.date(2021, 6, 8),
        "单位": "涪陵新城区",
        "类型": "外出拜访",
        "事由": "拜访深圳某某芯片",
        "参加人员": "张三、李四",
        "线索编号": "XS-001",
        "目标企业": None,
    }
    return row | cells


def fill(worksheet, headers, rows):
    for column, header in enumerate(headers, start=1):
        put(worksheet, 1, column, header)
    for number, row in enumerate(rows, start=2):
        for column, header in enumerate(headers, start=1):
            value = None if row is None else row.get(header)
            if isinstance(value, str):
                put(worksheet, number, column, value)  # text as text, as Excel keeps a typed '=…
            elif value is not None:
                worksheet.cell(number, column, value)  # a number as Excel keeps it: a float


def write_workbook(path, enterprises=None, leads=None, activities=None, headers=None):
    """A workbook with the sheets given (None: no such sheet); `headers` replace a sheet's headers."""
    headers = {"目标企业": ENTERPRISE_HEADERS, "线索": LEAD_HEADERS, "活动": ACTIVITY_HEADERS} | (headers or {})
    workbook = openpyxl.Workbook()
    workbook.remove(workbook.active)
    for title, rows in (("目标企业", enterprises), ("线索", leads), ("活动", activities)):
        if rows is not None:
            fill(workbook.create_sheet(title), headers[title], rows)
    workbook.save(path)
    return path


def run_import(path, *args):
    out = io.StringIO()
    call_command("import_leads", str(path), *args, stdout=out, stderr=io.StringIO())
    return out.getvalue()


def database_state():
    return {
        model.__name__: list(model.objects.order_by("pk").values())
        for model in (TargetEnterprise, ListMembership, Lead, Activity, TargetEnterprise.chain_links.through)
    }


def assert_rejected(path, *messages):
    """The import fails with a non-zero exit, prints every message, and leaves the database as it was."""
    before = database_state()
    errors = io.StringIO()
    with pytest.raises(CommandError, match="未写入任何数据"):
        call_command("import_leads", str(path), stdout=io.StringIO(), stderr=errors)
    for message in messages:
        assert message in errors.getvalue()
    assert database_state() == before
    return errors.getvalue()


@pytest.fixture
def units(db):
    return {name: UnitFactory(name=name) for name in ["涪陵新城区", "临港经济区", "区商务委"]}


@pytest.fixture
def group(db):
    return SpecialGroupFactory(name=GROUP)


@pytest.fixture
def link(db):
    industry = ChainNodeFactory(name="数字经济", level=Level.INDUSTRY, position="", parent=None)
    chain = ChainNodeFactory(name="集成电路", level=Level.CHAIN, position="", parent=industry)
    return ChainNodeFactory(name="芯片设计", parent=chain)


@pytest.fixture
def good_file(tmp_path, units, group, link):
    return write_workbook(tmp_path / "线索.xlsx", [enterprise_row()], [lead_row()], [activity_row()])


@pytest.fixture
def bad_file(tmp_path, units, group, link):
    """A file whose first rows are good and whose third row of a sheet has the given cells."""

    def make(sheet, **cells):
        rows = {"目标企业": [enterprise_row()], "线索": [lead_row()], "活动": [activity_row()]}
        second = {"目标企业": enterprise_row, "线索": lead_row, "活动": activity_row}[sheet]
        unique = {"目标企业": {"企业名称": "第二家企业", "统一社会信用代码": OTHER_CODE}, "线索": {"线索编号": "XS-002"},
                  "活动": {"事由": "第二次拜访"}}[sheet]  # fmt: skip
        rows[sheet].append(second(**(unique | cells)))
        return write_workbook(tmp_path / "bad.xlsx", rows["目标企业"], rows["线索"], rows["活动"])

    return make


# --- A good file --------------------------------------------------------------------------------


def test_it_imports_an_enterprise_a_lead_and_an_activity_that_refer_to_each_other(good_file, units, link):
    output = run_import(good_file)

    enterprise = TargetEnterprise.objects.get()
    assert (enterprise.name, enterprise.credit_code, enterprise.province, enterprise.city) == (
        "深圳某某芯片有限公司", CODE, "广东省", "深圳市",
    )  # fmt: skip
    assert list(enterprise.chain_links.all()) == [link]
    assert sorted(enterprise.memberships.values_list("list_name", "year", "rank")) == [
        ("global_500", 2021, 123), ("listed", None, None),
    ]  # fmt: skip
    lead = Lead.objects.get()
    assert (lead.code, lead.enterprise, lead.owner_unit, lead.stage, lead.channel) == (
        "XS-001", enterprise, units["涪陵新城区"], LeadStage.NEGOTIATING, Channel.VISITS,
    )  # fmt: skip
    assert lead.intended_investment == Decimal("12.5")
    assert lead.deadline == datetime.date(2021, 6, 30)
    activity = Activity.objects.get()
    assert (activity.kind, activity.lead, activity.unit, activity.participants) == (
        ActivityKind.VISIT_OUT, lead, units["涪陵新城区"], "张三、李四",
    )  # fmt: skip
    assert lead.last_activity_on == datetime.date(2021, 6, 8)
    assert "目标企业：新建 1 条，更新 0 条，未变化 0 条。" in output
    assert "线索：新建 1 条" in output and "活动：新建 1 条" in output


def test_importing_the_same_file_twice_changes_nothing(good_file):
    run_import(good_file)
    before = database_state()

    output = run_import(good_file)

    assert database_state() == before
    for title in ("目标企业", "线索", "活动"):
        assert f"{title}：新建 0 条，更新 0 条，未变化 1 条。" in output


def test_an_enterprise_is_updated_by_credit_code_even_when_renamed(tmp_path, units, link):
    stored = TargetEnterpriseFactory(name="旧名称有限公司", credit_code=CODE, province="", city="")
    ListMembershipFactory = ListMembership.objects.create
    ListMembershipFactory(enterprise=stored, list_name="global_500", year=2021, rank=200, source="财富")
    ListMembershipFactory(enterprise=stored, list_name="china_500", year=2020)
    path = write_workbook(tmp_path / "a.xlsx", [enterprise_row(企业名称="新名称有限公司")])

    assert "目标企业：新建 0 条，更新 1 条" in run_import(path)

    stored.refresh_from_db()
    assert (TargetEnterprise.objects.count(), stored.name, stored.city) == (1, "新名称有限公司", "深圳市")
    memberships = sorted(stored.memberships.values_list("list_name", "year", "rank", "source"))
    assert memberships == [("global_500", 2021, 123, "财富"), ("listed", None, None, "")]  # the file's lists


def test_an_enterprise_without_a_code_is_found_by_its_exact_name(tmp_path, units, link):
    stored = TargetEnterpriseFactory(name="深圳某某芯片有限公司")
    path = write_workbook(tmp_path / "a.xlsx", [enterprise_row()])

    run_import(path)

    stored.refresh_from_db()
    assert (TargetEnterprise.objects.count(), stored.credit_code) == (1, CODE)


def test_a_lead_is_updated_by_its_code_and_may_name_a_stored_enterprise_by_credit_code(tmp_path, units, group):
    enterprise = TargetEnterpriseFactory(credit_code=OTHER_CODE)
    lead = LeadFactory(code="XS-001", owner_unit=units["临港经济区"])
    path = write_workbook(tmp_path / "a.xlsx", leads=[lead_row(目标企业=OTHER_CODE, 专项招商组=GROUP)])

    assert "线索：新建 0 条，更新 1 条" in run_import(path)

    lead.refresh_from_db()
    assert (Lead.objects.count(), lead.owner_unit, lead.enterprise, lead.group.name) == (
        1, units["涪陵新城区"], enterprise, GROUP,
    )  # fmt: skip


def test_an_activity_is_matched_by_date_unit_kind_and_summary_and_may_name_a_stored_lead(tmp_path, units):
    lead = LeadFactory(code="XS-009")
    stored = ActivityFactory(unit=units["涪陵新城区"], summary="拜访深圳某某芯片", participants="")
    path = write_workbook(tmp_path / "a.xlsx", activities=[activity_row(线索编号="XS-009")])

    assert "活动：新建 0 条，更新 1 条" in run_import(path)

    stored.refresh_from_db()
    assert (Activity.objects.count(), stored.participants, stored.lead) == (1, "张三、李四", lead)


@pytest.mark.parametrize(
    ("stage", "cells", "stored"),
    [
        ("暂缓", {"恢复日期": "2021-09-01"}, {"resume_on": datetime.date(2021, 9, 1)}),
        ("终止", {"终止原因": "企业取消投资计划"}, {"stop_reason": "企业取消投资计划"}),
    ],
)
def test_a_paused_or_stopped_lead_needs_only_its_resume_date_or_reason(tmp_path, units, stage, cells, stored):
    path = write_workbook(tmp_path / "a.xlsx", leads=[lead_row(阶段=stage, 目标企业=None, 责任人=None, 下一步=None, 截止日期=None, **cells)])

    run_import(path)

    assert Lead.objects.filter(**stored).count() == 1


def test_a_dry_run_checks_and_writes_nothing(good_file):
    output = run_import(good_file, "--dry-run")

    assert "试运行，未写入任何数据" in output
    assert "目标企业：新建 1 条" in output
    assert database_state() == {key: [] for key in database_state()}


def test_a_formula_looking_text_is_stored_as_the_text_it_is(tmp_path, units):
    names = [HYPERLINK, "＝1＋1", "@SUM(1)", "-2+3"]
    leads = [lead_row(线索编号=f"XS-{n}", 线索名称=name, 目标企业=None) for n, name in enumerate(names)]
    run_import(write_workbook(tmp_path / "a.xlsx", leads=leads))

    assert sorted(Lead.objects.values_list("name", flat=True)) == sorted(names)


def test_a_row_may_leave_out_optional_columns_and_those_keep_their_stored_values(tmp_path, units, link):
    stored = TargetEnterpriseFactory(name="深圳某某芯片有限公司", province="广东省", city="广州市")
    stored.chain_links.add(link)
    path = write_workbook(tmp_path / "a.xlsx", [{"企业名称": "深圳某某芯片有限公司"}], headers={"目标企业": ["企业名称"]})

    run_import(path)

    stored.refresh_from_db()
    assert (stored.city, list(stored.chain_links.all())) == ("广州市", [link])


def test_an_uploaded_file_is_read_as_a_path_is(good_file):
    plan = parse_lead_workbook(SimpleUploadedFile("a.xlsx", good_file.read_bytes()))

    assert plan.ok
    result = apply_lead_plan(plan=plan)
    assert result.counts["线索"].created == 1


# --- Every kind of bad input -------------------------------------------------------------------


def test_a_workbook_without_any_of_the_sheets_is_refused(tmp_path, db):
    workbook = openpyxl.Workbook()
    workbook.active.title = "Sheet1"
    workbook.save(tmp_path / "a.xlsx")

    assert_rejected(tmp_path / "a.xlsx", "工作簿中没有“目标企业”、“线索”、“活动”中的任何一个工作表。")


def test_a_missing_required_column_is_named(tmp_path, units):
    headers = {"线索": [h for h in LEAD_HEADERS if h != "截止日期"], "活动": ACTIVITY_HEADERS[1:]}
    path = write_workbook(tmp_path / "a.xlsx", leads=[lead_row()], activities=[activity_row()], headers=headers)

    assert_rejected(path, "线索 第1行「截止日期」：缺少这一必填列。", "活动 第1行「日期」：缺少这一必填列。")


@pytest.mark.parametrize(
    ("sheet", "cells", "message"),
    [
        ("活动", {"日期": "昨天"}, "活动 第3行「日期」：“昨天”不是日期"),
        ("线索", {"截止日期": "2021-02-30"}, "线索 第3行「截止日期」：“2021-02-30”不是有效的日期。"),
        ("线索", {"意向投资额（亿元）": "十亿"}, "线索 第3行「意向投资额（亿元）」：“十亿”不是数字。"),
        ("线索", {"意向投资额（亿元）": -3}, "线索 第3行「意向投资额（亿元）」：金额不能为负数（现为 -3）。"),
        ("线索", {"责任单位": "涪陵新城"}, "线索 第3行「责任单位」：找不到单位“涪陵新城”。是否应为“涪陵新城区”？"),
        ("活动", {"单位": "不存在的单位"}, "活动 第3行「单位」：找不到单位“不存在的单位”。"),
        ("线索", {"专项招商组": "电子专项组"}, "线索 第3行「专项招商组」：找不到专项招商组“电子专项组”。"),
        ("线索", {"渠道": "网上招商"}, "线索 第3行「渠道」：“网上招商”不是可选的值，请填写：领导招商、"),
        ("线索", {"阶段": "已立项"}, "线索 第3行「阶段」：“已立项”不是可选的值"),
        ("活动", {"类型": "会议"}, "活动 第3行「类型」：“会议”不是可选的值"),
        ("目标企业", {"产业链环节": "数字经济/集成电路/芯片制造"}, "目标企业 第3行「产业链环节」：找不到产业链环节“数字经济/集成电路/芯片制造”。"),
        ("目标企业", {"产业链环节": "数字经济/集成电路"}, "找不到产业链环节“数字经济/集成电路”"),
        ("目标企业", {"统一社会信用代码": "914403007152672600"}, "目标企业 第3行「统一社会信用代码」：“914403007152672600”不是有效的统一社会信用代码"),
        ("目标企业", {"统一社会信用代码": "91440300"}, "统一社会信用代码应为18位，“91440300”有8位。"),
        ("目标企业", {"榜单": "福布斯:2021"}, "目标企业 第3行「榜单」：“福布斯”不是可选的榜单"),
        ("目标企业", {"榜单": "世界500强:二〇二一"}, "中的年份“二〇二一”不是有效的年份。"),
        ("目标企业", {"榜单": "世界500强:2021:第一"}, "中的名次“第一”不是正整数。"),
        ("目标企业", {"榜单": "世界500强:2021:99999999999999999999"}, "中的名次“99999999999999999999”不是正整数。"),
        ("目标企业", {"榜单": "上市公司；上市公司"}, "“上市公司”重复填写。"),
        ("目标企业", {"所在地区": "广东省深州市"}, "目标企业 第3行「所在地区」：广东省没有“深州市”。"),
        ("目标企业", {"所在地区": "广东"}, "找不到省份“广东”。是否应为“广东省”？"),
        ("线索", {"阶段": "洽谈", "截止日期": None}, "线索 第3行「截止日期」：在跟线索必须有下一步的截止日期。"),
        ("线索", {"阶段": "线索", "责任人": None, "下一步": None}, "线索 第3行「责任人」：在跟线索必须有责任人。"),
        ("线索", {"阶段": "暂缓"}, "线索 第3行「恢复日期」：暂缓的线索必须填写恢复跟进的日期"),
        ("线索", {"阶段": "终止"}, "线索 第3行「终止原因」：终止的线索必须填写终止原因"),
        ("线索", {"阶段": "已签约"}, "线索 第3行「阶段」：“已签约”的线索须在系统中关联签约项目，不能导入"),
        ("线索", {"线索编号": "XS-001"}, "线索 第3行「线索编号」：与第2行是同一线索，请合并为一行。"),
        ("目标企业", {"企业名称": "深圳某某芯片有限公司"}, "目标企业 第3行「企业名称」：与第2行是同一企业"),
        ("目标企业", {"统一社会信用代码": CODE}, "目标企业 第3行「统一社会信用代码」：与第2行是同一企业"),
        ("活动", {"事由": "拜访深圳某某芯片"}, "活动 第3行「事由」：与第2行是同一活动"),
        ("线索", {"目标企业": "不存在的企业"}, "线索 第3行「目标企业」：找不到目标企业“不存在的企业”"),
        ("活动", {"线索编号": "XS-404"}, "活动 第3行「线索编号」：找不到线索编号“XS-404”"),
        ("活动", {"目标企业": "不存在的企业"}, "活动 第3行「目标企业」：找不到目标企业“不存在的企业”"),
        ("线索", {"线索名称": "长" * 201}, "线索 第3行「线索名称」：确保该变量包含不超过 200 字符"),
    ],
)
def test_a_bad_cell_is_reported_by_sheet_row_and_column_and_nothing_is_written(bad_file, sheet, cells, message):
    assert_rejected(bad_file(sheet, **cells), message)


def test_a_file_with_several_problems_reports_all_of_them(bad_file):
    errors = assert_rejected(
        bad_file("线索", **{"责任单位": "某单位", "渠道": "网上", "截止日期": "明天"}),
        "线索 第3行「责任单位」",
        "线索 第3行「渠道」",
        "线索 第3行「截止日期」：“明天”不是日期",
    )
    assert "在跟线索必须有下一步的截止日期" not in errors  # the unreadable date is told once


def test_a_signed_stored_lead_cannot_be_changed_by_an_import(tmp_path, units):
    LeadFactory(code="XS-001", stage=LeadStage.SIGNED, project=ProjectFactory())

    assert_rejected(
        write_workbook(tmp_path / "a.xlsx", leads=[lead_row(目标企业=None)]),
        "线索 第2行「线索编号」：线索“XS-001”已签约，不能再通过导入修改。",
    )


def test_a_credit_code_belonging_to_another_stored_enterprise_is_refused(tmp_path, units, link):
    TargetEnterpriseFactory(name="深圳某某芯片有限公司", credit_code=OTHER_CODE)

    assert_rejected(
        write_workbook(tmp_path / "a.xlsx", [enterprise_row()]),
        "目标企业 第2行「统一社会信用代码」：系统中的“深圳某某芯片有限公司”统一社会信用代码为“91330100799655058B”，与本行不同",
    )


def test_one_bad_row_among_good_ones_writes_nothing(bad_file):
    assert_rejected(bad_file("活动", 类型="会议"))

    assert not TargetEnterprise.objects.exists() and not Lead.objects.exists()


def test_a_file_over_the_size_limit_is_refused(good_file, settings):
    settings.IMPORT_MAX_BYTES = good_file.stat().st_size - 1

    assert_rejected(good_file, "文件超过")


def test_a_file_that_is_not_an_xlsx_is_refused(tmp_path, db):
    path = tmp_path / "a.xlsx"
    path.write_bytes(b"name,code\n")

    assert_rejected(path, "文件不是 Excel 工作簿（.xlsx）")


def test_rows_beyond_the_limit_are_refused(tmp_path, units, settings):
    settings.IMPORT_MAX_ROWS = 2
    leads = [lead_row(线索编号=f"XS-{n}", 目标企业=None) for n in range(3)]

    assert_rejected(write_workbook(tmp_path / "a.xlsx", leads=leads), "线索 第4行：数据超过 2 行的上限")


# --- Cells on their own ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "region"),
    [
        ("广东省深圳市", ("广东省", "深圳市")),
        ("广东省/深圳市", ("广东省", "深圳市")),
        ("广东省／深圳市", ("广东省", "深圳市")),
        ("广东省 深圳市", ("广东省", "深圳市")),
        ("广东省", ("广东省", "")),
        ("深圳市", ("广东省", "深圳市")),
        ("吉林省吉林市", ("吉林省", "吉林市")),
        ("重庆市渝北区", ("重庆市", "渝北区")),
        ("内蒙古自治区鄂尔多斯市", ("内蒙古自治区", "鄂尔多斯市")),
        ("香港特别行政区", ("香港特别行政区", "")),
        ("境外/新加坡", ("境外", "新加坡")),
        ("境外", ("境外", "")),
    ],
)
def test_a_region_is_a_province_and_one_of_its_cities(text, region):
    assert parse_region(text, None) == region


@pytest.mark.parametrize("text", ["广东省成都市", "广东深圳", "火星", "广东省/深圳市/南山区"])
def test_a_region_outside_the_table_is_refused(text):
    with pytest.raises(CellError):
        parse_region(text, None)


def test_a_list_spec_reads_list_year_and_rank_with_either_colon_and_semicolon():
    assert parse_lists("世界500强：2021：123;中国500强:2020；专精特新", None) == [
        ("global_500", 2021, 123), ("china_500", 2020, None), ("specialised", None, None),
    ]  # fmt: skip


# --- The template ----------------------------------------------------------------------------------


@pytest.fixture
def template(tmp_path, units, group):
    path = tmp_path / "线索模板.xlsx"
    out = io.StringIO()
    call_command("import_leads_template", str(path), stdout=out)
    assert "已生成导入模板" in out.getvalue()
    return path


def test_the_template_has_the_three_sheets_a_help_sheet_for_every_column_and_dropdowns(template):
    workbook = openpyxl.load_workbook(template)

    assert workbook.sheetnames == ["目标企业", "线索", "活动", "说明", "可选值"]
    headers = {title: [cell.value for cell in workbook[title][1]] for title in ("目标企业", "线索", "活动")}
    assert headers["目标企业"] == ENTERPRISE_HEADERS
    assert headers["线索"] == [*LEAD_HEADERS, "产业链环节"]
    assert headers["活动"] == ["日期", "单位", "类型", "事由", "参加人员", "地点", "线索编号", "目标企业"]
    explained = {(row[0], row[1]): row[4] for row in workbook["说明"].iter_rows(values_only=True)}
    assert {(title, h) for title, hs in headers.items() for h in hs} <= explained.keys()
    assert explained["目标企业", "榜单"] == "世界500强:2021:123；上市公司"
    dropdowns = {
        (title, headers[title][column_index_from_string(str(v.sqref)[0]) - 1]): v
        for title in headers
        for v in workbook[title].data_validations.dataValidation
    }
    assert set(dropdowns) == {
        ("目标企业", "榜单"), ("线索", "责任单位"), ("线索", "专项招商组"), ("线索", "渠道"), ("线索", "阶段"),
        ("活动", "单位"), ("活动", "类型"),
    }  # fmt: skip
    options = workbook["可选值"]
    listed = {column[0]: [value for value in column[1:] if value] for column in options.iter_cols(values_only=True)}
    assert listed["阶段"] == ["线索", "接洽", "洽谈", "拟签约", "暂缓", "终止"]
    assert listed["类型"] == list(ActivityKind.labels)
    assert listed["渠道"] == list(Channel.labels)
    assert "涪陵新城区" in listed["责任单位／单位"] and listed["专项招商组"] == [GROUP]
    assert dropdowns["线索", "阶段"].showErrorMessage and not dropdowns["目标企业", "榜单"].showErrorMessage


def test_the_blank_template_imports_cleanly_with_no_rows(template):
    assert "线索：新建 0 条，更新 0 条，未变化 0 条。" in run_import(template)


def test_the_template_filled_with_one_row_per_sheet_imports(template, link):
    workbook = openpyxl.load_workbook(template)
    for title, row in (("目标企业", enterprise_row()), ("线索", lead_row()), ("活动", activity_row())):
        sheet = workbook[title]
        sheet.append([row.get(cell.value) for cell in sheet[1]])
    workbook.save(template)

    run_import(template)

    assert Activity.objects.get().lead.enterprise.name == "深圳某某芯片有限公司"


def test_the_import_reads_and_writes_in_the_same_number_of_queries_for_more_rows(tmp_path, units, group, link):
    def queries_for(size, start):
        numbers = range(start, start + size)
        path = write_workbook(
            tmp_path / f"{size}.xlsx",
            [enterprise_row(企业名称=f"企业{n}", 统一社会信用代码=None) for n in numbers],
            [lead_row(线索编号=f"XS-{n}", 目标企业=f"企业{n}") for n in numbers],
            [activity_row(事由=f"拜访{n}", 线索编号=f"XS-{n}") for n in numbers],
        )
        with CaptureQueriesContext(connection) as captured:
            run_import(path)
        return len(captured)

    assert queries_for(2, start=0) == queries_for(8, start=100)
    assert Lead.objects.count() == 10


def test_a_row_changing_only_an_enterprises_lists_or_links_updates_it(tmp_path, units, link):
    stored = TargetEnterpriseFactory(name="深圳某某芯片有限公司", credit_code=CODE)
    stored.chain_links.add(ChainNodeFactory(name="封装测试"))
    ListMembership.objects.create(enterprise=stored, list_name="listed")
    path = write_workbook(tmp_path / "a.xlsx", [enterprise_row(榜单="上市公司；专精特新")])

    assert "目标企业：新建 0 条，更新 1 条，未变化 0 条。" in run_import(path)

    assert list(stored.chain_links.all()) == [link]
    assert sorted(stored.memberships.values_list("list_name", flat=True)) == ["listed", "specialised"]
    assert "目标企业：新建 0 条，更新 0 条，未变化 1 条。" in run_import(path)
