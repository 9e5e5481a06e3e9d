"""The Excel import of projects and arrivals (import_projects), and its template (import_template)."""

import datetime
import io
import time
import zipfile
from decimal import Decimal

import openpyxl
import openpyxl.xml
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import DatabaseError
from django.db.models import QuerySet

from access.roles import Role
from figures.assessment import assess
from projects.importing import apply_plan, parse_workbook
from projects.importing.columns import parse_money, parse_text
from projects.importing.reading import IMPORT_AMOUNT_NOTE
from landing.models import MilestoneKind
from landing.stages import Stage, StageReached
from projects.models import ZERO_AGREEMENT_CAPITAL, Arrival, CodeSequence, Cooperation, Project, Status
from targets.scoring import Period
from tests.factories import (
    ArrivalFactory,
    MilestoneFactory,
    OrganisationFactory,
    ProjectFactory,
    SpecialGroupFactory,
    UnitFactory,
    UnitTargetFactory,
    user_with_role,
)
from tests.formula_texts import FORMULA_LIKE

PROJECT_HEADERS = [
    "项目编号", "项目名称", "投资方", "牵头单位", "配合单位", "专项招商组",
    "产业类型", "项目来源", "协议资金（亿元）", "预计产值（亿元）", "签约日期", "注册日期", "开工日期", "投产日期", "达产日期",
]  # fmt: skip
ARRIVAL_HEADERS = ["项目编号", "到位日期", "到位金额（亿元）", "备注"]
GROUP = "化工新材料专项招商组"


# --- Building real workbooks -----------------------------------------------------------------


def project_row(**cells):
    """A good 项目 row (by header); keyword arguments replace cells, e.g. **{"签约日期": "2021/3/15"}."""
    row = {
        "项目编号": None,
        "项目名称": "页岩气综合利用项目",
        "投资方": "重庆某某能源有限公司",
        "牵头单位": "涪陵新城区",
        "配合单位": None,
        "专项招商组": None,
        "产业类型": "工业",
        "项目来源": "市外",
        "协议资金（亿元）": 25,
        "预计产值（亿元）": None,
        "签约日期": datetime.date(2021, 3, 15),
        "注册日期": None,
        "开工日期": None,
        "投产日期": None,
        "达产日期": None,
    }
    row.update(cells)
    return row


def arrival_row(code, amount="1.5", arrived_on="2021-06-30", note=None):
    return {"项目编号": code, "到位日期": arrived_on, "到位金额（亿元）": amount, "备注": note}


def fill(worksheet, headers, rows, keys=None):
    """Write headers, then each row's cells in the same order (rows are dicts by `keys`, None is a blank row)."""
    worksheet.append(headers)
    for row in rows:
        worksheet.append([] if row is None else [row.get(key) for key in keys or headers])


def write_workbook(path, projects=(), arrivals=None):
    workbook = openpyxl.Workbook()
    workbook.active.title = "项目"
    fill(workbook.active, PROJECT_HEADERS, projects)
    if arrivals is not None:
        fill(workbook.create_sheet("到位资金"), ARRIVAL_HEADERS, arrivals)
    workbook.save(path)
    return path


def run_import(path, *args):
    out = io.StringIO()
    call_command("import_projects", str(path), *args, stdout=out, stderr=io.StringIO())
    return out.getvalue()


def database_state():
    """Every stored project, cooperation and arrival, field by field."""
    return {
        "projects": list(Project.objects.order_by("pk").values()),
        "cooperations": list(Cooperation.objects.order_by("pk").values()),
        "arrivals": list(Arrival.objects.order_by("pk").values()),
    }


def assert_rejected(path, *messages):
    """The import fails, prints every message on stderr, and leaves the database as it was."""
    before = database_state()
    errors = io.StringIO()
    with pytest.raises(CommandError, match="未写入任何数据"):
        call_command("import_projects", str(path), stdout=io.StringIO(), stderr=errors)
    for message in messages:
        assert message in errors.getvalue()
    assert database_state() == before
    return errors.getvalue()


@pytest.fixture
def units(db):
    OrganisationFactory()  # codes FL<year>-NNNNN
    names = ["涪陵新城区", "临港经济区", "白涛园区", "区商务委", "区经济信息委"]
    return {name: UnitFactory(name=name) for name in names}


@pytest.fixture
def group(db):
    return SpecialGroupFactory(name=GROUP)


@pytest.fixture
def stored(units):
    """A stored, approved project with one cooperating unit and one arrival."""
    project = ProjectFactory(
        code="FL2021-00007",
        name="已有项目",
        lead_unit=units["临港经济区"],
        agreement_capital=Decimal("5"),
        cooperating=[units["区商务委"]],
    )
    ArrivalFactory(project=project, arrived_on=datetime.date(2021, 6, 30), amount=Decimal("1.5"))
    return project


@pytest.fixture
def bad_file(tmp_path, stored):
    """A file whose row 2 updates the stored project and whose row 3 is made bad by the test."""

    def make(arrivals=(), **cells):
        update = project_row(**{"项目编号": stored.code, "项目名称": "已有项目", "牵头单位": "临港经济区", "协议资金（亿元）": 9})
        rows = [update, project_row(**cells)]
        return write_workbook(tmp_path / "bad.xlsx", rows, [arrival_row(stored.code, "2"), *arrivals])

    return make


# --- A good file ----------------------------------------------------------------------------------


