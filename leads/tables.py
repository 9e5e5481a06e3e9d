"""The leads list as a django-tables2 table: columns, display and sorting."""

from __future__ import annotations

import django_tables2 as tables
from django.utils.html import format_html, format_html_join

from lib.display import money

from .models import Lead

NUMBER = {"td": {"class": "num"}, "th": {"class": "num"}}
NOWRAP = {"td": {"class": "nowrap"}}
WIDE = {"td": {"class": "wide"}}


class LeadTable(tables.Table):
    """Rows need `is_overdue` and `is_stale` annotated (LeadQuerySet.with_marks) and the owner
    unit, group, chain link and enterprise selected."""

    code = tables.Column(order_by=("code",), attrs=NOWRAP)
    name = tables.Column(linkify=("lead_detail", {"pk": tables.A("pk")}), order_by=("name", "pk"), attrs=WIDE)
    enterprise = tables.Column(order_by=("enterprise__name", "pk"), attrs=WIDE)
    owner_unit = tables.Column(order_by=("owner_unit__sort_order", "owner_unit__name", "pk"), attrs=NOWRAP)
    group = tables.Column(order_by=("group__number", "pk"))
    chain_link = tables.Column(order_by=("chain_link__parent_path", "chain_link__name", "pk"))
    channel = tables.Column(order_by=("channel", "pk"), attrs=NOWRAP)
    stage = tables.Column(order_by=("stage", "pk"), attrs=NOWRAP)
    intended_investment = tables.Column(verbose_name="意向投资（亿元）", order_by=("intended_investment", "pk"), attrs=NUMBER)
    responsible_person = tables.Column(order_by=("responsible_person", "pk"), attrs=NOWRAP)
    next_step = tables.Column(orderable=False, attrs=WIDE)
    deadline = tables.DateColumn(format="Y-m-d", order_by=("deadline", "pk"), attrs=NOWRAP)
    last_activity_on = tables.DateColumn(format="Y-m-d", order_by=("last_activity_on", "pk"), attrs=NOWRAP)
    marks = tables.Column(verbose_name="提醒", accessor="pk", orderable=False, attrs=NOWRAP)

    class Meta:
        model = Lead
        fields = ()
        sequence = (
            "code", "name", "enterprise", "owner_unit", "group", "chain_link", "channel", "stage",
            "intended_investment", "responsible_person", "next_step", "deadline", "last_activity_on", "marks",
        )  # fmt: skip
        template_name = "projects/_project_table.html"
        attrs = {"class": "project-table lead-table"}
        default = "–"
        empty_text = "没有符合条件的线索。"

    def render_intended_investment(self, value):
        return money(value)

    def render_marks(self, record):
        marks = [("overdue", "逾期")] if record.is_overdue else []
        marks += [("stale", "停滞")] if record.is_stale else []
        if not marks:
            return "–"
        return format_html_join(" ", '<span class="badge mark-{}">{}</span>', marks)

    def render_stage(self, record):
        return format_html('<span class="badge stage-{}">{}</span>', record.stage, record.get_stage_display())
