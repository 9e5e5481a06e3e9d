"""The projects list as a django-tables2 table: columns, display and sorting."""

from __future__ import annotations

import django_tables2 as tables
from django.db.models import Case, IntegerField, QuerySet, Value, When
from django.utils.html import format_html

from landing.stages import StageReached
from lib.display import money
from targets import scoring
from targets.landing_rules import Colour

from .models import Project

NUMBER = {"td": {"class": "num"}, "th": {"class": "num"}}
NOWRAP = {"td": {"class": "nowrap"}}
WIDE = {"td": {"class": "wide"}}
# Highest tier first when sorted descending: ascending is 未达标准 → 重大项目.
TIER_RANK = Case(
    *(When(tier=tier.value, then=Value(rank)) for rank, tier in enumerate(reversed(scoring.Tier))),
    output_field=IntegerField(),
)


class MoneyColumn(tables.Column):
    """亿元, rounded to 2 decimals for display only."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("attrs", NUMBER)
        super().__init__(*args, **kwargs)

    def render(self, value):
        return money(value)


class ProjectTable(tables.Table):
    """Rows need `tier` and `stage_code` annotated (projects.filters.ProjectFilter.qs), `lead_unit` and `group` selected
    and `cooperations` prefetched with their units."""

    code = tables.Column(order_by=("code",), attrs=NOWRAP)
    name = tables.Column(linkify=("project_detail", {"pk": tables.A("pk")}), order_by=("name", "pk"), attrs=WIDE)
    investor = tables.Column(order_by=("investor", "pk"), attrs=WIDE)
    # A unit's name on one line: the column is short, and a name broken after 2 characters misreads.
    lead_unit = tables.Column(order_by=("lead_unit__sort_order", "lead_unit__name", "pk"), attrs=NOWRAP)
    cooperating = tables.Column(verbose_name="配合单位", accessor="pk", orderable=False)
    group = tables.Column(order_by=("group__number", "pk"))
    sector = tables.Column(order_by=("sector", "pk"))
    origin = tables.Column(order_by=("origin", "pk"))
    agreement_capital = MoneyColumn(verbose_name="协议资金（亿元）", order_by=("agreement_capital", "pk"))
    expected_output = MoneyColumn(verbose_name="预计产值（亿元）", order_by=("expected_output", "pk"))
    signed_on = tables.DateColumn(format="Y-m-d", order_by=("signed_on", "pk"), attrs=NOWRAP)
    tier = tables.Column(verbose_name="档次", attrs=NOWRAP)
    # Sorted by the stage's order (签约 → 达产), a 待核实 one just after its verified peers.
    stage = tables.Column(verbose_name="项目阶段", accessor="stage_code", order_by=("stage_code", "pk"), attrs=NOWRAP)
    status = tables.Column(order_by=("status", "pk"))
    # Only when the page annotates it (figures.landing.with_colour); excluded otherwise.
    landing_colour = tables.Column(verbose_name="落地预警", orderable=False, attrs=NOWRAP)

    class Meta:
        model = Project
        fields = ()
        sequence = (
            "code",
            "name",
            "investor",
            "lead_unit",
            "cooperating",
            "group",
            "sector",
            "origin",
            "agreement_capital",
            "expected_output",
            "signed_on",
            "tier",
            "stage",
            "status",
            "landing_colour",
        )
        template_name = "projects/_project_table.html"
        attrs = {"class": "project-table"}
        default = "–"
        empty_text = "没有符合条件的项目。"
        per_page = 25

    def render_cooperating(self, record):
        names = [cooperation.unit.name for cooperation in record.cooperations.all()]
        return "、".join(names) or "–"

    def render_tier(self, value):
        return scoring.Tier(value).label

    def render_stage(self, value):
        stage = StageReached.from_code(value)
        if stage.pending:
            return format_html('{} <span class="badge pending">待核实</span>', stage.label)
        return stage.label

    def render_landing_colour(self, value):
        colour = Colour(value)
        return format_html('<span class="badge landing-{}">{}</span>', colour.value, colour.label)

    def render_status(self, record):
        return format_html('<span class="badge {}">{}</span>', record.status, record.get_status_display())

    def order_tier(self, queryset: QuerySet, is_descending: bool):
        prefix = "-" if is_descending else ""
        return queryset.annotate(tier_rank=TIER_RANK).order_by(f"{prefix}tier_rank", f"{prefix}pk"), True
