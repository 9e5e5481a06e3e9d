"""Numbers the same everywhere: money to 2 decimals of 亿元 on every page and document, inputs as entered.

One project of 25亿 (预计产值 5.0001亿) led by 涪陵新城区 alone, with 3.3612亿 arrived and verified:
every page shows 25.00, 5.00 and 3.36; the edit form shows 25 and 5.0001 as entered; the
workbooks hold the exact numbers in a 0.00 format.
"""

import io
import re
from datetime import date
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.urls import reverse
from openpyxl import load_workbook

from access.roles import Role
from groups.models import SpecialGroup
from lib import display
from projects.models import Status
from reports import services
from reports.models import Bulletin
from targets.models import Unit
from tests.factories import ArrivalFactory, ProjectFactory, client_for, user_with_role

D = Decimal
Q2 = "?year=2021&quarter=2"


@pytest.fixture
def world(fuling_2021):
    group = SpecialGroup.objects.order_by("number").first()
    project = ProjectFactory(
        lead_unit=Unit.objects.get(name="涪陵新城区"),
        name="数字展示项目",
        agreement_capital=D("25"),
        expected_output=D("5.0001"),
        signed_on=date(2021, 3, 15),
        group=group,
    )
    ArrivalFactory(project=project, amount=D("3.3612"), arrived_on=date(2021, 4, 15), verified=True)
    return {"project": project, "group": group, "reviewer": client_for(user_with_role(Role.REVIEWER, username="reviewer"))}


def page(client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200
    return re.sub(r"\s+", " ", response.content.decode())


def row_of(html: str, text: str) -> str:
    """The table row holding `text`."""
    start = html.rindex("<tr", 0, html.index(text))
    return html[start : html.index("</tr>", start)]


def numbers(html: str) -> list[str]:
    return re.findall(r'<td class="num[^"]*">\s*([^<]*?)\s*</td>', html)


def test_the_project_list_shows_two_decimals(world):
    cells = numbers(row_of(page(world["reviewer"], reverse("project_list")), "数字展示项目"))

    assert cells[:2] == ["25.00", "5.00"]


def test_the_project_detail_shows_two_decimals_for_the_facts_and_the_ledger(world):
    html = page(world["reviewer"], reverse("project_detail", args=[world["project"].pk]))

    assert "<dt>协议资金</dt><dd>25.00 亿元" in html  # a note on the amount check may follow
    assert "<dt>预计产值</dt><dd>5.00 亿元</dd>" in html
    assert "已核实 3.36 亿元" in html
    assert numbers(row_of(html, "2021-04-15"))[0] == "3.36"


def test_the_edit_form_keeps_the_amounts_as_entered(world):
    html = page(world["reviewer"], reverse("project_edit", args=[world["project"].pk]))

    assert re.search(r'name="agreement_capital"[^>]*value="25"', html) or re.search(r'value="25"[^>]*name="agreement_capital"', html)
    assert re.search(r'name="expected_output"[^>]*value="5.0001"', html) or re.search(r'value="5.0001"[^>]*name="expected_output"', html)


def test_the_review_queue_shows_two_decimals(world):
    ProjectFactory(name="待审项目", agreement_capital=D("12.5"), status=Status.SUBMITTED, lead_unit=world["project"].lead_unit)

    assert "12.50" in numbers(row_of(page(world["reviewer"], reverse("review_queue")), "待审项目"))


def test_the_dashboard_shows_two_decimals(world):
    cells = numbers(row_of(page(world["reviewer"], reverse("dashboard") + Q2), ">涪陵新城区</a>"))

    assert "25.00" in cells and "3.36" in cells


def test_the_unit_page_shows_two_decimals(world):
    unit = world["project"].lead_unit
    html = page(world["reviewer"], reverse("unit_detail", args=[unit.pk]) + Q2)

    assert numbers(row_of(html, 'lines-agreement_capital">协议资金</a>'))[:2] == ["160.00", "25.00"]
    assert numbers(row_of(html, 'lines-arrived_capital">到位资金</a>'))[:2] == ["60.00", "3.36"]
    assert "25.00 × 100% × 100% = 25.00" in html


def test_the_groups_pages_show_two_decimals(world):
    group = world["group"]
    listing = page(world["reviewer"], reverse("group_list") + Q2)
    detail = page(world["reviewer"], reverse("group_detail", args=[group.pk]) + Q2)

    assert numbers(row_of(listing, group.name))[-2:] == ["25.00", "3.36"]
    assert "25.00 亿元" in detail and "3.36 亿元" in detail
    assert numbers(row_of(detail, "数字展示项目"))[-2:] == ["25.00", "3.36"]


def test_the_bulletin_view_shows_two_decimals(world):
    bulletin = services.generate_bulletin(year=2021, quarter=2, today=date(2021, 7, 5)).bulletin
    html = page(world["reviewer"], reverse("bulletin_detail", args=[bulletin.pk]))

    cells = numbers(row_of(html, "<td class=\"unit-name\">涪陵新城区"))
    assert "25.00" in cells and "3.36" in cells
    assert numbers(row_of(html, world["group"].name))[-2:] == ["25.00", "3.36"]
    assert Bulletin.objects.count() == 1


def test_the_ranking_command_shows_two_decimals(world, capsys):
    call_command("ranking", year=2021, quarter=2)
    line = next(line for line in capsys.readouterr().out.splitlines() if "涪陵新城区" in line)

    assert "25.00/160.00" in line and "3.36/60.00" in line


def test_the_project_export_keeps_exact_numbers_in_a_two_decimal_format(world):
    response = world["reviewer"].get(reverse("project_export"))
    sheet = load_workbook(io.BytesIO(response.content)).active
    headers = [cell.value for cell in sheet[1]]
    row = next(r for r in sheet.iter_rows(min_row=2) if r[headers.index("项目名称")].value == "数字展示项目")
    capital, output = row[headers.index("协议资金（亿元）")], row[headers.index("预计产值（亿元）")]

    assert (capital.value, capital.number_format) == (25, "0.00")
    assert (output.value, output.number_format) == (5.0001, "0.00")
