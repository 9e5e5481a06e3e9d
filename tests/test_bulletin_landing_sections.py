"""The bulletin's 项目落地, 集中签约活动, 重点任务 and 专项招商组季度报告 sections: computed once in the
snapshot from the landing and supervision figures, then printed by the PDF, the workbook and the
web view of the same bulletin.

The world: 2021 Q3 (as of 30 September), the bulletin generated on 8 October (after the reports'
due date, 5 October). 白涛园区 leads three counted projects signed in the year: one past its
180-day start deadline by one day, one whose deadline is the quarter's last day (not past it,
domain.md §9), one started and producing by the quarter's end.
"""

import datetime
import io
import json
import shutil
import subprocess
import tempfile
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest
from django.core.management import call_command
from django.urls import reverse

from access.roles import Role
from figures.supervision import GroupFigures, ProjectFigures
from groups.models import SpecialGroup
from landing.models import MilestoneKind
from leads.models import ActivityKind, LeadStage
from lib import display
from projects.models import Status
from reports import services
from reports.models import Bulletin
from reports.pdf import render_pdf
from reports.snapshot import from_json, take_snapshot, to_json
from reports.workbook import bulletin_workbook
from supervision.models import GroupReport, KeyTask
from targets.models import Unit
from targets.scoring import Period
from tests.factories import (
    ArrivalFactory,
    KeyTaskFactory,
    MilestoneFactory,
    ProjectFactory,
    SigningEventFactory,
    SigningEventProjectFactory,
    TaskReportFactory,
    client_for,
    user_with_role,
)

D = Decimal
Q3 = Period(2021, 3)
ISSUED = datetime.date(2021, 10, 8)
SHANGHAI = datetime.timezone(datetime.timedelta(hours=8))
THIRD = D(1) / D(3)
LONG_TEXT = "<b>本季度</b>新材料组走访企业" + "，推进项目落地" * 40


def unit(name):
    return Unit.objects.get(name=name)


def moment(*args):
    return datetime.datetime(*args, tzinfo=SHANGHAI)


@pytest.fixture
def world(fuling_2021):
    baitao, commerce = unit("白涛园区"), unit("区商务委")
    overdue = ProjectFactory(lead_unit=baitao, name="<i>逾期</i>项目", signed_on=datetime.date(2021, 4, 2))
    MilestoneFactory(project=overdue, actual_on=datetime.date(2021, 9, 1), verified=False)  # not verified: not started
    boundary = ProjectFactory(lead_unit=baitao, name="临界项目", signed_on=datetime.date(2021, 4, 3))
    MilestoneFactory(project=boundary, actual_on=datetime.date(2021, 10, 1))  # after the quarter's end
    started = ProjectFactory(lead_unit=baitao, name="开工项目", signed_on=datetime.date(2021, 5, 1))
    MilestoneFactory(project=started, actual_on=datetime.date(2021, 8, 1))
    MilestoneFactory(project=started, kind=MilestoneKind.PRODUCING, actual_on=datetime.date(2021, 9, 30))
    ProjectFactory(lead_unit=baitao, signed_on=datetime.date(2021, 2, 1), status=Status.SUBMITTED)  # counts nowhere

    event = SigningEventFactory(name="<script>首届</script>集中签约会", date=datetime.date(2021, 8, 18), organiser=commerce)
    first = SigningEventProjectFactory(event=event, project__lead_unit=commerce, project__agreement_capital=D("5.5")).project
    second = SigningEventProjectFactory(event=event, project__lead_unit=commerce, project__agreement_capital=D("3")).project
    MilestoneFactory(project=second, actual_on=datetime.date(2021, 9, 10))
    ArrivalFactory(project=first, amount=D("2.25"), arrived_on=datetime.date(2021, 9, 20))
    ArrivalFactory(project=first, amount=D("1"), arrived_on=datetime.date(2021, 10, 2))  # after the quarter's end
    ArrivalFactory(project=second, amount=D("4"), arrived_on=datetime.date(2021, 9, 21), verified=False)
    SigningEventFactory(name="四季度签约会", date=datetime.date(2021, 11, 1), organiser=commerce)
    SigningEventFactory(name="上年签约会", date=datetime.date(2020, 12, 1), organiser=commerce)

    task = KeyTaskFactory(title="<em>招商</em>理念提升", units=[baitao, commerce, unit("区经济信息委")])
    TaskReportFactory(task=task, unit=baitao, quarter=3, submitted_at=moment(2021, 10, 3, 9))
    TaskReportFactory(
        task=task, unit=commerce, quarter=3, state="returned", return_comment="请补充数据", submitted_at=moment(2021, 10, 4, 9)
    )

    submitter = user_with_role(Role.STAFF, unit("区经济信息委"), username="jingxin", first_name="王新材")
    materials, digital = SpecialGroup.objects.get(number=5), SpecialGroup.objects.get(number=1)
    figures = GroupFigures(
        as_of=datetime.date(2021, 10, 3),
        quarter_projects=ProjectFigures(2, D("7.5")),
        year_projects=ProjectFigures(3, D("9.25")),
        arrived_capital=D("1.25"),
        leads={LeadStage.CLUE.value: 2, LeadStage.NEGOTIATING.value: 1},
        activities={ActivityKind.VISIT_OUT.value: 4},
    )
    GroupReport.objects.create(
        group=materials, year=2021, quarter=3, text=LONG_TEXT, figures=figures.as_json(), submitted_by=submitter,
        submitted_at=moment(2021, 10, 3, 10),
    )  # fmt: skip
    GroupReport.objects.create(
        group=digital, year=2021, quarter=3, text="按期推进", figures=figures.as_json(), submitted_at=moment(2021, 10, 7, 10)
    )
    GroupReport.objects.create(group=materials, year=2021, quarter=2, text="二季度", figures=figures.as_json(), submitted_at=moment(2021, 7, 1))
    return {"overdue": overdue, "task": task, "event": event}