def test_a_good_file_creates_projects_cooperating_units_and_arrivals_with_exact_amounts(tmp_path, units, group):
    path = write_workbook(
        tmp_path / "good.xlsx",
        [
            project_row(**{"项目编号": "FL2021-00001", "协议资金（亿元）": 25, "预计产值（亿元）": "60.5", "专项招商组": GROUP}),
            project_row(**{
                "项目编号": "FL2021-00002", "项目名称": "冷链物流园", "牵头单位": "临港经济区", "配合单位": "区商务委、区经济信息委",
                "产业类型": "非工业", "项目来源": "区外市内", "协议资金（亿元）": "12.3456", "签约日期": "2021-05-10",
                "开工日期": "2021-06-01",
            }),  # fmt: skip
        ],
        [arrival_row("FL2021-00001", "3", "2021-10-15", "首笔"), arrival_row("FL2021-00002", 0.1, "2021-11-01")],
    )

    output = run_import(path)

    assert "新建项目 2 个，更新 0 个" in output and "新增到位资金 2 条" in output
    first, second = Project.objects.get(code="FL2021-00001"), Project.objects.get(code="FL2021-00002")
    assert (first.name, first.investor, first.lead_unit, first.group) == ("页岩气综合利用项目", "重庆某某能源有限公司", units["涪陵新城区"], group)
    assert (first.sector, first.origin, first.stage) == ("industrial", "outside_city", StageReached(Stage.SIGNED))
    assert (first.agreement_capital, first.expected_output) == (Decimal("25"), Decimal("60.5"))
    assert first.signed_on == datetime.date(2021, 3, 15)
    # without --approve, the 开工 date waits for a reviewer
    assert (second.sector, second.origin, second.stage) == ("non_industrial", "inside_city", StageReached(Stage.STARTED, pending=True))
    assert second.agreement_capital == Decimal("12.3456") and second.expected_output is None
    assert set(second.cooperating_units.all()) == {units["区商务委"], units["区经济信息委"]}
    assert (first.cooperating_count, second.cooperating_count) == (0, 2)
    assert not first.cooperating_units.exists()
    assert [(a.project.code, a.arrived_on, a.amount, a.note) for a in Arrival.objects.order_by("arrived_on")] == [
        ("FL2021-00001", datetime.date(2021, 10, 15), Decimal("3"), "首笔"),
        ("FL2021-00002", datetime.date(2021, 11, 1), Decimal("0.1"), ""),
    ]


def test_imported_projects_are_submitted_for_review(tmp_path, units):
    run_import(write_workbook(tmp_path / "a.xlsx", [project_row()]))

    project = Project.objects.get()
    assert project.status == Status.SUBMITTED
    assert project.submitted_at is not None and project.reviewed_at is None


def test_approve_makes_the_imported_projects_approved_and_reviewed(tmp_path, units):
    run_import(write_workbook(tmp_path / "a.xlsx", [project_row()]), "--approve")

    project = Project.objects.get()
    assert project.status == Status.APPROVED
    assert project.reviewed_at is not None


def test_imported_arrivals_wait_for_a_reviewer_and_count_nowhere(fuling_2021, tmp_path):
    code = "FL2021-00001"
    run_import(write_workbook(tmp_path / "a.xlsx", [project_row(**{"项目编号": code})], [arrival_row(code, "3")]))

    arrival = Arrival.objects.get()
    assert (arrival.verified, arrival.verified_by, arrival.verified_at) == (False, None, None)
    assert Arrival.objects.verification_queue().get() == arrival


def test_approve_verifies_the_arrivals_it_writes_as_the_operator(fuling_2021, tmp_path):
    code = "FL2021-00001"
    run_import(write_workbook(tmp_path / "a.xlsx", [project_row(**{"项目编号": code})], [arrival_row(code, "3")]), "--approve")

    arrival = Arrival.objects.get()
    assert arrival.verified and arrival.verified_by is None and arrival.verified_at is not None  # the operator
    assert not Arrival.objects.verification_queue().exists()
    assert ranking_snapshot()["涪陵新城区"][1]["arrived_capital"] == Decimal("3")


def test_approve_through_the_page_verifies_as_the_reviewer(tmp_path, units):
    reviewer = user_with_role(Role.REVIEWER, username="reviewer")
    code = "FL2021-00001"
    path = write_workbook(tmp_path / "a.xlsx", [project_row(**{"项目编号": code})], [arrival_row(code, "3")])
    with open(path, "rb") as handle:
        apply_plan(plan=parse_workbook(handle), approve=True, user=reviewer)

    assert Arrival.objects.get().verified_by == reviewer


def test_a_project_without_a_code_gets_the_next_free_code_of_its_signing_years_sequence(tmp_path, units):
    CodeSequence.objects.create(prefix="FL", year=2021, last=40)
    ProjectFactory(code="FL2021-00041")  # taken: skipped
    ProjectFactory(code="FL2022-00100")  # given explicitly: the 2022 sequence has not moved
    path = write_workbook(
        tmp_path / "a.xlsx",
        [
            project_row(**{"项目名称": "甲"}),
            project_row(**{"项目名称": "乙", "项目编号": "FL2021-00043"}),  # the file's own: skipped too
            project_row(**{"项目名称": "丙"}),
            project_row(**{"项目名称": "丁", "签约日期": datetime.date(2022, 1, 5)}),
        ],
    )

    output = run_import(path)

    codes = dict(Project.objects.filter(name__in="甲乙丙丁").values_list("name", "code"))
    assert codes == {"甲": "FL2021-00042", "乙": "FL2021-00043", "丙": "FL2021-00044", "丁": "FL2022-00001"}
    assert "自动生成的项目编号：FL2021-00042、FL2021-00044、FL2022-00001" in output
    assert dict(CodeSequence.objects.values_list("year", "last")) == {2021: 44, 2022: 1}


