"""The bulletin's PDF (季通报, and the 年考核 in Q4), typeset from its snapshot alone.

A4 in the red-header style of a government bulletin: the issuer in red over a red rule, the
title, the date, the summary; then the district totals, the parks' and the departments' tables
(on landscape pages: six indicators of three figures do not fit a portrait page at a legible
size), a completion-rate chart, the special groups, the quarter's activities and leads (招商活动),
项目落地, 集中签约活动, 重点任务, the groups' quarterly reports, the five-year block (Q4) and the
quarter's major and large projects.

Every string from the snapshot that reaches a `Paragraph` goes through `_para`, which escapes
it: ReportLab parses a Paragraph's text as markup, and that parser has run code hidden in
attributes (CVE-2023-33733). Table cells and chart labels that are plain strings are drawn as
they are, never parsed. Figures are rounded only here, by lib.display.

One module although near 500 lines: one document, its styles and page templates shared by
every section, read top to bottom in the order the bulletin prints.
"""

from __future__ import annotations

import datetime
import functools
import hashlib
import io
import itertools
import logging
import math
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from xml.sax.saxutils import escape

from django.conf import settings
from reportlab.graphics.charts.barcharts import HorizontalBarChart
from reportlab.graphics.shapes import Drawing, Line, String
from reportlab.lib import colors
from reportlab.lib import textsplit
from reportlab.lib.enums import TA_CENTER, TA_JUSTIFY
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.platypus import (
    BaseDocTemplate,
    Frame,
    NextPageTemplate,
    PageBreak,
    PageTemplate,
    Paragraph,
    Spacer,
    Table,
    TableStyle,
)
from reportlab.platypus import paragraph as rl_paragraph
from reportlab.platypus.flowables import Flowable, HRFlowable

from lib import display
from targets.scoring import Indicator

from .snapshot import (
    ActivityBlock,
    ActivityRow,
    Cell,
    FiveYearBlock,
    GroupReportBlock,
    GroupRow,
    KeyTaskBlock,
    KindSection,
    LandingBlock,
    LandingRow,
    SigningEventBlock,
    Snapshot,
    UnitRow,
)

logger = logging.getLogger(__name__)

FALLBACK_FONT = "STSong-Light"  # one of Adobe's CID fonts, which readers supply: not embedded
RED = colors.HexColor("#c8161d")
BEHIND_FILL = colors.HexColor("#fbe4e2")
HEADER_FILL = colors.HexColor("#e9edf2")
TOTAL_FILL = colors.HexColor("#f4f4f4")
BAR = colors.HexColor("#3b6ea5")
GRID = colors.HexColor("#8c8c8c")
NOTE_GREY = colors.HexColor("#333333")
NUMERALS = ("一", "二", "三", "四", "五", "六", "七", "八", "九", "十", "十一", "十二", "十三", "十四", "十五")
# A key task's cell: red for a report missing past its due date, tinted for one behind or returned.
TASK_CELL_FILLS = {"overdue": BEHIND_FILL, "returned": colors.HexColor("#fff2cc"), "behind": colors.HexColor("#fff2cc")}

PORTRAIT, LANDSCAPE = A4, landscape(A4)
MARGIN = 20 * mm
WIDE_MARGIN = 15 * mm
PORTRAIT_WIDTH = PORTRAIT[0] - 2 * MARGIN
LANDSCAPE_WIDTH = LANDSCAPE[0] - 2 * WIDE_MARGIN
CELL_SIZE = 7.5  # pt: the smallest text in the file
CELL_PADDING = 2
CHART_BARS = 36  # a portrait page's worth; more units continue in a second chart
UNIT_WIDTH = 66  # pt: a unit's name in the unit tables

# ReportLab's CJK line breaking keeps 、。） off the start of a line but not the other
# full-width punctuation, so "；其中…" could open a line (标点禁则). Both of its line
# breakers read the list (one-fragment paragraphs textsplit's, others paragraph's copy).
# Process-wide, once.
for _module in (textsplit, rl_paragraph):
    if "；" not in _module.ALL_CANNOT_START:
        _module.ALL_CANNOT_START += "，；：！？”’》」』"


def render_pdf(snapshot: Snapshot) -> bytes:
    """The bulletin as PDF bytes. Reads only the snapshot and the BULLETIN_FONT settings; the
    same snapshot gives the same bytes (no creation time, no random document id)."""
    font = bulletin_font(str(settings.BULLETIN_FONT), int(settings.BULLETIN_FONT_INDEX))
    buffer = io.BytesIO()
    writer = _Writer(snapshot, font)
    document = BaseDocTemplate(
        buffer,
        pagesize=PORTRAIT,
        pageTemplates=writer.page_templates(),
        title=snapshot.title,
        author=snapshot.issuer,
        subject=f"截至{chinese_date(snapshot.as_of)}各单位招商引资目标完成情况",
        creator=snapshot.system_title,
        lang="zh-CN",
        displayDocTitle=1,
        invariant=1,
        initialFontName=font,
    )
    document.build(writer.story())
    return buffer.getvalue()