@pytest.fixture
def snapshot(world):
    return take_snapshot(period=Q3, issued_on=ISSUED)


# --- 项目落地 -------------------------------------------------------------------------------------


def test_a_units_cohort_counts_its_signed_started_and_producing_projects_at_the_quarters_end(snapshot):
    block = snapshot.landing
    assert block.as_of == datetime.date(2021, 9, 30) and block.start_limit_days == 180
    baitao = next(row for row in block.rows if row.unit == "白涛园区")
    assert (baitao.signed, baitao.started, baitao.producing, baitao.overdue) == (3, 1, 1, 1)
    assert baitao.start_rate == baitao.produce_rate == THIRD
    commerce = next(row for row in block.rows if row.unit == "区商务委")
    assert (commerce.signed, commerce.started, commerce.start_rate) == (2, 1, D("0.5"))
    assert [row.unit for row in block.rows] == [u.name for u in Unit.objects.assessed()], "every assessed unit, parks first"
    assert (block.total.signed, block.total.started, block.total.producing, block.total.overdue) == (5, 2, 1, 1)


def test_only_the_project_past_its_deadline_by_a_day_is_listed_not_the_one_due_on_the_last_day(snapshot, world):
    (row,) = snapshot.landing.overdue
    assert not snapshot.landing.shortened and snapshot.landing.shortened_note == ""
    assert (row.unit, row.code, row.name) == ("白涛园区", world["overdue"].code, "<i>逾期</i>项目")
    assert (row.signed_on, row.deadline, row.days_overdue) == (datetime.date(2021, 4, 2), datetime.date(2021, 9, 29), 1)


def test_each_unit_lists_its_longest_overdue_first_at_most_the_cap_and_the_bulletin_says_so(world, monkeypatch):
    from reports import snapshot as snapshots

    monkeypatch.setattr(snapshots, "OVERDUE_PER_UNIT", 1)
    older = ProjectFactory(lead_unit=unit("白涛园区"), name="更早的逾期项目", signed_on=datetime.date(2021, 3, 1))
    ProjectFactory(lead_unit=unit("区商务委"), name="部门逾期项目", signed_on=datetime.date(2021, 3, 2))
    taken = take_snapshot(period=Q3, issued_on=ISSUED)
    block = taken.landing
    assert [(row.unit, row.code) for row in block.overdue] == [("白涛园区", older.code), ("区商务委", block.overdue[1].code)]
    assert next(row.overdue for row in block.rows if row.unit == "白涛园区") == 2, "the table counts them all"
    assert block.shortened and "各单位列出超期最久的1个项目" in block.shortened_note
    assert from_json(json.loads(json.dumps(to_json(taken)))).landing == block
    assert "各单位列出超期最久的1个项目" in pdf_text(render_pdf(taken))
    book = openpyxl.load_workbook(io.BytesIO(bulletin_workbook(taken)))
    sheet_texts = [str(cell.value) for sheet in book.worksheets for row in sheet.iter_rows() for cell in row]
    assert any("各单位列出超期最久的1个项目" in text for text in sheet_texts)