def test_an_imported_explicit_code_far_above_the_sequence_does_not_move_it(tmp_path, units):
    run_import(write_workbook(tmp_path / "a.xlsx", [project_row(**{"项目名称": "甲"})]))
    run_import(write_workbook(tmp_path / "b.xlsx", [project_row(**{"项目名称": "乙", "项目编号": "FL2021-90000"})]))
    run_import(write_workbook(tmp_path / "c.xlsx", [project_row(**{"项目名称": "丙"})]))

    codes = dict(Project.objects.values_list("name", "code"))
    assert codes == {"甲": "FL2021-00001", "乙": "FL2021-90000", "丙": "FL2021-00002"}


def test_a_dry_run_reserves_no_code(tmp_path, units):
    path = write_workbook(tmp_path / "a.xlsx", [project_row(**{"项目名称": "甲"})])
    assert "自动生成的项目编号：FL2021-00001" in run_import(path, "--dry-run")
    run_import(path)
    assert Project.objects.get().code == "FL2021-00001"


def test_importing_the_same_file_twice_creates_nothing_new(tmp_path, units):
    path = write_workbook(
        tmp_path / "a.xlsx",
        [project_row(**{"项目编号": "FL2021-00001", "配合单位": "区商务委"}), project_row(**{"项目名称": "无编号项目"})],
        [arrival_row("FL2021-00001", "2"), arrival_row("FL2021-00001", "2")],
    )
    run_import(path)
    state = database_state()

    output = run_import(path)

    assert database_state() == state
    assert "新建项目 0 个，更新 0 个，未变化 2 个；新增到位资金 0 条，已存在而跳过 2 条。" in output


def test_importing_a_good_file_twice_gives_the_same_ranking_as_once(fuling_2021, tmp_path):
    path = write_workbook(
        tmp_path / "a.xlsx",
        [
            project_row(**{"项目编号": "FL2021-00001", "牵头单位": "涪陵新城区", "协议资金（亿元）": "25"}),
            project_row(**{"项目名称": "无编号项目", "牵头单位": "临港经济区", "配合单位": "区商务委、区经济信息委",
                           "项目来源": "区外市内", "协议资金（亿元）": "12"}),
        ],
        [arrival_row("FL2021-00001", "3", "2021-10-15")],
    )
    run_import(path, "--approve")
    once = ranking_snapshot()

    run_import(path, "--approve")

    assert ranking_snapshot() == once
    assert once["涪陵新城区"][1]["agreement_capital"] == Decimal("25")


def ranking_snapshot():
    results = assess(Period(2021, 4))
    return {r.unit.name: (r.rank, {i.value: v.actual for i, v in r.indicators.items()}, r.score) for r in results}


def test_arrivals_count_repeats_so_only_the_missing_ones_are_created(tmp_path, stored):
    path = write_workbook(
        tmp_path / "a.xlsx",
        [],
        [arrival_row(stored.code, "1.5"), arrival_row(stored.code, "1.5"), arrival_row(stored.code, "1.5", note="补记")],
    )

    output = run_import(path)

    assert "新增到位资金 2 条，已存在而跳过 1 条" in output
    rows = Arrival.objects.filter(project=stored).values_list("amount", "note")
    assert sorted(rows) == [(Decimal("1.5"), ""), (Decimal("1.5"), ""), (Decimal("1.5"), "补记")]


def test_a_row_with_a_stored_code_updates_that_project_and_replaces_its_cooperating_units(tmp_path, units, stored):
    row = project_row(**{"项目编号": stored.code, "项目名称": "改名项目", "牵头单位": "临港经济区", "配合单位": "白涛园区", "协议资金（亿元）": "8.5"})

    output = run_import(write_workbook(tmp_path / "a.xlsx", [row]))

    stored.refresh_from_db()
    assert "更新：FL2021-00007" in output
    assert (stored.name, stored.agreement_capital, stored.version) == ("改名项目", Decimal("8.5"), 2)
    assert stored.status == Status.SUBMITTED  # changed facts go back to review
    assert list(stored.cooperating_units.all()) == [units["白涛园区"]]
    assert stored.cooperating_count == 1
    assert Project.objects.count() == 1


def test_a_row_without_a_code_updates_the_project_with_the_same_lead_unit_name_and_signing_date(tmp_path, stored):
    row = project_row(**{"项目名称": "已有项目", "牵头单位": "临港经济区", "协议资金（亿元）": 6, "配合单位": None})

    run_import(write_workbook(tmp_path / "a.xlsx", [row]))

    stored.refresh_from_db()
    assert Project.objects.count() == 1
    assert stored.agreement_capital == Decimal("6")
    assert not stored.cooperating_units.exists()


def test_an_unchanged_approved_project_stays_approved_and_keeps_its_version(tmp_path, stored):
    row = project_row(**{"项目编号": stored.code, "项目名称": "已有项目", "牵头单位": "临港经济区", "配合单位": "区商务委", "协议资金（亿元）": 5})
    row["投资方"] = stored.investor

    output = run_import(write_workbook(tmp_path / "a.xlsx", [row]))

    stored.refresh_from_db()
    assert "未变化 1 个" in output
    assert (stored.status, stored.version) == (Status.APPROVED, 1)


