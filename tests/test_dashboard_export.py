"""The dashboard's tables as Excel (reports.dashboard_export): the bulletin's layout, the dashboard's figures."""

import io
import re
from datetime import date
from decimal import Decimal

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from targets.models import Organisation
from access.roles import Role
from targets.models import Unit
from tests.factories import ArrivalFactory, ProjectFactory, client_for, user_with_role

D = Decimal
QUERY = "?year=2021&quarter=2"


@pytest.fixture
def projects(fuling_2021):
    def unit(name):
        return Unit.objects.get(name=name)

    first = ProjectFactory(lead_unit=unit("涪陵新城区"), agreement_capital=D("80"), signed_on=date(2021, 3, 15))
    ArrivalFactory(project=first, amount=D("3.3612"), arrived_on=date(2021, 4, 15))
    ProjectFactory(lead_unit=unit("临港经济区"), cooperating=[unit("区商务委")], agreement_capital=D("12.5"),
                   signed_on=date(2021, 5, 10))
    ProjectFactory(lead_unit=unit("区财政局"), agreement_capital=D("0.3"), signed_on=date(2021, 6, 30))


@pytest.fixture
def staff(fuling_2021):
    return client_for(user_with_role(Role.STAFF, username="staff", unit=Unit.objects.get(name="白涛园区")))


def download(client, query=QUERY):
    response = client.get(reverse("dashboard_export") + query)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    return response


def workbook(response):
    return load_workbook(io.BytesIO(response.content))


def same(cell, expected: Decimal) -> bool:
    """The cell holds `expected` as a number, to the precision a spreadsheet number has."""
    assert cell.data_type == "n", (cell.coordinate, cell.value)
    return abs(Decimal(str(cell.value)) - expected) <= abs(expected) * Decimal("1e-15")


def merged(sheet) -> set[str]:
    return {str(cell_range) for cell_range in sheet.merged_cells.ranges}


def test_the_dashboard_has_a_button_for_the_period_it_shows(projects, staff):
    html = staff.get(reverse("dashboard") + QUERY).content.decode()

    assert f'href="{reverse("dashboard_export")}?year=2021&amp;quarter=2"' in html


def test_unit_staff_download_the_whole_ranking_as_they_see_it_on_the_dashboard(projects, staff):
    response = download(staff)

    assert "attachment" in response["Content-Disposition"]
    assert workbook(response).sheetnames == ["全区汇总", "园区", "区级部门"]


def test_the_workbook_names_the_period_and_the_system(projects, staff):
    book = workbook(download(staff))

    assert book.properties.title == "2021年第2季度招商引资目标完成情况"
    assert book.properties.creator == Organisation.current().system_title
    assert "截至2021年6月30日，序时进度50.00%" in book["园区"]["A2"].value


def test_each_ranking_has_the_bulletins_two_row_header(projects, staff):
    parks = workbook(download(staff))["园区"]

    assert {"A3:A4", "B3:B4", "C3:E3"} <= merged(parks)
    assert [parks.cell(3, c).value for c in (1, 2, 3)] == ["排名", "责任单位", "重大项目（个）"]
    assert [parks.cell(4, c).value for c in (3, 4, 5)] == ["完成", "目标", "完成率"]
    assert [parks.cell(3, c).value for c in range(parks.max_column - 2, parks.max_column + 1)] == [
        "综合完成率", "序时进度", "得分"
    ]


def test_the_figures_are_the_dashboards_exact_numbers(projects, staff):
    board = staff.get(reverse("dashboard") + QUERY).context["board"]
    book = workbook(download(staff))

    for ranking in board.rankings:
        sheet = book[ranking.label]
        assert [sheet.cell(5 + i, 2).value for i in range(len(ranking.rows))] == [row.unit.name for row in ranking.rows]
        for i, row in enumerate(ranking.rows):
            cells = [sheet.cell(5 + i, c) for c in range(1, sheet.max_column + 1)]
            assert cells[0].value == row.result.rank
            for k, figure in enumerate(row.figures):
                actual, target, rate = cells[2 + 3 * k : 5 + 3 * k]
                assert same(actual, figure.actual)
                assert target.value == "–" if figure.target is None else same(target, figure.target)
                if not figure.is_count:
                    assert actual.number_format == "0.00"
                if figure.rate is not None:
                    assert same(rate, figure.rate) and rate.number_format == "0.00%"
            score = cells[-1]
            assert same(score, row.result.score) and score.number_format == "0.00"


def test_the_money_is_kept_exact_behind_its_two_decimal_format(projects, staff):
    parks = workbook(download(staff))["园区"]
    xincheng = next(r for r in range(5, parks.max_row + 1) if parks.cell(r, 2).value == "涪陵新城区")
    columns = {parks.cell(3, c).value: c for c in range(1, parks.max_column + 1) if parks.cell(3, c).value}
    arrived = parks.cell(xincheng, columns["到位资金（亿元）"])

    assert (arrived.value, arrived.number_format) == (3.3612, "0.00")


def test_the_district_totals_sheet_matches_the_dashboards_totals(projects, staff):
    board = staff.get(reverse("dashboard") + QUERY).context["board"]
    sheet = workbook(download(staff))["全区汇总"]

    assert {"A3:A4", "C3:E3", "F3:H3", "I3:K3"} <= merged(sheet)
    for r, row in enumerate(board.totals, start=5):
        assert sheet.cell(r, 1).value == row.indicator.label
        assert [sheet.cell(r, c).value for c in (3, 6, 9)] == [float(f.actual) for f in row.figures]


def test_another_period_asked_for_gives_its_own_figures(projects, staff):
    q1 = workbook(download(staff, "?year=2021&quarter=1"))

    assert q1.properties.title == "2021年第1季度招商引资目标完成情况"
    parks = q1["园区"]
    linggang = next(r for r in range(5, parks.max_row + 1) if parks.cell(r, 2).value == "临港经济区")
    assert parks.cell(linggang, 3).value == 0  # its project was signed in May


def test_the_file_is_named_after_the_period(projects, staff):
    disposition = download(staff)["Content-Disposition"]

    assert re.search(r"filename\*=utf-8''.*\.xlsx", disposition)
    assert "2021" in disposition


# session, user, rule-set years (period_from_request), assess (7), the organisation (the file's
# name and creator)
EXPORT_QUERIES = 11


@pytest.mark.parametrize("extra", [0, 20])
def test_the_export_reads_a_constant_number_of_queries(projects, staff, django_assert_num_queries, extra):
    for n in range(extra):
        ProjectFactory(lead_unit=Unit.objects.get(name="白涛园区"), agreement_capital=D(n + 1), signed_on=date(2021, 4, 1))
    with django_assert_num_queries(EXPORT_QUERIES):
        download(staff)