def test_the_landing_figures_are_those_of_the_landing_command(snapshot, capsys):
    call_command("landing", "--year", "2021", "--quarter", "3", "--format", "json")
    command = json.loads(capsys.readouterr().out)
    assert command["as_of"] == snapshot.landing.as_of.isoformat()
    for row, expected in zip(snapshot.landing.rows, command["units"], strict=True):
        assert row.unit == expected["unit"]
        assert (row.signed, row.started, row.producing) == (expected["signed"], expected["started"], expected["producing"])
        assert (display.ratio(row.start_rate), display.ratio(row.produce_rate)) == (expected["start_rate"], expected["produce_rate"])
        assert row.overdue == len(expected["overdue_not_started"])


# --- 集中签约活动 -----------------------------------------------------------------------------------


def test_the_events_held_by_the_quarters_end_are_measured_at_it(snapshot):
    (event,) = snapshot.signing_events.rows  # not the one held in Q4, nor last year's
    assert (event.name, event.held_on, event.organiser) == ("<script>首届</script>集中签约会", datetime.date(2021, 8, 18), "区商务委")
    assert (event.signed, event.agreement_capital) == (2, D("8.5"))
    assert (event.started, event.start_rate, event.producing, event.produce_rate) == (1, D("0.5"), 0, D(0))
    assert event.arrived_capital == D("2.25"), "verified arrivals up to the quarter's end only"


# --- 重点任务 ------------------------------------------------------------------------------------


def test_the_task_matrix_shows_each_units_status_and_the_missing_reports_as_overdue(snapshot, world):
    block = snapshot.key_tasks
    tasks = list(KeyTask.objects.filter(year=2021).with_units())
    assert [t.number for t in block.tasks] == [t.number for t in tasks]
    column = [t.number for t in block.tasks].index(world["task"].number)
    cells = {row.unit: row.cells[column] for row in block.rows}
    assert (cells["白涛园区"].colour, cells["白涛园区"].label) == ("on_track", "正常")
    assert (cells["区商务委"].colour, cells["区商务委"].label) == ("returned", "退回")
    assert (cells["区经济信息委"].colour, cells["区经济信息委"].label) == ("overdue", "逾期")
    reporting = sum(len(t.reporting_units()) for t in tasks)
    legend = {entry.colour: entry.count for entry in block.legend}
    assert legend == {"on_track": 1, "behind": 0, "done": 0, "returned": 1, "overdue": reporting - 2, "waiting": 0}
    mine = [(m.unit, m.state) for m in block.missing if m.number == world["task"].number]
    assert mine == [("区经济信息委", "逾期未报"), ("区商务委", "已退回，待重报")], "the units in their order"
    assert len(block.missing) == reporting - 1
    assert block.due_on == datetime.date(2021, 10, 5) and block.measured_on == ISSUED


def test_before_the_due_date_a_missing_report_is_not_yet_overdue(world):
    block = take_snapshot(period=Q3, issued_on=datetime.date(2021, 10, 5)).key_tasks
    mine = [(m.unit, m.state) for m in block.missing if m.number == world["task"].number]
    assert mine == [("区经济信息委", "未报（未到期）"), ("区商务委", "已退回，待重报")]


# --- 专项招商组季度报告 ------------------------------------------------------------------------------


def test_each_group_shows_whether_its_quarter_report_was_filed_with_its_frozen_figures(snapshot):
    block = snapshot.group_reports
    assert block.quarter == 3 and block.due_on == datetime.date(2021, 10, 5)
    rows = {row.number: row for row in block.rows}
    assert len(rows) == SpecialGroup.objects.count() == 12
    materials = rows[5]
    assert (materials.state, materials.state_label, materials.filed) == ("submitted", "已报送", True)
    assert (materials.submitted_by, materials.submitted_on) == ("王新材", datetime.date(2021, 10, 3))
    assert (materials.quarter_projects, materials.quarter_capital) == (2, D("7.5"))
    assert (materials.year_projects, materials.year_capital, materials.arrived_capital) == (3, D("9.25"), D("1.25"))
    assert (materials.leads, materials.activities) == (3, 4)
    assert materials.summary.startswith("<b>本季度</b>新材料组") and materials.summary.endswith("…")
    assert len(materials.summary) == 201
    assert (rows[1].state_label, rows[1].submitted_by, rows[1].summary) == ("已报送（迟报）", "", "按期推进")
    assert (rows[2].state_label, rows[2].filed, rows[2].submitted_on) == ("逾期未报", False, None)
    assert block.filed == 2