def test_a_column_left_out_keeps_the_stored_value(tmp_path, units, stored, group):
    Project.objects.filter(pk=stored.pk).update(group=group)
    MilestoneFactory(project=stored, kind=MilestoneKind.STARTED, actual_on=datetime.date(2021, 5, 1))
    MilestoneFactory(project=stored, kind=MilestoneKind.PRODUCING, actual_on=datetime.date(2021, 9, 1))
    headers = [h for h in PROJECT_HEADERS if h not in ("配合单位", "专项招商组", "开工日期", "投产日期")]
    workbook = openpyxl.Workbook()
    workbook.active.title = "项目"
    row = project_row(**{"项目编号": stored.code, "项目名称": "已有项目", "牵头单位": "临港经济区", "协议资金（亿元）": 7})
    fill(workbook.active, headers, [row])
    workbook.save(tmp_path / "a.xlsx")

    run_import(tmp_path / "a.xlsx")

    stored.refresh_from_db()
    assert stored.agreement_capital == Decimal("7")
    assert (stored.stage, stored.group) == (StageReached(Stage.PRODUCING), group)
    assert list(stored.cooperating_units.all()) == [units["区商务委"]]


def test_making_a_cooperating_unit_the_lead_without_the_cooperating_column_is_refused(tmp_path, stored):
    workbook = openpyxl.Workbook()
    workbook.active.title = "项目"
    row = project_row(**{"项目编号": stored.code, "项目名称": "已有项目", "牵头单位": "区商务委"})
    fill(workbook.active, [h for h in PROJECT_HEADERS if h != "配合单位"], [row])
    workbook.save(tmp_path / "a.xlsx")

    assert_rejected(tmp_path / "a.xlsx", "项目 第2行「牵头单位」：该单位是此项目现有的配合单位")


def test_dry_run_reports_what_it_would_do_and_writes_nothing(tmp_path, stored):
    path = write_workbook(
        tmp_path / "a.xlsx",
        [project_row(), project_row(**{"项目编号": stored.code, "项目名称": "已有项目", "牵头单位": "临港经济区"})],
        [arrival_row(stored.code, "4")],
    )
    before = database_state()

    output = run_import(path, "--dry-run")

    assert database_state() == before
    assert "试运行，未写入任何数据。将新建项目 1 个，更新 1 个" in output
    assert "新增到位资金 1 条" in output
    assert "新建：FL2021-00001" in output and "更新：FL2021-00007" in output  # the 2021 sequence's first


def test_parse_workbook_accepts_an_uploaded_file_and_apply_plan_records_the_user(tmp_path, units, django_user_model):
    user = django_user_model.objects.create_user("reviewer")
    path = write_workbook(tmp_path / "a.xlsx", [project_row()])
    upload = SimpleUploadedFile("a.xlsx", path.read_bytes())

    plan = parse_workbook(upload)
    result = apply_plan(plan=plan, approve=True, user=user)

    project = Project.objects.get()
    assert plan.ok and result.created == [project.code]
    assert (project.created_by, project.reviewed_by, project.status) == (user, user, Status.APPROVED)


def test_a_database_error_while_writing_rolls_back_everything(tmp_path, stored, monkeypatch):
    path = write_workbook(
        tmp_path / "a.xlsx",
        [project_row(), project_row(**{"项目编号": stored.code, "项目名称": "已有项目", "牵头单位": "临港经济区", "协议资金（亿元）": 9})],
        [arrival_row(stored.code, "4")],
    )
    before = database_state()

    bulk_create = QuerySet.bulk_create

    def fail(queryset, *args, **kwargs):
        if queryset.model is Arrival:  # the last write: the projects are written by then
            raise DatabaseError("disk full")
        return bulk_create(queryset, *args, **kwargs)

    monkeypatch.setattr(QuerySet, "bulk_create", fail)
    with pytest.raises(DatabaseError):
        run_import(path)

    assert database_state() == before


# --- What the reader accepts -------------------------------------------------------------------------


def test_headers_match_with_ascii_parentheses_and_spaces_in_any_order_and_extra_columns_are_ignored(tmp_path, units):
    keys = list(reversed(PROJECT_HEADERS))
    written = [" " + h.replace("（", "(").replace("）", ")") + "\u3000" for h in keys]
    written[keys.index("牵头单位")] = "牵 头 单 位"
    workbook = openpyxl.Workbook()
    workbook.active.title = "项目"
    fill(workbook.active, [*written, "联系人"], [{**project_row(**{"协议资金（亿元）": "3.5"}), "联系人": "张三"}], keys=[*keys, "联系人"])
    workbook.save(tmp_path / "a.xlsx")

    run_import(tmp_path / "a.xlsx")

    project = Project.objects.get()
    assert (project.agreement_capital, project.lead_unit) == (Decimal("3.5"), units["涪陵新城区"])


@pytest.mark.parametrize(
    "cell",
    [
        datetime.date(2021, 3, 15),
        datetime.datetime(2021, 3, 15, 9, 30),
        "2021-03-15",
        "2021/3/15",
        "2021.03.15",
        " 2021-03-15 ",
    ],
)
def test_a_date_may_be_an_excel_date_or_text(tmp_path, units, cell):
    run_import(write_workbook(tmp_path / "a.xlsx", [project_row(**{"签约日期": cell})]))

    assert Project.objects.get().signed_on == datetime.date(2021, 3, 15)


@pytest.mark.parametrize(
    ("cell", "amount"),
    [(0.1, "0.1"), ("0.1", "0.1"), (" 12.3456 ", "12.3456"), ("１２", "12"), (7, "7"), (0.0005, "0.0005"), (1e-4, "0.0001")],
)
def test_an_amount_may_be_a_number_or_numeric_text_and_keeps_its_exact_decimal_value(tmp_path, units, cell, amount):
    run_import(write_workbook(tmp_path / "a.xlsx", [project_row(**{"协议资金（亿元）": cell})]))

    assert Project.objects.get().agreement_capital == Decimal(amount)