@functools.cache
def bulletin_font(path: str, index: int) -> str:
    """The registered name of the font at `path` (face `index` of a .ttc), embedded as a subset;
    STSong-Light when that file is missing or does not load. Cached by its arguments, so a
    font is registered, and its absence warned about, once per process."""
    if Path(path).is_file():
        name = "Bulletin-" + hashlib.sha1(f"{path}#{index}".encode(), usedforsecurity=False).hexdigest()[:10]
        try:
            pdfmetrics.registerFont(TTFont(name, path, subfontIndex=index))
            return name
        except Exception as error:  # a damaged or foreign file fails in many ways; the fallback must hold
            logger.warning("通报字体 %s（第 %s 个字体）无法加载（%s），改用 %s。", path, index, error, FALLBACK_FONT)
    else:
        logger.warning("通报字体 %s 不存在，改用 %s（不嵌入 PDF）。", path, FALLBACK_FONT)
    pdfmetrics.registerFont(UnicodeCIDFont(FALLBACK_FONT))
    return FALLBACK_FONT


AXIS_TICKS = 8  # at most this many steps along the rate axis, whatever the highest rate


def chart_axis(top_rate: float) -> tuple[float, float]:
    """The rate axis' end and step: at least 100%, a round step (20%, 50%, 100%, 200%, 500%…)
    giving at most AXIS_TICKS steps. A unit at 70 times its target once made 15,000 tick
    labels and a 4-second chart."""
    top = max(100, math.ceil(top_rate * 100 - 1e-9))  # in whole percents
    steps = (factor * 10**power for power in itertools.count(1) for factor in (2, 5, 10))  # 20, 50, 100, 200…
    step = next(step for step in steps if math.ceil(top / step) <= AXIS_TICKS)
    return math.ceil(top / step) * step / 100, step / 100


