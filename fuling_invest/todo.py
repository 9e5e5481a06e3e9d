"""What each role has to do next (待办): the dashboard's to-do block and the menu's counts.

- Unit staff: their unit's returned projects (with the reason), drafts not submitted, arrived
  capital waiting for a reviewer (待核实), approved projects without a recent update.
- Reviewers: the review queue, the verification queue, draft bulletins to publish.
- Leaders change nothing, so they have nothing to do here.
- Leads (domain.md §10): staff see their unit's overdue and stale leads, listed with since when;
  reviewers the district's counts, each unit's on the lead board. Computed live when the
  dashboard reads the block (the rule set, the counts and, for staff, the two lists: 4 queries
  for staff, 2 for reviewers); the menu's counts leave them out, so every page keeps its one query.
- Key tasks (domain.md §12): staff see their unit's task reports overdue (marked by the daily
  job) and returned, with the comment; one query, on the dashboard only.

It spans the apps (projects, reports), so it sits with the roles above them. The counts of a
role are one query, read only where a page shows them; the dashboard's lists add two for staff.

Counts stop at UP_TO: a badge says "99+" where more wait, and the queue it links to counts them
all. Counting 780,000 unverified arrivals on every page, to print a number nobody reads past 99,
was most of each page's time at the bench's size (docs/performance.md).
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from functools import cached_property

from django.db import connection
from django.db.models import Exists, OuterRef, QuerySet
from django.urls import reverse
from django.utils import timezone

from access import permissions
from access.roles import Access, access_of
from landing.models import Milestone
from projects.models import Arrival, Project, Status, SupplementaryAgreement
from leads.models import Lead, StaleDays
from reports.models import Bulletin
from supervision.models import ReportState, TaskReport

# An approved project whose facts have not changed and which got no arrived-capital entry for
# this many days is listed as 长期未更新: its stage or its arrivals probably need an update.
STALE_AFTER_DAYS = 60
# The dashboard lists at most this many projects under one item; the count says how many in all.
LISTED = 10
# Counts stop here; a count that reached it is shown as "99+".
UP_TO = 100


def shown(count: int) -> str:
    """A count as a badge prints it: "99+" once it reached UP_TO, which may stand for more."""
    return f"{UP_TO - 1}+" if count >= UP_TO else str(count)


def counts_in_one_query(*, up_to: int | None = None, **querysets: QuerySet) -> dict[str, int]:
    """The number of rows of each queryset, in a single round trip to the database; with
    `up_to`, each count stops there (the database stops reading at that many rows)."""
    parts, params = [], []
    for n, queryset in enumerate(querysets.values()):
        queryset = queryset.order_by().values("pk")
        if up_to is not None:
            queryset = queryset[:up_to]
        sql, query_params = queryset.query.sql_with_params()
        parts.append(f"(SELECT COUNT(*) FROM ({sql}) AS counted_{n})")
        params.extend(query_params)
    with connection.cursor() as cursor:
        cursor.execute("SELECT " + ", ".join(parts), params)
        row = cursor.fetchone()
    return dict(zip(querysets, row))


@dataclass(frozen=True)
class Item:
    """One line of the to-do block: what, how many, where to see them."""

    label: str
    count: int
    url: str | None  # None: no page lists exactly these; the block lists them itself
    hint: str = ""
    projects: list[Project] = field(default_factory=list)  # the first LISTED, when the block lists them
    shows_reason: bool = False
    leads: list[Lead] = field(default_factory=list)  # the first LISTED leads, each with `alert_since`
    since: str = ""  # what `alert_since` is the start of: 逾期, 停滞
    task_reports: list[TaskReport] = field(default_factory=list)  # the first LISTED key-task reports to file

    @property
    def shown(self) -> str:
        return shown(self.count)

    @property
    def capped(self) -> bool:
        """The count stopped at UP_TO: there may be more."""
        return self.count >= UP_TO


class ToDo:
    """A user's to-do, computed lazily: templates read `counts` (the menu) and `items` (the dashboard)."""

    def __init__(self, access: Access):
        self.access = access
        self.stale_before = timezone.now() - datetime.timedelta(days=STALE_AFTER_DAYS)

    @property
    def for_staff(self) -> bool:
        return permissions.staff_unit_id(self.access) is not None

    # --- What is counted ---

    def _staff_querysets(self) -> dict[str, QuerySet]:
        of_unit = Project.objects.filter(lead_unit=self.access.unit)
        recently_entered = Arrival.objects.filter(project=OuterRef("pk"), created_at__gte=self.stale_before)
        return {
            "returned": of_unit.filter(status=Status.RETURNED),
            "drafts": of_unit.filter(status=Status.DRAFT),
            "pending": Arrival.objects.awaiting_verification().filter(project__lead_unit=self.access.unit),
            "stale": of_unit.filter(status=Status.APPROVED, updated_at__lt=self.stale_before).exclude(
                Exists(recently_entered)
            ),
        }

    def _reviewer_querysets(self) -> dict[str, QuerySet]:
        return {
            "review": Project.objects.review_queue(),
            "verify": Arrival.objects.awaiting_verification(),
            "verify_agreements": SupplementaryAgreement.objects.awaiting_verification(),
            "verify_milestones": Milestone.objects.unverified().filter(project__status=Status.APPROVED),
            "bulletins": Bulletin.objects.filter(state=Bulletin.State.DRAFT),
        }

    @cached_property
    def counts(self) -> dict[str, int]:
        """The role's counts by name, each up to UP_TO (one query); empty for a role with nothing to do."""
        if permissions.reviews(self.access):
            return counts_in_one_query(up_to=UP_TO, **self._reviewer_querysets())
        if self.for_staff:
            return counts_in_one_query(up_to=UP_TO, **self._staff_querysets())
        return {}

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    @cached_property
    def badges(self) -> dict[str, str]:
        """The menu's badges as printed ("" for nothing): the staff's total, the reviewers'
        review queue and everything the verification queue holds (capital, agreements, milestones)."""
        counts = self.counts
        verify = sum(counts.get(name, 0) for name in ("verify", "verify_agreements", "verify_milestones"))
        return {
            name: shown(count) if count else ""
            for name, count in (("total", self.total), ("review", counts.get("review", 0)), ("verify", verify))
        }

    @property
    def items_total(self) -> int:
        """Everything the dashboard's block lists: the menu's total and the leads' items."""
        return sum(item.count for item in self.items)

    @property
    def items_total_shown(self) -> str:
        return shown(self.items_total)

    # --- The dashboard's block ---

    @cached_property
    def items(self) -> list[Item]:
        if permissions.reviews(self.access):
            return self._reviewer_items() + self._lead_items(of_unit=None)
        if self.for_staff:
            return self._staff_items() + self._lead_items(of_unit=self.access.unit) + self._task_report_items()
        return []

    def _staff_items(self) -> list[Item]:
        counts, querysets = self.counts, self._staff_querysets()
        projects = reverse("project_list")
        returned = list(querysets["returned"].order_by("-reviewed_at", "-pk")[:LISTED])
        stale = list(querysets["stale"].order_by("updated_at", "pk")[:LISTED])
        return [
            Item("已退回的项目", counts["returned"], f"{projects}?status={Status.RETURNED}",
                 "招商局退回修改的项目：按退回原因修改后重新提交审核。", returned, shows_reason=True),
            Item("未提交的草稿", counts["drafts"], f"{projects}?status={Status.DRAFT}",
                 "保存为草稿、尚未提交审核的项目：提交后才会审核、计入考核。"),
            Item("待核实的到位资金", counts["pending"], reverse("unit_detail", args=[self.access.unit.pk]) + "#pending",
                 "本单位牵头项目登记的到位资金，招商局审核员核实后才计入考核；核实前可修改或删除。"),
            Item("长期未更新的项目", counts["stale"], None,
                 f"已审核、{STALE_AFTER_DAYS}天内既未修改项目信息也未登记到位资金的项目：请更新项目阶段或到位资金。", stale),
        ]

    def _reviewer_items(self) -> list[Item]:
        counts = self.counts
        return [
            Item("待审核项目", counts["review"], reverse("review_queue"), "已提交、等待审核的项目。"),
            Item("待核实到位资金", counts["verify"], reverse("verification_queue"), "对照凭证核实后才计入考核。"),
            Item("待核实补充协议", counts["verify_agreements"], reverse("verification_queue") + "#agreements",
                 "对照补充协议核实后才计入当期协议资金。"),
            Item("待核实项目节点", counts["verify_milestones"], reverse("verification_queue") + "#milestones",
                 "已审核项目填报的开工、投产等实际日期，核实后才计入开工率、投产率。"),
            Item("待发布通报", counts["bulletins"], reverse("report_list"), "已生成、尚未发布的通报草稿。"),
        ]

    def _lead_items(self, *, of_unit) -> list[Item]:
        """Overdue and stale leads: a unit's, listed, for its staff; the district's counts for reviewers."""
        today = timezone.localdate()
        days = StaleDays.for_day(today)
        leads = Lead.objects.all() if of_unit is None else Lead.objects.filter(owner_unit=of_unit)
        overdue, stale = leads.overdue(today), leads.stale(today, days)
        counts = counts_in_one_query(up_to=UP_TO, overdue=overdue, stale=stale)
        board, listed = reverse("lead_board"), reverse("lead_list")
        unit_query = "" if of_unit is None else f"unit={of_unit.pk}&"
        stale_hint = f"线索、接洽阶段 {days.early} 天、洽谈、拟签约阶段 {days.late} 天没有招商活动的线索：请登记最新活动。"
        if of_unit is None:
            per_unit = "各单位的数量见线索看板。"
            return [
                Item("逾期的线索", counts["overdue"], board, f"下一步已过截止日期的进行中线索。{per_unit}"),
                Item("停滞的线索", counts["stale"], board, f"{stale_hint}{per_unit}"),
            ]
        return [
            Item("逾期的线索", counts["overdue"], f"{listed}?{unit_query}overdue=true",
                 "本单位下一步已过截止日期的进行中线索：请推进并更新下一步和截止日期。",
                 leads=_since(overdue.order_by("deadline", "pk")[:LISTED], "overdue_since"), since="逾期"),
            Item("停滞的线索", counts["stale"], f"{listed}?{unit_query}stale=true", stale_hint,
                 leads=_since(stale.order_by("last_activity_on", "created_at", "pk")[:LISTED], "stale_since"), since="停滞"),
        ]

    def _task_report_items(self) -> list[Item]:
        """The unit's key-task reports marked overdue by the daily job, and those a reviewer
        returned (domain.md §12): one query, the rows being at most the tasks × quarters."""
        to_do = list(
            TaskReport.objects.filter(unit=self.access.unit).to_do().select_related("task").order_by("year", "quarter", "task__number")
        )
        overdue = [report for report in to_do if report.state == ReportState.DUE]
        returned = [report for report in to_do if report.state == ReportState.RETURNED]
        unit_page = reverse("unit_task_reports", args=[self.access.unit.pk])

        def listed(reports: list[TaskReport]) -> str:
            """The unit's reports of the quarter of the earliest one listed (the page shows one quarter)."""
            return f"{unit_page}?year={reports[0].year}&quarter={reports[0].quarter}" if reports else unit_page

        return [
            Item("逾期未报的重点任务季报", len(overdue), listed(overdue),
                 "季度结束后第5日仍未报送的重点任务季报：请尽快报送。", task_reports=overdue[:LISTED], since="逾期"),
            Item("被退回的重点任务季报", len(returned), listed(returned),
                 "招商局退回的重点任务季报：按退回意见修改后重新报送。", task_reports=returned[:LISTED], shows_reason=True),
        ]


def _since(leads: QuerySet, mark: str) -> list[Lead]:
    """The leads, each with `alert_since`: the day the daily job first found the mark (None
    before its first run after the lead became so)."""
    listed = list(leads)
    for lead in listed:
        lead.alert_since = getattr(lead, mark)
    return listed


def context(request) -> dict:
    """Template context: `todo`, nothing asked of the database until a template reads it."""
    return {"todo": ToDo(access_of(request.user))}