def test_a_float_cell_is_read_to_excels_15_significant_digits_never_through_float_arithmetic():
    # Excel caches =0.1+0.2 as 0.30000000000000004 and shows 0.3; openpyxl cannot write such a cell.
    assert parse_money(0.1 + 0.2, None) == Decimal("0.3")
    assert parse_money(1234.5678, None) == Decimal("1234.5678")


@pytest.mark.parametrize("cell", ["区商务委、区经济信息委", "区商务委，区经济信息委", "区商务委,区经济信息委", "区商务委;区经济信息委", "区商务委；区经济信息委", "区商务委\n区经济信息委"])
def test_cooperating_units_may_be_separated_by_any_usual_mark(tmp_path, units, cell):
    run_import(write_workbook(tmp_path / "a.xlsx", [project_row(**{"配合单位": cell})]))

    assert set(Project.objects.get().cooperating_units.values_list("name", flat=True)) == {"区商务委", "区经济信息委"}


def test_blank_rows_are_skipped_and_problems_keep_the_excel_row_number(tmp_path, units):
    path = write_workbook(tmp_path / "a.xlsx", [project_row(), None, None, project_row(**{"项目名称": "乙", "牵头单位": "无此单位"})])

    assert_rejected(path, "项目 第5行「牵头单位」：找不到单位“无此单位”。")


# --- Bad input: every problem named, nothing written ---------------------------------------------------


def test_an_unknown_lead_unit_is_refused(bad_file):
    assert_rejected(bad_file(**{"牵头单位": "涪陵新城"}), "项目 第3行「牵头单位」：找不到单位“涪陵新城”。是否应为“涪陵新城区”？")


def test_an_unknown_cooperating_unit_is_refused(bad_file):
    assert_rejected(bad_file(**{"配合单位": "区商务委、区外办"}), "项目 第3行「配合单位」：找不到单位“区外办”。")


def test_an_unknown_group_is_refused(bad_file):
    assert_rejected(bad_file(**{"专项招商组": "不存在的招商组"}), "项目 第3行「专项招商组」：找不到专项招商组“不存在的招商组”。")


def test_a_negative_amount_is_refused(bad_file):
    assert_rejected(bad_file(**{"协议资金（亿元）": -2}), "项目 第3行「协议资金（亿元）」：金额不能为负数（现为 -2）。")


def test_a_non_numeric_amount_is_refused(bad_file):
    assert_rejected(bad_file(**{"预计产值（亿元）": "约30亿"}), "项目 第3行「预计产值（亿元）」：“约30亿”不是数字。")


@pytest.mark.parametrize("cell", ["nan", "NaN", "inf", "-Infinity"])
def test_nan_and_infinity_are_refused(bad_file, cell):
    assert_rejected(bad_file(**{"协议资金（亿元）": cell}), f"项目 第3行「协议资金（亿元）」：“{cell}”不是有效的数字。")


@pytest.mark.parametrize("cell", ["1.23456", 0.00001])
def test_more_than_four_decimals_is_refused_because_amounts_are_to_the_ten_thousand_yuan(bad_file, cell):
    errors = assert_rejected(bad_file(**{"协议资金（亿元）": cell}), "项目 第3行「协议资金（亿元）」：")
    assert "精确到万元" in errors


def test_an_absurd_amount_is_refused_as_a_likely_unit_mistake(bad_file):
    errors = assert_rejected(bad_file(**{"协议资金（亿元）": 250000000}), "项目 第3行「协议资金（亿元）」：金额 250000000 亿元超过 10000 亿元")
    assert "请确认单位是亿元" in errors


@pytest.mark.parametrize(
    ("cell", "message"),
    [
        ("2021-02-30", "“2021-02-30”不是有效的日期。"),
        ("明年三月", "“明年三月”不是日期，请填写如 2021-03-15 的日期。"),
        (44270, "“44270”不是日期"),
        ("2021-03/15", "“2021-03/15”不是日期"),
    ],
)
def test_a_bad_date_is_refused(bad_file, cell, message):
    assert_rejected(bad_file(**{"签约日期": cell}), f"项目 第3行「签约日期」：{message}")


@pytest.mark.parametrize("header", ["项目名称", "牵头单位", "产业类型", "项目来源", "协议资金（亿元）"])
def test_a_missing_required_cell_is_refused(bad_file, header):
    assert_rejected(bad_file(**{header: "  "}), f"项目 第3行「{header}」：必填，不能为空。")


@pytest.mark.parametrize(("header", "field"), [("投资方", "investor"), ("签约日期", "signed_on")])
def test_a_fact_needed_to_submit_is_refused_in_the_words_of_the_form(bad_file, header, field):
    """An imported project is submitted (or approved): it needs what the form's 保存并提交 needs."""
    message = Project.REQUIRED_TO_SUBMIT[field]
    errors = assert_rejected(bad_file(**{header: None}), f"项目 第3行「{header}」：{message}")
    assert "必填，不能为空" not in errors


def test_an_unreadable_signing_date_is_told_once(bad_file):
    errors = assert_rejected(bad_file(**{"签约日期": "明年"}), "项目 第3行「签约日期」：“明年”不是日期")
    assert Project.REQUIRED_TO_SUBMIT["signed_on"] not in errors


