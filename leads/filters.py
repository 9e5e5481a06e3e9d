"""The leads list's filters (django-filter). Other pages link here with these GET parameters
(`?stage=negotiating&chain_link=5`, `?unit=3&overdue=true`): keep their names."""

from __future__ import annotations

import datetime

import django_filters
from django import forms
from django.db.models import Q, QuerySet

from chains.models import ChainNode, at_or_under
from groups.models import SpecialGroup
from targets.models import Unit

from . import regions
from .models import Channel, Lead, LeadStage, StaleDays, overdue_condition, stale_condition

YES_NO = [("", "全部"), ("true", "是"), ("false", "否")]

# The province filter's value for a record without one (a lead without an enterprise, an
# enterprise without a province): 「未填地区」.
NO_PROVINCE = "none"
NO_PROVINCE_LABEL = "未填地区"


def province_filter_choices() -> list[tuple[str, str]]:
    return [*regions.province_choices(), (NO_PROVINCE, NO_PROVINCE_LABEL)]


def in_province(province: str, field: str = "province") -> Q:
    """Records whose `field` is `province`, or is blank or missing for NO_PROVINCE."""
    if province == NO_PROVINCE:
        return Q(**{f"{field}__isnull": True}) | Q(**{field: ""})
    return Q(**{field: province})


class LeadFilter(django_filters.FilterSet):
    """Filters over the leads a user may see; `today` and `days` say what overdue and stale mean."""

    keyword = django_filters.CharFilter(
        label="关键词", method="filter_keyword", widget=forms.TextInput(attrs={"type": "search", "placeholder": "线索编号、名称或企业"})
    )
    unit = django_filters.ModelChoiceFilter(
        label="责任单位", field_name="owner_unit", queryset=Unit.objects.assessed(), empty_label="全部"
    )
    group = django_filters.ModelChoiceFilter(label="专项招商组", queryset=SpecialGroup.objects.all(), empty_label="全部")
    stage = django_filters.ChoiceFilter(label="阶段", choices=LeadStage.choices, empty_label="全部")
    channel = django_filters.ChoiceFilter(label="渠道", choices=Channel.choices, empty_label="全部")
    chain_link = django_filters.ModelChoiceFilter(
        label="产业链环节", queryset=ChainNode.objects.all(), method="filter_chain_link", empty_label="全部"
    )
    # The lead's enterprise's province (招商作战图's regions link here).
    province = django_filters.ChoiceFilter(
        label="企业所在省份", choices=province_filter_choices(), method="filter_province", empty_label="全部"
    )
    # An enterprise's page links here with its id; the list names the enterprise above the table.
    enterprise = django_filters.NumberFilter(field_name="enterprise_id", widget=forms.HiddenInput)
    overdue = django_filters.BooleanFilter(label="逾期", method="filter_overdue", widget=forms.Select(choices=YES_NO))
    stale = django_filters.BooleanFilter(label="停滞", method="filter_stale", widget=forms.Select(choices=YES_NO))

    class Meta:
        model = Lead
        fields: list[str] = []

    def __init__(self, data=None, queryset=None, *, today: datetime.date, days: StaleDays, request=None):
        super().__init__(data, queryset, request=request)
        self.today, self.days = today, days

    @property
    def qs(self) -> QuerySet:
        """The filtered leads; none while the filters are invalid (never rows for other filters)."""
        if not hasattr(self, "_qs"):
            leads = self.queryset.all()
            if self.is_bound:
                leads = self.filter_queryset(leads) if self.form.is_valid() else leads.none()
            self._qs = leads
        return self._qs

    def filter_keyword(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(Q(code__icontains=value) | Q(name__icontains=value) | Q(enterprise__name__icontains=value))

    def filter_chain_link(self, queryset, name, node: ChainNode):
        """A link, or every link under a chain or an industry."""
        return queryset.filter(at_or_under(node))

    def filter_province(self, queryset, name, value: str):
        return queryset.filter(in_province(value, "enterprise__province"))

    def filter_overdue(self, queryset, name, value: bool):
        condition = overdue_condition(self.today)
        return queryset.filter(condition) if value else queryset.exclude(condition)

    def filter_stale(self, queryset, name, value: bool):
        condition = stale_condition(self.today, self.days)
        return queryset.filter(condition) if value else queryset.exclude(condition)
