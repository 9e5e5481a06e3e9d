"""reports/pdf.py: the bulletin's PDF says what its snapshot says, legibly, on every page.

The PDF is read back with poppler (pdftotext, pdfinfo, pdffonts, pdftoppm). The samples in
tests/data are snapshots of the demo data: Q2 (a quarterly bulletin) and Q4 (the year-end
assessment).
"""

import dataclasses
import datetime
import inspect
import json
import logging
import os
import re
import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from django.conf import settings as django_settings
from reportlab.graphics.charts.barcharts import HorizontalBarChart

from lib import display
from targets.models import Organisation
from reports import pdf as bulletin_pdf
from reports.pdf import AXIS_TICKS, RED, chart_axis, render_pdf
from reports.snapshot import ActivityBlock, ActivityRow, Cell, Snapshot, from_json
from targets.scoring import Indicator

DATA = Path(__file__).parent / "data"
SCREENSHOT = django_settings.BASE_DIR / "docs" / "screenshots" / "bulletin.png"
WQY = "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc"

pytestmark = pytest.mark.skipif(
    not all(shutil.which(tool) for tool in ("pdftotext", "pdfinfo", "pdffonts", "pdftoppm")),
    reason="poppler-utils (pdftotext, pdfinfo, pdffonts, pdftoppm) is not installed",
)


def sample(name: str) -> Snapshot:
    return from_json(json.loads((DATA / f"bulletin_{name}.json").read_text(encoding="utf-8")))