def test_a_missing_required_column_is_refused_naming_it(tmp_path, units, stored):
    workbook = openpyxl.Workbook()
    workbook.active.title = "项目"
    fill(workbook.active, [h for h in PROJECT_HEADERS if h != "签约日期"], [project_row()])
    fill(workbook.create_sheet("到位资金"), ["项目编号", "到位日期"], [arrival_row(stored.code)])
    workbook.save(tmp_path / "a.xlsx")

    assert_rejected(tmp_path / "a.xlsx", "项目 第1行「签约日期」：缺少这一必填列。", "到位资金 第1行「到位金额（亿元）」：缺少这一必填列。")


def test_a_workbook_without_the_project_sheet_is_refused(tmp_path, units):
    workbook = openpyxl.Workbook()
    workbook.active.title = "Sheet1"
    workbook.save(tmp_path / "a.xlsx")

    assert_rejected(tmp_path / "a.xlsx", "工作簿中没有名为“项目”的工作表。")


def test_the_lead_unit_listed_as_cooperating_is_refused(bad_file):
    assert_rejected(bad_file(**{"配合单位": "区商务委、涪陵新城区"}), "项目 第3行「配合单位」：牵头单位不能同时是配合单位。")


def test_a_unit_listed_twice_as_cooperating_is_refused(bad_file):
    assert_rejected(bad_file(**{"配合单位": "区商务委、区商务委"}), "项目 第3行「配合单位」：单位“区商务委”重复填写。")


def test_a_code_repeated_in_the_file_is_refused(bad_file, stored):
    assert_rejected(bad_file(**{"项目编号": stored.code}), f"项目 第3行「项目编号」：项目编号“{stored.code}”与第2行重复。")


def test_two_rows_without_a_code_for_the_same_project_are_refused(tmp_path, units):
    path = write_workbook(tmp_path / "a.xlsx", [project_row(), project_row(**{"协议资金（亿元）": 3})])

    assert_rejected(path, "项目 第3行「项目名称」：与第2行的牵头单位、项目名称、签约日期都相同")


def test_a_mistyped_code_of_a_stored_project_is_refused_rather_than_copying_it(bad_file):
    errors = assert_rejected(
        bad_file(**{"项目编号": "FL2021-0007", "项目名称": "已有项目", "牵头单位": "临港经济区"}),
        "项目 第3行「项目编号」：系统中没有项目编号“FL2021-0007”，但已有项目“FL2021-00007”",
    )
    assert "与第2行更新的是同一个已有项目" not in errors


def test_an_arrival_for_an_unknown_project_code_is_refused(bad_file):
    errors = assert_rejected(bad_file(arrivals=[arrival_row("FL2021-09999")]), "到位资金 第3行「项目编号」：找不到项目编号“FL2021-09999”")
    assert "第2行" not in errors


@pytest.mark.parametrize("amount", [0, "-1", "0.0000"])
def test_an_arrival_of_zero_or_less_is_refused(bad_file, stored, amount):
    assert_rejected(bad_file(arrivals=[arrival_row(stored.code, amount)]), "到位资金 第3行「到位金额（亿元）」：金额必须大于0")


@pytest.mark.parametrize(
    ("header", "cell", "allowed"),
    [("产业类型", "工厂", "工业、非工业"), ("项目来源", "境外", "市外、区外市内、区内")],
)
def test_a_value_outside_a_choice_is_refused_listing_the_allowed_ones(bad_file, header, cell, allowed):
    assert_rejected(bad_file(**{header: cell}), f"项目 第3行「{header}」：“{cell}”不是可选的值，请填写：{allowed}。")


def test_the_models_own_rules_are_reported_in_the_same_form(bad_file):
    assert_rejected(bad_file(**{"项目名称": "长" * 201}), "项目 第3行「项目名称」：")


def test_a_file_with_several_problems_reports_all_of_them(bad_file, stored):
    errors = assert_rejected(
        bad_file(
            arrivals=[arrival_row("FL2021-09999"), arrival_row(stored.code, "-3", "昨天")],
            **{"牵头单位": "涪陵新城", "产业类型": "工厂", "协议资金（亿元）": "abc", "签约日期": None},
        ),
        "项目 第3行「牵头单位」：找不到单位“涪陵新城”。",
        "项目 第3行「产业类型」：“工厂”不是可选的值",
        "项目 第3行「协议资金（亿元）」：“abc”不是数字。",
        "项目 第3行「签约日期」：签约日期必填：项目签约后才能提交审核，请填写签约日期。",
        "到位资金 第3行「项目编号」：找不到项目编号“FL2021-09999”",
        "到位资金 第4行「到位日期」：“昨天”不是日期",
        "到位资金 第4行「到位金额（亿元）」：金额必须大于0",
    )
    assert len(errors.strip().splitlines()) == 7


def test_a_zero_agreement_capital_is_refused_in_the_words_of_the_form(bad_file):
    assert_rejected(bad_file(**{"协议资金（亿元）": 0}), f"项目 第3行「协议资金（亿元）」：{ZERO_AGREEMENT_CAPITAL}")


def test_an_arrival_before_its_projects_signing_date_in_the_file_is_refused(bad_file, stored):
    new = {"项目编号": "FL2021-00020", "签约日期": "2021-05-10"}
    errors = assert_rejected(
        bad_file(arrivals=[arrival_row("FL2021-00020", "1", "2021-05-09")], **new),
        "到位资金 第3行「到位日期」：到位日期 2021-05-09 早于项目的签约日期 2021-05-10：资金在签约之后才能到位，请检查日期。",
    )
    assert "第2行" not in errors  # the stored project's arrival of 2021-06-30 is after its date


