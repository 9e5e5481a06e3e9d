"""The projects list as an Excel file: the rows the list shows, in its order, unpaginated."""

from __future__ import annotations

import datetime
from collections.abc import Iterator

from django.db.models import BigIntegerField, OuterRef, QuerySet, Subquery

from landing.stages import StageReached
from lib.sql import exact_sum, from_ten_thousandths
from lib.xlsx import DATE_FORMAT, MONEY_FORMAT, Column, write_xlsx
from targets import scoring
from targets.models import Organisation

from .models import Arrival, Project

SHEET_TITLE = "招商项目"
COLUMNS = (
    Column("项目编号", 16),
    Column("项目名称", 36),
    Column("投资方", 30),
    Column("牵头单位", 16),
    Column("配合单位", 24),
    Column("专项招商组", 20),
    Column("产业类型", 10),
    Column("项目来源", 10),
    Column("协议资金（亿元）", 14, MONEY_FORMAT),
    Column("预计产值（亿元）", 14, MONEY_FORMAT),
    Column("到位资金（亿元，已核实）", 14, MONEY_FORMAT),
    Column("签约日期", 12, DATE_FORMAT),
    Column("项目档次", 10),
    Column("项目阶段", 10),
    Column("审核状态", 10),
)
CHUNK = 2000


def project_row(project: Project) -> list[object]:
    """One project as the export's cells; money stays Decimal (a number in Excel). Needs
    `verified_arrived` annotated (with_verified_arrived) and `stage_code` (landing.stages)."""
    return [
        project.code,
        project.name,
        project.investor,
        project.lead_unit.name,
        "、".join(cooperation.unit.name for cooperation in project.cooperations.all()),
        project.group.name if project.group else None,
        project.get_sector_display(),
        project.get_origin_display(),
        project.agreement_capital,
        project.expected_output,
        from_ten_thousandths(project.verified_arrived),
        project.signed_on,
        scoring.Tier(project.tier).label if project.tier else None,
        str(StageReached.from_code(project.stage_code)),
        project.get_status_display(),
    ]


def with_verified_arrived(projects: QuerySet) -> QuerySet:
    """Annotate `verified_arrived`: the project's verified arrivals summed exactly, in 万元 (None
    when there are none), by a subquery of the rows' own query, so no query per row."""
    verified = (
        Arrival.objects.counted().filter(project=OuterRef("pk"))
        .order_by()
        .values("project")
        .annotate(money=exact_sum("amount"))
        .values("money")
    )
    return projects.annotate(verified_arrived=Subquery(verified, output_field=BigIntegerField()))


def project_rows(projects: QuerySet) -> Iterator[list[object]]:
    """`projects` as ProjectTable gets them: `tier` annotated, units and groups at hand.
    Read in chunks, each with its prefetch, so a large export does not hold every project."""
    return (project_row(project) for project in with_verified_arrived(projects).iterator(chunk_size=CHUNK))


def projects_workbook(projects: QuerySet, *, organisation: Organisation) -> bytes:
    return write_xlsx(
        title=SHEET_TITLE,
        columns=COLUMNS,
        rows=project_rows(projects),
        autofilter=True,
        document_title=f"{organisation.district}{SHEET_TITLE}",
        creator=organisation.system_title,
    )


def export_filename(today: datetime.date, *, organisation: Organisation) -> str:
    return f"{organisation.district}{SHEET_TITLE}_{today:%Y%m%d}.xlsx"