def chinese_date(day: datetime.date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


def _para(text: str, style: ParagraphStyle) -> Paragraph:
    """The one way text becomes a Paragraph: escaped, so no string is read as markup."""
    return Paragraph(escape(text), style)


def _figures(cell: Cell, is_count: bool) -> list[str]:
    return [display.amount(cell.actual, is_count), display.amount(cell.target, is_count), display.rate(cell.rate)]


def _with_unit(label: str, is_count: bool) -> str:
    return f"{label}（{'个' if is_count else '亿元'}）"


def _group_figures(group: GroupRow) -> list[str]:
    return [display.count(group.projects), display.money(group.agreement_capital), display.money(group.arrived_capital)]


def _rate_column(k: int, first: int) -> int:
    """The completion-rate column of the k-th indicator, whose three columns start at `first`."""
    return first + 3 * k + 2


@dataclass(frozen=True)
class _Styles:
    issuer: ParagraphStyle
    title: ParagraphStyle
    date: ParagraphStyle
    body: ParagraphStyle
    heading: ParagraphStyle
    subheading: ParagraphStyle
    note: ParagraphStyle
    cell: ParagraphStyle

    @classmethod
    def of(cls, font: str) -> _Styles:
        base = ParagraphStyle("base", fontName=font, wordWrap="CJK")
        return cls(
            issuer=ParagraphStyle("issuer", base, fontSize=26, leading=34, alignment=TA_CENTER, textColor=RED),
            title=ParagraphStyle("title", base, fontSize=18, leading=26, alignment=TA_CENTER, spaceBefore=14),
            date=ParagraphStyle("date", base, fontSize=11, leading=16, alignment=TA_CENTER, spaceBefore=4),
            body=ParagraphStyle("body", base, fontSize=11, leading=19, firstLineIndent=22, alignment=TA_JUSTIFY),
            heading=ParagraphStyle("heading", base, fontSize=13, leading=20, spaceBefore=12, spaceAfter=6, keepWithNext=1),
            subheading=ParagraphStyle("sub", base, fontSize=11, leading=16, spaceBefore=8, spaceAfter=4, keepWithNext=1),
            note=ParagraphStyle("note", base, fontSize=8.5, leading=12, spaceBefore=4, textColor=NOTE_GREY),
            cell=ParagraphStyle("cell", base, fontSize=CELL_SIZE, leading=CELL_SIZE + 1.5),
        )


class _Writer:
    """Turns one snapshot into the story of flowables, section by section."""

    def __init__(self, snapshot: Snapshot, font: str):
        self.snapshot = snapshot
        self.time_progress = snapshot.time_progress
        self.font = font
        self.styles = _Styles.of(font)
        self.sections = 0

    # --- Pages ---------------------------------------------------------------------------

    def page_templates(self) -> list[PageTemplate]:
        portrait = Frame(MARGIN, MARGIN, PORTRAIT_WIDTH, PORTRAIT[1] - MARGIN - 25 * mm, id="portrait")
        wide = Frame(WIDE_MARGIN, WIDE_MARGIN, LANDSCAPE_WIDTH, LANDSCAPE[1] - 2 * WIDE_MARGIN, id="landscape")
        return [
            PageTemplate("portrait", [portrait], onPage=functools.partial(self._decorate, PORTRAIT), pagesize=PORTRAIT),
            PageTemplate("landscape", [wide], onPage=functools.partial(self._decorate, LANDSCAPE), pagesize=LANDSCAPE),
        ]

    def _decorate(self, size: tuple[float, float], canvas, document) -> None:
        """Page number in the footer on every page; the title in the header after the first."""
        width, height = size
        canvas.saveState()
        canvas.setFont(self.font, 10)
        canvas.drawCentredString(width / 2, 9 * mm, f"— {document.page} —")
        if document.page > 1:
            canvas.setFont(self.font, 8)
            canvas.setFillColor(colors.grey)
            canvas.drawCentredString(width / 2, height - 9 * mm, self.snapshot.title)
        canvas.restoreState()

    def story(self) -> list[Flowable]:
        s = self.snapshot
        story = [*self.front_page(), *self.district()]
        story += [NextPageTemplate("landscape"), PageBreak()]
        for index, section in enumerate(s.sections):
            if index:
                story.append(Spacer(1, 8))
            story += self.unit_section(section)
        story += [NextPageTemplate("portrait"), PageBreak()]
        story += self.chart_section() + self.groups_section()
        if s.activities is not None:  # bulletins generated before the section have none
            story += self.activities_section(s.activities)
        # Bulletins generated before these four sections (snapshot schema 1) have none of them.
        if s.landing is not None:
            story += self.landing_section(s.landing)
        if s.signing_events is not None:
            story += self.signing_events_section(s.signing_events)
        if s.key_tasks is not None:
            story += self.key_tasks_section(s.key_tasks)
        if s.group_reports is not None:
            story += self.group_reports_section(s.group_reports)
        if s.annual:
            story += self.five_year_section(s.five_year)
        story += [NextPageTemplate("landscape"), PageBreak()]
        story += self.projects_section()
        return story

    # --- Sections ------------------------------------------------------------------------

    def front_page(self) -> list[Flowable]:
        s, st = self.snapshot, self.styles
        period = f"（统计截至{chinese_date(s.as_of)}，序时进度{display.rate(self.time_progress)}）"
        story = [
            _para(s.issuer, st.issuer),
            HRFlowable(width="100%", thickness=2.2, color=RED, spaceBefore=6, spaceAfter=1.5),
            HRFlowable(width="100%", thickness=0.6, color=RED, spaceAfter=4),
            _para(s.title, st.title),
            _para(chinese_date(s.issued_on), st.date),
            _para(period, st.date),
            Spacer(1, 10),
        ]
        return story + [_para(paragraph, st.body) for paragraph in s.summary]

    def district(self) -> list[Flowable]:
        head = [
            ["指标"] + [text for kind in ("园区", "区级部门", "全区") for text in (kind, "", "")],
            [""] + ["完成", "目标", "完成率"] * 3,
        ]
        rows, red = [], []
        for r, total in enumerate(self.snapshot.totals, start=len(head)):
            cells = [total.parks, total.departments, total.district]
            figures = [t for c in cells for t in _figures(c, total.is_count)]
            rows.append([_with_unit(total.label, total.is_count), *figures])
            red += [(_rate_column(k, 1), r) for k, c in enumerate(cells) if c.behind(self.time_progress)]
        label = 84
        widths = [label] + [(PORTRAIT_WIDTH - label) / 9] * 9
        spans = [("SPAN", (0, 0), (0, 1))] + [("SPAN", (c, 0), (c + 2, 0)) for c in (1, 4, 7)]
        table = self._table(head + rows, widths, spans + self._red(red), header_rows=2)
        note = f"注：红色完成率低于序时进度（{display.rate(self.time_progress)}）。{self.snapshot.rules_summary}"
        return [self._heading("全区完成情况"), table, _para(note, self.styles.note)]

    def unit_section(self, section: KindSection) -> list[Flowable]:
        if not section.indicators:  # no unit of this kind has a target this year: nothing to tabulate
            return [self._heading(f"{section.label}完成情况"), _para(f"本年度未向{section.label}下达目标，不考核。", self.styles.note)]
        story = [self._heading(f"{section.label}完成情况"), self.unit_table(section)]
        story.append(_para(self._legend(), self.styles.note))
        if self.snapshot.annual:
            story += [_para(f"{section.label}考核得分", self.styles.subheading), self.score_table(section)]
            story.append(_para("注：总得分为各项指标得分之和，排名按总得分。", self.styles.note))
        return story

    def unit_table(self, section: KindSection) -> Table:
        """Rank, unit, each indicator's 完成/目标/完成率, 综合完成率 and the 序时 mark, then 合计."""
        indicators = [Indicator(value) for value in section.indicators]
        head = [
            ["排名", "单位", *[t for i in indicators for t in (_with_unit(i.label, i.is_count), "", "")], "综合完成率", "序时进度"],
            ["", ""] + ["完成", "目标", "完成率"] * len(indicators) + ["", ""],
        ]
        rows, commands = [], []
        for r, row in enumerate(section.rows, start=len(head)):
            rows.append(self._unit_row(row, indicators))
            commands += self._red((_rate_column(k, 2), r) for k, i in enumerate(indicators) if row.cells[i].behind(self.time_progress))
            if row.behind(self.time_progress):
                commands += [("BACKGROUND", (0, r), (-1, r), BEHIND_FILL), ("TEXTCOLOR", (-1, r), (-1, r), RED)]
        total = ["", "合计"] + [t for i in indicators for t in _figures(section.total[i], i.is_count)] + ["", ""]
        last = len(head) + len(rows)
        commands += self._red((_rate_column(k, 2), last) for k, i in enumerate(indicators) if section.total[i].behind(self.time_progress))
        commands.append(("BACKGROUND", (0, last), (-1, last), TOTAL_FILL))
        # The last two hold 综合完成率 and 序时进度 on one line each (4 characters need 34 pt).
        fixed, tail = [24, UNIT_WIDTH], [44, 36]
        figure = (LANDSCAPE_WIDTH - sum(fixed) - sum(tail)) / (3 * len(indicators))
        widths = fixed + [figure] * (3 * len(indicators)) + tail
        spans = [("SPAN", (c, 0), (c, 1)) for c in (0, 1, len(widths) - 2, len(widths) - 1)]
        spans += [("SPAN", (2 + 3 * k, 0), (4 + 3 * k, 0)) for k in range(len(indicators))]
        return self._table(head + rows + [total], widths, spans + commands, header_rows=2, text_columns=(1,))

    def _unit_row(self, row: UnitRow, indicators: Sequence[Indicator]) -> list:
        figures = [t for i in indicators for t in _figures(row.cells[i], i.is_count)]
        if row.overall_rate is None:
            mark = "–"
        else:
            mark = "落后" if row.behind(self.time_progress) else "达到"
        return [display.count(row.rank), self._text(row.name, UNIT_WIDTH), *figures, display.rate(row.overall_rate), mark]

    def _legend(self) -> str:
        return (
            f"注：底色标示综合完成率低于序时进度（{display.rate(self.time_progress)}）的单位，“序时进度”栏注明“落后”或“达到”；"
            f"红色完成率表示该项指标低于序时进度；“–”表示未下达目标。资金单位：亿元，项目单位：个。"
        )

    def score_table(self, section: KindSection) -> Table:
        indicators = section.indicators
        head = [["排名", "单位"] + [f"{Indicator(i).label}得分" for i in indicators] + ["总得分"]]
        rows = [
            [display.count(row.rank), self._text(row.name, 90)]
            + [display.score(row.cells[i].points) for i in indicators]
            + [display.score(row.score)]
            for row in section.rows
        ]
        fixed = [30, 90, 60]
        points = min(80, (LANDSCAPE_WIDTH - sum(fixed)) / len(indicators))
        widths = fixed[:2] + [points] * len(indicators) + fixed[2:]
        return self._table(head + rows, widths, [], header_rows=1, text_columns=(1,))

    def chart_section(self) -> list[Flowable]:
        story = [self._heading("各单位协议资金完成率")]
        for section in self.snapshot.sections:
            rated = [(row.name, row.cells[Indicator.AGREEMENT_CAPITAL.value]) for row in section.rows]
            rated = sorted((item for item in rated if item[1].rate is not None), key=lambda item: -item[1].rate)
            story.append(_para(f"{section.label}（{len(rated)}个单位）", self.styles.subheading))
            if not rated:
                story.append(_para("没有下达协议资金目标的单位。", self.styles.note))
                continue
            axis_max, step = chart_axis(float(rated[0][1].rate))
            # Charts of one kind share the scale.
            story += [self.rate_chart(rated[i : i + CHART_BARS], axis_max, step) for i in range(0, len(rated), CHART_BARS)]
        note = (
            f"注：红色条为协议资金完成率低于序时进度的单位，红色虚线为序时进度（{display.rate(self.time_progress)}）；"
            "未下达协议资金目标的单位不列。"
        )
        return story + [_para(note, self.styles.note)]

    def rate_chart(self, cells: Sequence[tuple[str, Cell]], axis_max: float, step: float) -> Drawing:
        """Horizontal bars in the given order from the top, with the time-progress line across."""
        cells = list(reversed(cells))  # the chart draws its first category at the bottom
        bar, label_width, top = 16, 92, 18
        chart = HorizontalBarChart()
        chart.x, chart.y = label_width, 16
        chart.width, chart.height = PORTRAIT_WIDTH - label_width - 44, bar * len(cells)
        chart.data = [[float(cell.rate) for _name, cell in cells]]  # floats only for the bar lengths
        chart.barLabelFormat = "values"
        chart.barLabelArray = [[display.rate(cell.rate) for _name, cell in cells]]
        chart.barLabels.fontName, chart.barLabels.fontSize = self.font, 7
        chart.barLabels.boxAnchor, chart.barLabels.dx = "w", 3
        chart.bars.strokeColor = None
        chart.bars[0].fillColor = BAR
        for index, (_name, cell) in enumerate(cells):
            if cell.behind(self.time_progress):
                chart.bars[(0, index)].fillColor = RED
        chart.categoryAxis.categoryNames = [name for name, _cell in cells]
        chart.categoryAxis.labels.fontName, chart.categoryAxis.labels.fontSize = self.font, 8
        chart.categoryAxis.labels.boxAnchor, chart.categoryAxis.labels.dx = "e", -4
        chart.valueAxis.valueMin, chart.valueAxis.valueMax, chart.valueAxis.valueStep = 0, axis_max, step
        chart.valueAxis.labels.fontName, chart.valueAxis.labels.fontSize = self.font, 7
        chart.valueAxis.labelTextFormat = lambda v: f"{v * 100:.0f}%"
        drawing = Drawing(PORTRAIT_WIDTH, chart.y + chart.height + top, initialFontName=self.font)
        x = chart.x + chart.width * float(self.time_progress) / axis_max
        top_of_bars = chart.y + chart.height
        drawing.add(Line(x, chart.y, x, top_of_bars + 4, strokeColor=RED, strokeWidth=1, strokeDashArray=[3, 2]))
        drawing.add(chart)  # over the line: the bars' labels stay readable
        label = f"序时进度 {display.rate(self.time_progress)}"
        drawing.add(String(x, top_of_bars + 7, label, fontName=self.font, fontSize=7, fillColor=RED, textAnchor="middle"))
        return drawing

    def groups_section(self) -> list[Flowable]:
        groups = self.snapshot.groups
        story = [self._heading("专项招商组工作情况")]
        if not groups:
            return story + [_para("本期没有专项招商组。", self.styles.body)]
        head = [["序号", "专项招商组", "组长", "项目（个）", "协议资金（亿元）", "到位资金（亿元）"]]
        rows = [[str(g.number), self._text(g.name, 170), self._text(g.leader, 64), *_group_figures(g)] for g in groups]
        rows.append(["", "合计", "", *_group_figures(self.snapshot.groups_total)])
        commands = [("BACKGROUND", (0, -1), (-1, -1), TOTAL_FILL)]
        table = self._table(head + rows, [32, 170, 64, 62, 77, 77], commands, header_rows=1, text_columns=(1, 2))
        note = "注：专项招商组的项目与资金按项目全额统计，不按项目来源和联合招商折算。"
        return story + [table, _para(note, self.styles.note)]

    def activities_section(self, block: ActivityBlock) -> list[Flowable]:
        """Activities by kind per unit in the quarter, then each unit's leads by stage."""
        span = f"{chinese_date(block.start)}至{chinese_date(block.end)}"
        story = [self._heading(f"招商活动（{span}）")]
        for title, labels, values in (
            ("各单位招商活动（次）", block.activity_kinds, lambda row: row.activities),
            ("各单位招商线索（个，按当前阶段）", block.lead_stages, lambda row: row.leads),
        ):
            story += [_para(title, self.styles.subheading), self._count_table(block, labels, values)]
        note = "注：活动按登记的活动日期计入本季度；线索按生成通报时所处阶段统计。"
        return story + [_para(note, self.styles.note)]

    def _count_table(self, block: ActivityBlock, labels: Sequence[str], values) -> Table:
        def line(row: ActivityRow, name) -> list:
            counts = values(row)
            return [name, *[display.count(n) for n in counts], display.count(sum(counts))]

        head = [["单位", *labels, "合计"]]
        rows = [line(row, self._text(row.unit, UNIT_WIDTH + 24)) for row in block.rows] + [line(block.total, "合计")]
        figure = (PORTRAIT_WIDTH - UNIT_WIDTH - 24) / (len(labels) + 1)
        commands = [("BACKGROUND", (0, -1), (-1, -1), TOTAL_FILL)]
        return self._table(head + rows, [UNIT_WIDTH + 24] + [figure] * (len(labels) + 1), commands, header_rows=1)

    def landing_section(self, block: LandingBlock) -> list[Flowable]:
        """Each assessed unit's cohort at the quarter's end, then the projects past their start deadline."""
        story = [self._heading(f"项目落地（截至{chinese_date(block.as_of)}）")]
        head = [["单位", "签约（个）", "开工（个）", "开工率", "投产（个）", "投产率", "超时限未开工（个）"]]

        def line(row: LandingRow, name) -> list:
            return [
                name, display.count(row.signed), display.count(row.started), display.rate(row.start_rate),
                display.count(row.producing), display.rate(row.produce_rate), display.count(row.overdue),
            ]  # fmt: skip

        rows = [line(row, self._text(row.unit, UNIT_WIDTH + 44)) for row in block.rows] + [line(block.total, "合计")]
        figure = (PORTRAIT_WIDTH - UNIT_WIDTH - 44) / 6
        commands = [("BACKGROUND", (0, -1), (-1, -1), TOTAL_FILL)]
        commands += self._red((6, r) for r, row in enumerate(block.rows, start=1) if row.overdue)
        story.append(self._table(head + rows, [UNIT_WIDTH + 44] + [figure] * 6, commands, header_rows=1))
        story.append(_para(f"超时限未开工项目（开工时限：签约后{block.start_limit_days}天）", self.styles.subheading))
        if block.shortened:
            story.append(_para(block.shortened_note, self.styles.body))
        if block.overdue:
            columns = [("单位", 80), ("项目编号", 70), ("项目名称", 170), ("签约日期", 54), ("开工时限", 54), ("超期（天）", 54)]
            widths = [w for _h, w in columns]
            overdue = [
                [self._text(p.unit, widths[0]), self._text(p.code, widths[1]), self._text(p.name, widths[2]),
                 p.signed_on.isoformat(), p.deadline.isoformat(), display.count(p.days_overdue)]
                for p in block.overdue
            ]  # fmt: skip
            story.append(self._table([[h for h, _w in columns]] + overdue, widths, [], header_rows=1, text_columns=(0, 1, 2, 3, 4)))
        else:
            story.append(_para("没有超过开工时限未开工的项目。", self.styles.body))
        note = (
            "注：各单位牵头、本年1月1日至期末签约并计入考核的项目；开工、投产以已核实的实际日期为准；"
            "开工率 = 开工 ÷ 签约，投产率 = 投产 ÷ 签约；“–”表示没有签约项目。"
        )
        return story + [_para(note, self.styles.note)]

    def signing_events_section(self, block: SigningEventBlock) -> list[Flowable]:
        story = [self._heading(f"集中签约活动（截至{chinese_date(block.as_of)}）")]
        if not block.rows:
            return story + [_para(f"{block.as_of.year}年截至{chinese_date(block.as_of)}没有举办集中签约活动。", self.styles.body)]
        columns = [
            ("活动名称", 120), ("日期", 50), ("主办单位", 70), ("签约数\n（个）", 38), ("签约额\n（亿元）", 48),
            ("开工率", 44), ("投产率", 44), ("到位资金\n（亿元）", 48),
        ]  # fmt: skip
        widths = [w for _h, w in columns]
        rows = [
            [self._text(e.name, widths[0]), e.held_on.isoformat(), self._text(e.organiser, widths[2]), display.count(e.signed),
             display.money(e.agreement_capital), display.rate(e.start_rate), display.rate(e.produce_rate), display.money(e.arrived_capital)]
            for e in block.rows
        ]  # fmt: skip
        story.append(self._table([[h for h, _w in columns]] + rows, widths, [], header_rows=1, text_columns=(0, 1, 2)))
        note = "注：签约数、签约额为活动签约且计入考核的项目（项目全额，不折算）；开工率、投产率、到位资金（已核实）均截至期末。"
        return story + [_para(note, self.styles.note)]

    def key_tasks_section(self, block: KeyTaskBlock) -> list[Flowable]:
        """The tasks × units matrix, its legend, and the reports missing or returned."""
        story = [self._heading(f"重点任务推进情况（第{self.snapshot.quarter}季度）")]
        if not block.tasks:
            return story + [_para(f"{self.snapshot.year}年没有录入重点任务。", self.styles.body)]
        name = UNIT_WIDTH + 24
        figure = (PORTRAIT_WIDTH - name) / len(block.tasks)
        head = [["单位", *[str(task.number) for task in block.tasks]]]
        rows, commands = [], []
        for r, row in enumerate(block.rows, start=1):
            rows.append([self._text(row.unit, name), *[cell.label or "" for cell in row.cells]])
            for c, cell in enumerate(row.cells, start=1):
                if cell.colour in TASK_CELL_FILLS:
                    commands.append(("BACKGROUND", (c, r), (c, r), TASK_CELL_FILLS[cell.colour]))
                if cell.colour == "overdue":
                    commands += self._red([(c, r)])
        commands.append(("ALIGN", (1, 1), (-1, -1), "CENTER"))
        story.append(self._table(head + rows, [name] + [figure] * len(block.tasks), commands, header_rows=1))
        counts = "；".join(f"{entry.label}{entry.count}项" for entry in block.legend)
        titles = "；".join(f"{task.number}.{task.title}" for task in block.tasks)
        story.append(
            _para(f"注：报送截止{chinese_date(block.due_on)}，状态按{chinese_date(block.measured_on)}统计：{counts}。任务：{titles}。", self.styles.note)
        )
        story.append(_para("未报送及退回待重报的季报", self.styles.subheading))
        if not block.missing:
            return story + [_para("各单位均已报送。", self.styles.body)]
        # One line per task and state, its units together: a quarter nobody has reported on yet
        # would otherwise take a page per task.
        columns = [("序号", 30), ("任务", 150), ("状态", 66), ("单位", PORTRAIT_WIDTH - 246)]
        widths = [w for _h, w in columns]
        in_order = sorted(block.missing, key=lambda m: (m.number, m.colour))  # stable: the units keep their order
        lines = itertools.groupby(in_order, key=lambda m: (m.number, m.title, m.colour, m.state))
        rows, commands = [], []
        for r, ((number, title, colour, state), reports) in enumerate(lines, start=1):
            units = "、".join(m.unit for m in reports)
            rows.append([str(number), self._text(title, widths[1]), state, self._text(units, widths[3])])
            if colour == "overdue":
                commands += self._red([(2, r)])
        return story + [self._table([[h for h, _w in columns]] + rows, widths, commands, header_rows=1, text_columns=(1, 2, 3))]

    def group_reports_section(self, block: GroupReportBlock) -> list[Flowable]:
        """Whether each group filed its report, who filed it, the figures it froze and its text's beginning."""
        story = [self._heading(f"专项招商组季度报告（第{block.quarter}季度）")]
        if not block.rows:
            return story + [_para("本期没有专项招商组。", self.styles.body)]
        columns = [
            ("序号", 20), ("专项招商组", 90), ("报送情况", 56), ("报送人", 48), ("报送日期", 48), ("本季签约\n（个）", 34),
            ("本季协议\n资金（亿元）", 49), ("本年签约\n（个）", 34), ("本年协议\n资金（亿元）", 49), ("本年到位\n资金（亿元）", 49),
        ]  # fmt: skip
        widths = [w for _h, w in columns]
        rows = []
        for g in block.rows:
            figures = (
                [display.count(g.quarter_projects), display.money(g.quarter_capital), display.count(g.year_projects),
                 display.money(g.year_capital), display.money(g.arrived_capital)]
                if g.filed else ["–"] * 5
            )  # fmt: skip
            submitted_on = g.submitted_on.isoformat() if g.submitted_on else "–"
            rows.append([str(g.number), self._text(g.group, widths[1]), self._text(g.state_label, widths[2]),
                         self._text(g.submitted_by or "–", widths[3]), submitted_on, *figures])  # fmt: skip
        commands = self._red((2, r) for r, g in enumerate(block.rows, start=1) if g.state == "overdue")
        story.append(self._table([[h for h, _w in columns]] + rows, widths, commands, header_rows=1, text_columns=(1, 2, 3, 4)))
        story.append(_para(f"注：报送截止{chinese_date(block.due_on)}；数字为各组报送时冻结的本组数据（项目全额，不折算）。", self.styles.note))
        for g in block.rows:
            if g.filed and g.summary:
                story.append(_para(f"{g.group}：{g.summary}", self.styles.body))
        return story

    def five_year_section(self, block: FiveYearBlock | None) -> list[Flowable]:
        if block is None:
            return [self._heading("五年目标推进情况"), _para(self.snapshot.five_year_note, self.styles.body)]
        story = [
            self._heading(f"“{block.name}”五年目标推进情况（{block.start_year}—{block.end_year}年）"),
            _para(f"五年时间进度{display.rate(block.progress)}。", self.styles.body),
        ]
        head = [["指标", "完成", "目标", "完成率", "单位", "统计口径"]]
        rows, red = [], []
        for r, goal in enumerate(block.rows, start=1):
            is_count = goal.unit == "个"
            figures = [display.amount(goal.actual, is_count), display.amount(goal.target, is_count), display.rate(goal.rate)]
            rows.append([self._text(goal.label, 110), *figures, goal.unit, self._text(goal.basis, 190)])
            if goal.rate is not None and goal.rate < block.progress:
                red.append((3, r))
        table = self._table(head + rows, [110, 54, 54, 50, 24, 190], self._red(red), header_rows=1, text_columns=(0, 4, 5))
        note = f"注：红色完成率低于五年时间进度（{display.rate(block.progress)}）。"
        if self.snapshot.five_year_note:
            note += self.snapshot.five_year_note
        return story + [table, _para(note, self.styles.note)]

    def projects_section(self) -> list[Flowable]:
        s = self.snapshot
        span = f"{chinese_date(s.quarter_start)}至{chinese_date(s.as_of)}"
        story = [self._heading(f"第{s.quarter}季度签约的重大、较大项目（{span}）")]
        if not s.projects:
            return story + [_para(f"第{s.quarter}季度没有签约重大、较大项目。", self.styles.body)]
        columns = [
            ("项目编号", 70), ("项目名称", 160), ("类别", 38), ("牵头单位", 62), ("配合单位", 96), ("来源", 40),
            ("行业", 30), ("协议资金\n（亿元）", 46), ("预计产值\n（亿元）", 46), ("签约日期", 50), ("专项招商组", 104),
        ]
        widths = [w for _h, w in columns]
        head = [[h for h, _w in columns]]
        rows = [
            [
                self._text(p.code, widths[0]), self._text(p.name, widths[1]), p.tier, self._text(p.lead_unit, widths[3]),
                self._text(p.cooperating_units or "–", widths[4]), p.origin, p.sector, display.money(p.agreement_capital),
                display.money(p.expected_output), p.signed_on.isoformat(), self._text(p.group or "–", widths[10]),
            ]
            for p in s.projects
        ]
        table = self._table(head + rows, widths, [], header_rows=1, text_columns=(0, 1, 2, 3, 4, 5, 6, 9, 10))
        note = f"共{len(s.projects)}个项目，按类别、协议资金从大到小排列；协议资金为项目全额，不折算。"
        return story + [table, _para(note, self.styles.note)]

    # --- Pieces --------------------------------------------------------------------------

    def _heading(self, text: str) -> Paragraph:
        numeral = NUMERALS[self.sections]
        self.sections += 1
        return _para(f"{numeral}、{text}", self.styles.heading)

    def _text(self, text: str, width: float):
        """A cell's text: a plain string when it fits the column on one line (cheap, never
        parsed), else an escaped Paragraph that wraps."""
        if pdfmetrics.stringWidth(text, self.font, CELL_SIZE) <= width - 2 * CELL_PADDING:
            return text
        return _para(text, self.styles.cell)

    @staticmethod
    def _red(cells) -> list[tuple]:
        return [("TEXTCOLOR", cell, cell, RED) for cell in cells]

    def _table(self, data, widths, commands, *, header_rows: int, text_columns: Sequence[int] = (0,)) -> Table:
        """A grid with `header_rows` repeated on every page it runs over; numbers right-aligned."""
        style = [
            ("FONT", (0, 0), (-1, -1), self.font, CELL_SIZE, CELL_SIZE + 1.5),
            ("GRID", (0, 0), (-1, -1), 0.4, GRID),
            ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
            ("ALIGN", (0, 0), (-1, -1), "RIGHT"),
            ("LEFTPADDING", (0, 0), (-1, -1), CELL_PADDING),
            ("RIGHTPADDING", (0, 0), (-1, -1), CELL_PADDING),
            ("TOPPADDING", (0, 0), (-1, -1), 2),
            ("BOTTOMPADDING", (0, 0), (-1, -1), 2.5),
        ]
        style += [("ALIGN", (c, header_rows), (c, -1), "LEFT") for c in text_columns]
        header = ((0, 0), (-1, header_rows - 1))
        style += [("ALIGN", *header, "CENTER"), ("BACKGROUND", *header, HEADER_FILL)]
        return Table(data, colWidths=widths, repeatRows=header_rows, style=TableStyle(style + list(commands)), hAlign="LEFT")