def test_the_year_end_assessment_shows_the_fourth_quarters_reports(world):
    block = take_snapshot(period=Period(2021, 4), issued_on=datetime.date(2022, 1, 3)).group_reports
    assert block.quarter == 4
    assert {row.state for row in block.rows} == {"waiting"}


# --- Storing and reading back ----------------------------------------------------------------------


def test_the_sections_survive_the_json_round_trip(snapshot):
    stored = json.loads(json.dumps(to_json(snapshot)))
    assert stored["schema"] == 2
    assert from_json(stored) == snapshot


def old_snapshot(snapshot) -> dict:
    """The snapshot as a bulletin generated before these sections stored it."""
    stored = to_json(snapshot)
    for key in ("landing", "signing_events", "key_tasks", "group_reports"):
        del stored[key]
    return stored | {"schema": 1}


def test_a_snapshot_stored_before_the_sections_reads_back_without_them(snapshot):
    old = from_json(old_snapshot(snapshot))
    assert (old.landing, old.signing_events, old.key_tasks, old.group_reports) == (None, None, None, None)
    assert old.predates_landing_sections and not snapshot.predates_landing_sections
    assert old.sections == snapshot.sections


# --- The PDF ---------------------------------------------------------------------------------------


def pdf_text(pdf: bytes) -> str:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "bulletin.pdf"
        path.write_bytes(pdf)
        return subprocess.run(["pdftotext", "-layout", str(path), "-"], check=True, capture_output=True, text=True).stdout


@pytest.mark.skipif(not shutil.which("pdftotext"), reason="poppler-utils (pdftotext) is not installed")
def test_the_pdf_prints_the_four_sections_with_their_figures(snapshot, world):
    text = pdf_text(render_pdf(snapshot))
    for heading in ("项目落地（截至2021年9月30日）", "集中签约活动（截至2021年9月30日）", "重点任务推进情况（第3季度）", "专项招商组季度报告（第3季度）"):
        assert heading in text
    section = text[text.index("项目落地（截至") :]
    baitao = next(line.split() for line in section.splitlines() if line.split()[:1] == ["白涛园区"])
    assert baitao == ["白涛园区", "3", "1", "33.33%", "1", "33.33%", "1"]
    assert world["overdue"].code in text and "2021-09-29" in text and "<i>逾期</i>项目" in text
    assert "<script>首届</script>集中签约会" in text and "8.50" in text and "2.25" in text
    assert "已退回，待重报" in text and "逾期未报" in text
    assert "王新材" in text and "<b>本季度</b>新材料组" in text and "9.25" in text


@pytest.mark.skipif(not shutil.which("pdftotext"), reason="poppler-utils (pdftotext) is not installed")
def test_a_pdf_of_an_old_snapshot_prints_without_the_sections(snapshot):
    text = pdf_text(render_pdf(from_json(old_snapshot(snapshot))))
    assert "项目落地" not in text and "重点任务推进情况" not in text


# --- The workbook ----------------------------------------------------------------------------------


def rows_of(sheet) -> list[tuple]:
    return [row for row in sheet.iter_rows(values_only=True) if any(value is not None for value in row)]