def poppler(tool: str, pdf: bytes, *args: str) -> str:
    """The output of a poppler tool run on `pdf` (pdftotext writes to stdout)."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "bulletin.pdf"
        path.write_bytes(pdf)
        command = [tool, *args, str(path), *(["-"] if tool == "pdftotext" else [])]
        return subprocess.run(command, check=True, capture_output=True, text=True).stdout


def pages(pdf: bytes) -> list[str]:
    """The text of each page, laid out as printed."""
    return poppler("pdftotext", pdf, "-layout").split("\f")[:-1]


def page_count(pdf: bytes) -> int:
    return int(re.search(r"^Pages:\s+(\d+)$", poppler("pdfinfo", pdf), re.M).group(1))


def lines_of(text: str, first: str, second: str | None = None) -> list[list[str]]:
    """Table rows as words: the lines whose first words are `first` (and `second`)."""
    rows = [line.split() for line in text.splitlines()]
    return [row for row in rows if row[:1] == [first] and (second is None or row[1:2] == [second])]


def figures(cell: Cell, is_count: bool) -> list[str]:
    amount = display.count if is_count else display.money
    return [amount(cell.actual), amount(cell.target), display.rate(cell.rate)]


def indicator_figures(cells: dict[str, Cell], indicators: list[str]) -> list[str]:
    return [text for i in indicators for text in figures(cells[i], Indicator(i).is_count)]


def expected_unit_row(row, section, tp) -> list[str]:
    mark = "–" if row.overall_rate is None else ("落后" if row.behind(tp) else "达到")
    cells = indicator_figures(row.cells, section.indicators)
    return [display.count(row.rank), row.name, *cells, display.rate(row.overall_rate), mark]


def without_spaces(text: str) -> str:
    return re.sub(r"\s+", "", text)


@pytest.fixture(scope="module")
def q2():
    snapshot = sample("q2")
    return snapshot, render_pdf(snapshot)


@pytest.fixture(scope="module")
def q4():
    snapshot = sample("q4")
    return snapshot, render_pdf(snapshot)


# --- What it says ------------------------------------------------------------------------


def test_the_first_page_has_the_issuer_title_date_period_and_time_progress(q2):
    snapshot, content = q2
    first = without_spaces(pages(content)[0])

    assert first.startswith("涪陵区招商投资局涪陵区招商引资工作2021年第2季度通报2021年7月5日")
    assert "（统计截至2021年6月30日，序时进度50.00%）" in first


def test_the_summary_paragraphs_are_printed_whole(q2):
    snapshot, content = q2
    first = without_spaces(pages(content)[0])

    for paragraph in snapshot.summary:
        assert without_spaces(paragraph) in first


def test_the_district_totals_read_as_the_snapshot_rounded_for_display(q2):
    snapshot, content = q2
    text = "\n".join(pages(content))

    for total in snapshot.totals:
        label = f"{total.label}（{'个' if total.is_count else '亿元'}）"
        cells = [t for cell in (total.parks, total.departments, total.district) for t in figures(cell, total.is_count)]
        assert [label, *cells] in lines_of(text, label)
    agreement = ["303.09", "580.00", "52.26%", "43.74", "100.00", "43.74%", "346.83", "680.00", "51.00%"]
    assert lines_of(text, "协议资金（亿元）") == [["协议资金（亿元）", *agreement]]


@pytest.mark.parametrize("name", ["q2", "q4"])
def test_every_unit_row_has_its_rank_figures_rate_and_time_progress_mark(name):
    snapshot = sample(name)
    text = "\n".join(pages(render_pdf(snapshot)))

    for section in snapshot.sections:
        for row in section.rows:
            expected = expected_unit_row(row, section, snapshot.time_progress)
            assert expected in lines_of(text, display.count(row.rank), row.name)


def test_the_quarterly_figures_are_the_samples_own(q2):
    _snapshot, content = q2
    text = "\n".join(pages(content))

    qingxi = lines_of(text, "1", "清溪园区")
    assert qingxi == [["1", "清溪园区", "0", "–", "–", "2", "1", "200.00%", "1", "2", "50.00%", "37.46", "30.00", "124.85%",
                       "12.50", "–", "–", "9.14", "7.00", "130.60%", "115.88%", "达到"]]
    assert lines_of(text, "14", "区住房城乡建委")[0][-2:] == ["0.00%", "落后"]


def test_each_unit_table_ends_with_the_kinds_total(q2):
    snapshot, content = q2
    text = "\n".join(pages(content))
    totals = lines_of(text, "合计")

    for section in snapshot.sections:
        assert ["合计", *indicator_figures(section.total, section.indicators)] in totals


def test_a_unit_without_a_rank_shows_a_dash():
    snapshot = sample("q2")
    parks = snapshot.sections[0]
    unranked = dataclasses.replace(parks.rows[-1], rank=None)
    parks = dataclasses.replace(parks, rows=[*parks.rows[:-1], unranked])
    snapshot = dataclasses.replace(snapshot, sections=[parks, snapshot.sections[1]])

    text = "\n".join(pages(render_pdf(snapshot)))

    assert lines_of(text, "–", unranked.name)[0][:2] == ["–", "白涛园区"]


def test_behind_rates_are_red_and_behind_units_tinted():
    snapshot = sample("q2")
    tp = snapshot.time_progress
    writer = bulletin_pdf._Writer(snapshot, bulletin_pdf.bulletin_font(WQY, 0))
    parks = snapshot.sections[0]

    table = writer.unit_table(parks)

    tinted = {start[1] for _op, start, _end, fill in table._bkgrndcmds if fill == bulletin_pdf.BEHIND_FILL}
    assert tinted == {r for r, row in enumerate(parks.rows, start=2) if row.behind(tp)} == {5, 6, 7}
    for r, row in enumerate(parks.rows, start=2):
        for k, indicator in enumerate(parks.indicators):
            is_red = table._cellStyles[r][2 + 3 * k + 2].color == RED
            assert is_red == row.cells[indicator].behind(tp), (row.name, indicator)


def test_the_legend_says_what_the_marks_mean(q2):
    _snapshot, content = q2
    text = without_spaces("\n".join(pages(content)))

    assert "注：底色标示综合完成率低于序时进度（50.00%）的单位，“序时进度”栏注明“落后”或“达到”；红色完成率表示该项指标低于序时进度" in text


def test_the_quarterly_bulletin_has_no_score_columns_nor_the_5311_block(q2):
    _snapshot, content = q2
    text = "\n".join(pages(content))

    assert "总得分" not in text and "考核得分" not in text
    assert "5311" not in text
    assert "年度考核" not in text


def test_the_annual_assessment_adds_each_units_points_score_and_rank(q4):
    snapshot, content = q4
    text = "\n".join(pages(content))

    assert "园区考核得分" in text and "区级部门考核得分" in text
    for section in snapshot.sections:
        for row in section.rows:
            points = [display.score(row.cells[i].points) for i in section.indicators]
            expected = [display.count(row.rank), row.name, *points, display.score(row.score)]
            assert expected in lines_of(text, display.count(row.rank), row.name)
    assert ["1", "清溪园区", "–", "14.12", "2.94", "56.47", "–", "42.35", "115.88"] in lines_of(text, "1", "清溪园区")


def test_the_annual_assessment_shows_the_5311_block(q4):
    snapshot, content = q4
    text = "\n".join(pages(content))

    assert "“5311”五年目标推进情况（2021—2025年）" in without_spaces(text)
    assert "五年时间进度20.00%" in without_spaces(text)
    for goal in snapshot.five_year.rows:
        amount = display.count if goal.unit == "个" else display.money
        expected = [goal.label, amount(goal.actual), amount(goal.target), display.rate(goal.rate), goal.unit]
        assert lines_of(text, goal.label)[0][:5] == expected
    assert lines_of(text, "累计到位资金")[0][:5] == ["累计到位资金", "227.37", "1000.00", "22.74%", "亿元"]


@pytest.mark.parametrize("name", ["q2", "q4"])
def test_a_kind_of_unit_without_any_target_says_so_instead_of_a_table(name):
    snapshot = sample(name)
    parks, departments = snapshot.sections
    untargeted = dataclasses.replace(departments, indicators=[])
    snapshot = dataclasses.replace(snapshot, sections=[parks, untargeted])

    text = without_spaces("\n".join(pages(render_pdf(snapshot))))

    assert f"本年度未向{departments.label}下达目标，不考核。" in text
    assert f"{parks.label}完成情况" in text


def test_an_annual_assessment_without_a_five_year_goal_prints_the_note():
    snapshot = dataclasses.replace(sample("q4"), five_year=None, five_year_note="本年度未设定五年目标。")

    text = without_spaces("\n".join(pages(render_pdf(snapshot))))

    assert "五年目标推进情况" in text
    assert "本年度未设定五年目标。" in text


def test_the_groups_table_lists_every_group_and_the_total(q2):
    snapshot, content = q2
    text = "\n".join(pages(content))

    for group in snapshot.groups:
        money = [display.money(group.agreement_capital), display.money(group.arrived_capital)]
        row = [str(group.number), group.name, group.leader, str(group.projects), *money]
        assert row in lines_of(text, str(group.number), group.name)
    total = snapshot.groups_total
    assert (total.projects, display.money(total.agreement_capital), display.money(total.arrived_capital)) == (29, "275.29", "50.27")
    assert ["合计", "29", "275.29", "50.27"] in lines_of(text, "合计")


def test_the_activity_section_lists_each_units_activities_and_leads():
    block = ActivityBlock(
        start=datetime.date(2021, 4, 1),
        end=datetime.date(2021, 6, 30),
        activity_kinds=["外出拜访", "企业来访", "招商活动", "洽谈", "考察", "新闻宣传"],
        lead_stages=["线索", "接洽", "洽谈", "拟签约", "已签约", "暂缓", "终止"],
        rows=[
            ActivityRow("涪陵新城区", [3, 1, 0, 2, 0, 4], [2, 1, 1, 0, 1, 0, 0]),
            ActivityRow("区商务委", [0, 0, 1, 0, 0, 0], [0, 0, 0, 0, 0, 0, 1]),
        ],
        total=ActivityRow("合计", [3, 1, 1, 2, 0, 4], [2, 1, 1, 0, 1, 0, 1]),
    )
    text = "\n".join(pages(render_pdf(dataclasses.replace(sample("q2"), activities=block))))
    assert "招商活动（2021年4月1日至2021年6月30日）" in without_spaces(text)
    assert "各单位招商活动（次）" in text and "各单位招商线索（个，按当前阶段）" in text
    assert ["涪陵新城区", "3", "1", "0", "2", "0", "4", "10"] in lines_of(text, "涪陵新城区")
    assert ["涪陵新城区", "2", "1", "1", "0", "1", "0", "0", "5"] in lines_of(text, "涪陵新城区")
    assert ["合计", "3", "1", "1", "2", "0", "4", "11"] in lines_of(text, "合计")


def test_a_bulletin_from_before_the_activity_section_prints_without_it(q2):
    assert q2[0].activities is None
    assert "各单位招商活动" not in "\n".join(pages(q2[1]))


def test_the_quarters_major_and_large_projects_are_listed(q2):
    snapshot, content = q2
    text = "\n".join(pages(content))

    assert len(snapshot.projects) == 10
    for project in snapshot.projects:
        expected = [
            project.code, project.name, project.tier, project.lead_unit, project.cooperating_units or "–", project.origin,
            project.sector, display.money(project.agreement_capital), display.money(project.expected_output),
            project.signed_on.isoformat(), project.group or "–",
        ]
        assert lines_of(text, project.code) == [expected]


def test_a_quarter_without_listed_projects_says_so():
    snapshot = dataclasses.replace(sample("q2"), projects=[])

    text = without_spaces("\n".join(pages(render_pdf(snapshot))))

    assert "第2季度没有签约重大、较大项目。" in text
    assert "项目编号" not in text


def test_the_chart_shows_the_agreement_rate_of_units_with_a_target_against_time_progress():
    snapshot = sample("q2")
    parks = snapshot.sections[0]
    untargeted = parks.rows[0]
    cells = {**untargeted.cells, "agreement_capital": Cell(untargeted.cells["agreement_capital"].actual, None, None)}
    rows = [dataclasses.replace(untargeted, cells=cells), *parks.rows[1:]]
    snapshot = dataclasses.replace(snapshot, sections=[dataclasses.replace(parks, rows=rows), snapshot.sections[1]])

    chart = next(page for page in pages(render_pdf(snapshot)) if "各单位协议资金完成率" in page)

    assert "园区（5个单位）" in chart and "区级部门（16个单位）" in chart
    assert chart.count("序时进度 50.00%") == 2
    assert untargeted.name not in chart
    for row in snapshot.sections[0].rows[1:] + snapshot.sections[1].rows:
        rate = display.rate(row.cells["agreement_capital"].rate)
        assert [row.name, rate] in [line.split() for line in chart.splitlines()], row.name


def test_the_chart_paints_the_units_behind_time_progress_red():
    snapshot = sample("q2")
    writer = bulletin_pdf._Writer(snapshot, bulletin_pdf.bulletin_font(WQY, 0))
    cells = [(row.name, row.cells["agreement_capital"]) for row in snapshot.sections[0].rows]

    chart = next(shape for shape in writer.rate_chart(cells, 1.4, 0.2).contents if isinstance(shape, HorizontalBarChart))

    bottom_up = list(reversed(cells))
    assert chart.categoryAxis.categoryNames == [name for name, _cell in bottom_up]
    assert chart.barLabelArray == [[display.rate(cell.rate) for _name, cell in bottom_up]]
    reds = [chart.bars[(0, i)].fillColor == RED for i in range(len(bottom_up))]
    assert reds == [cell.behind(snapshot.time_progress) for _name, cell in bottom_up]
    assert sum(reds) == 3


# --- How it is laid out ------------------------------------------------------------------


def test_the_unit_tables_are_on_landscape_pages_and_the_rest_portrait(q2):
    _snapshot, content = q2
    info = poppler("pdfinfo", content, "-f", "1", "-l", "99")
    sizes = re.findall(r"^Page\s+(\d+) size:\s+([\d.]+) x ([\d.]+)", info, re.M)
    orientation = ["landscape" if float(w) > float(h) else "portrait" for _page, w, h in sizes]
    texts = pages(content)

    assert page_count(content) == len(sizes) > 1
    assert orientation[0] == "portrait"
    assert orientation[next(i for i, t in enumerate(texts) if "二、园区完成情况" in t)] == "landscape"
    assert orientation[next(i for i, t in enumerate(texts) if "四、各单位协议资金完成率" in t)] == "portrait"
    assert orientation[next(i for i, t in enumerate(texts) if "项目编号" in t)] == "landscape"


def test_every_page_is_numbered(q4):
    _snapshot, content = q4
    texts = pages(content)

    assert len(texts) == page_count(content) == 7
    for number, text in enumerate(texts, start=1):
        footer = text.strip().splitlines()[-1]
        assert re.fullmatch(rf"\s*—\s*{number}\s*—\s*", footer), footer


def test_a_long_projects_table_repeats_its_header_on_every_page():
    snapshot = sample("q2")
    many = [dataclasses.replace(snapshot.projects[0], code=f"P{n:04d}") for n in range(150)]

    texts = pages(render_pdf(dataclasses.replace(snapshot, projects=many)))

    spanned = [text for text in texts if "P0" in text]
    assert len(spanned) >= 3
    for text in spanned:
        assert all(word in text for word in ("项目编号", "项目名称", "牵头单位", "配合单位", "签约日期"))
    assert sum(len(lines_of(text, "P0000")) for text in spanned) == 1
    assert sum(len(re.findall(r"^\s*P\d{4}\b", text, re.M)) for text in spanned) == 150


def test_a_unit_table_too_long_for_a_page_repeats_both_header_rows():
    snapshot = sample("q2")
    departments = snapshot.sections[1]
    rows = [dataclasses.replace(row, name=f"单位{n:02d}", rank=n) for n, row in enumerate(departments.rows * 4, start=1)]
    snapshot = dataclasses.replace(snapshot, sections=[snapshot.sections[0], dataclasses.replace(departments, rows=rows)])

    texts = [text for text in pages(render_pdf(snapshot)) if "单位01" in text or "单位64" in text]

    with_rows = [text for text in texts if re.search(r"^\s*\d+ 单位\d\d", text, re.M)]
    assert len(with_rows) >= 2
    for text in with_rows:
        assert "综合完成率" in text and "协议资金（亿元）" in text
        assert re.search(r"完成\s+目标\s+完成率", text)


def test_the_metadata_names_the_title_issuer_and_subject(q4):
    _snapshot, content = q4
    info = poppler("pdfinfo", content)

    assert re.search(r"^Title:\s+涪陵区招商引资工作2021年度考核通报$", info, re.M)
    assert re.search(r"^Author:\s+涪陵区招商投资局$", info, re.M)
    assert re.search(r"^Subject:\s+截至2021年12月31日各单位招商引资目标完成情况$", info, re.M)


def test_the_metadata_names_the_system_as_the_pages_do(q4, fuling_2021, client, django_user_model):
    snapshot, content = q4
    client.force_login(django_user_model.objects.create_user("someone"))
    page_title = re.search(r"<title>.* · (.+)</title>", client.get("/").content.decode()).group(1)

    system_title = Organisation.current().system_title
    assert page_title == system_title == snapshot.system_title
    assert re.search(rf"^Creator:\s+{system_title}$", poppler("pdfinfo", content), re.M)


def test_the_unit_tables_time_progress_header_is_printed_whole(q2):
    _snapshot, content = q2
    lines = [line.split() for page in pages(content) for line in page.splitlines()]
    headers = [words for words in lines if words[:2] == ["排名", "单位"]]

    assert len(headers) == 2  # the parks' and the departments' tables
    for words in headers:
        assert words[-2:] == ["综合完成率", "序时进度"]


def test_the_same_snapshot_gives_the_same_bytes(q2):
    snapshot, content = q2

    assert render_pdf(snapshot) == content


# --- Fonts ---------------------------------------------------------------------------------


@pytest.mark.skipif(not Path(WQY).is_file(), reason="fonts-wqy-zenhei is not installed")
def test_the_wqy_font_is_embedded_and_no_other_font_is_used(settings):
    settings.BULLETIN_FONT, settings.BULLETIN_FONT_INDEX = WQY, 0

    fonts = poppler("pdffonts", render_pdf(sample("q2"))).splitlines()[2:]

    assert fonts and all("WenQuanYiZenHei" in line for line in fonts)
    assert all(line.split()[-5:-3] == ["yes", "yes"] for line in fonts)  # emb, sub


def test_a_missing_font_falls_back_to_stsong_light_and_warns_once(settings, tmp_path, caplog):
    settings.BULLETIN_FONT = str(tmp_path / "missing.ttc")

    with caplog.at_level(logging.WARNING, logger="reports.pdf"):
        content = render_pdf(sample("q2"))
        render_pdf(sample("q2"))

    fonts = poppler("pdffonts", content)
    assert "STSong-Light" in fonts and "WenQuanYi" not in fonts
    assert [r.getMessage() for r in caplog.records] == [f"通报字体 {tmp_path / 'missing.ttc'} 不存在，改用 STSong-Light（不嵌入 PDF）。"]
    assert "涪陵区招商引资工作2021年第2季度通报" in pages(content)[0]


def test_a_file_that_is_not_a_font_falls_back_too(settings, tmp_path, caplog):
    broken = tmp_path / "broken.ttf"
    broken.write_bytes(b"not a font at all")
    settings.BULLETIN_FONT = str(broken)

    with caplog.at_level(logging.WARNING, logger="reports.pdf"):
        fonts = poppler("pdffonts", render_pdf(sample("q2")))

    assert "STSong-Light" in fonts
    assert "无法加载" in caplog.text


# --- Security ------------------------------------------------------------------------------

MARKUP = '<font color="red">x</font>'
LINK = '<a href="javascript:alert(1)">点</a>'
ENTITY = "A&amp;B &lt;b&gt;"


def test_markup_in_the_snapshots_text_is_printed_literally_never_parsed():
    snapshot = sample("q2")
    parks = snapshot.sections[0]
    rows = [dataclasses.replace(parks.rows[0], name=LINK), *parks.rows[1:]]
    project = dataclasses.replace(snapshot.projects[0], name=MARKUP, group=ENTITY)
    group = dataclasses.replace(snapshot.groups[0], name=ENTITY, leader="<b>")
    snapshot = dataclasses.replace(
        snapshot,
        summary=[f"摘要{MARKUP}{LINK}{ENTITY}"],
        sections=[dataclasses.replace(parks, rows=rows), snapshot.sections[1]],
        projects=[project, *snapshot.projects[1:]],
        groups=[group, *snapshot.groups[1:]],
    )

    content = render_pdf(snapshot)
    text = "\n".join(pages(content))
    flat = without_spaces(text)

    assert without_spaces(f"摘要{MARKUP}{LINK}{ENTITY}") in flat
    assert MARKUP in text  # the project's name
    assert without_spaces(LINK) in flat  # the unit's name (chart label and table)
    assert lines_of(text, "1", "A&amp;B")[0][:4] == ["1", "A&amp;B", "&lt;b&gt;", "<b>"]  # the group and its leader
    assert b"/Annots" not in content and b"/URI" not in content


def test_every_paragraph_is_built_by_the_escaping_helper():
    source = inspect.getsource(bulletin_pdf)

    assert source.count("Paragraph(") == 1
    assert "return Paragraph(escape(text), style)" in source


# --- The README's picture ----------------------------------------------------------------


def test_page_one_of_the_quarterly_bulletin_is_the_readme_screenshot(q2):
    """Writes docs/screenshots/bulletin.png (the PDF is byte-stable, so the file changes only
    when the layout does)."""
    _snapshot, content = q2
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "bulletin.pdf"
        path.write_bytes(content)
        command = ["pdftoppm", "-png", "-r", "80", "-f", "1", "-l", "1", "-singlefile", str(path), f"{folder}/page"]
        subprocess.run(command, check=True)
        png = (Path(folder) / "page.png").read_bytes()

    if os.environ.get("SCREENSHOTS") == "1":  # README's picture, refreshed on demand (SCREENSHOTS=1 make test)
        SCREENSHOT.parent.mkdir(parents=True, exist_ok=True)
        SCREENSHOT.write_bytes(png)

    assert png.startswith(b"\x89PNG\r\n\x1a\n")
    width, height = int.from_bytes(png[16:20], "big"), int.from_bytes(png[20:24], "big")
    assert (width, height) == (662, 936)  # A4 portrait at 80 dpi


@pytest.mark.parametrize(
    "top_rate, axis",
    [(0.3, (1.0, 0.2)), (1.2, (1.2, 0.2)), (1.7, (2.0, 0.5)), (9, (10.0, 2.0)), (70, (70.0, 10.0))],
)
def test_the_rate_axis_ends_at_a_round_value_in_round_steps(top_rate, axis):
    assert chart_axis(top_rate) == axis


@given(st.floats(min_value=0, max_value=10_000, allow_nan=False))
def test_the_rate_axis_covers_the_highest_rate_in_a_bounded_number_of_steps(top_rate):
    # A unit 70 times over its target once gave 15,000 tick labels and a 4-second chart.
    axis_max, step = chart_axis(top_rate)
    assert axis_max >= max(1.0, top_rate) - 1e-9
    assert round(axis_max / step) <= AXIS_TICKS