def test_an_arrival_before_a_stored_projects_signing_date_is_refused(tmp_path, stored):
    path = write_workbook(tmp_path / "a.xlsx", [], [arrival_row(stored.code, "1", "2021-03-01")])

    assert_rejected(path, "到位资金 第2行「到位日期」：到位日期 2021-03-01 早于项目的签约日期 2021-03-15")


def test_a_signing_date_moved_after_the_stored_arrivals_is_refused(tmp_path, stored):
    row = project_row(**{"项目编号": stored.code, "项目名称": "已有项目", "牵头单位": "临港经济区", "签约日期": "2021-07-01"})

    assert_rejected(
        write_workbook(tmp_path / "a.xlsx", [row]),
        "项目 第2行「签约日期」：签约日期不能晚于已登记的到位资金（最早一笔到位于 2021-06-30）",
    )


def test_the_command_says_how_many_errors_and_that_nothing_was_written(bad_file):
    errors = io.StringIO()
    with pytest.raises(CommandError) as failed:
        call_command("import_projects", str(bad_file(**{"牵头单位": "无此单位", "产业类型": "工厂"})), stderr=errors)
    assert str(failed.value) == "导入失败：发现 2 处错误，未写入任何数据。"
    assert len(errors.getvalue().strip().splitlines()) == 2


# --- Amounts worth a second look: warnings, not errors ------------------------------------------------


def test_amounts_above_the_units_target_or_100_yi_are_warned_about_and_imported(tmp_path, units, stored):
    UnitTargetFactory(unit=units["涪陵新城区"], year=2021, agreement_capital=Decimal(110), arrived_capital=Decimal(60))
    path = write_workbook(
        tmp_path / "a.xlsx",
        [
            project_row(**{"项目编号": "FL2021-00030", "协议资金（亿元）": 150}),
            project_row(**{"项目名称": "大项目", "牵头单位": "白涛园区", "协议资金（亿元）": "100.5"}),
            project_row(**{"项目名称": "正常项目", "协议资金（亿元）": 100}),
        ],
        [arrival_row("FL2021-00030", "61", "2021-08-01"), arrival_row(stored.code, "2")],
    )

    plan = parse_workbook(path)
    output = run_import(path)

    assert plan.ok and [str(warning) for warning in plan.warnings] == [
        f"项目 第2行「协议资金（亿元）」：协议资金 150.00 亿元超过牵头单位2021年全年协议资金目标 110.00 亿元。{IMPORT_AMOUNT_NOTE}",
        f"项目 第3行「协议资金（亿元）」：协议资金 100.50 亿元超过 100 亿元。{IMPORT_AMOUNT_NOTE}",
        f"到位资金 第2行「到位金额（亿元）」：到位资金 61.00 亿元超过牵头单位2021年全年到位资金目标 60.00 亿元。{IMPORT_AMOUNT_NOTE}",
    ]
    assert output.count("提醒：") == 3 and "新建项目 3 个" in output
    big = Project.objects.get(code="FL2021-00030")
    assert big.status == Status.SUBMITTED and not big.amount_confirmed  # the reviewer sees it unchecked


# --- Files refused before they are read --------------------------------------------------------------


WORKBOOK_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"