def test_the_workbook_has_a_sheet_per_section_with_its_values(snapshot, world):
    book = openpyxl.load_workbook(io.BytesIO(bulletin_workbook(snapshot)))
    assert {"项目落地", "集中签约活动", "重点任务", "专项组季报"} <= set(book.sheetnames)
    assert book.sheetnames.index("项目落地") > book.sheetnames.index("招商活动")

    landing = rows_of(book["项目落地"])
    baitao = next(row for row in book["项目落地"].iter_rows() if row[0].value == "白涛园区" and isinstance(row[1].value, int))
    assert [cell.value for cell in baitao[:3]] == ["白涛园区", 3, 1] and baitao[4].value == 1 and baitao[6].value == 1
    assert D(str(baitao[3].value)).quantize(D("0.0001")) == D("0.3333") and baitao[3].number_format == "0.00%"
    overdue = next(row for row in landing if row[1] == world["overdue"].code)
    assert overdue[:6] == ("白涛园区", world["overdue"].code, "<i>逾期</i>项目", datetime.datetime(2021, 4, 2), datetime.datetime(2021, 9, 29), 1)

    (event,) = [row for row in rows_of(book["集中签约活动"]) if row[0] == "<script>首届</script>集中签约会"]
    assert event[1:5] == (datetime.datetime(2021, 8, 18), "区商务委", 2, 8.5)
    assert (event[5], event[6], event[7]) == (0.5, 0, 2.25)

    tasks = rows_of(book["重点任务"])
    matrix_row = next(row for row in tasks if row[0] == "区经济信息委")
    assert matrix_row[1 + [t.number for t in snapshot.key_tasks.tasks].index(world["task"].number)] == "逾期"
    missing = [row[:4] for row in tasks if row[0] == world["task"].number]
    number, title = world["task"].number, "<em>招商</em>理念提升"
    assert missing == [(number, title, "区经济信息委", "逾期未报"), (number, title, "区商务委", "已退回，待重报")]

    groups = {row[1]: row for row in rows_of(book["专项组季报"]) if isinstance(row[0], int)}
    materials = groups["新材料产业招商组"]
    assert materials[2:5] == ("已报送", "王新材", datetime.datetime(2021, 10, 3))
    assert materials[5:12] == (2, 7.5, 3, 9.25, 1.25, 3, 4)
    assert materials[12].startswith("<b>本季度</b>")
    assert groups["数字经济产业招商组"][2] == "已报送（迟报）" and groups["消费品产业招商组"][2:6] == ("逾期未报", None, "–", "–")


def test_a_workbook_of_an_old_snapshot_has_none_of_the_sheets(snapshot):
    book = openpyxl.load_workbook(io.BytesIO(bulletin_workbook(from_json(old_snapshot(snapshot)))))
    assert not {"项目落地", "集中签约活动", "重点任务", "专项组季报"} & set(book.sheetnames)


# --- The web view ----------------------------------------------------------------------------------


@pytest.fixture
def page(world):
    bulletin = services.generate_bulletin(year=2021, quarter=3, today=ISSUED).bulletin
    reviewer = user_with_role(Role.REVIEWER, username="shenhe")
    return lambda: client_for(reviewer).get(reverse("bulletin_detail", args=[bulletin.pk])).content.decode()


def test_the_page_shows_the_four_sections_escaped(page, world):
    html = page()
    for title in ("项目落地（截至2021年9月30日）", "集中签约活动（截至2021年9月30日）", "重点任务推进情况（第3季度）", "专项招商组季度报告（第3季度）"):
        assert title in html
    assert "&lt;script&gt;首届&lt;/script&gt;集中签约会" in html and "<script>首届" not in html
    assert "&lt;i&gt;逾期&lt;/i&gt;项目" in html and "&lt;em&gt;招商&lt;/em&gt;理念提升" in html
    assert "&lt;b&gt;本季度&lt;/b&gt;新材料组" in html and "<b>本季度" not in html
    assert "<td>白涛园区</td><td class=\"num\">3</td><td class=\"num\">1</td><td class=\"num\">33.33%</td>" in html
    assert '<td class="num">8.50</td>' in html and '<td class="num">2.25</td>' in html
    assert '<td class="cell-returned">已退回，待重报</td>' in html and "王新材" in html
    assert "栏目加入之前" not in html


def test_a_bulletin_generated_before_the_sections_shows_a_note_instead(page, snapshot):
    Bulletin.objects.filter(year=2021, quarter=3).update(snapshot=old_snapshot(snapshot))
    html = page()
    assert "栏目加入之前" in html
    assert "项目落地（截至" not in html and "重点任务推进情况" not in html
    assert "全区完成情况" in html


@pytest.mark.skipif(not shutil.which("pdftotext"), reason="poppler-utils (pdftotext) is not installed")
def test_the_year_end_pdf_numbers_its_twelve_sections(world):
    text = pdf_text(render_pdf(take_snapshot(period=Period(2021, 4), issued_on=datetime.date(2022, 1, 3))))
    assert "七、项目落地（截至2021年12月31日）" in text and "十、专项招商组季度报告（第4季度）" in text
    assert "十二、第4季度签约的重大、较大项目" in text