def xlsx_like_zip(path, members, compresslevel=9):
    """A zip that claims to be a workbook, with `members` (name → bytes or a size of zeros)."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=compresslevel) as archive:
        archive.writestr("[Content_Types].xml", f'<Types><Override ContentType="{WORKBOOK_CONTENT_TYPE}"/></Types>')
        archive.writestr("xl/workbook.xml", "<workbook/>")
        for name, content in members.items():
            if isinstance(content, int):
                with archive.open(name, "w") as member:
                    for _ in range(content // 2**20):
                        member.write(bytes(2**20))
            else:
                archive.writestr(name, content)
    return path


@pytest.fixture
def openpyxl_must_not_load(monkeypatch):
    def refuse(*args, **kwargs):
        raise AssertionError("openpyxl was given a file that should have been refused")

    monkeypatch.setattr(openpyxl, "load_workbook", refuse)


def test_openpyxl_parses_xml_with_defusedxml():
    assert openpyxl.xml.DEFUSEDXML is True


def test_a_file_over_the_size_limit_is_refused_before_it_is_opened(tmp_path, units, settings, openpyxl_must_not_load):
    path = write_workbook(tmp_path / "a.xlsx", [project_row()])
    settings.IMPORT_MAX_BYTES = path.stat().st_size - 1

    assert_rejected(path, "文件超过")
    plan = parse_workbook(SimpleUploadedFile("a.xlsx", path.read_bytes()))
    assert "文件超过" in str(plan.problems[0])


def test_a_zip_bomb_is_refused_quickly_without_openpyxl_loading_it(tmp_path, db, openpyxl_must_not_load):
    path = xlsx_like_zip(tmp_path / "bomb.xlsx", {"xl/worksheets/sheet1.xml": 60 * 2**20})
    assert path.stat().st_size < 200 * 1024

    started = time.perf_counter()
    assert_rejected(path, "疑似压缩炸弹，已拒绝。")
    assert time.perf_counter() - started < 2


def test_a_workbook_unpacking_beyond_the_limit_is_refused(tmp_path, units, settings, openpyxl_must_not_load):
    path = write_workbook(tmp_path / "a.xlsx", [project_row()])
    settings.IMPORT_MAX_UNPACKED_BYTES = 10_000

    assert_rejected(path, "文件解压后有", "超过 10 KB 的上限")


def test_a_part_compressed_more_than_a_hundredfold_is_refused(tmp_path, db, openpyxl_must_not_load):
    path = xlsx_like_zip(tmp_path / "dense.xlsx", {"xl/worksheets/sheet1.xml": 4 * 2**20})

    assert_rejected(path, "压缩比超过 100 倍，疑似压缩炸弹，已拒绝。")


def test_a_zip_with_too_many_parts_is_refused(tmp_path, db, openpyxl_must_not_load):
    path = xlsx_like_zip(tmp_path / "many.xlsx", {f"xl/media/{n}.xml": b"" for n in range(1000)})

    assert_rejected(path, "超过 1000 个的上限")


@pytest.mark.parametrize(
    "content",
    [b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1 an old .xls", "项目编号,项目名称\n".encode(), b""],
    ids=["xls", "csv", "empty"],
)
def test_a_file_that_is_not_an_xlsx_is_refused(tmp_path, db, openpyxl_must_not_load, content):
    path = tmp_path / "not.xlsx"
    path.write_bytes(content)

    assert_rejected(path, "文件不是 Excel 工作簿（.xlsx）")


def test_a_zip_that_is_not_a_workbook_is_refused(tmp_path, db, openpyxl_must_not_load):
    with zipfile.ZipFile(tmp_path / "doc.xlsx", "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types>wordprocessingml</Types>")

    assert_rejected(tmp_path / "doc.xlsx", "文件不是 Excel 工作簿（.xlsx）")


def test_a_missing_file_is_refused_with_a_message(tmp_path, db):
    assert_rejected(tmp_path / "none.xlsx", "无法打开文件")


def test_rows_beyond_the_limit_are_refused(tmp_path, units, settings):
    settings.IMPORT_MAX_ROWS = 2
    rows = [project_row(**{"项目名称": name}) for name in "甲乙丙"]

    assert_rejected(write_workbook(tmp_path / "a.xlsx", rows), "项目 第4行：数据超过 2 行的上限")


# --- The template ----------------------------------------------------------------------------------------


@pytest.fixture
def template(tmp_path, units, group):
    path = tmp_path / "模板.xlsx"
    out = io.StringIO()
    call_command("import_template", str(path), stdout=out)
    assert "已生成导入模板" in out.getvalue()
    return path


def test_unit_and_group_names_a_spreadsheet_could_run_are_quoted_text_in_the_template(tmp_path, units):
    for text, _ in FORMULA_LIKE:
        UnitFactory(name=text)
        SpecialGroupFactory(name=text)
    path = tmp_path / "模板.xlsx"
    call_command("import_template", str(path), stdout=io.StringIO())

    options = openpyxl.load_workbook(path)["可选值"]
    written = {text for _, text in FORMULA_LIKE}
    cells = [cell for column in options.iter_cols(min_row=2) for cell in column if cell.value in written]
    assert {cell.value for cell in cells} == written
    assert all((cell.data_type, cell.quotePrefix) == ("s", True) for cell in cells)


def test_the_blank_template_imports_cleanly_with_no_rows(template):
    assert "新建项目 0 个，更新 0 个，未变化 0 个；新增到位资金 0 条" in run_import(template)


def test_the_template_filled_with_one_row_imports(template):
    workbook = openpyxl.load_workbook(template)
    projects, arrivals = workbook["项目"], workbook["到位资金"]
    headers = [cell.value for cell in projects[1]]
    projects.append([project_row(**{"项目编号": "FL2021-00003", "配合单位": "区商务委"}).get(h) for h in headers])
    arrival = arrival_row("FL2021-00003", 2.5, datetime.date(2021, 7, 1))
    arrivals.append([arrival.get(cell.value) for cell in arrivals[1]])
    workbook.save(template)

    run_import(template)

    project = Project.objects.get(code="FL2021-00003")
    assert project.agreement_capital == Decimal("25")
    assert project.arrivals.get().amount == Decimal("2.5")


def test_the_template_has_both_sheets_a_help_sheet_for_every_column_and_dropdowns(template):
    workbook = openpyxl.load_workbook(template)

    assert workbook.sheetnames[:4] == ["项目", "到位资金", "补充协议", "说明"]
    assert [cell.value for cell in workbook["项目"][1]] == PROJECT_HEADERS
    assert [cell.value for cell in workbook["到位资金"][1]] == ARRIVAL_HEADERS
    explained = {(row[0], row[1]) for row in workbook["说明"].iter_rows(values_only=True)}
    assert {("项目", h) for h in PROJECT_HEADERS} | {("到位资金", h) for h in ARRIVAL_HEADERS} <= explained
    dropdowns = {
        PROJECT_HEADERS[openpyxl.utils.column_index_from_string(str(v.sqref)[0]) - 1]: v
        for v in workbook["项目"].data_validations.dataValidation
    }
    assert set(dropdowns) == {"牵头单位", "配合单位", "专项招商组", "产业类型", "项目来源"}
    options = workbook["可选值"]
    listed = {cell.value for column in options.iter_cols(min_row=2) for cell in column if cell.value}
    assert {"涪陵新城区", "区商务委", GROUP, "工业", "非工业", "市外", "区外市内", "区内"} <= listed
    assert workbook["项目"].column_dimensions["K"].number_format == "yyyy-mm-dd"


def test_a_cells_control_characters_are_not_kept_but_its_line_breaks_are():
    # A workbook can carry them escaped (_x0001_); pasted text brings them along.
    assert parse_text("\x01=HYPERLINK(\"x\")\x7f ", None) == '=HYPERLINK("x")'
    assert parse_text("区商务委\n区经济信息委", None) == "区商务委\n区经济信息委"
